"""AuralNav environment speed: steps per second of our env (only the heard window simulated) against a
plain loop that simulates the whole clip every step, as the original did, in the same run.

    python3 benchmarks/bench_auralnav_env.py                 # tasks 1 (anechoic) and 2 (reverberant), 300 steps each
    python3 benchmarks/bench_auralnav_env.py --tasks 1 --steps 1000
    python3 benchmarks/bench_auralnav_env.py --quick         # task 999, a few steps: a smoke run

For each task: a random agent walks the env (resetting when an episode ends) and every step's
microphone positions and active sources are recorded; the reference then replays exactly those steps
the original's way (move the microphone array, ``room.simulate()`` over the whole looping clip with
pyroomacoustics' default settings, keep the first window). A second reference replays them with our
RIR settings (pyroomacoustics' RIR high-pass off, one thread) to separate the gain of simulating only
the window from the gain of those settings. Both references use the env's room (so with anechoic walls
image order 0, as ours). Then the env in SyncVectorEnv (4 copies) and
AsyncVectorEnv (2 processes). Single-env figures are 1 / the median step time over --repeats
interleaved runs; vector figures the best run. Prints a table and the machine; --out writes JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import nullcontext

import gymnasium as gym
import numpy as np

from auralnav.acoustics import build_room, rir_settings
from auralnav.agents import RandomAgent
from auralnav.env import make_env
from common.sysinfo import machine
from configs.auralnav import get_params


def run_env(params, steps: int, seed: int = 0) -> tuple[list[float], list]:
    """Seconds of each of ``steps`` env steps of a random agent (resets excluded) and the replay log."""
    env = make_env(params=params)
    agent = RandomAgent(seed)
    obs, info = env.reset(seed=seed)
    sim = env.unwrapped._sim
    log = [("reset", env.unwrapped.source_positions.copy(), list(sim.signals))]
    elapsed = []
    for _ in range(steps):
        action = agent.act(obs, info)
        t0 = time.perf_counter()
        obs, _, terminated, truncated, info = env.step(action)
        elapsed.append(time.perf_counter() - t0)
        log.append(("step", info["mic_positions"], ~info["source_found"]))
        if terminated or truncated:
            obs, info = env.reset()
            sim = env.unwrapped._sim
            log.append(("reset", env.unwrapped.source_positions.copy(), list(sim.signals)))
    env.close()
    return elapsed, log


def replay_whole_clip(params, log: list, our_settings: bool) -> list[float]:
    """Seconds of each logged step replayed simulating the whole clip (the original's way)."""
    elapsed, room, active = [], None, None
    lift = (lambda p, h: np.r_[p, h]) if params.is_3d else (lambda p, h: np.asarray(p))
    for kind, a, b in log:
        if kind == "reset":  # the original also rebuilt its room at reset; not timed, as for our env
            room = build_room(params)
            for p, s in zip(a, b, strict=True):
                room.add_source(lift(p, params.source_height), signal=s)
            active = np.ones(len(a), dtype=bool)
            continue
        mics, now_active = a, b
        t0 = time.perf_counter()
        for i in np.flatnonzero(active & ~now_active)[::-1]:  # switch off the sources found this step
            room.sources.pop(int(np.sum(active[:i])))
        active = now_active.copy()
        room.mic_array = None
        room.add_microphone_array(np.stack([lift(m, params.mic_height) for m in mics], axis=1))
        with rir_settings() if our_settings else nullcontext():
            if len(room.sources):
                room.simulate()
                _ = room.mic_array.signals[:, : params.window].astype(np.float32)
        elapsed.append(time.perf_counter() - t0)
    return elapsed


def run_vector(params, n_envs: int, steps: int, asynchronous: bool) -> float:
    """Env steps per second (all copies together) of a vector env, after a warm-up reset."""
    fns = [lambda: make_env(params=params) for _ in range(n_envs)]
    vec = gym.vector.AsyncVectorEnv(fns) if asynchronous else gym.vector.SyncVectorEnv(fns)
    vec.reset(seed=0)
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    for _ in range(steps):
        vec.step(rng.integers(4, size=n_envs))
    seconds = time.perf_counter() - t0
    vec.close()
    return n_envs * steps / seconds


def bench_task(task_id: str, steps: int, repeats: int) -> dict:
    """Steps per second from the median step time over ``repeats`` runs of each (medians shrug off the bursts
    of other jobs on a shared machine); vector envs: the best of ``repeats`` runs."""
    params = get_params(task_id)
    run_env(params, min(steps, 10))  # warm-up (imports, caches)
    ours, whole, whole_ours = [], [], []
    for _ in range(repeats):  # interleaved, so a slow spell of the machine hits all three alike
        times, log = run_env(params, steps)  # the same seed: the same steps every time
        ours += times
        whole += replay_whole_clip(params, log, our_settings=False)
        whole_ours += replay_whole_clip(params, log, our_settings=True)
    n = len(ours) // repeats
    ours, whole, whole_ours = (float(np.median(t)) for t in (ours, whole, whole_ours))
    sync = max(run_vector(params, 4, max(5, steps // 4), asynchronous=False) for _ in range(repeats))
    asyn = max(run_vector(params, 2, max(5, steps // 2), asynchronous=True) for _ in range(repeats))
    return {
        "task": task_id, "steps": n, "fs": params.fs, "window_s": params.window_s, "clip_s": params.clip_s,
        "num_sources": params.num_sources, "absorption": params.absorption, "max_order": params.max_order,
        "room": list(params.room_dim),
        "ours_steps_per_s": 1 / ours,
        "whole_clip_steps_per_s": 1 / whole,
        "whole_clip_our_rir_settings_steps_per_s": 1 / whole_ours,
        "speedup": whole / ours,
        "repeats": repeats,
        "sync_vector_4_steps_per_s": sync,
        "async_vector_2_steps_per_s": asyn,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", nargs="*", default=["1", "2"])
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=3, help="runs of each (median step time; vectors: best run)")
    ap.add_argument("--quick", action="store_true", help="task 999, 20 steps, one run")
    ap.add_argument("--out", help="also write the JSON summary here")
    args = ap.parse_args(argv)
    tasks, steps, repeats = (["999"], 20, 1) if args.quick else (args.tasks, args.steps, args.repeats)
    results = [bench_task(t, steps, repeats) for t in tasks]
    print(f"machine: {machine()}")
    print("| task | room | steps | ours (window only) | whole clip (original) | whole clip, our RIR settings | "
          "speed-up | Sync x4 | Async x2 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        room = f"{'x'.join(f'{d:g}' for d in r['room'])} abs {r['absorption']:g} order {r['max_order']}"
        print(f"| {r['task']} | {room} | {r['steps']} | {r['ours_steps_per_s']:.0f} steps/s | "
              f"{r['whole_clip_steps_per_s']:.0f} steps/s | {r['whole_clip_our_rir_settings_steps_per_s']:.0f} steps/s | "
              f"{r['speedup']:.1f}x | {r['sync_vector_4_steps_per_s']:.0f} steps/s | "
              f"{r['async_vector_2_steps_per_s']:.0f} steps/s |")
    summary = {"machine": machine(), "results": results}
    if args.out:
        from common.io import write_json

        write_json(args.out, summary)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
