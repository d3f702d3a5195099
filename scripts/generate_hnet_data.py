"""Generate the HNet train / val / test splits (.npz) with the original's distribution, seeded.

    python3 scripts/generate_hnet_data.py            # task 1: 405,000 / 40,500 / 40,500 examples
    python3 scripts/generate_hnet_data.py 999        # quick_test data
    python3 scripts/generate_hnet_data.py 3 --seed 7 --out data/hnet3
"""

import sys
import time

from common.cli import report_errors, resolve_params, task_parser
from configs.hnet import TASKS, get_params


def main(argv=None) -> int:
    ap = task_parser(__doc__, "hnet", TASKS)
    ap.add_argument("--seed", type=int, help="generator seed (default: the task's seed)")
    ap.add_argument("--out", help="output folder (default: the task's data_dir)")
    ap.add_argument("--force", action="store_true", help="regenerate files that already exist with the same parameters")
    args = ap.parse_args(argv)
    from hnet.data import generate_dataset
    _, params = resolve_params(ap, args, get_params, "HNet data")
    t0 = time.perf_counter()
    status = report_errors(generate_dataset, params, out_dir=args.out, seed=args.seed, force=args.force)
    if status == 0:
        print(f"done in {time.perf_counter() - t0:.1f}s")
    return status


if __name__ == "__main__":
    sys.exit(main())
