"""Evaluate an HNet checkpoint and print one JSON object of metrics.

    python3 scripts/evaluate_hnet.py --checkpoint data/pretrained/hnet_model.pt
    python3 scripts/evaluate_hnet.py --checkpoint data/models/hnet_model.pt --seed 123
    python3 scripts/evaluate_hnet.py --checkpoint data/models/hnet_model.pt --data data/hnet/hnet_test.npz

Without --data a fresh test split (40,500 examples for task 1) is generated with the original's
distribution (--shuffle one_axis: rows or columns permuted) and --seed; --shuffle both gives ours.
Keys: exact_acc (whole matrix right), pos_f1 (F1 of the associated class),
weighted_f1 (the original's sklearn weighted F1), per_case (exact accuracy by "nb_ref,nb_pred"),
worst_case, per_resolution, per_fill, counts, loss.
"""

import argparse
import json
import sys

from hnet.evaluate import evaluate_checkpoint


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True, help="an HNet checkpoint (or the original's state_dict)")
    ap.add_argument("--seed", type=int, help="seed of the generated test split (default: the task's seed)")
    ap.add_argument("--task-id", help="parameters of the test distribution (default: the checkpoint's task)")
    ap.add_argument("--data", help="evaluate on this .npz split instead of generating one")
    ap.add_argument("--shuffle", choices=["one_axis", "both"], default="one_axis",
                    help="permutation of the generated test split: the original's one axis (default) or both")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--out", help="also write the JSON to this file")
    args = ap.parse_args(argv)
    try:
        report = evaluate_checkpoint(args.checkpoint, args.task_id, args.seed, args.data, args.device, args.shuffle)
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        from common.io import write_json

        write_json(args.out, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
