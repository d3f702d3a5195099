"""Generate the HNet train / val / test splits (.npz) with the original's distribution, seeded.

    python3 scripts/generate_hnet_data.py            # task 1: 405,000 / 40,500 / 40,500 examples
    python3 scripts/generate_hnet_data.py 999        # quick_test data
    python3 scripts/generate_hnet_data.py 3 --seed 7 --out data/hnet3
"""

import argparse
import sys
import time

from configs.base import format_params, parse_set_args
from configs.hnet import TASKS, get_params
from hnet.data import generate_dataset


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("task_id", nargs="?", default="1", help=f"parameter set of configs/hnet.py, one of {list(TASKS)}")
    ap.add_argument("--seed", type=int, help="generator seed (default: the task's seed)")
    ap.add_argument("--out", help="output folder (default: the task's data_dir)")
    ap.add_argument("--quick", action="store_true", help="quick_test data (same as task 999)")
    ap.add_argument("--force", action="store_true", help="regenerate files that already exist with the same parameters")
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="override parameters, e.g. max_doas=3")
    args = ap.parse_args(argv)
    try:
        params = get_params("999" if args.quick else args.task_id, **parse_set_args(args.set))
    except ValueError as err:
        ap.error(str(err))
    print(f"HNet data, task {args.task_id}:\n{format_params(params)}")
    t0 = time.perf_counter()
    generate_dataset(params, out_dir=args.out, seed=args.seed, force=args.force)
    print(f"done in {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
