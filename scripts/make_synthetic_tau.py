"""Write a synthetic TAU-NIGENS Spatial Sound Events 2020 data set (FOA and MIC) in its on-disk format.

    python3 scripts/make_synthetic_tau.py 999            # quick_test: 3 x 6 s files per fold, seconds
    python3 scripts/make_synthetic_tau.py 1 --seed 3     # full: 6 folds x 100 files x 60 s (a long job)

Writes <dataset_dir>/foa_dev/, mic_dev/ and metadata_dev/ (fold{F}_room{R}_mix{NNN}_ov{1|2}.wav,
24 kHz, 4 channels, 16-bit; CSV rows frame,class,track,azimuth,elevation). Existing files are kept,
so an interrupted run resumes; one file is held in memory at a time.
"""

import sys

from common.cli import report_errors, resolve_params, task_parser
from configs.doanet import TASKS, get_params
from doanet.synth import generate_dataset


def main(argv=None) -> int:
    ap = task_parser(__doc__, "doanet", TASKS)
    ap.add_argument("--seed", type=int, help="generator seed (default: the task's synth_seed)")
    ap.add_argument("--out", help="base folder (default: the task's dataset_dir)")
    ap.add_argument("--workers", type=int, default=1, help="render files in this many processes (same files)")
    ap.add_argument("--force", action="store_true", help="rewrite every file, also in a folder made with other parameters")
    args = ap.parse_args(argv)
    _, params = resolve_params(ap, args, get_params, "synthetic TAU-NIGENS 2020")
    return report_errors(generate_dataset, params, base_dir=args.out, seed=args.seed, force=args.force, workers=args.workers)


if __name__ == "__main__":
    sys.exit(main())
