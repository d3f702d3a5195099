"""Figures: distance matrices with their true and predicted associations."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from common.plots import pyplot, save_figure


def pick_examples(split: dict, pred: np.ndarray, n: int, errors_only: bool = False, seed: int = 0) -> np.ndarray:
    """Indices of ``n`` examples spread over the (nb_ref, nb_pred) cases (or the misassociated ones)."""
    rng = np.random.default_rng(seed)
    wrong = np.any(pred.reshape(len(pred), -1) != split["assoc"].reshape(len(pred), -1), axis=1)
    pool = np.flatnonzero(wrong) if errors_only else np.arange(len(pred))
    if len(pool) == 0:
        return pool
    cases = split["nb_ref"][pool].astype(int) * 100 + split["nb_pred"][pool]
    picks = []
    for case in np.unique(cases):  # one per case first, then fill at random
        picks.append(rng.choice(pool[cases == case]))
    rest = np.setdiff1d(pool, picks)
    picks += list(rng.choice(rest, size=min(len(rest), max(0, n - len(picks))), replace=False))
    return np.array(sorted(picks[:n]))


def plot_associations(split: dict, probs: np.ndarray, indices: np.ndarray, out: str | Path, title: str = "") -> Path:
    """Grid of distance matrices: colour = distance, text = d and p(assoc); green box = true
    association, red cross = predicted (p > 0.5). Saved as PNG at ``out``."""
    plt = pyplot()
    cols = min(4, max(1, len(indices)))
    rows = max(1, int(np.ceil(len(indices) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 3.2 * rows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, i in zip(axes.ravel(), indices, strict=False):
        d, a, p = split["dist"][i], split["assoc"][i], probs[i]
        m = d.shape[0]
        ax.axis("on")
        ax.imshow(np.minimum(d, 2.5), cmap="viridis_r", vmin=0, vmax=2.5)
        for r in range(m):
            for c in range(m):
                ax.text(c, r, f"d={d[r, c]:.2f}\np={p[r, c]:.2f}", ha="center", va="center", fontsize=7,
                        color="k" if d[r, c] < 1.25 else "w")
                if a[r, c]:
                    ax.add_patch(plt.Rectangle((c - 0.45, r - 0.45), 0.9, 0.9, fill=False, ec="lime", lw=2.5))
                if p[r, c] > 0.5:
                    ax.plot(c, r + 0.3, "rx", ms=9, mew=2)
        ok = np.array_equal(p > 0.5, a.astype(bool))
        ax.set_title(f"#{i} ref={split['nb_ref'][i]} pred={split['nb_pred'][i]} res={split['resolution'][i]}°"
                     + ("" if ok else "  WRONG"), fontsize=8, color="k" if ok else "r")
        ax.set_xticks(range(m)), ax.set_yticks(range(m))
        ax.set_xlabel("predicted DOA", fontsize=7), ax.set_ylabel("reference DOA", fontsize=7)
    fig.suptitle(title or "HNet: distance matrices, true (green box) and predicted (red x) associations", fontsize=9)
    fig.tight_layout()
    return save_figure(fig, out)
