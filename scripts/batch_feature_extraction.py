"""Extract DOAnet features and labels, fit the normalisation on the training folds, normalise.

    python3 scripts/batch_feature_extraction.py 999              # quick_test data
    python3 scripts/batch_feature_extraction.py 1 --device cuda

Reads <dataset_dir>/<foa|mic>_dev/ and metadata_dev/ (the real TAU-NIGENS 2020 or the synthetic set
of scripts/make_synthetic_tau.py) and writes <feat_label_dir>/<ds>_dev/, <ds>_dev_label/,
<ds>_wts.npz and <ds>_dev_norm/. Recordings already extracted from the same wav, csv and parameters
are skipped; changed ones are extracted again. A recording shorter than max_audio_len_s (a truncated
file) is an error unless --allow-short-audio.
"""

import sys

from common.cli import add_device_arg, report_errors, resolve_params, task_parser
from configs.doanet import TASKS, get_params


def extract(params, task_id: str, device: str, **kwargs) -> None:
    from common.device import pick_device
    from doanet.extraction import batch_feature_extraction
    batch_feature_extraction(params, task_id, str(pick_device(device)), **kwargs)


def main(argv=None) -> int:
    ap = task_parser(__doc__, "doanet", TASKS)
    add_device_arg(ap)
    ap.add_argument("--allow-short-audio", action="store_true",
                    help="pad recordings shorter than max_audio_len_s with silence (with a warning) and cut their "
                         "labels to the audio, instead of stopping")
    args = ap.parse_args(argv)
    task_id, params = resolve_params(ap, args, get_params, "DOAnet feature extraction")
    return report_errors(extract, params, task_id, args.device, allow_short=args.allow_short_audio)


if __name__ == "__main__":
    sys.exit(main())
