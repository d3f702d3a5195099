"""Evaluate a trained HNet checkpoint on a test split: generated afresh (seeded) or read from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from common.device import pick_device
from configs.hnet import HNetParams, get_params
from hnet.checkpoint import load_hnet
from hnet.data import doanet_regime_split, generate_split, load_split
from hnet.train import ORIGINAL_FIGURES, split_report


def params_for_checkpoint(ckpt: dict[str, Any], task_id: str | None, shuffle: str | None = None,
                          **overrides: Any) -> HNetParams:
    """The task the checkpoint was trained with (or ``task_id``) with ``overrides``, checked against its
    max_doas, with the test distribution's ``shuffle`` ('one_axis' is the original's) if given."""
    config = ckpt.get("config") or {}
    params = get_params(task_id or config.get("task_id", "1"), **({"shuffle": shuffle} if shuffle else {}), **overrides)
    if params.max_doas != ckpt["model_args"]["max_len"]:
        raise ValueError(
            f"task {task_id or config.get('task_id', '1')} has max_doas={params.max_doas} but the checkpoint "
            f"is an HNet for max_doas={ckpt['model_args']['max_len']}; pass a matching task id"
        )
    return params


def load_test_split(params: HNetParams, seed: int | None = None, data: str | Path | None = None) -> dict[str, Any]:
    """The split at ``data``, or a freshly generated test split of ``params`` with ``seed``."""
    if data is not None:
        split = load_split(data)
        if split["dist"].shape[-1] != params.max_doas:
            raise ValueError(f"{data} holds {split['dist'].shape[-1]}x{split['dist'].shape[-1]} matrices, "
                             f"expected max_doas={params.max_doas}")
        return split
    split = generate_split(params, "test", seed)
    split["meta"] = {"generated": True, "seed": params.seed if seed is None else seed}
    return split


def doanet_regime_report(model, max_doas: int, seed: int, device, n: int = 20_000) -> dict[str, dict[str, float]]:
    """Exact accuracy where DOAnet uses the HNet: rows = all M predictions, columns = k references
    plus fills, for every k, with random predictions, predictions within ~5 degrees, and exactly right
    predictions (D = 0 on the matched pairs)."""
    import torch

    from hnet.train import predict_proba

    out: dict[str, dict[str, float]] = {"random": {}, "near_5deg": {}, "exact": {}}
    for name, near in (("random", None), ("near_5deg", 5.0), ("exact", 0.0)):
        for k in range(max_doas + 1):
            split = doanet_regime_split(max_doas, k, n, seed, near)
            probs = predict_proba(model, torch.as_tensor(split["dist"], device=device))
            out[name][str(k)] = float(np.mean(np.all((probs > 0.5) == split["assoc"].astype(bool), axis=(1, 2))))
    return out


def evaluate_checkpoint(
    checkpoint: str | Path, task_id: str | None = None, seed: int | None = None, data: str | Path | None = None,
    device: str = "auto", shuffle: str = "one_axis", **overrides: Any,
) -> dict[str, Any]:
    """Every metric of hnet.metrics for ``checkpoint`` on a test split, as one JSON-ready dict.

    Without ``data`` the split is generated with ``seed`` and ``shuffle``: 'one_axis' is the original's
    distribution (rows or columns permuted), 'both' ours (rows and columns).

    The original's weighted F1 weights each cell by its positive rate in the evaluated split (the
    original used the training split's, which has the same distribution).
    """
    dev = pick_device(device)
    model, ckpt = load_hnet(checkpoint, dev)
    params = params_for_checkpoint(ckpt, task_id, shuffle, **overrides)
    split = load_test_split(params, seed, data)
    cell_weights = split["assoc"].reshape(len(split["assoc"]), -1).mean(0)
    report = split_report(model, split, dev, cell_weights)
    report["checkpoint"] = str(checkpoint)
    report["data"] = str(data) if data is not None else (
        f"generated test split of task {ckpt.get('config', {}).get('task_id', task_id)}, seed {split['meta']['seed']}, "
        f"shuffle {params.shuffle}")
    report["original_figures"] = ORIGINAL_FIGURES
    report["loss"] = [float(x) for x in report["loss"]]
    report["doanet_regime"] = doanet_regime_report(model, params.max_doas, seed or 0, dev)
    report["cell_weights"] = np.round(cell_weights, 4).tolist()
    return report
