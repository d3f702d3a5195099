"""AuralNav agent speed: separator throughput, acting and learning steps per second (CPU, and CUDA when available).

    python3 benchmarks/bench_auralnav_agent.py            # the default DPRNNTasNet and a small one, 1 s at 16 kHz
    python3 benchmarks/bench_auralnav_agent.py --quick

* Separator forward throughput (seconds of audio separated per second) at batch 1 and 8.
* Acting: one greedy choice for num_envs = 4 observations (one batched separator pass, the cues, the
  state with memory, the Q-network), as a round of auralnav/train.py does.
* Learning: one update on a batch of cached states (Double DQN target, Huber loss, margin loss):
  the separator is frozen, so an update is an MLP step. Prints a JSON summary.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import torch
import torch.nn.functional as F

from auralnav.dqn import QNetwork, double_dqn_target, large_margin_loss
from auralnav.features import CueEncoder, Memory, feature_config, state_dim, state_vector
from auralnav.separation import RnnSeparator
from common.sysinfo import report, seconds
from configs.auralnav import get_params

SMALL = {"sep_kernel_size": 32, "sep_stride": 16, "sep_n_repeats": 2, "sep_bn_chan": 64, "sep_hid_size": 64}


def measure(name: str, overrides: dict, device: torch.device, repeats: int, batch: int) -> dict:
    params = get_params("1", **overrides, batch_size=batch, cue_source="separator")
    n = params.window
    out: dict = {"config": name, "device": str(device), "window_s": params.window_s, "fs": params.fs}
    separator = RnnSeparator(**params.separator_config()).to(device).eval()
    out["separator_params"] = sum(p.numel() for p in separator.parameters())
    for b in (1, 8):
        x = torch.randn(b, 2, n, device=device) * 0.1
        with torch.no_grad():
            s = seconds(lambda x=x: separator(x), repeats, device)
        out[f"separator_forward_batch{b}_s"] = round(s, 4)
        out[f"separator_realtime_factor_batch{b}"] = round(b * params.window_s / s, 1)
    rng = np.random.default_rng(0)
    audio = rng.uniform(-0.1, 0.1, (4, 2, n)).astype(np.float32)
    poses = np.tile(np.array([4, 4, 1, 0], np.float32), (4, 1))
    features = feature_config(params, separator.model_args())
    encoder, memory = CueEncoder(features, separator, device), Memory(4)
    q = QNetwork(state_dim(features), 4, params.dqn_hidden, features).to(device)
    target = QNetwork(state_dim(features), 4, params.dqn_hidden, features).to(device)

    def act():
        x = state_vector(memory.observe(encoder(audio), poses), features)
        with torch.no_grad():
            return q(torch.from_numpy(x).to(device)).argmax(1)

    out["act_4_envs_s"] = round(seconds(act, repeats, device), 4)
    optimizer = torch.optim.Adam(q.parameters(), lr=params.lr)
    states = torch.randn(batch, state_dim(features), device=device)
    actions, ret = torch.randint(0, 4, (batch,), device=device), torch.randn(batch, device=device)
    discount, demo = torch.full((batch,), params.gamma**3, device=device), torch.rand(batch, device=device) < 0.3

    def update():
        with torch.no_grad():
            y = double_dqn_target(ret, discount, q(states), target(states))
        q_all = q(states)
        loss = F.smooth_l1_loss(q_all.gather(1, actions[:, None]).squeeze(1), y) \
            + (large_margin_loss(q_all, actions, params.margin) * demo).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    out[f"update_batch{batch}_frozen_cached_s"] = round(seconds(update, repeats, device), 4)
    print(json.dumps(out), flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="the small separator only, 0.25 s windows, batch 4")
    ap.add_argument("--batch", type=int, default=64, help="transitions per update (full run)")
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
    report(summary, args.out)


if __name__ == "__main__":
    main()
