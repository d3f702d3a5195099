"""HeaderNet quick_test through the scripts: synthetic games, the builder with a random-init RF-DETR Nano,
a sharded build and its merge, and bad input reported as one line naming the path. (The crops themselves
are checked in tests/headernet/test_builder.py, with the ground-truth oracle as detector.)"""

import json
import subprocess
import sys

from headernet.cache import read_csv
from tests.script_runner import ROOT
from tests.script_runner import run_script as run


def test_quick_pipeline_through_the_scripts(tmp_path):
    games, cache = tmp_path / "sn", tmp_path / "cache"
    out = run("make_synthetic_soccernet.py", "--quick", "--out", str(games), "--seed", "3")
    assert "1 games under" in out
    assert len(list(games.rglob("*_224p.mkv"))) == 2 and len(list(games.rglob("Labels-ball.json"))) == 1

    # random init finds no ball at the default threshold: every sample is listed as skipped, with the reason
    common = ["--quick", "--detector", "rfdetr",
              "--dataset-path", str(games), "--header-dataset", str(games), "--window", "-3", "0", "3",
              "--resolution", "64", "--device", "cpu", "--no-progress"]
    out = run("generate_positive_negative_dataset.py", *common, "--out", str(cache))
    assert "RF-DETR nano at 64 px on cpu, weights none (random init)" in out and "time per stage" in out
    skipped = read_csv(cache / "skipped_samples.csv")
    assert skipped and all(s["reason"] == "no_ball_detections_in_window" for s in skipped)
    assert (cache / "train_cache_header.csv").read_text().startswith("path,label,video_id,half,frame,metadata")
    assert json.loads((cache / "build_params.json").read_text())["window"] == [-3, 0, 3]

    # the same build as one shard of one, merged, gives the same files
    sharded = tmp_path / "sharded"
    run("generate_positive_negative_dataset.py", *common, "--shard", "1/1", "--out", str(sharded),
        "--labels-dir", str(games))
    assert (sharded / "skipped_samples.shard-1-of-1.csv").is_file()
    assert "'train_cache_header.csv': 0" in run("merge_header_shards.py", "--out", str(sharded))
    for name in ("train_cache_header.csv", "skipped_samples.csv", "failed_videos.csv"):
        assert (sharded / name).read_bytes() == (cache / name).read_bytes()


def test_bad_input_is_one_line_naming_the_path(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_positive_negative_dataset.py"), "--quick",
                             "--dataset-path", str(tmp_path / "none"), "--out", str(tmp_path / "c"), "--no-progress"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 2 and f"error: header annotations folder {tmp_path / 'none'} does not exist" in result.stderr
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_positive_negative_dataset.py"), "--quick",
                             "--weights", str(tmp_path / "rf-detr-nano.pth"), "--out", str(tmp_path / "c")],
                            capture_output=True, text=True, cwd=ROOT,
                            timeout=300)
    assert result.returncode == 2 and "rf-detr-nano.pth not found" in result.stderr
