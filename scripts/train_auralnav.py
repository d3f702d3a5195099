"""Train the AuralNav agent: a DQN over spatial cues of the frozen separator's estimates, with memory.

    python3 scripts/train_auralnav.py <task-id> <job-id> [--device cpu] [--fresh] [--set key=value ...]
    python3 scripts/train_auralnav.py 8 1                      # task 8: the shipped agent's recipe (CPU, ~20 min)
    python3 scripts/train_auralnav.py 8 ideal --set cue_source=images     # ideal separation (the upper bound)
    python3 scripts/train_auralnav.py 999 quick                # quick_test: a few hundred transitions

Pretrain the separator first (scripts/pretrain_separator.py <task-id>; task 8's is shipped in
data/pretrained/). Writes <run_dir>/<task>_<job>/: config.json, last.pt (resume), best.pt (best greedy
validation), metrics.jsonl + tensorboard/ (the run log), episodes.csv, learning_curve.png (auralnav/train.py).
Evaluate with: python3 scripts/evaluate_auralnav.py --agent <run_dir>/<task>_<job>/best.pt --episodes 100
"""

import sys

from common.cli import report_errors, resolve_params, task_parser
from configs.auralnav import TASKS, get_params


def run(params, task_id: str, job_id: str, device: str, fresh: bool) -> None:
    from auralnav.train import train
    from common.device import pick_device

    result = train(params, task_id, job_id, fresh, pick_device(device))
    best = result["best"]
    steps = "-" if best["mean_steps_to_success"] is None else f"{best['mean_steps_to_success']:.1f}"
    print(f"best validation success {best['success_rate']:.2f} (mean steps to success {steps}) at transition "
          f"{best['step']}; {result['train_time_s'] / 60:.1f} min; outputs in {result['run_dir']}")


def main(argv=None) -> int:
    ap = task_parser(__doc__, "auralnav", TASKS, job=True)
    ap.add_argument("--device", default="auto", help="'auto' (CUDA if available), 'cpu', 'cuda'")
    ap.add_argument("--fresh", action="store_true", help="ignore an existing last.pt and start over")
    args = ap.parse_args(argv)
    task_id, params = resolve_params(ap, args, get_params, f"AuralNav agent training, job {args.job_id}")
    return report_errors(run, params, task_id, args.job_id, args.device, args.fresh)


if __name__ == "__main__":
    sys.exit(main())
