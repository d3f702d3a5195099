"""SoccerNet splits through the SoccerNet package: the games of a split, which are on disk, what to download."""

import subprocess
import sys
from pathlib import Path

import pytest

from headernet.annotations import canonical_match_name
from headernet.builder import build_dataset
from headernet.cache import read_csv
from headernet.splits import download_plan, select_split, split_games
from headernet.synth import OracleDetector, game_relpaths

ROOT = Path(__file__).resolve().parents[2]


def test_split_games_are_the_packages_lists():
    sizes = {s: len(split_games(s)) for s in ("train", "valid", "test", "challenge")}
    assert sizes == {"train": 300, "valid": 100, "test": 100, "challenge": 50}
    assert not set(split_games("train")) & set(split_games("valid"))
    assert all(g.count("/") == 2 for g in split_games("valid"))
    with pytest.raises(ValueError, match="unknown SoccerNet split 'val'"):
        split_games("val")


def _fake_tree(root: Path, games: list[str], files: tuple[str, ...]) -> None:
    for g in games:
        (root / g).mkdir(parents=True)
        for f in files:
            (root / g / f).write_bytes(b"")


def test_select_split_finds_present_games_and_names_the_missing(tmp_path):
    valid = split_games("valid")
    _fake_tree(tmp_path, valid[:2], ("1_224p.mkv", "2_224p.mkv", "Labels-v2.json"))
    _fake_tree(tmp_path, valid[2:3], ("Labels-v2.json",))  # labels but no video
    _fake_tree(tmp_path, split_games("train")[:1], ("1_224p.mkv",))  # another split: not selected
    sel = select_split(tmp_path, "valid")
    assert sel.present == valid[:2]
    assert len(sel.missing) == 98
    assert sel.missing[0] == (valid[2], "no 1_224p or 2_224p video")
    assert all(why == "no folder" for _, why in sel.missing[1:])
    assert sel.video_ids == {canonical_match_name(Path(g).name) for g in valid[:2]}
    text = sel.describe()
    assert "2 of 100 games on disk" in text and "98 missing" in text and valid[2] in text
    assert select_split(tmp_path, "valid", quality="720p").present == []
    with pytest.raises(FileNotFoundError, match="does not exist"):
        select_split(tmp_path / "nowhere", "valid")


def test_download_plan_lists_videos_and_labels_not_on_disk(tmp_path):
    valid = split_games("valid")
    plan = download_plan("valid", qualities=("224p", "720p"))
    assert len(plan) == 5 * 100 and plan[:5] == [(valid[0], f) for f in
                                                 ("1_224p.mkv", "2_224p.mkv", "1_720p.mkv", "2_720p.mkv", "Labels-v2.json")]
    _fake_tree(tmp_path, valid[:1], ("1_224p.mkv", "2_224p.mkv", "Labels-v2.json"))
    assert len(download_plan("valid", root=tmp_path)) == 3 * 99
    ball = download_plan("train", task="spotting-ball", labels=True)
    assert {f for _, f in ball} == {"1_224p.mkv", "2_224p.mkv", "Labels-ball.json"}


def test_download_script_dry_run_and_clear_errors_offline(tmp_path):
    script = [sys.executable, str(ROOT / "scripts" / "download_soccernet.py")]
    run = subprocess.run([*script, "--split", "challenge", "--dry-run", "--out", str(tmp_path)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    lines = run.stdout.splitlines()
    assert run.returncode == 0 and lines[0].startswith("150 files of 50 games to request")
    assert lines[1] == f"challenge\t{split_games('challenge')[0]}/1_224p.mkv" and len(lines) == 151
    # no network here (and HF_HUB_OFFLINE forbids it anyway): one line, status 2, nothing left behind
    env = {"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "HOME": str(tmp_path)}
    run = subprocess.run([*script, "--split", "valid", "--out", str(tmp_path / "sn")], capture_output=True,
                         text=True, cwd=ROOT, timeout=120, env=env)
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("error: download of split valid failed (")
    assert "network connection and SoccerNet NDA access" in run.stderr
    run = subprocess.run([*script, "--split", "valid", "--source", "EXRCSDrive", "--out", str(tmp_path)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120, env=env)
    assert run.returncode == 2 and "needs the SoccerNet NDA password" in run.stderr


def test_synthetic_games_carry_names_of_their_split_and_split_selects_them(games_root, params_for):
    names = game_relpaths(2, 5, "train")
    assert set(names) <= set(split_games("train")) and len(set(names)) == 2
    assert set(game_relpaths(3, 0, "valid")) <= set(split_games("valid"))
    with pytest.raises(ValueError, match="only 50"):
        game_relpaths(51, 0, "challenge")
    everything = build_dataset(params_for(games_root), OracleDetector(), log=print)
    logged = []
    train = build_dataset(params_for(games_root, split="train"), OracleDetector(), log=logged.append)
    assert train.samples == everything.samples > 0 and sorted(train.split.present) == sorted(names)
    assert any("2 of 300 games on disk" in line and "298 missing" in line for line in logged)
    valid_params = params_for(games_root, split="valid")
    valid = build_dataset(valid_params, OracleDetector(), log=print)
    assert valid.samples == 0 and not valid.split.present and len(valid.split.missing) == 100
    missing = read_csv(Path(valid_params.output_dir) / "missing_games.csv")
    assert [r["game"] for r in missing] == split_games("valid") and {r["reason"] for r in missing} == {"no folder"}


def test_split_through_the_scripts(tmp_path, script_main, capsys):
    games, cache = tmp_path / "sn", tmp_path / "cache"
    assert script_main("make_synthetic_soccernet")(["--quick", "--split", "test", "--out", str(games)]) == 0
    (game,) = [str(p.parent.relative_to(games)) for p in games.rglob("Labels-ball.json")]
    assert game in split_games("test")
    build = script_main("generate_positive_negative_dataset")
    common = ["--quick", "--detector", "ground-truth", "--dataset-path", str(games), "--no-progress"]
    assert build([*common, "--split", "test", "--out", str(cache)]) == 0
    out = capsys.readouterr().out
    assert "split test (spotting): 1 of 100 games on disk" in out and "written 0," not in out
    assert len(read_csv(cache / "missing_games.csv")) == 99
    assert build([*common, "--split", "train", "--out", str(tmp_path / "c2")]) == 0
    assert "samples 0 (0 positive, 0 negative)" in capsys.readouterr().out
