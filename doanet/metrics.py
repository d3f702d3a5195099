"""Localisation and tracking metrics, vectorised over frames.

Inputs per frame f of a sequence: predicted unit vectors ``pred`` (..., T, S, 3) with activity
``pred_active`` (..., T, S) (None: every slot counts as active, as the original for models without an
activity head), references ``ref`` (..., T, S, 3) with activity ``ref_active`` (..., T, S). A reference
slot keeps its source while active (doanet.labels), so a slot's active run is one ground-truth identity.

* ``original_metric``: the original doa-net metric (LE, MOTA, IDS, LR, LP, LF): count-based, no
  angular gate, "IDS" = 0 -> 1 onsets of predicted activity over the flattened frames. The original
  counted them per ``partial_compute_metric`` call (per batch), missing onsets on a batch's first frame;
  counting over all frames gives an IDS that is higher by those, and a MOTA lower by as much.
* ``clear_mot``: CLEAR-MOT against ground-truth identities with an angular gate: MOTA, MOTP (degrees),
  identity switches, and frame-level localisation recall, precision and F.
"""

from __future__ import annotations

import numpy as np

from common.hungarian import hungarian_labels

BIG = 1e3  # cost of a pair that must not be matched (angles are at most pi)


def angle_matrix(pred: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Great-circle angles (radians) between predictions (rows) and references (columns): (..., S, S)."""
    cos = np.einsum("...ik,...jk->...ij", pred, ref)
    return np.arccos(np.clip(cos, -1 + 1e-7, 1 - 1e-7))


def _matches(angles: np.ndarray, pred_active: np.ndarray, ref_active: np.ndarray, gate_rad: float = np.inf) -> np.ndarray:
    """Hungarian matching per frame among active predictions and references (and within the gate):
    0/1 (N, S, S). Equal to linear_sum_assignment on each frame's active (gated) submatrix."""
    allowed = pred_active[:, :, None] & ref_active[:, None, :] & (angles <= gate_rad)
    cost = np.where(allowed, angles, BIG)
    return (hungarian_labels(cost).astype(bool) & allowed)


def original_metric(pred: np.ndarray, ref: np.ndarray, ref_active: np.ndarray,
                    pred_active: np.ndarray | None = None) -> dict[str, float]:
    """The original's LE (degrees), MOTA (%), IDS (count), LR, LP, LF (%), over all frames (..., T, S)."""
    s = pred.shape[-2]
    pred = pred.reshape(-1, s, 3)
    ref = ref.reshape(-1, s, 3)
    ref_active = ref_active.reshape(-1, s).astype(bool)
    n_gt = ref_active.sum(-1)
    if pred_active is None:
        p_act = np.ones_like(ref_active)
        fp = fn = ids = 0
    else:
        p_act = pred_active.reshape(-1, s).astype(bool)
        m = p_act.sum(-1)
        fp = int(np.maximum(m - n_gt, 0).sum())
        fn = int(np.maximum(n_gt - m, 0).sum())
        ids = int((p_act[1:] & ~p_act[:-1]).sum())
    n_pred = p_act.sum(-1)
    tp = int(np.minimum(n_gt, n_pred).sum())
    angles = angle_matrix(pred, ref)
    matched = _matches(angles, p_act, ref_active)
    err = float((angles * matched).sum())
    total_gt, total_pred = int(n_gt.sum()), int(n_pred.sum())
    lr = 100.0 * tp / total_gt if total_gt else float("nan")
    lp = 100.0 * tp / total_pred if total_pred else float("nan")
    return {
        "LE": float(np.rad2deg(err / tp)) if tp else float("nan"),
        "MOTA": 100.0 * (1 - (fp + fn + ids) / total_gt) if total_gt else float("nan"),
        "IDS": ids, "LR": lr, "LP": lp, "LF": 2 * lp * lr / (lp + lr) if lp + lr else float("nan"),
    }


def clear_mot(pred: np.ndarray, ref: np.ndarray, ref_active: np.ndarray, pred_active: np.ndarray | None = None,
              gate_deg: float = 20.0, matching: str = "standard") -> dict[str, float]:
    """CLEAR-MOT (Bernardin and Stiefelhagen 2008) over sequences (B, T, S, ...), with an angular gate.

    A ground-truth identity is a run of activity of a reference slot (a new run is a new object); a
    hypothesis is a prediction slot. ``matching='standard'`` follows the standard and py-motmetrics 1.4:
    per frame, 1) every object keeps the hypothesis it was last matched to when that hypothesis is active
    and within ``gate_deg`` (objects in slot order), 2) the Hungarian algorithm matches the remaining
    objects and hypotheses on the angle (pairs beyond the gate not allowed), 3) a step-2 match of an
    object to another hypothesis than its last one is an identity switch.
    ``matching='per_frame'``: our earlier variant, the Hungarian algorithm on every frame afresh (step 2
    only); on crossing or close tracks it counts more switches than the standard.
    MOTA = 1 - (FN + FP + IDSW) / GT, MOTP = mean matched angle (degrees). Each sequence is scored on
    its own; identities do not continue across sequences.
    """
    if matching not in ("standard", "per_frame"):
        raise ValueError(f"matching must be 'standard' or 'per_frame', got {matching!r}")
    if pred.ndim == 3:
        pred, ref, ref_active = pred[None], ref[None], ref_active[None]
        pred_active = None if pred_active is None else pred_active[None]
    b, t, s, _ = pred.shape
    ref_active = ref_active.astype(bool)
    p_act = np.ones_like(ref_active) if pred_active is None else pred_active.astype(bool)
    angles = angle_matrix(pred, ref)  # (B, T, S_pred, S_ref)
    allowed = p_act[..., :, None] & ref_active[..., None, :] & (angles <= np.deg2rad(gate_deg))
    matched = np.zeros((b, t, s, s), bool)
    last = np.full((b, s), -1)  # per object (reference slot): the hypothesis it was last matched to
    rows, switches = np.arange(b), 0
    for f in range(t):
        onset = ref_active[:, f] & ~(ref_active[:, f - 1] if f else np.zeros((b, s), bool))
        last = np.where(onset, -1, last)  # a new object has no history
        kept = np.zeros((b, s, s), bool)
        if matching == "standard":  # 1. keep last correspondences that are still valid, objects in slot order
            for g in range(s):
                h = last[:, g]
                ok = (h >= 0) & allowed[rows, f, np.maximum(h, 0), g] & ~kept[rows, np.maximum(h, 0)].any(-1)
                kept[rows[ok], h[ok], g] = True
        # 2. the Hungarian algorithm among what is left
        free = allowed[:, f] & ~kept.any(-1, keepdims=True) & ~kept.any(-2, keepdims=True)
        new = hungarian_labels(np.where(free, angles[:, f], BIG)).astype(bool) & free
        now = np.where(new.any(-2), new.argmax(-2), -1)  # (B, S_ref): hypothesis newly matched to each object
        switches += int(np.sum((now >= 0) & (last >= 0) & (now != last)))  # 3. identity switches
        matched[:, f] = kept | new
        last = np.where(now >= 0, now, last)
    n_match = int(matched.sum())
    n_gt, n_pred = int(ref_active.sum()), int(p_act.sum())
    recall = n_match / n_gt if n_gt else float("nan")
    precision = n_match / n_pred if n_pred else float("nan")
    return {
        "MOTA": 1 - ((n_gt - n_match) + (n_pred - n_match) + switches) / n_gt if n_gt else float("nan"),
        "MOTP": float(np.rad2deg((angles * matched).sum() / n_match)) if n_match else float("nan"),
        "IDSW": switches, "recall": recall, "precision": precision,
        # no match among existing references and predictions is F = 0; F is undefined only without either
        "F": 2 * precision * recall / (precision + recall) if precision + recall
        else (0.0 if n_gt and n_pred else float("nan")),
        "matches": n_match, "gt": n_gt, "pred": n_pred, "gate_deg": gate_deg,
    }
