"""Train RF-DETR (Nano) from random initialisation to find the ball in the synthetic SoccerNet games.

    python3 scripts/train_ball_detector.py                 # task 1: 45 min of wall time, resumable
    python3 scripts/train_ball_detector.py --set budget_s=5400   # go on to 90 minutes in all (same run)
    python3 scripts/train_ball_detector.py --quick         # two optimizer steps at 64 px (a smoke run)

Renders the training games (SoccerNet train-split names) and a held-out game (valid split) under
synth_dir, exports every frame_stride-th frame of the training games with their ground-truth ball and
player boxes as COCO (coco_dir), then trains with rfdetr's training stack. Every eval_every_s it
measures ball recall at IoU 0.5 (the most confident ball box per frame at the builder's confidence
threshold) and the centre error on the held-out frames, and checkpoints. Outputs in
<out>/<task>_<job>/: curve.png and curve.json (recall against training time), ball_detector.pth (for the
builder's --weights with --variant nano), last.ckpt and last.pt (the training state). Rerunning the same
command continues the run until budget_s of wall time is used in all; --fresh starts over.
"""

import dataclasses
import sys
import time
from pathlib import Path

from common.cli import report_errors, resolve_params, task_parser
from common.io import write_json
from configs.headernet import BALL_TASKS, get_ball_params


def main(argv=None) -> int:
    ap = task_parser(__doc__, "headernet (BALL_TASKS)", BALL_TASKS, job=True)
    ap.add_argument("--device", help="auto, cpu, cuda, cuda:N")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--out", help="run root (default: the task's run_root); the run is <out>/<task>_<job>")
    ap.add_argument("--fresh", action="store_true", help="start the run over instead of continuing it")
    args = ap.parse_args(argv)
    for flag, key in (("device", "device"), ("seed", "seed"), ("out", "run_root")):
        if getattr(args, flag) is not None:
            args.set.append(f"{key}={getattr(args, flag)!r}")
    task_id, params = resolve_params(ap, args, get_ball_params, "ball detector training")

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


def _json(obj) -> str:
    import json

    return json.dumps(obj, indent=2) + "\n"


if __name__ == "__main__":
    sys.exit(main())
