"""Training the heatmap ball detector (``headernet.heatmap``) on hard synthetic games, on one CPU thread.

Data: the frames of the training games as the builder sees them (decoded from the H.264 videos), every
``frame_stride``-th, held in memory with their sidecar's ball centre and ``ball_visible``. A batch is
``batch_size`` crops of ``crop`` pixels: ``ball_crop_fraction`` of them over a visible ball (anywhere in the
crop but its 8-pixel border), the rest anywhere (mostly no ball: socks, lines, spots, the crowd), flipped
left-right at random, with a little brightness and contrast jitter. Targets: a Gaussian heatmap over the
cells of 2 px, 1 at the ball's cell, and the centre's offset inside that cell.

Loss: CenterNet's focal loss on the heatmap plus ``offset_weight`` x L1 of the offset at the ball's cell.
AdamW with a linear warm-up and a cosine decay (``lr_at``). Every ``eval_every`` steps: the score and the
centre of the best peak of every validation frame, the threshold with the best 3 px F1 on them, a line in
``metrics.jsonl``, ``last.pt`` (resume) and, when the F1 is the best so far, ``best.pt``. A rerun continues
until ``steps`` or ``budget_s`` of wall time in all; ``curve.png`` is drawn from ``metrics.jsonl``.
"""

from __future__ import annotations

import math
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch

from common.io import atomic_write
from common.run import MetricsLog
from configs.headernet import HeatmapParams
from headernet.ball_eval import Frames, choose_threshold, f1
from headernet.heatmap import (
    STRIDE,
    BallHeatmapNet,
    focal_heatmap_loss,
    load_heatmap_net,
    peaks,
    save_heatmap_detector,
    to_input,
)

BORDER = 8
"""A ball-centred crop keeps the ball this many pixels inside its edges."""


def lr_at(step: int, params: HeatmapParams) -> float:
    """Linear warm-up over warmup_steps, then cosine decay to 5% of lr at ``steps``."""
    if step < params.warmup_steps:
        return params.lr * (step + 1) / params.warmup_steps
    progress = min(1.0, (step - params.warmup_steps) / max(1, params.steps - params.warmup_steps))
    return params.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))


