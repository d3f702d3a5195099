"""Plot the extracted features and labelled tracks of one recording to a PNG.

    python3 scripts/plot_doanet_features.py 999 --name fold1_room1_mix002_ov2
    python3 scripts/plot_doanet_features.py 1 --set dataset=mic --out data/plots/mic.png

Reads <feat_label_dir>/<ds>_dev_norm/ and <ds>_dev_label/ (run scripts/batch_feature_extraction.py first).
"""

import argparse
import sys

import numpy as np

from configs.base import parse_set_args
from configs.doanet import TASKS, get_params
from doanet.extraction import feature_dirs
from doanet.plots import plot_recording


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("task_id", nargs="?", default="1", help=f"parameter set of configs/doanet.py, one of {list(TASKS)}")
    ap.add_argument("--name", help="recording name without extension (default: the first one)")
    ap.add_argument("--out", help="PNG path (default: data/plots/doanet_<ds>_<name>.png)")
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="override parameters")
    args = ap.parse_args(argv)
    try:
        params = get_params(args.task_id, **parse_set_args(args.set))
    except ValueError as err:
        ap.error(str(err))
    dirs = feature_dirs(params)
    names = sorted(p.stem for p in dirs["norm"].glob("*.npy"))
    name = args.name or (names[0] if names else None)
    if name is None or not (dirs["norm"] / f"{name}.npy").exists():
        print(f"error: no features {name or ''} in {dirs['norm']}; run scripts/batch_feature_extraction.py "
              f"{args.task_id} first", file=sys.stderr)
        return 2
    out = args.out or f"data/plots/doanet_{params.dataset}_{name}.png"
    print(plot_recording(np.load(dirs["norm"] / f"{name}.npy"), np.load(dirs["label"] / f"{name}.npy"),
                         f"{params.dataset.upper()} {name}", out, params.label_hop_len_s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
