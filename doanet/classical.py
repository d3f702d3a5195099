"""Classical localisers, scored like DOAnet: the baselines a learned localiser has to beat.

    tracks = localise_foa(read_audio(wav, params), params)            # pseudo-intensity vectors
    tracks = localise_mic(read_audio(mic_wav, params), params)        # NormMUSIC (pyroomacoustics)
    score(tracks, *reference_tracks(csv, len(tracks.xyz), params.max_doas))   # as for the models

Both work per label frame (0.1 s, 5 STFT frames of doanet.features.stft) in four steps:

1. **A spatial map** on a grid of directions. FOA: per time-frequency bin the pseudo-intensity vector
   I = Re(conj(W) [X, Y, Z]) (ACN channels W, Y, Z, X), averaged over the label frame's STFT frames; bins
   whose diffuseness 1 - |<I>| / <E> exceeds ``diffuseness_max`` are dropped (reverberation and overlap
   make them point nowhere), and the rest vote for their direction with weight |<I>| through a von
   Mises-Fisher kernel of ``kernel_deg``. MIC: the NormMUSIC pseudo-spectrum of pyroomacoustics over the
   tetrahedral array's capsule positions (a 2-dimensional noise subspace, frequencies normalised).
   Both pool the maps of ``context_frames`` label frames either side (more snapshots, steadier peaks).
2. **Activity**: a frame is active when its band energy is ``activity_db`` above the recording's noise
   floor (the ``floor_percentile``-th percentile of its frame energies).
3. **Count and directions**: peaks by greedy non-maximum suppression (``min_separation_deg``); an active
   frame has one source, two when the second peak reaches ``second_peak_ratio`` of the first. Given
   ``oracle_count`` (L,) the reference counts replace steps 2 and 3's decision (an upper bound on what
   counting costs).
4. **Continuity**: nearest-neighbour slot assignment, the permutation of slots that minimises the summed
   angle to each slot's last direction (a slot never used costs 90 deg), so a source keeps its slot while
   it moves. Nothing more: no motion model, no track birth or death logic.

The defaults below are starting points; the thresholds the evaluation uses were chosen on validation
recordings (``scripts/evaluate_doanet_localisers.py --tune``) and are shipped in
data/pretrained/doanet_classical.json. Nothing is fitted on test recordings.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass

import numpy as np

from configs.doanet import DOAnetParams
from doanet.inference import Tracks
from doanet.synth import MAX_ELEVATION, mic_positions, unit_vectors


@dataclass(frozen=True)
class ClassicalParams:
    """What the classical localisers choose; each field a knob with a physical meaning."""

    freq_range_hz: tuple[float, float] = (200.0, 8000.0)
    """FOA band; the MIC format uses ``mic_freq_range_hz`` (the 4.2 cm tetrahedron aliases above ~2.5 kHz)."""
    mic_freq_range_hz: tuple[float, float] = (300.0, 3000.0)
    grid_step_deg: float = 4.0
    elevation_range_deg: tuple[float, float] = (-MAX_ELEVATION - 5.0, MAX_ELEVATION + 5.0)
    """The searched elevations: the data set's range and a margin (a prior the models learn too)."""
    diffuseness_max: float = 0.5
    kernel_deg: float = 8.0
    context_frames: int = 1
    activity_db: float = 6.0
    floor_percentile: float = 5.0
    min_separation_deg: float = 30.0
    second_peak_ratio: float = 0.5

    def __post_init__(self):
        lo, hi = self.freq_range_hz
        if not 0 <= lo < hi:
            raise ValueError(f"freq_range_hz must be (low, high) with 0 <= low < high, got {self.freq_range_hz}")
        if not 0 < self.diffuseness_max <= 1:
            raise ValueError(f"diffuseness_max must be in (0, 1], got {self.diffuseness_max}")
        if self.context_frames < 0:
            raise ValueError(f"context_frames must be >= 0, got {self.context_frames}")
        if not 0 < self.second_peak_ratio <= 1:
            raise ValueError(f"second_peak_ratio must be in (0, 1], got {self.second_peak_ratio}")


DEFAULTS = ClassicalParams()


