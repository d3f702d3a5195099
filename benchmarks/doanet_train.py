"""DOAnet training-step time and metric time.

    python3 benchmarks/doanet_train.py            # batch 64 of (7, 250, 64), 600-frame metric sets
    python3 benchmarks/doanet_train.py --quick

* Training step (forward, dMOTP + dMOTA through the frozen HNet, activity BCE, backward, Adam) on the
  CPU, and on CUDA when available.
* Metrics (the original's and CLEAR-MOT) vectorised against per-frame loops with scipy's Hungarian
  (doanet.reference), in the same run. Prints a JSON summary.
"""

from __future__ import annotations

import os
import sys

# benchmarks/hnet.py is named after the package it measures; a script run from this folder would import
# it instead of the `hnet` package. Drop this folder from the import path (the packages are pip-installed).
if sys.path and sys.path[0] == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from doanet.losses import activity_loss, dmot_losses
from doanet.metrics import clear_mot, original_metric
from doanet.model import CRNN, doa_to_tracks
from doanet.reference import slow_clear_mot, slow_original
from hnet.checkpoint import load_hnet

ROOT = Path(__file__).resolve().parents[1]


def step_seconds(device: torch.device, batch: int, steps: int) -> float:
    hnet = load_hnet(ROOT / "data/pretrained/hnet_model.pt", device, max_doas=2, freeze=True)[0]
    model = CRNN().to(device)
    opt = torch.optim.Adam(model.parameters())
    x = torch.randn(batch, 7, 250, 64, device=device)
    v = torch.nn.functional.normalize(torch.randn(batch, 50, 2, 3, device=device), dim=-1)
    active = (torch.rand(batch, 50, 2, device=device) < 0.6).float()
    ref = torch.where(active[..., None] > 0, v, torch.full_like(v, 10.0))

    def step():
        doa, act = model(x)
        out = dmot_losses(doa_to_tracks(doa, 2), ref, active, hnet)
        loss = out["dmotp"] + out["dmota"] + 10 * activity_loss(act, out["matched"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - t0) / steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out")
    args = ap.parse_args()
    batch, steps, sequences = (8, 2, 10) if args.quick else (64, 5, 100)
    summary: dict = {"torch_threads": torch.get_num_threads(), "train_step_s": {}, "metrics": {}}
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    for dev in devices:
        summary["train_step_s"][str(dev)] = round(step_seconds(dev, batch, steps), 3)
        print("train step", dev, summary["train_step_s"][str(dev)], flush=True)
    rng = np.random.default_rng(0)
    ref = rng.normal(size=(sequences, 600, 2, 3))
    ref /= np.linalg.norm(ref, axis=-1, keepdims=True)
    pred = ref + 0.2 * rng.normal(size=ref.shape)
    pred /= np.linalg.norm(pred, axis=-1, keepdims=True)
    ra, pa = rng.random((sequences, 600, 2)) < 0.6, rng.random((sequences, 600, 2)) < 0.6
    pairs = (
        ("original", lambda: original_metric(pred, ref, ra, pa), lambda: slow_original(pred, ref, ra, pa)),
        ("clear_mot", lambda: clear_mot(pred, ref, ra, pa), lambda: slow_clear_mot(pred, ref, ra, pa, 20.0)),
    )
    for name, fast, slow in pairs:
        t0 = time.perf_counter()
        fast()
        t_fast = time.perf_counter() - t0
        t0 = time.perf_counter()
        slow()
        t_slow = time.perf_counter() - t0
        summary["metrics"][name] = {"frames": sequences * 600, "vectorised_s": round(t_fast, 3),
                                    "per_frame_loop_s": round(t_slow, 3), "speedup": round(t_slow / t_fast, 1)}
        print(name, summary["metrics"][name], flush=True)
    print(json.dumps(summary, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
