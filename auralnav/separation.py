"""Source separation for the AuralNav agent: Asteroid's DPRNNTasNet behind a validated config.

DPRNNTasNet takes mono input only (a (B, 2, T) tensor crashes inside its masker), so the stereo mix
is **downmixed** (the mean of the two microphones) before separation, in one place, ``RnnSeparator.forward``,
which both acting and learning call: the two paths cannot disagree (the public fork separated each ear
when acting and the downmix when learning). The spatial cues are not lost: the DQN takes them from
the stereo mixture and uses the separated sources only as time-frequency masks.

Checkpoints are ``common.checkpoint`` dicts (plain ``model_args`` + ``state_dict``), loadable with
``torch.load(..., weights_only=True)``; asteroid's own ``serialize()`` stores a TorchVersion object
that ``weights_only`` refuses, and its hub download is impossible offline.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import torch
from torch import nn

from common.checkpoint import load_model, save_checkpoint


def _dprnn_class():
    from asteroid.models import DPRNNTasNet  # asteroid imports slowly (about 5 s): only when needed

    return DPRNNTasNet


def dprnn_arguments() -> dict[str, Any]:
    """DPRNNTasNet's named constructor arguments and their defaults (without ``**fb_kwargs``)."""
    sig = inspect.signature(_dprnn_class().__init__)
    return {name: p.default for name, p in sig.parameters.items()
            if name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}


def validate_separator_config(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` as plain DPRNNTasNet arguments, or a ValueError naming the bad key.

    asteroid passes unknown keyword arguments on to its filterbank, which swallows them silently (the
    public fork's ``n_blocks``, ``n_units``... were all ignored); here an unknown key is an error."""
    known = dprnn_arguments()
    unknown = sorted(set(config) - set(known))
    if unknown:
        raise ValueError(f"unknown separator parameter(s) {unknown}; DPRNNTasNet takes {sorted(known)}")
    if not isinstance(config.get("n_src"), int) or config["n_src"] < 1:
        raise ValueError(f"separator parameter 'n_src' must be a positive int, got {config.get('n_src')!r}")
    for key in ("n_filters", "kernel_size", "stride", "bn_chan", "hid_size", "chunk_size", "n_repeats"):
        if key in config and (not isinstance(config[key], int) or config[key] < 1):
            raise ValueError(f"separator parameter {key!r} must be a positive int, got {config[key]!r}")
    return dict(config)


class AsteroidSeparationModel(nn.Module):
    """DPRNNTasNet on mono input: (B, T) -> (B, n_src, T)."""

    def __init__(self, **config: Any):
        super().__init__()
        self.config = validate_separator_config(config)
        self.dprnn = _dprnn_class()(**self.config)

    @property
    def n_src(self) -> int:
        return self.config["n_src"]

    def model_args(self) -> dict[str, Any]:
        return dict(self.config)

    def forward(self, mono: torch.Tensor) -> torch.Tensor:
        if mono.dim() != 2:
            raise ValueError(f"AsteroidSeparationModel expects mono audio (B, T), got shape {tuple(mono.shape)}")
        return self.dprnn(mono)


class RnnSeparator(nn.Module):
    """The agent's separator: stereo mixture (B, C, T) -> ``{"estimated_sources": (B, n_src, T),
    "mix_audio": (B, C, T)}``, the input of ``auralnav.dqn.DQN``."""

    def __init__(self, **config: Any):
        super().__init__()
        self.model = AsteroidSeparationModel(**config)

    @property
    def n_src(self) -> int:
        return self.model.n_src

    def model_args(self) -> dict[str, Any]:
        return self.model.model_args()

    @staticmethod
    def downmix(mix: torch.Tensor) -> torch.Tensor:
        """(B, C, T) -> (B, T): the mean over microphones."""
        return mix.mean(dim=1)

    def forward(self, mix: torch.Tensor) -> dict[str, torch.Tensor]:
        if mix.dim() != 3:
            raise ValueError(f"RnnSeparator expects a batch of multichannel audio (B, C, T), got shape {tuple(mix.shape)}")
        return {"estimated_sources": self.model(self.downmix(mix)), "mix_audio": mix}


def save_separator(path: str | Path, separator: RnnSeparator, **kwargs: Any) -> Path:
    """A self-describing checkpoint of ``separator`` (see common.checkpoint.save_checkpoint for ``kwargs``)."""
    return save_checkpoint(path, separator, **{"config": {}, "epoch": 0, **kwargs})


def load_separator(path: str | Path, device: str | torch.device = "cpu") -> tuple[RnnSeparator, dict[str, Any]]:
    """(separator, checkpoint) from a file written by ``save_separator``."""
    return load_model(path, "RnnSeparator", lambda args: RnnSeparator(**args), what="an RnnSeparator",
                      writer="scripts/pretrain_separator.py", device=device)


def frozen_separator(params, device: str | torch.device = "cpu", log=print) -> tuple[RnnSeparator, dict[str, Any]]:
    """The separator an agent of ``params`` hears through, frozen: ``params.separator_checkpoint``, whose
    arguments must be ``params.separator_config()``, or (when that is "") random weights seeded by
    ``train_seed``, for smoke tests. Returns (separator, ``{"model_args", "state_dict", "path"}``) for the
    agent's checkpoint, which carries it."""
    if params.separator_checkpoint:
        separator, _ = load_separator(params.separator_checkpoint, device)
        if separator.model_args() != params.separator_config():
            raise ValueError(f"separator_checkpoint {params.separator_checkpoint} has arguments {separator.model_args()}, "
                             f"the parameters ask for {params.separator_config()}")
    else:
        log("separator_checkpoint is empty: the agent hears through an untrained separator (smoke tests only)")
        torch.manual_seed(params.train_seed)
        separator = RnnSeparator(**params.separator_config()).to(device)
    separator.eval().requires_grad_(False)
    carried = {"model_args": separator.model_args(), "path": params.separator_checkpoint,
               "state_dict": {k: v.detach().cpu() for k, v in separator.state_dict().items()}}
    return separator, carried
