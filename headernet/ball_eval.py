"""Measuring a ball detector on synthetic games: the 3 px figures, the no-ball false positives, the speed.

Per frame a detector gives one score and one centre (its best candidate, ``locate``); it reports a ball
when the score reaches its threshold. Against the ground-truth sidecar (ball centre, ``ball_visible``):

- ``recall_3px``: frames with a visible ball where it reports one within 3 px of the true centre, over the
  frames with a visible ball;
- ``precision_3px``: reports within 3 px of a visible ball, over all its reports;
- ``no_ball_false_positive_rate``: frames without a visible ball (hidden behind a player, out of the
  camera's view) where it reports one, over those frames;
- ``frames_per_s``: frames of 224p located per second on this process's torch threads (set to one).

Distances are at 224p scale (divided by frame height / 224).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RADIUS_PX = 3.0


@dataclass
class Frames:
    """Decoded frames of synthetic games with their truth: images (N, H, W, 3) uint8, centres (N, 2) in pixel-edge
    coordinates, visible (N,) bool, and where each came from."""

    images: np.ndarray
    centres: np.ndarray
    visible: np.ndarray
    sources: list[tuple[str, int]]

    def __len__(self) -> int:
        return len(self.images)


def load_frames(videos: Sequence[Path], stride: int = 1, offset: int = 0, max_frames: int = 0,
                decoder: str = "opencv") -> Frames:
    """Every ``stride``-th decoded frame of each video with its sidecar's ball centre and visibility."""
    from headernet.ball_training import sidecar_path
    from headernet.frames import probe, read_frames

    images, centres, visible, sources = [], [], [], []
    for video in videos:
        video = Path(video)
        path = sidecar_path(video)
        if not path.is_file():
            raise FileNotFoundError(f"{video}: no ground-truth sidecar {path.name} (only synthetic games have one)")
        with np.load(path) as z:
            ball, seen = z["ball_xyxy"], z["ball_visible"] if "ball_visible" in z.files else None
        n = min(probe(video).frame_count, len(ball))
        wanted = list(range(offset, n, stride))
        decoded, _ = read_frames(video, wanted, backend=decoder)
        for f in wanted:
            if f in decoded:
                images.append(decoded[f])
                centres.append(ball[f].reshape(2, 2).mean(0))
                visible.append(True if seen is None else bool(seen[f]))
                sources.append((str(video), f))
        if max_frames and len(images) >= max_frames:
            break
    k = max_frames or len(images)
    return Frames(np.stack(images[:k]), np.array(centres[:k], np.float64), np.array(visible[:k], bool), sources[:k])


def ball_metrics(scores: np.ndarray, centres: np.ndarray, truth: np.ndarray, visible: np.ndarray, threshold: float,
                 frame_height: int = 224, radius_px: float = RADIUS_PX) -> dict[str, float]:
    """The figures of the module docstring for one detector's (scores (N,), centres (N, 2)) at ``threshold``."""
    scores, visible = np.asarray(scores, float), np.asarray(visible, bool)
    reported = scores >= threshold
    err = np.hypot(*(np.asarray(centres, float) - np.asarray(truth, float)).T) * 224 / frame_height
    hit = reported & visible & (err <= radius_px)
    n_vis, n_none, n_rep = int(visible.sum()), int((~visible).sum()), int(reported.sum())
    return {"recall_3px": float(hit.sum() / n_vis) if n_vis else float("nan"),
            "precision_3px": float(hit.sum() / n_rep) if n_rep else float("nan"),
            "no_ball_false_positive_rate": float((reported & ~visible).sum() / n_none) if n_none else float("nan"),
            "frames": len(scores), "frames_with_ball": n_vis, "frames_without_ball": n_none,
            "median_error_px": float(np.median(err[reported & visible])) if (reported & visible).any() else float("nan"),
            "threshold": float(threshold)}


def f1(m: dict[str, float]) -> float:
    r, p = m["recall_3px"], m["precision_3px"]
    return 0.0 if not (r + p > 0) or np.isnan(r) or np.isnan(p) else float(2 * r * p / (r + p))


def choose_threshold(scores: np.ndarray, centres: np.ndarray, truth: np.ndarray, visible: np.ndarray,
                     frame_height: int = 224) -> tuple[float, dict[str, float]]:
    """The score threshold with the best 3 px F1 (ties: the higher threshold) and its metrics: chosen on
    validation frames, never on the evaluation's."""
    candidates = np.unique(np.quantile(scores, np.linspace(0.0, 1.0, 201)))
    best, best_m = float(candidates[0]), None
    for t in candidates:
        m = ball_metrics(scores, centres, truth, visible, float(t), frame_height)
        if best_m is None or f1(m) >= f1(best_m):
            best, best_m = float(t), m
    return best, best_m


def threshold_for_false_positives(scores: np.ndarray, centres: np.ndarray, truth: np.ndarray, visible: np.ndarray,
                                  max_rate: float = 0.05, frame_height: int = 224) -> tuple[float, dict[str, float]]:
    """The lowest score threshold whose no-ball false-positive rate on these (validation) frames is at most
    ``max_rate``, and its metrics: the operating point that trades recall for fewer false balls."""
    candidates = np.unique(np.r_[np.quantile(scores, np.linspace(0.0, 1.0, 401)), np.nextafter(np.max(scores), np.inf)])
    for t in candidates:  # the last one lies above every score: it reports nothing, so the loop always stops
        m = ball_metrics(scores, centres, truth, visible, float(t), frame_height)
        if not m["no_ball_false_positive_rate"] > max_rate:  # nan (no ball-less frame) passes
            break
    return float(t), m


def frames_per_s(locate: Callable[[list[np.ndarray]], object], images: np.ndarray, n: int = 100,
                 batch: int = 1) -> float:
    """Frames located per second, one ``batch`` at a time as the builder would call it (after a warm-up call)."""
    images = list(images[:n])
    locate(images[:batch])
    t0 = time.perf_counter()
    for i in range(0, len(images), batch):
        locate(images[i: i + batch])
    return len(images) / (time.perf_counter() - t0)


__all__ = ["Frames", "ball_metrics", "choose_threshold", "f1", "frames_per_s", "load_frames",
           "threshold_for_false_positives"]
