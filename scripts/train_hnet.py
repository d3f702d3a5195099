"""Train the Hungarian network (HNetGRU) on data made by scripts/generate_hnet_data.py.

    python3 scripts/train_hnet.py                    # task 1, job 1
    python3 scripts/train_hnet.py 999                # quick_test (also: --quick)
    python3 scripts/train_hnet.py 1 2 --set nb_epochs=50 --device cpu

Writes data/runs/hnet/<task>_<job>/ (config.json, last.pt, best.pt, history.jsonl, metrics.json,
curves.png) and the best model to <model_dir>/hnet_model.pt. Re-running the same task and job resumes
from last.pt; --fresh starts over.
"""

import argparse
import sys

from configs.base import format_params, parse_set_args
from configs.hnet import TASKS, get_params
from hnet.train import train


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("task_id", nargs="?", default="1", help=f"parameter set of configs/hnet.py, one of {list(TASKS)}")
    ap.add_argument("job_id", nargs="?", default="1", help="names this run's output folder")
    ap.add_argument("--quick", action="store_true", help="quick_test run (same as task 999)")
    ap.add_argument("--device", default="auto", help="'auto' (CUDA if available), 'cpu', 'cuda', 'cuda:1' ...")
    ap.add_argument("--fresh", action="store_true", help="ignore an existing last.pt and start over")
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="override parameters, e.g. nb_epochs=10")
    args = ap.parse_args(argv)
    task_id = "999" if args.quick else args.task_id
    try:
        params = get_params(task_id, **parse_set_args(args.set))
    except ValueError as err:
        ap.error(str(err))
    print(f"HNet training, task {task_id}, job {args.job_id}:\n{format_params(params)}")
    try:
        train(params, task_id=task_id, job_id=args.job_id, device=args.device, fresh=args.fresh)
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
