"""A one-line description of the machine a measurement ran on (benchmarks print it with their figures)."""

from __future__ import annotations

import os
import platform


def machine() -> str:
    """CPU model, core count, GPU, torch version and threads, e.g. for benchmarks/RESULTS.md."""
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return f"{cpu}, {os.cpu_count()} cores, {gpu}, torch {torch.__version__}, threads {torch.get_num_threads()}"


def seconds(fn, repeats: int = 3, device=None, reduce: str = "median") -> float:
    """Time ``fn()`` over ``repeats`` calls after one warm-up call: the median (or 'min') in seconds.
    With a CUDA ``device`` the GPU is synchronised around each call."""
    import statistics
    import time

    def sync() -> None:
        if device is not None and getattr(device, "type", str(device)).startswith("cuda"):
            import torch

            torch.cuda.synchronize()

    fn()
    times = []
    for _ in range(repeats):
        sync()
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return min(times) if reduce == "min" else statistics.median(times)


def report(summary: dict, out: str | None) -> None:
    """Print a benchmark's JSON summary, and write it to ``out`` when given."""
    import json

    from common.io import write_json

    print(json.dumps(summary, indent=2))
    if out:
        write_json(out, summary)
