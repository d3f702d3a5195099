import math

import pytest

from doanet.experiments import MARKERS, experiment_params, results_table, run_experiments, write_between_markers


def _row(model, le):
    original = {"LE": le, "MOTA": 50.0, "IDS": 3, "LR": 80.0, "LP": 70.0, "LF": 74.7}
    clear = {"MOTA": 0.4, "MOTP": 12.3, "IDSW": 2, "recall": 0.8, "precision": 0.7, "F": 0.747}
    return {"model": model, "dataset": "foa", "task_id": "2", "epochs": 10, "best_epoch": 7, "train_time_s": 90.0,
            "device": "cpu", "test": {"original": original, "clear_mot": clear}}


def test_table_has_one_line_per_run_and_marks_missing_values():
    table = results_table([_row("MSE", 21.5), _row("dMOT + activity", math.nan)]).splitlines()
    assert len(table) == 4 and table[0].count("|") == table[2].count("|")
    assert "| MSE | FOA | 2 | 10 (7) | 1.5 min | 21.5 |" in table[2]
    assert "| n/a |" in table[3]


def test_readme_table_is_replaced_between_the_markers_only(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{MARKERS[0]}\nold table\n{MARKERS[1]}\nafter\n")
    write_between_markers(readme, "| new |")
    assert readme.read_text() == f"intro\n{MARKERS[0]}\n| new |\n{MARKERS[1]}\nafter\n"
    write_between_markers(readme, "| newer |")  # again: still one table
    assert readme.read_text().count("| new") == 1


def test_readme_without_markers_is_an_error_naming_it(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("no markers here\n")
    with pytest.raises(ValueError, match=r"README\.md needs the lines"):
        write_between_markers(readme, "| t |")
    assert readme.read_text() == "no markers here\n"


def test_quick_experiments_keep_the_model_of_their_task():
    pit = experiment_params("21", quick=True)
    assert (pit.quick_test, pit.dataset, pit.use_hnet, pit.baseline) == (True, "mic", False, "pit")
    assert experiment_params("3").use_dmot_only and not experiment_params("3").quick_test


def test_unknown_model_is_refused_before_any_work():
    with pytest.raises(ValueError, match="unknown model 'LSTM'"):
        run_experiments(models=("LSTM",))
