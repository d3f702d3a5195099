"""Figures of the DOAnet data: features of one recording with its labelled tracks."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from common.plots import pyplot, save_figure
from doanet.labels import xyz_to_polar


def plot_recording(features: np.ndarray, labels: np.ndarray, title: str, out: str | Path, label_hop_s: float = 0.1,
                   pred: np.ndarray | None = None, pred_active: np.ndarray | None = None) -> Path:
    """Features (T, C, 64) and labels (L, slots, 4) of one recording -> PNG: the omni log-mel, the
    intensity-vector or GCC-PHAT channels, and each slot's azimuth and elevation over time; with
    ``pred`` (L, slots, 3) and ``pred_active`` (L, slots) the predicted tracks are drawn over them."""
    plt = pyplot()
    t_feat = np.arange(len(features)) * label_hop_s / (len(features) / len(labels))
    t_lab = np.arange(len(labels)) * label_hop_s
    extra = features.shape[1] - 4
    fig, axes = plt.subplots(4, 1, figsize=(11, 9), sharex=True)
    axes[0].imshow(features[:, 0].T, aspect="auto", origin="lower", extent=(0, t_feat[-1], 0, 64), cmap="magma")
    axes[0].set_ylabel("mel band"), axes[0].set_title(f"{title}: log-mel, channel 1")
    axes[1].imshow(features[:, 4:].reshape(len(features), -1).T, aspect="auto", origin="lower",
                   extent=(0, t_feat[-1], 0, extra * 64), cmap="coolwarm")
    axes[1].set_ylabel("channel x 64"), axes[1].set_title(
        "intensity vectors (Y, Z, X)" if extra == 3 else "GCC-PHAT, 6 pairs x lags -32..31")
    for slot in range(labels.shape[1]):
        active = labels[:, slot, 3] > 0.5
        az, el = xyz_to_polar(labels[:, slot, :3])
        axes[2].plot(t_lab[active], az[active], ".", ms=4, label=f"reference {slot}")
        axes[3].plot(t_lab[active], el[active], ".", ms=4, label=f"reference {slot}")
    if pred is not None:
        for slot in range(pred.shape[1]):
            shown = np.ones(len(pred), bool) if pred_active is None else pred_active[:, slot]
            az, el = xyz_to_polar(pred[:, slot])
            axes[2].plot(t_lab[shown], az[shown], "x", ms=3, alpha=0.7, label=f"predicted {slot}")
            axes[3].plot(t_lab[shown], el[shown], "x", ms=3, alpha=0.7, label=f"predicted {slot}")
    axes[2].set_ylim(-180, 180), axes[2].set_ylabel("azimuth (deg)"), axes[2].legend(loc="upper right")
    axes[3].set_ylim(-90, 90), axes[3].set_ylabel("elevation (deg)"), axes[3].set_xlabel("time (s)")
    fig.tight_layout()
    return save_figure(fig, out)


def plot_comparison_curves(histories: dict[str, list[dict]], out: str | Path, title: str = "") -> Path:
    """Training curves of several models on one figure: train and validation loss (each relative to the
    model's first epoch: the objectives differ in scale), validation LE and LF per epoch.
    ``histories``: {model name: the run's per-epoch history (train_doanet's last.pt 'history')}."""
    plt = pyplot()
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True)
    panels = (
        (axes[0, 0], "train loss / epoch 1", lambda h: h["train"]["loss"], True),
        (axes[0, 1], "validation loss / epoch 1", lambda h: h["val_loss"], True),
        (axes[1, 0], "validation LE (deg)", lambda h: h["val"]["LE"], False),
        (axes[1, 1], "validation LF (%)", lambda h: h["val"]["LF"], False),
    )
    for name, history in histories.items():
        epochs = [h["epoch"] for h in history]
        for ax, label, value, relative in panels:
            y = np.array([value(h) for h in history], float)
            ax.plot(epochs, y / y[0] if relative and y[0] else y, label=name)
            ax.set_ylabel(label)
    for ax in axes[1]:
        ax.set_xlabel("epoch")
    axes[0, 0].legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, out)
