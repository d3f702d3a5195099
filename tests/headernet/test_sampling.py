import itertools

import numpy as np
import pytest

from headernet.sampling import frames_to_decode, half_rng, sample_negatives, window_frames, window_span

WINDOW = (-24, -18, -12, -6, -3, 0, 3, 6, 12, 18, 24)


@pytest.mark.parametrize("seed", range(6))
def test_negatives_avoid_headers_and_each_other(seed):
    rng = np.random.default_rng(100 + seed)
    frame_count = int(rng.integers(300, 5000))
    positives = sorted(set(rng.integers(0, frame_count, int(rng.integers(1, 12))).tolist()))
    guard, ratio = int(rng.integers(0, 30)), float(rng.uniform(0.5, 5))
    neg = sample_negatives(positives, frame_count, ratio, guard, WINDOW, half_rng(seed, "game", 1))
    assert neg == sorted(neg) and len(neg) <= int(len(positives) * ratio)
    assert all(0 <= f + min(WINDOW) and f + max(WINDOW) < frame_count for f in neg)
    assert all(abs(f - p) > guard for f in neg for p in positives)
    assert all(b - a >= window_span(WINDOW) for a, b in itertools.pairwise(neg))  # windows disjoint


def test_negatives_fill_the_ratio_when_there_is_room():
    neg = sample_negatives([1000, 5000], 20000, 3.0, 10, WINDOW, half_rng(42, "g", 1))
    assert len(neg) == 6


def test_negatives_are_seeded_per_game_and_half():
    a = sample_negatives([500], 3000, 3, 10, WINDOW, half_rng(42, "g", 1))
    assert a == sample_negatives([500], 3000, 3, 10, WINDOW, half_rng(42, "g", 1))
    assert a != sample_negatives([500], 3000, 3, 10, WINDOW, half_rng(42, "g", 2))
    assert a != sample_negatives([500], 3000, 3, 10, WINDOW, half_rng(43, "g", 1))


def test_no_room_no_negatives():
    assert sample_negatives([5], 11, 3.0, 10, WINDOW, half_rng(0, "g", 1)) == []
    assert sample_negatives([], 1000, 3.0, 10, WINDOW, half_rng(0, "g", 1)) == []


def test_frames_to_decode_include_the_temporal_neighbours():
    assert window_frames(100, WINDOW)[0] == 76 and window_frames(100, WINDOW)[-1] == 124
    frames = frames_to_decode([100], WINDOW, 2, 1000)
    expected = sorted({t + d for t in window_frames(100, WINDOW) for d in (-2, 0, 2)})
    assert frames == expected and 74 in frames and 126 in frames
    near_end = frames_to_decode([990], WINDOW, 2, 1000)
    assert max(near_end) == 998 and min(near_end) == 964  # nothing past the video
    assert frames_to_decode([0], (0,), 2, 10) == [0, 2]
