"""DOAnet's data side, task 999, through the scripts: synthesise, augment, extract, load."""

import subprocess
import sys

import numpy as np

from configs.doanet import get_params
from doanet.data import make_loader
from tests.script_runner import ROOT
from tests.script_runner import run_script as run


def test_quick_data_pipeline(tmp_path):
    sets = [f"dataset_dir={tmp_path}/tau", f"feat_label_dir={tmp_path}/feat"]
    run("make_synthetic_tau.py", "999", "--set", *sets)
    out = run("augment_files.py", "999", "--out", str(tmp_path / "aug"), "--set", *sets)
    assert "4 augmented ov2 recordings" in out  # one ov1 pair (mix001, mix003) in each of the 4 training folds
    for dataset in ("foa", "mic"):
        out = run("batch_feature_extraction.py", "999", "--set", *sets, f"dataset={dataset}")
        assert "normalised feature files" in out
        params = get_params("999", dataset=dataset, dataset_dir=f"{tmp_path}/tau", feat_label_dir=f"{tmp_path}/feat")
        batch = next(iter(make_loader(params, "train")))
        channels = 7 if dataset == "foa" else 10
        assert tuple(batch["features"].shape) == (4, channels, 100, 64)
        assert tuple(batch["labels"].shape) == (4, 20, 8)
        assert np.isfinite(batch["features"].numpy()).all()
        png = tmp_path / f"{dataset}.png"
        run("plot_doanet_features.py", "999", "--set", *sets, f"dataset={dataset}", "--out", str(png))
        assert png.stat().st_size > 20_000


def test_cli_errors(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "batch_feature_extraction.py"), "999", "--set",
                             f"dataset_dir={tmp_path}/none"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 2 and "make_synthetic_tau.py 999" in result.stderr
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_synthetic_tau.py"), "77"],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 2 and "unknown task id '77'" in result.stderr
