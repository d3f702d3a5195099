"""Train DOAnet on extracted features (scripts/batch_feature_extraction.py), as the original:

    python3 scripts/train_doanet.py                  # task 1, job 1
    python3 scripts/train_doanet.py <task-id> <job-id> [--device cuda] [--fresh] [--set key=value ...]
    python3 scripts/train_doanet.py 999 quick        # quick_test: synthetic data, 2 epochs of 4 batches

Tasks (configs/doanet.py): 1/4 dMOT + activity (FOA), 2 MSE, 3 dMOT only, 7/8/9 the same on MIC,
20/21 PIT on FOA/MIC, 999 quick_test. Selection on validation LE, then the test fold. Writes
<model_dir>/<task>_<job>_<ds>_dev_split1_model.pt with _metrics.json and _curves.png beside it, and
<run_dir>/<task>_<job>/ (config.json, last.pt to resume, best.pt).
"""

import sys

from common.cli import add_device_arg, report_errors, resolve_params, task_parser
from configs.doanet import TASKS, get_params


def main(argv=None) -> int:
    ap = task_parser(__doc__, "doanet", TASKS, job=True)
    add_device_arg(ap)
    ap.add_argument("--fresh", action="store_true", help="ignore an existing last.pt and start over")
    args = ap.parse_args(argv)
    from doanet.train import train
    task_id, params = resolve_params(ap, args, get_params, f"DOAnet training, job {args.job_id}")
    return report_errors(train, params, task_id, args.job_id, args.device, args.fresh)


if __name__ == "__main__":
    sys.exit(main())
