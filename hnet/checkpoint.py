"""Self-describing checkpoints: weights plus the plain-typed facts needed to rebuild and judge them.

A checkpoint is a dict, loadable with ``torch.load(path, weights_only=True)``::

    {"model_name": "HNetGRU", "model_args": {...}, "state_dict": {...}, "optimizer": {...} | None,
     "epoch": int, "metrics": {...}, "config": {...}, "versions": {...}}

``load_hnet`` also accepts a bare ``state_dict`` such as the original repository's ``hnet_model.pt``.
"""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from hnet.io import atomic_write
from hnet.model import HNetGRU


def versions() -> dict[str, str]:
    return {"python": platform.python_version(), "torch": str(torch.__version__), "numpy": str(np.__version__)}


def save_checkpoint(
    path: str | Path, model: nn.Module, *, config: dict[str, Any], epoch: int,
    metrics: dict[str, Any] | None = None, optimizer: torch.optim.Optimizer | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Atomically write ``model`` (which must have ``model_args()``) with its training state."""
    ckpt = {
        "model_name": type(model).__name__,
        "model_args": model.model_args(),
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "epoch": int(epoch),
        "metrics": metrics or {},
        "config": config,
        "versions": versions(),
        **(extra or {}),
    }
    return atomic_write(path, lambda f: torch.save(ckpt, f))


def load_checkpoint(path: str | Path, device: str | torch.device = "cpu") -> dict[str, Any]:
    """Read a checkpoint file (or a bare state_dict) with ``weights_only=True``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} does not exist")
    try:
        return torch.load(path, map_location=device, weights_only=True)
    except Exception as err:
        raise ValueError(f"{path} is not a readable checkpoint ({type(err).__name__}: {err})") from err


def load_hnet(
    path: str | Path, device: str | torch.device = "cpu", max_doas: int | None = None, freeze: bool = False,
) -> tuple[HNetGRU, dict[str, Any]]:
    """Rebuild the HNetGRU saved at ``path``; returns the model (in eval mode) and the checkpoint dict.

    Raises ValueError naming the file when it holds another model, another ``max_doas`` than the one
    asked for, or weights of the wrong shapes.
    """
    ckpt = load_checkpoint(path, device)
    if "state_dict" not in ckpt:  # a bare state_dict, e.g. the original repository's checkpoint
        if "gru.weight_ih_l0" not in ckpt:
            raise ValueError(f"{path} holds neither an HNet checkpoint nor an HNetGRU state_dict")
        w = ckpt["gru.weight_ih_l0"]
        ckpt = {"model_name": "HNetGRU", "state_dict": ckpt,
                "model_args": {"max_len": int(w.shape[1]), "hidden_size": int(w.shape[0]) // 3}}
    if ckpt.get("model_name") != "HNetGRU":
        raise ValueError(f"{path} holds a {ckpt.get('model_name')!r} checkpoint, expected 'HNetGRU'")
    args = ckpt["model_args"]
    if max_doas is not None and args["max_len"] != max_doas:
        raise ValueError(
            f"{path} is an HNet for max_doas={args['max_len']}, expected max_doas={max_doas}; "
            f"train one with a matching task of scripts/train_hnet.py"
        )
    model = HNetGRU(**args)
    try:
        model.load_state_dict(ckpt["state_dict"])
    except RuntimeError as err:
        expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
        raise ValueError(f"{path}: weights do not fit HNetGRU({args}); expected shapes {expected}. {err}") from err
    model.to(device).eval()
    if freeze:
        model.requires_grad_(False)
    return model, ckpt
