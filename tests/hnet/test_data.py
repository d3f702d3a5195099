import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from configs.hnet import get_params
from hnet import data as hdata
from hnet.data import (
    chord_distance,
    generate_dataset,
    generate_split,
    hungarian_labels,
    load_split,
    sample_without_replacement,
    save_split,
    sph2cart,
    split_path,
    split_sizes,
)


def scipy_labels(cost):
    out = np.zeros(cost.shape, np.uint8)
    for i, c in enumerate(cost):
        r, k = linear_sum_assignment(c)
        out[i, r, k] = 1
    return out


# --- sampling ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("population", "k"), [(7, 0), (7, 1), (7, 2), (7, 7), (360, 4)])
def test_sample_without_replacement_is_distinct_and_in_range(population, k):
    s = sample_without_replacement(np.random.default_rng(0), population, k, 2000)
    assert s.shape == (2000, k)
    assert s.min(initial=0) >= 0 and s.max(initial=0) < population
    assert all(len(set(row)) == k for row in s.tolist())


def test_sample_without_replacement_is_uniform_per_position():
    s = sample_without_replacement(np.random.default_rng(1), 5, 3, 50_000)
    for j in range(3):
        freq = np.bincount(s[:, j], minlength=5) / len(s)
        np.testing.assert_allclose(freq, 0.2, atol=0.01)
    # ordered pairs are uniform too: 5 * 4 = 20 of them
    pairs = np.unique(s[:, 0] * 5 + s[:, 1], return_counts=True)[1] / len(s)
    assert len(pairs) == 20
    np.testing.assert_allclose(pairs, 1 / 20, atol=0.005)


def test_sample_more_than_population_raises():
    with pytest.raises(ValueError, match="cannot sample 8 distinct"):
        sample_without_replacement(np.random.default_rng(0), 7, 8, 3)


# --- Hungarian labels ---------------------------------------------------------------------------------

SHAPES = [(0, 2), (2, 0), (1, 1), (1, 2), (2, 1), (2, 2), (3, 3), (2, 4), (4, 3), (4, 4)]


@pytest.mark.parametrize("shape", SHAPES)
def test_hungarian_labels_equal_scipy_on_continuous_costs(shape):
    cost = np.random.default_rng(0).uniform(0, 2, size=(500, *shape))
    np.testing.assert_array_equal(hungarian_labels(cost), scipy_labels(cost))


@pytest.mark.parametrize("shape", [(2, 2), (2, 3), (3, 2), (3, 3), (4, 4)])
def test_hungarian_labels_equal_scipy_with_many_ties(shape):
    cost = np.random.default_rng(1).integers(0, 3, size=(1000, *shape)).astype(float)
    np.testing.assert_array_equal(hungarian_labels(cost), scipy_labels(cost))


def test_hungarian_labels_large_blocks_fall_back_to_scipy():
    cost = np.random.default_rng(2).uniform(size=(20, 7, 7))  # 5040 candidates > the enumeration limit
    np.testing.assert_array_equal(hungarian_labels(cost), scipy_labels(cost))


def test_generated_labels_equal_scipy_on_the_float64_distances(monkeypatch):
    """Inside the generator the labels are computed from float64 distances; check every call."""
    seen = []

    def checked(cost):
        out = hungarian_labels(cost)
        np.testing.assert_array_equal(out, scipy_labels(cost))
        seen.append(len(cost))
        return out

    monkeypatch.setattr(hdata, "hungarian_labels", checked)
    generate_split(get_params("999", sample_range=(30, 50, 150)), "test")
    assert sum(seen) > 0


# --- generated splits --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def split():
    return generate_split(get_params("999", sample_range=(200, 300, 900)), "train")


def test_case_counts(split):
    p = get_params("999", sample_range=(200, 300, 900))
    sizes = split_sizes(p, "train")
    for (r, c), n in sizes.items():
        assert np.sum((split["nb_ref"] == r) & (split["nb_pred"] == c)) == n * len(p.resolutions)
    assert sizes[(0, 2)] == 200 and sizes[(1, 2)] == 300 and sizes[(2, 2)] == 900
    assert len(split["dist"]) == 9 * (5 * 200 + 3 * 300 + 900)


