"""DOAnet training and evaluation.

``train(params, ...)`` reads top to bottom: data loaders, the frozen HNet, model and optimiser, resume,
then epochs (train pass, validation metrics, selection on validation LE, checkpoint, log), then the
best model on the test fold.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DistributedSampler
from tqdm import tqdm

from common.checkpoint import load_checkpoint, save_checkpoint
from common.device import pick_device
from common.io import write_json
from common.plots import plot_curves
from common.run import MetricsLog, Run, open_run, seed_everything
from common.schedules import learning_rate
from configs.doanet import DOAnetParams
from doanet import distributed
from doanet.data import make_loader
from doanet.extraction import audio_dir, load_scaler, synth_version
from doanet.losses import activity_loss, dmot_losses, fill_targets, mse_loss, pit_loss, unit_normalise
from doanet.metrics import clear_mot, original_metric
from doanet.model import CRNN, doa_to_tracks
from hnet.checkpoint import load_hnet


def build_model(params: DOAnetParams, in_channels: int) -> CRNN:
    return CRNN(
        in_channels=in_channels, max_doas=params.max_doas, nb_mel_bins=params.nb_mel_bins,
        nb_cnn2d_filt=params.nb_cnn2d_filt, t_pool=params.t_pool_size, f_pool=params.f_pool_size,
        rnn_size=params.rnn_size, nb_rnn_layers=params.nb_rnn_layers, dropout=params.dropout_rate,
        nb_fnn_layers=params.nb_fnn_layers, fnn_size=params.fnn_size,
        activity_head=params.use_hnet and not params.use_dmot_only, nb_fnn_act_layers=params.nb_fnn_act_layers,
        fnn_act_size=params.fnn_act_size, legacy_activity_tanh=params.legacy_activity_tanh,
        self_attn=params.self_attn, nb_heads=params.nb_heads,
    )


def warm_start_weights(path: str | Path, model: CRNN) -> dict[str, torch.Tensor]:
    """The weights of the saved DOAnet at ``path`` for ``model``; ValueError naming the file if its architecture
    (model_args) differs from ``model``'s."""
    ckpt = load_checkpoint(path)
    saved, wanted = ckpt.get("model_args"), model.model_args()
    if saved != wanted:
        diff = {k: (saved.get(k) if saved else None, v) for k, v in wanted.items() if not saved or saved.get(k) != v}
        raise ValueError(f"init_from={str(path)!r}: its architecture differs from this run's "
                         f"(saved, wanted): {diff}")
    return ckpt["state_dict"]


def split_labels(labels: torch.Tensor, max_doas: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, L, S*4) -> unit xyz (B, L, S, 3) (zero where inactive) and activity (B, L, S)."""
    lab = labels.unflatten(-1, (max_doas, 4))
    return lab[..., :3], lab[..., 3]


def compute_loss(doa: torch.Tensor, activity: torch.Tensor | None, labels: torch.Tensor, mask: torch.Tensor,
                 params: DOAnetParams, hnet) -> dict[str, torch.Tensor]:
    """The training objective of ``params``: dMOT (+ activity) through the HNet, or the MSE / PIT baseline."""
    pred = doa_to_tracks(doa, params.max_doas)  # (B, L, S, 3)
    xyz, active = split_labels(labels, params.max_doas)
    if not params.use_hnet:
        if params.baseline == "pit":
            return {"loss": pit_loss(pred, xyz, active, mask)}
        return {"loss": mse_loss(pred, fill_targets(xyz, active, use_hnet=False), mask)}
    ref = fill_targets(xyz, active, use_hnet=True)
    out = dmot_losses(pred, ref, active, hnet, mask, params.dMOTP_wt, params.IDS_wt, params.dmotp_norm)
    loss = out["dmotp"] + params.dMOTA_wt * out["dmota"]
    parts = {"dmotp": out["dmotp"].detach(), "dmota": out["dmota"].detach()}
    if activity is not None:
        act = activity_loss(activity, out["matched"], mask)
        loss = params.branch_weights[0] * loss + params.branch_weights[1] * act
        parts["act"] = act.detach()
    return {"loss": loss, **parts}


@torch.no_grad()
def evaluate(model: CRNN, loader, params: DOAnetParams, hnet, device: torch.device) -> dict[str, Any]:
    """Mean loss, the original's metric and gated CLEAR-MOT over every window of ``loader``."""
    model.eval()
    losses, preds, pacts, refs, racts = [], [], [], [], []
    for batch in loader:
        feats, labels, mask = batch["features"].to(device), batch["labels"].to(device), batch["mask"].to(device)
        doa, activity = model(feats)
        losses.append(float(compute_loss(doa, activity, labels, mask, params, hnet)["loss"]))
        xyz, active = split_labels(labels, params.max_doas)
        m = mask[..., None]
        preds.append(unit_normalise(doa_to_tracks(doa, params.max_doas)).cpu().numpy())
        refs.append(xyz.cpu().numpy())
        racts.append(((active > 0.5) & m).cpu().numpy())
        pact = (activity > 0) if activity is not None else torch.ones_like(active, dtype=torch.bool)
        pacts.append((pact & m).cpu().numpy())
    pred, ref = np.concatenate(preds), np.concatenate(refs)
    ref_active, pred_active = np.concatenate(racts), np.concatenate(pacts)
    has_activity = model.activity_head is not None
    model.train()
    return {
        "loss": float(np.mean(losses)),
        "original": original_metric(pred, ref, ref_active, pred_active if has_activity else None),
        "clear_mot": clear_mot(pred, ref, ref_active, pred_active),
    }


