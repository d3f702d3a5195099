import numpy as np
import pytest

from doanet.labels import labels_to_rows, metadata_to_labels, polar_to_xyz, read_metadata, xyz_to_polar


def test_polar_xyz_round_trip():
    az = np.array([-180, -90, 0, 45, 179])
    el = np.array([-45, 0, 10, 45, -30])
    back_az, back_el = xyz_to_polar(polar_to_xyz(az, el))
    np.testing.assert_allclose(((back_az - az + 180) % 360) - 180, 0, atol=1e-9)
    np.testing.assert_allclose(back_el, el, atol=1e-9)


def test_csv_to_labels_round_trip(tmp_path):
    rows = [(0, 3, 0, 10, 20), (1, 3, 0, 12, 20), (1, 5, 0, -170, -40), (2, 5, 0, -171, -40)]
    (tmp_path / "a.csv").write_text("".join(",".join(map(str, r)) + "\n" for r in rows))
    meta = read_metadata(tmp_path / "a.csv")
    labels = metadata_to_labels(meta, 4, 2)
    assert labels.shape == (4, 2, 4)
    assert labels[..., 3].sum() == 4 and labels[3, :, 3].sum() == 0
    back = labels_to_rows(labels)
    assert sorted((int(r[0]), int(r[3]), int(r[4])) for r in back) == sorted((r[0], r[3], r[4]) for r in rows)


def test_a_source_keeps_its_slot_when_the_other_ends():
    # A (class 1) frames 0-9, B (class 2) frames 5-14; at frames 5-9 B is listed first, as CSV order may be
    rows = [(f, 1, 0, 0, 0) for f in range(10)] + [(f, 2, 0, 90, 0) for f in range(5, 15)]
    rows.sort(key=lambda r: (r[0], -r[1]))
    labels = metadata_to_labels(np.array(rows), 15, 2)
    slot_b = {int(np.flatnonzero((labels[f, :, 1] > 0.9) & (labels[f, :, 3] > 0))[0]) for f in range(5, 15)}
    slot_a = {int(np.flatnonzero((labels[f, :, 0] > 0.9) & (labels[f, :, 3] > 0))[0]) for f in range(10)}
    assert slot_a == {0} and slot_b == {1}


def test_same_class_two_tracks_are_two_sources():
    rows = np.array([(0, 4, 0, 0, 0), (0, 4, 1, 90, 0)])
    labels = metadata_to_labels(rows, 1, 2)
    assert labels[0, :, 3].sum() == 2


def test_more_sources_than_slots_names_file_and_frame():
    rows = np.array([(7, 1, 0, 0, 0), (7, 2, 0, 10, 0), (7, 3, 0, 20, 0)])
    with pytest.raises(ValueError, match=r"x.csv: frame 7 has 3 active sources, more than max_doas=2"):
        metadata_to_labels(rows, 10, 2, source="x.csv")


@pytest.mark.parametrize(("use_hnet", "fill"), [(True, [10, 10, 10]), (False, [0, 0, 1])])
def test_fill_is_applied_at_load(use_hnet, fill):
    import torch

    from doanet.losses import fill_targets

    labels = torch.zeros((2, 2, 4))
    labels[0, 0] = torch.tensor([1.0, 0, 0, 1])
    xyz = fill_targets(labels[..., :3], labels[..., 3], use_hnet).numpy()
    np.testing.assert_array_equal(xyz[0, 0], [1, 0, 0])
    np.testing.assert_array_equal(xyz[0, 1], fill)
    np.testing.assert_array_equal(xyz[1, 0], fill)


def test_bad_metadata_lines(tmp_path):
    (tmp_path / "b.csv").write_text("1,2,3\n")
    with pytest.raises(ValueError, match=r"b.csv:1: expected 5 fields"):
        read_metadata(tmp_path / "b.csv")
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        read_metadata(tmp_path / "nope.csv")
