"""Self-describing checkpoints: weights plus the plain-typed facts needed to rebuild and judge them.

A checkpoint is a dict, loadable with ``torch.load(path, weights_only=True)``::

    {"model_name": "HNetGRU", "model_args": {...}, "state_dict": {...}, "optimizer": {...} | None,
     "epoch": int, "metrics": {...}, "config": {...}, "versions": {...}}

``load_model`` does the shared steps of every loader once (read with ``weights_only``, check the model name
and the keys a system needs, build from ``model_args``, load the weights, eval), with one error format
naming the file, what it holds and which script writes the expected kind; each system contributes only
its builder (``hnet.checkpoint.load_hnet``, ``doanet.inference.load_doanet``, ...).
"""

from __future__ import annotations

import platform
from collections.abc import Callable, Sequence
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


def build_from_checkpoint(ckpt: dict[str, Any], path: str | Path, model_name: str, build: Callable[[dict], nn.Module], *,
                          what: str, writer: str, device: str | torch.device = "cpu",
                          required: Sequence[str] = ()) -> tuple[nn.Module, dict[str, Any]]:
    """(model in eval mode on ``device``, ``ckpt``): ``build(ckpt["model_args"])`` with the weights loaded.

    ``what`` names the expected kind in messages ("an RnnSeparator", "a DOAnet CRNN"), ``writer`` the script
    that writes one. A checkpoint of another model, or one lacking ``model_args``, ``state_dict`` or a key of
    ``required``, is a ValueError ``<path> is not <what> checkpoint: it holds ...; expected <what>, which
    <writer> writes``; weights that do not fit are ``<path>: weights do not fit <model_name>(<args>): ...``."""
    name = ckpt.get("model_name")
    missing = [k for k in ("model_args", "state_dict", *required) if k not in ckpt]
    if name != model_name or missing:
        held = (f"a {name!r} checkpoint" if name and name != model_name else
                f"a {model_name} checkpoint without {', '.join(missing)}" if name else "no model_name")
        raise ValueError(f"{path} is not {what} checkpoint: it holds {held}; expected {what}, which {writer} writes")
    model = build(ckpt["model_args"])
    try:
        model.load_state_dict(ckpt["state_dict"])
    except RuntimeError as err:
        reason = " ".join(str(err).split())[:400]
        raise ValueError(f"{path}: weights do not fit {model_name}({ckpt['model_args']}): {reason}") from None
    return model.to(device).eval(), ckpt


def load_model(path: str | Path, model_name: str, build: Callable[[dict], nn.Module], *, what: str, writer: str,
               device: str | torch.device = "cpu", required: Sequence[str] = ()) -> tuple[nn.Module, dict[str, Any]]:
    """``load_checkpoint`` then ``build_from_checkpoint``: the one loader every system's loader wraps."""
    return build_from_checkpoint(load_checkpoint(path, device), path, model_name, build, what=what, writer=writer,
                                 device=device, required=required)
