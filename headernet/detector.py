"""RF-DETR ball and player detection (rfdetr 1.11), and the adapter from supervision ``Detections`` to records.

``RFDETRDetector(variant, weights)`` builds ``RFDETRNano`` ... ``RFDETRLarge``. It never downloads:
``weights`` must be an existing local checkpoint (its class names come with it), or None for a
randomly initialised model. With None, rfdetr's Nano/Small/Medium/Large (patch size 16) do not load
DINOv2 backbone weights either, so construction is fully offline; such a model detects nothing
useful and is only good for testing shapes, batching and speed. A missing ``weights`` path is a
FileNotFoundError before rfdetr sees it, because rfdetr silently downloads a missing file whose name
is one of its registered checkpoints (``rf-detr-medium.pth`` ...).

Classes: COCO-pretrained checkpoints emit sparse COCO category ids (person 1, sports ball 37); a
fine-tuned checkpoint emits 0-based indices into its ``class_names``, where a name containing "ball"
is the ball and player / referee / goalkeeper / person are players (the original's fine-tuned
SoccerNet model: 0 ball, 1 player, 2 referee, 3 goalkeeper).

Every detector (this one, and test doubles such as ``headernet.synth.OracleDetector``) has
``ball_class_ids``, ``player_class_ids`` and ``detect(images, *, video, frames) -> list[sv.Detections]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import supervision as sv

VARIANT_CLASSES = {"nano": "RFDETRNano", "small": "RFDETRSmall", "medium": "RFDETRMedium", "large": "RFDETRLarge"}
COCO_PERSON, COCO_SPORTS_BALL = 1, 37
PLAYER_NAMES = ("player", "referee", "goalkeeper", "goalie", "person")


class Detector(Protocol):
    ball_class_ids: frozenset[int]
    player_class_ids: frozenset[int]

    def detect(self, images: list[np.ndarray], *, video: Path, frames: list[int]) -> list[sv.Detections]: ...


def class_roles(class_names: Sequence[str], num_classes: int) -> tuple[frozenset[int], frozenset[int]]:
    """(ball ids, player ids) of a model's outputs.

    COCO-pretrained (80 COCO names, more logits than names): sparse COCO ids, ball 37, person 1.
    Otherwise 0-based indices into ``class_names``.
    """
    from rfdetr.assets.coco_classes import COCO_CLASS_NAMES

    if list(class_names) == list(COCO_CLASS_NAMES) and num_classes > len(class_names):
        return frozenset({COCO_SPORTS_BALL}), frozenset({COCO_PERSON})
    ball = frozenset(i for i, n in enumerate(class_names) if "ball" in n.lower())
    players = frozenset(i for i, n in enumerate(class_names) if n.lower().strip() in PLAYER_NAMES)
    return ball, players


class RFDETRDetector:
    """RF-DETR by variant name with batched ``predict``; see the module docstring for weights and classes.

    Args:
        variant: nano, small, medium or large.
        weights: an existing local checkpoint, or None for random initialisation (offline).
        device: 'auto', 'cpu', 'cuda', 'cuda:N'.
        resolution: square input size (a multiple of 32); 0 keeps the variant's default.
        batch_size: frames per ``predict`` call.
        threshold: minimum confidence of a returned box.
        optimize: call rfdetr's ``inference(...)`` (export mode; fp16 on CUDA) before predicting.
        compile: with ``optimize``, trace for a fixed batch of ``batch_size``; the last batch is padded.
    """

    def __init__(self, variant: str = "medium", weights: str | Path | None = None, device: str = "auto",
                 resolution: int = 0, batch_size: int = 4, threshold: float = 0.25, optimize: bool = False,
                 compile: bool = False) -> None:
        if variant not in VARIANT_CLASSES:
            raise ValueError(f"unknown RF-DETR variant {variant!r}; known: {list(VARIANT_CLASSES)}")
        from common.device import pick_device  # imports torch: slow, and only needed here

        kwargs: dict[str, Any] = {"device": str(pick_device(device)), "pretrain_weights": None}
        if weights:
            path = Path(weights).expanduser().resolve()
            if not path.is_file():
                raise FileNotFoundError(f"RF-DETR weights {weights} not found (nothing is downloaded: give a local "
                                        "checkpoint, or no --weights for a random-init model)")
            kwargs["pretrain_weights"] = str(path)
        import rfdetr  # slow (transformers): only once the arguments are known to be good
        import torch

        if resolution:
            kwargs["resolution"] = resolution
        self.model = getattr(rfdetr, VARIANT_CLASSES[variant])(**kwargs)
        self.variant, self.weights, self.device = variant, kwargs["pretrain_weights"], kwargs["device"]
        self.batch_size, self.threshold = batch_size, threshold
        self.class_names = list(self.model.class_names)
        num_classes = int(getattr(getattr(self.model.model, "args", None), "num_classes", self.model.model_config.num_classes))
        self.ball_class_ids, self.player_class_ids = class_roles(self.class_names, num_classes)
        if not self.ball_class_ids:
            raise ValueError(f"RF-DETR weights {weights}: no ball class among {self.class_names}")
        self.compiled = False
        if optimize:
            dtype = torch.float16 if self.device.startswith("cuda") else torch.float32
            self.model.inference(compile=compile, batch_size=batch_size, dtype=dtype)
            self.compiled = compile

    @property
    def resolution(self) -> int:
        return int(self.model.model.resolution)

    @property
    def provenance(self) -> dict:
        """What found the boxes, for every sample's metadata."""
        return {"kind": "rfdetr", "variant": self.variant, "weights": self.weights or None, "resolution": self.resolution,
                "classes": self.class_names, "note": "" if self.weights else "random initialisation: finds no ball"}

    def detect(self, images: list[np.ndarray], *, video: Path | None = None,
               frames: list[int] | None = None) -> list[sv.Detections]:
        """One ``Detections`` per RGB image (H, W, 3) uint8, boxes xyxy in the image's pixels."""
        out: list[sv.Detections] = []
        for start in range(0, len(images), self.batch_size):
            batch = list(images[start: start + self.batch_size])
            n = len(batch)
            if self.compiled and n < self.batch_size:  # a traced model takes exactly batch_size frames
                batch += [batch[-1]] * (self.batch_size - n)
            result = self.model.predict(batch, threshold=self.threshold, include_source_image=False)
            out.extend(([result] if isinstance(result, sv.Detections) else list(result))[:n])
        return out


