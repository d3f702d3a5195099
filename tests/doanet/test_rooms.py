"""The synthetic rooms: image sources against pyroomacoustics, reflections from the mirror direction at the
mirror delay, the FOA / MIC plane-wave encoding of each image, the drawn RT60 and DRR."""

import numpy as np
import pytest

from configs.doanet import get_params
from doanet.rooms import (
    SPEED_OF_SOUND,
    Room,
    distance_to_walls,
    draw_room,
    early_reflections,
    image_arrivals,
    image_sources,
    sabine_absorption,
    source_positions,
)
from doanet.synth import draw_file_room, foa_gains, mic_delays, render_reflections, unit_vectors

FS = 24000


def _room(dims=(6.0, 5.0, 3.0), array=(2.5, 2.0, 1.5), rt60=0.4, drr_db=5.0) -> Room:
    dims = np.array(dims)
    return Room(dims, np.array(array), rt60, drr_db, sabine_absorption(dims, rt60))


@pytest.mark.parametrize("order", [0, 1, 2, 3])
@pytest.mark.parametrize("dims,source", [((5.0, 4.0, 3.0), (1.0, 1.5, 1.2)), ((9.3, 6.1, 3.7), (7.2, 0.4, 2.9))])
def test_image_sources_equal_pyroomacoustics(order, dims, source):
    import pyroomacoustics as pra

    dims, source = np.array(dims), np.array(source)
    pos, orders, damping = image_sources(dims, source, order, absorption=0.35)
    room = pra.ShoeBox(dims, fs=FS, materials=pra.Material(0.35), max_order=order)
    room.add_source(source)
    room.add_microphone(dims / 2)
    room.image_source_model()
    ref = room.sources[0]
    ours = {tuple(np.round(p, 3)): (o, d) for p, o, d in zip(pos, orders, damping, strict=True)}
    theirs = {tuple(np.round(p.astype(float), 3)): (o, d)
              for p, o, d in zip(ref.images.T, ref.orders, ref.damping[0], strict=True)}
    assert len(ours) == len(pos) == ref.images.shape[1]
    assert ours.keys() == theirs.keys()
    for key, (o, d) in ours.items():
        assert o == theirs[key][0]
        assert d == pytest.approx(theirs[key][1], rel=1e-5)


def test_a_floor_reflection_comes_from_the_mirror_direction_at_the_mirror_delay():
    room = _room()
    source = np.array([4.0, 3.0, 1.0])
    directions, delays, amps = image_arrivals(room, source, max_order=1)
    mirror = source * np.array([1, 1, -1])  # across the floor z = 0
    offset = mirror - room.array
    expected_dir = offset / np.linalg.norm(offset)
    expected_delay = (np.linalg.norm(offset) - np.linalg.norm(source - room.array)) / SPEED_OF_SOUND
    i = int(np.argmin(np.linalg.norm(directions - expected_dir, axis=1)))
    np.testing.assert_allclose(directions[i], expected_dir, atol=1e-12)
    assert delays[i] == pytest.approx(expected_delay, rel=1e-12)
    beta = np.sqrt(1 - room.absorption)
    assert amps[i] == pytest.approx(beta * np.linalg.norm(source - room.array) / np.linalg.norm(offset))
    assert len(delays) == 6 and np.all(delays > 0)


def _isolated(delays_s: np.ndarray, min_gap_samples: float = 20) -> np.ndarray:
    d = np.sort(delays_s * FS)
    gaps = np.diff(np.concatenate([[-np.inf], d, [np.inf]]))
    keep = (gaps[:-1] > min_gap_samples) & (gaps[1:] > min_gap_samples)
    return np.sort(delays_s)[keep]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_each_isolated_image_is_a_plane_wave_in_foa_and_mic(seed):
    rng = np.random.default_rng(seed)
    room = draw_room(rng, (0.3, 0.5), (3, 6), (4.0, 10.0), (2.5, 4.0))
    source = source_positions(room, unit_vectors(np.array([rng.uniform(-180, 180)]), np.array([10.0])), 2.0)[0]
    foa, mic = early_reflections(room, source, 2, FS, foa_gains, mic_delays)
    directions, delays, amps = image_arrivals(room, source, 2)
    checked = 0
    for delay in _isolated(delays):
        i = int(np.argmin(np.abs(delays - delay)))
        az = np.rad2deg(np.arctan2(directions[i, 1], directions[i, 0]))
        el = np.rad2deg(np.arcsin(directions[i, 2]))
        # FOA: around the tap every channel is the W kernel times the plane-wave gain (1, sin az cos el, sin el, cos az cos el)
        n = round(delay * FS)
        window = slice(n - 4, n + 5)
        w = foa[window, 0]
        gains = np.array([1.0, np.sin(np.deg2rad(az)) * np.cos(np.deg2rad(el)), np.sin(np.deg2rad(el)),
                          np.cos(np.deg2rad(az)) * np.cos(np.deg2rad(el))])
        np.testing.assert_allclose(foa[window], w[:, None] * gains[None, :], atol=1e-9 * np.abs(w).max() + 1e-12)
        # the windowed-sinc kernel (half-width 8) sums to one whatever its fractional delay: the tap's area is its amplitude
        assert foa[n - 9:n + 10, 0].sum() == pytest.approx(amps[i], rel=0.02)
        # MIC: each capsule's peak at the image delay plus its plane-wave delay (sub-sample, parabolic peak)
        for m in range(4):
            expected = (delay + mic_delays(az, el)[m]) * FS
            k = round(expected)
            seg = mic[k - 1:k + 2, m]
            peak = k + 0.5 * (seg[0] - seg[2]) / (seg[0] - 2 * seg[1] + seg[2])
            assert peak == pytest.approx(expected, abs=0.15)
        checked += 1
    assert checked >= 3


