"""Build HeaderNet's sparse positive/negative crop cache from SoccerNet-layout video and header annotations.

    python3 scripts/make_synthetic_soccernet.py --quick
    python3 scripts/generate_positive_negative_dataset.py --quick          # the shipped heatmap ball detector
    python3 scripts/generate_positive_negative_dataset.py --quick --detector rfdetr   # random-init Nano: plumbing only
    python3 scripts/generate_positive_negative_dataset.py --quick --detector ground-truth \\
        --out data/header_cache_quick_gt                             # synthetic games: the true boxes
    python3 scripts/generate_positive_negative_dataset.py --split valid --dataset-path /data/SoccerNet ...
    python3 scripts/generate_positive_negative_dataset.py \\
        --dataset-path /data/SoccerNet --header-dataset /data/annotations \\
        --checkpoint checkpoints/rf-detr-medium.pth --out data/header_cache --device cuda:0 --set variant="'medium'"
    python3 scripts/generate_positive_negative_dataset.py --quick --set negative_ratio=5.0 "window=(-6, 0, 6)"

Any parameter of configs/headernet.py is set with --set key=value (negative_ratio, guard_frames, window,
variant, detector_resolution, video_quality, confidence_threshold, ...); the flags here are the daily
shortcuts. The older flags that mirrored parameters (--negative-ratio, --variant, ...) still work, with a
warning naming the --set spelling. Positives: Labels-ball.json HEADER events and/or per-match frame
tables under --header-dataset (default: --dataset-path). Negatives: negative_ratio per positive, none
within guard_frames of a header. --split train|valid|test|challenge keeps the games of that SoccerNet split (the package's own
game lists) and says which of them are missing on disk. Only the window frames (and their +-2
neighbours) are decoded, the detector runs on the window frames only. By default (--detector auto) the
detector is the shipped heatmap network (data/pretrained/ball_detector.pt, trained on hard synthetic
games); --detector rfdetr with --checkpoint takes RF-DETR weights, and without them RF-DETR is randomly
initialised (nothing is ever downloaded) and finds no ball, so every sample is listed in
skipped_samples.csv. --detector ground-truth takes the boxes from a synthetic game's ground-truth sidecar
instead (refused on real data; every sample's metadata says
so): the crops to look at with scripts/inspect_header_cache.py. A rerun resumes; --shard K/N builds
every N-th game and scripts/merge_header_shards.py joins the shards.
"""

import argparse
import sys
import time
from pathlib import Path

from common.cli import add_checkpoint_arg, report_errors, resolve_params, task_parser
from configs.headernet import DETECTORS, GAME_LISTS, SPLITS, TASKS, VARIANTS, get_params

# the shortcuts a user types daily -> parameters of configs/headernet.py (flags left out keep the task's value)
FLAGS = {"dataset_path": "dataset_path", "header_dataset": "header_dataset", "weights": "weights",
         "output_dir": "output_dir", "device": "device", "split": "split", "detector": "detector"}
# older flags that mirrored parameters: still read, with a warning that names the --set spelling
DEPRECATED = {"output_name": "output_name", "negative_ratio": "negative_ratio", "guard_frames": "guard_frames",
              "window": "window", "batch_size": "batch_size", "optimize": "optimize",
              "optimize_compile": "optimize_compile", "seed": "seed", "confidence_threshold": "confidence_threshold",
              "crop_scale_factor": "crop_scale_factor", "variant": "variant", "topk": "topk", "decoder": "decoder",
              "resolution": "detector_resolution", "quality": "video_quality", "label_name": "label_name",
              "split_list": "split_list"}


