"""Features of DOAnet, in batched torch (CPU or GPU): log-mel of the 4 channels plus FOA intensity
vectors (7 x 64 per frame) or MIC GCC-PHAT of the 6 microphone pairs (10 x 64 per frame).

STFT at 24 kHz: hop 480 (20 ms), periodic Hann window of 960, nfft 1024, centred frames with zero
padding; 64 Slaney mel bands from librosa. Log-mel is ``power_to_db`` with ref 1, amin 1e-10 and
top_db 80 per channel and file, as the original. Intensity vectors are Re(conj(W) [Y, Z, X]) over
the energy |W|^2 + (|Y|^2 + |Z|^2 + |X|^2) / 3, mel-projected; channel order follows the ACN file
(Y, Z, X). GCC-PHAT keeps lags -32 .. +31.
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from configs.doanet import DOAnetParams

EPS = 1e-8
GCC_LAGS = 64  # lags -32 .. +31
MIC_PAIRS = tuple(itertools.combinations(range(4), 2))


def read_wav(path: str | Path, dtype: str = "float32") -> tuple[np.ndarray, int]:
    """(n, channels) samples and the sample rate. A file that is not readable audio (a cut header, random
    bytes) is a ValueError naming it, not a soundfile traceback."""
    try:
        audio, fs = sf.read(str(path), dtype=dtype, always_2d=True)
    except sf.SoundFileError as err:
        raise ValueError(f"{path}: not a readable audio file ({' '.join(str(err).split())})") from None
    return audio, fs


def read_audio(path: str | Path, params: DOAnetParams) -> np.ndarray:
    """(n, 4) float32 as stored, checked for the sample rate and the 4 channels."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"audio file {path} does not exist")
    audio, fs = read_wav(path)
    if fs != params.fs:
        raise ValueError(f"{path}: sample rate {fs} Hz, expected {params.fs} Hz")
    if audio.shape[1] != 4:
        raise ValueError(f"{path}: {audio.shape[1]} channels, expected 4 (FOA W,Y,Z,X or 4 microphones)")
    return audio


def fit_length(audio: np.ndarray, path: str | Path, params: DOAnetParams, allow_short: bool = False,
               warn=print) -> np.ndarray:
    """``audio`` (n, 4) cut or zero-padded to exactly ``max_audio_len_s``.

    Audio shorter than that by more than one label frame (a truncated file) is a ValueError naming the file
    and both lengths; with ``allow_short`` (data sets with genuinely short files) it is padded with a warning,
    and the caller cuts the labels to the audio."""
    n = round(params.max_audio_len_s * params.fs)
    if len(audio) < n - round(params.label_hop_len_s * params.fs):
        what = (f"{path}: {len(audio)} samples ({len(audio) / params.fs:.2f} s), shorter than max_audio_len_s = "
                f"{params.max_audio_len_s:g} s ({n} samples)")
        if not allow_short:
            raise ValueError(f"{what}: a truncated file? Replace it, or allow short files (--allow-short-audio) "
                             f"to pad them with silence and cut their labels to the audio")
        warn(f"warning: {what}; padded with silence, labels cut to the audio")
    if len(audio) < n:
        audio = np.concatenate([audio, np.zeros((n - len(audio), audio.shape[1]), audio.dtype)])
    return audio[:n]


def load_audio(path: str | Path, params: DOAnetParams, allow_short: bool = False, warn=print) -> np.ndarray:
    """(n, 4) float32 of exactly ``max_audio_len_s`` (cut, or zero padded by at most a label frame unless
    ``allow_short``). Errors name the file and what was expected."""
    return fit_length(read_audio(path, params), path, params, allow_short, warn)


@lru_cache(maxsize=8)
def mel_filters(fs: int, nfft: int, n_mels: int) -> np.ndarray:
    """(nfft // 2 + 1, n_mels) Slaney mel weights from librosa."""
    import librosa

    return librosa.filters.mel(sr=fs, n_fft=nfft, n_mels=n_mels).T.astype(np.float32)


