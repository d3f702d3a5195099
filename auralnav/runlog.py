"""Logging of an agent's training run: the one run log (``common.run.MetricsLog``: metrics.jsonl and
TensorBoard scalars), episodes.csv (every training episode, flushed per row) and the learning curve.

Lines of metrics.jsonl (TensorBoard tags ``train/...``, ``val/...``, at ``step``, the transition count):

* every ``log_every`` transitions: ``train_td_loss``, ``train_margin_loss``, ``train_q_mean`` (means since
  the last line), ``train_success_rate``, ``train_episodic_return``, ``train_episode_length`` (the learner's
  own episodes finished since the last line, not the demonstrator's; raw rewards), ``train_epsilon``,
  ``train_transitions_per_second``;
* every ``validation_every``: ``val_success_rate``, ``val_mean_steps_to_success``, ``val_mean_return``,
  ``val_mean_found_fraction`` (greedy validation episodes);

each with ``step`` and ``wall_s``.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from common.plots import plot_curves
from common.run import MetricsLog

VAL_KEYS = ("success_rate", "mean_steps_to_success", "mean_return", "mean_found_fraction")


class CsvLog:
    """Rows appended to a CSV file (header written once), flushed per row so a killed run keeps its log."""

    def __init__(self, path: Path, header: list[str]):
        new = not path.exists()
        self.f = path.open("a", newline="")
        self.w = csv.writer(self.f)
        if new:
            self.w.writerow(header)

    def write(self, row: list[Any]) -> None:
        self.w.writerow(row)
        self.f.flush()

    def close(self) -> None:
        self.f.close()


def validation_record(entry: dict[str, Any]) -> dict[str, Any]:
    """A validation entry of a run's ``history`` ({"step", summary keys, "time_s"}) as a metrics.jsonl line."""
    return {"step": entry["step"], "wall_s": entry["time_s"], **{f"val_{k}": entry[k] for k in VAL_KEYS}}


class RunLog:
    """metrics.jsonl + TensorBoard (``common.run.MetricsLog``) and episodes.csv in a run folder.

    Args:
        run_dir: the run folder.
        hparams: shown as a table in TensorBoard's text tab.
        up_to: the transition count of the checkpoint a resumed run continues from (later lines are dropped).
        history: that checkpoint's validation entries, to rebuild metrics.jsonl in a folder that predates it.
    """

    def __init__(self, run_dir: Path, hparams: dict[str, Any] | None = None, up_to: int | None = None,
                 history: list[dict[str, Any]] | None = None):
        # backfill: a run folder from before metrics.jsonl (it had validation.csv) gets its validations so far
        self.metrics = MetricsLog(run_dir, key="step", up_to=up_to,
                                  backfill=[validation_record(h) for h in history or []])
        if hparams:
            table = "\n".join(f"|{k}|{v}|" for k, v in hparams.items())
            self.metrics.writer.add_text("hyperparameters", f"|param|value|\n|-|-|\n{table}")
        self.episodes = CsvLog(run_dir / "episodes.csv", ["step", "return", "length", "success", "demo"])
        self._finished: list[tuple[float, int, bool]] = []  # the learner's episodes since the last train line

    def episode(self, step: int, ret: float, length: int, success: bool, demo: bool) -> None:
        self.episodes.write([step, round(ret, 3), length, int(success), int(demo)])
        if not demo:
            self._finished.append((ret, length, success))

    def train(self, step: int, wall_s: float, values: dict[str, float]) -> None:
        """A training line: ``values`` (keys without the ``train_`` prefix) and the episodes since the last one."""
        record = {"step": step, "wall_s": round(wall_s, 1), **{f"train_{k}": float(v) for k, v in values.items()}}
        if self._finished:
            rets, lengths, wins = zip(*self._finished, strict=True)
            record |= {"train_success_rate": sum(wins) / len(wins), "train_episodic_return": sum(rets) / len(rets),
                       "train_episode_length": sum(lengths) / len(lengths)}
            self._finished = []
        self.metrics.append(record)

    def validated(self, entry: dict[str, Any]) -> None:
        """A validation line from the history entry {"step", summary keys, "time_s"}."""
        self.metrics.append(validation_record(entry))

    def close(self) -> None:
        self.metrics.close()
        self.episodes.close()


def plot_learning_curve(records: list[dict[str, Any]], out: Path, title: str = "") -> Path:
    """The run's curves from its metrics.jsonl records: success (greedy validation, and the learner's own
    training episodes), validation steps to success, and the TD loss, against transitions."""
    return plot_curves(records, out, x="step", x_label="transitions", title=title, panels=[
        {"title": "success rate", "series": [("val_success_rate", "validation, greedy"),
                                             ("train_success_rate", "training episodes")], "ylim": (-0.02, 1.02)},
        {"title": "validation: mean steps to success", "series": [("val_mean_steps_to_success", "")]},
        {"title": "TD loss", "series": [("train_td_loss", "")], "yscale": "log"},
    ])
