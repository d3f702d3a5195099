"""Extract DOAnet features and labels, fit the normalisation on the training folds, normalise.

    python3 scripts/batch_feature_extraction.py 999              # quick_test data
    python3 scripts/batch_feature_extraction.py 1 --device cuda

Reads <dataset_dir>/<foa|mic>_dev/ and metadata_dev/ (the real TAU-NIGENS 2020 or the synthetic set
of scripts/make_synthetic_tau.py) and writes <feat_label_dir>/<ds>_dev/, <ds>_dev_label/,
<ds>_wts.npz and <ds>_dev_norm/. Files already extracted are skipped.
"""

import argparse
import sys

from configs.base import format_params, parse_set_args
from configs.doanet import TASKS, get_params
from doanet.extraction import batch_feature_extraction


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("task_id", nargs="?", default="1", help=f"parameter set of configs/doanet.py, one of {list(TASKS)}")
    ap.add_argument("--quick", action="store_true", help="quick_test (same as task 999)")
    ap.add_argument("--device", default="cpu", help="torch device for the STFT ('cpu', 'cuda')")
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="override parameters, e.g. dataset=mic")
    args = ap.parse_args(argv)
    task_id = "999" if args.quick else args.task_id
    try:
        params = get_params(task_id, **parse_set_args(args.set))
    except ValueError as err:
        ap.error(str(err))
    print(f"DOAnet feature extraction, task {task_id}:\n{format_params(params)}")
    try:
        batch_feature_extraction(params, task_id, args.device)
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
