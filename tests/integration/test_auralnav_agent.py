"""AuralNav agent quick_test end to end: pretrain a tiny separator, train the DQN, resume, evaluate the
checkpoint with its task inferred from it, next to the baselines."""

import json

import pytest

from common.run import read_metrics
from tests.script_runner import run_script

pytestmark = pytest.mark.slow


def test_pretrain_train_resume_evaluate(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    sep = tmp_path / "sep.pt"
    out = run_script("pretrain_separator.py", "999", "--out", str(sep), "--device", "cpu", "--set", f"run_dir={tmp_path}")
    report = json.loads(sep.with_suffix(".json").read_text())
    assert "SI-SDRi" in out and report["held_out"]["mixtures"] == 8 and report["steps"] == 20

    sets = ["--set", f"run_dir={tmp_path}", f"separator_checkpoint={sep}", "total_steps=120", "validation_every=60"]
    out = run_script("train_auralnav.py", "999", "t", "--device", "cpu", *sets)
    run = tmp_path / "999_t"
    for name in ("config.json", "last.pt", "best.pt", "episodes.csv", "metrics.jsonl", "learning_curve.png"):
        assert (run / name).is_file(), name
    assert list((run / "tensorboard").glob("events.out.tfevents.*"))
    records = read_metrics(run / "metrics.jsonl")
    assert [r["step"] for r in records if "val_success_rate" in r] == [60, 120]  # validations at 60, 120
    assert any("train_td_loss" in r for r in records)  # training lines every log_every
    assert "best validation success" in out

    resumed = run_script("train_auralnav.py", "999", "t", "--device", "cpu", *sets)
    assert "resumed from" in resumed

    # no task id: the checkpoint's own (999); the separator comes from the checkpoint
    out = run_script("evaluate_auralnav.py", "--agent", "random", str(run / "best.pt"), "--episodes", "2",
                     "--out", str(tmp_path / "eval"), "--set", f"run_dir={tmp_path}")
    assert "task 999, 100-step episodes" in out and "| 999_t_best | 2 |" in out
    result = json.loads((tmp_path / "eval" / "eval.json").read_text())
    assert result["task_id"] == "999" and result["agents"] == ["random", "999_t_best"]
    assert (tmp_path / "eval" / "trajectories.png").stat().st_size > 10_000
