"""HeaderNet benchmarks on synthetic SoccerNet games: sparse decoding against the original's patterns, time per
sample, and RF-DETR time per frame.

    python3 benchmarks/bench_headernet.py               # 2 games of 3-minute halves (224p)
    python3 benchmarks/bench_headernet.py --quick       # 1 game of 1-minute halves, detector at one resolution

Decoding: the frames the builder needs for its samples (window frames and their +-2 neighbours), read
(a) by our sparse plan (one seek per cluster, forward decoding; PyAV and OpenCV), (b) by the original's
pattern, ``cv2 set(CAP_PROP_POS_FRAMES)`` before every frame that does not follow the previous one, and
(c) by decoding every frame up to the last one needed. All in one process on the same files; every
returned frame is checked against the index stamped into its pixels. Prints a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from common.sysinfo import machine
from configs.headernet import get_params
from headernet.builder import BuildSummary, build_dataset, plan_halves
from headernet.frames import open_reader
from headernet.sampling import frames_to_decode
from headernet.synth import OracleDetector, generate_games, read_frame_stamp


def read_seek_every_frame(path: Path, frames: list[int]) -> dict[int, np.ndarray]:
    """The original's sparse loop: seek whenever the next frame is not the following one, then read."""
    import cv2

    cap, out, nxt = cv2.VideoCapture(str(path)), {}, -1
    for f in sorted(set(frames)):
        if f != nxt:
            cap.set(cv2.CAP_PROP_POS_FRAMES, f)
        ok, bgr = cap.read()
        if ok:
            out[f] = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        nxt = f + 1
    cap.release()
    return out


def read_every_frame(path: Path, frames: list[int]) -> dict[int, np.ndarray]:
    """Decode every frame from the start up to the last one needed, keeping the needed ones."""
    import cv2

    cap, out, need = cv2.VideoCapture(str(path)), {}, set(frames)
    for f in range(max(frames) + 1):
        if f in need:
            ok, bgr = cap.read()
            if ok:
                out[f] = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        elif not cap.grab():
            break
    cap.release()
    return out


def read_sparse(backend: str, seek_gap: int):
    def read(path: Path, frames: list[int]) -> dict[int, np.ndarray]:
        from headernet.frames import probe

        reader = open_reader(path, probe(path).fps, backend, seek_gap)
        try:
            return reader.read(frames)
        finally:
            reader.close()

    return read


def bench_decoding(plan: list[tuple[Path, list[int]]]) -> dict:
    methods = {"sparse_pyav": read_sparse("pyav", 50), "sparse_opencv": read_sparse("opencv", 50),
               "original_seek_every_frame": read_seek_every_frame, "decode_every_frame": read_every_frame}
    results = {}
    for name, read in methods.items():
        t0, n, wrong, missing = time.perf_counter(), 0, 0, 0
        for path, frames in plan:
            out = read(path, frames)
            n += len(out)
            missing += len(set(frames) - out.keys())
            wrong += sum(read_frame_stamp(img) != t for t, img in out.items())
        seconds = time.perf_counter() - t0
        results[name] = {"seconds": round(seconds, 3), "frames": n, "frames_per_s": round(n / seconds, 1),
                         "wrong_frames": wrong, "missing_frames": missing}
        print(f"  {name:<26} {seconds:7.2f}s  {n / seconds:8.1f} frames/s  wrong {wrong}  missing {missing}", flush=True)
    base = results["sparse_pyav"]["seconds"]
    results["speedup_sparse_pyav_vs_seek_every_frame"] = round(results["original_seek_every_frame"]["seconds"] / base, 2)
    results["speedup_sparse_pyav_vs_decode_every_frame"] = round(results["decode_every_frame"]["seconds"] / base, 2)
    return results


def bench_detector(resolutions: list[int], batch_size: int, n_frames: int) -> list[dict]:
    from headernet.detector import RFDETRDetector

    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 255, (224, 398, 3), dtype=np.uint8) for _ in range(n_frames)]
    out = []
    for res in resolutions:
        det = RFDETRDetector("nano", None, "auto", resolution=res, batch_size=batch_size, threshold=0.25)
        det.detect(frames[:batch_size])  # warm-up
        t0 = time.perf_counter()
        det.detect(frames)
        ms = (time.perf_counter() - t0) / n_frames * 1000
        out.append({"variant": "nano", "resolution": det.resolution, "device": det.device, "batch_size": batch_size,
                    "ms_per_frame": round(ms, 1)})
        print(f"  RF-DETR nano at {det.resolution} px, batch {batch_size}, {det.device}: {ms:.1f} ms/frame", flush=True)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="1 game of 1-minute halves")
    ap.add_argument("--games", type=int, help="number of synthetic games (default 2, quick 1)")
    ap.add_argument("--half-s", type=float, help="seconds per half (default 180, quick 60)")
    ap.add_argument("--header-fraction", type=float, default=0.03,
                    help="fraction of ball actions that are headers (0.03: about one a minute; real games are sparser)")
    ap.add_argument("--skip-detector", action="store_true")
    ap.add_argument("--workdir", help="where games and cache go (default: a temporary folder)")
    ap.add_argument("--out", help="also write the JSON summary here")
    args = ap.parse_args(argv)
    games = args.games or (1 if args.quick else 2)
    half_s = args.half_s or (60.0 if args.quick else 180.0)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.workdir or tmp)
        params = get_params("1", synth_games=games, synth_half_s=half_s, synth_header_fraction=args.header_fraction,
                            dataset_path=str(work / "games"), output_dir=str(work / "cache"))
        print(f"machine: {machine()}\nrendering {games} games of {half_s:.0f} s halves ...", flush=True)
        t0 = time.perf_counter()
        generate_games(params, out_dir=params.dataset_path)
        render_s = time.perf_counter() - t0

        summary = BuildSummary()
        halves = plan_halves(params, None, summary, [], print)
        plan = [(h.source.path, frames_to_decode([s.frame for s in h.samples], params.window, params.neighbour_offset,
                                                 h.info.frame_count)) for h in halves]
        total = sum(h.info.frame_count for h in halves)
        print(f"decoding {sum(len(f) for _, f in plan)} of {total} frames ({summary.samples} samples):", flush=True)
        decoding = bench_decoding(plan)

        t0 = time.perf_counter()
        built = build_dataset(params, OracleDetector(), log=print)
        build_s = time.perf_counter() - t0
        per_sample = build_s / max(1, built.written + built.skipped)
        print(f"build with the ground-truth oracle: {build_s:.2f}s for {built.written} samples, "
              f"{per_sample * 1000:.0f} ms per sample; stages {built.seconds}", flush=True)

        detector = [] if args.skip_detector else bench_detector([128] if args.quick else [384, 128], 4, 8)
    summary_json = {"machine": machine(), "games": games, "half_s": half_s, "header_fraction": args.header_fraction,
                    "render_s": round(render_s, 2),
                    "decoding": decoding, "build": {"seconds": round(build_s, 2), "samples": built.written,
                                                    "ms_per_sample": round(per_sample * 1000, 1),
                                                    "stages": {k: round(v, 3) for k, v in built.seconds.items()}},
                    "detector": detector}
    text = json.dumps(summary_json, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
