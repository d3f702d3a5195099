"""Training and evaluation of HNetGRU on the generated splits.

``train(params, ...)`` reads top to bottom: data onto the device, model and optimiser, resume, then one
loop of epochs (learning rate, train pass, validation, checkpoint, log), then the final test report.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from common import schedules
from common.checkpoint import save_checkpoint
from common.device import pick_device
from common.io import write_json
from common.plots import plot_curves
from common.run import MetricsLog, Run, open_run
from configs.hnet import HNetParams
from hnet.checkpoint import load_hnet
from hnet.data import data_signature, load_split, split_path
from hnet.metrics import association_report
from hnet.model import HNetGRU

# The original checkpoint's figures on the original's test distribution (shared/reference, measured):
# training "passes the original" once validation beats all three.
ORIGINAL_FIGURES = {"exact_acc": 0.9941, "pos_f1": 0.9957, "worst_case": 0.9856}


def learning_rate(step: int, total_steps: int, warmup_steps: int, params: HNetParams) -> float:
    """HNet's learning rate at ``step``: ``params.lr_schedule`` of common.schedules with its lr and floor."""
    return schedules.learning_rate(step, total_steps, warmup_steps, params.lr, params.lr_schedule, params.lr_min_ratio)


def targets(assoc: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The three targets from association matrices (B, M, M): flattened (B, M*M), row sums (B, M),
    column sums (B, M)."""
    return assoc.flatten(1), assoc.sum(-1), assoc.sum(-2)


def hnet_losses(outputs: tuple[torch.Tensor, ...], assoc: torch.Tensor) -> torch.Tensor:
    """The three summed BCE-with-logits losses, stacked: (3,)."""
    return torch.stack([
        F.binary_cross_entropy_with_logits(out, tgt, reduction="sum")
        for out, tgt in zip(outputs, targets(assoc), strict=True)
    ])


@torch.no_grad()
def predict_proba(model: HNetGRU, dist: torch.Tensor, batch_size: int = 8192) -> np.ndarray:
    """Association probabilities sigmoid(logits): (N, M, M) distances -> (N, M, M) numpy."""
    was_training = model.training
    model.eval()
    m = model.max_len
    probs = [torch.sigmoid(model(dist[i:i + batch_size])[0]).view(-1, m, m).cpu() for i in range(0, len(dist), batch_size)]
    model.train(was_training)
    return torch.cat(probs).numpy() if probs else np.zeros((0, m, m), np.float32)


@torch.no_grad()
def evaluate(model: HNetGRU, dist: torch.Tensor, assoc: torch.Tensor, batch_size: int = 8192) -> dict[str, Any]:
    """Per-example losses (l1, l2, l3) and the 0/1 predicted matrices at threshold 0.5.

    dist, assoc: (N, M, M) tensors on the model's device. Returns ``{"loss": [l1, l2, l3] per example,
    "pred": (N, M, M) uint8 numpy}``.
    """
    was_training = model.training
    model.eval()
    m = model.max_len
    losses = torch.zeros(3, device=dist.device)
    preds = []
    for i in range(0, len(dist), batch_size):
        outputs = model(dist[i:i + batch_size])
        losses += hnet_losses(outputs, assoc[i:i + batch_size])
        preds.append((outputs[0] > 0).view(-1, m, m).to(torch.uint8).cpu())  # sigmoid > 0.5
    model.train(was_training)
    pred = torch.cat(preds).numpy() if preds else np.zeros((0, m, m), np.uint8)
    return {"loss": (losses / max(1, len(dist))).tolist(), "pred": pred}


def split_report(model: HNetGRU, split: dict[str, Any], device: torch.device, cell_weights: np.ndarray) -> dict[str, Any]:
    """Evaluate ``model`` on a loaded split and return every metric (see hnet.metrics)."""
    dist = torch.as_tensor(split["dist"], dtype=torch.float32, device=device)
    assoc = torch.as_tensor(split["assoc"], dtype=torch.float32, device=device)
    result = evaluate(model, dist, assoc)
    report = association_report(
        result["pred"], split["assoc"], split["nb_ref"], split["nb_pred"], cell_weights,
        split["resolution"], split["random_fill"],
    )
    report["loss"] = result["loss"]
    return report


def passes_original(report: dict[str, Any]) -> bool:
    return (report["exact_acc"] >= ORIGINAL_FIGURES["exact_acc"] and report["pos_f1"] >= ORIGINAL_FIGURES["pos_f1"]
            and report["worst_case"][1] >= ORIGINAL_FIGURES["worst_case"])


def train_step(
    model: HNetGRU, optimizer: torch.optim.Optimizer, dist: torch.Tensor, assoc: torch.Tensor, lr: float,
    loss_weights: torch.Tensor,
) -> torch.Tensor:
    """One Adam step on a batch (B, M, M); returns the three summed losses (3,), detached."""
    for group in optimizer.param_groups:
        group["lr"] = lr
    losses = hnet_losses(model(dist), assoc)
    optimizer.zero_grad(set_to_none=True)
    (losses * loss_weights).sum().backward()
    optimizer.step()
    return losses.detach()


def init_run(params: HNetParams, seed: int, device: torch.device) -> tuple[HNetGRU, torch.optim.Optimizer, torch.Generator]:
    """Model, optimiser and batch-order generator of one initialisation seed."""
    torch.manual_seed(seed)
    model = HNetGRU(params.max_doas, params.hidden_size, attn_logit_scale=params.train_attn_logit_scale).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=params.lr)
    return model, optimizer, torch.Generator(device="cpu").manual_seed(seed)


def choose_init_seed(
    params: HNetParams, train_dist: torch.Tensor, train_assoc: torch.Tensor, val: dict[str, Any],
    cell_weights: np.ndarray, total_steps: int, warmup_steps: int, log=print,
) -> int:
    """Best of ``params.init_trials`` seeds after ``init_trial_steps`` steps each, by validation exact
    accuracy. Each trial runs exactly the first steps the full run will repeat from that seed."""
    if params.init_trials == 1:
        return params.train_seed
    dev = train_dist.device
    loss_weights = torch.tensor(params.loss_weights, device=dev)
    steps = min(params.init_trial_steps, len(train_dist) // params.batch_size)
    scores = {}
    for seed in range(params.train_seed, params.train_seed + params.init_trials):
        model, optimizer, generator = init_run(params, seed, dev)
        order = torch.randperm(len(train_dist), generator=generator).to(dev)
        for step in range(steps):
            idx = order[step * params.batch_size:(step + 1) * params.batch_size]
            lr = learning_rate(step, total_steps, warmup_steps, params)
            train_step(model, optimizer, train_dist[idx], train_assoc[idx], lr, loss_weights)
        report = split_report(model, val, dev, cell_weights)
        scores[seed] = report["exact_acc"]
        log(f"init trial seed {seed}: val exact {scores[seed]:.4f}, worst case {report['worst_case'][0]}="
            f"{report['worst_case'][1]:.4f} after {steps} steps")
    best = max(scores, key=scores.get)
    log(f"continuing from seed {best}")
    return best


def _load_data(params: HNetParams, task_id: str) -> dict[str, dict[str, Any]]:
    hint = f"python3 scripts/generate_hnet_data.py {task_id}"
    data = {s: load_split(split_path(params.data_dir, s), hint) for s in ("train", "val", "test")}
    expected = data_signature(params)
    for name, split in data.items():
        if split["meta"]["signature"] != expected:
            raise ValueError(
                f"{split_path(params.data_dir, name)} was generated with {split['meta']['signature']}, "
                f"but task {task_id} expects {expected}; regenerate with `{hint} --force`"
            )
    return data


def train(
    params: HNetParams, task_id: str = "1", job_id: str = "1", device: str = "auto", fresh: bool = False,
    log=print,
) -> dict[str, Any]:
    """Train HNetGRU on ``params.data_dir``; resume from the run's ``last.pt`` unless ``fresh``.

    Writes ``{run_dir}/{task}_{job}/`` (config.json, last.pt, best.pt, metrics.jsonl + tensorboard/, metrics.json,
    curves.png) and exports the best model to ``{model_dir}/{model_name}`` with its metrics JSON.
    Returns the test report of the best epoch.
    """
    dev = pick_device(device)
    # --- data, checked before anything is written ------------------------------------------------------
    data = _load_data(params, task_id)
    n_train = len(data["train"]["dist"])
    if n_train // params.batch_size == 0:
        raise ValueError(f"batch_size {params.batch_size} exceeds the {n_train} training examples in {params.data_dir}")
    with open_run(params.run_dir, params, task_id, job_id, fresh, dev) as run:
        run.write_config()
        return _fit(params, run, data, dev, log)


def _fit(params: HNetParams, run: Run, data: dict[str, dict[str, Any]], dev: torch.device, log) -> dict[str, Any]:
    run_dir, config = run.dir, run.config
    # whole splits as tensors on the device (no per-item DataLoader overhead)
    train_dist = torch.as_tensor(data["train"]["dist"], dtype=torch.float32, device=dev)  # (N, M, M)
    train_assoc = torch.as_tensor(data["train"]["assoc"], dtype=torch.float32, device=dev)  # (N, M, M)
    n_train = len(train_dist)
    # positive rate per cell of the training set: the original's F1 sample weights (M*M,)
    cell_weights = data["train"]["assoc"].reshape(n_train, -1).mean(0)
    steps_per_epoch = n_train // params.batch_size  # drop_last, as the original
    total_steps = steps_per_epoch * params.nb_epochs
    warmup_steps = steps_per_epoch * params.warmup_epochs
    log(f"data: {n_train:,} train / {len(data['val']['dist']):,} val / {len(data['test']['dist']):,} test examples "
        f"on {dev}; {steps_per_epoch} steps per epoch")

    # --- resume, or choose an initialisation ---------------------------------------------------------
    loss_weights = torch.tensor(params.loss_weights, device=dev)
    last_path, best_path = run.last_path, run.best_path
    ckpt = run.last
    if ckpt is not None:
        seed = ckpt["init_seed"]
    else:
        seed = choose_init_seed(params, train_dist, train_assoc, data["val"], cell_weights, total_steps, warmup_steps, log)
    model, optimizer, generator = init_run(params, seed, dev)
    log(f"model: HNetGRU({model.model_args()}), {sum(p.numel() for p in model.parameters()):,} parameters")
    start_epoch, best, history, passed_at = 0, {"score": -1.0, "epoch": -1}, [], None
    if ckpt is not None:
        model.load_state_dict(ckpt["state_dict"])
        optimizer.load_state_dict(ckpt["optimizer"])
        start_epoch, best, history = ckpt["epoch"] + 1, ckpt["best"], list(ckpt["history"])
        passed_at = ckpt.get("passed_original_at")
        generator.set_state(ckpt["generator_state"])  # the batch order continues where it stopped
        log(f"resumed from {last_path} at epoch {start_epoch}")
    history = [_as_record(h) for h in history]
    elapsed = history[-1]["wall_s"] if history else 0.0
    # backfill: a run folder from before metrics.jsonl (it had history.jsonl) gets its epochs so far
    metrics_log = MetricsLog(run_dir, key="epoch", up_to=start_epoch, backfill=history)

    # --- epochs ---------------------------------------------------------------------------------------
    for epoch in range(start_epoch, params.nb_epochs):
        t0 = time.perf_counter()
        model.train()
        order = torch.randperm(n_train, generator=generator).to(dev)
        running = torch.zeros(3, device=dev)
        bar = tqdm(range(steps_per_epoch), desc=f"epoch {epoch + 1}/{params.nb_epochs}", leave=False, disable=None)
        for step in bar:
            lr = learning_rate(epoch * steps_per_epoch + step, total_steps, warmup_steps, params)
            idx = order[step * params.batch_size:(step + 1) * params.batch_size]
            running += train_step(model, optimizer, train_dist[idx], train_assoc[idx], lr, loss_weights)
        train_loss = (running / (steps_per_epoch * params.batch_size)).tolist()
        t_train = time.perf_counter() - t0

        # validation, model selection on it (never on test)
        t1 = time.perf_counter()
        val = split_report(model, data["val"], dev, cell_weights)
        t_val = time.perf_counter() - t1
        elapsed += t_train + t_val
        score = val[params.select_metric]
        if score > best["score"]:
            best = {"score": score, "epoch": epoch}
            save_checkpoint(best_path, model, config=config, epoch=epoch, metrics={"val": val})
        if passed_at is None and passes_original(val):
            passed_at = {"epoch": epoch + 1, "elapsed_s": round(elapsed, 1)}
        # one line of metrics.jsonl (common.run.MetricsLog): losses summed over the three heads, and per head
        history.append({
            "epoch": epoch + 1, "step": (epoch + 1) * steps_per_epoch, "wall_s": round(elapsed, 2), "lr": lr,
            "train_loss": sum(train_loss), "train_loss_heads": train_loss, "val_loss": sum(val["loss"]),
            "val_loss_heads": val["loss"], "val_exact_acc": val["exact_acc"], "val_pos_f1": val["pos_f1"],
            "val_weighted_f1": val["weighted_f1"], "val_worst_case": val["worst_case"], "time_train_s": t_train,
            "time_val_s": t_val,
        })
        metrics_log.append(history[-1])
        save_checkpoint(last_path, model, config=config, epoch=epoch, optimizer=optimizer,
                        extra={"best": best, "history": history, "passed_original_at": passed_at, "init_seed": seed,
                               "generator_state": generator.get_state()})
        log(f"epoch {epoch + 1:>4}/{params.nb_epochs} | {t_train:5.1f}s train {t_val:4.1f}s val | lr {lr:.2e} | "
            f"train loss {sum(train_loss):.4f} ({', '.join(f'{x:.4f}' for x in train_loss)}) | "
            f"val loss {sum(val['loss']):.4f} | val exact {val['exact_acc']:.4f} pos_f1 {val['pos_f1']:.4f} "
            f"wF1 {val['weighted_f1']:.4f} worst {val['worst_case'][0]}={val['worst_case'][1]:.4f} | "
            f"best {params.select_metric} {best['score']:.4f} @ {best['epoch'] + 1}")

    # --- final report on the test split with the best epoch -----------------------------------------
    model, best_ckpt = load_hnet(best_path, dev)
    test = split_report(model, data["test"], dev, cell_weights)
    metrics = {
        "task_id": config["task_id"], "job_id": config["job_id"], "device": str(dev), "best_epoch": best["epoch"] + 1,
        "select_metric": params.select_metric, "val": best_ckpt["metrics"]["val"], "test": test,
        "train_time_s": round(elapsed, 1), "passed_original_at": passed_at, "original_figures": ORIGINAL_FIGURES,
    }
    write_json(run_dir / "metrics.json", metrics)
    # exported as the original architecture: the training-time attention scale folded into W_Q, W_K
    model_path = Path(params.model_dir) / "hnet_model.pt"
    save_checkpoint(model_path, model.fold_attention_scale(), config=config, epoch=best["epoch"],
                    metrics={"val": metrics["val"], "test": test})
    write_json(Path(params.model_dir) / "hnet_metrics.json", metrics)
    metrics_log.close()
    plot_run_curves(metrics_log.records, run_dir / "curves.png", ORIGINAL_FIGURES["exact_acc"])
    log(f"best epoch {best['epoch'] + 1}: test exact {test['exact_acc']:.4f} pos_f1 {test['pos_f1']:.4f} "
        f"wF1 {test['weighted_f1']:.4f} worst {test['worst_case'][0]}={test['worst_case'][1]:.4f}")
    log(f"wrote {model_path}, {Path(params.model_dir) / 'hnet_metrics.json'} and {run_dir}/")
    return metrics


def _as_record(entry: dict[str, Any]) -> dict[str, Any]:
    """A history entry of a checkpoint written before metrics.jsonl (per-head loss lists, ``elapsed_s``) in
    today's keys; today's entries unchanged."""
    if not isinstance(entry.get("train_loss"), list):
        return entry
    return {**entry, "wall_s": entry["elapsed_s"], "train_loss": sum(entry["train_loss"]),
            "train_loss_heads": entry["train_loss"], "val_loss": sum(entry["val_loss"]), "val_loss_heads": entry["val_loss"]}


def plot_run_curves(records: list[dict[str, Any]], out: Path, reference_exact_acc: float) -> Path:
    """A run's curves PNG from its metrics.jsonl records: losses (three heads summed) and validation accuracy,
    with the original checkpoint's exact accuracy as a dotted line."""
    return plot_curves(records, out, x="epoch", x_label="epoch", panels=[
        {"title": "BCE per example (3 heads)", "series": [("train_loss", "train"), ("val_loss", "validation")],
         "yscale": "log"},
        {"title": "validation", "series": [("val_exact_acc", "exact accuracy"), ("val_pos_f1", "positive F1")],
         "goal": reference_exact_acc},
    ])
