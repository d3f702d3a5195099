"""The Q-network over spatial cues per separated source (the data flow of seeds/auralnav_dataflow.md).

    mix (B, C=2, T) --STFT--> X (B, 2, F, N) complex --> IPD, ILD, VOL, each (B, N, F)
    sources (B, S, T) --STFT--> |S_i| (B, S, N, F);  mask_i = clamp(|S_i| / (mean_c |X_c| + eps), 0, 1), eps -60 dB
    cue of source i = sum(mask_i * cue) / (sum(mask_i) + eps)            -> (B, S, 3) -> (B, 3 S)
        (the IPD as a time difference over the bins below spatial aliasing: see SpatialCues)
    [cues, agent info (B, 4) = x, y, cos, sin] --MLP--> Q-values (B, n_actions), no squashing

Departures from the original, each for a reason: the IPD is the wrapped phase of X_L conj(X_R), from a
complex STFT (the public fork took the angle of a real magnitude|phase tensor, so its IPD was 0 or pi);
the per-source average is weighted by the mask rather than a plain mean over the whole plane, which
would scale every cue with how much of the plane the source occupies; VOL is in dB; the Q-values are
linear (the original's softmax squashed them into (0, 1) while rewards reach 100).
"""

from __future__ import annotations

import math

import torch
import torchaudio
from torch import nn

EPS = 1e-8
MASK_FLOOR = 1e-3  # -60 dB


SPEED_OF_SOUND = 343.0


class SpatialCues(nn.Module):
    """Masked IPD / ILD / VOL per separated source: mix (B, 2, T), sources (B, S, T) -> (B, S, 3).

    The IPD enters as the interaural time difference it implies, IPD / (2 pi f), averaged over the bins
    below the spatial-aliasing frequency c / (2 d) and divided by the largest possible delay d / c, so the
    cue is about sin(direction) in [-1, 1]. A plain average of the wrapped IPD over all frequencies (the
    data-flow document's) is near 0 whatever the direction, because the IPD grows with frequency and
    wraps: with it, a DQN trained for 15,000 steps never found a source (README)."""

    def __init__(self, n_fft: int = 512, hop_length: int = 128, fs: int = 16000, mic_spacing: float = 0.15):
        super().__init__()
        self.stft = torchaudio.transforms.Spectrogram(n_fft=n_fft, hop_length=hop_length, power=None)
        freqs = torch.arange(n_fft // 2 + 1) * fs / n_fft
        alias = SPEED_OF_SOUND / (2 * mic_spacing)
        max_delay = mic_spacing / SPEED_OF_SOUND
        # per bin: 1 / (2 pi f max_delay) below the aliasing frequency, 0 elsewhere (and at DC)
        itd_weight = torch.where((freqs > 0) & (freqs < alias), 1 / (2 * math.pi * freqs.clamp_min(1e-9) * max_delay), 0.0)
        self.register_buffer("itd_weight", itd_weight)  # (F,)
        self.register_buffer("itd_bins", ((freqs > 0) & (freqs < alias)).float())  # (F,)

    def mix_cues(self, mix: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """IPD (rad), ILD (dB), VOL (dB) and the mono magnitude |X_mono|, each (B, N, F)."""
        if mix.dim() != 3 or mix.shape[1] != 2:
            raise ValueError(f"spatial cues need a stereo mixture (B, 2, T), got shape {tuple(mix.shape)}")
        x = self.stft(mix).transpose(-1, -2)  # (B, 2, N, F) complex
        left, right = x[:, 0], x[:, 1]
        mag_l, mag_r = left.abs(), right.abs()
        ipd = torch.angle(left * right.conj())
        ild = 20 * torch.log10((mag_l + EPS) / (mag_r + EPS))
        vol = 10 * torch.log10((mag_l**2 + mag_r**2) / 2 + EPS)
        return ipd, ild, vol, (mag_l + mag_r) / 2

    def masks(self, sources: torch.Tensor, mono_magnitude: torch.Tensor) -> torch.Tensor:
        """(B, S, T), (B, N, F) -> TF masks (B, S, N, F) in [0, 1].

        The eps of |S_i| / (|X_mono| + eps) is 60 dB below the mixture's loudest bin: with a fixed tiny eps,
        bins where nothing sounds (0 / 0) get masks near 1 and their random cues swamp the average."""
        mag = self.stft(sources).abs().transpose(-1, -2)  # (B, S, N, F)
        floor = MASK_FLOOR * mono_magnitude.amax(dim=(-2, -1), keepdim=True) + EPS  # (B, 1, 1)
        return (mag / (mono_magnitude + floor)[:, None]).clamp(0.0, 1.0)

    def forward(self, mix: torch.Tensor, sources: torch.Tensor) -> torch.Tensor:
        ipd, ild, vol, mono = self.mix_cues(mix)
        mask = self.masks(sources, mono)  # (B, S, N, F)
        weight = mask.sum(dim=(-2, -1)) + EPS  # (B, S)
        low = mask * self.itd_bins  # only the bins without spatial aliasing
        itd = (low * (ipd * self.itd_weight)[:, None]).sum(dim=(-2, -1)) / (low.sum(dim=(-2, -1)) + EPS)
        ild_vol = [(mask * c[:, None]).sum(dim=(-2, -1)) / weight for c in (ild, vol)]
        return torch.stack([itd, *ild_vol], dim=-1)  # (B, S, 3): ITD / max delay, ILD dB, VOL dB


class DQN(nn.Module):
    """Q-values from the separator's output and the agent's state.

    ``forward(separator_output, agent_info)``: ``separator_output`` is RnnSeparator's dict
    (``estimated_sources`` (B, S, T), ``mix_audio`` (B, 2, T)), ``agent_info`` (B, 4) = x, y, cos, sin
    of the heading; returns (B, n_actions).
    """

    # fixed input scales: cues and position to roughly unit range, so no statistics need to be learned
    CUE_SCALE = (1.0, 20.0, 40.0)

    def __init__(self, n_src: int, n_actions: int = 4, agent_dim: int = 4, hidden: int = 128,
                 room_size: float = 8.0, n_fft: int = 512, hop_length: int = 128, fs: int = 16000,
                 mic_spacing: float = 0.15):
        super().__init__()
        self.args = {"n_src": n_src, "n_actions": n_actions, "agent_dim": agent_dim, "hidden": hidden,
                     "room_size": room_size, "n_fft": n_fft, "hop_length": hop_length, "fs": fs,
                     "mic_spacing": mic_spacing}
        self.cues = SpatialCues(n_fft, hop_length, fs, mic_spacing)
        self.register_buffer("cue_scale", torch.tensor(self.CUE_SCALE))
        self.mlp = nn.Sequential(
            nn.Linear(3 * n_src + agent_dim, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, n_actions),
        )

    def model_args(self) -> dict:
        return dict(self.args)

    def features(self, separator_output: dict[str, torch.Tensor], agent_info: torch.Tensor) -> torch.Tensor:
        """The MLP's input (B, 3 S + agent_dim)."""
        cues = self.cues(separator_output["mix_audio"], separator_output["estimated_sources"])  # (B, S, 3)
        cues = (cues / self.cue_scale).flatten(1)
        pos = agent_info.clone()
        pos[:, :2] = pos[:, :2] / self.args["room_size"] * 2 - 1  # metres -> [-1, 1]
        return torch.cat([cues, pos], dim=1)

    def forward(self, separator_output: dict[str, torch.Tensor], agent_info: torch.Tensor) -> torch.Tensor:
        return self.mlp(self.features(separator_output, agent_info))
