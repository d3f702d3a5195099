"""Train the ball detector on hard synthetic SoccerNet games: the heatmap network (default) or RF-DETR.

    python3 scripts/train_ball_detector.py                 # heatmap detector, task 1: 30 min of one thread, resumable
    python3 scripts/train_ball_detector.py --quick         # heatmap, a few steps on one short game (a smoke run)
    python3 scripts/train_ball_detector.py 1 long --set budget_s=3600 steps=12000   # another run, longer
    python3 scripts/train_ball_detector.py --detector rfdetr            # RF-DETR Nano from scratch (45 min)
    python3 scripts/train_ball_detector.py --detector rfdetr --quick    # two RF-DETR steps at 64 px
    cp data/runs/headernet/heatmap/1_1/best.pt data/pretrained/ball_detector.pt   # ship it

--detector heatmap (headernet/heatmap.py, parameters HeatmapParams / HEATMAP_TASKS in
configs/headernet.py): renders the training games (SoccerNet train-split names) and validation games
(valid split) under synth_dir, decodes every frame_stride-th training frame, trains on crops, and every
eval_every steps measures recall / precision within 3 px and the no-ball false-positive rate on the
validation frames at the threshold with the best F1. With --set mot_root=PATH the frames and ball boxes
come from SoccerNet-Tracking instead (its train and test sequences in MOT format, headernet/mot.py;
downloaded with SoccerNetDownloader(...).downloadDataTask(task="tracking", split=["train", "test"])).
Run folder <out>/heatmap/<task>_<job>/: config.json, metrics.jsonl, curve.png, last.pt (resume),
best.pt (a self-describing checkpoint with its threshold:
the builder's --detector heatmap --checkpoint). Evaluate on fresh test games with
scripts/evaluate_ball_detector.py.

--detector rfdetr (parameters BallDetectorParams / BALL_TASKS): rfdetr's own training stack from random
initialisation on a COCO export of the frames (ball recall at IoU 0.5 against wall time); outputs in
<out>/ball_detector/<task>_<job>/: curve.png, curve.json, ball_detector.pth (the builder's --detector
rfdetr --checkpoint with --variant nano), last.ckpt and last.pt. Measured here: recall 0.000 after 45
minutes (docs/headernet.md). Rerunning the same command continues a run until its budget_s of wall
time is used; --fresh starts over.
"""

import dataclasses
import sys
import time
from pathlib import Path

from common.cli import report_errors, resolve_params, task_parser
from common.io import write_json
from configs.headernet import BALL_TASKS, HEATMAP_TASKS, get_ball_params, get_heatmap_params


