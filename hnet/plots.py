"""Figures: distance matrices with their true and predicted associations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from common.plots import pyplot, save_figure


def plot_training_curves(history: list[dict[str, Any]], out: str | Path, reference_exact_acc: float) -> Path:
    """Losses (train, val) and validation error (1 - exact accuracy, 1 - positive F1) per epoch."""
    plt = pyplot()
    epochs = [h["epoch"] for h in history]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    ax1.semilogy(epochs, [sum(h["train_loss"]) for h in history], label="train")
    ax1.semilogy(epochs, [sum(h["val_loss"]) for h in history], label="val")
    ax1.set_xlabel("epoch"), ax1.set_ylabel("BCE per example (3 heads)"), ax1.legend()
    ax2.plot(epochs, [1 - h["val_exact_acc"] for h in history], label="1 - exact acc")
    ax2.plot(epochs, [1 - h["val_pos_f1"] for h in history], label="1 - positive F1")
    ax2.axhline(1 - reference_exact_acc, ls="--", c="gray", lw=0.8, label="original checkpoint, 1 - exact acc")
    ax2.set_yscale("log"), ax2.set_xlabel("epoch"), ax2.set_title("validation error"), ax2.legend()
    fig.tight_layout()
    return save_figure(fig, out, dpi=110)


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
