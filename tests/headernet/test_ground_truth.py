"""--detector ground-truth: the synthetic games' true boxes, refused on real data, marked in every output;
and the builder writes nothing (not even build_params.json) before its inputs are checked."""

import json

import pytest

from headernet.builder import build_dataset
from headernet.cache import read_csv
from headernet.synth import GroundTruthDetector


def test_ground_truth_build_marks_every_sample(games_root, params_for, tmp_path):
    params = params_for(games_root, detector="ground-truth")
    summary = build_dataset(params, GroundTruthDetector(), log=print)
    out = tmp_path / "cache"
    rows = read_csv(out / "train_cache_header.csv")
    assert summary.written == len(rows) > 0
    for r in rows:
        meta = json.loads((out / r["metadata"]).read_text())
        assert meta["detector"]["kind"] == "ground-truth" and "not found by a detector" in meta["detector"]["note"]
    assert json.loads((out / "build_params.json").read_text())["detector"] == "ground-truth"


def test_ground_truth_detector_refuses_real_data_before_writing_anything(games_copy, params_for, tmp_path, script_main):
    for sidecar in games_copy.rglob("*_gt.npz"):  # what real SoccerNet games look like: no ground truth
        sidecar.unlink()
    params = params_for(games_copy, detector="ground-truth")
    with pytest.raises(ValueError, match=r"synthetic games only .* 4 of 4 videos have none, e\.g\. .*1_224p\.mkv"):
        build_dataset(params, GroundTruthDetector(), log=print)
    assert not (tmp_path / "cache").exists()
    # through the script: one line, status 2
    build = script_main("generate_positive_negative_dataset")
    code = build(["--quick", "--detector", "ground-truth", "--dataset-path", str(games_copy), "--out",
                  str(tmp_path / "cache2"), "--no-progress"])
    assert code == 2 and not (tmp_path / "cache2").exists()


def test_ground_truth_takes_no_weights(games_root, tmp_path, capsys, script_main):
    build = script_main("generate_positive_negative_dataset")
    code = build(["--quick", "--detector", "ground-truth", "--weights", str(games_root / "README.txt"),
                  "--dataset-path", str(games_root), "--out", str(tmp_path / "c"), "--no-progress"])
    assert code == 2 and "--detector ground-truth loads no model" in capsys.readouterr().err


def test_build_params_are_written_only_after_the_inputs_are_checked(tmp_path, params_for):
    params = params_for(tmp_path / "no_such_dataset")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        build_dataset(params, GroundTruthDetector(), log=print)
    assert not (tmp_path / "cache").exists()
