"""Batch feature and label extraction over a TAU-NIGENS-format data set, with normalisation fitted on
the training folds only.

Layout under ``params.feat_label_dir`` (``{ds}`` = foa or mic, ``{mode}`` = dev):

    {ds}_{mode}/<name>.npy        raw features (T, C, 64) float32
    {ds}_{mode}_label/<name>.npy  labels (n_label_frames, max_doas, 4): xyz + activity per slot
    {ds}_wts.npz                  per-feature mean and std (C, 64) of the training folds, and their files
    {ds}_{mode}_norm/<name>.npy   normalised features
    {ds}_{mode}_record/<name>.json what the raw features and labels were made from: size, mtime and inode
                                  of the wav and the csv, and the parameters that shape them

Every file is written atomically. A recording whose record matches its inputs is skipped, so an interrupted
run resumes; one whose wav, csv or parameters changed (or that has no record) is extracted again, and the
outputs of recordings no longer in the data set are removed, each said in the log. The run holds a lock on
``{ds}_{mode}/`` (a second extraction of the same data set is refused while the first lives).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
from tqdm import tqdm

from common.io import FolderLock, atomic_write, remove_stale_temporaries, write_json
from configs.doanet import DOAnetParams
from doanet.features import extract_features, fit_length, read_audio
from doanet.labels import metadata_to_labels, read_metadata

EXTRACTION_VERSION = 1  # bump when features or labels change for the same inputs and parameters
RECORD_PARAMS = ("dataset", "mode", "fs", "hop_len_s", "label_hop_len_s", "max_audio_len_s", "nb_mel_bins", "max_doas")

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
            "record": base / f"{stem}_record", "scaler": base / f"{params.dataset}_wts.npz"}


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


def _file_stamp(path: Path) -> dict[str, int]:
    """Size, modification time and inode: an atomic rewrite (a new file renamed over the old) changes the inode
    even where the file system's clock is too coarse to change the mtime."""
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "inode": st.st_ino}


def synth_version(wav: Path) -> int | None:
    """The synthetic generator's version of the data set a wav belongs to (its synth_manifest.json, two
    levels up: <dataset>/foa_dev/x.wav); None for real data (no manifest) or an unreadable one."""
    try:
        manifest = json.loads((wav.parent.parent / "synth_manifest.json").read_text())
    except (OSError, ValueError):
        return None
    return manifest.get("version") if isinstance(manifest, dict) else None


def source_record(params: DOAnetParams, wav: Path, csv: Path, allow_short: bool = False) -> dict:
    """What the features and labels of one recording are made from; compared on every run. ``synth_version``
    makes features of an older generator's rooms stale even where a file happens to keep its size and stamp."""
    return {"version": EXTRACTION_VERSION, "params": {k: getattr(params, k) for k in RECORD_PARAMS},
            "allow_short": allow_short, "wav": _file_stamp(wav), "csv": _file_stamp(csv),
            "synth_version": synth_version(wav)}


def _stale_reason(record_path: Path, outputs: list[Path], expected: dict) -> str | None:
    """None when the outputs exist and were made from ``expected``; else why they must be made again."""
    if not record_path.exists():
        return "new" if not any(p.exists() for p in outputs) else "no record of its inputs"
    if not all(p.exists() for p in outputs):
        return "incomplete"
    try:
        record = json.loads(record_path.read_text())
    except (OSError, ValueError):
        return "unreadable record"
    if not isinstance(record, dict):
        return "unreadable record"
    changed = [k for k in ("version", "synth_version", "wav", "csv", "allow_short") if record.get(k) != expected[k]]
    old_params = record.get("params") if isinstance(record.get("params"), dict) else {}
    changed += [k for k in expected["params"] if old_params.get(k) != expected["params"][k]]
    return f"{', '.join(changed)} changed" if changed else None


