"""One run lifecycle for every trainer: the run folder, its lock, the resolved config, resume, seeding.

    with open_run(run_root, params, task_id, job_id, fresh) as run:
        ... check the data (nothing is written yet) ...
        run.write_config()
        if run.last is not None:  # resume
            model.load_state_dict(run.last["state_dict"])

``open_run`` takes an advisory lock on ``{run_root}/{task}_{job}/`` (a second process with the same task
and job id is refused, naming the first), removes the temporaries a killed process left there, and
reads ``last.pt`` when it was written with the same parameters (a mismatch is an error that says what to
do). A folder the run created and never wrote to is removed again if the run fails before writing.

``MetricsLog`` is a run's evaluation log (``metrics.jsonl`` plus TensorBoard scalars); the HeaderNet heatmap
detector and header classifier trainers write theirs through it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from common.checkpoint import load_checkpoint
from common.io import FolderLock, atomic_write, remove_stale_temporaries, write_json
from configs.base import to_dict

MISMATCH_HINT = "use another job id, or --fresh to start over"


@dataclass
class Run:
    """An open run: ``dir`` (locked), ``config`` (the resolved parameters plus task and job id) and ``last``
    (the checkpoint to resume from, or None)."""

    dir: Path
    config: dict[str, Any]
    last: dict[str, Any] | None = None

    @property
    def last_path(self) -> Path:
        return self.dir / "last.pt"

    @property
    def best_path(self) -> Path:
        return self.dir / "best.pt"

    def resume(self, model: torch.nn.Module, optimizer: torch.optim.Optimizer, best_key: str, unit: str = "step",
               log=print) -> tuple[int, float, float]:
        """Load ``last`` (when there is one) into ``model`` and ``optimizer``; returns (the epoch or step it was
        saved at, wall seconds used so far, the best validation figure ``metrics[best_key]``), (0, 0.0, -1.0) for
        a fresh run. The checkpoint is the trainers' ``save_checkpoint`` with ``metrics["wall_s"]``."""
        if self.last is None:
            return 0, 0.0, -1.0
        model.load_state_dict(self.last["state_dict"])
        optimizer.load_state_dict(self.last["optimizer"])
        done, wall_used = int(self.last["epoch"]), float(self.last["metrics"]["wall_s"])
        log(f"continuing {self.dir} at {unit} {done} ({wall_used / 60:.1f} min used)")
        return done, wall_used, float(self.last["metrics"].get(best_key, -1.0))

    def save_best_and_last(self, save, score: float, best: float, metrics: dict[str, Any], best_key: str,
                           optimizer: torch.optim.Optimizer) -> float:
        """End of an evaluation: ``save(path, metrics=..., optimizer=...)`` to best.pt when ``score`` beats
        ``best``, and to last.pt (with the optimizer, to resume) always; both carry ``metrics`` plus
        ``{best_key: the best so far}``. Returns the best so far."""
        if score > best:  # ties keep the earlier one
            best = score
            save(self.best_path, metrics={**metrics, best_key: best}, optimizer=None)
        save(self.last_path, metrics={**metrics, best_key: best}, optimizer=optimizer)
        return best

    def write_config(self) -> Path:
        """``config.json``: what produced this folder. Call it once the inputs are known to be good."""
        return write_json(self.dir / "config.json", self.config)


def run_config(params: Any, task_id: str, job_id: str, **extra: Any) -> dict[str, Any]:
    """The dict stored in config.json and in every checkpoint of a run."""
    return to_dict(params) | {"task_id": str(task_id), "job_id": str(job_id)} | extra


def check_resumable(ckpt: dict[str, Any], path: Path, config: dict[str, Any]) -> None:
    """Raise ValueError unless ``ckpt`` was written by a run of exactly ``config``."""
    if not isinstance(ckpt, dict) or "config" not in ckpt or "state_dict" not in ckpt:
        raise ValueError(f"{path} is not a training checkpoint of this project (no config/state_dict); {MISMATCH_HINT}")
    if ckpt["config"] != config:
        changed = sorted(k for k in set(config) | set(ckpt["config"]) if config.get(k) != ckpt["config"].get(k))
        raise ValueError(f"{path} was written with other parameters (differing: {', '.join(changed)}); {MISMATCH_HINT}")


