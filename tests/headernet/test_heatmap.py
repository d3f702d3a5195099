"""The heatmap ball detector: targets and decoding agree, the loss prefers the truth, the 3 px figures on hand
examples, the blob baseline, the shipped detector on a hard game, and a smoke run of its training script."""

import numpy as np
import pytest
import torch

from configs.headernet import get_heatmap_params, get_params
from headernet.ball_eval import ball_metrics, choose_threshold, load_frames
from headernet.blob_detector import BlobBallDetector
from headernet.detector import detector_kind
from headernet.heatmap import focal_heatmap_loss, peaks
from headernet.heatmap_training import heat_targets, lr_at

SHIPPED = "data/pretrained/ball_detector.pt"


@pytest.mark.parametrize("centre", [[10.0, 20.0], [10.99, 21.01], [0.2, 95.7], [47.5, 3.3]])
def test_targets_decode_back_to_the_ball_centre(centre):
    local = np.array([centre])
    heat, offsets = heat_targets(local, np.array([True]), 96, 0.8)
    assert heat.max() == 1.0 and np.sum(heat == 1.0) == 1
    out = torch.zeros(1, 3, 48, 48)
    out[0, 0] = torch.logit(torch.from_numpy(heat[0]).clamp(1e-4, 1 - 1e-4))
    i, j = np.argwhere(heat[0] == 1.0)[0]
    out[0, 1, i, j], out[0, 2, i, j] = float(offsets[0, 0]), float(offsets[0, 1])
    _, found = peaks(out, 96, 96)
    np.testing.assert_allclose(found[0], centre, atol=1e-4)


def test_no_ball_no_target_and_the_loss_prefers_the_truth():
    heat, _ = heat_targets(np.zeros((1, 2)), np.array([False]), 32, 0.8)
    assert not heat.any()
    target = torch.from_numpy(heat_targets(np.array([[10.0, 12.0]]), np.array([True]), 32, 0.8)[0])
    right = torch.logit(target.clamp(1e-3, 1 - 1e-3))
    wrong = torch.logit(torch.roll(target, 5, dims=-1).clamp(1e-3, 1 - 1e-3))
    assert focal_heatmap_loss(right, target) < focal_heatmap_loss(wrong, target)


def test_ball_metrics_on_a_hand_example():
    truth = np.array([[10.0, 10.0]] * 5)
    visible = np.array([True, True, True, False, False])
    centres = np.array([[11.0, 11.0], [20.0, 10.0], [10.0, 10.0], [50.0, 50.0], [0.0, 0.0]])
    scores = np.array([0.9, 0.9, 0.1, 0.9, 0.1])
    m = ball_metrics(scores, centres, truth, visible, threshold=0.5)
    # reported: frames 0, 1, 3; hits: frame 0 only (frame 1 is 10 px off, frame 3 has no ball)
    assert m["recall_3px"] == pytest.approx(1 / 3) and m["precision_3px"] == pytest.approx(1 / 3)
    assert m["no_ball_false_positive_rate"] == pytest.approx(1 / 2)
    assert ball_metrics(scores, centres * 720 / 224, truth * 720 / 224, visible, 0.5, 720)["recall_3px"] == m["recall_3px"]
    t, best = choose_threshold(np.array([0.9, 0.8, 0.2, 0.1]), truth[:4], truth[:4], np.array([True, True, False, False]))
    assert 0.2 < t <= 0.8 and best["recall_3px"] == best["precision_3px"] == 1.0


def test_schedule_warms_up_then_decays():
    p = get_heatmap_params("1")
    assert lr_at(0, p) < lr_at(p.warmup_steps - 1, p) == pytest.approx(p.lr)
    assert lr_at(p.steps, p) == pytest.approx(0.05 * p.lr) and lr_at(p.warmup_steps + 10, p) <= p.lr


