"""Train DOAnet on extracted features (scripts/batch_feature_extraction.py), as the original:

    python3 scripts/train_doanet.py                  # task 1, job 1
    python3 scripts/train_doanet.py <task-id> <job-id> [--device cuda] [--fresh] [--set key=value ...]
    python3 scripts/train_doanet.py 999 quick        # quick_test: synthetic data, 2 epochs of 4 batches

Tasks (configs/doanet.py): 1/4 dMOT + activity (FOA), 2 MSE, 3 dMOT only, 7/8/9 the same on MIC,
20/21 PIT on FOA/MIC, 999 quick_test. Selection on validation LE, then the test fold. Writes
<model_dir>/<task>_<job>_<ds>_dev_split1_model.pt with _metrics.json and _curves.png beside it, and
<run_dir>/<task>_<job>/ (config.json, last.pt to resume, best.pt).
"""

import argparse
import sys

from configs.base import format_params, parse_set_args
from configs.doanet import TASKS, get_params
from doanet.train import train


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("task_id", nargs="?", default="1", help=f"parameter set of configs/doanet.py, one of {list(TASKS)}")
    ap.add_argument("job_id", nargs="?", default="1", help="names this run's outputs")
    ap.add_argument("--quick", action="store_true", help="quick_test (same as task 999)")
    ap.add_argument("--device", default="auto", help="'auto' (CUDA if available), 'cpu', 'cuda'")
    ap.add_argument("--fresh", action="store_true", help="ignore an existing last.pt and start over")
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="override parameters")
    args = ap.parse_args(argv)
    task_id = "999" if args.quick else args.task_id
    try:
        params = get_params(task_id, **parse_set_args(args.set))
    except ValueError as err:
        ap.error(str(err))
    print(f"DOAnet training, task {task_id}, job {args.job_id}:\n{format_params(params)}")
    try:
        train(params, task_id, args.job_id, args.device, args.fresh)
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
