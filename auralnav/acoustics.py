"""What the two microphones hear: a pyroomacoustics room, and per step only the window that is heard.

pyroomacoustics computes the room impulse responses (RIRs) from every remaining source to the two
microphones (image-source model, materials API of 0.10). The window of N samples the agent hears is
then the 'valid' part of each looping source signal convolved with its RIRs: exactly the samples
``room.simulate()`` would give for that stretch of the whole clip, at a fraction of the cost (see
``benchmarks/auralnav.py``).

Two pyroomacoustics settings are changed, only while RIRs are computed, then restored: its RIR
high-pass (a 10 Hz filtfilt per RIR, most of the RIR time) is off because the sources are high-passed
once when they are made (``auralnav.sources.highpass``), and it uses one thread (the env is one process
per core in vector envs).
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pyroomacoustics as pra
from scipy import fft

from auralnav.geometry import Floor


@contextmanager
def rir_settings(hpf: bool = False, threads: int = 1):
    """pyroomacoustics' RIR high-pass and thread count set for the block, then restored."""
    saved = {k: pra.constants.get(k) for k in ("rir_hpf_enable", "num_threads")}
    pra.constants.set("rir_hpf_enable", hpf)
    pra.constants.set("num_threads", threads)
    try:
        yield
    finally:
        for k, v in saved.items():
            pra.constants.set(k, v)


def build_room(params, floor: Floor | None = None) -> pra.Room:
    """An empty pyroomacoustics room for AuralNavParams: shoebox (2-D or 3-D) or polygon (optionally extruded).

    Walls share one energy absorption. With absorption 1.0 every reflection is silent, so the image
    order is set to 0 (identical signals, far fewer images).
    """
    material = pra.Material(params.absorption)
    order = 0 if params.absorption >= 1.0 else params.max_order
    if not params.room_corners:
        return pra.ShoeBox(list(params.room_dim), fs=params.fs, max_order=order, materials=material)
    floor = floor or Floor.from_params(params)
    room = pra.Room.from_corners(floor.corners.T, fs=params.fs, max_order=order, materials=material)
    if params.room_height > 0:
        room.extrude(params.room_height, materials=material)
    return room


class RoomSimulator:
    """Fixed sources in a room; ``images(mics, start)`` is what each remaining source adds at each mic.

    Args:
        params: AuralNavParams (room, fs, window, heights).
        positions: source positions, shape (n_src, 2) in metres (floor plan).
        signals: one looping mono signal per source at ``params.fs``.
    """

    def __init__(self, params, positions: np.ndarray, signals: list[np.ndarray], floor: Floor | None = None):
        self.params, self.floor = params, floor
        self.n = params.window
        self.positions = np.asarray(positions, dtype=float)
        self.signals = [np.asarray(s, dtype=np.float64) for s in signals]
        self.active = list(range(len(signals)))  # ids of the sources still on, in room.sources order
        self._build()
        # pyroomacoustics computes the image sources once, for the microphones present at the first
        # compute_rir, and keeps them when the microphones move. In a shoebox that is exact: the images
        # depend only on the source and every image is visible from every point inside. In a polygon
        # room an image's visibility depends on the receiver, so the room is rebuilt every step there.
        self._rebuild_each_step = not isinstance(self.room, pra.ShoeBox)

    def _build(self) -> None:
        self.room = build_room(self.params, self.floor)
        for s in self.active:
            self.room.add_source(self._lift(self.positions[s], self.params.source_height))

    def _lift(self, p: np.ndarray, height: float) -> np.ndarray:
        return np.r_[p, height] if self.room.dim == 3 else np.asarray(p, dtype=float)

    def remove(self, source_id: int) -> None:
        """Switch a source off: it leaves the room (rebuilt, so no per-source state of the old one lingers)."""
        self.active.remove(source_id)
        self._build()

    def rirs(self, mics: np.ndarray) -> list[np.ndarray]:
        """RIRs of every active source at the mics (2, 2): a list of (n_mics, L_s) arrays."""
        if self._rebuild_each_step:
            self._build()
        self.room.mic_array = None
        self.room.add_microphone_array(np.stack([self._lift(m, self.params.mic_height) for m in mics], axis=1))
        with rir_settings():
            self.room.compute_rir()
        out = []
        for s in range(len(self.active)):
            hs = [self.room.rir[m][s] for m in range(len(mics))]
            h = np.zeros((len(hs), max(len(x) for x in hs)))
            for m, x in enumerate(hs):
                h[m, : len(x)] = x
            out.append(h)
        return out

    def images(self, mics: np.ndarray, start: int) -> np.ndarray:
        """Samples ``start .. start + N`` of each source's image at each mic, shape (n_src, n_mics, N),
        with zeros for switched-off sources (n_src counts every source of the episode).

        Sources loop: sample k of source s is ``signals[s][k % len]``.
        """
        out = np.zeros((len(self.signals), len(mics), self.n))
        if not self.active:
            return out
        for s, h in zip(self.active, self.rirs(mics), strict=True):
            out[s] = window_convolve(self.signals[s], h, start, self.n)
        return out


def window_convolve(x: np.ndarray, h: np.ndarray, start: int, n: int) -> np.ndarray:
    """Samples ``start .. start + n`` of (x looped forever) convolved with each row of ``h`` (m, L): (m, n).

    Only the n + L - 1 source samples that reach the window are used ('valid' convolution by FFT).
    """
    taps = h.shape[-1]
    seg = x[np.arange(start - taps + 1, start + n) % len(x)]
    nfft = fft.next_fast_len(n + taps - 1, real=True)
    y = fft.irfft(fft.rfft(seg, nfft) * fft.rfft(h, nfft, axis=-1), nfft, axis=-1)
    return y[:, taps - 1 : taps - 1 + n]
