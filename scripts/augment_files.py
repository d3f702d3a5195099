"""Make ov2 recordings by mixing pairs of ov1 recordings of the same fold and room.

    python3 scripts/augment_files.py 999 --out data/tau_synth_quick_aug

Reads <dataset_dir> and writes the mixtures, in the same layout, under --out (never into the source
data set): fold3_room1_aug001003_ov2.wav in foa_dev/ and mic_dev/, with the merged metadata CSV.
"""

import argparse
import sys

from configs.base import parse_set_args
from configs.doanet import TASKS, get_params
from doanet.augment import augment_dataset


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("task_id", nargs="?", default="1", help=f"parameter set of configs/doanet.py, one of {list(TASKS)}")
    ap.add_argument("--out", required=True, help="output base folder, separate from the data set")
    ap.add_argument("--pairs-per-file", type=int, default=4, help="at most this many pairs per ov1 file of a group")
    ap.add_argument("--formats", nargs="+", default=["foa", "mic"], choices=["foa", "mic"])
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="override parameters, e.g. dataset_dir=...")
    args = ap.parse_args(argv)
    try:
        params = get_params(args.task_id, **parse_set_args(args.set))
    except ValueError as err:
        ap.error(str(err))
    try:
        augment_dataset(params.dataset_dir, args.out, tuple(args.formats), params.mode, params.train_folds,
                        args.pairs_per_file)
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
