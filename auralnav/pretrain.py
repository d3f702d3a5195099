"""Pretraining the separator with a permutation-invariant SI-SDR loss on mixtures from the environment.

A mixture is what the agent hears after a seeded ``reset`` (a new room layout, new source variants, a
new start); the targets are each source's image at the microphones (``info["images"]``), downmixed like
the separator's input, so the separator learns exactly the task it faces when acting. Held-out
mixtures come from seeds the training never draws; the report is the SI-SDR improvement over the
unprocessed (downmixed) mixture, each estimate matched to its source by the best permutation. Windows
in which a source is silent (a phone between rings: about a quarter of them) are left out of both.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from auralnav.separation import RnnSeparator, save_separator
from common.io import write_json
from common.plots import plot_curves
from common.run import MetricsLog, open_run, seed_everything
from configs.auralnav import AuralNavParams

HELD_OUT_SEED = 10**9  # held-out mixtures use seeds from here on; training seeds stay far below
MIN_SOURCE_DB = -30.0  # windows with a source this far below the loudest are not used (see mixtures)


def mixtures(env, seeds, n: int | None = None, min_source_db: float | None = MIN_SOURCE_DB
             ) -> tuple[torch.Tensor, torch.Tensor]:
    """Mixtures (B, 2, N) and downmixed per-source targets (B, S, N) from ``env`` reset with ``seeds``
    (``env`` must return images: AudioEnv(return_images=True)).

    A window where a source is silent (a phone between rings) has no SI-SDR to speak of, and its
    hopeless term would dominate the loss: with ``min_source_db``, windows where the quietest source is
    more than that many dB below the loudest are skipped, and seeds are drawn until ``n`` are kept."""
    mixes, targets = [], []
    for seed in seeds:
        obs, info = env.reset(seed=int(seed))
        target = info["images"].mean(axis=1)  # (S, 2, N) -> (S, N), as RnnSeparator.downmix
        if min_source_db is not None:
            energy = (target.astype(np.float64) ** 2).sum(axis=1)
            if 10 * np.log10(energy.min() / max(energy.max(), 1e-20) + 1e-20) < min_source_db:
                continue
        mixes.append(obs["audio"])
        targets.append(target)
        if n is not None and len(mixes) == n:
            break
    if n is not None and len(mixes) < n:
        raise ValueError(f"only {len(mixes)} of {n} windows had every source within {min_source_db} dB")
    return torch.from_numpy(np.stack(mixes)), torch.from_numpy(np.stack(targets))


def si_sdr(estimate: torch.Tensor, target: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Scale-invariant SDR in dB over the last axis (zero-mean signals)."""
    estimate = estimate - estimate.mean(-1, keepdim=True)
    target = target - target.mean(-1, keepdim=True)
    scale = (estimate * target).sum(-1, keepdim=True) / (target.pow(2).sum(-1, keepdim=True) + eps)
    projection = scale * target
    noise = estimate - projection
    return 10 * torch.log10(projection.pow(2).sum(-1) / (noise.pow(2).sum(-1) + eps) + eps)


