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
