"""The crop cache on disk: sample files, the index CSV, skipped and failed lists, shards and their merge.

Per sample ``<video_id>_half<h>_<frame:06d>_<label>_s.npy`` (uint8, (T, S, S, 3)) and ``..._meta.json``,
each written atomically, the metadata last: a sample whose metadata exists is finished, so a rerun
skips it. The index (``path,label,video_id,half,frame,metadata,ball_conf,ball_vx,ball_vy,player_count``)
is rebuilt from the metadata at the end of every run, sorted by game, half, frame and label, so a
rerun writes the same bytes. A run over shard K of N writes ``<name>.shard-K-of-N.csv`` (and the
same for skipped_samples.csv, failed_videos.csv); ``merge_shards`` joins all N into the plain names.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from common.io import atomic_write, write_json
from headernet.annotations import Sample

INDEX_COLUMNS = ("path", "label", "video_id", "half", "frame", "metadata", "ball_conf", "ball_vx", "ball_vy",
                 "player_count")
SKIPPED_COLUMNS = ("video_id", "half", "frame", "label", "reason")
FAILED_COLUMNS = ("video_id", "half", "path", "reason")
SKIPPED_NAME, FAILED_NAME = "skipped_samples.csv", "failed_videos.csv"


def sample_stem(s: Sample) -> str:
    return f"{s.video_id}_half{s.half}_{s.frame:06d}_{s.label}"


def sample_paths(out_dir: Path, s: Sample) -> tuple[Path, Path]:
    stem = sample_stem(s)
    return out_dir / f"{stem}_s.npy", out_dir / f"{stem}_meta.json"


def is_done(out_dir: Path, s: Sample) -> bool:
    npy, meta = sample_paths(out_dir, s)
    return meta.is_file() and npy.is_file()


def write_sample(out_dir: Path, s: Sample, stack: np.ndarray, meta: dict) -> None:
    """The crop stack, then its metadata (whose presence marks the sample finished)."""
    npy, meta_path = sample_paths(out_dir, s)
    atomic_write(npy, lambda f: np.save(f, np.ascontiguousarray(stack, dtype=np.uint8)))
    write_json(meta_path, meta)


def index_row(out_dir: Path, s: Sample) -> dict:
    _, meta_path = sample_paths(out_dir, s)
    meta = json.loads(meta_path.read_text())
    return {"path": sample_stem(s), "metadata": meta_path.name, **meta["index"]}


def shard_name(name: str, shard: tuple[int, int] | None) -> str:
    """``train.csv`` -> ``train.shard-2-of-4.csv`` for shard (2, 4); unchanged without a shard."""
    if shard is None:
        return name
    stem = name[:-4] if name.endswith(".csv") else name
    return f"{stem}.shard-{shard[0]}-of-{shard[1]}.csv"


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"2/4"`` -> (2, 4): shard K of N, 1 <= K <= N. None or "" -> None."""
    if not text:
        return None
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise ValueError(f"--shard expects K/N with 1 <= K <= N, got {text!r}")
    return int(m.group(1)), int(m.group(2))


def in_shard(video_id: str, all_ids: Sequence[str], shard: tuple[int, int] | None) -> bool:
    """Games are dealt to shards round-robin in sorted order."""
    if shard is None:
        return True
    return sorted(set(all_ids)).index(video_id) % shard[1] == shard[0] - 1


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict]) -> Path:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n", extrasaction="raise")
    w.writeheader()
    w.writerows(rows)
    return atomic_write(path, lambda f: f.write(buf.getvalue().encode()))


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def sort_key(row: dict) -> tuple:
    return (row["video_id"], int(row["half"]), int(row.get("frame") or -1), int(row.get("label") or -1),
            row.get("reason", ""))


def merge_shards(out_dir: str | Path, output_name: str) -> dict[str, int]:
    """Join the index, skipped and failed CSVs of all shards of ``out_dir`` into the unsharded names.

    Every shard 1..N must be present (FileNotFoundError naming the missing ones). Returns rows per file.
    """
    out_dir = Path(out_dir)
    stem = output_name[:-4]
    found = sorted(out_dir.glob(f"{glob_escape(stem)}.shard-*-of-*.csv"))
    if not found:
        raise FileNotFoundError(f"no shard indexes {stem}.shard-K-of-N.csv in {out_dir}")
    counts = {int(re.search(r"-of-(\d+)\.csv$", p.name).group(1)) for p in found}
    if len(counts) != 1:
        raise ValueError(f"{out_dir}: shard indexes of different shard counts {sorted(counts)}")
    n = counts.pop()
    result = {}
    for name, columns in ((output_name, INDEX_COLUMNS), (SKIPPED_NAME, SKIPPED_COLUMNS), (FAILED_NAME, FAILED_COLUMNS)):
        parts = [out_dir / shard_name(name, (k, n)) for k in range(1, n + 1)]
        missing = [str(p) for p in parts if not p.is_file()]
        if missing:
            raise FileNotFoundError(f"missing shard files: {missing}")
        rows = sorted((r for p in parts for r in read_csv(p)), key=sort_key)
        write_csv(out_dir / name, columns, rows)
        result[name] = len(rows)
    return result


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)