def output_stem(params: DOAnetParams, task_id: str, job_id: str) -> str:
    return f"{task_id}_{job_id}_{params.dataset}_{params.mode}_split1"


def autocast_dtype(mixed_precision: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype of the model's forward pass, or None for float32. 'auto' is float16 on CUDA only:
    on the CPU, reduced precision is slower than float32 for these convolutions and GRUs."""
    if mixed_precision == "auto":
        return torch.float16 if device.type == "cuda" else None
    return {"fp16": torch.float16, "bf16": torch.bfloat16, "off": None}[mixed_precision]


def train(params: DOAnetParams, task_id: str = "1", job_id: str = "1", device: str = "auto", fresh: bool = False,
          log=print) -> dict[str, Any]:
    """Train on the training folds, select on validation LE, report the test fold. Writes
    ``{model_dir}/{stem}_model.pt``, ``{stem}_curves.png``, ``{stem}_metrics.json`` and the run folder
    ``{run_dir}/{task}_{job}/`` (config.json, last.pt, best.pt, metrics.jsonl and tensorboard/:
    common.run.MetricsLog, one line per epoch).
    Launched by ``torchrun`` it trains with DistributedDataParallel (see doanet/distributed.py)."""
    ctx = distributed.setup(pick_device(device))
    try:
        return _train(params, task_id, job_id, ctx, fresh, log if ctx.is_main else (lambda *_: None))
    finally:
        distributed.teardown(ctx)


def _train(params: DOAnetParams, task_id: str, job_id: str, ctx: distributed.DistContext, fresh: bool,
           log) -> dict[str, Any]:
    dev = ctx.device
    # --- data and the frozen HNet (checked before anything is written) ---------------------------------
    loaders = {"train": make_loader(params, "train", rank=ctx.rank, world_size=ctx.world_size),
               "val": make_loader(params, "val"), "test": make_loader(params, "test")}
    in_channels = loaders["train"].dataset[0]["features"].shape[0]
    hnet = None
    if params.use_hnet:
        hnet, _ = load_hnet(params.hnet_checkpoint, dev, max_doas=params.max_doas, freeze=True)
    init_weights = warm_start_weights(params.init_from, build_model(params, in_channels)) if params.init_from else None
    log(f"data: {len(loaders['train'].dataset)} / {len(loaders['val'].dataset)} / {len(loaders['test'].dataset)} "
        f"train / val / test windows of {params.label_sequence_length} label frames, {in_channels} channels, on {dev}"
        + (f", {ctx.world_size} processes (DistributedDataParallel)" if ctx.enabled else ""))
    # rank 0 owns the run folder (lock, config.json, checkpoints); the other ranks only read last.pt
    with open_run(params.run_dir, params, task_id, job_id, fresh, dev, lock=ctx.is_main) as run:
        if ctx.is_main:
            run.write_config()
        return _fit(params, run, loaders, hnet, in_channels, ctx, log, init_weights)


def _fit(params: DOAnetParams, run: Run, loaders: dict, hnet, in_channels: int, ctx: distributed.DistContext,
         log, init_weights: dict[str, torch.Tensor] | None = None) -> dict[str, Any]:
    dev, config = ctx.device, run.config

    # --- model, optimiser, mixed precision, resume ---------------------------------------------------------
    seed_everything(params.train_seed)  # the same initial weights on every rank
    model = build_model(params, in_channels).to(dev)
    memory_format = torch.channels_last if params.channels_last else torch.contiguous_format
    model = model.to(memory_format=memory_format)
    optimizer = torch.optim.Adam(model.parameters(), lr=params.lr)
    amp_dtype = autocast_dtype(params.mixed_precision, dev)
    # float16 gradients underflow without loss scaling; bfloat16 has float32's range and needs none
    scaler = torch.amp.GradScaler(dev.type, enabled=amp_dtype == torch.float16)
    objective = params.baseline
    if params.use_hnet:
        objective = "dMOTP + dMOTA" + (" + activity" if model.activity_head is not None else "")
    log(f"model: CRNN, {sum(p.numel() for p in model.parameters()):,} parameters, loss {objective}, "
        f"{'autocast ' + str(amp_dtype).removeprefix('torch.') if amp_dtype else 'float32'}"
        f"{', channels-last' if params.channels_last else ''}, lr {params.lr:g} {params.lr_schedule}")
    # the training folds' normalisation travels with every saved model (doanet.inference needs it)
    scaler_arrays = load_scaler(params)
    feature_norm = {"feature_norm": {k: torch.from_numpy(scaler_arrays[k]) for k in ("mean", "std")},
                    # which generator's rooms the model learnt from (None: real data), for its card and reuse checks
                    "data_synth_versions": {base: synth_version(audio_dir(params, base) / "x.wav")
                                            for base in (params.dataset_dir, *params.extra_dataset_dirs)}}
    if init_weights is not None and run.last is None:  # a resumed run already holds its own weights
        model.load_state_dict(init_weights)
        log(f"warm start from {params.init_from}")
    start, best, history = 0, {"LE": float("inf"), "epoch": -1}, []
    last_path = run.last_path
    stem = output_stem(params, str(config["task_id"]), str(config["job_id"]))
    model_path = Path(params.model_dir) / f"{stem}_model.pt"
    if run.last is not None:
        ckpt = run.last
        model.load_state_dict(ckpt["state_dict"])
        optimizer.load_state_dict(ckpt["optimizer"])
        if ckpt.get("grad_scaler"):
            scaler.load_state_dict(ckpt["grad_scaler"])
        start, best, history = ckpt["epoch"] + 1, ckpt["best"], list(ckpt["history"])
        log(f"resumed from {last_path} at epoch {start}")
    # DDP averages the gradients over the ranks; `model` stays the bare CRNN for evaluation and checkpoints
    ddp_model = DistributedDataParallel(model) if ctx.enabled else model
    steps_per_epoch = len(loaders["train"])
    if params.quick_test:
        steps_per_epoch = min(steps_per_epoch, params.quick_test_batches)
    total_steps, warmup_steps = steps_per_epoch * params.nb_epochs, steps_per_epoch * params.warmup_epochs

    # --- epochs -------------------------------------------------------------------------------------------
    # backfill: a run folder from before metrics.jsonl gets its epochs so far from the checkpoint's history
    walls = itertools.accumulate(h["time_s"] for h in history)
    metrics_log = MetricsLog(run.dir, key="epoch", up_to=start, backfill=[
        metrics_record(h, h["epoch"] * steps_per_epoch, wall) for h, wall in zip(history, walls, strict=True)
    ]) if ctx.is_main else None
    for epoch in range(start, params.nb_epochs):
        t0 = time.perf_counter()
        model.train()
        if isinstance(loaders["train"].sampler, DistributedSampler):
            loaders["train"].sampler.set_epoch(epoch)
        sums: dict[str, float] = {}
        steps = 0
        for i, batch in enumerate(tqdm(loaders["train"], desc=f"epoch {epoch + 1}/{params.nb_epochs}", leave=False,
                                       disable=None if ctx.is_main else True)):
            if params.quick_test and i >= params.quick_test_batches:
                break
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(epoch * steps_per_epoch + i, total_steps, warmup_steps, params.lr,
                                            params.lr_schedule)
            feats = batch["features"].to(dev, memory_format=memory_format)
            labels, mask = batch["labels"].to(dev), batch["mask"].to(dev)
            with torch.autocast(dev.type, dtype=amp_dtype or torch.float32, enabled=amp_dtype is not None):
                doa, activity = ddp_model(feats)
            # the losses (cdist, the frozen HNet, BCE) in float32
            out = compute_loss(doa.float(), None if activity is None else activity.float(), labels, mask, params, hnet)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(out["loss"]).backward()
            scaler.step(optimizer)
            scaler.update()
            for k, v in out.items():
                sums[k] = sums.get(k, 0.0) + float(v.detach())
            steps += 1
        train_losses = distributed.mean_over_ranks({k: v / max(1, steps) for k, v in sums.items()}, ctx)
        t_train = time.perf_counter() - t0
        val = evaluate(model, loaders["val"], params, hnet, dev)  # every rank: the same decision below
        le = val["original"]["LE"]
        if le <= best["LE"] or best["epoch"] < 0:  # ties go to the later epoch, as the original
            best = {"LE": le, "epoch": epoch}
            if ctx.is_main:
                save_checkpoint(run.best_path, model, config=config, epoch=epoch, metrics={"val": val},
                                extra=feature_norm)
        history.append({"epoch": epoch + 1, "train": train_losses, "val_loss": val["loss"], "val": val["original"],
                        "val_clear_mot": val["clear_mot"], "time_s": time.perf_counter() - t0})
        if ctx.is_main:
            save_checkpoint(last_path, model, config=config, epoch=epoch, optimizer=optimizer,
                            extra={"best": best, "history": history, "grad_scaler": scaler.state_dict()})
            metrics_log.append(metrics_record(history[-1], steps_per_epoch * (epoch + 1),
                                              sum(h["time_s"] for h in history), optimizer.param_groups[0]["lr"]))
        o, c = val["original"], val["clear_mot"]
        log(f"epoch {epoch + 1:>3}/{params.nb_epochs} | {t_train:5.1f}s | train loss {train_losses['loss']:.4f} | "
            f"val loss {val['loss']:.4f} | LE {o['LE']:.1f} MOTA {o['MOTA']:.1f} IDS {o['IDS']} LR {o['LR']:.1f} "
            f"LP {o['LP']:.1f} LF {o['LF']:.1f} | CLEAR-MOT MOTA {c['MOTA']:.3f} MOTP {c['MOTP']:.1f} IDSW {c['IDSW']} | "
            f"best LE {best['LE']:.1f} @ {best['epoch'] + 1}")
    if metrics_log is not None:
        metrics_log.close()
    distributed.barrier(ctx)  # best.pt is complete before any rank reads it

    # --- the best epoch on the test fold ----------------------------------------------------------------------
    best_ckpt = load_checkpoint(run.best_path, dev)
    model.load_state_dict(best_ckpt["state_dict"])
    test = evaluate(model, loaders["test"], params, hnet, dev)
    metrics = {"task_id": config["task_id"], "job_id": config["job_id"], "best_epoch": best["epoch"] + 1,
               "val": best_ckpt["metrics"]["val"], "test": test, "device": str(dev), "processes": ctx.world_size,
               "train_time_s": round(sum(h["time_s"] for h in history), 1),
               "windows": {k: len(loader.dataset) for k, loader in loaders.items()}}
    if ctx.is_main:
        save_checkpoint(model_path, model, config=config, epoch=best["epoch"], metrics={"test": test},
                        extra=feature_norm)
        write_json(model_path.with_name(f"{stem}_metrics.json"), metrics)
        plot_run_curves(metrics_log.records, model_path.with_name(f"{stem}_curves.png"))
    o = test["original"]
    log(f"test (best epoch {best['epoch'] + 1}): LE {o['LE']:.1f} MOTA {o['MOTA']:.1f} LR {o['LR']:.1f} LP {o['LP']:.1f} "
        f"LF {o['LF']:.1f} | CLEAR-MOT MOTA {test['clear_mot']['MOTA']:.3f} MOTP {test['clear_mot']['MOTP']:.1f}")
    log(f"wrote {model_path} and its metrics JSON and curves PNG")
    return metrics


def metrics_record(entry: dict[str, Any], step: int, wall_s: float, lr: float | None = None) -> dict[str, Any]:
    """One epoch's line of metrics.jsonl (common.run.MetricsLog) from its ``history`` entry: the training
    losses as ``train_<name>`` (``train_loss`` the total), the validation loss, the original metrics
    (``val_LE`` ...) and CLEAR-MOT (``val_clear_mot_MOTA`` ...)."""
    record: dict[str, Any] = {"epoch": entry["epoch"], "step": step, "wall_s": round(wall_s, 2)}
    if lr is not None:
        record["lr"] = lr
    record |= {"train_loss" if k == "loss" else f"train_{k}": v for k, v in entry["train"].items()}
    record["val_loss"] = entry["val_loss"]
    record |= {f"val_{k}": entry["val"][k] for k in ("LE", "MOTA", "IDS", "LR", "LP", "LF")}
    record |= {f"val_clear_mot_{k}": entry["val_clear_mot"][k] for k in ("MOTA", "MOTP", "IDSW", "F")}
    return record


def plot_run_curves(records: list[dict[str, Any]], out: Path) -> Path:
    """A run's curves PNG from its metrics.jsonl records: losses, and the validation LE and MOTP."""
    return plot_curves(records, out, x="epoch", x_label="epoch", panels=[
        {"title": "loss", "series": [("train_loss", "train"), ("val_loss", "validation")]},
        {"title": "validation (degrees)", "series": [("val_LE", "LE"), ("val_clear_mot_MOTP", "CLEAR-MOT MOTP")]},
        {"title": "validation CLEAR-MOT MOTA", "series": [("val_clear_mot_MOTA", "")]},
    ])