def stft(audio: torch.Tensor, params: DOAnetParams) -> torch.Tensor:
    """(..., C, n) float -> (..., C, T, K) complex, T = ceil(n / hop), K = nfft // 2 + 1."""
    shape = audio.shape
    window = torch.hann_window(params.win_len, periodic=True, device=audio.device, dtype=audio.dtype)
    spec = torch.stft(audio.reshape(-1, shape[-1]), n_fft=params.nfft, hop_length=params.hop_len,
                      win_length=params.win_len, window=window, center=True, pad_mode="constant", return_complex=True)
    n_frames = -(-shape[-1] // params.hop_len)
    spec = spec[..., :n_frames].transpose(-1, -2)  # (B*C, T, K)
    return spec.reshape(*shape[:-1], *spec.shape[-2:])


def power(spec: torch.Tensor) -> torch.Tensor:
    """|X|^2 of a complex tensor, without the square root of abs()."""
    return torch.view_as_real(spec).pow(2).sum(-1)


def intensity_vectors(spec: torch.Tensor, mel: torch.Tensor, spec_power: torch.Tensor | None = None) -> torch.Tensor:
    """FOA (..., 4, T, K) complex in ACN order -> mel-band intensity vectors (..., 3, T, M) in the
    file's channel order (Y, Z, X): for a plane wave they point at its direction."""
    ri = torch.view_as_real(spec)  # (..., 4, T, K, 2)
    w, xyz = ri[..., :1, :, :, :], ri[..., 1:, :, :, :]
    active = (w * xyz).sum(-1)  # Re(conj(W) X) = Wr Xr + Wi Xi: (..., 3, T, K)
    sq = power(spec) if spec_power is None else spec_power  # (..., 4, T, K)
    energy = EPS + sq[..., 0:1, :, :] + sq[..., 1:, :, :].sum(dim=-3, keepdim=True) / 3.0
    return (active / energy) @ mel


def gcc_phat(spec: torch.Tensor, nfft: int) -> torch.Tensor:
    """MIC (..., 4, T, K) complex -> (..., 6, T, 64) GCC-PHAT, lags -32 .. +31 per pair (m, n), m < n.

    The peak of pair (m, n) lies at the delay of microphone n behind microphone m, in samples."""
    half = GCC_LAGS // 2
    first = torch.tensor([m for m, _ in MIC_PAIRS], device=spec.device)
    second = torch.tensor([n for _, n in MIC_PAIRS], device=spec.device)
    cross = spec.index_select(-3, second) * torch.conj(spec.index_select(-3, first))  # (..., 6, T, K): n later = +lag
    phat = cross / torch.clamp(cross.abs(), min=1e-20)  # exp(j angle), 0 stays 0
    cc = torch.fft.irfft(phat, n=nfft, dim=-1)
    return torch.cat([cc[..., -half:], cc[..., :half]], dim=-1)


def _frame_features(spec: torch.Tensor, params: DOAnetParams, mel: torch.Tensor) -> torch.Tensor:
    """(B, 4, T, K) complex -> (B, C, T, 64): mel power (not yet in dB) and IV or GCC-PHAT."""
    spec_power = power(spec)
    parts = [spec_power @ mel]
    if params.dataset == "foa":
        parts.append(intensity_vectors(spec, mel, spec_power))
    else:
        parts.append(gcc_phat(spec, params.nfft))
    return torch.cat(parts, dim=1)


def extract_features(audio: np.ndarray | torch.Tensor, params: DOAnetParams, device: str | torch.device = "cpu",
                     chunk_frames: int = 256) -> np.ndarray:
    """Audio (n, 4) or a batch (B, n, 4) -> features (T, C, 64) or (B, T, C, 64) float32 numpy, with
    C = 7 (FOA) or 10 (MIC).

    On the CPU the frames are processed ``chunk_frames`` at a time so that the spectra stay in cache;
    the result equals one centred STFT of the whole signal (zero padding at both ends)."""
    x = torch.as_tensor(np.asarray(audio), dtype=torch.float32, device=device)
    batched = x.dim() == 3
    x = (x if batched else x[None]).transpose(-1, -2)  # (B, 4, n)
    mel = torch.as_tensor(mel_filters(params.fs, params.nfft, params.nb_mel_bins), device=device)
    n_frames = -(-x.shape[-1] // params.hop_len)
    half = params.nfft // 2
    padded = torch.nn.functional.pad(x, (half, half + params.hop_len))
    window = torch.hann_window(params.win_len, periodic=True, device=x.device)
    step = n_frames if x.device.type == "cuda" else chunk_frames
    chunks = []
    for f0 in range(0, n_frames, step):
        f1 = min(n_frames, f0 + step)
        segment = padded[..., f0 * params.hop_len:(f1 - 1) * params.hop_len + params.nfft]
        spec = torch.stft(segment.reshape(-1, segment.shape[-1]), n_fft=params.nfft, hop_length=params.hop_len,
                          win_length=params.win_len, window=window, center=False, return_complex=True)
        spec = spec.transpose(-1, -2).reshape(*segment.shape[:-1], f1 - f0, -1)  # (B, 4, t, K)
        chunks.append(_frame_features(spec, params, mel))
    feat = torch.cat(chunks, dim=2)  # (B, C, T, 64), channels 0-3 mel power
    db = 10.0 * torch.log10(torch.clamp(feat[:, :4], min=1e-10))
    db = torch.maximum(db, db.amax(dim=(-1, -2), keepdim=True) - 80.0)  # top_db per channel and file
    feat = torch.cat([db, feat[:, 4:]], dim=1).transpose(1, 2)  # (B, T, C, 64)
    feat = feat.cpu().numpy().astype(np.float32)
    if not np.isfinite(feat).all():
        raise ValueError("features contain NaN or inf")
    return feat if batched else feat[0]
