"""DOAnet quick_test end to end: synthetic data, features, 2 short epochs, test metrics; resume."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from common.run import read_metrics
from configs.doanet import get_params
from doanet.extraction import batch_feature_extraction
from doanet.synth import generate_dataset
from doanet.train import train

ROOT = Path(__file__).resolve().parents[2]
QUIET = {"log": lambda *_: None}


@pytest.fixture(scope="module")
def quick_data(tmp_path_factory):
    base = tmp_path_factory.mktemp("doanet")
    params = get_params("999", dataset_dir=str(base / "tau"), feat_label_dir=str(base / "feat"),
                        model_dir=str(base / "models"), run_dir=str(base / "runs"))
    generate_dataset(params, **QUIET)
    batch_feature_extraction(params, **QUIET)
    return params


@pytest.mark.parametrize(("overrides", "has_activity"), [({}, True), ({"use_dmot_only": True}, False),
                                                         ({"use_hnet": False}, False),
                                                         ({"use_hnet": False, "baseline": "pit"}, False),
                                                         ({"mixed_precision": "bf16"}, True)])
def test_every_objective_trains_and_reports(quick_data, overrides, has_activity):
    params = get_params("999", **{**quick_data.__dict__, **overrides, "nb_epochs": 1})
    metrics = train(params, "999", "t" + "_".join(f"{k}{v}" for k, v in overrides.items()), "cpu", **QUIET)
    for split in ("val", "test"):
        assert set(metrics[split]["original"]) == {"LE", "MOTA", "IDS", "LR", "LP", "LF"}
        assert {"MOTA", "MOTP", "IDSW", "recall", "precision", "F"} <= set(metrics[split]["clear_mot"])
    if not has_activity:  # without an activity head every slot counts, so LR is trivially 100 (as the original)
        assert metrics["test"]["original"]["LR"] == 100.0


def test_training_script_runs_and_resumes(quick_data):
    sets = [f"{k}={v}" for k, v in (("dataset_dir", quick_data.dataset_dir), ("feat_label_dir", quick_data.feat_label_dir),
                                    ("model_dir", quick_data.model_dir), ("run_dir", quick_data.run_dir))]
    cmd = [sys.executable, str(ROOT / "scripts" / "train_doanet.py"), "999", "cli", "--device", "cpu", "--set", *sets]
    first = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert first.returncode == 0, first.stderr[-2000:]
    out = Path(quick_data.model_dir)
    for suffix in ("model.pt", "metrics.json", "curves.png"):
        assert (out / f"999_cli_foa_dev_split1_{suffix}").is_file()
    assert list((Path(quick_data.run_dir) / "999_cli" / "tensorboard").glob("events.out.tfevents.*"))
    records = read_metrics(Path(quick_data.run_dir) / "999_cli" / "metrics.jsonl", key="epoch")
    assert [r["epoch"] for r in records] == [1, 2]  # one line per epoch, the keys every trainer uses
    assert {"step", "wall_s", "train_loss", "val_loss", "val_LE", "val_clear_mot_MOTA"} <= set(records[0])
    metrics = json.loads((out / "999_cli_foa_dev_split1_metrics.json").read_text())
    assert metrics["best_epoch"] in (1, 2)
    more = subprocess.run([*cmd, "nb_epochs=3"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert more.returncode == 2 and "other parameters" in more.stderr  # a changed config is not silently resumed
    again = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert again.returncode == 0 and "resumed from" in again.stdout
    assert [r["epoch"] for r in read_metrics(Path(quick_data.run_dir) / "999_cli" / "metrics.jsonl")] == [1, 2]


def test_a_warm_start_begins_from_the_saved_weights_and_refuses_another_architecture(quick_data, tmp_path):
    import torch

    from common.checkpoint import load_checkpoint

    first = get_params("999", **{**quick_data.__dict__, "nb_epochs": 1})
    train(first, "999", "warm0", "cpu", **QUIET)
    saved = Path(first.model_dir) / "999_warm0_foa_dev_split1_model.pt"
    # a rate of 1e-12 leaves the weights where they started: they must be the saved model's
    warm = get_params("999", **{**first.__dict__, "init_from": str(saved), "lr": 1e-12})
    train(warm, "999", "warm1", "cpu", **QUIET)
    start, after = load_checkpoint(saved)["state_dict"], load_checkpoint(Path(first.run_dir) / "999_warm1" / "best.pt")
    weights = {k: v for k, v in start.items() if not k.endswith(("running_mean", "running_var", "num_batches_tracked"))}
    assert len(weights) > 10  # batch-norm statistics move without a learning rate; the weights do not
    for name, value in weights.items():
        torch.testing.assert_close(after["state_dict"][name], value, atol=1e-6, rtol=0)
    other = get_params("999", **{**first.__dict__, "init_from": str(saved), "nb_cnn2d_filt": 16,
                                 "run_dir": str(tmp_path / "runs")})
    with pytest.raises(ValueError, match=r"init_from=.*999_warm0_foa_dev_split1_model.pt.*architecture"):
        train(other, "999", "warm2", "cpu", **QUIET)
    assert not (tmp_path / "runs").exists()  # refused before the run folder is made


def test_torchrun_trains_with_ddp_on_two_cpu_processes(quick_data):
    sets = [f"{k}={v}" for k, v in (("dataset_dir", quick_data.dataset_dir), ("feat_label_dir", quick_data.feat_label_dir),
                                    ("model_dir", quick_data.model_dir), ("run_dir", quick_data.run_dir))]
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           str(ROOT / "scripts" / "train_doanet.py"), "999", "ddp", "--device", "cpu", "--set", "nb_epochs=1", *sets]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600,
                         env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "2 processes (DistributedDataParallel)" in run.stdout
    assert run.stdout.count("test (best epoch") == 1  # only rank 0 logs
    metrics = json.loads((Path(quick_data.model_dir) / "999_ddp_foa_dev_split1_metrics.json").read_text())
    assert metrics["processes"] == 2 and metrics["device"] == "cpu"
    assert np.isfinite(metrics["test"]["loss"]) and set(metrics["test"]["original"]) >= {"LE", "MOTA", "LF"}


def test_experiment_runner_writes_the_results_table(quick_data, tmp_path):
    from doanet.experiments import MARKERS

    readme = tmp_path / "README.md"
    readme.write_text(f"# results\n{MARKERS[0]}\n{MARKERS[1]}\n")
    sets = [f"{k}={v}" for k, v in (("dataset_dir", quick_data.dataset_dir), ("feat_label_dir", quick_data.feat_label_dir),
                                    ("model_dir", quick_data.model_dir), ("run_dir", quick_data.run_dir))]
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "run_doanet_experiments.py"), "--quick", "--device", "cpu",
                          "--datasets", "foa", "--models", "MSE", "dMOT + activity", "--readme", str(readme),
                          "--set", "nb_epochs=1", *sets], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    table = [line for line in readme.read_text().splitlines() if line.startswith("| ")]
    assert [line.split("|")[1].strip() for line in table[2:]] == ["MSE", "dMOT + activity"]
    assert (Path(quick_data.model_dir) / "doanet_experiments_exp.json").is_file()


@pytest.mark.parametrize("overrides", [[], ["use_hnet=False"]])
def test_visualisation_for_models_with_and_without_activity_head(quick_data, overrides, tmp_path):
    sets = [f"{k}={v}" for k, v in (("dataset_dir", quick_data.dataset_dir), ("feat_label_dir", quick_data.feat_label_dir),
                                    ("model_dir", quick_data.model_dir), ("run_dir", quick_data.run_dir))] + overrides
    job = "vis" + str(len(overrides))
    train = subprocess.run([sys.executable, str(ROOT / "scripts" / "train_doanet.py"), "999", job, "--device", "cpu",
                            "--set", "nb_epochs=1", *sets], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert train.returncode == 0, train.stderr[-2000:]
    ckpt = Path(quick_data.model_dir) / f"999_{job}_foa_dev_split1_model.pt"
    vis = subprocess.run([sys.executable, str(ROOT / "scripts" / "visualize_doanet_output.py"), "999", "--checkpoint",
                          str(ckpt), "--files", "2", "--out", str(tmp_path), "--set", *sets],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert vis.returncode == 0, vis.stderr[-2000:]
    pngs = sorted(tmp_path.glob("*.png"))
    assert len(pngs) == 2 and all(p.stat().st_size > 20_000 for p in pngs)


def test_notebook_runs_headless(quick_data, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    params = get_params("999", **{**quick_data.__dict__, "nb_epochs": 1})
    train(params, "999", "nb", "cpu", **QUIET)
    ckpt = Path(quick_data.model_dir) / "999_nb_foa_dev_split1_model.pt"
    nb = nbformat.read(ROOT / "notebooks" / "visualize_doanet_output.ipynb", as_version=4)
    env = {"DOANET_CHECKPOINT": str(ckpt), "DOANET_LENGTH_S": "6"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 1
    assert any('"clear_mot"' in o.get("text", "") for o in outputs)


def test_inference_api_predicts_what_evaluation_scores(quick_data, tmp_path):
    """predict_recording (wav -> features -> windows -> tracks) gives the tracks the training's evaluation
    scored: the same windows of the same normalised features through the same model."""
    import torch

    from common.checkpoint import save_checkpoint
    from doanet.data import make_loader
    from doanet.inference import load_doanet, predict_features, predict_recording
    from doanet.losses import unit_normalise
    from doanet.model import CRNN, doa_to_tracks

    params = get_params("999", **{**quick_data.__dict__, "nb_epochs": 1})
    train(params, "999", "api", "cpu", **QUIET)
    doanet = load_doanet(Path(quick_data.model_dir) / "999_api_foa_dev_split1_model.pt")
    ds = make_loader(params, "test").dataset
    name = ds.names[0]
    items = [ds[k] for k, (f, _) in enumerate(ds.index) if f == 0]
    with torch.no_grad():
        doa, _ = doanet.model(torch.stack([it["features"] for it in items]))
    want = unit_normalise(doa_to_tracks(doa, params.max_doas)).numpy().reshape(-1, params.max_doas, 3)
    stored = np.load(ds.feat_dir / f"{name}.npy")
    got = predict_features(doanet, stored)
    np.testing.assert_allclose(got.xyz, want[:len(got.xyz)], atol=1e-5)
    from_wav = predict_recording(doanet, Path(params.dataset_dir) / "foa_dev" / f"{name}.wav")
    np.testing.assert_allclose(from_wav.features, stored, atol=1e-3)  # the stored features were normalised the same way
    assert from_wav.xyz.shape == got.xyz.shape and from_wav.active.dtype == bool
    # a checkpoint of another model is refused with a message naming the file
    other = tmp_path / "other.pt"
    save_checkpoint(other, CRNN(), config={}, epoch=0)
    bad = torch.load(other, weights_only=True) | {"model_name": "HNetGRU"}
    torch.save(bad, other)
    with pytest.raises(ValueError, match="other.pt.*expected a DOAnet CRNN"):
        load_doanet(other)
