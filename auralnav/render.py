"""Drawing the room: walls, sources (found or not, with their acceptable radius) and the agent's path.

``draw_room`` draws on a matplotlib Axes (used for the evaluation figure); ``frame`` returns an RGB
image for ``AudioEnv.render()``, drawn on a private Agg canvas (no pyplot state).
"""

from __future__ import annotations

import numpy as np


def draw_room(ax, floor, sources: np.ndarray, found: np.ndarray, path: np.ndarray, heading: float | None = None,
              radius: float | None = None, names=None, title: str = "") -> None:
    """Walls (black), sources (red: on, grey: found) with their radius, path (blue) from start (o) to agent."""
    corners = np.vstack([floor.corners, floor.corners[:1]])
    ax.plot(corners[:, 0], corners[:, 1], "k-", lw=2)
    for i, (p, off) in enumerate(zip(np.asarray(sources), np.asarray(found), strict=True)):
        colour = "0.6" if off else "tab:red"
        ax.plot(*p, marker="*", ms=14, color=colour, ls="none")
        if radius:
            ax.add_patch(_circle(p, radius, colour))
        label = names[i] if names is not None else str(i)
        ax.annotate(f"{label}{' (found)' if off else ''}", p, xytext=(4, 6), textcoords="offset points", fontsize=7)
    path = np.asarray(path).reshape(-1, 2)
    if len(path):
        ax.plot(path[:, 0], path[:, 1], "-", color="tab:blue", lw=1, alpha=0.8)
        ax.plot(*path[0], "o", color="tab:blue", ms=5)
        if heading is not None:
            d = 0.35 * np.array([np.cos(heading), np.sin(heading)])
            ax.arrow(*path[-1], *d, width=0.04, color="tab:blue", length_includes_head=True)
    lo, hi = floor.bounds
    pad = 0.3
    ax.set_xlim(lo[0] - pad, hi[0] + pad), ax.set_ylim(lo[1] - pad, hi[1] + pad)
    ax.set_aspect("equal"), ax.set_xlabel("x (m)"), ax.set_ylabel("y (m)")
    if title:
        ax.set_title(title, fontsize=9)


def _circle(p, radius: float, colour: str):
    from matplotlib.patches import Circle

    return Circle(p, radius, fill=False, ls="--", lw=0.8, color=colour)


def frame(floor, sources, found, path, heading, radius, title: str = "", size_px: int = 400) -> np.ndarray:
    """The room as an RGB image, shape (size_px, size_px, 3), dtype uint8."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    dpi = 100
    fig = Figure(figsize=(size_px / dpi, size_px / dpi), dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    draw_room(ax, floor, sources, found, path, heading, radius, title=title)
    fig.tight_layout()
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()
