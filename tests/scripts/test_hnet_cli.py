"""Command-line behaviour of the HNet scripts: help, and clear errors on bad input."""

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from common.checkpoint import save_checkpoint
from hnet.model import HNetGRU

ROOT = Path(__file__).resolve().parents[2]


def run(script, *args, cwd=None):
    return subprocess.run([sys.executable, str(ROOT / "scripts" / script), *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300)


@pytest.mark.parametrize("script", ["generate_hnet_data.py", "train_hnet.py", "evaluate_hnet.py", "visualize_hnet.py"])
def test_help(script):
    result = run(script, "--help")
    assert result.returncode == 0 and "usage:" in result.stdout


def test_unknown_task_id_lists_known_ids():
    result = run("train_hnet.py", "77")
    assert result.returncode == 2
    assert "unknown task id '77'" in result.stderr and "'999'" in result.stderr


def test_mistyped_override():
    result = run("generate_hnet_data.py", "999", "--set", "max_doas=two", "--out", "/nonexistent")
    assert result.returncode == 2 and "max_doas" in result.stderr


def test_train_without_data_names_the_generate_command(tmp_path):
    result = run("train_hnet.py", "999", "--set", f"data_dir={tmp_path}/none", f"run_dir={tmp_path}/runs")
    assert result.returncode == 2
    assert "python3 scripts/generate_hnet_data.py 999" in result.stderr


def test_evaluate_wrong_max_doas(tmp_path):
    save_checkpoint(tmp_path / "m3.pt", HNetGRU(max_len=3), config={"task_id": "3"}, epoch=0)
    result = run("evaluate_hnet.py", "1", "--checkpoint", str(tmp_path / "m3.pt"))
    assert result.returncode == 2
    assert "max_doas=2" in result.stderr and "max_doas=3" in result.stderr


def test_evaluate_missing_checkpoint(tmp_path):
    result = run("evaluate_hnet.py", "--checkpoint", str(tmp_path / "none.pt"))
    assert result.returncode == 2 and "none.pt does not exist" in result.stderr


def test_evaluate_reads_a_bare_state_dict(tmp_path):
    torch.save(HNetGRU().state_dict(), tmp_path / "sd.pt")
    result = run("evaluate_hnet.py", "--quick", "--checkpoint", str(tmp_path / "sd.pt"))
    assert result.returncode == 0, result.stderr
    assert '"exact_acc"' in result.stdout
