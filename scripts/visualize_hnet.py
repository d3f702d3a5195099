"""Plot distance matrices with true and predicted associations to a PNG.

    python3 scripts/visualize_hnet.py --checkpoint data/pretrained/hnet_model.pt
    python3 scripts/visualize_hnet.py --checkpoint data/models/hnet_model.pt --errors --n 16
    python3 scripts/visualize_hnet.py 3 --checkpoint data/models/hnet_model.pt   # task 3's distribution

Each panel is one test example: colour and text give the distance d and the predicted association
probability p per cell; a green box marks the Hungarian (true) association and a red x the predicted one.
"""

import argparse
import sys

from common.cli import add_checkpoint_task_args, add_device_arg, checkpoint_task, nonnegative_int, positive_int
from configs.hnet import TASKS


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_checkpoint_task_args(ap, "hnet", TASKS)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--data", help="a .npz split (default: a generated test split)")
    ap.add_argument("--seed", type=nonnegative_int, help="seed of the generated test split")
    ap.add_argument("--n", type=positive_int, default=12, help="number of examples to plot")
    ap.add_argument("--errors", action="store_true", help="plot only misassociated examples")
    ap.add_argument("--out", default="data/plots/hnet_associations.png")
    add_device_arg(ap)
    args = ap.parse_args(argv)
    import torch

    from common.device import pick_device
    from hnet.checkpoint import load_hnet
    from hnet.evaluate import load_test_split, params_for_checkpoint
    from hnet.plots import pick_examples, plot_associations
    from hnet.train import predict_proba
    try:
        dev = pick_device(args.device)
        model, ckpt = load_hnet(args.checkpoint, dev)
        task_id, overrides = checkpoint_task(args, ckpt)
        split = load_test_split(params_for_checkpoint(ckpt, task_id, **overrides), args.seed, args.data)
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    probs = predict_proba(model, torch.as_tensor(split["dist"], dtype=torch.float32, device=dev))
    indices = pick_examples(split, (probs > 0.5).astype("uint8"), args.n, args.errors)
    if len(indices) == 0:
        print("no examples to plot (no errors?)")
        return 0
    print(plot_associations(split, probs, indices, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
