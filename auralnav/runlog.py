"""Logging of an agent's training run: CSV files (flushed per row), TensorBoard scalars and the learning curve.

Metric keys (TensorBoard tags; the CSV files hold the same numbers):

* ``charts/episodic_return``, ``charts/episode_length``, ``charts/success``: each finished training
  episode (raw environment rewards, unscaled and unshaped), at the transition count it ended.
* ``charts/epsilon``, ``charts/transitions_per_second``; ``losses/td_loss``, ``losses/margin_loss``,
  ``losses/q_mean``: means since the last log line.
* ``val/success_rate``, ``val/mean_steps_to_success``, ``val/mean_return``: greedy validation episodes.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any


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


class RunLog:
    """episodes.csv, validation.csv and TensorBoard events in a run folder."""

    VAL_KEYS = ("success_rate", "mean_steps_to_success", "mean_return", "mean_found_fraction")

    def __init__(self, run_dir: Path, hparams: dict[str, Any] | None = None):
        from torch.utils.tensorboard import SummaryWriter

        self.writer = SummaryWriter(str(run_dir / "tensorboard"))
        if hparams:
            table = "\n".join(f"|{k}|{v}|" for k, v in hparams.items())
            self.writer.add_text("hyperparameters", f"|param|value|\n|-|-|\n{table}")
        self.episodes = CsvLog(run_dir / "episodes.csv", ["step", "return", "length", "success", "demo"])
        self.validation = CsvLog(run_dir / "validation.csv", ["step", *self.VAL_KEYS, "time_s"])

    def episode(self, step: int, ret: float, length: int, success: bool, demo: bool) -> None:
        self.episodes.write([step, round(ret, 3), length, int(success), int(demo)])
        if not demo:
            self.writer.add_scalar("charts/episodic_return", ret, step)
            self.writer.add_scalar("charts/episode_length", length, step)
            self.writer.add_scalar("charts/success", float(success), step)

    def scalars(self, step: int, values: dict[str, float]) -> None:
        for tag, value in values.items():
            self.writer.add_scalar(tag, value, step)

    def validated(self, step: int, summary: dict[str, Any], time_s: float) -> None:
        self.validation.write([step, *(summary[k] for k in self.VAL_KEYS), round(time_s, 1)])
        self.scalars(step, {f"val/{k}": summary[k] for k in self.VAL_KEYS if summary[k] is not None})

    def close(self) -> None:
        self.writer.close()
        self.episodes.close()
        self.validation.close()


def plot_learning_curve(history: list[dict[str, Any]], episodes_csv: Path, out: Path, title: str = "",
                        reference: dict[str, dict] | None = None) -> Path:
    """Validation success and steps to success against transitions, with the training episodes' success
    (a moving average over 50 episodes, the learner's own, not the demonstrator's) and optional reference
    lines ``{name: summary}`` (e.g. the hand-coded agent's)."""
    import numpy as np

    from common.plots import pyplot, save_figure

    plt = pyplot()
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 6.5), sharex=True)
    steps = [h["step"] for h in history]
    ax1.plot(steps, [h["success_rate"] for h in history], "o-", label="validation, greedy")
    if episodes_csv.exists():
        rows = list(csv.DictReader(episodes_csv.open()))
        rows = [r for r in rows if r["demo"] == "0"]
        if len(rows) >= 10:
            k = min(50, len(rows))
            wins = np.convolve([float(r["success"]) for r in rows], np.ones(k) / k, mode="valid")
            ax1.plot([int(r["step"]) for r in rows][k - 1:], wins, "-", alpha=0.6,
                     label=f"training episodes ({k}-episode mean)")
    ax2.plot(steps, [h["mean_steps_to_success"] if h["mean_steps_to_success"] is not None else np.nan for h in history],
             "o-", label="validation, greedy")
    for name, s in (reference or {}).items():
        ax1.axhline(s["success_rate"], ls="--", lw=1, color="0.4")
        ax1.annotate(name, (0, s["success_rate"]), fontsize=8, color="0.3")
        if s.get("mean_steps_to_success") is not None:
            ax2.axhline(s["mean_steps_to_success"], ls="--", lw=1, color="0.4")
            ax2.annotate(name, (0, s["mean_steps_to_success"]), fontsize=8, color="0.3")
    ax1.set_ylabel("success rate"), ax1.set_ylim(-0.02, 1.02), ax1.legend(fontsize=8, loc="lower right")
    ax2.set_ylabel("mean steps to success"), ax2.set_xlabel("transitions")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, out)
