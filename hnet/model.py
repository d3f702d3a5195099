"""HNetGRU: a GRU over the rows of the distance matrix, one self-attention layer, a linear read-out.

Architecture as in Adavanne et al. (WASPAA 2021): GRU(M -> 128), dot-product self-attention with
1x1-conv Q/K/V (no bias, no 1/sqrt(d) scaling), tanh, Linear(128 -> M). 100,098 parameters at M = 2.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

# The HNet's input convention: a DOA slot with no source is filled with (10, 10, 10), far (distance >= 9)
# from every unit vector. HNet's training data and DOAnet's dMOT losses both use it.
INACTIVE_FILL = 10.0


class AttentionLayer(nn.Module):
    """Single-head self-attention over time with 1x1-conv projections.

    Args:
        in_channels: C_in of the input (B, C_in, T).
        out_channels: C_out of the output (B, C_out, T).
        key_channels: width of queries and keys.
        logit_scale: constant factor on the attention logits; 1.0 is the original (no 1/sqrt(d)).
            Any other value is an exact reparameterisation: ``fold_logit_scale`` moves it into W_Q, W_K.
    """

    def __init__(self, in_channels: int, out_channels: int, key_channels: int, logit_scale: float = 1.0):
        super().__init__()
        if logit_scale <= 0:
            raise ValueError(f"logit_scale must be > 0, got {logit_scale}")
        self.logit_scale = logit_scale
        self.conv_Q = nn.Conv1d(in_channels, key_channels, kernel_size=1, bias=False)
        self.conv_K = nn.Conv1d(in_channels, key_channels, kernel_size=1, bias=False)
        self.conv_V = nn.Conv1d(in_channels, out_channels, kernel_size=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C_in, T) -> (B, C_out, T)."""
        return self.forward_time_major(x.transpose(1, 2)).transpose(1, 2)

    def forward_time_major(self, x: torch.Tensor) -> torch.Tensor:
        """The same on (B, T, C_in) -> (B, T, C_out).

        A kernel-1 convolution is a matrix product; one fused F.linear for Q, K and V is the same
        arithmetic as the three Conv1d calls and several times faster on CPU than mkldnn's conv path.
        """
        key = self.conv_Q.out_channels
        weight = torch.cat([self.conv_Q.weight, self.conv_K.weight, self.conv_V.weight])[..., 0]  # (2K + C_out, C_in)
        qkv = F.linear(x, weight)  # (B, T, 2K + C_out)
        q, k, v = qkv[..., :key], qkv[..., key:2 * key], qkv[..., 2 * key:]
        logits = torch.bmm(q, k.transpose(1, 2))  # (B, T, T)
        if self.logit_scale != 1.0:
            logits = logits * self.logit_scale
        return torch.bmm(torch.softmax(logits, dim=2), v)  # (B, T, C_out)

    @torch.no_grad()
    def fold_logit_scale(self) -> None:
        """Move ``logit_scale`` into the query and key weights (each times its square root), leaving
        the original, unscaled layer computing exactly the same function."""
        root = self.logit_scale**0.5
        self.conv_Q.weight.mul_(root)
        self.conv_K.weight.mul_(root)
        self.logit_scale = 1.0


class HNetGRU(nn.Module):
    """Predicts association logits from a distance matrix.

    Args:
        max_len: M, the side of the (M, M) distance matrix (the maximum number of DOAs).
        hidden_size: GRU width (128 in the original).
        attn_logit_scale: factor on the attention logits during training (1.0, the original, at
            inference); ``fold_attention_scale`` turns a model trained with another into the original.
    """

    def __init__(self, max_len: int = 2, hidden_size: int = 128, attn_logit_scale: float = 1.0):
        super().__init__()
        self.max_len = max_len
        self.hidden_size = hidden_size
        self.gru = nn.GRU(input_size=max_len, hidden_size=hidden_size, num_layers=1, batch_first=True)
        self.attn = AttentionLayer(hidden_size, hidden_size, hidden_size, logit_scale=attn_logit_scale)
        self.fc1 = nn.Linear(hidden_size, max_len)

    def model_args(self) -> dict[str, int | float]:
        """Arguments that rebuild this model: ``HNetGRU(**model.model_args())``."""
        return {"max_len": self.max_len, "hidden_size": self.hidden_size, "attn_logit_scale": self.attn.logit_scale}

    def fold_attention_scale(self) -> HNetGRU:
        """Fold the attention logit scale into W_Q, W_K in place (same outputs, original layer); returns self."""
        self.attn.fold_logit_scale()
        return self

    def forward(self, dist: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Distance matrices (B, M, M), rows read as a sequence, to three sets of logits.

        Returns:
            assoc_logits (B, M*M): the association matrix, row-major.
            row_logits (B, M): max over columns per row, "row i is assigned".
            col_logits (B, M): max over rows per column, "column j is assigned".
        """
        if dist.dim() != 3 or dist.shape[1:] != (self.max_len, self.max_len):
            m = self.max_len
            raise ValueError(f"HNetGRU(max_len={m}) expects (B, {m}, {m}), got {tuple(dist.shape)}")
        h, _ = self.gru(dist)  # (B, M, H)
        h = self.attn.forward_time_major(h)  # (B, M, H)
        logits = self.fc1(torch.tanh(h))  # (B, M, M)
        return logits.flatten(1), logits.amax(dim=-1), logits.amax(dim=-2)
