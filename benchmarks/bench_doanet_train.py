"""DOAnet training step on the CPU (and CUDA when available): float32 against the faster paths, one run.

    python3 benchmarks/bench_doanet_train.py                 # batch 16 and 64, 1 and 2 threads, all variants
    python3 benchmarks/bench_doanet_train.py --quick         # batch 4, 1 thread: a smoke run
    python3 benchmarks/bench_doanet_train.py --compile       # also torch.compile (a minute or two of compiling)

One step = forward of the CRNN on (B, 7, 250, 64), dMOTP + dMOTA through the frozen HNet + activity BCE
(in float32 as on CUDA), backward, Adam. Variants: float32 as before ('fp32', the baseline), channels-last
('fp32+cl'), bfloat16 autocast ('bf16'), both ('bf16+cl': the CPU protocol's setting), optionally
torch.compile. Reported per variant: seconds per step, milliseconds per window, speed-up over fp32 at
the same batch and threads, GFLOP/s reached (FLOPs counted by torch.utils.flop_counter) against the
core's peak, the share of the dMOT losses (forward and backward through the HNet) in the step, and the
data loader's time per batch on the CPU protocol's features when they exist. Also the metrics
(vectorised against per-frame loops). Prints a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from common.sysinfo import machine, report, seconds
from doanet.losses import activity_loss, dmot_losses
from doanet.metrics import clear_mot, original_metric
from doanet.model import CRNN, doa_to_tracks
from doanet.reference import slow_clear_mot, slow_original
from hnet.checkpoint import load_hnet

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = {"fp32": (None, False), "fp32+cl": (None, True), "bf16": (torch.bfloat16, False), "bf16+cl": (torch.bfloat16, True)}
# Peak FLOP/cycle of one Zen 4 core: two 256-bit FMA pipes (AVX-512 is double-pumped) = 32 float32 FLOP,
# and VDPBF16PS doubles that for bfloat16 dot products. Other CPUs: read the printed GFLOP/s only.
PEAK_FLOP_PER_CYCLE = {"fp32": 32, "bf16": 64}


def cpu_ghz() -> float:
    try:
        with open("/proc/cpuinfo") as f:
            return max(float(line.split(":")[1]) for line in f if line.startswith("cpu MHz")) / 1000
    except (OSError, ValueError):
        return float("nan")


class Step:
    """One training step of a fresh CRNN in a given variant, on fixed random inputs of batch ``batch``."""

    def __init__(self, device: torch.device, batch: int, dtype: torch.dtype | None, channels_last: bool,
                 compile_model: bool = False):
        torch.manual_seed(0)
        self.hnet = load_hnet(ROOT / "data/pretrained/hnet_model_jitter.pt", device, max_doas=2, freeze=True)[0]
        self.fmt = torch.channels_last if channels_last else torch.contiguous_format
        self.model = CRNN().to(device).to(memory_format=self.fmt)
        self.forward = torch.compile(self.model) if compile_model else self.model
        self.opt = torch.optim.Adam(self.model.parameters())
        self.dtype, self.device = dtype, device
        self.x = torch.randn(batch, 7, 250, 64, device=device).contiguous(memory_format=self.fmt)
        v = torch.nn.functional.normalize(torch.randn(batch, 50, 2, 3, device=device), dim=-1)
        self.active = (torch.rand(batch, 50, 2, device=device) < 0.6).float()
        self.ref = torch.where(self.active[..., None] > 0, v, torch.full_like(v, 10.0))

    def losses(self, doa: torch.Tensor, act: torch.Tensor) -> torch.Tensor:
        out = dmot_losses(doa_to_tracks(doa.float(), 2), self.ref, self.active, self.hnet)
        return out["dmotp"] + out["dmota"] + 10 * activity_loss(act.float(), out["matched"])

    def __call__(self) -> None:
        with torch.autocast(self.device.type, dtype=self.dtype or torch.float32, enabled=self.dtype is not None):
            doa, act = self.forward(self.x)
        loss = self.losses(doa, act)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()

    def loss_only(self) -> None:
        """The dMOT losses' part of a step: forward and backward from the network's outputs."""
        doa = torch.randn(self.x.shape[0], 50, 6, device=self.device, requires_grad=True)
        act = torch.randn(self.x.shape[0], 50, 2, device=self.device, requires_grad=True)
        self.losses(torch.tanh(doa), act).backward()

    def flops(self) -> int:
        from torch.utils.flop_counter import FlopCounterMode

        counter = FlopCounterMode(display=False)
        with counter:
            self()
        return counter.get_total_flops()


def loader_seconds_per_batch(batch: int, batches: int = 20) -> float | None:
    """The data loader of the CPU protocol (task 30) on its features, if they have been extracted."""
    from configs.doanet import get_params
    from doanet.data import make_loader

    try:
        loader = make_loader(get_params("30", batch_size=batch), "train")
    except FileNotFoundError:
        return None
    it = iter(loader)
    next(it)
    t0 = time.perf_counter()
    n = 0
    for _ in range(batches):
        try:
            next(it)
        except StopIteration:
            break
        n += 1
    return (time.perf_counter() - t0) / max(n, 1)


def bench_steps(device: torch.device, batches: list[int], threads: list[int], repeats: int, compile_model: bool) -> list[dict]:
    rows = []
    variants = dict(VARIANTS)
    if device.type == "cuda":
        variants = {"fp32": (None, False), "fp16+cl": (torch.float16, True), "bf16+cl": (torch.bfloat16, True)}
    if compile_model:
        variants["bf16+cl+compile"] = (torch.bfloat16, True)
    ghz = cpu_ghz()
    for n_threads in threads if device.type == "cpu" else [torch.get_num_threads()]:
        torch.set_num_threads(n_threads)
        for batch in batches:
            base = None
            for name, (dtype, cl) in variants.items():
                step = Step(device, batch, dtype, cl, compile_model=name.endswith("compile"))
                step_s = seconds(step, repeats, device)
                loss_s = seconds(step.loss_only, repeats, device)
                flops = step.flops() if not name.endswith("compile") else rows[-1]["flops"]
                base = base or step_s
                kind = "bf16" if dtype is torch.bfloat16 else "fp32"
                peak = PEAK_FLOP_PER_CYCLE[kind] * ghz * 1e9 * n_threads if device.type == "cpu" else float("nan")
                row = {"device": str(device), "threads": n_threads, "batch": batch, "variant": name,
                       "step_s": round(step_s, 3), "ms_per_window": round(1000 * step_s / batch, 1),
                       "speedup_vs_fp32": round(base / step_s, 2), "flops": flops,
                       "gflop_per_s": round(flops / step_s / 1e9, 1),
                       "share_of_peak": round(flops / step_s / peak, 3) if peak == peak else None,
                       "dmot_loss_share": round(loss_s / step_s, 3)}
                rows.append(row)
                print(json.dumps(row), flush=True)
    return rows


def bench_metrics(sequences: int) -> dict:
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
    out = {}
    for name, fast, slow in pairs:
        t0 = time.perf_counter()
        fast()
        t_fast = time.perf_counter() - t0
        t0 = time.perf_counter()
        slow()
        t_slow = time.perf_counter() - t0
        out[name] = {"frames": sequences * 600, "vectorised_s": round(t_fast, 3), "per_frame_loop_s": round(t_slow, 3),
                     "speedup": round(t_slow / t_fast, 1)}
        print(name, out[name], flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="batch 4, 1 thread, 1 repeat")
    ap.add_argument("--batches", type=int, nargs="+", default=[16, 64])
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--compile", action="store_true", help="also measure torch.compile (inductor)")
    ap.add_argument("--out", help="write the JSON summary here")
    args = ap.parse_args()
    if args.quick:
        args.batches, args.threads, args.repeats = [4], [1], 1
    summary: dict = {"machine": machine(), "cpu_ghz": cpu_ghz(), "steps": [], "metrics": {}}
    print(summary["machine"], flush=True)
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    for dev in devices:
        summary["steps"] += bench_steps(dev, args.batches, args.threads, args.repeats, args.compile)
    torch.set_num_threads(1)
    summary["loader_s_per_batch"] = {b: loader_seconds_per_batch(b) for b in args.batches}
    print("data loader s/batch (task 30 features):", summary["loader_s_per_batch"], flush=True)
    summary["metrics"] = bench_metrics(10 if args.quick else 100)
    report(summary, args.out)


if __name__ == "__main__":
    main()
