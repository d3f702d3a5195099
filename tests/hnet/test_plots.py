import numpy as np

from configs.hnet import get_params
from hnet.data import generate_split
from hnet.plots import pick_examples, plot_associations
from hnet.train import plot_run_curves


def test_pick_examples_covers_every_case_then_fills():
    s = generate_split(get_params("999", sample_range=(3, 4, 5), resolutions=(10,)), "train")
    idx = pick_examples(s, s["assoc"], 12)
    assert len(idx) == 12 and len(set(idx.tolist())) == 12
    cases = {(int(s["nb_ref"][i]), int(s["nb_pred"][i])) for i in idx}
    assert len(cases) == 9


def test_pick_examples_errors_only():
    s = generate_split(get_params("999", sample_range=(3, 4, 5), resolutions=(10,)), "train")
    assert len(pick_examples(s, s["assoc"], 5, errors_only=True)) == 0  # a perfect prediction has no errors
    wrong = s["assoc"].copy()
    wrong[[2, 7]] = 1 - wrong[[2, 7]]
    assert pick_examples(s, wrong, 5, errors_only=True).tolist() == [2, 7]


def test_plots_are_written(tmp_path):
    s = generate_split(get_params("999", sample_range=(1, 1, 1), resolutions=(10,)), "train")
    out = plot_associations(s, s["assoc"].astype(float), np.arange(3), tmp_path / "a.png")
    history = [{"epoch": e, "train_loss": 3.0 / e, "val_loss": 3.6 / e, "val_exact_acc": 1 - 0.1 / e,
                "val_pos_f1": 1 - 0.05 / e} for e in (1, 2, 3)]
    curves = plot_run_curves(history, tmp_path / "c.png", 0.9941)
    assert out.stat().st_size > 5000 and curves.stat().st_size > 5000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "c.png"]  # no temporary left behind