def test_blob_baseline_finds_a_white_dot_on_grass():
    img = np.full((224, 398, 3), (50, 130, 55), np.uint8)
    img[100:103, 200:203] = 245  # a 3 px ball, pixels 200..202: centre 201.5 in edge coordinates
    score, centre = BlobBallDetector().locate([img])
    np.testing.assert_allclose(centre[0], [201.5, 101.5], atol=0.5)
    assert score[0] > 100
    assert len(BlobBallDetector(threshold=250).detect([img])[0]) == 0


def test_auto_picks_the_heatmap_detector_when_shipped(tmp_path):
    assert detector_kind(get_params("1", heatmap_checkpoint=str(tmp_path / "none.pt"))) == "rfdetr"
    ckpt = tmp_path / "b.pt"
    ckpt.write_bytes(b"x")
    assert detector_kind(get_params("1", heatmap_checkpoint=str(ckpt))) == "heatmap"
    assert detector_kind(get_params("1", heatmap_checkpoint=str(ckpt), weights="w.pth")) == "rfdetr"
    assert detector_kind(get_params("1", detector="ground-truth")) == "ground-truth"


def test_the_shipped_detector_finds_the_ball_in_a_hard_game(hard_games_root):
    from headernet.heatmap import HeatmapBallDetector

    det = HeatmapBallDetector(SHIPPED)
    frames = load_frames(sorted(hard_games_root.rglob("1_224p.mkv")), stride=5)
    scores, centres = det.locate(list(frames.images))
    m = ball_metrics(scores, centres, frames.centres, frames.visible, det.threshold)
    assert m["recall_3px"] >= 0.8 and m["precision_3px"] >= 0.8
    boxes = det.detect(list(frames.images[:3]))
    assert all(len(b) <= 1 and (len(b) == 0 or b.class_id[0] == 0) for b in boxes)


def test_training_script_smoke_and_resume(tmp_path, script_main):
    train = script_main("train_ball_detector")
    sets = ["--set", f"synth_dir={str(tmp_path / 'games')!r}", f"run_root={str(tmp_path / 'runs')!r}",
            "synth_half_s=6.0"]
    assert train(["--quick", *sets]) == 0
    run = tmp_path / "runs" / "heatmap" / "999_1"
    for name in ("config.json", "metrics.jsonl", "curve.png", "last.pt", "best.pt"):
        assert (run / name).is_file(), name
    ckpt = torch.load(run / "best.pt", weights_only=True)
    assert ckpt["model_name"] == "BallHeatmapNet" and 0 <= ckpt["detector"]["threshold"] <= 1
    assert train(["--quick", *sets, "steps=12"]) == 0  # the same run, continued to 12 steps
    assert torch.load(run / "last.pt", weights_only=True)["epoch"] == 12


def test_evaluation_script_reports_each_threshold_of_one_pass(tmp_path, script_main):
    """The shipped detector at its own and at a false-positive-constrained threshold, beside the blob baseline."""
    import json

    evaluate = script_main("evaluate_ball_detector")
    out = tmp_path / "eval.json"
    assert evaluate(["--quick", "--checkpoint", "data/pretrained/ball_detector.pt", "--games", "1", "--stride", "20",
                     "--games-dir", str(tmp_path / "test_games"), "--max-false-positives", "0.05", "--out", str(out),
                     "--set", f"synth_dir={str(tmp_path / 'valid_games')!r}", "synth_half_s=6.0"]) == 0
    rows = json.loads(out.read_text())["detectors"]
    own, strict = rows["heatmap (ball_detector.pt)"], rows["heatmap (ball_detector.pt), validation FP <= 0.05"]
    assert "blob baseline (white top-hat)" in rows and own["frames_per_s"] == strict["frames_per_s"]
    lo, hi = sorted((own, strict), key=lambda m: m["threshold"])
    assert hi["recall_3px"] <= lo["recall_3px"]  # a higher threshold reports fewer balls
    assert hi["no_ball_false_positive_rate"] <= lo["no_ball_false_positive_rate"]
