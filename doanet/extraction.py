"""Batch feature and label extraction over a TAU-NIGENS-format data set, with normalisation fitted on
the training folds only.

Layout under ``params.feat_label_dir`` (``{ds}`` = foa or mic, ``{mode}`` = dev):

    {ds}_{mode}/<name>.npy        raw features (T, C, 64) float32
    {ds}_{mode}_label/<name>.npy  labels (n_label_frames, max_doas, 4): xyz + activity per slot
    {ds}_wts.npz                  per-feature mean and std (C, 64) of the training folds, and their files
    {ds}_{mode}_norm/<name>.npy   normalised features

Every file is written atomically and skipped when it exists, so an interrupted run resumes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
from tqdm import tqdm

from common.io import atomic_write
from configs.doanet import DOAnetParams
from doanet.features import extract_features, load_audio
from doanet.labels import metadata_to_labels, read_metadata

NAME = re.compile(r"^fold(\d+)_")


def fold_of(name: str) -> int:
    m = NAME.match(name)
    if not m:
        raise ValueError(f"{name}: file names must start with fold<N>_ as in TAU-NIGENS (e.g. fold1_room1_mix001_ov1)")
    return int(m.group(1))


def audio_dir(params: DOAnetParams, base: str | None = None) -> Path:
    return Path(params.dataset_dir if base is None else base) / f"{params.dataset}_{params.mode}"


def metadata_dir(params: DOAnetParams, base: str | None = None) -> Path:
    return Path(params.dataset_dir if base is None else base) / f"metadata_{params.mode}"


def feature_dirs(params: DOAnetParams) -> dict[str, Path]:
    base = Path(params.feat_label_dir)
    stem = f"{params.dataset}_{params.mode}"
    return {"raw": base / stem, "norm": base / f"{stem}_norm", "label": base / f"{stem}_label",
            "scaler": base / f"{params.dataset}_wts.npz"}


def list_recordings(params: DOAnetParams, task_id: str = "1") -> dict[str, tuple[Path, Path]]:
    """Every recording of ``dataset_dir`` and ``extra_dataset_dirs`` (e.g. augmented ov2 mixtures):
    name -> (wav, metadata csv), each checked to have its CSV and a fold<N>_ name."""
    recordings: dict[str, tuple[Path, Path]] = {}
    for base in (params.dataset_dir, *params.extra_dataset_dirs):
        folder = audio_dir(params, base)
        if not folder.is_dir():
            raise FileNotFoundError(
                f"data set folder {folder} does not exist. Make a synthetic one with "
                f"`python3 scripts/make_synthetic_tau.py {task_id}` (augmented: scripts/augment_files.py), or unzip the "
                f"real TAU-NIGENS 2020 ({params.dataset}_{params.mode}/ and metadata_{params.mode}/) under {base}"
            )
        wavs = sorted(folder.glob("*.wav"))
        if not wavs:
            raise FileNotFoundError(f"{folder} holds no .wav files")
        for wav in wavs:
            fold_of(wav.stem)
            csv = metadata_dir(params, base) / f"{wav.stem}.csv"
            if not csv.is_file():
                raise FileNotFoundError(f"{wav} has no metadata file {csv}")
            recordings[wav.stem] = (wav, csv)
    return dict(sorted(recordings.items()))


def _save_npy(path: Path, array: np.ndarray) -> None:
    atomic_write(path, lambda f: np.save(f, array))


def extract_all(params: DOAnetParams, task_id: str = "1", device: str = "cpu", log=print) -> list[str]:
    """Features and labels of every recording, skipping those already extracted."""
    recordings = list_recordings(params, task_id)
    names = list(recordings)
    dirs = feature_dirs(params)
    n_label_frames = round(params.max_audio_len_s / params.label_hop_len_s)
    todo = [n for n in names if not ((dirs["raw"] / f"{n}.npy").exists() and (dirs["label"] / f"{n}.npy").exists())]
    for name in tqdm(todo, desc=f"features ({params.dataset})", disable=None):
        wav, csv = recordings[name]
        labels = metadata_to_labels(read_metadata(csv), n_label_frames, params.max_doas, source=str(csv))
        feat = extract_features(load_audio(wav, params), params, device)
        _save_npy(dirs["label"] / f"{name}.npy", labels)
        _save_npy(dirs["raw"] / f"{name}.npy", feat)
    log(f"{dirs['raw']}: {len(names)} feature files ({len(todo)} new), labels in {dirs['label']}")
    return names


def fit_scaler(params: DOAnetParams, names: list[str], log=print) -> dict[str, np.ndarray]:
    """Mean and std per feature (C, 64) over every frame of the training folds only."""
    dirs = feature_dirs(params)
    train = [n for n in names if fold_of(n) in params.train_folds]
    if not train:
        raise ValueError(f"no recording of the training folds {params.train_folds} in {audio_dir(params)}")
    total = sq = None
    count = 0
    for name in train:
        feat = np.load(dirs["raw"] / f"{name}.npy").astype(np.float64)  # (T, C, F)
        total = feat.sum(0) if total is None else total + feat.sum(0)
        sq = (feat**2).sum(0) if sq is None else sq + (feat**2).sum(0)
        count += len(feat)
    mean = total / count
    std = np.sqrt(np.maximum(sq / count - mean**2, 0.0))
    std[std < 1e-8] = 1.0  # constant features, as sklearn's StandardScaler
    scaler = {"mean": mean.astype(np.float32), "std": std.astype(np.float32), "files": np.array(json.dumps(train))}
    atomic_write(dirs["scaler"], lambda f: np.savez(f, **scaler))
    log(f"{dirs['scaler']}: fitted on {len(train)} training recordings (folds {params.train_folds})")
    return scaler


def load_scaler(params: DOAnetParams) -> dict:
    path = feature_dirs(params)["scaler"]
    if not path.is_file():
        raise FileNotFoundError(f"normalisation file {path} does not exist; run scripts/batch_feature_extraction.py")
    with np.load(path) as f:
        return {"mean": f["mean"], "std": f["std"], "files": json.loads(str(f["files"]))}


def normalise_all(params: DOAnetParams, names: list[str], log=print) -> None:
    """Write normalised features; a file older than the scaler is redone."""
    dirs = feature_dirs(params)
    scaler = load_scaler(params)
    fitted_at = dirs["scaler"].stat().st_mtime_ns
    for name in names:
        out = dirs["norm"] / f"{name}.npy"
        if out.exists() and out.stat().st_mtime_ns >= fitted_at:
            continue
        feat = np.load(dirs["raw"] / f"{name}.npy")
        _save_npy(out, ((feat - scaler["mean"]) / scaler["std"]).astype(np.float32))
    log(f"{dirs['norm']}: {len(names)} normalised feature files")


def batch_feature_extraction(params: DOAnetParams, task_id: str = "1", device: str = "cpu", log=print) -> list[str]:
    """Extract, fit the scaler on the training folds, normalise: the three steps of the original wrapper."""
    names = extract_all(params, task_id, device, log)
    fit_scaler(params, names, log)
    normalise_all(params, names, log)
    return names
