"""The original's feature extraction as a plain per-channel librosa/numpy implementation: the slow
reference that tests compare doanet.features with and that benchmarks/doanet_features.py times."""

from __future__ import annotations

import librosa
import numpy as np

from configs.doanet import DOAnetParams

EPS = 1e-8


def features_librosa(audio: np.ndarray, params: DOAnetParams) -> np.ndarray:
    """(n, 4) audio -> (T, C, 64): per-channel librosa STFT and power_to_db, then IV or GCC-PHAT."""
    n_frames = -(-len(audio) // params.hop_len)
    spec = np.stack([
        librosa.stft(np.asarray(audio[:, ch], np.float64), n_fft=params.nfft, hop_length=params.hop_len,
                     win_length=params.win_len, window="hann", center=True, pad_mode="constant")[:, :n_frames].T
        for ch in range(audio.shape[1])
    ], axis=-1)  # (T, K, 4)
    mel = librosa.filters.mel(sr=params.fs, n_fft=params.nfft, n_mels=params.nb_mel_bins).T  # (K, 64)
    logmel = np.stack([librosa.power_to_db(np.abs(spec[:, :, ch]) ** 2 @ mel) for ch in range(4)], axis=1)
    if params.dataset == "foa":
        w = spec[:, :, 0]
        intensity = np.real(np.conj(w)[:, :, None] * spec[:, :, 1:])  # (T, K, 3)
        energy = EPS + np.abs(w) ** 2 + np.sum(np.abs(spec[:, :, 1:]) ** 2, axis=-1) / 3.0
        extra = np.stack([(intensity[:, :, i] / energy) @ mel for i in range(3)], axis=1)
    else:
        pairs = []
        for m in range(4):
            for n in range(m + 1, 4):
                cross = spec[:, :, n] * np.conj(spec[:, :, m])
                cc = np.fft.irfft(np.exp(1j * np.angle(cross)), n=params.nfft)
                pairs.append(np.concatenate([cc[:, -32:], cc[:, :32]], axis=-1))
        extra = np.stack(pairs, axis=1)
    return np.concatenate([logmel, extra], axis=1).astype(np.float32)
