"""CLEAR-MOT against py-motmetrics, the library tracking papers use, on tracks that cross, merge,
disappear and reappear, with and without an activity head."""

import numpy as np
import pytest

from doanet.labels import polar_to_xyz
from doanet.metrics import angle_matrix, clear_mot

mm = pytest.importorskip("motmetrics")

GATE = 20.0


def motmetrics_clear_mot(pred, ref, ref_active, pred_active, gate_deg=GATE):
    """The same scoring through py-motmetrics: one accumulator per sequence, one object id per activity
    run of a reference slot, one hypothesis id per prediction slot, angles in degrees (NaN beyond the gate)."""
    accs = []
    next_id = 0
    for i in range(pred.shape[0]):
        acc = mm.MOTAccumulator(auto_id=True)
        obj = {}
        for f in range(pred.shape[1]):
            for g in range(pred.shape[2]):
                if ref_active[i, f, g] and (f == 0 or not ref_active[i, f - 1, g]):
                    obj[g], next_id = next_id, next_id + 1
            gs, hs = np.flatnonzero(ref_active[i, f]), np.flatnonzero(pred_active[i, f])
            d = np.empty((len(gs), len(hs)))
            if len(gs) and len(hs):
                d = np.degrees(angle_matrix(ref[i, f][gs], pred[i, f][hs]))
            d = np.where(d <= gate_deg, d, np.nan)
            acc.update([obj[g] for g in gs], list(hs), d)
        accs.append(acc)
    summary = mm.metrics.create().compute_many(accs, metrics=["mota", "motp", "num_switches", "num_matches"],
                                               generate_overall=True)
    row = summary.loc["OVERALL"]
    # motmetrics counts a switch as its own event, not among num_matches
    return {"MOTA": float(row["mota"]), "MOTP": float(row["motp"]), "IDSW": int(row["num_switches"]),
            "matches": int(row["num_matches"]) + int(row["num_switches"])}


def track(az0, az1, t, el=0.0):
    return polar_to_xyz(np.linspace(az0, az1, t), np.full(t, el))


def assert_agree(pred, ref, ref_active, pred_active, has_activity=True):
    ours = clear_mot(pred, ref, ref_active, pred_active if has_activity else None)
    theirs = motmetrics_clear_mot(pred, ref, ref_active, pred_active if has_activity else np.ones_like(ref_active))
    assert ours["IDSW"] == theirs["IDSW"]
    assert ours["matches"] == theirs["matches"]
    assert ours["MOTA"] == pytest.approx(theirs["MOTA"], abs=1e-9)
    if theirs["matches"]:
        assert ours["MOTP"] == pytest.approx(theirs["MOTP"], abs=1e-6)
    return ours


def crossing_scene(t=40):
    """Two sources crossing in azimuth; the predictions follow them with noise."""
    rng = np.random.default_rng(0)
    ref = np.stack([track(-40, 40, t), track(40, -40, t)], axis=1)[None]  # (1, T, 2, 3)
    pred = ref + 0.05 * rng.normal(size=ref.shape)
    pred /= np.linalg.norm(pred, axis=-1, keepdims=True)
    return pred, ref, np.ones((1, t, 2), bool)


def test_crossing_tracks_predicted_through_the_crossing_have_no_switch():
    pred, ref, active = crossing_scene()
    ours = assert_agree(pred, ref, active, active)
    assert ours["IDSW"] == 0


def test_a_swap_that_stays_close_is_kept_by_the_standard_but_not_by_per_frame_matching():
    """Near the crossing both predictions are within the gate of both references: the standard keeps
    the correspondence, matching every frame afresh switches back and forth."""
    pred, ref, active = crossing_scene()
    pred = pred.copy()
    swap = [18, 21]  # frames near the crossing: the predicted slots swap for one frame each
    pred[0, swap] = pred[0, swap][:, ::-1]
    ours = assert_agree(pred, ref, active, active)
    per_frame = clear_mot(pred, ref, active, active, matching="per_frame")
    assert ours["IDSW"] <= per_frame["IDSW"]


def test_merge_two_references_one_prediction():
    t = 30
    ref = np.stack([track(0, 0, t), track(10, 10, t)], axis=1)[None]
    pred = np.stack([track(5, 5, t), track(120, 120, t)], axis=1)[None]
    active = np.ones((1, t, 2), bool)
    ours = assert_agree(pred, ref, active, active)
    assert ours["matches"] == t  # one of the two references matched in every frame


@pytest.mark.parametrize("has_activity", [True, False])
def test_disappear_and_reappear(has_activity):
    t = 40
    ref = np.stack([track(-90, -60, t), track(60, 90, t)], axis=1)[None]
    ref_active = np.ones((1, t, 2), bool)
    ref_active[0, 10:20, 0] = False  # slot 0: a source ends, a new one starts in the same slot
    pred = ref[:, :, ::-1].copy()  # the network tracks them in the other slot order
    pred_active = ref_active[:, :, ::-1].copy()
    pred_active[0, 25:28, 1] = False  # and drops one of them for a few frames
    pred[0, 30:] = ref[0, 30:]  # then swaps slots for good: identity switches
    assert_agree(pred, ref, ref_active, pred_active, has_activity)


@pytest.mark.parametrize("seed", range(6))
def test_random_slot_swaps_agree_with_motmetrics(seed):
    """The new user's check of the issue: seeded synthetic tracks with 10% of frames' slots swapped."""
    rng = np.random.default_rng(seed)
    b, t = 3, 60
    ref = np.stack([track(*rng.uniform(-180, 180, 2), t, el=rng.uniform(-30, 30)) for _ in range(2 * b)])
    ref = ref.reshape(b, 2, t, 3).transpose(0, 2, 1, 3)
    ref_active = rng.random((b, t, 2)) < 0.8
    pred = ref + 0.15 * rng.normal(size=ref.shape)
    pred /= np.linalg.norm(pred, axis=-1, keepdims=True)
    swap = rng.random((b, t)) < 0.1
    pred[swap] = pred[swap][:, ::-1]
    pred_active = ref_active.copy()
    pred_active[swap] = pred_active[swap][:, ::-1]
    pred_active ^= rng.random((b, t, 2)) < 0.05
    assert_agree(pred, ref, ref_active, pred_active)


def test_unknown_matching_is_an_error():
    pred, ref, active = crossing_scene(5)
    with pytest.raises(ValueError, match="matching"):
        clear_mot(pred, ref, active, active, matching="greedy")
