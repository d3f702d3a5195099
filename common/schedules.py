"""Learning-rate schedules as pure functions of the optimiser step."""

from __future__ import annotations

import math


def learning_rate(step: int, total_steps: int, warmup_steps: int, lr: float, schedule: str = "cosine",
                  lr_min_ratio: float = 0.0) -> float:
    """Learning rate at optimiser step ``step``.

    'constant': ``lr`` throughout. 'cosine': 1) linear warm-up to ``lr`` over ``warmup_steps``, 2) cosine
    decay to ``lr_min_ratio * lr`` at ``total_steps`` (and flat after it).
    """
    if schedule == "constant":
        return lr
    if schedule != "cosine":
        raise ValueError(f"schedule must be 'constant' or 'cosine', got {schedule!r}")
    if step < warmup_steps:
        return lr * (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    floor = lr * lr_min_ratio
    return floor + 0.5 * (lr - floor) * (1.0 + math.cos(math.pi * progress))
