"""Clear one-line messages for bad values, files and numbers on the command line (issue 14)."""

import argparse
import importlib.util
from pathlib import Path

import pytest
import torch

from common.checkpoint import load_checkpoint
from common.cli import nonnegative_int, positive_int, probability, report_errors, resolve_params, task_parser
from common.io import FolderInUseError
from configs.base import parse_set_args
from configs.doanet import TASKS as DOANET_TASKS
from configs.doanet import get_params as doanet_params
from configs.hnet import get_params as hnet_params

ROOT = Path(__file__).resolve().parents[2]


def test_a_string_parameter_takes_a_number_as_typed():
    p = hnet_params("999", **parse_set_args(["data_dir=2026", "run_dir=1e3", "model_dir=0x10", "nb_epochs=3", "lr=1"]))
    assert (p.data_dir, p.run_dir, p.model_dir) == ("2026", "1e3", "0x10")
    assert type(p.nb_epochs) is int and type(p.lr) is float  # numbers stay plain numbers
    with pytest.raises(ValueError, match="max_doas"):  # a number parameter still refuses text
        hnet_params("999", **parse_set_args(["max_doas='2'"]))


def _resolve(argv):
    ap = task_parser(None, "doanet", DOANET_TASKS)
    return resolve_params(ap, ap.parse_args(argv), doanet_params)


@pytest.mark.parametrize("setting", ["nb_epochs=0", "batch_size=0", "lr=-1e-3", "max_audio_len_s=0"])
def test_doanet_counts_and_lengths_must_be_positive(setting, capsys):
    with pytest.raises(SystemExit) as exit_:  # what train_doanet.py --set nb_epochs=0 does
        _resolve(["999", "--set", setting])
    assert exit_.value.code == 2 and setting.split("=")[0] in capsys.readouterr().err


def test_doanet_data_dir_may_be_a_number():
    _, params = _resolve(["999", "--set", "dataset_dir=2026"])
    assert params.dataset_dir == "2026"


def test_number_argument_types():
    assert positive_int("3") == 3 and nonnegative_int("0") == 0 and probability("0.05") == 0.05
    for parse, text in ((positive_int, "0"), (positive_int, "-3"), (nonnegative_int, "-1"), (probability, "5"),
                        (probability, "nan"), (positive_int, "two")):
        with pytest.raises(argparse.ArgumentTypeError, match="is not"):
            parse(text)


def test_report_errors_makes_bad_input_one_line(tmp_path, capsys):
    import soundfile as sf

    def unreadable_wav():
        (tmp_path / "x.wav").write_bytes(b"RIFF....")
        sf.read(str(tmp_path / "x.wav"))

    def busy():
        raise FolderInUseError("data/x is in use by process 7")

    def folder():
        open(tmp_path)

    for fn in (unreadable_wav, busy, folder, lambda: (_ for _ in ()).throw(ValueError("two\nlines"))):
        assert report_errors(fn) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1
    with pytest.raises(KeyError):  # a bug is not bad input: it keeps its traceback
        report_errors(lambda: {}["x"])


def test_load_checkpoint_of_a_folder_or_a_foreign_file(tmp_path):
    (tmp_path / "run").mkdir()
    torch.save({"state_dict": {}}, tmp_path / "run" / "best.pt")
    with pytest.raises(ValueError, match=r"run is a folder, not a checkpoint file: pass a .pt file; it holds best.pt"):
        load_checkpoint(tmp_path / "run")
    (tmp_path / "notes.pt").write_text("line one\nline two\n")
    with pytest.raises(ValueError, match=r"notes.pt is not a readable checkpoint") as err:
        load_checkpoint(tmp_path / "notes.pt")
    assert "\n" not in str(err.value)
    torch.save([1, 2], tmp_path / "list.pt")
    with pytest.raises(ValueError, match=r"list.pt holds a list, not a checkpoint"):
        load_checkpoint(tmp_path / "list.pt")


def _script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_zero_soccernet_games_is_refused_up_front(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        _script("make_synthetic_soccernet").main(["--quick", "--games", "0", "--out", str(tmp_path / "sn")])
    assert exit_.value.code == 2 and "--games: 0 is not an integer >= 1" in capsys.readouterr().err
    assert not (tmp_path / "sn").exists()


@pytest.mark.parametrize(("script", "argv", "message"), [
    ("evaluate_auralnav", ["999", "--epsilon", "5"], "--epsilon: 5 is not a number in [0, 1]"),
    ("visualize_doanet_output", ["--checkpoint", "x.pt", "--files", "-1"], "--files: -1 is not an integer >= 1"),
])
def test_out_of_range_numbers_are_refused(script, argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        _script(script).main(argv)
    assert exit_.value.code == 2 and message in capsys.readouterr().err
