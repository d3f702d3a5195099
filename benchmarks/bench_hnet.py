"""HNet benchmarks: data generation (vectorised vs the original's per-example loop) and training speed.

    python3 benchmarks/bench_hnet.py                 # full sizes: 445,500 examples, one 405,000-example epoch
    python3 benchmarks/bench_hnet.py --quick         # a tenth of the data, for a smoke run
    python3 benchmarks/bench_hnet.py --skip-loop     # only our generator

Both generators run in this process on the same machine; time is wall-clock without tracing, peak
memory is a separate pass under tracemalloc (which slows Python loops, so it is not timed). Writing
the files (the original's pickles, our .npz) is included in both. Prints a JSON summary.
"""

from __future__ import annotations

import argparse
import gc
import pickle
import tempfile
import time
import tracemalloc
from pathlib import Path

import torch

from common.sysinfo import machine, report
from configs.hnet import get_params
from hnet.data import generate_split, save_split
from hnet.model import HNetGRU
from hnet.reference import generate_original_loop
from hnet.train import hnet_losses


def vectorised(params, out_dir: Path) -> int:
    n = 0
    for split in ("train", "test"):
        arrays = generate_split(params, split)
        save_split(out_dir / f"hnet_{split}.npz", arrays, {"split": split})
        n += len(arrays["dist"])
    return n


def original_loop(params, out_dir: Path) -> int:
    n = 0
    for split, scale in (("train", 1.0), ("test", params.test_scale)):
        data = generate_original_loop(params.max_doas, params.sample_range, params.resolutions, scale,
                                      seed=0 if split == "train" else 1)
        with open(out_dir / f"hung_data_{split}.pkl", "wb") as f:
            pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
        n += len(data)
        del data
    return n


def measure(fn, *args) -> dict:
    gc.collect()
    t0 = time.perf_counter()
    n = fn(*args)
    seconds = time.perf_counter() - t0
    gc.collect()
    tracemalloc.start()
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"examples": n, "seconds": round(seconds, 3), "peak_mb": round(peak / 2**20, 1)}


def epoch_seconds(n_train: int, batch_size: int, device: torch.device, max_steps: int | None) -> dict:
    """Seconds for one training epoch of n_train examples, whole-dataset tensors on the device,
    and the same for a per-item torch DataLoader (the original's data path) on the CPU."""
    params = get_params("1")
    dist = torch.rand(n_train, 2, 2, device=device) * 2
    assoc = (torch.rand(n_train, 2, 2, device=device) < 0.25).float()
    model = HNetGRU(attn_logit_scale=params.train_attn_logit_scale).to(device)
    opt = torch.optim.Adam(model.parameters())
    steps = n_train // batch_size
    timed = min(steps, max_steps or steps)

    def step(x, y):
        loss = hnet_losses(model(x), y).sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    order = torch.randperm(n_train, device=device)
    for i in range(5):  # warm-up
        step(dist[order[i * batch_size:(i + 1) * batch_size]], assoc[order[i * batch_size:(i + 1) * batch_size]])
    if device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for i in range(timed):
        idx = order[i * batch_size:(i + 1) * batch_size]
        step(dist[idx], assoc[idx])
    if device.type == "cuda":
        torch.cuda.synchronize()
    ours = (time.perf_counter() - t0) / timed * steps
    result = {"device": str(device), "steps": steps, "timed_steps": timed, "epoch_s": round(ours, 2)}
    if device.type == "cpu":  # the original's path: a Dataset of numpy items through a DataLoader
        class Items(torch.utils.data.Dataset):
            def __init__(self):
                self.d, self.a = dist.numpy(), assoc.numpy()

            def __len__(self):
                return n_train

            def __getitem__(self, i):
                a = self.a[i]
                return self.d[i], [a.reshape(-1), a.sum(-1), a.sum(-2)]

        loader = torch.utils.data.DataLoader(Items(), batch_size=batch_size, shuffle=True, drop_last=True)
        t0 = time.perf_counter()
        for i, (x, _) in enumerate(loader):
            step(x, assoc[:batch_size])
            if i + 1 >= timed:
                break
        result["dataloader_epoch_s"] = round((time.perf_counter() - t0) / timed * steps, 2)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a tenth of the data and 100 timed training steps")
    ap.add_argument("--skip-loop", action="store_true", help="do not run the original per-example loop")
    ap.add_argument("--out", help="write the JSON summary here too")
    args = ap.parse_args()
    params = get_params("1", sample_range=(300, 500, 1500)) if args.quick else get_params("1")
    summary: dict = {"machine": machine(), "generation": {}, "training": []}
    with tempfile.TemporaryDirectory() as tmp:
        summary["generation"]["vectorised"] = measure(vectorised, params, Path(tmp))
        print("vectorised generator:", summary["generation"]["vectorised"], flush=True)
        if not args.skip_loop:
            summary["generation"]["original_loop"] = measure(original_loop, params, Path(tmp))
            print("original loop:       ", summary["generation"]["original_loop"], flush=True)
            v, o = summary["generation"]["vectorised"], summary["generation"]["original_loop"]
            summary["generation"]["speedup"] = round(o["seconds"] / v["seconds"], 1)
            summary["generation"]["memory_ratio"] = round(v["peak_mb"] / o["peak_mb"], 3)
    n_train = 405_000 // (10 if args.quick else 1)
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    for dev in devices:
        summary["training"].append(epoch_seconds(n_train, 256, dev, 100 if args.quick else None))
        print("training epoch:", summary["training"][-1], flush=True)
    report(summary, args.out)


if __name__ == "__main__":
    main()