def _schroeder_rt60(h: np.ndarray, fs: int, top_db: float, bottom_db: float) -> float:
    """Reverberation time from the backward-integrated energy decay, fitted between top_db and bottom_db."""
    edc = np.cumsum(h[::-1] ** 2)[::-1]
    edc_db = 10 * np.log10(edc / edc[0] + 1e-300)
    t = np.arange(len(h)) / fs
    sel = (edc_db <= top_db) & (edc_db >= bottom_db)
    slope = np.polyfit(t[sel], edc_db[sel], 1)[0]
    return -60.0 / slope


@pytest.mark.parametrize("room_seed", [3, 11, 27, 40])
def test_rendered_impulse_response_has_the_drawn_rt60_and_drr(room_seed):
    params = get_params("30")
    room, tail = draw_file_room(params, room_seed)
    assert params.synth_rt60_s[0] <= room.rt60 <= params.synth_rt60_s[1]
    impulse = np.zeros(FS // 100)
    impulse[0] = 1.0
    direction = unit_vectors(np.array([30.0]), np.array([0.0]))[0]
    az = np.full(len(impulse), 30.0)
    wet = render_reflections(impulse, room, az, np.zeros_like(az), 2.0, params, tail)
    h = wet["foa"][:, 0].copy()
    reverberant = float(np.sum(h ** 2))
    # early and late parts overlap, so their energies add up only in expectation (cross terms of a few %)
    assert 10 * np.log10(1.0 / reverberant) == pytest.approx(room.drr_db, abs=0.3)
    h[0] += 1.0  # the direct sound
    # the late decay (T30 fitted from -15 to -45 dB) is the room's RT60 and lies in the drawn range
    late = _schroeder_rt60(h, FS, -15, -45)
    assert late == pytest.approx(room.rt60, rel=0.1)
    assert params.synth_rt60_s[0] * 0.9 <= late <= params.synth_rt60_s[1] * 1.1
    # the early decay is faster (direct sound and early reflections first), as in real rooms
    early = _schroeder_rt60(h, FS, -5, -25)
    assert early < late
    assert distance_to_walls(room, direction[None])[0] > 0


def test_sources_stay_inside_the_room():
    room = _room(dims=(4.0, 4.0, 2.5), array=(1.0, 1.0, 1.5))
    rng = np.random.default_rng(0)
    az, el = rng.uniform(-180, 180, 500), rng.uniform(-45, 45, 500)
    pos = source_positions(room, unit_vectors(az, el), 3.0)
    assert np.all(pos > 0) and np.all(pos < room.dims)
    assert np.all(np.linalg.norm(pos - room.array, axis=1) <= 3.0 + 1e-9)


def test_a_moving_source_gets_its_reflections_from_where_it_is():
    """Crossfaded image sets: a burst at the end of a moving event reflects as the end position's images do."""
    params = get_params("30")
    room = _room()
    n = FS
    sig = np.zeros(n)
    click = n - 2400  # 100 ms before the end, at an image set's centre (label hop 0.1 s), the source near +72 deg
    sig[click] = 1.0
    az = np.linspace(-90.0, 90.0, n)
    no_tail = (np.zeros((1, 4)), np.zeros((1, 4)))
    moving = render_reflections(sig, room, az, np.zeros(n), 2.0, params, no_tail)["foa"]
    end = render_reflections(sig, room, np.full(n, az[click]), np.zeros(n), 2.0, params, no_tail)["foa"]
    start = render_reflections(sig, room, np.full(n, -90.0), np.zeros(n), 2.0, params, no_tail)["foa"]
    m = min(len(moving), len(end), len(start))  # the image sets' lengths differ with the positions
    moving, end, start = moving[:m], end[:m], start[:m]
    # one reflection scale per event (its first position's), so compare shapes: cosine similarity of the responses
    def similarity(a, b):
        return float(np.sum(a * b) / np.sqrt(np.sum(a * a) * np.sum(b * b)))

    assert similarity(moving, end) > 0.99
    assert similarity(moving, start) < 0.5