def main(argv=None) -> int:
    ap = task_parser(__doc__, "headernet (HEATMAP_TASKS, BALL_TASKS)", HEATMAP_TASKS | BALL_TASKS, job=True)
    ap.add_argument("--detector", choices=("heatmap", "rfdetr"), default="heatmap",
                    help="heatmap: the small fully-convolutional detector (default); rfdetr: RF-DETR Nano from scratch")
    ap.add_argument("--device", help="auto, cpu, cuda, cuda:N")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--out", help="run root (default: the task's run_root); the run is <out>/<task>_<job>")
    ap.add_argument("--fresh", action="store_true", help="start the run over instead of continuing it")
    args = ap.parse_args(argv)
    for flag, key in (("device", "device"), ("seed", "seed"), ("out", "run_root")):
        if getattr(args, flag) is not None:
            args.set.append(f"{key}={getattr(args, flag)!r}")
    if args.detector == "heatmap":
        task_id, params = resolve_params(ap, args, get_heatmap_params, "heatmap ball detector training")
        return report_errors(train_heatmap, params, task_id, args)
    task_id, params = resolve_params(ap, args, get_ball_params, "RF-DETR ball detector training")

    def run() -> None:
        import torch

        from common.device import pick_device
        from common.run import open_run
        from headernet.ball_training import export_coco, load_held_out, train_ball_detector
        from headernet.synth import generate_games

        torch.set_num_threads(1)
        device = pick_device(params.device)  # a bad --device fails before anything is rendered
        t0 = time.perf_counter()
        train_games = generate_games(params.synth_params("train"), n_games=params.train_games)
        held_games = generate_games(params.synth_params("valid"), n_games=params.held_out_games)
        held_video = held_games[0] / "1_224p.mkv"

        coco_dir = Path(params.coco_dir)
        export = {"games": [str(g) for g in train_games], "frame_stride": params.frame_stride,
                  "held_out": str(held_video), "synth_half_s": params.synth_half_s}
        marker = coco_dir / "export.json"
        if not marker.is_file() or marker.read_text() != _json(export):
            export_coco([g / f"{h}_224p.mkv" for g in train_games for h in (1, 2)], coco_dir, "train",
                        stride=params.frame_stride)
            # rfdetr's data module builds a validation set too; the curve is measured on held_out instead
            for split in ("valid", "test"):
                export_coco([held_games[0] / "2_224p.mkv"], coco_dir, split, stride=params.eval_stride, max_frames=4)
            write_json(marker, export)
        held_out = load_held_out(held_video, params.eval_stride, params.eval_frames)
        print(f"data: {len(train_games)} training games, COCO export {coco_dir}, held-out {held_video} "
              f"({len(held_out.frames)} frames); {time.perf_counter() - t0:.1f}s")

        # the stopping rule is not part of the run's identity: a later session may raise budget_s or max_steps
        identity = dataclasses.replace(params, budget_s=0.0, max_steps=0, eval_every_s=0.0, device="")
        with open_run(Path(params.run_root) / "ball_detector", identity, task_id, args.job_id, fresh=args.fresh) as run:
            run.write_config()
            if run.last is not None:
                print(f"continuing {run.dir} from step {run.last['epoch']} "
                      f"({run.last['wall_s'] / 60:.1f} min used of {params.budget_s / 60:.1f})")
            points = train_ball_detector(params, run, coco_dir, held_out, resume_state=run.last,
                                         device=device)
        if points:
            last, best = points[-1], max(points, key=lambda p: p["recall"])
            reached = next((p for p in points if p["recall"] >= params.goal_recall), None)
            print(f"step {last['step']}, {last['train_s'] / 60:.1f} min of training ({last['wall_s'] / 60:.1f} min wall): "
                  f"ball recall {last['recall']:.3f} (best {best['recall']:.3f} at step {best['step']}); goal "
                  f"{params.goal_recall}: " + (f"reached at step {reached['step']}" if reached else "not reached"))
        print(f"curve: {run.dir / 'curve.png'}; weights: {run.dir / 'ball_detector.pth'}")

    return report_errors(run)


def train_heatmap(params, task_id: str, args) -> None:
    import torch

    from common.device import pick_device
    from common.run import open_run
    from headernet.ball_eval import load_frames
    from headernet.heatmap_training import mean_ball_px, train_heatmap_detector
    from headernet.synth import generate_games

    torch.set_num_threads(1)
    device = pick_device(params.device)  # a bad --device fails before anything is rendered
    t0 = time.perf_counter()
    if params.mot_root:  # real labels: SoccerNet-Tracking's train and test sequences
        from headernet.mot import load_mot_frames, mot_ball_px, mot_sequences

        train_seqs, valid_seqs = mot_sequences(params.mot_root, "train"), mot_sequences(params.mot_root, "test")
        train, valid = load_mot_frames(train_seqs, params.frame_stride), load_mot_frames(valid_seqs, params.valid_stride)
        ball_px, what = mot_ball_px(train_seqs), (f"{len(train_seqs)} SoccerNet-Tracking train sequences",
                                                  f"{len(valid_seqs)} test sequences")
    else:
        train_games = generate_games(params.synth_params("train"), n_games=params.train_games, progress=True)
        valid_games = generate_games(params.synth_params("valid"), n_games=params.valid_games, progress=True)
        train_videos = [g / f"{h}_224p.mkv" for g in train_games for h in (1, 2)]
        train = load_frames(train_videos, params.frame_stride)
        valid = load_frames([g / f"{h}_224p.mkv" for g in valid_games for h in (1, 2)], params.valid_stride)
        ball_px, what = mean_ball_px(train_videos), (f"{len(train_games)} training games",
                                                     f"{len(valid_games)} validation games")
    print(f"data: {what[0]} ({len(train)} frames, {train.visible.mean():.0%} with a visible ball), {what[1]} "
          f"({len(valid)} frames); {time.perf_counter() - t0:.1f}s")
    # the stopping rule is not part of the run's identity: a later session may raise budget_s or steps
    identity = dataclasses.replace(params, budget_s=0.0, steps=0, device="")
    with open_run(Path(params.run_root) / "heatmap", identity, task_id, args.job_id, fresh=args.fresh) as run:
        run.write_config()
        records = train_heatmap_detector(params, run, train, valid, ball_px, device)
    if records:
        last = records[-1]
        best = max(records, key=lambda r: r["val_f1_3px"])
        print(f"step {last['step']}, {last['wall_s'] / 60:.1f} min: validation recall_3px {last['val_recall_3px']:.3f}, "
              f"precision_3px {last['val_precision_3px']:.3f}, no-ball false positives "
              f"{last['val_no_ball_false_positive_rate']:.3f} (best F1 {best['val_f1_3px']:.3f} at step {best['step']})")
    print(f"curve: {run.dir / 'curve.png'}; detector: {run.dir / 'best.pt'}")


def _json(obj) -> str:
    import json

    return json.dumps(obj, indent=2) + "\n"


if __name__ == "__main__":
    sys.exit(main())
