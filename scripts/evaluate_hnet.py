"""Evaluate an HNet checkpoint and print one JSON object of metrics.

    python3 scripts/evaluate_hnet.py --checkpoint data/pretrained/hnet_model.pt
    python3 scripts/evaluate_hnet.py 5 --checkpoint data/models/hnet_model.pt --seed 123   # task 5's distribution
    python3 scripts/evaluate_hnet.py --checkpoint data/models/hnet_model.pt --data data/hnet/hnet_test.npz

The task (the test distribution) is the checkpoint's own unless given. Without --data a fresh test
split (40,500 examples for task 1) is generated with the original's
distribution (--shuffle one_axis: rows or columns permuted) and --seed; --shuffle both gives ours.
Keys: exact_acc (whole matrix right), pos_f1 (F1 of the associated class),
weighted_f1 (the original's sklearn weighted F1), per_case (exact accuracy by "nb_ref,nb_pred"),
worst_case, per_resolution, per_fill, counts, loss.
"""

import argparse
import json
import sys

from common.cli import add_checkpoint_task_args, add_device_arg, checkpoint_task, nonnegative_int, report_errors
from common.io import write_json
from configs.hnet import TASKS


def run(args: argparse.Namespace) -> None:
    from common.checkpoint import load_checkpoint
    from hnet.evaluate import evaluate_checkpoint
    task_id, overrides = checkpoint_task(args, load_checkpoint(args.checkpoint))
    report = evaluate_checkpoint(args.checkpoint, task_id, args.seed, args.data, args.device, args.shuffle, **overrides)
    print(json.dumps(report, indent=2))
    if args.out:
        write_json(args.out, report)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_checkpoint_task_args(ap, "hnet", TASKS)
    ap.add_argument("--checkpoint", required=True, help="an HNet checkpoint (or the original's state_dict)")
    ap.add_argument("--seed", type=nonnegative_int, help="seed of the generated test split (default: the task's seed)")
    ap.add_argument("--data", help="evaluate on this .npz split instead of generating one")
    ap.add_argument("--shuffle", choices=["one_axis", "both"], default="one_axis",
                    help="permutation of the generated test split: the original's one axis (default) or both")
    add_device_arg(ap)
    ap.add_argument("--out", help="also write the JSON to this file")
    return report_errors(run, ap.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
