"""Training and evaluating the header classifier (``headernet.classifier``) on caches the builder made.

Data (``prepare_splits``): hard synthetic games of the SoccerNet train, valid and test splits rendered
under one root, each split built by the builder (``headernet.builder``) with the shipped heatmap ball
detector into ``<cache_dir>/<split>/``, then read into memory. Both steps resume: games and finished
samples on disk are kept.

Training (``train_header_classifier``): AdamW, a linear warm-up and cosine decay over all steps (a pure
function of the step, ``common.schedules.learning_rate``), binary cross-entropy weighted so that the
positives weigh as much as the negatives, augmented by flips and shifts. After each epoch (``evaluate``):
the validation ROC-AUC and loss, a line in ``metrics.jsonl``, ``last.pt`` (resume) and, when the AUC is the
best so far, ``best.pt`` with the threshold of the best validation F1. A rerun continues until ``epochs``
or ``budget_s`` of wall time in all.

Baseline (``track_baseline``): a logistic regression over ``track_features`` (the ball track in the
metadata, no pixels), its regularisation and threshold chosen on the validation split like the network's.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from common.run import MetricsLog
from common.schedules import learning_rate
from configs.headernet import ClassifierParams
from headernet import cache
from headernet.classifier import (
    CacheSamples,
    HeaderClassifier,
    augment,
    best_f1_threshold,
    operating_point,
    predict_logits,
    read_cache,
    roc_auc,
    save_header_classifier,
    track_features,
)

SPLIT_NAMES = ("train", "valid", "test")


# --- data --------------------------------------------------------------------------------------------------


def prepare_splits(params: ClassifierParams, log: Callable[[str], None] = print,
                   splits: tuple[str, ...] = SPLIT_NAMES) -> tuple[dict[str, CacheSamples], dict[str, dict]]:
    """Render (or reuse) the games of each split, build (or resume) its cache, read it.

    Returns the samples per split and per split what the build reported (samples planned, written, skipped,
    positives skipped: a header the pipeline loses before the classifier sees it)."""
    from headernet.builder import build_dataset
    from headernet.detector import make_detector
    from headernet.synth import generate_games

    counts = {"train": params.train_games, "valid": params.valid_games, "test": params.test_games}
    samples, builds = {}, {}
    for split in splits:
        t0 = time.perf_counter()
        generate_games(params.synth_params(split), n_games=counts[split], progress=not params.quick_test)
        t1 = time.perf_counter()
        build = params.build_params(split)
        summary = build_dataset(build, lambda b=build: make_detector(b, log=log), log=log)
        samples[split] = read_cache(build.output_dir, build.output_name)
        skipped_csv = Path(build.output_dir) / cache.SKIPPED_NAME
        skipped = cache.read_csv(skipped_csv) if skipped_csv.is_file() else []
        builds[split] = {"games": counts[split], "planned": summary.samples, "written": len(samples[split]),
                         "positives": samples[split].positives, "skipped": len(skipped),
                         "positives_skipped": sum(int(r["label"]) == 1 for r in skipped),
                         "render_s": round(t1 - t0, 1), "build_s": round(time.perf_counter() - t1, 1)}
        log(f"{split}: {counts[split]} games, {len(samples[split])} samples ({samples[split].positives} headers), "
            f"{len(skipped)} skipped; rendered in {t1 - t0:.0f}s, built in {time.perf_counter() - t1:.0f}s")
    return samples, builds


# --- training ----------------------------------------------------------------------------------------------


def lr_at(step: int, total_steps: int, warmup_steps: int, params: ClassifierParams) -> float:
    """Linear warm-up, then cosine decay to 5% of lr at the last step."""
    return learning_rate(step, total_steps, warmup_steps, params.lr, "cosine", lr_min_ratio=0.05)


def build_model(params: ClassifierParams, n_frames: int) -> HeaderClassifier:
    return HeaderClassifier(n_frames, params.channels, params.embed, params.dropout)


@torch.no_grad()
def evaluate(model: HeaderClassifier, samples: CacheSamples, device: torch.device | str) -> dict[str, float]:
    """ROC-AUC, mean loss and the best-F1 threshold of ``model`` on ``samples`` (no gradients, eval mode)."""
    logits = predict_logits(model, samples.stacks, device)
    labels = samples.labels
    loss = float(nn.functional.binary_cross_entropy_with_logits(torch.from_numpy(logits),
                                                                torch.from_numpy(labels.astype(np.float32))))
    threshold = best_f1_threshold(logits, labels)
    return {"auc": roc_auc(logits, labels), "loss": loss, "threshold": threshold,
            **{k: v for k, v in operating_point(logits, labels, threshold).items() if k in ("sensitivity", "precision")}}


def train_header_classifier(params: ClassifierParams, run, train: CacheSamples, valid: CacheSamples,
                            device: torch.device | str = "cpu", log: Callable[[str], None] = print) -> list[dict]:
    """Train (or continue) the run ``run`` (``common.run.open_run``); returns the metrics.jsonl records."""
    from tqdm import tqdm

    device = torch.device(device)
    for name, s in (("training", train), ("validation", valid)):
        if s.positives == 0 or s.positives == len(s):
            raise ValueError(f"the {name} cache {s.folder} holds {s.positives} headers of {len(s)} samples: "
                             "both classes are needed (more or longer games)")
    torch.manual_seed(params.seed)
    n_frames, crop = train.stacks.shape[1], train.stacks.shape[2]
    model = build_model(params, n_frames).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=params.lr, weight_decay=params.weight_decay)
    steps_per_epoch = -(-len(train) // params.batch_size)
    total_steps, warmup = params.epochs * steps_per_epoch, params.warmup_epochs * steps_per_epoch
    pos_weight = torch.tensor((len(train) - train.positives) / train.positives, device=device)
    window = list(train.metas[0]["window"])
    epoch, wall_used, best_auc = run.resume(model, optimizer, "best_auc", "epoch", log)
    log_ = MetricsLog(run.dir, "epoch", up_to=epoch)
    t_start = time.perf_counter()
    bar = tqdm(total=params.epochs, initial=epoch, desc="classifier epochs", disable=None)
    while epoch < params.epochs and wall_used + (time.perf_counter() - t_start) < params.budget_s:
        # --- one epoch over the training samples, in an order seeded by the epoch (a resumed run draws the same)
        model.train()
        rng = np.random.default_rng([params.seed, epoch])
        order, losses = rng.permutation(len(train)), []
        for b, start in enumerate(range(0, len(train), params.batch_size)):
            idx = np.sort(order[start: start + params.batch_size])
            stacks = augment(train.stacks[idx], rng) if params.augment else train.stacks[idx]
            labels = torch.from_numpy(train.labels[idx].astype(np.float32)).to(device)
            for group in optimizer.param_groups:
                group["lr"] = lr_at(epoch * steps_per_epoch + b, total_steps, warmup, params)
            logits = model(torch.from_numpy(np.ascontiguousarray(stacks)).to(device))
            loss = nn.functional.binary_cross_entropy_with_logits(logits, labels, pos_weight=pos_weight)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
        epoch += 1
        bar.update(1)

        # --- validation, log line, checkpoints ----------------------------------------------------------------
        val = evaluate(model, valid, device)
        record = {"epoch": epoch, "step": epoch * steps_per_epoch,
                  "wall_s": round(wall_used + time.perf_counter() - t_start, 1),
                  "train_loss": float(np.mean(losses)), "lr": optimizer.param_groups[0]["lr"],
                  **{f"val_{k}": v for k, v in val.items()}}
        log_.append(record)
        bar.set_postfix(loss=f"{record['train_loss']:.3f}", val_auc=f"{val['auc']:.3f}")
        best_auc = run.save_best_and_last(
            partial(save_header_classifier, model=model, config=run.config, epoch=epoch, threshold=val["threshold"],
                    crop=crop, window=window),
            val["auc"], best_auc, record, "best_auc", optimizer)
    bar.close()
    log_.close()
    if log_.records:
        plot_metrics(log_.records, run.dir / "curve.png")
    return log_.records


def plot_metrics(records: list[dict[str, Any]], out: Path) -> Path:
    """Training and validation loss, and the validation ROC-AUC, against the epoch."""
    from common.plots import plot_curves

    return plot_curves(records, out, "epoch", "epoch", panels=[
        {"title": "loss", "ylabel": "binary cross-entropy",
         "series": [("train_loss", "train (weighted, augmented)"), ("val_loss", "validation")]},
        {"title": "validation games", "ylim": (0, 1.02), "goal": 0.95,
         "series": [("val_auc", "ROC-AUC"), ("val_sensitivity", "sensitivity (best-F1 threshold)"),
                    ("val_precision", "precision (best-F1 threshold)")]}])


# --- evaluation and the baseline ---------------------------------------------------------------------------


def score_report(scores: np.ndarray, labels: np.ndarray, threshold: float) -> dict[str, Any]:
    """ROC-AUC and the operating point at the (validation-chosen) ``threshold``."""
    return {"roc_auc": roc_auc(scores, labels), "n": len(labels), "positives": int(labels.sum()),
            **operating_point(scores, labels, threshold)}


def track_baseline(train: CacheSamples, valid: CacheSamples, test: CacheSamples,
                   cs: tuple[float, ...] = (0.01, 0.1, 1.0, 10.0)) -> dict[str, Any]:
    """Logistic regression over ``track_features``: C and the threshold chosen on validation; the test report."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    feats = {name: np.stack([track_features(m) for m in s.metas]) for name, s in
             (("train", train), ("valid", valid), ("test", test))}
    best = None
    for c in cs:
        clf = make_pipeline(StandardScaler(), LogisticRegression(C=c, class_weight="balanced", max_iter=2000))
        clf.fit(feats["train"], train.labels)
        auc = roc_auc(clf.decision_function(feats["valid"]), valid.labels)
        if best is None or auc > best[0]:
            best = (auc, c, clf)
    val_auc, c, clf = best
    threshold = best_f1_threshold(clf.decision_function(feats["valid"]), valid.labels)
    return {"C": c, "valid_roc_auc": val_auc,
            "test": score_report(clf.decision_function(feats["test"]), test.labels, threshold)}
