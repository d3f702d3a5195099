"""A header classifier over the builder's samples: the network, the cache reader, the scores and metrics.

A sample is the builder's crop stack (T, S, S, 3) uint8: T window offsets (the original's 11, -24..24
frames), each an S x S crop centred on the ball track, whose three channels are the grayscale frames
t-2, t, t+2. ``HeaderClassifier`` embeds every window frame with one small CNN (four 3x3 conv blocks, the
first three halving the crop, a 4 x 4 average pool so that where things are relative to the ball is
kept: a header has a player's body just below the ball at offset 0), runs two temporal convolutions over
the T embeddings, and reads one logit from all of them in window order (where in the window an event
lies matters: the labelled frame is the centre).

The baseline (``track_features``): what the builder's metadata already says about the ball track, with
no pixels: its image velocity before and after the centre frame at three time scales, the change of
velocity, the box size and the detector's confidence; a logistic regression over them (scikit-learn).

Metrics: ``roc_auc`` (Mann-Whitney, ties counted half), ``best_f1_threshold`` (chosen on validation) and
``operating_point`` (sensitivity, precision, specificity, F1 at a threshold).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

TRACK_SCALES = (3, 6, 12)
"""Frame offsets (each side of the centre) over which ``track_features`` measures the ball's velocity."""


# --- the network -------------------------------------------------------------------------------------------


class HeaderClassifier(nn.Module):
    """(B, T, S, S, 3) uint8 crop stacks -> (B,) header logits. ``n_frames`` is T, fixed by the window."""

    def __init__(self, n_frames: int = 11, channels: tuple[int, ...] = (8, 16, 32, 64), embed: int = 64,
                 dropout: float = 0.3):
        super().__init__()
        self.n_frames, self.channels, self.embed, self.dropout = n_frames, tuple(channels), embed, dropout
        layers: list[nn.Module] = []
        prev = 3
        for i, c in enumerate(self.channels):
            layers += [nn.Conv2d(prev, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True)]
            if i < len(self.channels) - 1:
                layers.append(nn.MaxPool2d(2))
            prev = c
        layers += [nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(prev * 16, embed), nn.ReLU(inplace=True)]
        self.frame_net = nn.Sequential(*layers)
        self.temporal = nn.Sequential(nn.Conv1d(embed, embed, 3, padding=1), nn.ReLU(inplace=True),
                                      nn.Conv1d(embed, embed, 3, padding=1), nn.ReLU(inplace=True))
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(embed * n_frames, 1))

    def model_args(self) -> dict[str, Any]:
        return {"n_frames": self.n_frames, "channels": list(self.channels), "embed": self.embed, "dropout": self.dropout}

    def forward(self, stacks: torch.Tensor) -> torch.Tensor:
        b, t = stacks.shape[:2]
        if t != self.n_frames or stacks.shape[-1] != 3:
            raise ValueError(f"expected (B, {self.n_frames}, S, S, 3) crop stacks, got {tuple(stacks.shape)}")
        x = stacks.reshape(b * t, *stacks.shape[2:]).permute(0, 3, 1, 2).float().div(255.0).sub(0.5)  # (B*T, 3, S, S)
        frames = self.frame_net(x).reshape(b, t, self.embed).transpose(1, 2)  # (B, E, T)
        return self.head(self.temporal(frames).flatten(1)).squeeze(1)  # (B,)


def augment(stacks: np.ndarray, rng: np.random.Generator, max_shift: int = 4) -> np.ndarray:
    """Random left-right flips and shifts of up to ``max_shift`` px (edge pixels repeated), one draw per sample
    for all its frames: (B, T, S, S, 3) -> same shape."""
    out = np.empty_like(stacks)
    s = stacks.shape[2]
    for i, stack in enumerate(stacks):
        if rng.random() < 0.5:
            stack = stack[:, :, ::-1]
        dy, dx = rng.integers(-max_shift, max_shift + 1, size=2)
        padded = np.pad(stack, ((0, 0), (max_shift, max_shift), (max_shift, max_shift), (0, 0)), mode="edge")
        out[i] = padded[:, max_shift + dy: max_shift + dy + s, max_shift + dx: max_shift + dx + s]
    return out


