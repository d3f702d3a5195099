"""Plot DOAnet's predicted tracks against the references, for every model type (with or without an
activity head), one PNG per test recording.

    python3 scripts/visualize_doanet_output.py 999 --checkpoint data/models/999_quick_foa_dev_split1_model.pt
    python3 scripts/visualize_doanet_output.py 1 --checkpoint data/models/1_1_foa_dev_split1_model.pt --files 5

Each PNG: the omni log-mel, the spatial feature channels, and azimuth and elevation over time, references
as dots and predictions as crosses (only where the activity head says active, when there is one).
Written to data/runs/doanet/visualize/<checkpoint name>/ unless --out is given.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

from common.checkpoint import load_checkpoint
from common.device import pick_device
from configs.base import parse_set_args
from configs.doanet import TASKS, get_params
from doanet.data import make_loader
from doanet.losses import unit_normalise
from doanet.model import CRNN, doa_to_tracks
from doanet.plots import plot_recording


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("task_id", nargs="?", default="1", help=f"parameter set of configs/doanet.py, one of {list(TASKS)}")
    ap.add_argument("--checkpoint", required=True, help="a model written by scripts/train_doanet.py")
    ap.add_argument("--files", type=int, default=3, help="how many test recordings to plot")
    ap.add_argument("--out", help="output folder")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="override parameters")
    args = ap.parse_args(argv)
    try:
        params = get_params(args.task_id, **parse_set_args(args.set))
        ckpt = load_checkpoint(args.checkpoint)
        if ckpt.get("model_name") != "CRNN":
            raise ValueError(f"{args.checkpoint} holds a {ckpt.get('model_name')!r} model, expected a DOAnet CRNN")
        loader = make_loader(params, "test")
    except (FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    dev = pick_device(args.device)
    model = CRNN(**ckpt["model_args"]).to(dev).eval()
    model.load_state_dict(ckpt["state_dict"])
    ds = loader.dataset
    out_dir = Path(args.out or Path(params.run_dir) / "visualize" / Path(args.checkpoint).stem)
    for i, name in enumerate(ds.names[: args.files]):
        windows = [k for k, (f, _) in enumerate(ds.index) if f == i]
        items = [ds[k] for k in windows]
        with torch.no_grad():
            doa, act = model(torch.stack([it["features"] for it in items]).to(dev))
        pred = unit_normalise(doa_to_tracks(doa, params.max_doas)).cpu().numpy().reshape(-1, params.max_doas, 3)
        active = None if act is None else (act > 0).cpu().numpy().reshape(-1, params.max_doas)
        labels, feats = np.load(ds.label_dir / f"{name}.npy"), np.load(ds.feat_dir / f"{name}.npy")
        n = len(labels)
        path = plot_recording(feats, labels, f"{params.dataset.upper()} {name}", out_dir / f"{name}.png",
                              params.label_hop_len_s, pred[:n], None if active is None else active[:n])
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
