"""Make ov2 recordings by mixing pairs of ov1 recordings of the same fold and room.

    python3 scripts/augment_files.py 999 --out data/tau_synth_quick_aug

Reads <dataset_dir> and writes the mixtures, in the same layout, under --out (never into the source
data set): fold3_room1_aug001003_ov2.wav in foa_dev/ and mic_dev/, with the merged metadata CSV.
"""

import sys

from common.cli import report_errors, resolve_params, task_parser
from configs.doanet import TASKS, get_params


def main(argv=None) -> int:
    ap = task_parser(__doc__, "doanet", TASKS)
    ap.add_argument("--out", required=True, help="output base folder, separate from the data set")
    ap.add_argument("--pairs-per-file", type=int, default=4, help="at most this many pairs per ov1 file of a group")
    ap.add_argument("--formats", nargs="+", default=["foa", "mic"], choices=["foa", "mic"])
    ap.add_argument("--allow-short-audio", action="store_true",
                    help="mix recordings shorter than their metadata or their pair (with a warning), labels cut to the audio")
    args = ap.parse_args(argv)
    from doanet.augment import augment_dataset
    _, params = resolve_params(ap, args, get_params)
    return report_errors(augment_dataset, params.dataset_dir, args.out, tuple(args.formats), params.mode,
                         params.train_folds, args.pairs_per_file, label_hop_s=params.label_hop_len_s,
                         allow_short=args.allow_short_audio)


if __name__ == "__main__":
    sys.exit(main())