@torch.no_grad()
def predict_logits(model: HeaderClassifier, stacks: np.ndarray, device: torch.device | str = "cpu",
                   batch_size: int = 64) -> np.ndarray:
    """Logits (N,) of (N, T, S, S, 3) uint8 stacks, the model in eval mode."""
    model.eval()
    out = [model(torch.from_numpy(np.ascontiguousarray(stacks[i: i + batch_size])).to(device)).float().cpu()
           for i in range(0, len(stacks), batch_size)]
    return torch.cat(out).numpy() if out else np.zeros(0, np.float32)


# --- the builder's caches ----------------------------------------------------------------------------------


@dataclass
class CacheSamples:
    """The samples of one cache folder: stacks (N, T, S, S, 3) uint8, labels (N,) 0/1, the metadata of each."""

    stacks: np.ndarray
    labels: np.ndarray
    metas: list[dict]
    folder: Path

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def positives(self) -> int:
        return int(self.labels.sum())


def read_cache(folder: str | Path, index_name: str = "train_cache_header.csv") -> CacheSamples:
    """Every sample listed in ``<folder>/<index_name>`` (the builder's index), loaded into memory.

    A missing index, a listed sample whose files are missing, or stacks of different shapes are ValueErrors
    naming the file."""
    folder = Path(folder)
    index = folder / index_name
    if not index.is_file():
        raise ValueError(f"{index} not found: build the cache first (scripts/generate_positive_negative_dataset.py)")
    with index.open(newline="") as f:
        rows = list(csv.DictReader(f))
    stacks, labels, metas = [], [], []
    for row in rows:
        npy, meta = folder / f"{row['path']}_s.npy", folder / row["metadata"]
        if not npy.is_file() or not meta.is_file():
            raise ValueError(f"{index} lists {row['path']}, but {npy.name} or {meta.name} is missing in {folder}")
        stacks.append(np.load(npy))
        metas.append(json.loads(meta.read_text()))
        labels.append(int(row["label"]))
    if not stacks:
        return CacheSamples(np.zeros((0, 0, 0, 0, 3), np.uint8), np.zeros(0, np.int64), [], folder)
    shapes = {s.shape for s in stacks}
    if len(shapes) > 1:
        raise ValueError(f"{folder}: samples of different shapes {sorted(shapes)} (one cache holds one window and crop size)")
    return CacheSamples(np.stack(stacks), np.asarray(labels, np.int64), metas, folder)


def track_features(meta: dict) -> np.ndarray:
    """The baseline's features of one sample, from its metadata only: per scale k of ``TRACK_SCALES`` the ball's
    image velocity (px/frame) over [-k, 0] and [0, k] (4 values), the size of the velocity change and the cosine
    of the turn (2), then the box height at the centre and the detector's confidence there (2). A window frame
    not decoded takes the nearest decoded one. Shape (6 x len(TRACK_SCALES) + 2,)."""
    frames = meta["frames"]
    offsets = np.array([f["offset"] for f in frames])
    ok = np.array([f["decoded"] for f in frames])
    centres = np.array([f["center"] for f in frames], np.float64)

    def at(offset: int) -> np.ndarray:
        candidates = np.flatnonzero(ok) if ok.any() else np.arange(len(frames))
        return centres[candidates[np.argmin(np.abs(offsets[candidates] - offset))]]

    c0, feats = at(0), []
    for k in TRACK_SCALES:
        before, after = (c0 - at(-k)) / k, (at(k) - c0) / k
        change = float(np.linalg.norm(after - before))
        norm = np.linalg.norm(before) * np.linalg.norm(after)
        cos = float(before @ after / norm) if norm > 1e-9 else 1.0
        feats += [*before, *after, change, cos]
    centre = frames[int(np.argmin(np.abs(offsets)))]
    ball = centre.get("ball") or {}
    height = float(ball["box"][3]) if ball.get("box") else 0.0
    feats += [height, float(ball.get("confidence", 0.0))]
    return np.asarray(feats, np.float64)


# --- metrics -----------------------------------------------------------------------------------------------


