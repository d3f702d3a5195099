import numpy as np
import pyroomacoustics as pra
import pytest

from auralnav.acoustics import RoomSimulator, build_room, rir_settings, window_convolve
from auralnav.geometry import mic_positions
from configs.auralnav import get_params


def test_window_convolve_is_a_slice_of_the_full_convolution_of_the_looped_signal():
    rng = np.random.default_rng(0)
    x, h = rng.standard_normal(300), rng.standard_normal((2, 57))
    looped = np.tile(x, 5)
    for start in (0, 40, 299, 650):
        full = np.stack([np.convolve(looped, hm) for hm in h])  # full[n] uses looped[n - k]
        # window sample start + j of the endless loop = full[start + j] when start >= taps, shifted by one loop
        ref = full[:, 300 + start : 300 + start + 100]
        np.testing.assert_allclose(window_convolve(x, h, start, 100), ref, atol=1e-9)


def _fresh_premix(p, positions, signals, mics):
    """The whole clip simulated by pyroomacoustics in a new room (same RIR settings): (n_src, n_mics, samples)."""
    room = build_room(p)
    lift = (lambda q, z: np.r_[q, z]) if room.dim == 3 else (lambda q, z: q)
    for pos, s in zip(positions, signals, strict=True):
        room.add_source(lift(pos, p.source_height), signal=np.tile(s, 4))
    room.add_microphone_array(np.stack([lift(m, p.mic_height) for m in mics], axis=1))
    with rir_settings():
        return room.simulate(return_premix=True)


@pytest.mark.parametrize("overrides", [{}, {"room_dim": (5.0, 4.0, 3.0)},
                                       {"room_corners": ((0, 0), (5, 0), (5, 2), (3, 4), (0, 4)), "room_height": 2.5},
                                       {"room_corners": ((0, 0), (5, 0), (5, 2), (3, 4), (0, 4))}])
def test_window_equals_pyroomacoustics_simulate_of_the_whole_clip(overrides):
    """After the microphones moved and a source was switched off, too (pyroomacoustics keeps state)."""
    p = get_params("999", room_dim=overrides.get("room_dim", (5.0, 4.0)), absorption=0.4, max_order=3,
                   **{k: v for k, v in overrides.items() if k != "room_dim"})
    rng = np.random.default_rng(1)
    signals = [rng.standard_normal(3000), rng.standard_normal(2500)]
    positions = np.array([[1.0, 1.0], [1.2, 3.2]])
    sim = RoomSimulator(p, positions, signals)
    start = 5000  # late enough that every RIR tail lies inside the looped clip
    sim.images(mic_positions((1.0, 3.0), 0.0, p.mic_spacing), start)
    for i, (center, heading) in enumerate((((4.0, 1.0), 0.7), ((3.0, 1.5), 2.0))):
        if i == 1:
            sim.remove(0)
        mics = mic_positions(center, heading, p.mic_spacing)
        images = sim.images(mics, start)
        premix = _fresh_premix(p, positions[sim.active], [signals[s] for s in sim.active], mics)
        np.testing.assert_allclose(images[sim.active], premix[:, :, start : start + p.window], atol=1e-6)
        assert np.all(images[[s for s in range(2) if s not in sim.active]] == 0)


def test_removed_sources_are_silent_and_fully_absorbing_walls_need_no_images():
    p = get_params("999", absorption=1.0)
    assert build_room(p).max_order == 0
    sim = RoomSimulator(p, np.array([[1.0, 1.0], [3.0, 3.0]]), [np.ones(4000), np.ones(4000)])
    sim.remove(0)
    images = sim.images(mic_positions((2.0, 2.0), 0.0, 0.15), 100)
    assert np.all(images[0] == 0) and np.any(images[1] != 0)
    # order 10 with absorption 1 gives the same RIR as order 0
    rirs = []
    for order in (0, 10):
        room = pra.ShoeBox([4, 4], fs=8000, max_order=order, materials=pra.Material(1.0))
        room.add_source([1.0, 1.0])
        room.add_microphone_array(np.array([[2.0], [2.5]]))
        with rir_settings():
            room.compute_rir()
        rirs.append(room.rir[0][0])
    n = min(map(len, rirs))
    np.testing.assert_allclose(rirs[0][:n], rirs[1][:n], atol=1e-7)
    assert np.all(rirs[1][n:] == 0)


def test_rir_settings_are_restored():
    before = pra.constants.get("rir_hpf_enable"), pra.constants.get("num_threads")
    with rir_settings():
        assert pra.constants.get("rir_hpf_enable") is False
    assert (pra.constants.get("rir_hpf_enable"), pra.constants.get("num_threads")) == before
