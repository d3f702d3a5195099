"""Figures: a headless pyplot and an atomic PNG save, for every system's plots."""

from __future__ import annotations

from pathlib import Path


def pyplot():
    """matplotlib.pyplot on the headless Agg backend (imported on first use: it is slow)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, out: str | Path, dpi: int = 100) -> Path:
    """Atomically save a matplotlib figure as PNG and close it."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.tmp.png")
    fig.savefig(tmp, dpi=dpi)
    pyplot().close(fig)
    tmp.replace(out)
    return out


def plot_curves(records: list[dict], out: str | Path, x: str, x_label: str, panels: list[dict],
                x_scale: float = 1.0, dpi: int = 90, title: str = "") -> Path:
    """A run's curves from its ``metrics.jsonl`` records: one panel per dict of ``panels`` side by side, each
    ``{"title", "series": [(key, label), ...], "ylabel"?, "ylim"?, "yscale"?, "goal"?}`` (``goal``: a dotted
    line), plotted against ``record[x] * x_scale``. Records lacking a key are skipped for that series;
    ``title`` goes above the panels."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.8), squeeze=False)
    for ax, panel in zip(axes[0], panels, strict=True):
        for key, label in panel["series"]:
            rows = [r for r in records if r.get(key) is not None]
            ax.plot([r[x] * x_scale for r in rows], [r[key] for r in rows], "o-", ms=3, label=label)
        if panel.get("goal") is not None:
            ax.axhline(panel["goal"], color="grey", ls=":", lw=1)
        ax.set(xlabel=x_label, title=panel["title"], **{k: panel[k] for k in ("ylabel", "ylim", "yscale") if k in panel})
        if len(panel["series"]) > 1 or panel["series"][0][1]:
            ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, out, dpi=dpi)
