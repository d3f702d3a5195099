"""Floor-plan geometry: the room's walls, clearances, random placement and the agent's two microphones.

All positions are horizontal (x, y) in metres; a 3-D room adds heights only when the pyroomacoustics
room is built (``auralnav.acoustics``). Headings are radians, counter-clockwise from the +x axis.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class Floor:
    """A simple polygon floor plan, corners counter-clockwise, shape (n, 2). The queries work for any simple
    polygon; ``polygon`` (the rooms of the env) accepts convex ones only."""

    corners: np.ndarray

    @classmethod
    def from_params(cls, params) -> Floor:
        """The shoebox ``room_dim`` or the polygon ``room_corners`` of AuralNavParams."""
        if params.room_corners:
            return cls.polygon(params.room_corners)
        x, y = params.room_dim[:2]
        return cls(np.array([[0.0, 0.0], [x, 0.0], [x, y], [0.0, y]]))

    @classmethod
    def polygon(cls, corners) -> Floor:
        c = np.asarray(corners, dtype=float)
        if c.ndim != 2 or c.shape[1] != 2 or len(c) < 3:
            raise ValueError(f"room_corners must be at least 3 (x, y) pairs, got shape {c.shape}")
        area = signed_area(c)
        if abs(area) < 1e-9:
            raise ValueError("room_corners encloses no area")
        c = c if area > 0 else c[::-1].copy()
        edges = np.roll(c, -1, axis=0) - c
        turns = edges[:, 0] * np.roll(edges, -1, axis=0)[:, 1] - edges[:, 1] * np.roll(edges, -1, axis=0)[:, 0]
        if np.any(turns < -1e-9):
            # a source around a corner can have no path to a microphone, which pyroomacoustics 0.10 cannot
            # simulate (compute_rir fails with "zero-size array to reduction operation maximum")
            raise ValueError(f"room_corners must form a convex polygon, got {c.tolist()}")
        return cls(c)

    @cached_property
    def _edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(start a, end b, b - a, |b - a|^2) of each wall, each (n, 2) or (n,)."""
        a = self.corners
        b = np.roll(a, -1, axis=0)
        ab = b - a
        return a, b, ab, np.sum(ab * ab, axis=-1)

    @property
    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """(lower-left, upper-right) corners of the bounding box."""
        return self.corners.min(axis=0), self.corners.max(axis=0)

    def contains(self, p) -> np.ndarray | bool:
        """Whether point(s) ``p`` (..., 2) lie strictly inside (even-odd ray casting)."""
        p = np.asarray(p, dtype=float)
        x, y = p[..., 0:1], p[..., 1:2]
        a, b, _, _ = self._edges
        crosses = (a[:, 1] > y) != (b[:, 1] > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = a[:, 0] + (y - a[:, 1]) * (b[:, 0] - a[:, 0]) / (b[:, 1] - a[:, 1])
        inside = np.sum(crosses & (x < x_at), axis=-1) % 2 == 1
        return bool(inside) if inside.ndim == 0 else inside

    def wall_distance(self, p) -> np.ndarray | float:
        """Distance from point(s) ``p`` (..., 2) to the nearest wall segment."""
        p = np.asarray(p, dtype=float)[..., None, :]  # (..., 1, 2)
        a, _, ab, ab2 = self._edges  # (n, 2), (n, 2), (n,)
        t = np.clip(np.sum((p - a) * ab, axis=-1) / ab2, 0.0, 1.0)
        d = np.linalg.norm(p - (a + t[..., None] * ab), axis=-1).min(axis=-1)
        return float(d) if d.ndim == 0 else d

    def clearance(self, p) -> np.ndarray | float:
        """Signed clearance: the wall distance inside the room, minus it outside."""
        d = self.wall_distance(p)
        return np.where(self.contains(p), d, -d) if np.ndim(d) else (d if self.contains(p) else -d)

    def sample(self, rng: np.random.Generator, min_clearance: float, away_from=(), min_distance: float = 0.0,
               what: str = "a point", tries: int = 10_000) -> np.ndarray:
        """A uniform point with at least ``min_clearance`` to the walls and ``min_distance`` to ``away_from``.

        Rejection sampling from the bounding box with ``rng`` only; ValueError when nothing fits.
        """
        lo, hi = self.bounds
        away = np.asarray(away_from, dtype=float).reshape(-1, 2)
        for _ in range(tries):
            p = rng.uniform(lo, hi)
            if self.clearance(p) < min_clearance:
                continue
            if len(away) and np.min(np.linalg.norm(away - p, axis=1)) < min_distance:
                continue
            return p
        raise ValueError(f"could not place {what} in the room after {tries} tries: lower num_sources, "
                         "source_separation, start_distance or the wall margins, or use a larger room")


def signed_area(corners: np.ndarray) -> float:
    """Shoelace area, positive for counter-clockwise corners."""
    x, y = corners[:, 0], corners[:, 1]
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def mic_positions(center, heading: float, spacing: float) -> np.ndarray:
    """The two ears, shape (2, 2): row 0 the left ear, row 1 the right ear, ``spacing`` apart across
    the heading (a source on the agent's left reaches mic 0 first)."""
    left = np.array([-np.sin(heading), np.cos(heading)]) * (spacing / 2)
    c = np.asarray(center, dtype=float)
    return np.stack([c + left, c - left])


def try_moves(floor: Floor, center, headings, distances, clearance: float) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised ``try_move`` over k candidate moves: (new centres (k, 2), moved (k,))."""
    c = np.asarray(center, dtype=float)
    headings, distances = np.broadcast_arrays(np.asarray(headings, dtype=float), np.asarray(distances, dtype=float))
    step = distances[:, None] * np.stack([np.cos(headings), np.sin(headings)], axis=-1)  # (k, 2)
    way = c + _FRACTIONS[None, :, None] * step[:, None, :]  # (k, 8, 2)
    moved = np.min(floor.clearance(way), axis=1) >= clearance
    return np.where(moved[:, None], way[:, -1], c), moved


_FRACTIONS = np.linspace(0.0, 1.0, 9)[1:]


def try_move(floor: Floor, center, heading: float, distance: float, clearance: float) -> tuple[np.ndarray, bool]:
    """(new centre, moved): ``distance`` metres along ``heading`` (negative: backward), or the same
    centre when any point of the way (checked every eighth of it) would come closer than ``clearance``
    to a wall. A centre with that clearance keeps both microphones ``clearance - spacing / 2`` inside."""
    new, moved = try_moves(floor, center, [heading], [distance], clearance)
    return new[0], bool(moved[0])
