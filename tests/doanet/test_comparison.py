"""doanet.comparison and scripts/evaluate_doanet_localisers.py: the pooled metrics on known tracks, and the
script end to end on tiny fresh recordings (tuning on a validation fold, then the table in a page)."""

import json
from pathlib import Path

import numpy as np
import pytest

from configs.doanet import get_params
from doanet.comparison import OVERLAPS, evaluate, fresh_recordings, score_all
from doanet.experiments import write_between_markers
from doanet.inference import Tracks
from tests.script_runner import run_script

P = get_params("999")


def _tracks(xyz, active):
    return Tracks(np.asarray(xyz, float), np.asarray(active, bool), None, 0.1)


def test_perfect_tracks_score_perfectly():
    ref = np.tile(np.array([[1.0, 0, 0], [0, 1.0, 0]]), (6, 1, 1))
    act = np.array([[1, 0]] * 3 + [[1, 1]] * 3, bool)
    m = score_all([_tracks(ref, act)] * 2, [(ref, act)] * 2)
    assert m["LE"] == pytest.approx(0, abs=0.05) and m["F20"] == pytest.approx(100) and m["MOTA"] == 1.0
    assert m["IDSW"] == 0 and m["frames"] == 12


def test_a_track_beyond_the_gate_is_a_miss_and_a_false_positive():
    ref = np.tile(np.array([[1.0, 0, 0], [0, 1.0, 0]]), (4, 1, 1))
    act = np.array([[1, 0]] * 4, bool)
    off = np.tile(np.array([[0.0, 0, 1], [0, 1.0, 0]]), (4, 1, 1))  # 90 deg away
    m = score_all([_tracks(off, act)], [(ref, act)])
    assert m["LE"] == pytest.approx(90, abs=1e-3) and m["F20"] == 0 and m["MOTA"] == pytest.approx(-1.0)


def test_evaluate_splits_by_overlap(tmp_path):
    recordings = fresh_recordings(P, tmp_path, seeds=[3], length_s=3.0)
    assert [r["overlap"] for r in recordings] == [1, 2]
    again = fresh_recordings(P, tmp_path, seeds=[3], length_s=3.0)  # reused, not rendered again
    assert again[0]["foa"].stat().st_mtime_ns == recordings[0]["foa"].stat().st_mtime_ns

    def oracle(rec, count):  # the references themselves
        from doanet.comparison import reference

        xyz, active = reference(rec, P)
        return _tracks(xyz, active)

    row = evaluate("references", oracle, recordings, P)
    assert set(OVERLAPS) <= set(row) and all(row[ov]["MOTA"] == 1.0 for ov in OVERLAPS)
    assert row["all"]["frames"] == row["ov1"]["frames"] + row["ov2"]["frames"] == 60


def test_script_tunes_on_validation_then_writes_the_table(tmp_path):
    from doanet.synth import generate_dataset

    val = tmp_path / "tau"
    generate_dataset(get_params("999", dataset_dir=str(val), synth_folds=(2,)), log=lambda *_: None)
    params_json, out = tmp_path / "classical.json", tmp_path / "eval.json"
    common = ["999", "--classical-params", str(params_json), "--out", str(out)]
    run_script("evaluate_doanet_localisers.py", *common, "--tune", str(val), "--tune-files", "2")
    chosen = json.loads(params_json.read_text())
    assert "fold 2, 2 recordings" in chosen["chosen_on"] and {"foa", "mic"} <= set(chosen)
    page = tmp_path / "page.md"
    page.write_text("# page\n<!-- doanet-localisers:begin -->\nold\n<!-- doanet-localisers:end -->\n")
    stdout = run_script("evaluate_doanet_localisers.py", *common, "--seeds", "7", "--length-s", "3",
                        "--recordings", str(tmp_path / "fresh"), "--classical", "foa", "foa-oracle", "--docs", str(page))
    rows = json.loads(out.read_text())["rows"]
    assert [r["name"] for r in rows] == ["classical FOA intensity, own count", "classical FOA intensity, oracle count"]
    assert rows[0]["classical_params"]["activity_db"] == chosen["foa"]["activity_db"]  # the tuned thresholds
    text = page.read_text()
    assert "old" not in text and text.count("| classical FOA") == 6  # 2 rows x ov1, ov2, all
    assert stdout.rstrip().splitlines()[-1].startswith("Fresh recordings: seeds 7-7")
    # a model's activity threshold, chosen on the same validation fold, written into (a copy of) its checkpoint
    import shutil

    import torch

    model = tmp_path / "model.pt"
    shutil.copy(Path(__file__).resolve().parents[2] / "data" / "pretrained" / "doanet_foa.pt", model)
    stdout = run_script("evaluate_doanet_localisers.py", *common, "--tune", str(val), "--tune-files", "2",
                        "--checkpoint", str(model), "--write-threshold")
    chosen = stdout.split("best on validation: --activity-threshold ")[1].split()
    best, within = float(chosen[0]), float(chosen[2])
    written = torch.load(model, weights_only=True)["activity_threshold"]
    assert written["value"] == best and written["merge_within_deg"] == within
    assert "fold 2, 2 recordings" in written["chosen_on"]