def best_permutation_si_sdr(estimates: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """(B, S, T), (B, S, T) -> (B, S): SI-SDR of each target against its estimate under the best permutation."""
    from itertools import permutations

    n = targets.shape[1]
    pair = si_sdr(estimates[:, None], targets[:, :, None])  # (B, S target, S estimate)
    scores = torch.stack([pair[:, torch.arange(n), torch.tensor(perm)] for perm in permutations(range(n))], 1)
    best = scores.mean(-1).argmax(1)  # (B,)
    return scores[torch.arange(len(best)), best]


@torch.no_grad()
def evaluate_separator(separator: RnnSeparator, mix: torch.Tensor, targets: torch.Tensor,
                       batch_size: int = 8) -> dict[str, float]:
    """Mean SI-SDR of the estimates and of the unprocessed downmix, and their difference (SI-SDRi), in dB."""
    separator.eval()
    device = next(separator.parameters()).device
    est = torch.cat([separator(mix[i:i + batch_size].to(device))["estimated_sources"].cpu()
                     for i in range(0, len(mix), batch_size)])
    separator.train()
    mono = RnnSeparator.downmix(mix)[:, None].expand_as(targets)
    sdr, base = best_permutation_si_sdr(est, targets), si_sdr(mono, targets)
    return {"si_sdr_db": float(sdr.mean()), "mixture_si_sdr_db": float(base.mean()),
            "si_sdri_db": float((sdr - base).mean()), "mixtures": len(mix)}


def _held_out_record(step: int, wall_s: float, report: dict[str, Any]) -> dict[str, Any]:
    return {"step": step, "wall_s": round(wall_s, 1), **{f"val_{k}": v for k, v in report.items() if k != "mixtures"}}


def pretrain_separator(params: AuralNavParams, task_id: str = "1", device: torch.device | str = "cpu",
                       out: str | Path | None = None, fresh: bool = False, log=print) -> dict[str, Any]:
    """Train an RnnSeparator of ``params.separator_config()`` for ``params.pretrain_steps`` steps on fresh
    mixtures; write it (with its held-out SI-SDRi) to ``out`` (default ``params.separator_checkpoint`` or
    ``{run_dir}/separator_{task}.pt``) and a JSON report beside it.

    The run folder is ``{run_dir}/{task}_separator/`` (``common.run.open_run``; metrics.jsonl, tensorboard/
    and curves.png: the loss every 50 steps, held-out SI-SDRi before and after): it resumes from its last.pt
    when that was written with the same parameters, and refuses other parameters (use ``fresh``)."""
    from asteroid.losses import PITLossWrapper, pairwise_neg_sisdr

    from auralnav.env import AudioEnv

    device = torch.device(device)
    out = Path(out or params.separator_checkpoint or Path(params.run_dir) / f"separator_{task_id}.pt")
    with open_run(params.run_dir, params, task_id, "separator", fresh, device) as run:
        env = AudioEnv(params, return_images=True)
        held_out = mixtures(env, itertools.count(HELD_OUT_SEED), params.pretrain_eval_mixtures)
        seed_everything(params.train_seed)
        separator = RnnSeparator(**params.separator_config()).to(device)
        optimizer = torch.optim.Adam(separator.parameters(), lr=params.pretrain_lr)
        run.write_config()
        start = 0
        if run.last is not None:
            separator.load_state_dict(run.last["state_dict"])
            optimizer.load_state_dict(run.last["optimizer"])
            start = run.last["epoch"]
            log(f"resumed from {run.last_path} at step {start}")
        # the run log (metrics.jsonl + TensorBoard): the training loss every 50 steps, held-out SI-SDRi at
        # the start and the end
        metrics_log = MetricsLog(run.dir, key="step", up_to=start)
        wall_before = metrics_log.records[-1]["wall_s"] if metrics_log.records else 0.0
        before = evaluate_separator(separator, *held_out) if start == 0 else None
        if before is not None:
            metrics_log.append(_held_out_record(0, 0.0, before))
        loss_fn = PITLossWrapper(pairwise_neg_sisdr, pit_from="pw_mtx")

        t0, losses = time.perf_counter(), []
        bar = tqdm(range(start, params.pretrain_steps), desc="separator steps", disable=None)
        for step in bar:
            # each step draws from its own block of seeds (resumable), skipping windows with a silent source
            seeds = itertools.count(params.train_seed * 10**8 + step * 10 * params.pretrain_batch_size)
            mix, targets = mixtures(env, seeds, params.pretrain_batch_size)
            est = separator(mix.to(device))["estimated_sources"]
            loss = loss_fn(est, targets.to(device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(separator.parameters(), 5.0)
            optimizer.step()
            losses.append(float(loss.detach()))
            if (step + 1) % 50 == 0 or step + 1 == params.pretrain_steps:
                bar.set_postfix(neg_si_sdr=f"{np.mean(losses[-50:]):.2f}")
                save_separator(run.last_path, separator, config=run.config, epoch=step + 1, optimizer=optimizer)
                metrics_log.append({"step": step + 1, "wall_s": round(wall_before + time.perf_counter() - t0, 1),
                                    "train_loss": float(np.mean(losses[-50:]))})  # negative SI-SDR, dB
        after = evaluate_separator(separator, *held_out)
        if not any(r["step"] == params.pretrain_steps and "val_si_sdri_db" in r for r in metrics_log.records):
            metrics_log.append(_held_out_record(params.pretrain_steps, wall_before + time.perf_counter() - t0, after))
        metrics_log.close()
        plot_curves(metrics_log.records, run.dir / "curves.png", x="step", x_label="step", panels=[
            {"title": "training loss (negative SI-SDR, dB)", "series": [("train_loss", "")]},
            {"title": "held-out SI-SDRi (dB)", "series": [("val_si_sdri_db", "")]}])
        report = {"task_id": task_id, "steps": params.pretrain_steps, "batch_size": params.pretrain_batch_size,
                  "train_time_s": round(time.perf_counter() - t0, 1), "device": str(device), "held_out": after,
                  "before_training": before, "final_train_loss": float(np.mean(losses[-50:])) if losses else None,
                  "separator_args": separator.model_args()}
        save_separator(out, separator, config=run.config, epoch=params.pretrain_steps, metrics=report)
        write_json(out.with_suffix(".json"), report)
    log(f"held-out SI-SDR {after['si_sdr_db']:.2f} dB (mixture {after['mixture_si_sdr_db']:.2f} dB): "
        f"SI-SDRi {after['si_sdri_db']:.2f} dB over {after['mixtures']} mixtures; wrote {out}")
    return report
