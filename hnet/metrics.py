"""Association metrics: exact-matrix accuracy, positive-class F1, the original's weighted F1, and
accuracy per (nb_ref, nb_pred) case.

All take predicted and reference 0/1 association matrices (N, M, M) as numpy arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def exact_accuracy(pred: np.ndarray, ref: np.ndarray) -> float:
    """Fraction of examples whose whole predicted matrix equals the reference."""
    if len(ref) == 0:
        return float("nan")
    return float(np.all(pred.reshape(len(pred), -1) == ref.reshape(len(ref), -1), axis=1).mean())


def positive_f1(pred: np.ndarray, ref: np.ndarray) -> dict[str, float]:
    """Global F1 of the positive (associated) class over all cells, with its counts."""
    pred, ref = pred.astype(bool), ref.astype(bool)
    tp = int(np.sum(pred & ref))
    fp = int(np.sum(pred & ~ref))
    fn = int(np.sum(~pred & ref))
    f1 = 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else 1.0
    return {"f1": f1, "tp": tp, "fp": fp, "fn": fn}


def _weighted_f1_batch(pred: np.ndarray, ref: np.ndarray, w: np.ndarray) -> np.ndarray:
    """sklearn's ``f1_score(average='weighted', zero_division=1)`` for each row of (B, K) 0/1 arrays
    with per-element weights ``w`` (B, K): support-weighted mean of the F1 of class 0 and class 1."""
    scores = np.zeros(len(pred))
    supports = np.zeros(len(pred))
    for cls in (0, 1):
        p, r = pred == cls, ref == cls
        tp = np.sum(w * (p & r), axis=1)
        fp = np.sum(w * (p & ~r), axis=1)
        fn = np.sum(w * (~p & r), axis=1)
        denom = 2 * tp + fp + fn
        f1 = np.where(denom > 0, 2 * tp / np.where(denom > 0, denom, 1), 1.0)
        support = tp + fn
        scores += f1 * support
        supports += support
    return np.where(supports > 0, scores / np.where(supports > 0, supports, 1), 0.0)


def original_weighted_f1(pred: np.ndarray, ref: np.ndarray, cell_weights: np.ndarray, batch_size: int = 256) -> float:
    """The original training script's F1: per batch of ``batch_size`` examples (last partial batch
    dropped), sklearn's weighted F1 over the flattened cells with each cell weighted by its positive
    rate in the training set (``cell_weights``, M*M values), averaged over batches.

    It averages the F1 of both classes and so is dominated by the easy negatives; prefer positive_f1.
    """
    n = len(ref) // batch_size * batch_size
    if n == 0:  # fewer examples than one batch: score them as one batch
        n, batch_size = len(ref), max(len(ref), 1)
    if n == 0:
        return float("nan")
    k = ref[0].size
    p = pred[:n].reshape(-1, batch_size * k).astype(np.int64)
    r = ref[:n].reshape(-1, batch_size * k).astype(np.int64)
    w = np.broadcast_to(np.tile(np.asarray(cell_weights, float).reshape(-1), batch_size), p.shape)
    return float(_weighted_f1_batch(p, r, w).mean())


def per_case_accuracy(pred: np.ndarray, ref: np.ndarray, nb_ref: np.ndarray, nb_pred: np.ndarray) -> dict[str, float]:
    """Exact accuracy for each (nb_ref, nb_pred), keyed ``"nb_ref,nb_pred"``."""
    out = {}
    for r, p in sorted(set(zip(nb_ref.tolist(), nb_pred.tolist(), strict=False))):
        sel = (nb_ref == r) & (nb_pred == p)
        out[f"{r},{p}"] = exact_accuracy(pred[sel], ref[sel])
    return out


def association_report(
    pred: np.ndarray, ref: np.ndarray, nb_ref: np.ndarray, nb_pred: np.ndarray,
    cell_weights: np.ndarray | None = None, resolution: np.ndarray | None = None,
    random_fill: np.ndarray | None = None,
) -> dict[str, Any]:
    """Every metric in one JSON-ready dict."""
    pos = positive_f1(pred, ref)
    if cell_weights is None:
        cell_weights = np.ones(ref[0].size)
    report: dict[str, Any] = {
        "n": len(ref),
        "exact_acc": exact_accuracy(pred, ref),
        "pos_f1": pos["f1"],
        "weighted_f1": original_weighted_f1(pred, ref, cell_weights),
        "counts": {k: pos[k] for k in ("tp", "fp", "fn")},
        "per_case": per_case_accuracy(pred, ref, nb_ref, nb_pred),
    }
    report["worst_case"] = min(report["per_case"].items(), key=lambda kv: kv[1]) if report["per_case"] else None
    if resolution is not None:
        report["per_resolution"] = {
            str(int(r)): exact_accuracy(pred[resolution == r], ref[resolution == r]) for r in np.unique(resolution)
        }
    if random_fill is not None:
        report["per_fill"] = {
            name: exact_accuracy(pred[random_fill == flag], ref[random_fill == flag])
            for name, flag in (("const", False), ("random", True)) if np.any(random_fill == flag)
        }
    return report
