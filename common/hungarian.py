"""The Hungarian labelling shared by HNet's training data and DOAnet's metrics, vectorised over examples."""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import linear_sum_assignment

# Above this many candidate assignments per example, enumerating them all costs more than scipy's loop.
MAX_ENUMERATED_ASSIGNMENTS = 720
# Relative gap under which two assignment costs count as tied (summation order differs between methods).
TIE_TOLERANCE = 1e-9


def _assignments(n_small: int, n_large: int) -> np.ndarray:
    """All injective maps from ``n_small`` items into ``n_large``: (K, n_small)."""
    return np.array(list(itertools.permutations(range(n_large), n_small)), dtype=np.int64).reshape(-1, n_small)


def hungarian_labels(cost: np.ndarray) -> np.ndarray:
    """Minimum-cost assignment of every (R, C) matrix in ``cost`` (N, R, C) -> 0/1 matrices (N, R, C).

    Equal to ``scipy.optimize.linear_sum_assignment`` per matrix. For small blocks it enumerates every
    assignment and takes the cheapest, all examples at once; for large ones it calls scipy per example.
    Where two assignments cost the same (to within rounding) either is optimal, and which one scipy
    returns depends on its search order, so those few examples are handed to scipy to stay identical.
    """
    n, rows, cols = cost.shape
    assoc = np.zeros(cost.shape, dtype=np.uint8)
    if n == 0 or rows == 0 or cols == 0:
        return assoc
    transposed = rows > cols
    c = np.swapaxes(cost, 1, 2) if transposed else cost  # (N, small, large)
    small, large = c.shape[1:]
    candidates = _assignments(small, large)  # (K, small)
    if len(candidates) > MAX_ENUMERATED_ASSIGNMENTS:
        return _scipy_labels(cost, np.arange(n), assoc)
    totals = c[:, np.arange(small)[None, :], candidates].sum(-1)  # (N, K) cost of each candidate
    best_idx = np.argmin(totals, axis=1)
    best = candidates[best_idx]  # (N, small)
    out = np.zeros(c.shape, dtype=np.uint8)
    out[np.arange(n)[:, None], np.arange(small)[None, :], best] = 1
    assoc = np.swapaxes(out, 1, 2) if transposed else out
    if len(candidates) > 1:
        best_total = totals[np.arange(n), best_idx]
        totals[np.arange(n), best_idx] = np.inf
        tied = np.flatnonzero(totals.min(axis=1) - best_total <= TIE_TOLERANCE * np.maximum(1.0, np.abs(best_total)))
        if len(tied):
            assoc = _scipy_labels(cost, tied, np.ascontiguousarray(assoc))
    return assoc


def _scipy_labels(cost: np.ndarray, which: np.ndarray, assoc: np.ndarray) -> np.ndarray:
    """Overwrite ``assoc[i]`` with scipy's assignment of ``cost[i]`` for each i in ``which``."""
    for i in which:
        assoc[i] = 0
        r, k = linear_sum_assignment(cost[i])
        assoc[i, r, k] = 1
    return assoc
