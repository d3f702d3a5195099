"""Negatives away from headers, the windows of frames around each sample, and the frames to decode.

Negatives of a half are drawn from every frame whose window lies inside the video (the original drew
from every frame, and lost the negatives near the ends) and not within ``guard`` frames of a header, in a seeded
random order, keeping a frame only when its window does not overlap the window of a negative already
kept (centres at least ``max(window) - min(window) + 1`` apart), until ``int(n_pos x ratio)`` are
kept or the half has no room left. The generator is seeded by (seed, game, half), so a game's
negatives do not depend on which other games are processed (shards, reruns).

A crop at window frame t stacks grayscale frames t - n, t, t + n (n = ``neighbour``), so the frames
to decode are the window frames and their +-n neighbours (the original decoded neither neighbour, so
its three channels were copies of one frame).
"""

from __future__ import annotations

import bisect
import zlib
from collections.abc import Iterable, Sequence

import numpy as np


def half_rng(seed: int, video_id: str, half: int) -> np.random.Generator:
    """The random generator of one half of one game: independent of every other half."""
    return np.random.default_rng([seed, zlib.crc32(video_id.encode()), half])


def window_span(window: Sequence[int]) -> int:
    """Frames covered by a window: max - min + 1 (49 for the original's -24..24)."""
    return max(window) - min(window) + 1


def sample_negatives(positive_frames: Iterable[int], frame_count: int, ratio: float, guard: int,
                     window: Sequence[int], rng: np.random.Generator) -> list[int]:
    """Sorted negative centre frames whose whole window lies in ``[0, frame_count)``: none within ``guard`` of
    a positive, windows pairwise disjoint, at most ``int(len(positives) x ratio)``."""
    positives = sorted(set(positive_frames))
    wanted = int(len(positives) * ratio)
    if wanted == 0 or frame_count <= 0:
        return []
    allowed = np.zeros(frame_count, bool)
    allowed[max(0, -min(window)): max(0, frame_count - max(window))] = True  # the whole window inside the video
    for f in positives:
        allowed[max(0, f - guard): max(0, f + guard + 1)] = False
    candidates = np.flatnonzero(allowed)
    min_gap = window_span(window)
    kept: list[int] = []
    for f in rng.permutation(candidates):
        f = int(f)
        i = bisect.bisect_left(kept, f)
        if (i > 0 and f - kept[i - 1] < min_gap) or (i < len(kept) and kept[i] - f < min_gap):
            continue
        kept.insert(i, f)
        if len(kept) == wanted:
            break
    return kept


def window_frames(centre: int, window: Sequence[int]) -> list[int]:
    """The frames of a sample's window, in window order (may fall outside the video)."""
    return [centre + o for o in window]


def frames_to_decode(centres: Iterable[int], window: Sequence[int], neighbour: int, frame_count: int) -> list[int]:
    """Sorted frames needed for these samples: window frames and their +-neighbour frames, inside the video."""
    needed: set[int] = set()
    for c in centres:
        for t in window_frames(c, window):
            if 0 <= t < frame_count:
                needed.update(x for x in (t - neighbour, t, t + neighbour) if 0 <= x < frame_count)
    return sorted(needed)
