"""A heatmap ball detector (the TrackNet / DeepBall family), small enough to train and run on one CPU thread.

``BallHeatmapNet``: a fully-convolutional encoder-decoder over one RGB frame at 224p. The encoder halves
the resolution three times (16, 32, 64 channels; a dilated layer at 1/8 for context: is this white mark a
ball or a sock under a player?), the decoder comes back to 1/2 resolution through skip connections and
predicts, per cell of 2 x 2 pixels, a ball-centre logit and the centre's offset inside the cell. The ball
is where the heatmap peaks; the frame shows a ball when the peak's score reaches a threshold chosen on
validation games (stored in the checkpoint).

Coordinates: pixel-edge coordinates (the ground-truth sidecar's): cell (i, j) covers pixels x in
[2j, 2j + 2), y in [2i, 2i + 2); the centre is x = 2 (j + 0.5 + dx), y = 2 (i + 0.5 + dy).

``HeatmapBallDetector`` puts it behind the builder's detector interface (``detect(images, *, video,
frames) -> list[sv.Detections]``): frames of any size are resized to 224 px high, and the box it returns
(class 0, "ball") is centred on the peak with the ball size seen in training, in the frame's pixels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import supervision as sv
import torch
import torch.nn.functional as F
from torch import nn

STRIDE = 2
"""Input pixels per heatmap cell."""
INPUT_HEIGHT = 224
"""Frames are seen at 224p (SoccerNet's low quality); larger ones are resized first."""


def _conv(c_in: int, c_out: int, stride: int = 1, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, stride, padding=dilation, dilation=dilation, bias=False),
                         nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


class BallHeatmapNet(nn.Module):
    """(B, 3, H, W) RGB in [0, 1] -> (B, 3, H/2, W/2): ball-centre logit, offset dx, offset dy (H, W multiples of 8)."""

    def __init__(self, channels: tuple[int, int, int] = (16, 32, 64)):
        super().__init__()
        c1, c2, c3 = channels
        self.channels = tuple(channels)
        self.enc1 = nn.Sequential(_conv(3, c1, 2), _conv(c1, c1))  # 1/2
        self.enc2 = nn.Sequential(_conv(c1, c2, 2), _conv(c2, c2))  # 1/4
        self.enc3 = nn.Sequential(_conv(c2, c3, 2), _conv(c3, c3), _conv(c3, c3, dilation=2))  # 1/8
        self.lat3 = nn.Conv2d(c3, c2, 1)
        self.dec2 = _conv(c2, c2)
        self.lat2 = nn.Conv2d(c2, c1, 1)
        self.dec1 = _conv(c1, c1)
        self.head = nn.Conv2d(c1, 3, 1)
        # a low prior on "ball here" (CenterNet's bias init): almost every cell is background
        nn.init.constant_(self.head.bias, 0.0)
        with torch.no_grad():
            self.head.bias[0] = -4.6

    def model_args(self) -> dict[str, Any]:
        return {"channels": list(self.channels)}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f1 = self.enc1(x)
        f2 = self.enc2(f1)
        f3 = self.enc3(f2)
        d2 = self.dec2(f2 + F.interpolate(self.lat3(f3), size=f2.shape[-2:], mode="bilinear", align_corners=False))
        d1 = self.dec1(f1 + F.interpolate(self.lat2(d2), size=f1.shape[-2:], mode="bilinear", align_corners=False))
        return self.head(d1)


def to_input(images: np.ndarray) -> torch.Tensor:
    """(B, H, W, 3) uint8 RGB -> (B, 3, H', W') float in [0, 1], padded at the right and bottom to multiples of 8."""
    x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float().div_(255.0)
    h, w = x.shape[-2:]
    return F.pad(x, (0, (-w) % 8, 0, (-h) % 8))


def peaks(output: torch.Tensor, height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(B, 3, h, w) network output -> (scores (B,), centres (B, 2) x, y in input pixels, edge coordinates): the
    highest cell of each heatmap inside the unpadded ``height`` x ``width`` and its refined centre."""
    heat = torch.sigmoid(output[:, 0, : (height + 1) // STRIDE, : (width + 1) // STRIDE])
    b, _, w = heat.shape
    flat = heat.reshape(b, -1)
    score, idx = flat.max(1)
    i, j = idx // w, idx % w
    rows = torch.arange(b)
    dx, dy = output[rows, 1, i, j], output[rows, 2, i, j]
    centre = torch.stack([STRIDE * (j + 0.5 + dx.clamp(-0.5, 0.5)), STRIDE * (i + 0.5 + dy.clamp(-0.5, 0.5))], -1)
    return score.detach().cpu().numpy(), centre.detach().cpu().numpy()


def focal_heatmap_loss(logits: torch.Tensor, target: torch.Tensor, alpha: float = 2.0, beta: float = 4.0) -> torch.Tensor:
    """CenterNet's penalty-reduced focal loss over (B, h, w) logits and Gaussian targets in [0, 1] (1 at the
    ball's cell), summed and divided by the number of balls (at least 1)."""
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = target >= 1.0
    pos_loss = -((1 - p) ** alpha * torch.log(p))[pos].sum()
    neg_loss = -((1 - target) ** beta * p**alpha * torch.log(1 - p))[~pos].sum()
    return (pos_loss + neg_loss) / pos.sum().clamp(min=1)


def save_heatmap_detector(path: str | Path, model: BallHeatmapNet, *, config: dict, step: int, threshold: float,
                          ball_px: float, metrics: dict | None = None, optimizer=None) -> Path:
    """A self-describing checkpoint (``common.checkpoint``) with the score threshold and the ball size."""
    from common.checkpoint import save_checkpoint

    return save_checkpoint(path, model, config=config, epoch=step, metrics=metrics or {}, optimizer=optimizer,
                           extra={"detector": {"kind": "heatmap", "threshold": float(threshold),
                                               "ball_px": float(ball_px), "input_height": INPUT_HEIGHT}})


def load_heatmap_net(path: str | Path, device: str | torch.device = "cpu") -> tuple[BallHeatmapNet, dict]:
    """(model in eval mode, checkpoint) of a heatmap ball detector checkpoint; ValueError if it holds another model."""
    from common.checkpoint import load_model

    return load_model(path, "BallHeatmapNet", lambda args: BallHeatmapNet(tuple(args["channels"])),
                      what="a heatmap ball detector", writer="scripts/train_ball_detector.py", device=device,
                      required=("detector",))


class HeatmapBallDetector:
    """The builder's detector interface over a trained ``BallHeatmapNet`` (see the module docstring).

    Args:
        checkpoint: a heatmap detector checkpoint (``data/pretrained/ball_detector.pt``).
        device: 'cpu', 'cuda', 'auto'.
        threshold: the score a peak needs to count as a ball; None: the checkpoint's (chosen on validation).
        batch_size: frames per forward pass.
    """

    class_names = ("ball",)
    ball_class_ids = frozenset({0})
    player_class_ids: frozenset[int] = frozenset()

    def __init__(self, checkpoint: str | Path, device: str = "cpu", threshold: float | None = None,
                 batch_size: int = 8) -> None:
        from common.device import pick_device

        self.device = pick_device(device)
        self.model, ckpt = load_heatmap_net(checkpoint, self.device)
        info = ckpt["detector"]
        self.checkpoint = str(checkpoint)
        self.threshold = float(info["threshold"] if threshold is None else threshold)
        self.ball_px = float(info["ball_px"])
        self.batch_size = batch_size

    @property
    def provenance(self) -> dict:
        return {"kind": "heatmap", "checkpoint": self.checkpoint, "threshold": self.threshold}

    @torch.no_grad()
    def locate(self, images: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """(scores (N,), centres (N, 2)) of the best peak of each RGB frame, centres in the frame's own pixels."""
        import cv2

        scores, centres = [], []
        for start in range(0, len(images), self.batch_size):
            batch = images[start: start + self.batch_size]
            h, w = batch[0].shape[:2]
            scale = INPUT_HEIGHT / h
            if scale != 1.0:
                size = (round(w * scale), INPUT_HEIGHT)
                batch = [cv2.resize(img, size, interpolation=cv2.INTER_AREA) for img in batch]
            x = to_input(np.stack(batch)).to(self.device)
            s, c = peaks(self.model(x), batch[0].shape[0], batch[0].shape[1])
            scores.append(s)
            centres.append(c / scale)
        if not scores:
            return np.zeros(0), np.zeros((0, 2))
        return np.concatenate(scores), np.concatenate(centres)

    def detect(self, images: list[np.ndarray], *, video: Path | None = None,
               frames: list[int] | None = None) -> list[sv.Detections]:
        """One ``Detections`` per frame: the ball (class 0) where the peak reaches the threshold, else empty."""
        scores, centres = self.locate(list(images))
        return ball_detections(images, scores, centres, scores, self.threshold, self.ball_px)


def ball_detections(images: list[np.ndarray], scores: np.ndarray, centres: np.ndarray, confidences: np.ndarray,
                    threshold: float, ball_px: float) -> list[sv.Detections]:
    """One ``Detections`` per frame from a single-candidate detector's (scores, centres): a ball box (class 0) of
    ``ball_px`` at 224p, scaled to the frame, where the score reaches ``threshold``; else empty."""
    out = []
    for img, score, conf, (cx, cy) in zip(images, scores, confidences, centres, strict=True):
        if score < threshold:
            out.append(sv.Detections.empty())
            continue
        r = ball_px / 2 * img.shape[0] / INPUT_HEIGHT
        out.append(sv.Detections(xyxy=np.array([[cx - r, cy - r, cx + r, cy + r]], np.float32),
                                 confidence=np.array([conf], np.float32), class_id=np.array([0]),
                                 data={"class_name": np.array(["ball"])}))
    return out
