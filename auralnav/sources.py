"""Sound sources: synthesised everyday sounds (deterministic by seed) and a loader for the user's wav files.

No recordings of unknown licence are shipped. ``synthesize(kind, seed, fs, duration_s)`` makes a
ringing phone, a siren, a car horn, speech-like formant babble or a music-like tone sequence; the same
(kind, seed, fs, duration) always gives the same samples. ``load_wav_folder`` reads a folder of the
user's own recordings. Both return mono float32 signals, high-passed (no DC or sub-audio content),
made seamless to loop, and loudness-normalised to an RMS level in dB full scale.
"""

from __future__ import annotations

from math import gcd
from pathlib import Path

import numpy as np
from scipy import signal

from configs.auralnav import SOURCE_KINDS


def normalize_loudness(x: np.ndarray, level_db: float = -20.0, peak: float = 0.99) -> np.ndarray:
    """``x`` scaled to an RMS of ``level_db`` dB full scale, lowered further if its peak would pass ``peak``."""
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))
    if rms == 0:
        raise ValueError("cannot normalise a silent signal")
    gain = 10 ** (level_db / 20) / rms
    gain = min(gain, peak / float(np.max(np.abs(x))))
    return x * gain


def highpass(x: np.ndarray, fs: int, cutoff_hz: float = 40.0) -> np.ndarray:
    """Zero-phase Butterworth high-pass (order 2, run forward and back): removes DC and rumble, which the
    simulated room impulse responses (their high-pass is off, see ``auralnav.acoustics``) would pass."""
    sos = signal.butter(2, cutoff_hz, btype="highpass", fs=fs, output="sos")
    return signal.sosfiltfilt(sos, x)


def make_loopable(x: np.ndarray, fade: int) -> np.ndarray:
    """Cross-fade the last ``fade`` samples into the first ones and drop them, so x repeats without a click."""
    if fade <= 0 or 2 * fade >= len(x):
        return x
    ramp = np.linspace(0.0, 1.0, fade, endpoint=False)
    y = x[:-fade].copy()
    y[:fade] = x[:fade] * ramp + x[-fade:] * (1 - ramp)
    return y


def prepare(x: np.ndarray, fs: int, level_db: float) -> np.ndarray:
    """High-pass, make loopable (20 ms cross-fade) and normalise: the form every source takes."""
    x = highpass(np.asarray(x, dtype=np.float64), fs)
    x = make_loopable(x, int(0.02 * fs))
    return normalize_loudness(x, level_db).astype(np.float32)


# --- synthesis ------------------------------------------------------------------------------------------

def _harmonic(f0: np.ndarray | float, t: np.ndarray, fs: int, n_harm: int, tilt: float) -> np.ndarray:
    """A sum of ``n_harm`` harmonics of a (possibly time-varying) f0, amplitude k**-tilt, below Nyquist."""
    phase = 2 * np.pi * np.cumsum(np.broadcast_to(f0, t.shape)) / fs
    out = np.zeros_like(t)
    top = np.max(f0)
    for k in range(1, n_harm + 1):
        if k * top >= fs / 2:
            break
        out += np.sin(k * phase) / k**tilt
    return out


def _phone(rng: np.random.Generator, t: np.ndarray, fs: int) -> np.ndarray:
    """Two-tone bell warbled at ~20 Hz in a ring-ring cadence (0.4 s on, 0.2 s off, 0.4 s on, then a pause)."""
    f1 = rng.uniform(700, 1100)
    f2 = f1 * rng.uniform(1.15, 1.35)
    warble = rng.uniform(15, 25)
    tone = np.where(np.sin(2 * np.pi * warble * t) >= 0, _harmonic(f1, t, fs, 4, 1.5), _harmonic(f2, t, fs, 4, 1.5))
    period = rng.uniform(1.6, 2.4)
    u = np.mod(t + rng.uniform(0, 0.3), period)  # starts within the first ring
    gate = ((u < 0.4) | ((u >= 0.6) & (u < 1.0))).astype(float)
    return tone * _smooth(gate, fs, 0.005)


def _siren(rng: np.random.Generator, t: np.ndarray, fs: int) -> np.ndarray:
    """A wail: a bright tone whose pitch sweeps sinusoidally between ~650 and ~1500 Hz."""
    lo, hi = rng.uniform(550, 750), rng.uniform(1300, 1700)
    rate = rng.uniform(0.25, 0.6)
    f0 = lo + (hi - lo) * 0.5 * (1 - np.cos(2 * np.pi * rate * t + rng.uniform(0, 2 * np.pi)))
    return _harmonic(f0, t, fs, 6, 1.0)


def _horn(rng: np.random.Generator, t: np.ndarray, fs: int) -> np.ndarray:
    """A car horn: two reedy notes a major third apart (~400 / 500 Hz) in honks of 0.2-0.8 s."""
    f1 = rng.uniform(350, 450)
    tone = _harmonic(f1, t, fs, 12, 0.7) + _harmonic(f1 * 1.26, t, fs, 12, 0.7)
    gate = np.zeros_like(t)
    start = rng.uniform(0, 0.3)
    while start < t[-1]:
        length = rng.uniform(0.2, 0.8)
        gate[(t >= start) & (t < start + length)] = 1.0
        start += length + rng.uniform(0.15, 0.6)
    return np.tanh(2 * tone) * _smooth(gate, fs, 0.01)


_VOWELS = np.array([[730, 1090, 2440], [530, 1840, 2480], [270, 2290, 3010], [570, 840, 2410], [300, 870, 2240],
                    [660, 1720, 2410], [490, 1350, 1690]], dtype=float)
