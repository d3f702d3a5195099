"""Write a synthetic TAU-NIGENS Spatial Sound Events 2020 data set (FOA and MIC) in its on-disk format.

    python3 scripts/make_synthetic_tau.py 999            # quick_test: 3 x 6 s files per fold, seconds
    python3 scripts/make_synthetic_tau.py 1 --seed 3     # full: 6 folds x 100 files x 60 s (a long job)

Writes <dataset_dir>/foa_dev/, mic_dev/ and metadata_dev/ (fold{F}_room{R}_mix{NNN}_ov{1|2}.wav,
24 kHz, 4 channels, 16-bit; CSV rows frame,class,track,azimuth,elevation). Existing files are kept,
so an interrupted run resumes; one file is held in memory at a time.
"""

import argparse
import sys

from configs.base import format_params, parse_set_args
from configs.doanet import TASKS, get_params
from doanet.synth import generate_dataset


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("task_id", nargs="?", default="1", help=f"parameter set of configs/doanet.py, one of {list(TASKS)}")
    ap.add_argument("--seed", type=int, help="generator seed (default: the task's synth_seed)")
    ap.add_argument("--out", help="base folder (default: the task's dataset_dir)")
    ap.add_argument("--quick", action="store_true", help="quick_test sizes (same as task 999)")
    ap.add_argument("--force", action="store_true", help="rewrite every file, also in a folder made with other parameters")
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="override parameters")
    args = ap.parse_args(argv)
    try:
        params = get_params("999" if args.quick else args.task_id, **parse_set_args(args.set))
    except ValueError as err:
        ap.error(str(err))
    print(f"synthetic TAU-NIGENS 2020, task {args.task_id}:\n{format_params(params)}")
    try:
        generate_dataset(params, base_dir=args.out, seed=args.seed, force=args.force)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
