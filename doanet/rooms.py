"""Shoebox rooms for the synthetic TAU-NIGENS set: image sources and the early reflections they send.

A room is drawn once per (seed, fold, room): its sides, the array's place in it, RT60 and DRR. A source
at a direction (az, el) from the array sits at a distance along that ray, inside the room. Its early
reflections come from the image-source model of Allen and Berkley (1979) up to ``order`` reflections:
every image is a copy of the source mirrored across the walls, heard from its own direction, later by
its extra path and weaker by 1/distance and by the walls' reflection coefficient sqrt(1 - alpha) per
bounce. Uniform walls, with the energy absorption alpha from Sabine's formula for the room's RT60.

Each image is a plane wave at the array (the array is 4.2 cm across, images are metres away), encoded
into FOA (ACN/SN3D gains of its direction) and into the MIC format (its delay to each capsule), with a
windowed-sinc fractional delay. Times are relative to the direct sound, which ``doanet.synth`` renders
itself at delay 0 with unit gain, so a room impulse response is: direct + these reflections + the
diffuse late tail.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SPEED_OF_SOUND = 343.0
WALL_MARGIN_M = 0.3  # the nearest a source comes to a wall
SINC_HALF_WIDTH = 8  # taps each side of a fractional delay


@dataclass(frozen=True)
class Room:
    """A shoebox ``dims`` (3,) metres with the array at ``array`` (3,); walls of energy absorption
    ``absorption``; the drawn ``rt60`` (s) and ``drr_db`` the renderer keeps."""

    dims: np.ndarray
    array: np.ndarray
    rt60: float
    drr_db: float
    absorption: float

    @property
    def mean_free_path_s(self) -> float:
        """4 V / (S c): the mean time between reflections, where the late tail takes over."""
        lx, ly, lz = self.dims
        return 4 * lx * ly * lz / (2 * (lx * ly + lx * lz + ly * lz)) / SPEED_OF_SOUND


def sabine_absorption(dims: np.ndarray, rt60: float) -> float:
    """The uniform energy absorption that gives ``rt60`` by Sabine's formula RT60 = 0.161 V / (S alpha),
    capped at 1 (a room too large for so short an RT60 is as dead as walls allow)."""
    lx, ly, lz = dims
    volume, surface = lx * ly * lz, 2 * (lx * ly + lx * lz + ly * lz)
    return float(min(1.0, 0.161 * volume / (surface * rt60)))


def draw_room(rng: np.random.Generator, rt60_range: tuple[float, float], drr_range: tuple[float, float],
              side_range: tuple[float, float], height_range: tuple[float, float]) -> Room:
    """A random shoebox with the array at least 1 m from every side wall, at 1.2-1.8 m height."""
    dims = np.array([rng.uniform(*side_range), rng.uniform(*side_range), rng.uniform(*height_range)])
    array = np.array([rng.uniform(1.0, dims[0] - 1.0), rng.uniform(1.0, dims[1] - 1.0),
                      rng.uniform(1.2, min(1.8, dims[2] - 0.5))])
    rt60 = float(rng.uniform(*rt60_range))
    return Room(dims, array, rt60, float(rng.uniform(*drr_range)), sabine_absorption(dims, rt60))


def distance_to_walls(room: Room, directions: np.ndarray) -> np.ndarray:
    """(N,) distance from the array along unit ``directions`` (N, 3) to the first wall."""
    d = np.asarray(directions, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        to_far = np.where(d > 0, (room.dims - room.array) / d, np.inf)
        to_near = np.where(d < 0, -room.array / d, np.inf)
    return np.minimum(to_far, to_near).min(axis=-1)


def source_positions(room: Room, directions: np.ndarray, distance: float) -> np.ndarray:
    """(N, 3) positions at ``distance`` from the array along ``directions`` (N, 3), pulled in to stay
    ``WALL_MARGIN_M`` inside the walls (and never nearer than 0.5 m)."""
    reach = np.maximum(distance_to_walls(room, directions) - WALL_MARGIN_M, 0.5)
    return room.array + np.minimum(distance, reach)[:, None] * directions


def image_sources(dims: np.ndarray, source: np.ndarray, max_order: int, absorption: float,
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Images of ``source`` in the shoebox [0, dims] up to ``max_order`` reflections, the direct source
    included: positions (N, 3), reflection orders (N,), pressure damping sqrt(1 - absorption) ** order (N,).

    Per axis of length L, the image (1 - 2q) s + 2 m L (q in {0, 1}, m an integer) has met the wall at 0
    |m - q| times and the wall at L |m| times (Allen and Berkley 1979)."""
    m = np.arange(-max_order, max_order + 1)
    per_axis = []
    for axis in range(3):
        q = np.array([0, 1])[:, None]
        pos = (1 - 2 * q) * source[axis] + 2 * m[None, :] * dims[axis]  # (2, M)
        order = np.abs(m[None, :] - q) + np.abs(m[None, :])
        per_axis.append((pos.ravel(), order.ravel()))
    (px, ox), (py, oy), (pz, oz) = per_axis
    order = ox[:, None, None] + oy[None, :, None] + oz[None, None, :]
    keep = order <= max_order
    ix, iy, iz = np.nonzero(keep)
    positions = np.stack([px[ix], py[iy], pz[iz]], axis=1)
    orders = order[keep]
    return positions, orders, np.sqrt(1.0 - absorption) ** orders