def test_original_sizes():
    p = get_params("1")
    assert sum(split_sizes(p, "train").values()) * 9 == 405_000
    assert sum(split_sizes(p, "test").values()) * 9 == 40_500


def test_distance_matrix_is_chord_distance_of_stored_vectors(split):
    d = chord_distance(split["ref_cart"].astype(np.float64), split["pred_cart"].astype(np.float64))
    np.testing.assert_allclose(split["dist"], d, rtol=1e-5, atol=1e-4)


def test_value_ranges_and_fills(split):
    ref = split["ref_cart"]
    active = np.linalg.norm(ref, axis=-1) < 1.0001
    assert np.array_equal(active.sum(1), split["nb_ref"])
    np.testing.assert_allclose(np.linalg.norm(ref[active], axis=-1), 1.0, atol=1e-5)
    fills = ref[~active]  # (K, 3)
    const = ~split["random_fill"][np.nonzero(~active)[0]]
    assert np.all(fills[const] == 10.0)
    rand = fills[~const]
    assert np.all(np.abs(rand) > 1.0) and np.all(np.abs(rand) <= 100.0)
    assert np.mean(rand == 10.0) < 0.02  # only the replaced [-1, 1] values
    assert 0.45 < split["random_fill"].mean() < 0.55
    # active <-> active distances are chords in [0, 2]; const fill <-> const fill is exactly 0
    act = active[:, :, None] & (np.linalg.norm(split["pred_cart"], axis=-1) < 1.0001)[:, None, :]
    assert split["dist"][act].max() <= 2.0 + 1e-5


def test_angles_lie_on_the_grid_and_are_distinct_per_axis(split):
    for i in np.flatnonzero(split["nb_ref"] == 2)[:300]:
        v = split["ref_cart"][i][np.linalg.norm(split["ref_cart"][i], axis=-1) < 1.0001].astype(np.float64)
        az = np.rad2deg(np.arctan2(v[:, 1], v[:, 0]))
        el = np.rad2deg(np.arcsin(np.clip(v[:, 2], -1, 1)))
        res = split["resolution"][i]
        assert np.allclose(el / res, np.round(el / res), atol=1e-3)
        if np.all(np.abs(el) < 89.9):  # azimuth is undefined at the poles
            steps = (az + 180) / res
            assert np.allclose(steps, np.round(steps), atol=1e-3)
            assert len(np.unique(np.round(az, 3))) == 2
        assert len(np.unique(np.round(el, 3))) == 2


def test_labels_are_optimal_assignments(split):
    a, d = split["assoc"], split["dist"]
    assert a.sum(-1).max() <= 1 and a.sum(-2).max() <= 1
    assert np.array_equal(a.sum((1, 2)), np.minimum(split["nb_ref"], split["nb_pred"]))
    for i in range(0, len(a), 97):
        ra = np.linalg.norm(split["ref_cart"][i], axis=-1) < 1.0001
        pa = np.linalg.norm(split["pred_cart"][i], axis=-1) < 1.0001
        assert not a[i][~ra].any() and not a[i][:, ~pa].any()
        block = d[i][np.ix_(ra, pa)].astype(np.float64)
        if block.size:
            r, c = linear_sum_assignment(block)
            assert np.isclose((a[i][np.ix_(ra, pa)] * block).sum(), block[r, c].sum(), atol=1e-5)


def test_both_axes_are_shuffled(split):
    one = (split["nb_ref"] == 1) & (split["nb_pred"] == 1)
    rate = split["assoc"][one].reshape(-1, 4).mean(0)
    np.testing.assert_allclose(rate, 0.25, atol=0.04)  # a single match lands in every cell


