import itertools
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from common.checkpoint import load_checkpoint
from common.run import read_metrics
from configs.hnet import get_params
from hnet.data import generate_dataset
from hnet.train import hnet_losses, learning_rate, train


@pytest.mark.parametrize("schedule", ["constant", "cosine"])
def test_learning_rate_schedule(schedule):
    p = get_params("1", lr_schedule=schedule, lr=1e-3, lr_min_ratio=0.01)
    lrs = [learning_rate(s, 1000, 100, p) for s in range(1001)]
    if schedule == "constant":
        assert set(lrs) == {1e-3}
        return
    assert lrs[0] == pytest.approx(1e-5) and lrs[99] == pytest.approx(1e-3)  # linear warm-up
    assert all(a <= b for a, b in itertools.pairwise(lrs[:100]))
    assert all(a >= b for a, b in itertools.pairwise(lrs[99:]))  # then monotone decay
    assert lrs[1000] == pytest.approx(1e-5) and lrs[550] == pytest.approx(0.5 * (1e-3 + 1e-5))


def test_losses_are_the_three_summed_bces():
    torch.manual_seed(0)
    outputs = (torch.randn(4, 4), torch.randn(4, 2), torch.randn(4, 2))
    assoc = torch.tensor([[[1.0, 0.0], [0.0, 0.0]]] * 4)
    losses = hnet_losses(outputs, assoc)
    expected = [
        F.binary_cross_entropy(torch.sigmoid(outputs[0]), assoc.flatten(1), reduction="sum"),
        F.binary_cross_entropy(torch.sigmoid(outputs[1]), torch.tensor([[1.0, 0.0]] * 4), reduction="sum"),
        F.binary_cross_entropy(torch.sigmoid(outputs[2]), torch.tensor([[1.0, 0.0]] * 4), reduction="sum"),
    ]
    torch.testing.assert_close(losses, torch.stack(expected), rtol=1e-5, atol=1e-5)


def test_missing_data_names_the_generate_command(tiny_hnet_params):
    with pytest.raises(FileNotFoundError, match="generate_hnet_data.py 999"):
        train(tiny_hnet_params, task_id="999", device="cpu", log=lambda *_: None)


def test_data_of_other_parameters_is_refused(tiny_hnet_params):
    generate_dataset(tiny_hnet_params, seed=3, log=lambda *_: None)
    with pytest.raises(ValueError, match="--force"):
        train(tiny_hnet_params, task_id="999", device="cpu", log=lambda *_: None)


def test_interrupted_run_resumes_to_the_same_weights(tiny_hnet_params, tmp_path):
    p = tiny_hnet_params
    generate_dataset(p, log=lambda *_: None)
    full = train(p, task_id="999", job_id="full", device="cpu", log=lambda *_: None)

    class Interrupt(Exception):
        pass

    def stop_after_first_epoch(line):
        if line.startswith("epoch    1/"):
            raise Interrupt

    with pytest.raises(Interrupt):
        train(p, task_id="999", job_id="cut", device="cpu", log=stop_after_first_epoch)
    lines = []
    resumed = train(p, task_id="999", job_id="cut", device="cpu", log=lines.append)
    assert any("resumed from" in line and "at epoch 1" in line for line in lines)
    a = load_checkpoint(f"{p.run_dir}/999_full/last.pt")["state_dict"]
    b = load_checkpoint(f"{p.run_dir}/999_cut/last.pt")["state_dict"]
    for k in a:
        torch.testing.assert_close(a[k], b[k])
    assert resumed["test"]["exact_acc"] == full["test"]["exact_acc"]
    history = read_metrics(f"{p.run_dir}/999_cut/metrics.jsonl")
    assert [h["epoch"] for h in history] == [1, 2]  # the interrupted epoch's line was not kept twice
    assert {"step", "wall_s", "train_loss", "val_loss", "val_exact_acc"} <= set(history[0])


def test_a_run_folder_from_before_metrics_jsonl_resumes_with_its_curves(tiny_hnet_params):
    """Old checkpoints kept per-head loss lists and ``elapsed_s`` in their history and no metrics.jsonl."""
    from hnet.train import _as_record, plot_run_curves

    old = {"epoch": 1, "train_loss": [0.1, 0.2, 0.3], "val_loss": [0.2, 0.2, 0.2], "val_exact_acc": 0.9,
           "val_pos_f1": 0.95, "elapsed_s": 12.5}
    record = _as_record(old)
    assert record["train_loss"] == pytest.approx(0.6) and record["wall_s"] == 12.5
    assert record["train_loss_heads"] == [0.1, 0.2, 0.3] and _as_record(record) == record
    out = plot_run_curves([record, {**record, "epoch": 2}], Path(tiny_hnet_params.run_dir) / "c.png", 0.99)
    assert out.stat().st_size > 1000


def test_resume_with_other_parameters_is_refused(tiny_hnet_params):
    generate_dataset(tiny_hnet_params, log=lambda *_: None)
    train(tiny_hnet_params, task_id="999", device="cpu", log=lambda *_: None)
    changed = get_params("999", **{**tiny_hnet_params.__dict__, "lr": 5e-4})
    with pytest.raises(ValueError, match="other parameters.*use another job id, or --fresh"):
        train(changed, task_id="999", device="cpu", log=lambda *_: None)