def _check_binary(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scores, labels = np.asarray(scores, np.float64).ravel(), np.asarray(labels).ravel()
    if scores.shape != labels.shape:
        raise ValueError(f"scores {scores.shape} and labels {labels.shape} differ in length")
    if not np.isin(labels, (0, 1)).all():
        raise ValueError("labels must be 0 or 1")
    return scores, labels.astype(bool)


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve: the chance that a random positive outscores a random negative (ties: 1/2).
    ValueError when either class is absent (the area is undefined)."""
    from scipy.stats import rankdata

    scores, pos = _check_binary(scores, labels)
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError(f"ROC-AUC needs both classes, got {n_pos} positives and {n_neg} negatives")
    ranks = rankdata(scores)  # average ranks: a tie between a positive and a negative counts one half
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def operating_point(scores: np.ndarray, labels: np.ndarray, threshold: float) -> dict[str, float]:
    """Sensitivity (recall), precision, specificity and F1 of "score >= threshold", with the confusion counts
    (a ratio whose denominator is zero, e.g. precision when nothing is called a header, is 0)."""
    scores, pos = _check_binary(scores, labels)
    called = scores >= threshold
    tp, fp = int((called & pos).sum()), int((called & ~pos).sum())
    fn, tn = int((~called & pos).sum()), int((~called & ~pos).sum())
    sens = tp / (tp + fn) if tp + fn else 0.0
    prec = tp / (tp + fp) if tp + fp else 0.0
    spec = tn / (tn + fp) if tn + fp else 0.0
    f1 = 2 * prec * sens / (prec + sens) if prec + sens else 0.0
    return {"threshold": float(threshold), "sensitivity": sens, "precision": prec, "specificity": spec, "f1": f1,
            "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def best_f1_threshold(scores: np.ndarray, labels: np.ndarray) -> float:
    """The threshold (one of the scores) with the best F1 on these samples; the highest such on ties."""
    scores, pos = _check_binary(scores, labels)
    if not pos.any():
        raise ValueError("choosing a threshold needs at least one positive")
    best, best_f1 = float(scores.max()), -1.0
    for t in np.unique(scores)[::-1]:
        f1 = operating_point(scores, pos.astype(int), float(t))["f1"]
        if f1 > best_f1:
            best, best_f1 = float(t), f1
    return best


# --- checkpoints -------------------------------------------------------------------------------------------


def save_header_classifier(path: str | Path, model: HeaderClassifier, *, config: dict, epoch: int, threshold: float,
                           crop: int, window: list[int], metrics: dict | None = None, optimizer=None) -> Path:
    """A self-describing checkpoint (``common.checkpoint``) with the validation threshold and the sample format."""
    from common.checkpoint import save_checkpoint

    return save_checkpoint(path, model, config=config, epoch=epoch, metrics=metrics or {}, optimizer=optimizer,
                           extra={"classifier": {"threshold": float(threshold), "crop": int(crop),
                                                 "window": [int(w) for w in window]}})


def load_header_classifier(path: str | Path, device: str | torch.device = "cpu") -> tuple[HeaderClassifier, dict]:
    """(model in eval mode, checkpoint) of a header classifier checkpoint; ValueError if it holds another model."""
    from common.checkpoint import load_model

    def build(args: dict) -> HeaderClassifier:
        return HeaderClassifier(args["n_frames"], tuple(args["channels"]), args["embed"], args["dropout"])

    return load_model(path, "HeaderClassifier", build, what="a header classifier",
                      writer="scripts/train_header_classifier.py", device=device, required=("classifier",))


def check_samples(samples: CacheSamples, ckpt: dict, path: str | Path) -> None:
    """ValueError unless the cache's samples have the window and crop size the classifier was trained on."""
    info = ckpt["classifier"]
    if len(samples) == 0:
        return
    t, s = samples.stacks.shape[1:3]
    window = samples.metas[0].get("window")
    if t != len(info["window"]) or s != info["crop"] or (window is not None and list(window) != info["window"]):
        raise ValueError(f"{samples.folder} holds samples of window {window} and {s} px crops; {path} was trained "
                         f"on window {info['window']} and {info['crop']} px crops")
