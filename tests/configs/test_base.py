import pytest

from configs.base import parse_set_args, to_dict
from configs.hnet import TASKS, HNetParams, get_params


def test_task_1_is_the_original_setup():
    p = get_params("1")
    assert p.max_doas == 2
    assert p.resolutions == (1, 2, 3, 4, 5, 10, 15, 20, 30)
    assert p.sample_range == (3000, 5000, 15000)
    assert p.test_scale == 0.1 and p.batch_size == 256 and p.lr == 1e-3


def test_every_task_resolves_and_quick_test_is_on_for_999():
    for task in TASKS:
        assert isinstance(get_params(task), HNetParams)
    assert get_params(999).quick_test and not get_params(1).quick_test


@pytest.mark.parametrize("task", ["3", "4"])
def test_more_doas_tasks_have_one_count_per_level(task):
    p = get_params(task)
    assert len(p.sample_range) == p.max_doas + 1


def test_unknown_task_lists_known_ids():
    with pytest.raises(ValueError, match=r"unknown task id '42'.*'1'.*'999'"):
        get_params("42")


def test_unknown_key_names_known_keys():
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['max_doa'\].*max_doas"):
        get_params("1", max_doa=3)


@pytest.mark.parametrize(
    ("key", "value"),
    [("max_doas", "2"), ("max_doas", 2.5), ("max_doas", True), ("lr", "fast"), ("quick_test", 1), ("resolutions", 5),
     ("loss_weights", (1.0, 1.0))],
)
def test_mistyped_values_are_refused(key, value):
    with pytest.raises(ValueError, match=key):
        get_params("1", **{key: value})


def test_lists_become_tuples_and_ints_become_floats():
    p = get_params("1", resolutions=[1, 5], lr=1, max_doas=2)
    assert p.resolutions == (1, 5) and isinstance(p.lr, float)


@pytest.mark.parametrize(
    ("overrides", "match"),
    [({"max_doas": 0, "sample_range": (1,)}, "max_doas must be >= 1"), ({"sample_range": (1, 2)}, "max_doas \\+ 1 = 3"),
     ({"shuffle": "rows"}, "shuffle"), ({"resolutions": (0,)}, "resolutions")],
)
def test_validation(overrides, match):
    with pytest.raises(ValueError, match=match):
        get_params("1", **overrides)


def test_params_are_frozen():
    with pytest.raises(AttributeError):
        get_params("1").lr = 0.1  # type: ignore[misc]


def test_parse_set_args():
    assert parse_set_args(["lr=3e-4", "resolutions=(1, 5)", "shuffle=one_axis", "quick_test=True"]) == {
        "lr": 3e-4, "resolutions": (1, 5), "shuffle": "one_axis", "quick_test": True}
    with pytest.raises(ValueError, match="key=value"):
        parse_set_args(["lr"])


def test_to_dict_is_plain_json():
    d = to_dict(get_params("1"))
    assert d["resolutions"] == [1, 2, 3, 4, 5, 10, 15, 20, 30]
