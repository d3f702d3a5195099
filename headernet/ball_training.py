"""Training an RF-DETR ball detector on the synthetic games: COCO export, ball recall, the training run.

COCO export (``export_coco``): frames of synthetic games, every ``stride``-th frame of each half, saved
as PNG (lossless: the detector sees the decoded frame the builder would see), with the ground-truth
sidecar's ball and player boxes as COCO annotations (``bbox`` [x, y, w, h] in pixel-edge coordinates,
categories 0 "ball" and 1 "player"), in the Roboflow layout rfdetr's trainer reads:
``<root>/{train,valid,test}/_annotations.coco.json`` beside the images.

Ball recall (``ball_recall``): per frame of a held-out game, the detector's most confident ball box at or
above the builder's confidence threshold, as the builder takes it; a hit when its IoU with the true box
is at least 0.5. Also the centre error of the found balls in pixels (median and mean) and the share of
frames whose box centre lies within 3 px of the true centre (what the builder's crops depend on: for a
6 px ball, IoU 0.5 needs both the size right and the centre within about 1.3 px).

Training (``train_ball_detector``): rfdetr's own training stack (``RFDETRModelModule``,
``RFDETRDataModule``, ``build_trainer``: the pieces ``RFDETR.train`` assembles, taken one by one so that a
callback can measure recall against wall time, checkpoint, and stop at a time budget), from random
initialisation. The run folder holds PyTorch Lightning's full training state (``last.ckpt``: weights,
optimizer, scheduler, EMA, step), the project's resume marker ``last.pt``, ``ball_detector.pth`` (weights
plus class names, loadable by ``RFDETRNano(pretrain_weights=...)`` and so by the builder's ``--weights``),
the curve (``curve.json``, ``curve.png``) and the run log (``metrics.jsonl``, ``tensorboard/``: one line per curve point).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from common.io import atomic_write, write_json
from common.run import MetricsLog

CATEGORIES = ({"id": 0, "name": "ball", "supercategory": "ball"}, {"id": 1, "name": "player", "supercategory": "player"})
SPLIT_FOLDERS = {"train": "train", "valid": "valid", "test": "test"}
ANNOTATIONS = "_annotations.coco.json"


# --- COCO export -----------------------------------------------------------------------------------------


def sidecar_path(video: Path) -> Path:
    """``1_224p.mkv`` -> ``1_224p_gt.npz``."""
    return video.with_name(f"{video.stem}_gt.npz")


def frame_boxes(gt: dict[str, np.ndarray], frame: int, width: int, height: int) -> list[tuple[int, list[float]]]:
    """(category id, [x, y, w, h]) of the ball (when visible) and every player of one frame, clipped to the image
    (boxes left with less than a pixel, outside the camera's view, are dropped)."""
    out = []
    visible = bool(gt["ball_visible"][frame]) if "ball_visible" in gt else True  # hidden or out of the frame: no box
    ball = gt["ball_xyxy"][frame][None] if visible else np.zeros((0, 4))
    for cat, xyxy in [(0, ball), (1, gt["players_xyxy"][frame])]:
        for x1, y1, x2, y2 in np.asarray(xyxy, np.float64):
            x1, x2 = min(max(x1, 0.0), width), min(max(x2, 0.0), width)
            y1, y2 = min(max(y1, 0.0), height), min(max(y2, 0.0), height)
            if x2 - x1 >= 1 and y2 - y1 >= 1:
                out.append((cat, [float(x1), float(y1), float(x2 - x1), float(y2 - y1)]))
    return out


def export_coco(videos: Sequence[Path], out_dir: str | Path, split: str, stride: int = 10, offset: int = 0,
                max_frames: int = 0, decoder: str = "opencv") -> dict[str, Any]:
    """Write frames ``offset, offset + stride, ...`` of each video (with a ground-truth sidecar) and their
    boxes as the COCO split ``split`` (train / valid / test) of ``out_dir``; return the COCO dict.

    ``max_frames`` > 0 keeps at most that many frames per video. An existing split is rewritten.
    """
    import cv2

    from headernet.frames import probe, read_frames

    if split not in SPLIT_FOLDERS:
        raise ValueError(f"split must be one of {list(SPLIT_FOLDERS)}, got {split!r}")
    if stride < 1 or offset < 0:
        raise ValueError(f"stride must be >= 1 and offset >= 0, got {stride}, {offset}")
    folder = Path(out_dir) / SPLIT_FOLDERS[split]
    folder.mkdir(parents=True, exist_ok=True)
    images, annotations = [], []
    for v, video in enumerate(videos):
        video = Path(video)
        gt_path = sidecar_path(video)
        if not gt_path.is_file():
            raise FileNotFoundError(f"{video}: no ground-truth sidecar {gt_path.name} (only synthetic games have one)")
        with np.load(gt_path) as z:
            gt = {k: z[k] for k in z.files}
        info = probe(video)
        n = min(info.frame_count, len(gt["ball_xyxy"]))
        frames = list(range(offset, n, stride))
        if max_frames > 0:
            frames = frames[:max_frames]
        decoded, _ = read_frames(video, frames, backend=decoder)
        tag = f"{v:03d}_{video.parent.name.replace(' ', '_')}_{video.stem}"
        for f in frames:
            if f not in decoded:
                continue
            rgb = decoded[f]
            name = f"{tag}_{f:06d}.png"
            ok, png = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
            if not ok:
                raise ValueError(f"could not encode frame {f} of {video}")
            atomic_write(folder / name, lambda fh, b=png: fh.write(b.tobytes()))
            image_id = len(images)
            h, w = rgb.shape[:2]
            images.append({"id": image_id, "file_name": name, "width": int(w), "height": int(h),
                           "video": str(video), "frame": int(f)})
            for cat, box in frame_boxes(gt, f, w, h):
                annotations.append({"id": len(annotations), "image_id": image_id, "category_id": cat, "bbox": box,
                                    "area": box[2] * box[3], "iscrowd": 0})
    coco = {"info": {"description": "synthetic SoccerNet frames with ground-truth ball and player boxes"},
            "images": images, "annotations": annotations, "categories": [dict(c) for c in CATEGORIES]}
    write_json(folder / ANNOTATIONS, coco)
    return coco


# --- ball recall -----------------------------------------------------------------------------------------


@dataclass
class HeldOut:
    """Frames of a held-out game and their true ball boxes (xyxy), for ``ball_recall``."""

    images: list[np.ndarray]
    ball_xyxy: np.ndarray  # (N, 4)
    frames: list[int]


def load_held_out(video: Path, stride: int, max_frames: int, offset: int = 0, decoder: str = "opencv") -> HeldOut:
    from headernet.frames import probe, read_frames

    video = Path(video)
    with np.load(sidecar_path(video)) as z:
        ball = z["ball_xyxy"]
    n = min(probe(video).frame_count, len(ball))
    frames = list(range(offset, n, stride))[: max_frames or None]
    decoded, _ = read_frames(video, frames, backend=decoder)
    frames = [f for f in frames if f in decoded]
    return HeldOut([decoded[f] for f in frames], ball[frames].astype(np.float64), frames)


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of matching rows of two (N, 4) xyxy arrays."""
    ix = np.clip(np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0]), 0, None)
    iy = np.clip(np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1]), 0, None)
    inter = ix * iy
    area = lambda x: (x[:, 2] - x[:, 0]) * (x[:, 3] - x[:, 1])  # noqa: E731
    return inter / np.maximum(area(a) + area(b) - inter, 1e-9)


def ball_recall(best_boxes: Sequence[np.ndarray | None], truth: np.ndarray, iou: float = 0.5) -> dict[str, float]:
    """Recall at ``iou`` of one predicted ball box (xyxy, or None) per frame against the true boxes (N, 4),
    and the centre error in pixels of the frames with a box."""
    n = len(truth)
    found = [i for i, b in enumerate(best_boxes) if b is not None]
    if not found:
        return {"recall": 0.0, "found": 0.0, "centre_err_median": None, "centre_err_mean": None, "within_3px": 0.0,
                "frames": n}
    pred = np.array([best_boxes[i] for i in found], np.float64)
    true = truth[found]
    ious = box_iou(pred, true)
    err = np.hypot((pred[:, 0] + pred[:, 2] - true[:, 0] - true[:, 2]) / 2,
                   (pred[:, 1] + pred[:, 3] - true[:, 1] - true[:, 3]) / 2)
    return {"recall": float((ious >= iou).sum() / n), "found": len(found) / n,
            "centre_err_median": round(float(np.median(err)), 3), "centre_err_mean": round(float(err.mean()), 3),
            "within_3px": float((err <= 3.0).sum() / n), "frames": n}


def best_ball_boxes(detections: Sequence[Any], ball_ids: frozenset[int], threshold: float) -> list[np.ndarray | None]:
    """Per ``sv.Detections`` the most confident box of a ball class at or above ``threshold`` (xyxy), or None."""
    out: list[np.ndarray | None] = []
    for d in detections:
        if len(d) == 0:
            out.append(None)
            continue
        keep = np.flatnonzero(np.isin(d.class_id, list(ball_ids)) & (d.confidence >= threshold))
        out.append(None if len(keep) == 0 else np.asarray(d.xyxy[keep[np.argmax(d.confidence[keep])]], np.float64))
    return out


# --- the training run ------------------------------------------------------------------------------------


def rfdetr_checkpoint(state_dict: dict, class_names: Sequence[str], resolution: int) -> dict:
    """What ``RFDETRNano(pretrain_weights=path)`` loads: weights and the class names in an ``args`` namespace."""
    import argparse

    return {"model": state_dict, "args": argparse.Namespace(num_classes=len(class_names), class_names=list(class_names),
                                                            resolution=int(resolution))}


def plot_curve(points: list[dict], out: Path, goal: float, title: str) -> Path:
    from common.plots import pyplot, save_figure

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    if points:
        t = [p.get("train_s", p["wall_s"]) / 60 for p in points]
        ax.plot(t, [p["recall"] for p in points], "o-", label="ball recall @ IoU 0.5")
        ax.plot(t, [p["found"] for p in points], "x--", alpha=0.6, label="frames with a ball box (conf >= threshold)")
        near = [(x, p["within_3px"]) for x, p in zip(t, points, strict=True) if "within_3px" in p]
        if near:
            ax.plot(*zip(*near, strict=True), "d-.", alpha=0.6, label="... whose centre is within 3 px of the ball")
        top = [(x, p["recall_top1_any_conf"]) for x, p in zip(t, points, strict=True) if "recall_top1_any_conf" in p]
        if top:
            ax.plot(*zip(*top, strict=True), "s:", alpha=0.6, label="recall of the top ball box at any confidence")
        for p, x in zip(points, t, strict=True):
            ax.annotate(f"{p['step']}", (x, p["recall"]), fontsize=7, textcoords="offset points", xytext=(0, 5))
    ax.axhline(goal, color="grey", ls=":", label=f"goal {goal}")
    ax.set_xlabel("training wall time [min] (labels: optimizer steps)")
    ax.set_ylabel("share of held-out frames")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return save_figure(fig, out)


def make_curve_callback(evaluate: Callable[[Any], dict], save: Callable[[Any, dict], None], eval_every_s: float,
                        budget_s: float, max_steps: int, wall_start: float, log: Callable[[str], None],
                        last_step: int = -1):
    """A Lightning callback: every ``eval_every_s`` of training (and at the end) evaluate, record, checkpoint;
    stop once the run's total wall time reaches ``budget_s`` or ``max_steps`` steps are done."""
    from pytorch_lightning import Callback

    class _Curve(Callback):
        def __init__(self) -> None:
            self.t0 = time.perf_counter()
            self.last_eval = self.t0
            self.done_step = last_step  # a resumed run does not measure its last point again
            self.losses: list[float] = []

        def wall(self) -> float:
            return wall_start + time.perf_counter() - self.t0

        def _checkpoint(self, trainer, pl_module) -> None:
            step = int(trainer.global_step)
            if step == self.done_step:
                return
            self.done_step = step
            loss = round(float(np.mean(self.losses)), 4) if self.losses else None
            self.losses = []
            point = {"step": step, "epoch": int(trainer.current_epoch), "wall_s": round(self.wall(), 1),
                     "train_loss": loss, **evaluate(pl_module)}
            point["wall_s_after_eval"] = round(self.wall(), 1)
            save(trainer, point)
            log(f"step {step} ({point['wall_s'] / 60:.1f} min): train loss {loss}, ball recall {point['recall']:.3f}, "
                f"ball box in {point['found']:.3f} of frames, centre error median {point['centre_err_median']} px; "
                f"top ball box at any confidence: recall {point['recall_top1_any_conf']:.3f}, "
                f"median ball score {point['ball_score_median']}")
            self.last_eval = time.perf_counter()

        def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
            loss = outputs.get("loss") if isinstance(outputs, dict) else outputs
            if loss is not None:
                self.losses.append(float(loss))
            out_of_time = self.wall() >= budget_s
            if out_of_time or trainer.global_step >= max_steps:
                trainer.should_stop = True
            if out_of_time or trainer.global_step >= max_steps or time.perf_counter() - self.last_eval >= eval_every_s:
                self._checkpoint(trainer, pl_module)

        def on_train_end(self, trainer, pl_module) -> None:
            self._checkpoint(trainer, pl_module)

    return _Curve()


def read_curve(path: Path) -> list[dict]:
    return json.loads(path.read_text())["points"] if path.is_file() else []


def train_ball_detector(params: Any, run: Any, coco_dir: Path, held_out: HeldOut, log: Callable[[str], None] = print,
                        resume_state: dict | None = None, device: Any = None) -> list[dict]:
    """Train (or continue training) RF-DETR from random initialisation on the COCO export ``coco_dir``; see the
    module docstring. ``params`` is a ``configs.headernet.BallDetectorParams``, ``run`` an open ``common.run.Run``
    (its ``last`` is the resume marker). Returns the recall curve, every point so far."""
    import os

    import rfdetr
    import torch
    from rfdetr.training import RFDETRDataModule, RFDETRModelModule, build_trainer

    from common.device import pick_device
    from headernet.detector import VARIANT_CLASSES

    device = pick_device(params.device) if device is None else device
    class_names = [c["name"] for c in CATEGORIES]
    wrapper = getattr(rfdetr, VARIANT_CLASSES[params.variant])(pretrain_weights=None, num_classes=len(class_names),
                                                                resolution=params.resolution, device=str(device))
    config = wrapper.get_train_config(
        dataset_dir=str(coco_dir), output_dir=str(run.dir / "rfdetr"), class_names=class_names,
        batch_size=params.batch_size, grad_accum_steps=1, epochs=10_000, lr=params.lr, lr_encoder=params.lr_encoder,
        weight_decay=params.weight_decay, use_ema=params.use_ema, num_workers=0, multi_scale=False,
        expanded_scales=False, tensorboard=False, eval_backend="faster_coco_eval", seed=params.seed,
        checkpoint_interval=10_000, progress_bar=None)
    module = RFDETRModelModule(wrapper.model_config, config)
    datamodule = RFDETRDataModule(wrapper.model_config, config)
    accelerator, devices = ("gpu", [device.index or 0]) if device.type == "cuda" else ("cpu", 1)
    trainer = build_trainer(config, wrapper.model_config, accelerator=accelerator, devices=devices,
                            max_steps=params.max_steps if params.max_steps > 0 else -1, limit_val_batches=0,
                            num_sanity_val_steps=0, enable_progress_bar=False, logger=False, enable_model_summary=False)
    # rfdetr's own checkpoint callbacks write per epoch into output_dir; this run checkpoints at each curve point.
    from pytorch_lightning.callbacks import ModelCheckpoint

    trainer.callbacks[:] = [c for c in trainer.callbacks if not isinstance(c, ModelCheckpoint)
                            and type(c).__name__ != "BestModelCallback"]

    points = list((resume_state or {}).get("curve", []))
    # the one run log (metrics.jsonl + TensorBoard) beside curve.json: one line per curve point
    metrics_log = MetricsLog(run.dir, key="step", up_to=points[-1]["step"] if points else -1)
    wall0 = float((resume_state or {}).get("wall_s", 0.0))
    eval_total = [float((resume_state or {}).get("eval_s", 0.0))]

    def evaluate(pl_module) -> dict:
        t = time.perf_counter()
        net = pl_module.model
        net.eval()
        wrapper.model.model = net
        try:
            with torch.no_grad():
                dets = []
                for i in range(0, len(held_out.images), params.eval_batch):
                    out = wrapper.predict(held_out.images[i: i + params.eval_batch], threshold=0.0,
                                          include_source_image=False)
                    dets.extend(out if isinstance(out, list) else [out])
        finally:
            net.train()
        ball = frozenset({0})
        metrics = ball_recall(best_ball_boxes(dets, ball, params.confidence_threshold), held_out.ball_xyxy)
        # the most confident ball box whatever its confidence: localisation apart from calibration
        top1 = ball_recall(best_ball_boxes(dets, ball, 0.0), held_out.ball_xyxy)
        scores = [float(d.confidence[d.class_id == 0].max()) if (d.class_id == 0).any() else 0.0 for d in dets]
        eval_total[0] += time.perf_counter() - t
        return {**metrics, "recall_top1_any_conf": top1["recall"], "centre_err_top1_median": top1["centre_err_median"],
                "ball_score_median": round(float(np.median(scores)), 4), "eval_s": round(time.perf_counter() - t, 1)}

    def save(trainer, point: dict) -> None:
        # training time: wall time less the evaluations before this point
        point["train_s"] = round(point["wall_s"] - eval_total[0] + point["eval_s"], 1)
        points.append(point)
        tmp = run.dir / ".last.ckpt.tmp"
        trainer.save_checkpoint(tmp)
        os.replace(tmp, run.dir / "last.ckpt")
        state = {k: v.detach().cpu() for k, v in trainer.lightning_module.model.state_dict().items()}
        atomic_write(run.dir / "ball_detector.pth",
                     lambda f: torch.save(rfdetr_checkpoint(state, class_names, params.resolution), f))
        marker = {"config": run.config, "state_dict": {}, "epoch": int(point["step"]), "metrics": point, "curve": points,
                  "wall_s": point["wall_s_after_eval"], "train_s": point["train_s"], "eval_s": eval_total[0]}
        atomic_write(run.last_path, lambda f: torch.save(marker, f))
        metrics_log.append({"step": point["step"], "wall_s": point["wall_s"], "train_s": point["train_s"],
                            **{f"val_{k}": v for k, v in point.items() if k not in ("step", "wall_s", "train_s")
                               and isinstance(v, (int, float)) and not isinstance(v, bool)}})
        write_json(run.dir / "curve.json", {"points": points, "goal_recall": params.goal_recall,
                                            "held_out_frames": len(held_out.frames)})
        plot_curve(points, run.dir / "curve.png", params.goal_recall,
                   f"RF-DETR {params.variant} from random init at {params.resolution} px, {device.type}, "
                   f"batch {params.batch_size}; held-out synthetic game, {len(held_out.frames)} frames")

    callback = make_curve_callback(evaluate, save, params.eval_every_s, params.budget_s,
                                   params.max_steps if params.max_steps > 0 else 10**12, wall0, log,
                                   points[-1]["step"] if points else -1)
    trainer.callbacks.append(callback)
    ckpt = run.dir / "last.ckpt"
    if resume_state is not None and not ckpt.is_file():
        raise FileNotFoundError(f"{run.last_path} exists but {ckpt} (the training state) does not; "
                                "use --fresh to start over")
    if wall0 >= params.budget_s:
        log(f"the run has used its budget ({wall0 / 60:.1f} of {params.budget_s / 60:.1f} min); raise budget_s to go on")
        metrics_log.close()
        return points
    try:
        trainer.fit(module, datamodule=datamodule, ckpt_path=str(ckpt) if resume_state is not None else None,
                    weights_only=False)
    finally:
        metrics_log.close()
    return points
