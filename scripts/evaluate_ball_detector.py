"""Evaluate ball detectors on fresh held-out synthetic games (hard look, SoccerNet test-split names).

    python3 scripts/evaluate_ball_detector.py --checkpoint data/pretrained/ball_detector.pt --games 2 --seed 100 \\
        --out data/eval/ball_detector.json                       # + the classical blob baseline
    python3 scripts/evaluate_ball_detector.py --checkpoint a.pt --checkpoint b.pt --no-baseline
    python3 scripts/evaluate_ball_detector.py --checkpoint data/pretrained/ball_detector.pt --builder-check
    python3 scripts/evaluate_ball_detector.py --rfdetr-weights my_rfdetr.pth --variant nano   # an RF-DETR
    python3 scripts/evaluate_ball_detector.py --quick --checkpoint data/pretrained/ball_detector.pt

Renders --games new games (seeded by --seed, which no training or validation used) under --games-dir and
decodes every --stride-th frame of both halves. For every detector, over those frames (headernet/ball_eval.py):
recall_3px, precision_3px (a report counts when its centre is within 3 px of the true centre, at 224p),
no_ball_false_positive_rate (frames whose ball is hidden or out of the camera's view where it reports
one), frames_per_s (224p, one frame per call, one thread). Each detector reports at its own threshold,
chosen on the validation games (the heatmap training's, valid split): the heatmap checkpoint carries it,
and the blob baseline's is chosen here on the same validation frames. --builder-check also builds the
header cache of the fresh games with the first checkpoint and reports how many samples' crops are centred
within 3 px of the true ball. --max-false-positives 0.05 adds each checkpoint again at the lowest threshold
whose no-ball false-positive rate on the validation frames is at most 0.05 (fewer false balls, less recall).
Writes --out (JSON) and prints the table last.
"""

import sys
from pathlib import Path

from common.cli import positive_int, probability, report_errors, resolve_params, task_parser
from configs.headernet import HEATMAP_TASKS, get_heatmap_params


def main(argv=None) -> int:
    ap = task_parser(__doc__, "headernet (HEATMAP_TASKS: games and validation)", HEATMAP_TASKS)
    ap.add_argument("--checkpoint", dest="checkpoints", action="append", default=[],
                    help="a heatmap detector checkpoint (repeatable)")
    ap.add_argument("--games", type=positive_int, default=2, help="fresh test games to render (default 2)")
    ap.add_argument("--seed", type=int, default=100, help="seed of the fresh games (default 100; training uses 21)")
    ap.add_argument("--stride", type=positive_int, default=1, help="every this-many-th frame (default: all)")
    ap.add_argument("--games-dir", help="where the fresh games go (default data/soccernet_synth_ball_eval/seed<S>)")
    ap.add_argument("--no-baseline", action="store_true", help="leave out the classical blob detector")
    ap.add_argument("--rfdetr-weights", help="also evaluate RF-DETR with these local weights")
    ap.add_argument("--variant", default="nano", help="RF-DETR size of --rfdetr-weights")
    ap.add_argument("--builder-check", action="store_true",
                    help="build the header cache of the fresh games with the first checkpoint and check its crops")
    ap.add_argument("--max-false-positives", type=probability, metavar="RATE",
                    help="also each checkpoint at the lowest threshold whose validation no-ball FP rate is <= RATE")
    ap.add_argument("--out", default="data/eval/ball_detector.json", help="JSON report (default %(default)s)")
    args = ap.parse_args(argv)
    task_id, params = resolve_params(ap, args, get_heatmap_params)
    if not args.checkpoints and args.no_baseline and not args.rfdetr_weights:
        ap.error("nothing to evaluate: give --checkpoint, --rfdetr-weights, or leave the baseline in")
    for path in args.checkpoints + ([args.rfdetr_weights] if args.rfdetr_weights else []):
        if not Path(path).is_file():
            ap.error(f"detector weights {path} not found")
    return report_errors(run, params, task_id, args)


