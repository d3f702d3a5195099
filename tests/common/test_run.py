"""The run lifecycle shared by every trainer: lock, config, resume check, clean failure, seeding."""

import itertools
import os
import subprocess
import sys
from dataclasses import dataclass

import pytest
import torch

from common.checkpoint import save_checkpoint
from common.io import FolderInUseError
from common.run import MetricsLog, open_run, read_metrics, run_config, seed_everything
from common.schedules import learning_rate


@dataclass(frozen=True)
class Params:
    lr: float = 1e-3
    name: str = "a"


class Tiny(torch.nn.Linear):
    def model_args(self):
        return {"in_features": 2, "out_features": 1}


def test_a_fresh_run_has_no_checkpoint_and_writes_its_config_on_request(tmp_path):
    with open_run(tmp_path, Params(), "1", "j") as run:
        assert run.last is None and run.dir == tmp_path / "1_j"
        assert not (run.dir / "config.json").exists()  # nothing written before the inputs are checked
        run.write_config()
    assert (tmp_path / "1_j" / "config.json").is_file()
    assert not (tmp_path / "1_j" / ".lock").exists()  # released


def test_resume_reads_last_checkpoint_and_refuses_other_parameters(tmp_path):
    config = run_config(Params(), "1", "j")
    save_checkpoint(tmp_path / "1_j" / "last.pt", Tiny(2, 1), config=config, epoch=3)
    with open_run(tmp_path, Params(), "1", "j") as run:
        assert run.last["epoch"] == 3
    with open_run(tmp_path, Params(), "1", "j", fresh=True) as run:
        assert run.last is None
    with pytest.raises(ValueError, match=r"other parameters \(differing: lr\).*another job id, or --fresh"):
        with open_run(tmp_path, Params(lr=0.1), "1", "j"):
            pass


def test_a_foreign_last_checkpoint_is_a_clear_error(tmp_path):
    (tmp_path / "1_j").mkdir()
    torch.save({"weights": torch.zeros(1)}, tmp_path / "1_j" / "last.pt")
    with pytest.raises(ValueError, match="not a training checkpoint of this project"):
        with open_run(tmp_path, Params(), "1", "j"):
            pass


def test_a_failed_start_leaves_no_run_folder(tmp_path):
    with pytest.raises(RuntimeError, match="data missing"):
        with open_run(tmp_path, Params(), "1", "j"):
            raise RuntimeError("data missing")
    assert not (tmp_path / "1_j").exists()


def test_a_second_process_is_refused_while_the_first_lives_and_a_dead_owner_is_taken_over(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / "1_j").mkdir()
        (tmp_path / "1_j" / ".lock").write_text(f"{holder.pid}\n")
        with pytest.raises(FolderInUseError, match=f"in use by process {holder.pid}"):
            with open_run(tmp_path, Params(), "1", "j"):
                pass
        assert (tmp_path / "1_j" / ".lock").read_text().strip() == str(holder.pid)  # not stolen
    finally:
        holder.kill()
        holder.wait()
    with open_run(tmp_path, Params(), "1", "j") as run:  # the owner is gone: taken over
        assert (run.dir / ".lock").read_text().strip() == str(os.getpid())


def test_stale_temporaries_of_a_killed_writer_are_removed(tmp_path):
    run_dir = tmp_path / "1_j"
    run_dir.mkdir()
    stale = [run_dir / ".last.pt.abc123.tmp", run_dir / ".curves.tmp.png"]
    for p in stale:
        p.write_bytes(b"half")
    keep = run_dir / "history.jsonl"
    keep.write_text("{}\n")
    with open_run(tmp_path, Params(), "1", "j"):
        assert not any(p.exists() for p in stale) and keep.exists()


def test_seed_everything_makes_torch_draws_repeat():
    seed_everything(3)
    a = torch.rand(3)
    seed_everything(3)
    assert torch.equal(a, torch.rand(3))


@pytest.mark.parametrize("schedule", ["constant", "cosine"])
def test_learning_rate_schedule_shapes(schedule):
    lrs = [learning_rate(s, 100, 10, 1e-3, schedule, 0.1) for s in range(101)]
    if schedule == "constant":
        assert set(lrs) == {1e-3}
    else:
        assert lrs[0] == pytest.approx(1e-4) and lrs[9] == pytest.approx(1e-3)  # linear warm-up
        assert all(a >= b for a, b in itertools.pairwise(lrs[10:]))  # then monotone decay
        assert lrs[100] == pytest.approx(1e-4)  # to the floor
    with pytest.raises(ValueError, match="schedule"):
        learning_rate(0, 10, 0, 1e-3, "step")


def test_metrics_log_writes_jsonl_and_tensorboard_and_a_resume_drops_what_followed(tmp_path):
    log = MetricsLog(tmp_path, key="epoch")
    for e in (1, 2, 3):
        log.append({"epoch": e, "step": 10 * e, "train_loss": 1.0 / e, "val_auc": 0.5 + e / 10, "note": "x"})
    log.close()
    assert [r["epoch"] for r in read_metrics(tmp_path / "metrics.jsonl", "epoch")] == [1, 2, 3]
    assert any((tmp_path / "tensorboard").iterdir())
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(tmp_path / "tensorboard"))
    events.Reload()
    assert {"train/loss", "val/auc"} <= set(events.Tags()["scalars"])
    assert [e.step for e in events.Scalars("val/auc")] == [10, 20, 30]
    resumed = MetricsLog(tmp_path, key="epoch", up_to=2, tensorboard=False)  # the checkpoint was at epoch 2
    resumed.append({"epoch": 3, "step": 30, "train_loss": 0.2})
    assert [r["train_loss"] for r in read_metrics(tmp_path / "metrics.jsonl", "epoch")] == [1.0, 0.5, 0.2]


def test_a_damaged_metrics_file_is_named(tmp_path):
    (tmp_path / "metrics.jsonl").write_text('{"step": 1}\n{"step": 2, "trunc\n')
    with pytest.raises(ValueError, match="metrics.jsonl line 2"):
        read_metrics(tmp_path / "metrics.jsonl")


def test_save_best_and_last_keeps_the_best_and_always_the_last(tmp_path):
    from common.run import Run

    run, saved = Run(tmp_path, {}), []

    def save(path, metrics, optimizer):
        saved.append((path.name, metrics["best"], optimizer))

    best = -1.0
    for score in (0.5, 0.4, 0.5, 0.7):  # a tie keeps the earlier best
        best = run.save_best_and_last(save, score, best, {"score": score}, "best", optimizer="opt")
    assert best == 0.7
    assert saved == [("best.pt", 0.5, None), ("last.pt", 0.5, "opt"), ("last.pt", 0.5, "opt"), ("last.pt", 0.5, "opt"),
                     ("best.pt", 0.7, None), ("last.pt", 0.7, "opt")]


def test_metrics_log_backfills_a_folder_from_before_it_and_keeps_a_longer_file(tmp_path):
    old = [{"epoch": 1, "step": 10, "train_loss": 0.5}, {"epoch": 2, "step": 20, "train_loss": 0.4}]
    log = MetricsLog(tmp_path, key="epoch", up_to=2, tensorboard=False, backfill=old)
    assert log.records == old and read_metrics(tmp_path / "metrics.jsonl") == old  # written at once
    log.append({"epoch": 3, "step": 30, "train_loss": 0.3})
    again = MetricsLog(tmp_path, key="epoch", up_to=3, tensorboard=False, backfill=old)
    assert [r["epoch"] for r in again.records] == [1, 2, 3]  # the file holds more than the backfill: kept