def heat_targets(local: np.ndarray, present: np.ndarray, crop: int, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Targets for a batch: heatmaps (B, crop/2, crop/2) and offsets (B, 2) (dx, dy of the ball in its cell).

    ``local`` (B, 2): ball centres in crop pixels (edge coordinates); ``present`` (B,): a ball is in the crop."""
    cells = crop // STRIDE
    heat = np.zeros((len(local), cells, cells), np.float32)
    offsets = np.zeros((len(local), 2), np.float32)
    ii, jj = np.mgrid[0:cells, 0:cells]
    for b in np.flatnonzero(present):
        j, i = (np.floor(local[b] / STRIDE).astype(int)).clip(0, cells - 1)
        heat[b] = np.exp(-((jj - j) ** 2 + (ii - i) ** 2) / (2 * sigma**2))
        heat[b, i, j] = 1.0
        offsets[b] = local[b] / STRIDE - (j, i) - 0.5
    return heat, offsets


def sample_batch(frames: Frames, rng: np.random.Generator, params: HeatmapParams) -> dict[str, np.ndarray]:
    """One batch of crops and targets (see the module docstring)."""
    n, h, w = frames.images.shape[:3]
    c, b = params.crop, params.batch_size
    with_ball = np.flatnonzero(frames.visible)
    crops = np.empty((b, c, c, 3), np.uint8)
    local = np.zeros((b, 2))
    present = np.zeros(b, bool)
    for k in range(b):
        if len(with_ball) and rng.random() < params.ball_crop_fraction:
            i = int(rng.choice(with_ball))
            cx, cy = frames.centres[i]
            ox = int(np.clip(math.floor(cx) - rng.integers(BORDER, c - BORDER), 0, w - c))
            oy = int(np.clip(math.floor(cy) - rng.integers(BORDER, c - BORDER), 0, h - c))
        else:
            i = int(rng.integers(n))
            ox, oy = int(rng.integers(w - c + 1)), int(rng.integers(h - c + 1))
        crop = frames.images[i, oy: oy + c, ox: ox + c]
        lx, ly = frames.centres[i] - (ox, oy)
        if rng.random() < 0.5:
            crop, lx = crop[:, ::-1], c - lx
        crops[k] = crop
        local[k] = lx, ly
        present[k] = frames.visible[i] and 0 <= lx < c and 0 <= ly < c
    gain = rng.uniform(0.85, 1.15, (b, 1, 1, 1))
    bias = rng.uniform(-10, 10, (b, 1, 1, 1))
    crops = np.clip(crops * gain + bias, 0, 255).astype(np.uint8)
    heat, offsets = heat_targets(local, present, c, params.heat_sigma_cells)
    return {"images": crops, "heat": heat, "offsets": offsets, "present": present, "local": local}


def batch_loss(model: BallHeatmapNet, batch: dict[str, np.ndarray], params: HeatmapParams,
               device: torch.device) -> tuple[torch.Tensor, dict[str, float]]:
    out = model(to_input(batch["images"]).to(device))  # (B, 3, c/2, c/2)
    heat = torch.from_numpy(batch["heat"]).to(device)
    focal = focal_heatmap_loss(out[:, 0], heat)
    loss, offset = focal, torch.zeros((), device=device)
    present = torch.from_numpy(batch["present"]).to(device)
    if present.any():
        cells = torch.from_numpy(np.floor(batch["local"] / STRIDE).astype(np.int64)).clamp(0, out.shape[-1] - 1).to(device)
        rows = torch.arange(len(cells), device=device)[present]
        j, i = cells[present, 0], cells[present, 1]
        pred = torch.stack([out[rows, 1, i, j], out[rows, 2, i, j]], -1)
        offset = torch.abs(pred - torch.from_numpy(batch["offsets"]).to(device)[present]).mean()
        loss = focal + params.offset_weight * offset
    return loss, {"focal": float(focal.detach()), "offset": float(offset.detach())}


@torch.no_grad()
def locate_frames(model: BallHeatmapNet, frames: Frames, device: torch.device, batch: int = 16
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(scores (N,), centres (N, 2)) of the best peak of each frame."""
    model.eval()
    scores, centres = [], []
    h, w = frames.images.shape[1:3]
    for i in range(0, len(frames), batch):
        s, c = peaks(model(to_input(frames.images[i: i + batch]).to(device)), h, w)
        scores.append(s)
        centres.append(c)
    model.train()
    return np.concatenate(scores), np.concatenate(centres)


def evaluate_on(model: BallHeatmapNet, frames: Frames, device: torch.device) -> dict[str, Any]:
    """The validation figures at the threshold with the best 3 px F1 on ``frames``."""
    scores, centres = locate_frames(model, frames, device)
    threshold, m = choose_threshold(scores, centres, frames.centres, frames.visible, frames.images.shape[1])
    return {**m, "f1_3px": f1(m), "threshold": threshold}


def mean_ball_px(videos: list[Path]) -> float:
    """The mean ball diameter (224p pixels) in the games' sidecars: the size of the boxes the detector reports."""
    from headernet.ball_training import sidecar_path

    sizes = []
    for video in videos:
        with np.load(sidecar_path(video)) as z:
            sizes.append(float(np.mean(z["ball_xyxy"][:, 2] - z["ball_xyxy"][:, 0])))
    return float(np.mean(sizes))


def train_heatmap_detector(params: HeatmapParams, run, train: Frames, valid: Frames, ball_px: float,
                           device: torch.device | str = "cpu", log=print) -> list[dict[str, Any]]:
    """Train (or continue) the run ``run`` (``common.run.open_run``); returns the metrics.jsonl records."""
    device = torch.device(device)
    torch.manual_seed(params.seed)
    model = BallHeatmapNet(params.channels).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=params.lr, weight_decay=params.weight_decay)
    step, wall_used, best_f1 = run.resume(model, optimizer, "best_f1", "step", log)
    log_ = MetricsLog(run.dir, "step", up_to=step)
    t_start, losses = time.perf_counter(), []

    from tqdm import tqdm

    bar = tqdm(total=params.steps, initial=step, desc="heatmap steps", disable=None)
    while step < params.steps and wall_used + (time.perf_counter() - t_start) < params.budget_s:
        # --- one optimizer step on a fresh batch (seeded by the step: a resumed run draws the same) -------
        batch = sample_batch(train, np.random.default_rng([params.seed, step]), params)
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, params)
        loss, _ = batch_loss(model, batch, params, device)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
        step += 1
        bar.update(1)

        # --- validation, log line, checkpoints ----------------------------------------------------------
        if step % params.eval_every == 0 or step == params.steps:
            wall = wall_used + time.perf_counter() - t_start
            val = evaluate_on(model, valid, device)
            record = {"step": step, "wall_s": round(wall, 1), "train_loss": float(np.mean(losses[-params.eval_every:])),
                      "lr": lr_at(step - 1, params), **{f"val_{k}": v for k, v in val.items()}}
            log_.append(record)
            bar.set_postfix(loss=f"{record['train_loss']:.3f}", f1=f"{val['f1_3px']:.3f}")
            best_f1 = run.save_best_and_last(
                partial(save_heatmap_detector, model=model, config=run.config, step=step, threshold=val["threshold"],
                        ball_px=ball_px),
                val["f1_3px"], best_f1, record, "best_f1", optimizer)
    bar.close()
    log_.close()
    if log_.records:
        plot_metrics(log_.records, run.dir / "curve.png")
    return log_.records


def plot_metrics(records: list[dict[str, Any]], out: Path) -> Path:
    """Training loss and the validation 3 px figures against wall time."""
    from common.plots import plot_curves

    return plot_curves(records, out, "wall_s", "training time (min)", x_scale=1 / 60, panels=[
        {"title": "loss", "series": [("train_loss", "")], "ylabel": "train loss (focal + offset)", "yscale": "log"},
        {"title": "validation games (threshold: best F1)", "ylim": (0, 1.02), "goal": 0.95,
         "series": [("val_recall_3px", "recall 3 px"), ("val_precision_3px", "precision 3 px"),
                    ("val_no_ball_false_positive_rate", "no-ball false positives")]}])


def export_best(run_dir: Path, out: Path) -> dict[str, Any]:
    """Copy the run's best.pt to ``out`` (the shipped detector) atomically; returns its checkpoint."""
    _, ckpt = load_heatmap_net(run_dir / "best.pt")
    atomic_write(out, lambda f: f.write((run_dir / "best.pt").read_bytes()))
    return ckpt