def run(params, task_id: str, args) -> None:
    import dataclasses

    import torch

    from common.io import write_json
    from headernet.ball_eval import (
        ball_metrics,
        choose_threshold,
        frames_per_s,
        load_frames,
        threshold_for_false_positives,
    )
    from headernet.synth import generate_games

    torch.set_num_threads(1)
    games_dir = Path(args.games_dir or f"data/soccernet_synth_ball_eval/seed{args.seed}")
    test = dataclasses.replace(params.synth_params("test"), synth_dir=str(games_dir), synth_seed=args.seed)
    games = generate_games(test, n_games=args.games, progress=True)
    frames = load_frames([g / f"{h}_224p.mkv" for g in games for h in (1, 2)], args.stride)
    valid_games = generate_games(params.synth_params("valid"), n_games=params.valid_games)
    valid = load_frames([g / f"{h}_224p.mkv" for g in valid_games for h in (1, 2)], params.valid_stride)
    print(f"{len(games)} fresh test games (seed {args.seed}): {len(frames)} frames, {frames.visible.mean():.1%} with a "
          f"visible ball; validation: {len(valid)} frames of {len(valid_games)} games")

    # name -> (detector, {row name: threshold}): one network may be reported at more than one threshold
    detectors = {}
    for path in args.checkpoints:
        from headernet.heatmap import HeatmapBallDetector

        name, det = f"heatmap ({Path(path).name})", HeatmapBallDetector(path, "cpu", batch_size=1)
        thresholds = {name: det.threshold}
        if args.max_false_positives is not None:  # the same network at a threshold chosen for few false balls
            s, c = det.locate(list(valid.images))
            strict, _ = threshold_for_false_positives(s, c, valid.centres, valid.visible, args.max_false_positives)
            thresholds[f"{name}, validation FP <= {args.max_false_positives:g}"] = strict
        detectors[name] = (det, thresholds)
    if not args.no_baseline:
        from headernet.blob_detector import BlobBallDetector

        blob = BlobBallDetector()
        s, c = blob.locate(list(valid.images))
        blob.threshold, _ = choose_threshold(s, c, valid.centres, valid.visible)
        detectors["blob baseline (white top-hat)"] = (blob, {"blob baseline (white top-hat)": blob.threshold})
    if args.rfdetr_weights:
        from headernet.detector import RFDETRDetector

        name = f"rfdetr {args.variant} ({Path(args.rfdetr_weights).name})"
        locator = _RFDETRLocator(RFDETRDetector(args.variant, args.rfdetr_weights, "cpu", threshold=0.0))
        detectors[name] = (locator, {name: locator.threshold})

    report = {"games": [str(g) for g in games], "seed": args.seed, "frames": len(frames),
              "frames_with_ball": int(frames.visible.sum()), "task_id": task_id, "detectors": {}}
    for det, thresholds in detectors.values():  # one pass over the frames and one timing per network
        scores, centres = det.locate(list(frames.images))
        fps = round(frames_per_s(det.locate, frames.images, n=100, batch=1), 1)
        for row, threshold in thresholds.items():
            report["detectors"][row] = {**ball_metrics(scores, centres, frames.centres, frames.visible, threshold),
                                        "frames_per_s": fps}
    if args.builder_check and args.checkpoints:
        report["builder"] = builder_check(games_dir, args.checkpoints[0])
    write_json(args.out, report)

    print(f"wrote {args.out}")
    print("| detector | recall_3px | precision_3px | no_ball_false_positive_rate | frames_per_s | threshold |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, m in report["detectors"].items():
        print(f"| {name} | {m['recall_3px']:.3f} | {m['precision_3px']:.3f} | {m['no_ball_false_positive_rate']:.3f} | "
              f"{m['frames_per_s']:.0f} | {m['threshold']:.3g} |")
    if "builder" in report:
        b = report["builder"]
        print(f"builder with {Path(args.checkpoints[0]).name}: {b['samples']} samples, centre crop within 3 px of the "
              f"true ball on {b['centre_within_3px']:.1%} of the {b['samples_with_visible_ball']} whose centre frame "
              f"shows the ball ({b['window_within_3px']:.1%} of all visible window frames)")


def builder_check(games_dir: Path, checkpoint: str) -> dict:
    """Build the header cache of the games under ``games_dir`` with the heatmap detector and measure its crops:
    the share of samples (whose centre frame shows the ball) whose crop centre is within 3 px of the true ball,
    and the same over every window frame that shows it."""
    import json

    import numpy as np

    from configs.headernet import get_params
    from headernet.builder import build_dataset
    from headernet.cache import read_csv
    from headernet.detector import make_detector

    out = games_dir / "header_cache_check"
    params = get_params("1", dataset_path=str(games_dir), output_dir=str(out), detector="heatmap", weights=checkpoint,
                        device="cpu")
    build_dataset(params, make_detector(params, log=lambda _: None), log=lambda _: None)
    rows = read_csv(out / params.output_name)
    gts: dict[str, dict] = {}
    centre_hits, centre_n, window_hits, window_n = 0, 0, 0, 0
    for r in rows:
        meta = json.loads((out / r["metadata"]).read_text())
        video = games_dir / meta["video"]
        if str(video) not in gts:
            with np.load(video.with_name(f"{video.stem}_gt.npz")) as z:
                gts[str(video)] = {k: z[k] for k in z.files}
        gt = gts[str(video)]
        for fm in meta["frames"]:
            t = fm["frame"]
            if not fm["decoded"] or not gt["ball_visible"][t]:
                continue
            err = np.hypot(*(np.array(fm["center"]) - gt["ball_xyxy"][t].reshape(2, 2).mean(0)))
            window_hits, window_n = window_hits + (err <= 3.0), window_n + 1
            if fm["offset"] == 0:
                centre_hits, centre_n = centre_hits + (err <= 3.0), centre_n + 1
    return {"samples": len(rows), "samples_with_visible_ball": centre_n,
            "centre_within_3px": centre_hits / centre_n if centre_n else float("nan"),
            "window_within_3px": window_hits / window_n if window_n else float("nan"), "cache": str(out)}


class _RFDETRLocator:
    """An RF-DETR detector seen as (score, centre) per frame: its most confident ball box."""

    def __init__(self, detector):
        self.detector, self.threshold = detector, 0.25  # the builder's confidence threshold

    def locate(self, images):
        import numpy as np

        scores, centres = np.zeros(len(images)), np.zeros((len(images), 2))
        for k, d in enumerate(self.detector.detect(images)):
            keep = np.flatnonzero(np.isin(d.class_id, list(self.detector.ball_class_ids))) if len(d) else []
            if len(keep):
                best = keep[np.argmax(d.confidence[keep])]
                scores[k], centres[k] = d.confidence[best], d.xyxy[best].reshape(2, 2).mean(0)
        return scores, centres


if __name__ == "__main__":
    sys.exit(main())
