"""The shipped DOAnet (data/pretrained/doanet_foa.pt) still does what its card says, through the package API."""

from pathlib import Path

import numpy as np
import pytest

from doanet.inference import load_doanet, predict_recording, reference_tracks, score, synthetic_recording

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data" / "pretrained" / "doanet_foa.pt"
# data/pretrained/README.md: the fresh 30 s ov2 recording of seed 1 (the one `make demo` plots), generator v3
CARD = {"LE": 11.3, "LF": 83.1}


@pytest.fixture(scope="module")
def shipped():
    return load_doanet(SHIPPED)


def test_shipped_model_is_the_dmot_activity_foa_model_of_the_large_protocol(shipped):
    p = shipped.params
    assert p.dataset == "foa" and p.use_hnet and not p.use_dmot_only
    assert shipped.model.activity_head is not None
    assert shipped.checkpoint["config"]["task_id"] == "40"
    assert set(shipped.checkpoint["data_synth_versions"].values()) == {3}  # trained on the image-source rooms
    assert shipped.mean.shape == shipped.std.shape == (7, 64) and np.all(shipped.std > 0)


def test_shipped_model_localises_a_fresh_recording_as_its_card_says(shipped, tmp_path):
    paths = synthetic_recording(shipped.params, tmp_path, seed=1, overlap=2, length_s=30.0)
    tracks = predict_recording(shipped, paths["foa"])
    ref_xyz, ref_active = reference_tracks(paths["csv"], len(tracks.xyz), shipped.params.max_doas)
    metrics = score(tracks, ref_xyz, ref_active)["original"]
    assert metrics["LE"] == pytest.approx(CARD["LE"], abs=1.0)
    assert metrics["LF"] == pytest.approx(CARD["LF"], abs=2.0)
    assert np.allclose(np.linalg.norm(tracks.xyz, axis=-1), 1.0, atol=1e-5)


def test_activity_threshold_written_into_a_checkpoint_is_what_inference_uses(tmp_path):
    import shutil

    import torch

    from doanet.inference import predict_features, set_activity_threshold

    copy = tmp_path / "model.pt"
    shutil.copy(SHIPPED, copy)
    features = np.random.default_rng(0).standard_normal((250, 7, 64)).astype(np.float32)  # (T, C, F): 50 label frames
    default = load_doanet(copy)
    assert default.activity_threshold == default.checkpoint.get("activity_threshold", {"value": 0.5})["value"]
    default.merge_within_deg = 0.0  # the threshold alone (the shipped file also carries a merge angle)
    before = predict_features(default, features)
    set_activity_threshold(copy, 0.8, chosen_on="a test")
    raised = load_doanet(copy)
    after = predict_features(raised, features)
    assert raised.activity_threshold == pytest.approx(0.8)
    assert raised.checkpoint["activity_threshold"]["chosen_on"] == "a test"
    np.testing.assert_array_equal(after.active, after.activity_logits > np.log(0.8 / 0.2))
    np.testing.assert_allclose(after.activity_logits, before.activity_logits)  # the weights are untouched
    assert after.active.sum() <= before.active.sum()
    for k, v in torch.load(SHIPPED, weights_only=True)["state_dict"].items():
        assert torch.equal(raised.checkpoint["state_dict"][k], v)


@pytest.mark.parametrize("threshold", [0.0, 1.0, 1.5])
def test_activity_threshold_outside_0_1_is_refused_and_nothing_is_written(tmp_path, threshold):
    import shutil

    from doanet.inference import set_activity_threshold

    copy = tmp_path / "model.pt"
    shutil.copy(SHIPPED, copy)
    before = copy.read_bytes()
    with pytest.raises(ValueError, match="probability in \\(0, 1\\)"):
        set_activity_threshold(copy, threshold, chosen_on="a test")
    assert copy.read_bytes() == before


def _merge_reference(xyz, active, logits, within_deg):
    """merge_duplicates, one frame and one slot at a time."""
    kept = np.zeros_like(active)
    for t in range(len(xyz)):
        for i in sorted(range(xyz.shape[1]), key=lambda j: -logits[t, j]):
            close = [k for k in range(xyz.shape[1]) if kept[t, k]
                     and np.degrees(np.arccos(np.clip(xyz[t, i] @ xyz[t, k], -1, 1))) < within_deg]
            kept[t, i] = active[t, i] and not close
    return kept


@pytest.mark.parametrize("within", [10.0, 60.0, 120.0])
def test_merge_duplicates_against_a_slow_reference(within):
    from doanet.inference import merge_duplicates

    rng = np.random.default_rng(int(within))
    xyz = rng.standard_normal((200, 3, 3))
    xyz /= np.linalg.norm(xyz, axis=-1, keepdims=True)
    logits = rng.standard_normal((200, 3))
    active = logits > -0.3
    kept = merge_duplicates(xyz, active, logits, within)
    np.testing.assert_array_equal(kept, _merge_reference(xyz, active, logits, within))
    assert not (kept & ~active).any()  # only drops
    best = logits.argmax(1)
    assert kept[np.arange(200), best].tolist() == active[np.arange(200), best].tolist()  # the most confident stays


@pytest.mark.parametrize("frames", [0, 1])
def test_merge_duplicates_edge_cases(frames):
    from doanet.inference import merge_duplicates

    xyz = np.tile(np.array([1.0, 0.0, 0.0]), (frames, 2, 1))  # two identical tracks
    logits = np.tile(np.array([0.2, 0.9]), (frames, 1))
    active = np.ones((frames, 2), bool)
    np.testing.assert_array_equal(merge_duplicates(xyz, active, logits, 0.0), active)  # 0: off
    kept = merge_duplicates(xyz, active, logits, 5.0)
    assert kept.shape == (frames, 2) and kept.sum() == frames and (kept[:, 1] if frames else True)


def test_merge_angle_written_into_a_checkpoint_is_what_inference_uses(tmp_path):
    import shutil

    from doanet.inference import predict_features, set_activity_threshold

    copy = tmp_path / "model.pt"
    shutil.copy(SHIPPED, copy)
    features = np.random.default_rng(1).standard_normal((250, 7, 64)).astype(np.float32)
    set_activity_threshold(copy, 0.3, chosen_on="a test", merge_within_deg=0.0)
    plain = predict_features(load_doanet(copy), features)
    set_activity_threshold(copy, 0.3, chosen_on="a test", merge_within_deg=180.0)  # any two tracks are one
    model = load_doanet(copy)
    assert model.merge_within_deg == 180.0
    merged = predict_features(model, features)
    assert plain.active.all(axis=1).any() and merged.active.sum(axis=1).max() == 1
    np.testing.assert_array_equal(merged.active.any(axis=1), plain.active.any(axis=1))  # the frame keeps one
    assert not (merged.active & ~plain.active).any()
    before = copy.read_bytes()
    with pytest.raises(ValueError, match="merge_within_deg must be an angle"):
        set_activity_threshold(copy, 0.5, chosen_on="a test", merge_within_deg=200.0)
    assert copy.read_bytes() == before