def test_write_threshold_without_tune_and_checkpoint_is_a_usage_error(capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("evaluate_doanet_localisers", Path(__file__).resolve().parents[2] /
                                                  "scripts" / "evaluate_doanet_localisers.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    with pytest.raises(SystemExit) as exit_info:
        script.main(["999", "--write-threshold"])
    assert exit_info.value.code == 2 and "--write-threshold needs --tune DIR" in capsys.readouterr().err


def test_markers_missing_is_an_error(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# no markers\n")
    with pytest.raises(ValueError, match="needs the lines"):
        write_between_markers(page, "x", ("<!-- doanet-localisers:begin -->", "<!-- doanet-localisers:end -->"))


def test_mean_spread_table_over_seeds():
    from doanet.comparison import mean_spread_table

    def row(le, group="dMOT"):
        m = {"LE": le, "LF": 80.0, "F20": 50.0, "MOTA": 0.5}
        return {"name": f"seed {le}", "group": group, "ov1": m, "ov2": m, "all": m}

    text = mean_spread_table([row(10.0), row(14.0), row(3.0, group="alone")])
    lines = text.splitlines()
    assert len(lines) == 2 + 3  # header, rule, one group x (ov1, ov2, all); a group of one is left out
    assert "| dMOT | 2 | ov1 | 12.0 +- 2.8 | 80.0 +- 0.0 |" in lines[2]
    assert mean_spread_table([row(3.0)]) == ""


def test_activity_threshold_is_checked_and_swept(tmp_path):
    from pathlib import Path

    from doanet.comparison import ACTIVITY_GRID, MERGE_GRID, doanet_localiser, tune_activity_threshold

    with pytest.raises(ValueError, match="activity_threshold must be a probability"):
        doanet_localiser("unused.pt", activity_threshold=1.5)
    with pytest.raises(ValueError, match=r"merge_within_deg must be an angle in \[0, 180\]"):
        doanet_localiser("unused.pt", merge_within_deg=-5.0)
    shipped = Path(__file__).resolve().parents[2] / "data" / "pretrained" / "doanet_foa.pt"
    recordings = fresh_recordings(P, tmp_path, seeds=[4], length_s=6.0)
    best, trials = tune_activity_threshold(shipped, recordings, P)
    assert [(t["activity_threshold"], t["merge_within_deg"]) for t in trials] == \
        [(a, m) for a in ACTIVITY_GRID for m in MERGE_GRID]
    assert best == max(trials, key=lambda t: t["MOTA"])
    merged = [t for t in trials if t["activity_threshold"] == 0.5]
    merged_recall = [t["LR"] for t in merged]
    assert merged_recall == sorted(merged_recall, reverse=True)  # a wider merge only drops tracks
    trials = [t for t in trials if t["merge_within_deg"] == 0.0]  # the threshold alone
    recall = [t["LR"] for t in trials]
    assert recall == sorted(recall, reverse=True)  # a higher threshold never finds more
