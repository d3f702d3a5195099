"""ov2 recordings made by mixing pairs of ov1 recordings of the same fold and room (the original's
augment_files.py, in Python and never writing into the source data set).

``fold3_room1_mix001_ov1`` + ``fold3_room1_mix005_ov1`` -> ``fold3_room1_aug001005_ov2``: the audio is
(a + b) / 2 (as sox --combine mix), the metadata the union of both CSVs sorted by frame, with the
second recording's track indices moved past the first's so that every source keeps its identity.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
from tqdm import tqdm

from common.io import FolderLock, remove_stale_temporaries
from doanet.features import read_wav
from doanet.labels import read_metadata
from doanet.synth import write_csv, write_wav

OV1 = re.compile(r"^fold(\d+)_room(\d+)_mix(\d+)_ov1$")


def plan_pairs(names: list[str], folds: tuple[int, ...], pairs_per_file: int) -> list[tuple[str, str, str]]:
    """(a, b, output name) for pairs of ov1 files of the same fold and room, at most
    ``pairs_per_file`` times the group size per group, in listing order."""
    groups: dict[tuple[int, int], list[str]] = {}
    for name in sorted(names):
        m = OV1.match(name)
        if m and int(m.group(1)) in folds:
            groups.setdefault((int(m.group(1)), int(m.group(2))), []).append(name)
    plan = []
    for (fold, room), group in sorted(groups.items()):
        for a, b in itertools.islice(itertools.combinations(group, 2), pairs_per_file * len(group)):
            mix_a, mix_b = OV1.match(a).group(3), OV1.match(b).group(3)
            plan.append((a, b, f"fold{fold}_room{room}_aug{mix_a}{mix_b}_ov2"))
    return plan


def merge_metadata(rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
    """Union of two metadata tables (N, 5), b's tracks shifted past a's, sorted by frame."""
    b = rows_b.copy()
    if len(rows_a) and len(b):
        b[:, 2] += rows_a[:, 2].max() + 1
    merged = np.concatenate([rows_a, b])
    return merged[np.argsort(merged[:, 0], kind="stable")]


def _read_source(wav: Path, rows: np.ndarray, label_hop_s: float, allow_short: bool,
                 log) -> tuple[np.ndarray, int, np.ndarray]:
    """The audio of one ov1 recording and its metadata rows, checked to cover each other: labels beyond the end
    of the audio (a truncated file) are an error naming the file and both lengths, or with ``allow_short`` a
    warning and the rows cut to the audio."""
    audio, fs = read_wav(wav, "float64")
    audio_frames = -(-len(audio) // round(label_hop_s * fs))
    if len(rows) and rows[:, 0].max() >= audio_frames:
        what = (f"{wav}: {len(audio)} samples ({len(audio) / fs:.2f} s) but its metadata labels frames up to "
                f"{rows[:, 0].max()} ({(rows[:, 0].max() + 1) * label_hop_s:.2f} s)")
        if not allow_short:
            raise ValueError(f"{what}: a truncated file? Replace it, or allow short files to cut their labels")
        log(f"warning: {what}; labels cut to the audio")
        rows = rows[rows[:, 0] < audio_frames]
    return audio, fs, rows


def augment_dataset(dataset_dir: str | Path, out_dir: str | Path, formats: tuple[str, ...] = ("foa", "mic"),
                    mode: str = "dev", folds: tuple[int, ...] = (3, 4, 5, 6), pairs_per_file: int = 4,
                    log=print, label_hop_s: float = 0.1, allow_short: bool = False) -> list[str]:
    """Write the mixed recordings under ``out_dir`` in the data set's layout; existing ones are kept.

    The two recordings of a pair must be as long as each other (to within a label frame) and cover their
    metadata, else it is a ValueError naming the files and lengths (``allow_short``: a warning, and labels cut
    to the audio). The run holds a lock on ``out_dir``."""
    src, out = Path(dataset_dir), Path(out_dir)
    if src.resolve() == out.resolve():
        raise ValueError(f"augmentation writes to a separate folder; out_dir {out} is the source data set")
    meta = src / f"metadata_{mode}"
    if not meta.is_dir():
        raise FileNotFoundError(f"{meta} does not exist; make a data set with scripts/make_synthetic_tau.py")
    names = [p.stem for p in meta.glob("*.csv")]
    plan = plan_pairs(names, folds, pairs_per_file)
    with FolderLock(out, what=f"augmented data set {out}"):
        for sub in (out, *(out / f"{fmt}_{mode}" for fmt in formats), out / f"metadata_{mode}"):
            if sub.is_dir():
                remove_stale_temporaries(sub)
        for a, b, name in tqdm(plan, desc="augment", disable=None):
            csv_out = out / f"metadata_{mode}" / f"{name}.csv"
            rows_a, rows_b = read_metadata(meta / f"{a}.csv"), read_metadata(meta / f"{b}.csv")
            for fmt in formats:
                wav_out = out / f"{fmt}_{mode}" / f"{name}.wav"
                if wav_out.exists() and csv_out.exists():
                    continue
                xa, fs, cut_a = _read_source(src / f"{fmt}_{mode}" / f"{a}.wav", rows_a, label_hop_s, allow_short, log)
                xb, fs_b, cut_b = _read_source(src / f"{fmt}_{mode}" / f"{b}.wav", rows_b, label_hop_s, allow_short, log)
                if fs != fs_b or xa.shape[1] != xb.shape[1]:
                    raise ValueError(f"{a} and {b} differ in sample rate or channels "
                                     f"({fs}/{fs_b}, {xa.shape[1]}/{xb.shape[1]})")
                if abs(len(xa) - len(xb)) > round(label_hop_s * fs) and not allow_short:
                    raise ValueError(f"{src / f'{fmt}_{mode}'}: {a}.wav has {len(xa)} samples but {b}.wav {len(xb)}; "
                                     f"a truncated file? Replace it, or allow short files")
                n = max(len(xa), len(xb))
                mix = np.zeros((n, xa.shape[1]))
                mix[: len(xa)] += xa / 2
                mix[: len(xb)] += xb / 2
                write_wav(wav_out, mix, fs)
                rows_a, rows_b = cut_a, cut_b
            if not csv_out.exists():  # written after the audio of every format: marks the recording complete
                write_csv(csv_out, [tuple(int(v) for v in r) for r in merge_metadata(rows_a, rows_b)])
    log(f"{out}: {len(plan)} augmented ov2 recordings ({', '.join(formats)})")
    return [name for _, _, name in plan]
