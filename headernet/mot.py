"""Real ball labels: SoccerNet-Tracking's MOT-format ground truth, read as the heatmap trainer's ``Frames``.

SoccerNet-Tracking (``SoccerNetDownloader.downloadDataTask(task="tracking", split=["train", "test"])``, then
unzipped) holds 30-second clips of 1080p broadcast, each a folder ``<root>/<split>/SNMOT-XXX/`` with

- ``seqinfo.ini``: ``[Sequence]`` with ``imDir`` (img1), ``imExt`` (.jpg), ``seqLength`` (750), ``imWidth``,
  ``imHeight``, ``frameRate``;
- ``gameinfo.ini``: ``[Sequence]`` with ``trackletID_<id>= <class>;<detail>`` for every track, the ball's
  class being ``ball`` (``trackletID_26= ball;1``);
- ``gt/gt.txt``: MOT lines ``frame, track_id, x, y, w, h, conf, -1, -1, -1`` (frames from 1, boxes in pixels,
  top-left corner and size);
- ``img1/000001.jpg`` ...: the frames.

``load_mot_frames`` reads every ``stride``-th frame, scales it to 224 rows (SoccerNet's 224p: the scale the
detector works at), and takes the ball's box centre as the truth; a frame without a ball box is a
no-ball frame (the ball hidden or out of the view), as ``ball_visible`` is in the synthetic sidecars.
"""

from __future__ import annotations

import configparser
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from headernet.ball_eval import Frames

HEIGHT = 224


def _ini(path: Path) -> configparser.SectionProxy:
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found (a SoccerNet-Tracking sequence folder holds seqinfo.ini, "
                                "gameinfo.ini, gt/gt.txt and img1/)")
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(path.read_text())
        return parser["Sequence"]
    except (configparser.Error, KeyError) as err:
        raise ValueError(f"{path}: not a MOT ini file with a [Sequence] section ({type(err).__name__})") from None


def read_seqinfo(seq_dir: str | Path) -> dict:
    """``seqinfo.ini`` of a sequence: image folder, extension, length, width, height, frame rate."""
    s = _ini(Path(seq_dir) / "seqinfo.ini")
    try:
        return {"im_dir": s.get("imDir", "img1"), "ext": s.get("imExt", ".jpg"), "length": int(s["seqLength"]),
                "width": int(s["imWidth"]), "height": int(s["imHeight"]), "fps": float(s.get("frameRate", "25"))}
    except (KeyError, ValueError) as err:
        raise ValueError(f"{Path(seq_dir) / 'seqinfo.ini'}: needs integer seqLength, imWidth, imHeight ({err})") from None


def ball_track_ids(seq_dir: str | Path) -> set[int]:
    """Track ids whose ``gameinfo.ini`` class is the ball (``trackletID_<id>= ball;...``)."""
    s = _ini(Path(seq_dir) / "gameinfo.ini")
    ids = set()
    for key, value in s.items():
        if key.lower().startswith("trackletid_") and value.split(";")[0].strip().lower() == "ball":
            ids.add(int(key.split("_", 1)[1]))
    return ids


def read_ball_boxes(seq_dir: str | Path) -> dict[int, tuple[float, float, float, float]]:
    """{frame (from 1): (x, y, w, h)} of the ball in ``gt/gt.txt`` (the largest box where a frame has two)."""
    seq_dir = Path(seq_dir)
    ids, gt = ball_track_ids(seq_dir), seq_dir / "gt" / "gt.txt"
    if not gt.is_file():
        raise FileNotFoundError(f"{gt} not found (MOT ground truth: frame, track_id, x, y, w, h, ...)")
    boxes: dict[int, tuple[float, float, float, float]] = {}
    for n, line in enumerate(gt.read_text().splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split(",")
        try:
            frame, track, x, y, w, h = int(float(parts[0])), int(float(parts[1])), *map(float, parts[2:6])
        except (ValueError, IndexError):
            raise ValueError(f"{gt} line {n}: expected 'frame, track_id, x, y, w, h, ...', got {line.strip()!r}") from None
        if track in ids and w > 0 and h > 0 and (frame not in boxes or w * h > boxes[frame][2] * boxes[frame][3]):
            boxes[frame] = (x, y, w, h)
    return boxes


def mot_sequences(root: str | Path, split: str) -> list[Path]:
    """The sequence folders (those with a seqinfo.ini) of ``<root>/<split>/``, sorted; an error if there are none."""
    folder = Path(root) / split
    seqs = sorted(p for p in folder.glob("*") if (p / "seqinfo.ini").is_file()) if folder.is_dir() else []
    if not seqs:
        raise FileNotFoundError(f"no SoccerNet-Tracking sequences (folders with seqinfo.ini) under {folder}")
    return seqs


def load_mot_frames(seq_dirs: Sequence[str | Path], stride: int = 1, max_frames: int = 0) -> Frames:
    """Every ``stride``-th frame of each sequence at 224 rows (RGB), with the ball's centre at that scale and
    whether a ball box exists (pixel-edge coordinates, as the synthetic sidecars)."""
    import cv2

    images, centres, visible, sources = [], [], [], []
    for seq in map(Path, seq_dirs):
        info, boxes = read_seqinfo(seq), read_ball_boxes(seq)
        scale = HEIGHT / info["height"]
        size = (round(info["width"] * scale), HEIGHT)
        for frame in range(1, info["length"] + 1, stride):
            path = seq / info["im_dir"] / f"{frame:06d}{info['ext']}"
            bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if bgr is None:
                raise ValueError(f"{path}: missing or not an image (seqinfo.ini says {info['length']} frames)")
            images.append(cv2.cvtColor(cv2.resize(bgr, size, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB))
            box = boxes.get(frame)
            visible.append(box is not None)
            centres.append((0.0, 0.0) if box is None else ((box[0] + box[2] / 2) * scale, (box[1] + box[3] / 2) * scale))
            sources.append((str(seq), frame))
            if max_frames and len(images) >= max_frames:
                break
        if max_frames and len(images) >= max_frames:
            break
    if not images:
        raise ValueError(f"no frames read from {[str(s) for s in seq_dirs]}")
    shapes = {im.shape for im in images}
    if len(shapes) > 1:
        raise ValueError(f"sequences of different aspect ratios {sorted(shapes)}: train on one size at a time")
    return Frames(np.stack(images), np.array(centres, np.float64), np.array(visible, bool), sources)


def mot_ball_px(seq_dirs: Sequence[str | Path]) -> float:
    """The mean ball box width at 224 rows over the sequences (the size the detector reports)."""
    widths = [b[2] * HEIGHT / read_seqinfo(s)["height"] for s in seq_dirs for b in read_ball_boxes(s).values()]
    if not widths:
        raise ValueError(f"no ball boxes in {[str(s) for s in seq_dirs]} (gameinfo.ini names no 'ball' tracklet?)")
    return float(np.mean(widths))
