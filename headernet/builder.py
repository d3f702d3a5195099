"""The sparse positive/negative dataset builder: annotations -> samples -> frames -> detections -> crop cache.

Per half with at least one header: positives from the annotations, negatives sampled away from them
(``headernet.sampling``), then the samples in frame order, grouped where their frames lie within
``seek_gap`` of each other. Per group: decode its frames (window frames and their +-n neighbours,
``headernet.frames``), run the detector on the window frames only, build each sample's ball track and
crop stack (``headernet.crops``) and write it (``headernet.cache``). Bad input never stops the run:
a missing or unreadable video goes to failed_videos.csv with the file named, a sample without a ball
or with too many undecodable frames to skipped_samples.csv, an unreadable label file is reported and
left out. Finished samples are skipped on a rerun.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from common.io import write_json
from configs.base import to_dict
from configs.headernet import HeaderNetParams
from headernet import cache
from headernet.annotations import Sample, VideoSource, discover_videos, load_positives
from headernet.crops import ball_track, crop_radius, crop_stack, output_size_for, to_patch_box
from headernet.detector import Detector, to_records
from headernet.frames import VideoError, VideoInfo, open_reader, probe
from headernet.sampling import frames_to_decode, half_rng, sample_negatives, window_frames
from headernet.splits import SplitSelection, select_split

MISSING_NAME = "missing_games.csv"
STAGES = ("annotations", "sampling", "decode", "detect", "crop_write")


@dataclass
class BuildSummary:
    samples: int = 0
    """Samples planned (positives and negatives of the processed halves)."""
    positives: int = 0
    negatives: int = 0
    written: int = 0
    already_done: int = 0
    skipped: int = 0
    failed_halves: int = 0
    label_problems: int = 0
    split: SplitSelection | None = None
    """With --split: the split's games present on disk and those missing."""
    frames_requested: int = 0
    frames_decoded: int = 0
    frames_detected: int = 0
    seeks: int = 0
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))

    def format(self) -> str:
        times = ", ".join(f"{k} {v:.2f}s" for k, v in self.seconds.items())
        split = f"{self.split.describe()}\n" if self.split is not None else ""
        return (f"{split}samples {self.samples} ({self.positives} positive, {self.negatives} negative): "
                f"written {self.written}, "
                f"already done {self.already_done}, skipped {self.skipped}; failed halves {self.failed_halves}; "
                f"unreadable label files {self.label_problems}\n"
                f"frames decoded {self.frames_decoded}/{self.frames_requested} ({self.seeks} seeks), "
                f"frames detected {self.frames_detected}\ntime per stage: {times}")


@dataclass
class _Half:
    source: VideoSource
    info: VideoInfo
    samples: list[Sample]


def _progress(total: int, desc: str, enabled: bool, unit: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, disable=not enabled, leave=False)


def plan_halves(params: HeaderNetParams, shard: tuple[int, int] | None, summary: BuildSummary,
                failed: list[dict], log: Callable[[str], None]) -> list[_Half]:
    """Positives, videos and negatives of every (game, half) with a header that belongs to ``shard``."""
    t0 = time.perf_counter()
    positives, problems = load_positives(params.labels_root, params.label_name, params.fps, params.label_file)
    summary.label_problems = len(problems)
    for p in problems:
        log(f"warning: label file left out: {p.reason}")
    videos = discover_videos(params.dataset_path, params.video_quality)
    if params.split:
        summary.split = select_split(params.dataset_path, params.split, params.split_list, params.video_quality)
        log(summary.split.describe())
        keep = summary.split.video_ids
        positives = [s for s in positives if s.video_id in keep]
        videos = {k: v for k, v in videos.items() if k[0] in keep}
    by_half: dict[tuple[str, int], list[int]] = defaultdict(list)
    for s in positives:
        by_half[(s.video_id, s.half)].append(s.frame)
    game_ids = sorted({vid for vid, _ in by_half})
    summary.seconds["annotations"] += time.perf_counter() - t0

    t0 = time.perf_counter()
    halves = []
    for vid, half in sorted(by_half):
        if not cache.in_shard(vid, game_ids, shard):
            continue
        src = videos.get((vid, half))
        if src is None:
            failed.append({"video_id": vid, "half": half, "path": "", "reason": f"video_source_missing: no "
                           f"{half}_{params.video_quality}.mkv/.mp4 for this game under {params.dataset_path}"})
            continue
        try:
            info = probe(src.path)
        except VideoError as err:
            failed.append({"video_id": vid, "half": half, "path": str(src.path), "reason": f"unreadable: {err.reason}"})
            continue
        pos = sorted(set(by_half[(vid, half)]))
        neg = sample_negatives(pos, info.frame_count, params.negative_ratio, params.guard_frames, params.window,
                               half_rng(params.seed, vid, half))
        samples = sorted([Sample(vid, half, f, 1) for f in pos] + [Sample(vid, half, f, 0) for f in neg],
                         key=lambda s: (s.frame, s.label))
        summary.positives += len(pos)
        summary.negatives += len(neg)
        halves.append(_Half(src, info, samples))
    summary.samples = summary.positives + summary.negatives
    summary.seconds["sampling"] += time.perf_counter() - t0
    return halves