@contextmanager
def open_run(run_root: str | Path, params: Any, task_id: str, job_id: str, fresh: bool = False,
             device: str | torch.device = "cpu", lock: bool = True, **extra: Any) -> Iterator[Run]:
    """Open ``{run_root}/{task_id}_{job_id}`` for one training process; see the module docstring.

    ``extra`` entries are added to the config (e.g. which separator an agent was trained with)."""
    run_dir = Path(run_root) / f"{task_id}_{job_id}"
    created = not run_dir.exists()
    run_dir.mkdir(parents=True, exist_ok=True)
    folder_lock = FolderLock(run_dir, what=f"run {task_id}_{job_id}") if lock else None
    try:
        if folder_lock is not None:
            folder_lock.acquire()
            remove_stale_temporaries(run_dir)
        run = Run(run_dir, run_config(params, task_id, job_id, **extra))
        if run.last_path.exists() and not fresh:
            run.last = load_checkpoint(run.last_path, device)
            check_resumable(run.last, run.last_path, run.config)
        yield run
    except BaseException:
        if folder_lock is not None:
            folder_lock.release()
            folder_lock = None
        if created and run_dir.is_dir() and not any(run_dir.iterdir()):
            run_dir.rmdir()  # a failed start leaves no empty run folder behind
        raise
    finally:
        if folder_lock is not None:
            folder_lock.release()


def read_metrics(path: str | Path, key: str = "step", up_to: int | None = None) -> list[dict[str, Any]]:
    """The records of a metrics.jsonl, those whose ``key`` is at most ``up_to`` (a resumed run rewrites what
    followed its checkpoint). A line that is not JSON is a ValueError naming the file and line."""
    path = Path(path)
    if not path.is_file():
        return []
    records = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                raise ValueError(f"{path} line {n} is not a JSON record; move the file away to start the log over") from None
    return [r for r in records if up_to is None or r[key] <= up_to]


class MetricsLog:
    """A run's evaluation log: ``metrics.jsonl`` (one JSON object per evaluation, the whole file rewritten
    atomically, so a killed run never leaves half a line) and the same numbers as TensorBoard scalars
    (``tensorboard/``, tags ``train/...``, ``val/...`` from keys ``train_...``, ``val_...``), at ``record[key]``.

        log = MetricsLog(run.dir, key="epoch", up_to=resumed_epoch)
        log.append({"epoch": 3, "step": 120, "wall_s": 61.2, "train_loss": 0.4, "val_auc": 0.93})
    """

    def __init__(self, run_dir: str | Path, key: str = "step", up_to: int | None = None, tensorboard: bool = True,
                 backfill: list[dict[str, Any]] | None = None):
        """``backfill``: the resumed checkpoint's own lines so far; they replace the file's when it holds fewer
        (a run folder from before metrics.jsonl), and are written at once."""
        self.path, self.key = Path(run_dir) / "metrics.jsonl", key
        self.records = read_metrics(self.path, key, up_to)
        if backfill is not None and len(self.records) < len(backfill):
            self.records = list(backfill)
            self._write()
        self.writer = None
        if tensorboard:
            from torch.utils.tensorboard import SummaryWriter

            self.writer = SummaryWriter(str(Path(run_dir) / "tensorboard"))

    def _write(self) -> None:
        """``records`` to metrics.jsonl, atomically."""
        text = "".join(json.dumps(r) + "\n" for r in self.records).encode()
        atomic_write(self.path, lambda f: f.write(text))

    def append(self, record: dict[str, Any]) -> None:
        self.records.append(record)
        self._write()
        if self.writer is not None:
            for name, value in record.items():
                if name != self.key and isinstance(value, (int, float)) and not isinstance(value, bool):
                    prefix, _, rest = name.partition("_")
                    tag = f"{prefix}/{rest}" if prefix in ("train", "val") and rest else f"run/{name}"
                    self.writer.add_scalar(tag, value, int(record.get("step", record[self.key])))
            self.writer.flush()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python's, NumPy's and torch's global generators; returns a torch.Generator for data order."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)
