import numpy as np
import pytest
from sklearn.metrics import f1_score

from hnet.metrics import association_report, exact_accuracy, original_weighted_f1, per_case_accuracy, positive_f1


def random_pair(n, m=2, flip=0.05, seed=0):
    rng = np.random.default_rng(seed)
    ref = (rng.random((n, m, m)) < 0.25).astype(np.uint8)
    pred = np.where(rng.random((n, m, m)) < flip, 1 - ref, ref).astype(np.uint8)
    return pred, ref


def sklearn_original_f1(pred, ref, weights, batch_size):
    scores = []
    for b in range(len(ref) // batch_size):
        sl = slice(b * batch_size, (b + 1) * batch_size)
        scores.append(f1_score(ref[sl].reshape(-1), pred[sl].reshape(-1), zero_division=1, average="weighted",
                               sample_weight=np.tile(weights, batch_size)))
    return float(np.mean(scores))


@pytest.mark.parametrize("flip", [0.0, 0.02, 0.3])
def test_original_weighted_f1_matches_sklearn(flip):
    pred, ref = random_pair(1000, flip=flip)
    weights = np.array([0.306, 0.25, 0.25, 0.194])
    assert original_weighted_f1(pred, ref, weights, 64) == pytest.approx(sklearn_original_f1(pred, ref, weights, 64))


def test_original_weighted_f1_single_class_batches_match_sklearn():
    ref = np.zeros((64, 2, 2), np.uint8)
    for pred in (np.zeros_like(ref), np.ones_like(ref)):
        w = np.ones(4)
        assert original_weighted_f1(pred, ref, w, 32) == pytest.approx(sklearn_original_f1(pred, ref, w, 32))


def test_positive_f1_matches_sklearn_binary():
    pred, ref = random_pair(500, m=3, flip=0.1)
    got = positive_f1(pred, ref)
    assert got["f1"] == pytest.approx(f1_score(ref.reshape(-1), pred.reshape(-1)))
    assert got["tp"] + got["fn"] == ref.sum()


def test_positive_f1_with_no_positives_is_one():
    z = np.zeros((3, 2, 2), np.uint8)
    assert positive_f1(z, z)["f1"] == 1.0


def test_exact_accuracy_counts_whole_matrices():
    ref = np.zeros((4, 2, 2), np.uint8)
    pred = ref.copy()
    pred[0, 1, 1] = 1
    assert exact_accuracy(pred, ref) == 0.75
    assert np.isnan(exact_accuracy(pred[:0], ref[:0]))


def test_per_case_and_report():
    pred, ref = random_pair(200, flip=0.1, seed=3)
    nb_ref = np.repeat([0, 1], 100)
    nb_pred = np.tile([1, 2], 100)
    cases = per_case_accuracy(pred, ref, nb_ref, nb_pred)
    assert set(cases) == {"0,1", "0,2", "1,1", "1,2"}
    sel = (nb_ref == 1) & (nb_pred == 2)
    assert cases["1,2"] == exact_accuracy(pred[sel], ref[sel])
    report = association_report(pred, ref, nb_ref, nb_pred, resolution=np.repeat([1, 30], 100),
                                random_fill=np.tile([True, False], 100))
    assert report["worst_case"][1] == min(cases.values())
    assert set(report["per_resolution"]) == {"1", "30"} and set(report["per_fill"]) == {"const", "random"}
