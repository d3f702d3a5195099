"""Synthetic stand-ins for the 14 sound classes of TAU-NIGENS 2020, each with its own spectro-temporal
character (harmonic, noisy, impulsive, modulated, speech-like ...). Mono, float64, unit RMS.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, lfilter

CLASSES = (
    "alarm", "baby", "crash", "dog", "engine", "female_scream", "female_speech", "fire", "footsteps", "knock",
    "male_scream", "male_speech", "phone", "piano",
)


def _harmonic(f0: np.ndarray, fs: int, n_harm: int, tilt: float, rng: np.random.Generator) -> np.ndarray:
    """Harmonic tone following the per-sample fundamental ``f0`` (Hz), amplitudes k^-tilt, below fs/2."""
    phase = 2 * np.pi * np.cumsum(f0) / fs
    out = np.zeros_like(f0)
    for k in range(1, n_harm + 1):
        alive = k * f0 < 0.45 * fs
        out += alive * np.sin(k * phase + rng.uniform(0, 2 * np.pi)) * k**-tilt
    return out


def _bandpass(x: np.ndarray, lo: float, hi: float, fs: int, order: int = 2) -> np.ndarray:
    b, a = butter(order, [lo / (fs / 2), min(hi / (fs / 2), 0.99)], btype="band")
    return lfilter(b, a, x)


def _gate(n: int, fs: int, on_s: float, off_s: float, rng: np.random.Generator) -> np.ndarray:
    """Periodic on/off envelope with 5 ms ramps and a random phase."""
    t = (np.arange(n) / fs + rng.uniform(0, on_s + off_s)) % (on_s + off_s)
    ramp = 0.005
    return np.clip(np.minimum(t, on_s - t) / ramp, 0, 1) * (t < on_s)


def _bursts(n: int, fs: int, rate_hz: float, length_s: float, decay_s: float, rng: np.random.Generator) -> np.ndarray:
    """Impulse-like envelope: bursts at ~rate_hz, each decaying exponentially."""
    env = np.zeros(n)
    period = int(fs / rate_hz)
    starts = np.arange(rng.integers(0, max(1, period)), n, period)
    starts = np.clip(starts + rng.integers(-period // 5, period // 5 + 1, len(starts)), 0, n - 1)
    tail = np.exp(-np.arange(int(length_s * fs)) / (decay_s * fs))
    for s in starts:
        seg = tail[: n - s]
        env[s:s + len(seg)] = np.maximum(env[s:s + len(seg)], seg)
    return env


def _speech(n: int, fs: int, f0_mean: float, rng: np.random.Generator) -> np.ndarray:
    """Glottal-pulse-like harmonics through moving formants with a syllabic (~4 Hz) envelope."""
    t = np.arange(n) / fs
    f0 = f0_mean * (1 + 0.15 * np.sin(2 * np.pi * rng.uniform(0.5, 1.5) * t + rng.uniform(0, 6)))
    src = _harmonic(f0, fs, 40, 1.0, rng)
    out = np.zeros(n)
    for lo, hi in ((300, 900), (900, 2400), (2400, 3500)):
        out += _bandpass(src, lo * rng.uniform(0.9, 1.1), hi * rng.uniform(0.9, 1.1), fs)
    syllables = np.clip(np.sin(2 * np.pi * rng.uniform(3, 5) * t + rng.uniform(0, 6)), 0, None) ** 0.7
    return out * syllables


def synthesize(class_index: int, n: int, fs: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` samples of class ``class_index`` (see CLASSES), normalised to unit RMS."""
    t = np.arange(n) / fs
    name = CLASSES[class_index]
    noise = rng.normal(size=n)
    if name == "alarm":  # two alternating pure tones, beeping
        f = np.where((t * 4).astype(int) % 2 == 0, rng.uniform(800, 1200), rng.uniform(1400, 2000))
        x = _harmonic(f, fs, 3, 2.0, rng) * _gate(n, fs, 0.2, 0.05, rng)
    elif name == "baby":  # high, rising-falling harmonic cries
        f0 = rng.uniform(380, 520) * (1 + 0.2 * np.sin(2 * np.pi * 0.8 * t) + 0.03 * np.sin(2 * np.pi * 6 * t))
        x = _harmonic(f0, fs, 12, 1.2, rng) * _gate(n, fs, 0.9, 0.4, rng)
    elif name == "crash":  # broadband bursts with long decay
        x = noise * _bursts(n, fs, 0.7, 1.2, 0.25, rng)
    elif name == "dog":  # short noisy harmonic barks
        f0 = rng.uniform(250, 600) * np.ones(n)
        x = (_harmonic(f0, fs, 15, 1.0, rng) + 0.5 * _bandpass(noise, 500, 3000, fs)) * _bursts(n, fs, 1.8, 0.25, 0.07, rng)
    elif name == "engine":  # low fundamental, firing amplitude modulation, rumble
        f0 = rng.uniform(30, 70) * (1 + 0.05 * np.sin(2 * np.pi * 0.3 * t))
        x = _harmonic(f0, fs, 60, 0.8, rng) * (1 + 0.6 * np.sin(2 * np.pi * 2 * f0 * t)) + 0.3 * _bandpass(noise, 40, 400, fs)
    elif name in ("female_scream", "male_scream"):  # high harmonic with strong vibrato and roughness
        base = rng.uniform(700, 1100) if name == "female_scream" else rng.uniform(280, 450)
        f0 = base * (1 + 0.05 * np.sin(2 * np.pi * rng.uniform(5, 8) * t)) * (1 + 0.1 * np.sin(2 * np.pi * 0.5 * t))
        x = (_harmonic(f0, fs, 10, 0.8, rng) + 0.2 * _bandpass(noise, base, 4 * base, fs)) * _gate(n, fs, 1.2, 0.3, rng)
    elif name == "female_speech":
        x = _speech(n, fs, rng.uniform(180, 240), rng)
    elif name == "male_speech":
        x = _speech(n, fs, rng.uniform(95, 135), rng)
    elif name == "fire":  # crackles over low rumble
        crackle = (rng.random(n) < 60 / fs) * rng.normal(size=n) * 8
        x = _bandpass(crackle, 1000, 8000, fs) + _bandpass(noise, 50, 600, fs)
    elif name == "footsteps":  # low thumps at ~2 Hz
        x = _bandpass(noise, 60, 900, fs) * _bursts(n, fs, rng.uniform(1.6, 2.4), 0.12, 0.03, rng)
    elif name == "knock":  # resonant damped impulses in groups
        ring = np.sin(2 * np.pi * rng.uniform(500, 1200) * t)
        x = ring * _bursts(n, fs, rng.uniform(3, 5), 0.08, 0.015, rng) * _gate(n, fs, 0.8, 0.7, rng)
    elif name == "phone":  # two-tone ring modulated at 20 Hz, ring-pause cadence
        f1, f2 = rng.uniform(900, 1100), rng.uniform(1300, 1500)
        x = (np.sin(2 * np.pi * f1 * t) + np.sin(2 * np.pi * f2 * t)) * (np.sin(2 * np.pi * 20 * t) > 0)
        x = x * _gate(n, fs, 1.0, 1.0, rng)
    elif name == "piano":  # decaying slightly inharmonic notes
        x = np.zeros(n)
        note_len = int(rng.uniform(0.25, 0.6) * fs)
        for start in range(0, n, note_len):
            f0 = 220 * 2 ** (rng.integers(-12, 19) / 12)
            m = min(note_len * 2, n - start)
            tt = np.arange(m) / fs
            note = sum(np.sin(2 * np.pi * k * f0 * np.sqrt(1 + 1e-4 * k * k) * tt) * k**-1.5 for k in range(1, 9)
                       if k * f0 < 0.45 * fs)
            x[start:start + m] += note * np.exp(-tt / 0.4)
    else:  # pragma: no cover - CLASSES and the branches above are one list
        raise ValueError(f"unknown class index {class_index}")
    rms = np.sqrt(np.mean(x**2))
    return x / rms if rms > 0 else x
