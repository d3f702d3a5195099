"""Plot the extracted features and labelled tracks of one recording to a PNG.

    python3 scripts/plot_doanet_features.py 999 --name fold1_room1_mix002_ov2
    python3 scripts/plot_doanet_features.py 1 --set dataset=mic --out data/plots/mic.png

Reads <feat_label_dir>/<ds>_dev_norm/ and <ds>_dev_label/ (run scripts/batch_feature_extraction.py first).
"""

import sys

import numpy as np

from common.cli import resolve_params, task_parser
from configs.doanet import TASKS, get_params


def main(argv=None) -> int:
    ap = task_parser(__doc__, "doanet", TASKS)
    ap.add_argument("--name", help="recording name without extension (default: the first one)")
    ap.add_argument("--out", help="PNG path (default: data/plots/doanet_<ds>_<name>.png)")
    args = ap.parse_args(argv)
    from doanet.extraction import feature_dirs
    from doanet.plots import plot_recording
    _, params = resolve_params(ap, args, get_params)
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
