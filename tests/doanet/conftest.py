import pytest

from configs.doanet import get_params


@pytest.fixture
def quick_params(tmp_path):
    """Task 999 writing under tmp_path: 3 files of 6 s per fold."""
    return get_params("999", dataset_dir=str(tmp_path / "tau"), feat_label_dir=str(tmp_path / "feat"))


@pytest.fixture(scope="module")
def small_dataset(tmp_path_factory):
    """A synthetic set of two folds (1 and 3), shared by the tests of a module."""
    from doanet.synth import generate_dataset

    base = tmp_path_factory.mktemp("tau")
    params = get_params("999", dataset_dir=str(base / "tau"), feat_label_dir=str(base / "feat"), synth_folds=(1, 2, 3),
                        train_folds=(3,))
    generate_dataset(params, log=lambda *_: None)
    return params
