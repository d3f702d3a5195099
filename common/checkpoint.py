"""Self-describing checkpoints: weights plus the plain-typed facts needed to rebuild and judge them.

A checkpoint is a dict, loadable with ``torch.load(path, weights_only=True)``::

    {"model_name": "HNetGRU", "model_args": {...}, "state_dict": {...}, "optimizer": {...} | None,
     "epoch": int, "metrics": {...}, "config": {...}, "versions": {...}}

Each system keeps its own loader that rebuilds its model from ``model_args`` (``hnet.checkpoint.load_hnet``,
``doanet.inference.load_doanet``, ...).
"""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from common.io import atomic_write


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
    """Read a checkpoint file (or a bare state_dict) with ``weights_only=True``.

    A missing path is a FileNotFoundError; a folder, a file that is not a torch checkpoint (text, a truncated
    download) or one holding something other than a dict is a ValueError with a one-line message."""
    path = Path(path)
    if path.is_dir():
        found = sorted(p.name for p in path.glob("*.pt"))[:4]
        hint = f"; it holds {', '.join(found)}" if found else ""
        raise ValueError(f"{path} is a folder, not a checkpoint file: pass a .pt file{hint}")
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} does not exist")
    try:
        ckpt = torch.load(path, map_location=device, weights_only=True)
    except Exception as err:
        reason = (str(err).strip().splitlines() or [""])[0][:200]
        raise ValueError(f"{path} is not a readable checkpoint ({type(err).__name__}: {reason})") from None
    if not isinstance(ckpt, dict):
        raise ValueError(f"{path} holds a {type(ckpt).__name__}, not a checkpoint (a dict of weights and facts)")
    return ckpt
