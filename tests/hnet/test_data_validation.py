"""A damaged HNet .npz is refused with a message naming the file, never scored; the generator makes a
damaged file again even when its signature matches (issue 14)."""

import importlib.util
import subprocess
from pathlib import Path

import numpy as np
import pytest

from common.checkpoint import save_checkpoint
from common.io import FolderInUseError
from configs.hnet import get_params
from hnet.data import generate_dataset, generate_split, load_split, save_split, split_path
from hnet.model import HNetGRU

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def split():
    return generate_split(get_params("999", sample_range=(2, 3, 4)), "train")


def _mismatched(s):
    s["nb_ref"] = s["nb_ref"][:-3]


def _nan(s):
    s["dist"][5, 0, 1] = np.nan


def _seven(s):
    s["assoc"][4, 1, 1] = 7


def _two_in_a_row(s):
    s["assoc"][4, 0] = 1


def _too_many_refs(s):
    s["nb_ref"][2] = 9


def _missing(s):
    del s["pred_cart"]


@pytest.mark.parametrize(("damage", "match"), [
    (_mismatched, r"arrays of mismatched lengths or shapes for N=\d+ examples of M=2: nb_ref \(\d+,\)"),
    (_nan, r"dist holds NaN or inf in 1 examples \(the first is example 5\)"),
    (_seven, r"association values must be 0 or 1, example 4 holds \[7\]"),
    (_two_in_a_row, r"more than one 1 in a row or column"),
    (_too_many_refs, r"nb_ref must lie in \[0, 2\]"),
    (_missing, r"lacks arrays \['pred_cart'\]"),
])
def test_damaged_arrays_are_refused_naming_the_file(tmp_path, split, damage, match):
    arrays = {k: v.copy() for k, v in split.items()}
    damage(arrays)
    save_split(tmp_path / "bad_split.npz", arrays, {"signature": {}})
    with pytest.raises(ValueError, match=rf"bad_split.npz.*{match}.*generate_hnet_data.py") as err:
        load_split(tmp_path / "bad_split.npz")
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("content", [b"dist,assoc\n1,2\n", b"", b"\x93NUMPY" + b"\0" * 20])
def test_a_text_or_foreign_file_is_not_called_pickled_data(tmp_path, content):
    (tmp_path / "notes.npz").write_bytes(content)
    with pytest.raises(ValueError, match=r"notes.npz is not a readable HNet .npz file \(not a zip archive") as err:
        load_split(tmp_path / "notes.npz")
    assert "pickle" not in str(err.value)


def test_a_truncated_archive_and_bad_meta_name_the_file(tmp_path, split):
    save_split(tmp_path / "a.npz", split, {"signature": {}})
    data = (tmp_path / "a.npz").read_bytes()
    (tmp_path / "a.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"a.npz is not a readable HNet .npz file"):
        load_split(tmp_path / "a.npz")
    np.savez(tmp_path / "b.npz", **split, meta_json=np.array("{not json"))
    with pytest.raises(ValueError, match=r"b.npz: its meta_json is not JSON"):
        load_split(tmp_path / "b.npz")


def test_the_generator_makes_a_damaged_file_again_even_with_a_matching_signature(tmp_path):
    params = get_params("999", sample_range=(2, 3, 4), data_dir=str(tmp_path))
    generate_dataset(params, log=lambda *_: None)
    path = split_path(tmp_path, "train")
    good = load_split(path)
    arrays = {k: v for k, v in good.items() if k != "meta"}
    arrays["assoc"] = arrays["assoc"].copy()
    arrays["assoc"][0, 0, 0] = 7
    save_split(path, arrays, good["meta"])  # same signature, damaged contents
    (tmp_path / ".hnet_val.npz.k1ll3d.tmp").write_bytes(b"\0" * 100)  # left by a killed run
    logs: list[str] = []
    generate_dataset(params, log=logs.append)
    assert any("hnet_train.npz: association values must be 0 or 1" in line and "generating it again" in line
               for line in logs)
    np.testing.assert_array_equal(load_split(path)["assoc"], good["assoc"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hnet_test.npz", "hnet_train.npz", "hnet_val.npz"]


def test_the_generator_refuses_a_folder_another_live_process_writes(tmp_path):
    other = subprocess.Popen(["sleep", "60"])
    try:
        (tmp_path / ".lock").write_text(f"{other.pid}\n")
        with pytest.raises(FolderInUseError, match=rf"HNet data folder .* is in use by process {other.pid}"):
            generate_dataset(get_params("999", data_dir=str(tmp_path)), log=lambda *_: None)
        assert [p.name for p in tmp_path.iterdir()] == [".lock"]
    finally:
        other.kill()
        other.wait()


def _script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_visualize_hnet_reports_a_damaged_file_in_one_line(tmp_path, split, capsys):
    save_checkpoint(tmp_path / "m.pt", HNetGRU(), config={"task_id": "999"}, epoch=0)
    arrays = {k: v.copy() for k, v in split.items()}
    _mismatched(arrays)
    save_split(tmp_path / "bad.npz", arrays, {"signature": {}})
    main = _script("visualize_hnet").main
    assert main(["--checkpoint", str(tmp_path / "m.pt"), "--data", str(tmp_path / "bad.npz"), "--device", "cpu",
                 "--out", str(tmp_path / "p.png")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "bad.npz" in err and "\n" not in err and not (tmp_path / "p.png").exists()
    assert main(["--checkpoint", str(tmp_path), "--device", "cpu"]) == 2  # a folder as the checkpoint
    assert "is a folder, not a checkpoint file: pass a .pt file; it holds m.pt" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["--checkpoint", str(tmp_path / "m.pt"), "--n", "-3"])
    assert exit_.value.code == 2 and "--n: -3 is not an integer >= 1" in capsys.readouterr().err
