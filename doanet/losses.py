"""DOAnet training losses: the differentiable tracking losses dMOTP and dMOTA through a frozen HNet,
and the MSE and permutation-invariant (PIT) baselines.

Shapes: B sequences of T label frames with S track slots. Predictions ``pred`` (B, T, S, 3) straight
from the network; references ``ref`` (B, T, S, 3) with inactive slots filled with (10, 10, 10) (for
the HNet losses) and ``active`` (B, T, S) their activity; ``mask`` (B, T) marks real (not padded) frames.
"""

from __future__ import annotations

import itertools
import math

import torch
import torch.nn.functional as F

from hnet.model import INACTIVE_FILL, HNetGRU

EPS = float(torch.finfo(torch.float32).eps)


MSE_FILL = (0.0, 0.0, 1.0)
"""The original MSE baseline's target for an inactive slot: straight up."""


def fill_targets(xyz: torch.Tensor, active: torch.Tensor, use_hnet: bool) -> torch.Tensor:
    """Targets (..., S, 3) from unit xyz (..., S, 3) and activity (..., S): inactive slots set to the HNet's
    ``INACTIVE_FILL`` for the dMOT losses, or to ``MSE_FILL`` for the MSE baseline."""
    fill = torch.tensor((INACTIVE_FILL,) * 3 if use_hnet else MSE_FILL, dtype=xyz.dtype, device=xyz.device)
    return torch.where(active[..., None] > 0.5, xyz, fill)


def unit_normalise(pred: torch.Tensor) -> torch.Tensor:
    """Each predicted xyz to unit length: (..., 3) -> (..., 3)."""
    return pred / torch.sqrt((pred**2).sum(-1, keepdim=True) + 1e-10)


# The HNet's input distances are floored at 1 degree (chord 2 sin(0.5 deg)): its training data resolve
# no finer, and below ~0.3 degrees the shipped HNets read an exact 0 beside a fill column as "no match"
# (association 0.02 for an exactly right prediction, 0.9986 at the floor). dMOTP uses the true distances.
HNET_DISTANCE_FLOOR = 2 * math.sin(math.radians(0.5))


def hnet_association(hnet: HNetGRU, dist: torch.Tensor, floor: float = HNET_DISTANCE_FLOOR) -> torch.Tensor:
    """Soft association (N, S, S) of distance matrices (N, S, S) (rows = predictions): sigmoid of the
    frozen HNet's logits on the distances floored at ``floor``, hard-gated as the original: entries at or
    below 0.5 become 0, the others keep their value (and gradient)."""
    s = dist.shape[-1]
    soft = torch.sigmoid(hnet(dist.clamp_min(floor))[0]).view(-1, s, s)
    return (soft > 0.5) * soft


