"""The paper's comparison: MSE, PIT, dMOT-only and dMOT-with-activity DOAnets on FOA and MIC, one table.

``run_experiments`` makes sure the synthetic set and its features exist (both builders skip finished
files), trains each model through ``doanet.train.train`` (which resumes), and returns one row per model;
``results_table`` formats the rows as Markdown and ``write_between_markers`` puts the table into README.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from common.io import atomic_write
from configs.doanet import TASKS, DOAnetParams, get_params

# (model, {dataset: task id of configs/doanet.py}), in the order of the table, per protocol: 'full' is the
# paper's set-up (100 files of 60 s per fold, 200 epochs), 'cpu' the scaled-down one of tasks 30-35.
PROTOCOLS: dict[str, tuple[tuple[str, dict[str, str]], ...]] = {
    "full": (
        ("MSE", {"foa": "2", "mic": "7"}),
        ("PIT", {"foa": "20", "mic": "21"}),
        ("dMOT only", {"foa": "3", "mic": "8"}),
        ("dMOT + activity", {"foa": "1", "mic": "9"}),
    ),
    "cpu": (
        ("MSE", {"foa": "31", "mic": "35"}),
        ("PIT", {"foa": "32"}),
        ("dMOT only", {"foa": "33"}),
        ("dMOT + activity", {"foa": "30", "mic": "34"}),
    ),
}
EXPERIMENTS = PROTOCOLS["full"]
MARKERS = ("<!-- doanet-results:begin -->", "<!-- doanet-results:end -->")


def experiment_params(task_id: str, quick: bool = False, **overrides: Any) -> DOAnetParams:
    """The parameters of one experiment. ``quick``: the model and loss of ``task_id`` on quick_test data."""
    if quick:
        return get_params("999", **{**TASKS[task_id], **overrides})
    return get_params(task_id, **overrides)


def prepare_data(params: DOAnetParams, task_id: str, device: str, log=print) -> None:
    """The synthetic recordings (FOA and MIC from the same scenes) and this dataset's features."""
    from common.device import pick_device
    from doanet.extraction import batch_feature_extraction
    from doanet.synth import generate_dataset

    generate_dataset(params, log=log)
    batch_feature_extraction(params, task_id, str(pick_device(device)), log=log)


def run_experiments(datasets: tuple[str, ...] = ("foa", "mic"), models: tuple[str, ...] | None = None,
                    job_id: str = "exp", quick: bool = False, device: str = "auto", log=print,
                    protocol: str = "full", **overrides: Any) -> list[dict[str, Any]]:
    """Train every (model, dataset) of the protocol, in the order of ``models`` when given, and return the
    rows of the results table (in the table's order)."""
    from doanet.train import train

    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}; known: {sorted(PROTOCOLS)}")
    experiments = dict(PROTOCOLS[protocol])
    for name in models or ():
        if name not in experiments:
            raise ValueError(f"unknown model {name!r}; known: {list(experiments)}")
    order = list(models or experiments)
    rows, prepared = [], set()
    for dataset in datasets:
        for name in order:
            tasks = experiments[name]
            if dataset not in tasks:
                if models:
                    raise ValueError(f"model {name!r} has no {dataset!r} task in protocol {protocol!r}; "
                                     f"known: {sorted(tasks)}")
                continue
            task_id = tasks[dataset]
            params = experiment_params(task_id, quick, **overrides)
            if dataset not in prepared:
                prepare_data(params, task_id, device, log)
                prepared.add(dataset)
            log(f"=== {name}, {dataset.upper()}: task {task_id}{' (quick_test data)' if quick else ''}, job {job_id}")
            metrics = train(params, "999" if quick else task_id, f"{job_id}_t{task_id}" if quick else job_id, device,
                            log=log)
            rows.append({"model": name, "protocol": protocol, "dataset": dataset, "task_id": task_id,
                         "epochs": params.nb_epochs, "best_epoch": metrics["best_epoch"],
                         "train_time_s": metrics["train_time_s"], "seed": params.train_seed,
                         "run_dir": str(Path(params.run_dir) / f"{'999' if quick else task_id}_{metrics['job_id']}"),
                         "windows": metrics.get("windows"), "device": metrics["device"], "test": metrics["test"]})
    table_order = list(experiments)
    return sorted(rows, key=lambda r: (datasets.index(r["dataset"]), table_order.index(r["model"])))


def comparison_curves(rows: list[dict[str, Any]], out: str | Path) -> Path:
    """One PNG of every row's training curves (from its run's last.pt), per dataset in the legend."""
    from common.checkpoint import load_checkpoint
    from doanet.plots import plot_comparison_curves

    histories = {f"{r['model']} ({r['dataset'].upper()})": load_checkpoint(Path(r["run_dir"]) / "last.pt")["history"]
                 for r in rows}
    return plot_comparison_curves(histories, out, "DOAnet comparison: training curves")


def _fmt(value: float, digits: int = 1) -> str:
    return "n/a" if value != value else f"{value:.{digits}f}"  # NaN: no matched frame at all


def results_table(rows: list[dict[str, Any]]) -> str:
    """Markdown: the original's metrics and gated CLEAR-MOT on the test fold, with epochs and wall time."""
    lines = [
        "| model | data | task | epochs (best) | train time | LE (deg) | MOTA (%) | IDS | LR (%) | LP (%) | LF (%) "
        "| CLEAR-MOT MOTA | MOTP (deg) | IDSW | F |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        o, c = r["test"]["original"], r["test"]["clear_mot"]
        lines.append(
            f"| {r['model']} | {r['dataset'].upper()} | {r['task_id']} | {r['epochs']} ({r['best_epoch']}) "
            f"| {r['train_time_s'] / 60:.1f} min | {_fmt(o['LE'])} | {_fmt(o['MOTA'])} | {o['IDS']} | {_fmt(o['LR'])} "
            f"| {_fmt(o['LP'])} | {_fmt(o['LF'])} | {_fmt(c['MOTA'], 3)} | {_fmt(c['MOTP'])} | {c['IDSW']} "
            f"| {_fmt(c['F'], 3)} |")
    return "\n".join(lines)


def write_between_markers(path: str | Path, text: str, markers: tuple[str, str] = MARKERS) -> None:
    """Replace what lies between the two marker lines of ``path`` with ``text`` (atomically)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist")
    doc = path.read_text()
    begin, end = doc.find(markers[0]), doc.find(markers[1])
    if begin < 0 or end < begin:
        raise ValueError(f"{path} needs the lines {markers[0]!r} and then {markers[1]!r} around the results table")
    new = doc[:begin + len(markers[0])] + "\n" + text.strip() + "\n" + doc[end:]
    atomic_write(path, lambda f: f.write(new.encode()))