def to_records(det: sv.Detections, class_ids: frozenset[int], topk: int, threshold: float = 0.0) -> list[dict]:
    """The boxes of ``det`` whose class is in ``class_ids`` and confidence >= ``threshold``, best first, at most
    ``topk``, as ``{"box": [x, y, w, h], "confidence", "class_id", "class_name"}`` in the image's pixels."""
    if len(det) == 0:
        return []
    cls = det.class_id if det.class_id is not None else np.zeros(len(det), int)
    conf = det.confidence if det.confidence is not None else np.ones(len(det), np.float32)
    names = det.data.get("class_name") if det.data else None
    keep = np.flatnonzero(np.isin(cls, list(class_ids)) & (conf >= threshold))
    keep = keep[np.argsort(-conf[keep], kind="stable")][:topk]
    out = []
    for i in keep:
        x1, y1, x2, y2 = (float(v) for v in det.xyxy[i])
        out.append({"box": [round(x1, 2), round(y1, 2), round(x2 - x1, 2), round(y2 - y1, 2)],
                    "confidence": round(float(conf[i]), 4), "class_id": int(cls[i]),
                    "class_name": str(names[i]) if names is not None else ""})
    return out


def detector_kind(params) -> str:
    """The detector HeaderNetParams ask for, with 'auto' resolved (see ``HeaderNetParams.detector``)."""
    if params.detector != "auto":
        return params.detector
    if params.weights:
        return "rfdetr"
    return "heatmap" if Path(params.heatmap_checkpoint).is_file() else "rfdetr"


def make_detector(params, log=print):
    """The detector of HeaderNetParams (``detector_kind``), loaded; a missing model file is a FileNotFoundError."""
    import time

    kind, t = detector_kind(params), time.perf_counter()
    if kind == "ground-truth":
        if params.weights:
            raise ValueError("--checkpoint goes with --detector rfdetr or heatmap; --detector ground-truth loads no model")
        from headernet.synth import GroundTruthDetector

        log("detector: the ground-truth boxes of the synthetic games (not a detector; marked in every sample)")
        return GroundTruthDetector()
    if kind == "heatmap":
        from headernet.heatmap import HeatmapBallDetector

        path = Path(params.weights or params.heatmap_checkpoint)
        if not path.is_file():
            raise FileNotFoundError(f"heatmap detector checkpoint {path} not found (train one with "
                                    "scripts/train_ball_detector.py, or ship data/pretrained/ball_detector.pt)")
        detector = HeatmapBallDetector(path, "cpu" if params.device == "auto" else params.device,
                                       batch_size=params.batch_size)
        log(f"detector: heatmap {path} (threshold {detector.threshold:.3f}) on {detector.device}; "
            f"loaded in {time.perf_counter() - t:.1f}s")
        return detector
    if params.weights and not Path(params.weights).is_file():
        raise FileNotFoundError(f"RF-DETR weights {params.weights} not found (nothing is downloaded)")
    detector = RFDETRDetector(params.variant, params.weights or None, params.device, params.detector_resolution,
                              params.batch_size, params.confidence_threshold, params.optimize, params.optimize_compile)
    log(f"detector: RF-DETR {params.variant} at {detector.resolution} px on {detector.device}, "
        f"weights {detector.weights or 'none (random init)'}; loaded in {time.perf_counter() - t:.1f}s")
    return detector