"""Formants F1-F3 (Hz) of a, e, i, o, u, ae, er (Peterson and Barney averages)."""


def _babble(rng: np.random.Generator, t: np.ndarray, fs: int) -> np.ndarray:
    """Speech-like babble: a glottal pulse train (drifting f0, jitter) through vowel formant resonators,
    in syllables of 0.12-0.3 s with short pauses."""
    out = np.zeros_like(t)
    f0_base = rng.uniform(100, 220)
    pos = int(rng.uniform(0, 0.1) * fs)
    while pos < len(t):
        n = int(rng.uniform(0.12, 0.3) * fs)
        seg = np.zeros(n)
        f0 = f0_base * rng.uniform(0.85, 1.2)
        k = 0.0
        while k < n:  # glottal pulses with 3% jitter
            seg[int(k)] = 1.0
            k += fs / (f0 * rng.uniform(0.97, 1.03))
        seg = signal.lfilter([1.0], [1.0, -0.95], seg)  # glottal roll-off
        seg += 0.02 * rng.standard_normal(n)  # breath
        for f, bw in zip(_VOWELS[rng.integers(len(_VOWELS))], (80, 100, 150), strict=True):
            r = np.exp(-np.pi * bw / fs)
            seg = signal.lfilter([1 - r], [1.0, -2 * r * np.cos(2 * np.pi * f / fs), r * r], seg)
        seg *= np.hanning(n)
        end = min(len(t), pos + n)
        out[pos:end] += seg[: end - pos]
        pos = end + int(rng.uniform(0.02, 0.15) * fs)
    return out


def _music(rng: np.random.Generator, t: np.ndarray, fs: int) -> np.ndarray:
    """A tone sequence: a pentatonic melody of plucked harmonic notes (0.12-0.4 s) over a slower bass."""
    root = 220 * 2 ** (rng.integers(0, 12) / 12)
    scale = np.array([0, 2, 4, 7, 9, 12, 14, 16])
    out = np.zeros_like(t)
    for voice, (octave, lengths, gain) in enumerate(((1.0, (0.12, 0.4), 1.0), (0.5, (0.5, 1.0), 0.6))):
        pos = 0
        while pos < len(t):
            n = int(rng.uniform(*lengths) * fs)
            f = root * octave * 2 ** (scale[rng.integers(len(scale) if voice == 0 else 4)] / 12)
            tt = np.arange(n) / fs
            note = _harmonic(f, tt, fs, 6, 1.2) * np.exp(-tt / (0.25 * n / fs)) * np.minimum(1, tt / 0.005)
            end = min(len(t), pos + n)
            out[pos:end] += gain * note[: end - pos]
            pos = end
    return out


def _smooth(gate: np.ndarray, fs: int, seconds: float) -> np.ndarray:
    """Soften the edges of an on/off gate (a moving average), so the cadence does not click."""
    n = max(1, int(seconds * fs))
    return np.convolve(gate, np.ones(n) / n, mode="same")


_SYNTHS = {"phone": _phone, "siren": _siren, "horn": _horn, "babble": _babble, "music": _music}
assert set(_SYNTHS) == set(SOURCE_KINDS)


def synthesize(kind: str, seed: int, fs: int = 16000, duration_s: float = 4.0, level_db: float = -20.0) -> np.ndarray:
    """A mono float32 source of about ``duration_s`` seconds (20 ms shorter: the loop cross-fade).

    Deterministic: the same arguments give the same samples; another seed gives another variant
    (pitch, rhythm, vowels or melody) of the same kind.
    """
    if kind not in _SYNTHS:
        raise ValueError(f"unknown source kind {kind!r}; known kinds are {list(SOURCE_KINDS)}")
    rng = np.random.default_rng([int(seed), SOURCE_KINDS.index(kind)])
    t = np.arange(round(duration_s * fs)) / fs
    return prepare(_SYNTHS[kind](rng, t, fs), fs, level_db)


# --- the user's recordings ------------------------------------------------------------------------------

def load_wav(path: str | Path, fs: int, level_db: float = -20.0) -> np.ndarray:
    """One wav file as a prepared mono source at ``fs``. ValueError naming the file when it cannot be read."""
    import soundfile as sf

    path = Path(path)
    try:
        data, file_fs = sf.read(str(path), dtype="float64", always_2d=True)
    except Exception as err:  # soundfile raises LibsndfileError, RuntimeError or TypeError
        raise ValueError(f"cannot read wav file {path}: {err}") from err
    x = data.mean(axis=1)
    if len(x) < file_fs * 0.05 or not np.any(x):
        raise ValueError(f"wav file {path} is silent or shorter than 50 ms")
    if file_fs != fs:
        g = gcd(int(file_fs), int(fs))
        x = signal.resample_poly(x, fs // g, int(file_fs) // g)
    return prepare(x, fs, level_db)


def load_wav_folder(folder: str | Path, fs: int, level_db: float = -20.0) -> dict[str, np.ndarray]:
    """Every ``*.wav`` under ``folder`` (sorted, recursive) as ``{relative name: prepared source}``.

    FileNotFoundError when the folder does not exist; ValueError when it holds no wav file or one
    cannot be read (naming the file).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"source_dir {folder} is not a folder")
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() == ".wav" and p.is_file())
    if not files:
        raise ValueError(f"source_dir {folder} holds no .wav files")
    return {str(p.relative_to(folder)): load_wav(p, fs, level_db) for p in files}