def image_arrivals(room: Room, source: np.ndarray, max_order: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The reflections (order >= 1) of ``source`` at the array: unit arrival directions (N, 3), delays
    after the direct sound (N,) in seconds, and amplitudes relative to the direct sound (N,)."""
    positions, orders, damping = image_sources(room.dims, source, max_order, room.absorption)
    offsets = positions[orders > 0] - room.array
    dist = np.linalg.norm(offsets, axis=1)
    direct = np.linalg.norm(source - room.array)
    return offsets / dist[:, None], (dist - direct) / SPEED_OF_SOUND, damping[orders > 0] * direct / dist


def add_fractional_taps(ir: np.ndarray, delays: np.ndarray, gains: np.ndarray) -> None:
    """Add impulses of ``gains`` (N, C) at fractional sample ``delays`` (N, C) to ``ir`` (L, C), each a
    Hann-windowed sinc of ``SINC_HALF_WIDTH`` taps a side (taps beyond the ends are dropped)."""
    length, channels = ir.shape
    base = np.floor(delays).astype(int)
    offsets = np.arange(-SINC_HALF_WIDTH + 1, SINC_HALF_WIDTH + 1)
    taps = base[..., None] + offsets  # (N, C, K)
    x = taps - delays[..., None]
    kernel = np.sinc(x) * (0.5 + 0.5 * np.cos(np.pi * x / SINC_HALF_WIDTH))
    ok = (taps >= 0) & (taps < length)
    chan = np.broadcast_to(np.arange(channels)[None, :, None], taps.shape)
    np.add.at(ir, (taps[ok], chan[ok]), (gains[..., None] * kernel)[ok])


def early_reflections(room: Room, source: np.ndarray, max_order: int, fs: int, foa_gains, mic_delays,
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Impulse responses (L, 4) of the reflections of ``source`` in FOA and MIC, time 0 = the direct sound.
    ``foa_gains(az, el)`` -> (N, 4) and ``mic_delays(az, el)`` -> (N, 4) seconds are the formats' plane-wave
    responses (doanet.synth)."""
    directions, delays, amps = image_arrivals(room, source, max_order)
    az = np.rad2deg(np.arctan2(directions[:, 1], directions[:, 0]))
    el = np.rad2deg(np.arcsin(np.clip(directions[:, 2], -1, 1)))
    length = int(np.ceil(delays.max() * fs)) + 2 * SINC_HALF_WIDTH + 8 if len(delays) else 1
    foa = np.zeros((length, 4))
    mic = np.zeros((length, 4))
    # no reflection comes sooner than 2 * WALL_MARGIN_M / c (42 samples at 24 kHz) after the direct sound, so
    # every sinc fits after time 0
    d = delays * fs
    add_fractional_taps(foa, np.repeat(d[:, None], 4, axis=1), amps[:, None] * foa_gains(az, el))
    add_fractional_taps(mic, d[:, None] + mic_delays(az, el) * fs, np.repeat(amps[:, None], 4, axis=1))
    return foa, mic

