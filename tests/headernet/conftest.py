"""Synthetic games shared by the HeaderNet tests: rendered once per session (a few seconds)."""

import shutil

import pytest

from configs.headernet import get_params
from headernet.synth import generate_games


@pytest.fixture(scope="session")
def games_root(tmp_path_factory):
    """Two games of 12-second halves (300 frames each) in SoccerNet layout, read-only for the tests."""
    root = tmp_path_factory.mktemp("soccernet")
    generate_games(get_params("999"), out_dir=root, n_games=2, seed=5)
    return root


@pytest.fixture
def games_copy(games_root, tmp_path):
    """A writable copy of the games, for tests that damage them."""
    return shutil.copytree(games_root, tmp_path / "soccernet")


@pytest.fixture
def params_for(tmp_path):
    """Task 999 reading ``root`` and writing under tmp_path."""

    def make(root, **overrides):
        return get_params("999", **{"dataset_path": str(root), "output_dir": str(tmp_path / "cache"), **overrides})

    return make


@pytest.fixture
def script_main():
    """``script_main("generate_positive_negative_dataset")`` -> that script's ``main``, run in this process."""
    import importlib.util

    from tests.script_runner import ROOT

    def load(name):
        spec = importlib.util.spec_from_file_location(f"_script_{name}", ROOT / "scripts" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.main

    return load
