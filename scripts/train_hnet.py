"""Train the Hungarian network (HNetGRU) on data made by scripts/generate_hnet_data.py.

    python3 scripts/train_hnet.py                    # task 1, job 1
    python3 scripts/train_hnet.py 999                # quick_test (also: --quick)
    python3 scripts/train_hnet.py 1 2 --set nb_epochs=50 --device cpu

Writes data/runs/hnet/<task>_<job>/ (config.json, last.pt, best.pt, metrics.jsonl + tensorboard/, metrics.json,
curves.png) and the best model to <model_dir>/hnet_model.pt. Re-running the same task and job resumes
from last.pt; --fresh starts over.
"""

import sys

from common.cli import add_device_arg, report_errors, resolve_params, task_parser
from configs.hnet import TASKS, get_params


def main(argv=None) -> int:
    ap = task_parser(__doc__, "hnet", TASKS, job=True)
    add_device_arg(ap)
    ap.add_argument("--fresh", action="store_true", help="ignore an existing last.pt and start over")
    args = ap.parse_args(argv)
    from hnet.train import train
    task_id, params = resolve_params(ap, args, get_params, f"HNet training, job {args.job_id}")
    return report_errors(train, params, task_id=task_id, job_id=args.job_id, device=args.device, fresh=args.fresh)


if __name__ == "__main__":
    sys.exit(main())
