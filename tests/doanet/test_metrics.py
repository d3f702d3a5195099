"""Metrics against slow per-frame reference implementations (scipy's Hungarian per frame)."""

import numpy as np
import pytest

from doanet.metrics import clear_mot, original_metric
from doanet.reference import slow_clear_mot, slow_original


def random_tracks(b=3, t=40, s=2, seed=0, noise_deg=10.0):
    rng = np.random.default_rng(seed)
    ref = rng.normal(size=(b, t, s, 3))
    ref /= np.linalg.norm(ref, axis=-1, keepdims=True)
    pred = ref + np.deg2rad(noise_deg) * rng.normal(size=ref.shape)
    pred = pred[:, :, rng.permutation(s)] if seed % 2 else pred
    pred /= np.linalg.norm(pred, axis=-1, keepdims=True)
    ref_active = rng.random((b, t, s)) < 0.7
    pred_active = rng.random((b, t, s)) < 0.7
    return pred, ref, ref_active, pred_active


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("with_activity", [True, False])
def test_original_metric_matches_the_slow_reference(seed, with_activity):
    pred, ref, ra, pa = random_tracks(seed=seed)
    pa = pa if with_activity else None
    got, want = original_metric(pred, ref, ra, pa), slow_original(pred, ref, ra, pa)
    for k in want:
        assert got[k] == pytest.approx(want[k], rel=1e-6, abs=1e-9), k


@pytest.mark.parametrize("matching", ["standard", "per_frame"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("gate", [5.0, 20.0, 180.0])
def test_clear_mot_matches_the_slow_reference(seed, gate, matching):
    pred, ref, ra, pa = random_tracks(seed=seed, noise_deg=8.0)
    got = clear_mot(pred, ref, ra, pa, gate, matching=matching)
    want = slow_clear_mot(pred, ref, ra, pa, gate, matching=matching)
    for k in want:
        assert got[k] == pytest.approx(want[k], rel=1e-6, abs=1e-9), k


def test_perfect_tracking_scores_perfectly():
    _, ref, ra, _ = random_tracks(noise_deg=0.0, seed=0)
    m = clear_mot(ref, ref, ra, ra)
    assert m["MOTA"] == 1.0 and m["IDSW"] == 0 and m["MOTP"] < 0.05 and m["F"] == 1.0  # arccos clipped at 1 - 1e-7
    o = original_metric(ref, ref, ra, ra)
    assert o["LE"] < 0.05 and o["LR"] == o["LP"] == 100.0
    assert o["MOTA"] == pytest.approx(100.0 * (1 - o["IDS"] / ra.sum()))  # its "IDS" counts every onset


def test_a_slot_swap_is_one_identity_switch_per_source():
    _, ref, _, _ = random_tracks(b=1, t=10, noise_deg=0.0)
    ra = np.ones((1, 10, 2), bool)
    pred = ref.copy()
    pred[0, 5:] = ref[0, 5:, ::-1]  # prediction slots swap at frame 5
    assert clear_mot(pred, ref, ra, ra)["IDSW"] == 2
    assert original_metric(pred, ref, ra, ra)["IDS"] == 0  # the original cannot see it


def test_gate_turns_far_matches_into_misses():
    _, ref, _, _ = random_tracks(b=1, t=5, noise_deg=0.0)
    ra = np.zeros((1, 5, 2), bool)
    ra[..., 0] = True
    pred = -ref  # 180 degrees off
    m = clear_mot(pred, ref, ra, ra, gate_deg=20.0)
    assert m["matches"] == 0 and m["recall"] == 0.0
    assert original_metric(pred, ref, ra, ra)["LR"] == 100.0  # no gate in the original