def extract_recording(params: DOAnetParams, wav: Path, csv: Path, device: str = "cpu", allow_short: bool = False,
                      log=print) -> tuple[np.ndarray, np.ndarray]:
    """Features (T, C, 64) and labels (n_label_frames, max_doas, 4) of one recording.

    The audio must cover ``max_audio_len_s`` and every frame of its metadata (to within one label frame);
    otherwise it is a ValueError naming the file and both lengths, or, with ``allow_short``, a warning with
    the audio padded and the labels cut to it. Metadata beyond ``max_audio_len_s`` in a longer file is cut."""
    audio = read_audio(wav, params)
    hop = round(params.label_hop_len_s * params.fs)
    audio_frames = -(-len(audio) // hop)  # label frames that start inside the audio
    n_label_frames = round(params.max_audio_len_s / params.label_hop_len_s)
    padded = fit_length(audio, wav, params, allow_short, log)
    frames_of = f"the audio {wav} ({len(audio)} samples, {len(audio) / params.fs:.2f} s)"
    rows = read_metadata(csv, None if allow_short else audio_frames, frames_of)
    if allow_short and len(rows) and rows[:, 0].max() >= audio_frames:
        log(f"warning: {csv}: labels of frames {audio_frames}..{rows[:, 0].max()} lie beyond the end of {frames_of}; cut")
        rows = rows[rows[:, 0] < audio_frames]
    rows = rows[rows[:, 0] < n_label_frames]  # a file longer than max_audio_len_s is cut, as its audio
    labels = metadata_to_labels(rows, n_label_frames, params.max_doas, source=str(csv))
    return extract_features(padded, params, device), labels


def remove_outputs(params: DOAnetParams, name: str) -> None:
    dirs = feature_dirs(params)
    for key in ("record", "raw", "label", "norm"):  # the record first: without it the rest counts as stale
        (dirs[key] / f"{name}.{'json' if key == 'record' else 'npy'}").unlink(missing_ok=True)


def extract_all(params: DOAnetParams, task_id: str = "1", device: str = "cpu", log=print,
                allow_short: bool = False) -> list[str]:
    """Features and labels of every recording, skipping those whose record matches their inputs.

    Recordings whose wav, csv or parameters changed are extracted again, and the outputs of recordings that
    are no longer in the data set are removed; the log says which. Call it holding the folder's lock
    (``batch_feature_extraction`` does)."""
    recordings = list_recordings(params, task_id)
    names = list(recordings)
    dirs = feature_dirs(params)
    todo: dict[str, str] = {}
    for name, (wav, csv) in recordings.items():
        outputs = [dirs["raw"] / f"{name}.npy", dirs["label"] / f"{name}.npy"]
        reason = _stale_reason(dirs["record"] / f"{name}.json", outputs, source_record(params, wav, csv, allow_short))
        if reason is not None:
            todo[name] = reason
    orphans = sorted({p.stem for key in ("raw", "label", "norm", "record") if dirs[key].is_dir()
                      for p in dirs[key].glob("*.*") if p.suffix in (".npy", ".json")} - set(names))
    for name in orphans:
        remove_outputs(params, name)
    if orphans:
        log(f"{dirs['raw']}: removed the outputs of {len(orphans)} recordings no longer in the data set "
            f"({_some(orphans)})")
    stale = {n: r for n, r in todo.items() if r != "new"}
    if stale:
        log(f"{dirs['raw']}: {len(stale)} recordings out of date, extracting them again: "
            f"{_some([f'{n} ({r})' for n, r in stale.items()])}")
    for name in tqdm(todo, desc=f"features ({params.dataset})", disable=None):
        wav, csv = recordings[name]
        record = source_record(params, wav, csv, allow_short)  # before reading: a change while reading shows next run
        feat, labels = extract_recording(params, wav, csv, device, allow_short, log)
        (dirs["record"] / f"{name}.json").unlink(missing_ok=True)
        _save_npy(dirs["label"] / f"{name}.npy", labels)
        _save_npy(dirs["raw"] / f"{name}.npy", feat)
        (dirs["norm"] / f"{name}.npy").unlink(missing_ok=True)
        write_json(dirs["record"] / f"{name}.json", record)  # last: marks the outputs complete and current
    log(f"{dirs['raw']}: {len(names)} feature files ({len(todo) - len(stale)} new, {len(stale)} redone), "
        f"labels in {dirs['label']}")
    return names


def _some(items: list[str], k: int = 3) -> str:
    return ", ".join(items[:k]) + (f" and {len(items) - k} more" if len(items) > k else "")


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


def batch_feature_extraction(params: DOAnetParams, task_id: str = "1", device: str = "cpu", log=print,
                             allow_short: bool = False) -> list[str]:
    """Extract, fit the scaler on the training folds, normalise: the three steps of the original wrapper.

    Holds the lock of this data set's outputs (``{feat_label_dir}/{ds}_{mode}/.lock``: FOA and MIC may be
    extracted side by side, two extractions of one data set may not) and first removes the temporaries a
    killed run left among them."""
    list_recordings(params, task_id)  # a missing data set fails before anything is made
    dirs = feature_dirs(params)
    with FolderLock(dirs["raw"], what=f"feature folder {dirs['raw']}"):
        for folder in (dirs["raw"], dirs["label"], dirs["norm"], dirs["record"]):
            if folder.is_dir():
                remove_stale_temporaries(folder)
        for tmp in dirs["scaler"].parent.glob(f".{dirs['scaler'].name}.*.tmp"):
            tmp.unlink(missing_ok=True)
        names = extract_all(params, task_id, device, log, allow_short)
        fit_scaler(params, names, log)
        normalise_all(params, names, log)
    return names
