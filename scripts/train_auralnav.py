"""Train the AuralNav agent (DPRNNTasNet separation + a DQN over spatial cues) in the simulated room.

    python3 scripts/train_auralnav.py <task-id> <job-id> [--device cuda] [--fresh] [--set key=value ...]
    python3 scripts/train_auralnav.py 999 quick              # quick_test: tiny separator, 200 steps
    python3 scripts/train_auralnav.py 1 run1 --set separator_checkpoint=data/runs/auralnav/separator_1.pt

Tasks (configs/auralnav.py): 1 the original experiment (8 x 8 m, phone + siren, step 0.5, radius 1),
2 reverberant, 3 a 3-D room, 4 a hexagonal room, 5 four sources, 6 the dense reward, 999 quick_test.
Pretrain the separator first (scripts/pretrain_separator.py) and pass it as separator_checkpoint; with
train_separator=True it is fine-tuned through the TD loss. Writes <run_dir>/<task>_<job>/: config.json,
last.pt (resume), best.pt (best validation success), episodes.csv, validation.csv, tensorboard/, curves.png.
Evaluate with: python3 scripts/evaluate_auralnav.py <task-id> --agent <run_dir>/<task>_<job>/best.pt
"""

import sys

from configs.auralnav import TASKS, get_params
from configs.cli import report_errors, resolve_params, task_parser


def run(params, task_id: str, job_id: str, device: str, fresh: bool) -> None:
    from auralnav.agent import RnnAgent
    from common.device import pick_device

    result = RnnAgent(params, pick_device(device)).train(task_id, job_id, fresh)
    best = result["best"]
    print(f"best validation success {best['success_rate']:.2f} (return {best['mean_return']:.1f}) at step "
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
