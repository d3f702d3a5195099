"""The header classifier: its metrics against slow references, the network's contract, the baseline's features,
the cache reader's errors, and the training script end to end on tiny games."""

import itertools
import json

import numpy as np
import pytest
import torch

from headernet.classifier import (
    HeaderClassifier,
    augment,
    best_f1_threshold,
    check_samples,
    load_header_classifier,
    operating_point,
    predict_logits,
    read_cache,
    roc_auc,
    save_header_classifier,
    track_features,
)


def slow_auc(scores, labels):
    """Every (positive, negative) pair: 1 when the positive scores higher, 1/2 on a tie."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y == 1]
    neg = [s for s, y in zip(scores, labels, strict=True) if y == 0]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg))
    return wins / (len(pos) * len(neg))


@pytest.mark.parametrize("n, seed", [(2, 0), (7, 1), (60, 2), (300, 3)])
def test_roc_auc_matches_the_pairwise_count_with_ties(n, seed):
    rng = np.random.default_rng(seed)
    labels = np.r_[0, 1, rng.integers(0, 2, n - 2)]
    scores = rng.integers(0, 5, n).astype(float)  # few distinct values: many ties
    assert roc_auc(scores, labels) == pytest.approx(slow_auc(scores, labels))


def test_roc_auc_extremes_and_errors():
    assert roc_auc([0.1, 0.2, 0.9], [0, 0, 1]) == 1.0
    assert roc_auc([0.9, 0.2, 0.1], [0, 0, 1]) == 0.0
    with pytest.raises(ValueError, match="both classes"):
        roc_auc([0.1, 0.2], [1, 1])
    with pytest.raises(ValueError, match="0 or 1"):
        roc_auc([0.1, 0.2], [0, 2])


def test_operating_point_counts_and_the_best_f1_threshold():
    scores, labels = np.array([0.1, 0.4, 0.35, 0.8, 0.7]), np.array([0, 0, 1, 1, 0])
    op = operating_point(scores, labels, 0.35)
    assert (op["tp"], op["fp"], op["fn"], op["tn"]) == (2, 2, 0, 1)
    assert op["sensitivity"] == 1.0 and op["precision"] == 0.5 and op["specificity"] == pytest.approx(1 / 3)
    t = best_f1_threshold(scores, labels)
    best = max(operating_point(scores, labels, s)["f1"] for s in scores)
    assert operating_point(scores, labels, t)["f1"] == best
    assert operating_point(scores, labels, 2.0)["precision"] == 0.0  # nothing called: no division by zero


def test_the_network_maps_stacks_to_one_logit_each_and_refuses_other_shapes():
    model = HeaderClassifier(n_frames=5, channels=(4, 4, 8, 8), embed=8).eval()
    stacks = torch.randint(0, 255, (3, 5, 32, 32, 3), dtype=torch.uint8)
    assert model(stacks).shape == (3,)
    with pytest.raises(ValueError, match=r"\(B, 5, S, S, 3\)"):
        model(torch.zeros(3, 4, 32, 32, 3, dtype=torch.uint8))


def test_checkpoint_round_trip_and_wrong_checkpoint(tmp_path):
    torch.manual_seed(0)
    model = HeaderClassifier(n_frames=3, channels=(4, 4, 8, 8), embed=8, dropout=0.1).eval()
    path = save_header_classifier(tmp_path / "c.pt", model, config={"task_id": "x"}, epoch=2, threshold=0.25, crop=32,
                                  window=[-3, 0, 3])
    loaded, ckpt = load_header_classifier(path)
    stacks = np.random.default_rng(0).integers(0, 255, (4, 3, 32, 32, 3), dtype=np.uint8)
    np.testing.assert_allclose(predict_logits(loaded, stacks), predict_logits(model, stacks), rtol=1e-5, atol=1e-6)
    assert ckpt["classifier"] == {"threshold": 0.25, "crop": 32, "window": [-3, 0, 3]} and ckpt["epoch"] == 2
    from common.checkpoint import save_checkpoint
    from headernet.heatmap import BallHeatmapNet

    other = save_checkpoint(tmp_path / "h.pt", BallHeatmapNet((4, 4, 4)), config={}, epoch=0)
    with pytest.raises(ValueError, match="not a header classifier"):
        load_header_classifier(other)


def test_augment_flips_and_shifts_every_frame_of_a_sample_alike():
    rng = np.random.default_rng(0)
    stacks = rng.integers(0, 255, (16, 3, 12, 12, 3), dtype=np.uint8)
    out = augment(stacks, np.random.default_rng(1), max_shift=0)
    for a, b in zip(stacks, out, strict=True):
        assert np.array_equal(a, b) or np.array_equal(a[:, :, ::-1], b)
    shifted = augment(stacks, np.random.default_rng(2), max_shift=2)
    assert shifted.shape == stacks.shape and shifted.dtype == np.uint8


def _meta(centres, box_h=3.0, conf=0.9):
    offsets = [-12, -6, -3, 0, 3, 6, 12]
    return {"window": offsets, "frames": [
        {"offset": o, "decoded": True, "center": list(c), "ball": {"box": [0, 0, box_h, box_h], "confidence": conf}}
        for o, c in zip(offsets, centres, strict=True)]}


def test_track_features_see_a_straight_ball_and_a_turn():
    offsets = np.array([-12, -6, -3, 0, 3, 6, 12])
    straight = track_features(_meta([(100 + 2 * o, 50.0) for o in offsets]))
    # per scale: vx_before, vy_before, vx_after, vy_after, |change|, cos(turn)
    for k in range(3):
        np.testing.assert_allclose(straight[6 * k: 6 * k + 6], [2, 0, 2, 0, 0, 1], atol=1e-9)
    assert straight[-2:].tolist() == [3.0, 0.9]
    turn = track_features(_meta([(100 + 2 * min(o, 0), 50 + 2 * max(o, 0)) for o in offsets]))
    np.testing.assert_allclose(turn[:6], [2, 0, 0, 2, np.sqrt(8), 0], atol=1e-9)


def test_read_cache_errors_name_the_file(tmp_path):
    with pytest.raises(ValueError, match="train_cache_header.csv not found"):
        read_cache(tmp_path)
    (tmp_path / "train_cache_header.csv").write_text("path,label,video_id,half,frame,metadata\ngone,1,g,1,5,gone_meta.json\n")
    with pytest.raises(ValueError, match="lists gone"):
        read_cache(tmp_path)


def test_training_script_builds_trains_scores_and_resumes(tmp_path, script_main):
    """The whole pipeline on one tiny game per split: render, build with the shipped detector, train, score."""
    train = script_main("train_header_classifier")
    sets = ["--set", f"synth_dir={str(tmp_path / 'games')!r}", f"cache_dir={str(tmp_path / 'caches')!r}",
            f"run_root={str(tmp_path / 'runs')!r}", "synth_half_s=8.0"]
    assert train(["--quick", *sets]) == 0
    run = tmp_path / "runs" / "classifier" / "999_1"
    for name in ("config.json", "metrics.jsonl", "curve.png", "last.pt", "best.pt", "report.json"):
        assert (run / name).is_file(), name
    report = json.loads((run / "report.json").read_text())
    assert 0.0 <= report["classifier"]["roc_auc"] <= 1.0 and "C" in report["baseline"]
    assert report["builds"]["test"]["positives"] >= 1
    samples = read_cache(tmp_path / "caches" / "test")
    _, ckpt = load_header_classifier(run / "best.pt")
    check_samples(samples, ckpt, run / "best.pt")  # the shipped format: the builder's window and crop
    assert ckpt["classifier"]["window"] == samples.metas[0]["window"]
    assert train(["--quick", *sets, "epochs=2"]) == 0  # the same run, continued to 2 epochs
    assert torch.load(run / "last.pt", weights_only=True)["epoch"] == 2
    assert len((run / "metrics.jsonl").read_text().splitlines()) == 2
