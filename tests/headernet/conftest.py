"""Synthetic games shared by the HeaderNet tests: rendered once per session (a few seconds)."""

import shutil

import pytest

from configs.headernet import EASY_SYNTH, get_params
from headernet.synth import generate_games


@pytest.fixture(scope="session")
def games_root(tmp_path_factory):
    """Two games of 12-second halves (300 frames each) in SoccerNet layout and the easy look (the crops and boxes
    of the plumbing tests have exact answers there), read-only for the tests."""
    root = tmp_path_factory.mktemp("soccernet")
    generate_games(get_params("999", **EASY_SYNTH), out_dir=root, n_games=2, seed=5)
    return root


@pytest.fixture(scope="session")
def hard_games_root(tmp_path_factory):
    """One game of 12-second halves with the default (hard) look, read-only."""
    root = tmp_path_factory.mktemp("soccernet_hard")
    generate_games(get_params("999"), out_dir=root, n_games=1, seed=6)
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