def dmot_losses(
    pred: torch.Tensor, ref: torch.Tensor, active: torch.Tensor, hnet: HNetGRU, mask: torch.Tensor | None = None,
    dmotp_weight: float = 50.0, ids_weight: float = 1.0, dmotp_norm: str = "original",
) -> dict[str, torch.Tensor]:
    """dMOTP, dMOTA and their parts.

    1. unit-normalise the predictions; D = cdist(pred, ref) per frame (rows = predictions);
    2. A = hard-gated sigmoid(HNet(max(D, 1 degree))), the soft association (B, T, S, S);
    3. dMOTP: with ``dmotp_norm='original'``, dMOTP_wt * sum_f(sum(D*A)_f * sum(A)_f) / sum(A); with
       'plain' (the paper's), dMOTP_wt * sum(D*A) / sum(A);
    4. M_f = sum_i max_j A (soft matches), N_f = number of active references; FP = relu(M - N),
       FN = relu(N - M); IDS_f = sum(A_f * (1 - A_{f-1})) within each sequence (0 at its first frame,
       never across sequences, where the original ran on over the flattened batch);
    5. dMOTA = sum_f(FP + FN + IDS_wt * IDS) / sum_f(M + eps).

    Returns dmotp, dmota, fp, fn, ids (summed), and assoc (B, T, S, S), matched (B, T, S) = max_j A.
    """
    b, t, s, _ = pred.shape
    mask = torch.ones(b, t, dtype=torch.bool, device=pred.device) if mask is None else mask
    m = mask.to(pred.dtype)  # (B, T)
    unit = unit_normalise(pred)
    dist = torch.cdist(unit.reshape(-1, s, 3), ref.reshape(-1, s, 3))  # (B T, S, S)
    assoc = hnet_association(hnet, dist).view(b, t, s, s)
    dist = dist.view(b, t, s, s)
    frame_cost = (dist * assoc).sum((-1, -2))  # (B, T)
    frame_matches = assoc.sum((-1, -2))  # (B, T)
    total_matches = (frame_matches * m).sum()
    if dmotp_norm == "original":
        dmotp = dmotp_weight * (frame_cost * frame_matches * m).sum() / (total_matches + EPS)
    elif dmotp_norm == "plain":
        dmotp = dmotp_weight * (frame_cost * m).sum() / (total_matches + EPS)
    else:
        raise ValueError(f"dmotp_norm must be 'original' or 'plain', got {dmotp_norm!r}")
    matched = assoc.amax(-1)  # (B, T, S)
    soft_m = matched.sum(-1)  # (B, T)
    n_ref = active.to(pred.dtype).sum(-1)  # (B, T)
    fp = F.relu(soft_m - n_ref)
    fn = F.relu(n_ref - soft_m)
    new = (assoc[:, 1:] * (1 - assoc[:, :-1])).sum((-1, -2))  # (B, T-1): associations that were not there
    ids = F.pad(new, (1, 0)) * (m * F.pad(m[:, :-1], (1, 0)))  # only between two real frames of a sequence
    dmota = ((fp + fn) * m + ids_weight * ids).sum() / ((soft_m * m).sum() + EPS)
    return {"dmotp": dmotp, "dmota": dmota, "fp": (fp * m).sum(), "fn": (fn * m).sum(), "ids": ids.sum(),
            "assoc": assoc, "matched": matched}


def activity_loss(activity_logits: torch.Tensor, matched: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """BCE of the activity logits (B, T, S) against the HNet-derived matches (matched > 0.5), as the
    original (the target is which predictions the HNet associates, not the reference activity)."""
    target = (matched.detach() > 0.5).to(activity_logits.dtype)
    loss = F.binary_cross_entropy_with_logits(activity_logits, target, reduction="none").mean(-1)  # (B, T)
    if mask is None:
        return loss.mean()
    m = mask.to(loss.dtype)
    return (loss * m).sum() / m.sum().clamp(min=1)


def mse_loss(pred: torch.Tensor, ref_baseline: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """The original baseline: MSE of the unit-normalised predictions against fixed-slot targets whose
    inactive slots are (0, 0, 1), over every slot. (B, T, S, 3) each."""
    err = ((unit_normalise(pred) - ref_baseline) ** 2).mean((-1, -2))  # (B, T)
    if mask is None:
        return err.mean()
    m = mask.to(err.dtype)
    return (err * m).sum() / m.sum().clamp(min=1)


def pit_loss(pred: torch.Tensor, ref: torch.Tensor, active: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """Permutation-invariant squared error per frame: the slot order of the predictions that best fits
    the active references; inactive reference slots are masked out. (B, T, S, 3), active (B, T, S)."""
    s = pred.shape[-2]
    unit = unit_normalise(pred)
    act = active.to(pred.dtype)
    costs = []
    for perm in itertools.permutations(range(s)):
        err = ((unit[..., list(perm), :] - ref) ** 2).sum(-1)  # (B, T, S)
        costs.append((err * act).sum(-1))  # (B, T)
    best = torch.stack(costs, -1).amin(-1)  # (B, T)
    per_frame = best / act.sum(-1).clamp(min=1)
    if mask is None:
        return per_frame.mean()
    m = mask.to(per_frame.dtype)
    return (per_frame * m).sum() / m.sum().clamp(min=1)