# --- grids and peaks ----------------------------------------------------------------------------------------
def direction_grid(step_deg: float, elevation_range_deg: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """An azimuth-elevation grid, azimuths thinned by cos(elevation) so points are about ``step_deg``
    apart everywhere: (azimuth, elevation) in degrees, each (G,)."""
    az, el = [], []
    for e in np.arange(elevation_range_deg[0], elevation_range_deg[1] + 1e-9, step_deg):
        n = max(1, round(360.0 * np.cos(np.deg2rad(e)) / step_deg))
        az.append(np.arange(n) * 360.0 / n - 180.0)
        el.append(np.full(n, e))
    return np.concatenate(az), np.concatenate(el)


def pick_peaks(spatial_map: np.ndarray, grid_xyz: np.ndarray, max_peaks: int, min_separation_deg: float
               ) -> tuple[np.ndarray, np.ndarray]:
    """Greedy non-maximum suppression on one map (G,) over grid unit vectors (G, 3): the ``max_peaks``
    highest points at least ``min_separation_deg`` apart, as (indices (P,), values (P,)), best first."""
    values = spatial_map.astype(np.float64).copy()
    cos_min = np.cos(np.deg2rad(min_separation_deg))
    idx = []
    for _ in range(max_peaks):
        i = int(np.argmax(values))
        if not np.isfinite(values[i]) or values[i] == -np.inf:
            break
        idx.append(i)
        values[grid_xyz @ grid_xyz[i] > cos_min] = -np.inf
    idx = np.array(idx, int)
    return idx, spatial_map[idx]


def _pool(maps: np.ndarray, context: int) -> np.ndarray:
    """Sum of each frame's map and those of ``context`` frames either side: (L, G) -> (L, G)."""
    if context == 0:
        return maps
    c = np.cumsum(np.pad(maps, ((context + 1, context), (0, 0))), axis=0)
    return c[2 * context + 1:] - c[:-2 * context - 1]


def _label_frames(spec: np.ndarray, params: DOAnetParams, n_label: int) -> np.ndarray:
    """(C, T, K) STFT -> (C, L, R, K): ``R`` STFT frames per label frame, zero-padded at the end."""
    res = params.feature_label_resolution
    c, t, k = spec.shape
    padded = np.zeros((c, n_label * res, k), spec.dtype)
    padded[:, :min(t, n_label * res)] = spec[:, :n_label * res]
    return padded.reshape(c, n_label, res, k)


def _stft(audio: np.ndarray, params: DOAnetParams) -> np.ndarray:
    """(n, 4) audio -> (4, T, K) complex, the STFT the features use."""
    import torch

    from doanet.features import stft

    return stft(torch.from_numpy(np.ascontiguousarray(audio.T, np.float32)), params).numpy()


def _band(params: DOAnetParams, freq_range_hz: tuple[float, float]) -> np.ndarray:
    freqs = np.fft.rfftfreq(params.nfft, 1.0 / params.fs)
    return np.flatnonzero((freqs >= freq_range_hz[0]) & (freqs <= freq_range_hz[1]))


# --- the spatial maps -----------------------------------------------------------------------------------------
def foa_maps(audio: np.ndarray, params: DOAnetParams, cp: ClassicalParams = DEFAULTS
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """FOA audio (n, 4) ACN/SN3D -> (spatial maps (L, G), band energy in dB (L,), grid unit vectors (G, 3)).

    ``L`` = ceil(n / samples per label frame); each map is the intensity-vector vote of one label frame."""
    n_label = -(-len(audio) // (params.hop_len * params.feature_label_resolution))
    spec = _stft(audio, params)[:, :, _band(params, cp.freq_range_hz)]
    frames = _label_frames(spec, params, n_label)  # (4, L, R, K)
    w, y, z, x = frames
    intensity = np.stack([np.real(np.conj(w) * c) for c in (x, y, z)], axis=-1).mean(axis=1)  # (L, K, 3)
    sq = np.abs(frames) ** 2
    energy = 0.5 * (sq[0] + sq[1:].sum(0)).mean(axis=1)  # (L, K); |<I>| = <E> for one plane wave (SN3D)
    norm = np.linalg.norm(intensity, axis=-1)
    diffuseness = 1.0 - norm / np.maximum(energy, 1e-20)
    weight = np.where(diffuseness <= cp.diffuseness_max, norm, 0.0)  # (L, K)
    directions = intensity / np.maximum(norm, 1e-20)[..., None]
    az, el = direction_grid(cp.grid_step_deg, cp.elevation_range_deg)
    grid = unit_vectors(az, el)  # (G, 3)
    kappa = 1.0 / (1.0 - np.cos(np.deg2rad(cp.kernel_deg)))  # the kernel falls to 1/e at kernel_deg
    maps = np.empty((n_label, len(grid)), np.float64)
    for f in range(n_label):  # (K, G) per frame keeps memory at a few MB
        keep = weight[f] > 0
        maps[f] = weight[f, keep] @ np.exp(kappa * (directions[f, keep] @ grid.T - 1.0))
    band_db = 10 * np.log10(np.maximum(sq[0].mean(axis=(1, 2)), 1e-20))
    return _pool(maps, cp.context_frames), band_db, grid


def mic_maps(audio: np.ndarray, params: DOAnetParams, cp: ClassicalParams = DEFAULTS
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MIC audio (n, 4) of the tetrahedral array -> (NormMUSIC maps (L, G), band energy dB (L,), grid (G, 3))."""
    import pyroomacoustics as pra

    n_label = -(-len(audio) // (params.hop_len * params.feature_label_resolution))
    spec = _stft(audio, params)
    frames = _label_frames(spec, params, n_label)  # (4, L, R, K)
    # pyroomacoustics builds the product of the azimuths and colatitudes it is given: a regular grid
    doa = pra.doa.algorithms["NormMUSIC"](
        mic_positions().T, params.fs, params.nfft, c=343.0, num_src=2, dim=3,
        azimuth=np.deg2rad(np.arange(-180.0, 180.0, cp.grid_step_deg)),
        colatitude=np.deg2rad(90.0 - np.arange(cp.elevation_range_deg[0], cp.elevation_range_deg[1] + 1e-9,
                                               cp.grid_step_deg)))
    grid = np.stack([doa.grid.x, doa.grid.y, doa.grid.z], axis=-1)
    # its steering vectors once, not on every call (pyroomacoustics recomputes them per frame otherwise)
    doa.mode_vec = np.asarray(doa.mode_vec[:, :, :])
    maps = np.zeros((n_label, len(grid)))
    c = cp.context_frames
    for f in range(n_label):
        snapshots = frames[:, max(0, f - c):f + c + 1].reshape(4, -1, frames.shape[-1])  # (4, snapshots, K)
        if not np.any(snapshots):
            continue
        doa.locate_sources(snapshots.transpose(0, 2, 1), num_src=2, freq_range=list(cp.mic_freq_range_hz))
        maps[f] = doa.grid.values
    band = _band(params, cp.mic_freq_range_hz)
    band_db = 10 * np.log10(np.maximum((np.abs(frames[..., band]) ** 2).mean(axis=(0, 2, 3)), 1e-20))
    return maps, band_db, grid


# --- counting, peaks, continuity -------------------------------------------------------------------------------
def frame_activity(band_db: np.ndarray, cp: ClassicalParams) -> np.ndarray:
    """(L,) bool: the frames ``activity_db`` above the recording's noise floor."""
    if band_db.size == 0:
        return np.zeros(0, bool)
    return band_db > np.percentile(band_db, cp.floor_percentile) + cp.activity_db


def frame_doas(maps: np.ndarray, grid: np.ndarray, active: np.ndarray, cp: ClassicalParams, max_doas: int,
               oracle_count: np.ndarray | None = None) -> list[np.ndarray]:
    """Per frame, the (n, 3) directions it reports: n from ``active`` and the second-peak ratio, or
    from ``oracle_count`` (L,) when given."""
    out = []
    for f in range(len(maps)):
        idx, values = pick_peaks(maps[f], grid, max_doas, cp.min_separation_deg)
        if oracle_count is not None:
            n = int(min(oracle_count[f], len(idx)))
        elif not active[f] or len(idx) == 0 or values[0] <= 0:
            n = 0
        else:
            n = 1 + int(np.sum(values[1:] >= cp.second_peak_ratio * values[0]))
        out.append(refine_peaks(maps[f], grid, idx[:n], cp.grid_step_deg))
    return out


def refine_peaks(spatial_map: np.ndarray, grid: np.ndarray, idx: np.ndarray, step_deg: float) -> np.ndarray:
    """Below the grid's resolution: each peak moved to the map-weighted mean direction of the grid points
    within 1.5 steps of it (its neighbours), values taken above the neighbourhood's minimum. (P,) -> (P, 3)."""
    cos_r = np.cos(np.deg2rad(1.5 * step_deg))
    out = np.empty((len(idx), 3))
    for j, i in enumerate(idx):
        near = grid @ grid[i] >= cos_r
        w = spatial_map[near] - spatial_map[near].min()
        v = w @ grid[near] if w.sum() > 0 else grid[i]
        out[j] = v / np.linalg.norm(v)
    return out


def assign_slots(doas: list[np.ndarray], max_doas: int) -> tuple[np.ndarray, np.ndarray]:
    """Nearest-neighbour continuity: per frame's (n, 3) directions -> xyz (L, S, 3), active (L, S).

    Each frame takes the injective assignment of its directions to slots with the least summed angle to
    the slots' last directions (a slot never used costs 90 deg); an inactive slot repeats its last direction."""
    n_frames = len(doas)
    xyz = np.zeros((n_frames, max_doas, 3))
    xyz[..., 0] = 1.0
    active = np.zeros((n_frames, max_doas), bool)
    last = np.zeros((max_doas, 3))
    used = np.zeros(max_doas, bool)
    for f, d in enumerate(doas):
        best, best_cost = (), np.inf
        for slots in itertools.permutations(range(max_doas), len(d)):
            cost = sum(np.arccos(np.clip(last[s] @ v, -1, 1)) if used[s] else np.pi / 2 for s, v in zip(slots, d, strict=True))
            if cost < best_cost:
                best, best_cost = slots, cost
        for s, v in zip(best, d, strict=True):
            last[s], used[s] = v, True
            active[f, s] = True
        xyz[f] = np.where(used[:, None], last, xyz[f])
    return xyz, active


def localise(maps: np.ndarray, band_db: np.ndarray, grid: np.ndarray, params: DOAnetParams,
             cp: ClassicalParams, oracle_count: np.ndarray | None = None) -> Tracks:
    """Spatial maps (L, G) and band energies (L,) -> Tracks (activity, count, peaks, continuity)."""
    if oracle_count is not None and len(oracle_count) != len(maps):
        raise ValueError(f"oracle_count has {len(oracle_count)} frames, the recording {len(maps)}")
    doas = frame_doas(maps, grid, frame_activity(band_db, cp), cp, params.max_doas, oracle_count)
    xyz, active = assign_slots(doas, params.max_doas)
    return Tracks(xyz, active, None, params.label_hop_len_s)


def _check_audio(audio: np.ndarray, fmt: str, params: DOAnetParams) -> bool:
    """ValueError unless (samples, 4); False for an empty recording (no frames, nothing to compute)."""
    if audio.ndim != 2 or audio.shape[1] != 4:
        raise ValueError(f"{fmt} audio must be (samples, 4), got shape {audio.shape}")
    return len(audio) > 0


def localise_foa(audio: np.ndarray, params: DOAnetParams, cp: ClassicalParams = DEFAULTS,
                 oracle_count: np.ndarray | None = None) -> Tracks:
    """FOA audio (n, 4) -> Tracks over ceil(n / label hop) frames, by pseudo-intensity vectors."""
    if _check_audio(audio, "FOA", params):
        return localise(*foa_maps(audio, params, cp), params, cp, oracle_count)
    return localise(np.zeros((0, 1)), np.zeros(0), np.ones((1, 3)), params, cp, oracle_count)


def localise_mic(audio: np.ndarray, params: DOAnetParams, cp: ClassicalParams = DEFAULTS,
                 oracle_count: np.ndarray | None = None) -> Tracks:
    """MIC audio (n, 4) -> Tracks, by NormMUSIC on the tetrahedral array."""
    if _check_audio(audio, "MIC", params):
        return localise(*mic_maps(audio, params, cp), params, cp, oracle_count)
    return localise(np.zeros((0, 1)), np.zeros(0), np.ones((1, 3)), params, cp, oracle_count)


def with_changes(cp: ClassicalParams, **changes) -> ClassicalParams:
    """A copy with ``changes``; an unknown name is a ValueError that lists the known ones."""
    known = {f.name for f in dataclasses.fields(ClassicalParams)}
    unknown = set(changes) - known
    if unknown:
        raise ValueError(f"unknown classical localiser parameter(s) {sorted(unknown)}; known: {sorted(known)}")
    return dataclasses.replace(cp, **changes)