def group_samples(samples: list[Sample], params: HeaderNetParams, frame_count: int) -> list[list[Sample]]:
    """Samples in frame order, split where the next sample's first frame is more than seek_gap past the group's last."""
    groups: list[list[Sample]] = []
    last = None
    for s in sorted(samples, key=lambda s: (s.frame, s.label)):
        frames = frames_to_decode([s.frame], params.window, params.neighbour_offset, frame_count)
        if groups and (not frames or last is None or frames[0] - last <= params.seek_gap):
            groups[-1].append(s)
        else:
            groups.append([s])
        if frames:
            last = max(last or 0, frames[-1])
    return groups


def build_sample(s: Sample, decoded: dict[int, np.ndarray], grays: dict[int, np.ndarray], balls: dict[int, dict | None],
                 players: dict[int, list[dict]], info: VideoInfo, params: HeaderNetParams,
                 video: str, detector_info: dict | None = None) -> tuple[np.ndarray | None, dict | str]:
    """(crop stack (T, S, S, 3), metadata) of one sample, or (None, reason it is skipped)."""
    wf = window_frames(s.frame, params.window)
    present = [t in decoded for t in wf]
    missing = present.count(False)
    if missing >= max(1, int(len(wf) * params.max_missing_fraction)):
        past = any(t < 0 or t >= info.frame_count for t in wf)
        return None, (f"too_many_missing_frames: {missing} of {len(wf)} window frames not decoded"
                      + (" (window reaches past the video's ends)" if past else ""))
    track = ball_track(wf, [balls.get(t) if ok else None for t, ok in zip(wf, present, strict=True)],
                       params.kalman_max_gap, params.kalman_process_var, params.kalman_meas_var)
    if track is None:
        return None, "no_ball_detections_in_window"
    size = output_size_for(info.width, info.height, params.output_size, params.low_res_output_size, params.low_res_max_dim)
    radius = crop_radius([p["size"] for p in track if p["source"] == "model"], size, params.crop_scale_factor,
                         info.width, info.height)
    n = params.neighbour_offset
    stack = np.zeros((len(wf), size, size, 3), np.uint8)
    frames_meta = []
    for i, (offset, t, ok, p) in enumerate(zip(params.window, wf, present, track, strict=True)):
        centre = p["center"]
        entry: dict = {"offset": offset, "frame": t, "decoded": ok, "center": [round(c, 2) for c in centre],
                       "radius": round(radius, 2), "ball": None, "players": []}
        if ok:
            stack[i] = crop_stack([grays.get(t - n, grays[t]), grays[t], grays.get(t + n, grays[t])], centre, radius, size)
            det = p["detection"] or {}
            ball_box = det.get("box") or [centre[0] - p["size"][0] / 2, centre[1] - p["size"][1] / 2, *p["size"]]
            entry["ball"] = {"box": [round(v, 2) for v in ball_box], "confidence": round(p["confidence"], 4),
                             "class_id": det.get("class_id"), "class_name": det.get("class_name"), "source": p["source"],
                             "velocity": None if p["velocity"] is None else [round(v, 3) for v in p["velocity"]],
                             "patch_box": to_patch_box(ball_box, centre, radius, size)}
            entry["players"] = [{**r, "patch_box": to_patch_box(r["box"], centre, radius, size)} for r in players.get(t, [])]
        frames_meta.append(entry)
    centre_point = track[list(params.window).index(0)]
    velocity = centre_point["velocity"] or [0.0, 0.0]
    meta = {"video_id": s.video_id, "half": s.half, "frame": s.frame, "label": s.label, "window": list(params.window),
            "video": video, "output_size": size, "channels": [-n, 0, n], "detector": detector_info or {},
            "frames": frames_meta,
            "index": {"label": s.label, "video_id": s.video_id, "half": s.half, "frame": s.frame,
                      "ball_conf": round(centre_point["confidence"], 4), "ball_vx": round(velocity[0], 3),
                      "ball_vy": round(velocity[1], 3), "player_count": len(players.get(s.frame, []))}}
    return stack, meta


