"""Header annotations and the videos they refer to.

Positives come from SoccerNet label files (``Labels-ball.json``: ``gameTime`` "H - MM:SS" gives the
half, ``position`` in ms from the half's start gives frame = round(position x fps / 1000), half-up)
and from the original's per-match frame-number tables (a CSV per half whose name says which half,
with a column whose name contains "frame"). A video's half comes from its file name, ``^([12])_``
(``1_224p.mkv``, ``2_720p.mkv``); the original's ``"_2" in stem`` read ``1_224p`` as half 2.
A game is identified by its folder name with everything but letters, digits, '-' and '_' removed.
"""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

_HALF_PREFIX = re.compile(r"^([12])_")
_HALF_TOKENS = {"1": 1, "01": 1, "1st": 1, "half1": 1, "first": 1, "2": 2, "02": 2, "2nd": 2, "half2": 2, "second": 2}


@dataclass(frozen=True, order=True)
class Sample:
    """One sample: a centre frame of a half of a game, label 1 (header) or 0."""

    video_id: str
    half: int
    frame: int
    label: int


@dataclass(frozen=True)
class VideoSource:
    video_id: str
    half: int
    path: Path


@dataclass(frozen=True)
class LabelProblem:
    """A label file that could not be used, and why."""

    path: Path
    reason: str


def canonical_match_name(name: str) -> str:
    """``"2019-10-01 - 19-45 Hull City 1 - 0 Leeds"`` -> ``"2019-10-01-19-45HullCity1-0Leeds"``."""
    return re.sub(r"[^A-Za-z0-9_-]", "", name)


def half_from_name(stem: str) -> int | None:
    """The half a file name refers to: ``^([12])_`` first, else a token such as ``half1``, ``2nd``, ``first``."""
    m = _HALF_PREFIX.match(stem)
    if m:
        return int(m.group(1))
    for token in re.split(r"[^A-Za-z0-9]+", stem.lower()):
        if token in _HALF_TOKENS:
            return _HALF_TOKENS[token]
    m = re.search(r"half[_ -]?([12])", stem.lower())
    return int(m.group(1)) if m else None


def position_to_frame(position_ms: float, fps: float) -> int:
    """frame = round(position_ms x fps / 1000), ties rounded up (Python's round would round half to even).
    A position that is not a finite number (``"1e400"``, ``"nan"``) is a ValueError."""
    frame = float(position_ms) * fps / 1000.0 + 0.5
    if not math.isfinite(frame):
        raise ValueError(f"position {position_ms!r} is not a finite number of milliseconds")
    return math.floor(frame)


def parse_soccernet_labels(path: Path, label: str, fps: float) -> list[Sample]:
    """The positives (annotations whose label is ``label``, case-insensitive) of one SoccerNet label file.

    Raises ValueError naming the file when it is empty, not JSON, or has no "annotations" list.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    if not text.strip():
        raise ValueError(f"{path}: empty label file")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: not valid JSON ({err.msg} at line {err.lineno})") from None
    annotations = doc.get("annotations") if isinstance(doc, dict) else None
    if not isinstance(annotations, list):
        raise ValueError(f"{path}: no 'annotations' list")
    video_id = canonical_match_name(path.parent.name)
    out = []
    for i, a in enumerate(annotations):
        if not isinstance(a, dict):
            raise ValueError(f"{path}: annotation {i} is a {type(a).__name__}, not an object ({str(a)[:60]!r})")
        if str(a.get("label", "")).upper() != label.upper():
            continue
        try:
            half = int(str(a["gameTime"]).split("-")[0].strip())
            frame = position_to_frame(a["position"], fps)
        except (KeyError, ValueError, TypeError, OverflowError) as err:
            raise ValueError(f"{path}: annotation {i} has no usable gameTime/position ({err})") from None
        if half not in (1, 2) or frame < 0:
            raise ValueError(f"{path}: annotation {i} has half {half} / frame {frame}")
        out.append(Sample(video_id, half, frame, 1))
    return out


def parse_frame_table(path: Path) -> list[Sample]:
    """The positives of one frame-number table (CSV): every column whose name contains 'frame', else column 0."""
    path = Path(path)
    half = half_from_name(path.stem)
    if half is None:
        raise ValueError(f"{path}: the file name does not say which half (e.g. 1_header_frames.csv, half2.csv)")
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        rows = list(csv.reader(f))
    if not rows:
        raise ValueError(f"{path}: empty frame table")
    header, body = rows[0], rows[1:]
    cols = [i for i, name in enumerate(header) if "frame" in name.lower()] or [0]
    video_id = canonical_match_name(path.parent.name)
    out = []
    for r, row in enumerate(body, start=2):
        for c in cols:
            cell = row[c].strip() if c < len(row) else ""
            if not cell:
                continue
            try:
                frame = int(float(cell))
            except (ValueError, OverflowError):  # "abc", "nan", "1e400"
                raise ValueError(f"{path}: line {r}: {cell!r} is not a frame number") from None
            if frame < 0:
                raise ValueError(f"{path}: line {r}: frame {frame} is negative")
            out.append(Sample(video_id, half, frame, 1))
    return out


def load_positives(root: str | Path, label: str = "HEADER", fps: float = 25.0,
                   label_file: str = "Labels-ball.json") -> tuple[list[Sample], list[LabelProblem]]:
    """All positives under ``root`` (label files and frame tables), deduplicated and sorted, and the files
    that could not be read. A missing ``root`` or one without any annotation file is a FileNotFoundError."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"header annotations folder {root} does not exist")
    label_files = sorted(root.rglob(label_file))
    tables = sorted(p for p in root.rglob("*.csv") if half_from_name(p.stem) is not None and "frame" in p.stem.lower())
    if not label_files and not tables:
        raise FileNotFoundError(f"no header annotations under {root}: no {label_file} and no *frame*.csv tables")
    samples: set[Sample] = set()
    problems = []
    for path in label_files + tables:
        try:
            found = parse_soccernet_labels(path, label, fps) if path.name == label_file else parse_frame_table(path)
        except (OSError, ValueError) as err:
            problems.append(LabelProblem(path, str(err)))
            continue
        samples.update(found)
    return sorted(samples), problems


def discover_videos(root: str | Path, quality: str = "224p") -> dict[tuple[str, int], VideoSource]:
    """``{(video_id, half): VideoSource}`` for every ``<half>_<quality>.mkv|mp4`` under ``root`` (any depth)."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"dataset folder {root} does not exist")
    pattern = re.compile(rf"^([12])_{re.escape(quality)}\.(mkv|mp4)$")
    out: dict[tuple[str, int], VideoSource] = {}
    for path in sorted(root.rglob(f"*_{quality}.*")):
        m = pattern.match(path.name)
        if m and path.is_file():
            key = (canonical_match_name(path.parent.name), int(m.group(1)))
            out.setdefault(key, VideoSource(key[0], key[1], path))
    return out
