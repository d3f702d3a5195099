"""AuralNav agent speed: separator throughput, acting and learning steps per second (CPU, and CUDA when available).

    python3 benchmarks/bench_auralnav_agent.py            # the default DPRNNTasNet and a small one, 1 s at 16 kHz
    python3 benchmarks/bench_auralnav_agent.py --quick

* Separator forward throughput (seconds of audio separated per second) at batch 1 and 8.
* Acting: one epsilon-greedy choice for num_envs = 4 observations (separator + DQN, no grad).
* Learning: one DQN update on a batch of 32 transitions (online forward with gradients, target forward
  without): with the separator frozen (cached features: an MLP step) and fine-tuned (two separator
  passes over the batch). Prints a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from auralnav.agent import RnnAgent

from auralnav.separation import RnnSeparator
from configs.auralnav import get_params

SMALL = {"sep_kernel_size": 32, "sep_stride": 16, "sep_n_repeats": 2, "sep_bn_chan": 64, "sep_hid_size": 64}


def timed(fn, device: torch.device, repeats: int) -> float:
    """Median seconds of ``fn()`` after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def measure(name: str, overrides: dict, device: torch.device, repeats: int, batch: int) -> dict:
    params = get_params("1", **overrides, batch_size=batch)
    n = params.window
    out: dict = {"config": name, "device": str(device), "window_s": params.window_s, "fs": params.fs}
    separator = RnnSeparator(**params.separator_config()).to(device).eval()
    out["separator_params"] = sum(p.numel() for p in separator.parameters())
    for b in (1, 8):
        x = torch.randn(b, 2, n, device=device) * 0.1
        with torch.no_grad():
            s = timed(lambda x=x: separator(x), device, repeats)
        out[f"separator_forward_batch{b}_s"] = round(s, 4)
        out[f"separator_realtime_factor_batch{b}"] = round(b * params.window_s / s, 1)
    rng = np.random.default_rng(0)
    audio = rng.uniform(-0.1, 0.1, (batch, 2, n)).astype(np.float32)
    info = np.tile(np.array([4, 4, 1, 0], np.float32), (batch, 1))
    for fine_tune in (False, True):
        agent = RnnAgent(get_params("1", **overrides, batch_size=batch, train_separator=fine_tune), device)
        if not fine_tune:  # acting: encode 4 observations (separator + cues) and choose
            s = timed(lambda a=agent: a.choose_actions(a.encode(audio[:4], info[:4]), 0.1), device, repeats)
            out["act_4_envs_s"] = round(s, 4)
        # learning: with a frozen separator the stored states are cached features; fine-tuned, raw audio
        state = {k: torch.from_numpy(v).to(device) for k, v in agent.encode(audio, info).items()}
        b = {"state": state, "next_state": state, "action": torch.randint(0, 4, (batch,), device=device),
             "reward": torch.randn(batch, device=device), "terminated": torch.zeros(batch, device=device)}
        s = timed(lambda a=agent, b=b: a.update(b), device, repeats)
        out[f"update_batch{batch}_{'fine_tuned' if fine_tune else 'frozen_cached'}_s"] = round(s, 4)
    print(json.dumps(out), flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="the small separator only, 0.25 s windows, batch 4")
    ap.add_argument("--batch", type=int, default=32, help="transitions per update (full run)")
    ap.add_argument("--repeats", type=int, default=3, help="timed calls per figure, median (full run)")
    ap.add_argument("--out")
    args = ap.parse_args()
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    if args.quick:
        configs, repeats, batch = {"small": {**SMALL, "window_s": 0.25}}, 1, 4
    else:
        configs, repeats, batch = {"default": {}, "small": SMALL}, args.repeats, args.batch
    summary = {"torch_threads": torch.get_num_threads(), "results": []}
    for dev in devices:
        for name, overrides in configs.items():
            summary["results"].append(measure(name, overrides, dev, repeats, batch))
    print(json.dumps(summary, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