def process_half(h: _Half, params: HeaderNetParams, detector: Detector, out_dir: Path, summary: BuildSummary,
                 skipped: list[dict], failed: list[dict], bar) -> None:
    """Decode, detect, crop and write the unfinished samples of one half."""
    import cv2

    todo = [s for s in h.samples if not cache.is_done(out_dir, s)]
    summary.already_done += len(h.samples) - len(todo)
    bar.update(len(h.samples) - len(todo))
    if not todo:
        return
    try:
        reader = open_reader(h.source.path, h.info.fps, params.decoder, params.seek_gap)
    except VideoError as err:
        failed.append({"video_id": h.source.video_id, "half": h.source.half, "path": str(h.source.path),
                       "reason": f"unreadable: {err.reason}"})
        bar.update(len(todo))
        return
    video = str(h.source.path.relative_to(params.dataset_path)) if h.source.path.is_relative_to(params.dataset_path) \
        else str(h.source.path)
    try:
        for group in group_samples(todo, params, h.info.frame_count):
            t0 = time.perf_counter()
            needed = frames_to_decode([s.frame for s in group], params.window, params.neighbour_offset, h.info.frame_count)
            decoded = reader.read(needed)
            t1 = time.perf_counter()
            targets = sorted({t for s in group for t in window_frames(s.frame, params.window) if t in decoded})
            dets = detector.detect([decoded[t] for t in targets], video=h.source.path, frames=targets) if targets else []
            t2 = time.perf_counter()
            balls, players = {}, {}
            for t, d in zip(targets, dets, strict=True):
                best = to_records(d, detector.ball_class_ids, 1, params.confidence_threshold)
                balls[t] = best[0] if best else None
                players[t] = to_records(d, detector.player_class_ids, params.topk, params.confidence_threshold)
            grays = {t: cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) for t, img in decoded.items()}
            for s in group:
                stack, meta = build_sample(s, decoded, grays, balls, players, h.info, params, video,
                                           detector_provenance(detector))
                if stack is None:
                    skipped.append({"video_id": s.video_id, "half": s.half, "frame": s.frame, "label": s.label,
                                    "reason": meta})
                else:
                    cache.write_sample(out_dir, s, stack, meta)
                    summary.written += 1
                bar.update(1)
            summary.frames_detected += len(targets)
            summary.seconds["decode"] += t1 - t0
            summary.seconds["detect"] += t2 - t1
            summary.seconds["crop_write"] += time.perf_counter() - t2
    finally:
        reader.close()
    st = reader.stats
    summary.frames_requested += st.requested
    summary.frames_decoded += st.decoded
    summary.seeks += st.seeks
    if st.rate < params.min_decode_rate:
        errors = "; ".join(st.errors[:3])
        failed.append({"video_id": h.source.video_id, "half": h.source.half, "path": str(h.source.path),
                       "reason": f"decode_rate_below_threshold: {st.decoded}/{st.requested} frames" +
                                 (f" ({errors})" if errors else "")})


def detector_provenance(detector) -> dict:
    """What found the boxes, for every sample's metadata (``provenance`` of the detector, else its class name)."""
    info = getattr(detector, "provenance", None)
    return dict(info) if info else {"kind": type(detector).__name__}


def build_dataset(params: HeaderNetParams, detector: Detector | Callable[[], Detector], shard: tuple[int, int] | None = None,
                  progress: bool = False, log: Callable[[str], None] = print) -> BuildSummary:
    """Build (or resume) the crop cache of ``params.output_dir``; see the module docstring.

    ``detector`` may be a function that makes one: it is then called only once the inputs have been read
    and some sample is left to do (a bad path fails fast, a finished cache loads no model).
    """
    summary = BuildSummary()
    skipped: list[dict] = []
    failed: list[dict] = []
    halves = plan_halves(params, shard, summary, failed, log)
    check = getattr(detector, "check_videos", None)
    if check is not None:  # e.g. the ground-truth detector refuses real data
        check([h.source.path for h in halves])
    # the inputs are good: only now is anything written
    out_dir = Path(params.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = f".shard-{shard[0]}-of-{shard[1]}" if shard else ""
    record = out_dir / f"build_params{suffix}.json"
    if not record.is_file() or json.loads(record.read_text()) != to_dict(params):  # a rerun touches nothing
        write_json(record, to_dict(params))
    if not hasattr(detector, "detect"):
        if any(not cache.is_done(out_dir, s) for h in halves for s in h.samples):
            detector = detector()
    with _progress(summary.samples, "samples", progress, "sample") as bar:
        for h in halves:
            process_half(h, params, detector, out_dir, summary, skipped, failed, bar)
    if summary.split is not None:  # every game of the split that is not on disk, and why
        cache.write_csv(out_dir / cache.shard_name(MISSING_NAME, shard), ("split", "game", "reason"),
                        [{"split": summary.split.split, "game": g, "reason": why} for g, why in summary.split.missing])
    summary.skipped = len(skipped)
    summary.failed_halves = len(failed)

    t0 = time.perf_counter()
    rows = [cache.index_row(out_dir, s) for h in halves for s in h.samples if cache.is_done(out_dir, s)]
    cache.write_csv(out_dir / cache.shard_name(params.output_name, shard), cache.INDEX_COLUMNS,
                    sorted(rows, key=cache.sort_key))
    cache.write_csv(out_dir / cache.shard_name(cache.SKIPPED_NAME, shard), cache.SKIPPED_COLUMNS,
                    sorted(skipped, key=cache.sort_key))
    cache.write_csv(out_dir / cache.shard_name(cache.FAILED_NAME, shard), cache.FAILED_COLUMNS,
                    sorted(failed, key=cache.sort_key))
    summary.seconds["crop_write"] += time.perf_counter() - t0
    return summary
