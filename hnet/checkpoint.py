"""The HNet's loader: rebuild an HNetGRU from a self-describing checkpoint (``common.checkpoint``) or from
the original repository's bare ``state_dict`` (``hnet_model.pt``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from common.checkpoint import build_from_checkpoint, load_checkpoint
from hnet.model import HNetGRU


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
    trained_for = ckpt.get("model_args", {}).get("max_len", max_doas) if ckpt.get("model_name") == "HNetGRU" else max_doas
    if max_doas is not None and trained_for != max_doas:
        raise ValueError(
            f"{path} is an HNet for max_doas={trained_for}, expected max_doas={max_doas}; "
            f"train one with a matching task of scripts/train_hnet.py"
        )
    model, ckpt = build_from_checkpoint(ckpt, path, "HNetGRU", lambda args: HNetGRU(**args), what="an HNetGRU",
                                        writer="scripts/train_hnet.py", device=device)
    if freeze:
        model.requires_grad_(False)
    return model, ckpt
