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
import soundfile as sf
from tqdm import tqdm

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


def augment_dataset(dataset_dir: str | Path, out_dir: str | Path, formats: tuple[str, ...] = ("foa", "mic"),
                    mode: str = "dev", folds: tuple[int, ...] = (3, 4, 5, 6), pairs_per_file: int = 4,
                    log=print) -> list[str]:
    """Write the mixed recordings under ``out_dir`` in the data set's layout; existing ones are kept."""
    src, out = Path(dataset_dir), Path(out_dir)
    if src.resolve() == out.resolve():
        raise ValueError(f"augmentation writes to a separate folder; out_dir {out} is the source data set")
    meta = src / f"metadata_{mode}"
    if not meta.is_dir():
        raise FileNotFoundError(f"{meta} does not exist; make a data set with scripts/make_synthetic_tau.py")
    names = [p.stem for p in meta.glob("*.csv")]
    plan = plan_pairs(names, folds, pairs_per_file)
    for a, b, name in tqdm(plan, desc="augment", disable=None):
        csv_out = out / f"metadata_{mode}" / f"{name}.csv"
        for fmt in formats:
            wav_out = out / f"{fmt}_{mode}" / f"{name}.wav"
            if wav_out.exists():
                continue
            xa, fs = sf.read(str(src / f"{fmt}_{mode}" / f"{a}.wav"), dtype="float64", always_2d=True)
            xb, fs_b = sf.read(str(src / f"{fmt}_{mode}" / f"{b}.wav"), dtype="float64", always_2d=True)
            if fs != fs_b or xa.shape[1] != xb.shape[1]:
                raise ValueError(f"{a} and {b} differ in sample rate or channels ({fs}/{fs_b}, {xa.shape[1]}/{xb.shape[1]})")
            n = max(len(xa), len(xb))
            mix = np.zeros((n, xa.shape[1]))
            mix[: len(xa)] += xa / 2
            mix[: len(xb)] += xb / 2
            write_wav(wav_out, mix, fs)
        if not csv_out.exists():
            merged = merge_metadata(read_metadata(src / f"metadata_{mode}" / f"{a}.csv"),
                                    read_metadata(src / f"metadata_{mode}" / f"{b}.csv"))
            write_csv(csv_out, [tuple(int(v) for v in r) for r in merged])
    log(f"{out}: {len(plan)} augmented ov2 recordings ({', '.join(formats)})")
    return [name for _, _, name in plan]