def test_one_axis_shuffle_keeps_the_originals_bias():
    s = generate_split(get_params("999", sample_range=(50, 300, 100), shuffle="one_axis"), "train")
    one = (s["nb_ref"] == 1) & (s["nb_pred"] == 1)
    rate = s["assoc"][one].reshape(-1, 4).mean(0)
    assert rate[3] == 0.0 and rate[0] > 0.4  # a single (1,1) match never reaches cell (1,1)


def test_same_seed_same_data_other_seed_other_data():
    p = get_params("999", sample_range=(10, 20, 30))
    a, b = generate_split(p, "test"), generate_split(p, "test")
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    c = generate_split(p, "test", seed=1)
    assert not np.array_equal(a["dist"], c["dist"])
    v = generate_split(p, "val")
    assert not np.array_equal(a["dist"], v["dist"][: len(a["dist"])])


@pytest.mark.parametrize("max_doas", [1, 3, 4, 8])
def test_any_max_doas(max_doas):
    p = get_params("999", max_doas=max_doas, sample_range=(2,) * (max_doas + 1), resolutions=(1, 30))
    s = generate_split(p, "test" if max_doas < 8 else "train")
    assert s["dist"].shape[1:] == (max_doas, max_doas)
    assert np.array_equal(s["assoc"].sum((1, 2)), np.minimum(s["nb_ref"], s["nb_pred"]))


def test_sph2cart_axes():
    np.testing.assert_allclose(sph2cart(np.array([0, 90, 0]), np.array([0, 0, 90])), np.eye(3), atol=1e-12)


# --- files ---------------------------------------------------------------------------------------------

def test_save_load_round_trip(tmp_path):
    s = generate_split(get_params("999", sample_range=(2, 3, 4)), "test")
    save_split(tmp_path / "x.npz", s, {"signature": {"a": 1}})
    back = load_split(tmp_path / "x.npz")
    assert back["meta"] == {"signature": {"a": 1}}
    for k in s:
        np.testing.assert_array_equal(back[k], s[k])


def test_missing_file_names_the_command(tmp_path):
    with pytest.raises(FileNotFoundError, match="generate_hnet_data.py"):
        load_split(tmp_path / "nope.npz")


def test_corrupt_file_is_reported(tmp_path):
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="bad.npz is not a readable HNet"):
        load_split(tmp_path / "bad.npz")


def test_generate_dataset_skips_finished_files_and_forces(tmp_path):
    p = get_params("999", sample_range=(2, 3, 4), data_dir=str(tmp_path))
    logs = []
    generate_dataset(p, log=logs.append)
    mtime = split_path(tmp_path, "train").stat().st_mtime_ns
    generate_dataset(p, log=logs.append)
    assert split_path(tmp_path, "train").stat().st_mtime_ns == mtime
    assert sum("kept" in line for line in logs) == 3
    generate_dataset(p, seed=5, log=logs.append)  # other parameters: regenerated
    assert load_split(split_path(tmp_path, "train"))["meta"]["signature"]["seed"] == 5


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    p = get_params("999", sample_range=(2, 3, 4), data_dir=str(tmp_path))

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(KeyboardInterrupt):
        generate_dataset(p, log=lambda *_: None)
    assert list(tmp_path.iterdir()) == []


# --- against the original's per-example loop ---------------------------------------------------------

