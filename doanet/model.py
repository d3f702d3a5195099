"""DOAnet's CRNN: three conv blocks, a 2-layer bidirectional GRU whose directions are multiplied, a
DOA head (tanh) and an optional activity head.

Shapes for the defaults and FOA: features (B, 7, 250, 64) -> conv (B, 128, 50, 8) -> (B, 50, 1024)
-> GRU (B, 50, 256) -> tanh, backward * forward (B, 50, 128) -> doa (B, 50, 3 * S), activity (B, 50, S).
About 1.55 M parameters for FOA with the activity head (1,553,928).
"""

from __future__ import annotations

import torch
from torch import nn


class ConvBlock(nn.Module):
    """Conv2d 3x3 (padding 1) -> BatchNorm -> ReLU -> MaxPool -> Dropout2d."""

    def __init__(self, in_channels: int, out_channels: int, pool: tuple[int, int], dropout: float):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1)
        self.bn = nn.BatchNorm2d(out_channels)
        self.pool = nn.MaxPool2d(pool)
        self.dropout = nn.Dropout2d(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.pool(torch.relu(self.bn(self.conv(x)))))


def _fnn(width: int, layers: int, out: int) -> nn.Sequential:
    mods: list[nn.Module] = []
    for _ in range(layers):
        mods += [nn.Linear(width, width), nn.ReLU()]
    return nn.Sequential(*mods, nn.Linear(width, out))


class CRNN(nn.Module):
    """Args:
        in_channels: C of the features (7 for FOA, 10 for MIC).
        max_doas: S, the track slots.
        nb_mel_bins: F of the features.
        t_pool, f_pool: pooling of the three conv blocks in time and frequency.
        activity_head: add the activity branch (logits, or tanh-capped with ``legacy_activity_tanh``).
        self_attn: multi-head self-attention (nb_heads) after the GRU, followed by tanh.
    """

    def __init__(
        self, in_channels: int = 7, max_doas: int = 2, nb_mel_bins: int = 64, nb_cnn2d_filt: int = 128,
        t_pool: tuple[int, ...] = (5, 1, 1), f_pool: tuple[int, ...] = (2, 2, 2), rnn_size: int = 128,
        nb_rnn_layers: int = 2, dropout: float = 0.0, nb_fnn_layers: int = 2, fnn_size: int = 128,
        activity_head: bool = True, nb_fnn_act_layers: int = 2, fnn_act_size: int = 128,
        legacy_activity_tanh: bool = False, self_attn: bool = False, nb_heads: int = 4,
    ):
        super().__init__()
        self.args = {k: v for k, v in locals().items() if k not in ("self", "__class__")}
        self.args["t_pool"], self.args["f_pool"] = tuple(t_pool), tuple(f_pool)
        self.max_doas = max_doas
        self.legacy_activity_tanh = legacy_activity_tanh
        blocks, channels = [], in_channels
        for tp, fp in zip(t_pool, f_pool, strict=True):
            blocks.append(ConvBlock(channels, nb_cnn2d_filt, (tp, fp), dropout))
            channels = nb_cnn2d_filt
        self.conv = nn.Sequential(*blocks)
        freq_out = nb_mel_bins
        for fp in f_pool:
            freq_out //= fp
        self.gru = nn.GRU(nb_cnn2d_filt * freq_out, rnn_size, num_layers=nb_rnn_layers, batch_first=True,
                          dropout=dropout if nb_rnn_layers > 1 else 0.0, bidirectional=True)
        self.attn = nn.MultiheadAttention(rnn_size, nb_heads, dropout=dropout, batch_first=True) if self_attn else None
        if fnn_size != rnn_size or (activity_head and fnn_act_size != rnn_size):
            raise ValueError("fnn_size and fnn_act_size must equal rnn_size (the heads read the GRU output directly)")
        self.doa_head = _fnn(fnn_size, nb_fnn_layers, 3 * max_doas)
        self.activity_head = _fnn(fnn_act_size, nb_fnn_act_layers, max_doas) if activity_head else None

    def model_args(self) -> dict:
        return dict(self.args)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Features (B, C, T, F) -> doa (B, T', 3 S) in [-1, 1], laid out [x_0..x_S-1, y_0.., z_0..],
        and activity logits (B, T', S) (tanh-capped if legacy) or None; T' = T / prod(t_pool)."""
        h = self.conv(x)  # (B, filt, T', F')
        h = h.transpose(1, 2).flatten(2)  # (B, T', filt * F'), channel-major
        h, _ = self.gru(h)  # (B, T', 2 H)
        h = torch.tanh(h)
        half = h.shape[-1] // 2
        h = h[..., half:] * h[..., :half]  # backward * forward: (B, T', H)
        if self.attn is not None:
            h = torch.tanh(self.attn(h, h, h, need_weights=False)[0])
        doa = torch.tanh(self.doa_head(h))
        activity = None
        if self.activity_head is not None:
            activity = self.activity_head(h)
            if self.legacy_activity_tanh:
                activity = torch.tanh(activity)
        return doa, activity


def doa_to_tracks(doa: torch.Tensor, max_doas: int) -> torch.Tensor:
    """(..., 3 S) laid out [x.., y.., z..] -> (..., S, 3)."""
    return doa.unflatten(-1, (3, max_doas)).transpose(-1, -2)
