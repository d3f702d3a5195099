"""The classical localisers: plane waves found where they come from, two sources both found, counting,
continuity and pooling against slow references, bad input."""

import numpy as np
import pytest

from configs.doanet import get_params
from doanet.classical import (
    ClassicalParams,
    _pool,
    assign_slots,
    direction_grid,
    localise_foa,
    localise_mic,
    pick_peaks,
    with_changes,
)
from doanet.inference import reference_tracks, score, synthetic_recording
from doanet.synth import foa_gains, mic_delays, unit_vectors

P = get_params("999")
N = 2 * P.fs  # two seconds: 20 label frames, the first five silent


def _source(rng: np.random.Generator) -> np.ndarray:
    s = rng.standard_normal(N)
    s[:N // 4] = 0.0
    return s


def _plane_wave_mic(s: np.ndarray, az: float, el: float) -> np.ndarray:
    """(n, 4): exact (frequency-domain) capsule delays of a far-field source."""
    tau = mic_delays(np.array(az), np.array(el))
    f = np.fft.rfftfreq(2 * N, 1 / P.fs)
    spec = np.fft.rfft(s, 2 * N)[:, None] * np.exp(-2j * np.pi * f[:, None] * tau[None])
    return np.fft.irfft(spec, 2 * N, axis=0)[:N]


def _plane_wave_foa(s: np.ndarray, az: float, el: float) -> np.ndarray:
    return s[:, None] * foa_gains(np.array(az), np.array(el))[None]


def _errors_deg(xyz: np.ndarray, az: float, el: float) -> np.ndarray:
    return np.rad2deg(np.arccos(np.clip(xyz @ unit_vectors(np.array(az), np.array(el)), -1, 1)))


@pytest.mark.parametrize("az, el", [(30.0, 10.0), (-120.0, -30.0), (170.0, 40.0)])
def test_foa_plane_wave_found_within_2_deg(az, el):
    rng = np.random.default_rng(1)
    audio = _plane_wave_foa(_source(rng), az, el) + 0.01 * rng.standard_normal((N, 4))
    tracks = localise_foa(audio.astype(np.float32), P)
    assert tracks.xyz.shape == (20, P.max_doas, 3)
    on = tracks.active.any(1)
    assert not on[:4].any() and on[6:].all()  # silence is silence; the source is found on its own count
    assert (tracks.active.sum(1) <= 1).all()  # one source: one track
    slot = tracks.active[6:].argmax(1)
    assert _errors_deg(tracks.xyz[6:][np.arange(14), slot], az, el).max() < 2.0


@pytest.mark.parametrize("az, el", [(30.0, 10.0), (-120.0, -30.0)])
def test_mic_plane_wave_found_within_2_deg(az, el):
    rng = np.random.default_rng(2)
    audio = _plane_wave_mic(_source(rng), az, el) + 0.01 * rng.standard_normal((N, 4))
    tracks = localise_mic(audio.astype(np.float32), P, oracle_count=np.r_[np.zeros(5), np.ones(15)])
    assert not tracks.active[:5].any() and tracks.active[5:].sum(1).tolist() == [1] * 15
    slot = tracks.active[6:].argmax(1)
    assert _errors_deg(tracks.xyz[6:][np.arange(14), slot], az, el).max() < 2.0


def _comb(s: np.ndarray, odd: bool) -> np.ndarray:
    """Keep alternate 250 Hz bands: two such sources are disjoint in frequency, as speech and most sounds
    nearly are in time-frequency (what intensity-vector methods rely on)."""
    spec = np.fft.rfft(s)
    f = np.fft.rfftfreq(len(s), 1 / P.fs)
    spec[((f // 250).astype(int) % 2 == 1) != odd] = 0
    return np.fft.irfft(spec, len(s))


@pytest.mark.parametrize("fmt", ["foa", "mic"])
def test_two_sources_90_deg_apart_both_found(fmt):
    rng = np.random.default_rng(3)
    directions = [(0.0, 0.0), (90.0, 20.0)]
    if fmt == "foa":
        audio = sum(_plane_wave_foa(_comb(_source(rng), odd), *d) for odd, d in zip((False, True), directions, strict=True))
        tracks = localise_foa(audio.astype(np.float32), P)
    else:
        audio = sum(_plane_wave_mic(_source(rng), *d) for d in directions)
        tracks = localise_mic(audio.astype(np.float32), P)
    frames = slice(7, 19)
    assert tracks.active[frames].all()  # both counted, with no oracle
    for az, el in directions:  # each source has a slot pointing at it in every frame
        assert _errors_deg(tracks.xyz[frames], az, el).min(1).max() < 3.0


def test_fresh_synthetic_recording_scored_like_a_model(tmp_path):
    """The real path: a rendered reverberant ov1 recording, read and scored as DOAnet's tracks are."""
    from doanet.features import read_audio

    paths = synthetic_recording(P, tmp_path, seed=5, overlap=1, length_s=12.0)
    tracks = localise_foa(read_audio(paths["foa"], P), P)
    ref_xyz, ref_active = reference_tracks(paths["csv"], len(tracks.xyz), P.max_doas)
    result = score(tracks, ref_xyz, ref_active)
    assert result["original"]["LE"] < 20.0  # a reverberant room, yet the direct path dominates
    assert result["clear_mot"]["recall"] > 0.5


@pytest.mark.parametrize("n_samples", [0, 1, P.hop_len * 5])
def test_silence_and_tiny_inputs_give_no_tracks(n_samples):
    tracks = localise_foa(np.zeros((n_samples, 4), np.float32), P)
    assert tracks.xyz.shape == (-(-n_samples // (P.hop_len * 5)), P.max_doas, 3)
    assert not tracks.active.any()
    assert np.allclose(np.linalg.norm(tracks.xyz, axis=-1), 1.0)


def test_oracle_count_is_obeyed_and_checked():
    rng = np.random.default_rng(4)
    audio = _plane_wave_foa(_source(rng), 10.0, 0.0).astype(np.float32)
    count = np.tile([0, 1], 10)
    tracks = localise_foa(audio, P, oracle_count=count)
    assert tracks.active.sum(1).tolist() == count.tolist()
    with pytest.raises(ValueError, match="oracle_count has 3 frames, the recording 20"):
        localise_foa(audio, P, oracle_count=np.ones(3))


def test_pick_peaks_keeps_its_separation():
    az, el = direction_grid(4.0, (-50.0, 50.0))
    grid = unit_vectors(az, el)
    spatial_map = np.random.default_rng(0).random(len(grid))
    idx, values = pick_peaks(spatial_map, grid, 5, 30.0)
    assert len(idx) == 5 and values[0] == spatial_map.max() and np.all(np.diff(values) <= 0)
    cos = grid[idx] @ grid[idx].T
    assert (cos[~np.eye(5, dtype=bool)] <= np.cos(np.deg2rad(30.0)) + 1e-12).all()


def test_grid_is_about_uniform():
    az, el = direction_grid(4.0, (-50.0, 50.0))
    grid = unit_vectors(az, el)
    nearest = np.sort(np.rad2deg(np.arccos(np.clip(grid @ grid.T, -1, 1))), axis=1)[:, 1]
    assert 2.5 < nearest.min() and nearest.max() < 5.0


@pytest.mark.parametrize("context", [0, 1, 3])
def test_pool_against_a_loop(context):
    maps = np.random.default_rng(0).random((9, 4))
    slow = np.stack([maps[max(0, f - context):f + context + 1].sum(0) for f in range(9)])
    assert np.allclose(_pool(maps, context), slow)


def test_assign_slots_follows_a_moving_source_and_opens_a_new_slot():
    az = np.linspace(0.0, 60.0, 12)  # 5 deg per frame: nearest neighbour keeps the slot
    first = unit_vectors(az, np.zeros(12))
    second = unit_vectors(np.array(-150.0), np.array(0.0))
    doas = [first[f:f + 1] if f < 4 else np.stack([second, first[f]]) for f in range(12)]  # listed in other order
    xyz, active = assign_slots(doas, 2)
    assert np.allclose(xyz[:, 0], first) and active[:, 0].all()
    assert not active[:4, 1].any() and active[4:, 1].all() and np.allclose(xyz[4:, 1], second)


@pytest.mark.parametrize("n", [0, 1, 2])
def test_assign_slots_empty_one_many(n):
    doas = [unit_vectors(np.array([0.0, 90.0][:n]), np.zeros(n))] * 3
    xyz, active = assign_slots(doas, 2)
    assert xyz.shape == (3, 2, 3) and active.sum(1).tolist() == [n] * 3


def test_bad_input_and_parameters():
    with pytest.raises(ValueError, match=r"FOA audio must be \(samples, 4\), got shape \(10, 3\)"):
        localise_foa(np.zeros((10, 3), np.float32), P)
    with pytest.raises(ValueError, match="unknown classical localiser parameter"):
        with_changes(ClassicalParams(), diffusness_max=0.3)
    with pytest.raises(ValueError, match="diffuseness_max"):
        ClassicalParams(diffuseness_max=0.0)