def main(argv=None) -> int:
    ap = task_parser(__doc__, "headernet", TASKS)
    ap.add_argument("--dataset-path", help="root of the games (league/season/match/1_224p.mkv)")
    ap.add_argument("--header-dataset", "--labels-dir", dest="header_dataset",
                    help="root of the annotations (default: --dataset-path)")
    ap.add_argument("--split", choices=SPLITS, help="only the games of this SoccerNet split (lists the missing ones)")
    ap.add_argument("--detector", choices=DETECTORS,
                    help="auto (default: rfdetr with --checkpoint, else the shipped heatmap detector "
                         "data/pretrained/ball_detector.pt when present, else random-init rfdetr), heatmap, rfdetr, or "
                         "ground-truth: a synthetic game's true boxes (refused on real data)")
    add_checkpoint_arg(ap, "--weights", dest="weights",
                       help="the detector's model file: a local RF-DETR checkpoint (none: random init, offline) or a "
                            "heatmap checkpoint with --detector heatmap (--weights: deprecated alias)")
    ap.add_argument("--out", "--output-dir", dest="output_dir",
                   help="where the cache goes (--output-dir: the old name)")
    ap.add_argument("--device", help="auto, cpu, cuda, cuda:N")
    hidden = argparse.SUPPRESS  # deprecated mirrors of parameters: --set key=value instead
    ap.add_argument("--output-name", help=hidden)
    ap.add_argument("--negative-ratio", type=float, help=hidden)
    ap.add_argument("--guard-frames", type=int, help=hidden)
    ap.add_argument("--window", type=int, nargs="+", help=hidden)
    ap.add_argument("--batch-size", type=int, help=hidden)
    ap.add_argument("--optimize", action="store_true", default=None, help=hidden)
    ap.add_argument("--optimize-compile", action="store_true", default=None, help=hidden)
    ap.add_argument("--seed", type=int, help=hidden)
    ap.add_argument("--confidence-threshold", type=float, help=hidden)
    ap.add_argument("--crop-scale-factor", type=float, help=hidden)
    ap.add_argument("--topk", type=int, help=hidden)
    ap.add_argument("--decoder", choices=("pyav", "opencv"), help=hidden)
    ap.add_argument("--quality", choices=("224p", "720p"), help=hidden)
    ap.add_argument("--label-name", help=hidden)
    ap.add_argument("--variant", choices=VARIANTS, help=hidden)
    ap.add_argument("--resolution", type=int, help=hidden)
    ap.add_argument("--split-list", choices=GAME_LISTS, help=hidden)
    ap.add_argument("--shard", help="K/N: build only every N-th game, starting with the K-th")
    ap.add_argument("--no-progress", action="store_true", help="no progress bars")
    args = ap.parse_args(argv)
    from headernet.builder import build_dataset
    from headernet.cache import parse_shard
    from headernet.detector import detector_kind, make_detector
    for flag, key in (FLAGS | DEPRECATED).items():
        value = getattr(args, flag)
        if value is not None:
            setting = f"{key}={tuple(value) if isinstance(value, list) else value!r}"
            if flag in DEPRECATED:
                print(f"warning: --{flag.replace('_', '-')} is deprecated; use --set \"{setting}\"", file=sys.stderr)
            args.set.append(setting)
    _, params = resolve_params(ap, args, get_params, "HeaderNet dataset")
    try:
        shard = parse_shard(args.shard)
    except ValueError as err:
        ap.error(str(err))

    def run() -> None:
        t0 = time.perf_counter()
        kind = detector_kind(params)
        if kind == "ground-truth":
            detector = make_detector(params)
        else:  # checked now, loaded once the inputs have been read
            for path in ([params.weights] if params.weights else []) + \
                    ([params.heatmap_checkpoint] if kind == "heatmap" and not params.weights else []):
                if not Path(path).is_file():
                    raise FileNotFoundError(f"{'heatmap' if kind == 'heatmap' else 'RF-DETR'} weights {path} not found "
                                            "(nothing is downloaded)")
            detector = lambda: make_detector(params)  # noqa: E731
        summary = build_dataset(params, detector, shard=shard, progress=not args.no_progress)
        print(summary.format())
        print(f"cache: {params.output_dir} ({time.perf_counter() - t0:.1f}s in all)")

    return report_errors(run)


if __name__ == "__main__":
    sys.exit(main())
