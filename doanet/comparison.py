"""Learned and classical localisers side by side, on fresh recordings that no training or selection used.

    recordings = fresh_recordings(params, "data/eval/doanet_fresh", seeds=range(1000, 1010), length_s=30)
    rows = [evaluate(name, localiser, recordings) for name, localiser in localisers.items()]
    print(comparison_table(rows))

A localiser is a function (recording paths {'foa', 'mic', 'csv'}, reference count (L,)) -> Tracks. Every
row is scored over the same recordings, ov1 and ov2 apart and pooled, by the same metrics: the
original's LE / LR / LP / LF, the DCASE SELD-style location-aware F-score (``F20``: per frame, Hungarian
matches within 20 deg count as true positives; recall and precision over all frames), and gated CLEAR-MOT
(MOTA, MOTP, IDSW; py-motmetrics' matching, 20 deg gate).

``tune_classical`` picks the classical localisers' thresholds on validation recordings (a grid search on
CLEAR-MOT MOTA); its spatial maps are computed once per map-shaping setting, the cheap thresholds swept
over them.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from configs.doanet import DOAnetParams
from doanet.classical import ClassicalParams, foa_maps, localise, mic_maps, with_changes
from doanet.features import read_audio
from doanet.inference import Tracks, activity_logit, check_merge_angle, merge_duplicates, reference_tracks, synthetic_recording
from doanet.metrics import clear_mot, original_metric

Localiser = Callable[[dict, np.ndarray], Tracks]
OVERLAPS = ("ov1", "ov2", "all")


def fresh_recordings(params: DOAnetParams, folder: str | Path, seeds: Iterable[int], length_s: float,
                     overlaps: Sequence[int] = (1, 2)) -> list[dict]:
    """Render (or reuse: they are deterministic in the seed) one recording per seed and overlap:
    [{'foa', 'mic', 'csv': Path, 'overlap': 1|2, 'seed'}], in both formats."""
    out = []
    todo = [(s, ov) for s in seeds for ov in overlaps]
    for seed, ov in tqdm(todo, desc="fresh recordings", leave=False, disable=None):
        stem = Path(folder) / f"synth_seed{seed}_ov{ov}"
        paths = {"foa": stem.with_name(stem.name + "_foa.wav"), "mic": stem.with_name(stem.name + "_mic.wav"),
                 "csv": stem.with_suffix(".csv")}
        if not all(p.is_file() for p in paths.values()):
            paths = synthetic_recording(params, folder, seed, ov, length_s)
        out.append({**paths, "overlap": ov, "seed": seed})
    return out


def dataset_recordings(params: DOAnetParams, base: str | Path, fold: int, limit: int | None = None) -> list[dict]:
    """Recordings of one fold of a TAU-NIGENS-format folder (e.g. the validation fold), in both formats."""
    base = Path(base)
    csvs = sorted((base / f"metadata_{params.mode}").glob(f"fold{fold}_*.csv"))
    if not csvs:
        raise FileNotFoundError(f"{base / f'metadata_{params.mode}'} holds no fold{fold}_*.csv recordings")
    out = [{"foa": base / f"foa_{params.mode}" / f"{c.stem}.wav", "mic": base / f"mic_{params.mode}" / f"{c.stem}.wav",
            "csv": c, "overlap": int(c.stem[-1]), "seed": None} for c in csvs]
    return out[:limit]


def reference(recording: dict, params: DOAnetParams) -> tuple[np.ndarray, np.ndarray]:
    """A recording's reference xyz (L, S, 3) and activity (L, S) over its label frames."""
    import soundfile as sf

    # the header's length, not a second read of the audio the localiser reads anyway
    n = -(-sf.info(str(recording["foa"])).frames // (params.hop_len * params.feature_label_resolution))
    return reference_tracks(recording["csv"], n, params.max_doas)


def _trimmed(tracks: Tracks, ref: tuple[np.ndarray, np.ndarray]) -> tuple[Tracks, tuple[np.ndarray, np.ndarray]]:
    """Predictions and references cut to their common number of frames (a model pads its last window)."""
    n = min(len(tracks.xyz), len(ref[0]))
    return dataclasses.replace(tracks, xyz=tracks.xyz[:n], active=tracks.active[:n], features=None), (ref[0][:n], ref[1][:n])


def score_all(preds: Sequence[Tracks], refs: Sequence[tuple[np.ndarray, np.ndarray]], has_activity: bool = True) -> dict:
    """The metrics over several recordings (each scored as its own sequence; frames pooled)."""
    ref_xyz = np.concatenate([r[0] for r in refs])[None]
    ref_act = np.concatenate([r[1] for r in refs])[None]
    xyz = np.concatenate([p.xyz for p in preds])[None]
    act = np.concatenate([p.active for p in preds])[None]
    original = original_metric(xyz, ref_xyz, ref_act, act if has_activity else None)
    seld = clear_mot(xyz, ref_xyz, ref_act, act, gate_deg=20.0, matching="per_frame")
    # CLEAR-MOT per recording (identities do not continue across files), summed
    parts = [clear_mot(p.xyz, r[0], r[1], p.active) for p, r in zip(preds, refs, strict=True)]
    gt, match = sum(c["gt"] for c in parts), sum(c["matches"] for c in parts)
    npred, idsw = sum(c["pred"] for c in parts), sum(c["IDSW"] for c in parts)
    motp = sum(c["MOTP"] * c["matches"] for c in parts if c["matches"]) / match if match else float("nan")
    return {**{k: original[k] for k in ("LE", "LR", "LP", "LF")}, "F20": 100.0 * seld["F"],
            "MOTA": 1 - ((gt - match) + (npred - match) + idsw) / gt if gt else float("nan"),
            "MOTP": motp, "IDSW": idsw, "frames": int(ref_act.shape[1])}


def evaluate(name: str, localiser: Localiser, recordings: Sequence[dict], params: DOAnetParams,
             has_activity: bool = True, **info) -> dict:
    """One row: the localiser on every recording, scored per overlap and pooled, with its wall time."""
    preds, refs = [], []
    t0 = time.perf_counter()
    for rec in tqdm(recordings, desc=name, leave=False, disable=None):
        ref = reference(rec, params)
        tracks, ref = _trimmed(localiser(rec, ref[1].sum(-1)), ref)
        preds.append(tracks)
        refs.append(ref)
    seconds = time.perf_counter() - t0
    row = {"name": name, **info, "seconds": round(seconds, 1), "recordings": len(recordings)}
    for ov in OVERLAPS:
        pick = [i for i, r in enumerate(recordings) if ov == "all" or r["overlap"] == int(ov[-1])]
        if pick:
            row[ov] = score_all([preds[i] for i in pick], [refs[i] for i in pick], has_activity)
    return row


# --- the localisers ----------------------------------------------------------------------------------------------
def classical_localiser(fmt: str, params: DOAnetParams, cp: ClassicalParams, oracle: bool = False) -> Localiser:
    """The FOA or MIC classical localiser as a Localiser; ``oracle``: given the reference count per frame."""
    maps = foa_maps if fmt == "foa" else mic_maps

    def run(rec: dict, count: np.ndarray) -> Tracks:
        return localise(*maps(read_audio(rec[fmt], params), params, cp), params, cp, count if oracle else None)

    return run


def doanet_localiser(checkpoint: str | Path, device: str = "cpu", activity_threshold: float | None = None,
                     merge_within_deg: float | None = None) -> tuple[Localiser, DOAnetParams, bool]:
    """A trained DOAnet as a Localiser (the recording in its format), its parameters, whether it has activity.
    A slot is active where the activity head's probability exceeds ``activity_threshold`` and no more confident
    active track of the frame is within ``merge_within_deg`` (None: what the checkpoint carries, chosen on
    validation, else 0.5 and no merge)."""
    from doanet.inference import load_doanet, predict_recording

    if activity_threshold is not None:
        activity_logit(activity_threshold)  # a probability in (0, 1), checked before the model is loaded
    if merge_within_deg is not None:
        check_merge_angle(merge_within_deg)
    model = load_doanet(checkpoint, device)
    if activity_threshold is not None:
        model.activity_threshold = activity_threshold
    if merge_within_deg is not None:
        model.merge_within_deg = merge_within_deg

    def run(rec: dict, count: np.ndarray) -> Tracks:
        return predict_recording(model, rec[model.params.dataset])

    run.activity_threshold, run.merge_within_deg = model.activity_threshold, model.merge_within_deg  # for the rows
    return run, model.params, model.model.activity_head is not None


ACTIVITY_GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
MERGE_GRID = (0.0, 30.0, 60.0, 90.0, 120.0, 150.0, 180.0)
"""Duplicate-merge angles tried with each threshold (0: no merge; 180: one track per frame)."""


def tune_activity_threshold(checkpoint: str | Path, recordings: Sequence[dict], params: DOAnetParams,
                            device: str = "cpu") -> tuple[dict, list[dict]]:
    """The activity probability threshold and duplicate-merge angle (``merge_duplicates``) with the best pooled
    CLEAR-MOT MOTA on ``recordings`` (validation only): (best trial, trials), each trial
    {'activity_threshold', 'merge_within_deg', metrics}. The model runs once per recording; the rules are
    swept over its outputs."""
    localiser, _, has_activity = doanet_localiser(checkpoint, device, activity_threshold=0.5, merge_within_deg=0.0)
    if not has_activity:
        raise ValueError(f"{checkpoint} has no activity head: there is no threshold to choose")
    refs = [reference(r, params) for r in recordings]
    base = [localiser(r, ref[1].sum(-1)) for r, ref in zip(recordings, refs, strict=True)]
    trials = []
    for thr, within in itertools.product(ACTIVITY_GRID, MERGE_GRID):
        logit = activity_logit(thr)
        pairs = [_trimmed(dataclasses.replace(t, active=merge_duplicates(t.xyz, t.activity_logits > logit,
                                                                         t.activity_logits, within)), r)
                 for t, r in zip(base, refs, strict=True)]
        trials.append({"activity_threshold": thr, "merge_within_deg": within,
                       **score_all([p for p, _ in pairs], [r for _, r in pairs])})
    return max(trials, key=lambda t: t["MOTA"]), trials


# --- thresholds chosen on validation ---------------------------------------------------------------------------------
# one MIC map setting only: NormMUSIC maps cost about 0.5 s per second of audio
MAP_GRID = {"foa": {"diffuseness_max": (0.3, 0.5, 0.7)}, "mic": {"context_frames": (1,)}}
THRESHOLD_GRID = {"activity_db": (2.0, 4.0, 6.0, 9.0, 12.0), "second_peak_ratio": (0.3, 0.45, 0.6, 0.75, 0.9)}


def tune_classical(fmt: str, recordings: Sequence[dict], params: DOAnetParams,
                   base: ClassicalParams | None = None) -> tuple[ClassicalParams, list[dict]]:
    """The thresholds with the best pooled CLEAR-MOT MOTA on ``recordings`` (validation only): (best, trials)."""
    base = base or ClassicalParams()
    refs = [reference(r, params) for r in recordings]
    maps_fn = foa_maps if fmt == "foa" else mic_maps
    trials, best, best_mota = [], base, -np.inf
    for map_values in itertools.product(*MAP_GRID[fmt].values()):
        cp_map = with_changes(base, **dict(zip(MAP_GRID[fmt], map_values, strict=True)))
        maps = [maps_fn(read_audio(r[fmt], params), params, cp_map) for r in tqdm(recordings, desc=f"{fmt} maps",
                                                                                   leave=False, disable=None)]
        for values in itertools.product(*THRESHOLD_GRID.values()):
            cp = with_changes(cp_map, **dict(zip(THRESHOLD_GRID, values, strict=True)))
            pairs = [_trimmed(localise(*m, params, cp), ref) for m, ref in zip(maps, refs, strict=True)]
            result = score_all([p for p, _ in pairs], [r for _, r in pairs])
            chosen = {**dict(zip(MAP_GRID[fmt], map_values, strict=True)), **dict(zip(THRESHOLD_GRID, values, strict=True))}
            trials.append({**chosen, **result})
            if result["MOTA"] > best_mota:
                best, best_mota = cp, result["MOTA"]
    return best, trials


# --- the table ----------------------------------------------------------------------------------------------------
def comparison_table(rows: Sequence[dict]) -> str:
    """Markdown: one line per localiser and overlap (ov1, ov2, all)."""
    head = ("| localiser | recordings | LE (deg) | LR % | LP % | LF % | F20 % | CLEAR-MOT MOTA | MOTP (deg) | IDSW |\n"
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    lines = [head]
    for row in rows:
        for ov in OVERLAPS:
            if ov not in row:
                continue
            m = row[ov]
            lines.append(f"| {row['name']} | {ov} | {m['LE']:.1f} | {m['LR']:.1f} | {m['LP']:.1f} | {m['LF']:.1f} | "
                         f"{m['F20']:.1f} | {m['MOTA']:.3f} | {m['MOTP']:.1f} | {m['IDSW']} |")
    return "\n".join(lines)


def mean_spread_table(rows: Sequence[dict]) -> str:
    """Markdown: rows sharing a ``group`` (e.g. one model trained with several seeds) as mean +- standard
    deviation per overlap; groups of one row are left out."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        if row.get("group"):
            groups.setdefault(row["group"], []).append(row)
    keys = ("LE", "LF", "F20", "MOTA")
    lines = ["| model | seeds | recordings | " + " | ".join(keys) + " |", "| --- | --- | --- |" + " --- |" * len(keys)]
    for name, members in groups.items():
        if len(members) < 2:
            continue
        for ov in OVERLAPS:
            values = [[m[ov][k] for m in members if ov in m] for k in keys]
            cells = [f"{np.mean(v):.{3 if k == 'MOTA' else 1}f} +- {np.std(v, ddof=1):.{3 if k == 'MOTA' else 1}f}"
                     for k, v in zip(keys, values, strict=True)]
            lines.append(f"| {name} | {len(members)} | {ov} | " + " | ".join(cells) + " |")
    return "\n".join(lines) if len(lines) > 2 else ""