def test_distribution_matches_the_original_loop():
    """Same counts, and the same statistics per case, as the plain loop of the original algorithm."""
    from hnet.reference import generate_original_loop

    kw = {"sample_range": (100, 200, 600), "resolutions": (1, 5, 30)}
    loop = generate_original_loop(**kw, seed=0)
    vec = generate_split(get_params("999", **kw, shuffle="one_axis"), "train")
    assert len(loop) == len(vec["dist"])
    loop_nb = np.array([[v[0], v[1]] for v in loop.values()])
    np.testing.assert_array_equal(loop_nb[:, 0], vec["nb_ref"])  # same order: resolution, nb_ref, nb_pred
    np.testing.assert_array_equal(loop_nb[:, 1], vec["nb_pred"])
    loop_dist = np.stack([v[2] for v in loop.values()])
    loop_assoc = np.stack([v[3] for v in loop.values()])
    for case in [(1, 1), (2, 2), (2, 1), (0, 2)]:
        sel = (loop_nb[:, 0] == case[0]) & (loop_nb[:, 1] == case[1])
        # active-active distances: same mean chord; share of exact zeros (fill <-> fill) alike
        a, b = loop_dist[sel], vec["dist"][sel]
        if min(case) > 0:
            assert abs(a[a <= 2.0].mean() - b[b <= 2.0].mean()) < 0.05
        assert abs(np.mean(a == 0) - np.mean(b == 0)) < 0.05
        # positions of positives: the original's one-axis bias is reproduced
        np.testing.assert_allclose(loop_assoc[sel].reshape(-1, 4).mean(0), vec["assoc"][sel].reshape(-1, 4).mean(0),
                                   atol=0.06)


@pytest.mark.parametrize("k", [0, 1, 2])
@pytest.mark.parametrize("near", [None, 5.0])
def test_doanet_regime_split(k, near):
    from hnet.data import doanet_regime_split

    s = doanet_regime_split(2, k, 300, seed=0, near_deg=near)
    assert s["dist"].shape == (300, 2, 2)
    np.testing.assert_array_equal(s["assoc"].sum((1, 2)), np.full(300, k))  # every reference is matched
    assert not s["assoc"][:, :, k:].any()  # fill columns never are
    np.testing.assert_allclose(s["dist"][:, :, k:], np.sqrt(((s["ref_cart"][:, :, None] - 10.0) ** 2).sum(-1)).repeat(
        2 - k, axis=2), rtol=1e-5)
    if near is not None and k:
        matched = s["dist"][s["assoc"].astype(bool)]
        assert np.median(matched) < np.deg2rad(3 * near)  # predictions sit near their references


def test_angle_jitter_moves_doas_off_the_grid():
    on = generate_split(get_params("999", sample_range=(20, 100, 300)), "train")
    off = generate_split(get_params("999", sample_range=(20, 100, 300), angle_jitter_deg=1.0), "train")

    def active_distances(s):
        act_r = np.linalg.norm(s["ref_cart"], axis=-1) < 1.0001
        act_p = np.linalg.norm(s["pred_cart"], axis=-1) < 1.0001
        return s["dist"][act_r[:, :, None] & act_p[:, None, :]]

    gap = lambda d: np.mean((d > 1e-4) & (d < 0.017))  # noqa: E731
    assert gap(active_distances(on)) == 0.0 and gap(active_distances(off)) > 0.001
    a = off["assoc"]
    assert np.array_equal(a.sum((1, 2)), np.minimum(off["nb_ref"], off["nb_pred"]))


@pytest.mark.parametrize("fraction", [0.0, 0.3, 1.0])
def test_exact_matches_are_active_pairs_at_distance_zero_and_associated(fraction):
    s = generate_split(get_params("999", sample_range=(20, 100, 300), exact_match_fraction=fraction), "train")
    act_r = np.linalg.norm(s["ref_cart"], axis=-1) < 1.0001
    act_p = np.linalg.norm(s["pred_cart"], axis=-1) < 1.0001
    active = act_r[:, :, None] & act_p[:, None, :]
    zero = active & (s["dist"] == 0)
    has_pairs = (s["nb_ref"] > 0) & (s["nb_pred"] > 0)
    share = zero.any((1, 2))[has_pairs].mean()
    assert abs(share - fraction) < 0.05 + (0.01 if fraction == 0 else 0)  # the grid gives a few by chance
    # an exact copy is a Hungarian match (the chord distance is a metric); a second zero in the same row or
    # column (a grid coincidence) may lose the tie
    has_zero = zero.any((1, 2))
    assert (zero & (s["assoc"] == 1)).any((1, 2))[has_zero].all()
