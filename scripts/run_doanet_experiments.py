"""The DOAnet paper's comparison: MSE, PIT, dMOT-only and dMOT-with-activity models on FOA and MIC,
trained on the synthetic TAU-NIGENS set, with the test-fold results as a table in docs/doanet.md.

    python3 scripts/run_doanet_experiments.py cpu --protocol cpu --datasets foa  # docs/doanet.md table (tasks 30-33, CPU)
    python3 scripts/run_doanet_experiments.py exp --device cuda         # the paper's full set-up (tasks 1-21)
    python3 scripts/run_doanet_experiments.py q --quick --device cpu    # the same pipeline on quick_test data
    python3 scripts/run_doanet_experiments.py exp --datasets foa --models MSE "dMOT + activity" --set nb_epochs=50

The first argument is the job id: rerun the same command to resume (every training continues from its
last checkpoint; finished ones are only evaluated).

Generates the synthetic recordings and features where missing (resumable), trains each model with
scripts/train_doanet.py's code (each run resumes from its last checkpoint), writes the table to
<model_dir>/doanet_experiments_<job>.md and .json, and, unless --no-readme, between the
'doanet-results' markers of docs/doanet.md.
"""

import argparse
import sys
from pathlib import Path

from common.cli import report_errors
from common.io import atomic_write, write_json
from configs.base import parse_set_args
from doanet.experiments import (
    PROTOCOLS,
    comparison_curves,
    experiment_params,
    results_table,
    run_experiments,
    write_between_markers,
)

ROOT = Path(__file__).resolve().parents[1]


def run(args: argparse.Namespace) -> None:
    overrides = parse_set_args(args.set)
    first_task = PROTOCOLS[args.protocol][0][1]["foa"]
    experiment_params(first_task, args.quick, **overrides)  # a bad override fails before any work
    rows = run_experiments(tuple(args.datasets), tuple(args.models) if args.models else None, args.job_id, args.quick,
                           args.device, protocol=args.protocol, **overrides)
    table = results_table(rows)
    machine = f"Measured on {rows[0]['device']}" + (" with quick_test data (a smoke run, not the comparison)" if args.quick
                                                    else "") + "; test fold, model selected on validation LE."
    sizes = {(r["dataset"], str(r.get("windows"))) for r in rows}
    machine += " Windows of 5 s (train / val / test): " + "; ".join(f"{d.upper()} {w}" for d, w in sorted(sizes))
    machine += f"; training seed {rows[0]['seed']}; protocol '{args.protocol}', job '{args.job_id}'."
    text = f"{table}\n\n{machine}\n"
    out = Path(experiment_params(first_task, args.quick, **overrides).model_dir) / f"doanet_experiments_{args.job_id}"
    atomic_write(out.with_suffix(".md"), lambda f: f.write(text.encode()))
    write_json(out.with_suffix(".json"), rows)
    print(f"\n{text}\nwrote {out}.md and .json")
    if args.curves:
        print(f"training curves: {comparison_curves(rows, args.curves)}")
    if not args.no_readme:
        write_between_markers(args.readme, text)
        print(f"updated the results table in {args.readme}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("job_id", nargs="?", default="exp", help="job id of the runs (names outputs; rerun with the same id "
                    "to resume)")
    ap.add_argument("--protocol", default="full", choices=sorted(PROTOCOLS),
                    help="'full': the paper's set-up (tasks 1-21); 'cpu': the scaled-down set-up of tasks 30-35")
    ap.add_argument("--datasets", nargs="+", default=["foa", "mic"], choices=["foa", "mic"])
    ap.add_argument("--models", nargs="+", default=None, metavar="MODEL",
                    help=f"a subset of {[name for name, _ in PROTOCOLS['full']]}, trained in the order given "
                    "(default: all)")
    ap.add_argument("--quick", action="store_true", help="quick_test data and budgets: the pipeline in a few minutes on a CPU")
    ap.add_argument("--device", default="auto", help="'auto' (CUDA if available), 'cpu', 'cuda'")
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="overrides for every run, e.g. nb_epochs=50")
    ap.add_argument("--readme", default=str(ROOT / "docs" / "doanet.md"), help="the page with the doanet-results markers")
    ap.add_argument("--no-readme", action="store_true", help="write the table files only")
    ap.add_argument("--curves", help="also draw every model's training curves into this PNG (e.g. docs/doanet_cpu_curves.png)")
    args = ap.parse_args(argv)
    return report_errors(run, args)


if __name__ == "__main__":
    sys.exit(main())
