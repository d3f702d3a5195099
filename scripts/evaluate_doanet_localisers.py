"""DOAnet models next to the classical localisers, on fresh synthetic recordings no training or selection used.

    python3 scripts/evaluate_doanet_localisers.py --checkpoint data/pretrained/doanet_foa.pt    # the shipped model
    python3 scripts/evaluate_doanet_localisers.py --checkpoint dmot=A.pt --checkpoint mse=B.pt --docs docs/doanet.md
    python3 scripts/evaluate_doanet_localisers.py --tune data/tau_synth_large_eval    # thresholds on validation

Rows: each --checkpoint (NAME=PATH or PATH), and the classical localisers of doanet.classical: FOA
pseudo-intensity and MIC NormMUSIC, each with its own source count and with the reference (oracle) count.
Recordings: one per seed and overlap (ov1, ov2), --length-s long, rendered into --recordings (reused when
there). Scored ov1, ov2 and pooled: LE / LR / LP / LF, F20 (SELD-style F within 20 deg), CLEAR-MOT MOTA /
MOTP / IDSW. Writes --out (JSON), prints the table last, and with --docs puts it between the
'doanet-localisers' markers of that page (--markers NAME: another block of it).

--keep-rows adds to the rows already in --out (e.g. the classical rows once, then each new model).
--tune DIR chooses the classical thresholds on the validation fold (--tune-fold, default 2) of a
TAU-NIGENS-format folder and writes them to --classical-params; evaluation reads them from there.
--tune DIR with --checkpoint sweeps each model's activity threshold and duplicate-merge angle (the less
confident of two active tracks closer than it is dropped) there instead, and prints the best; with
--write-threshold it also writes both into the checkpoint, which inference uses from then on (a model evaluates
with what its checkpoint carries, else 0.5 and no merge, unless --activity-threshold / --merge-within-deg say).
"""

import argparse
import sys
from pathlib import Path

DEFAULT_PARAMS = "data/pretrained/doanet_classical.json"
def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def seed_range(text: str) -> list[int]:
    """'1000-1009' or '3,5,8' -> seeds."""
    try:
        if "-" in text:
            lo, hi = (int(x) for x in text.split("-"))
            return list(range(lo, hi + 1))
        return [int(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a seed range like 1000-1009 or 3,5,8") from None


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("task_id", nargs="?", default="40", help="parameter set for the recordings (configs/doanet.py)")
    ap.add_argument("--checkpoint", action="append", default=[], metavar="[NAME=]PATH", help="a DOAnet model (repeat)")
    ap.add_argument("--classical", nargs="*", default=["foa", "foa-oracle", "mic", "mic-oracle"],
                    choices=["foa", "foa-oracle", "mic", "mic-oracle"], help="classical rows (default all)")
    ap.add_argument("--classical-params", default=DEFAULT_PARAMS, help=f"thresholds JSON (default {DEFAULT_PARAMS})")
    ap.add_argument("--seeds", type=seed_range, default=seed_range("1000-1009"), help="recording seeds (default 1000-1009)")
    ap.add_argument("--length-s", type=float, default=30.0, help="recording length in seconds (default 30)")
    ap.add_argument("--recordings", default="data/eval/doanet_fresh", help="where fresh recordings are rendered")
    ap.add_argument("--tune", metavar="DIR", help="choose classical thresholds on this folder's validation fold")
    ap.add_argument("--validation", metavar="DIR", help="score on this folder's validation fold (--tune-fold) instead "
                    "of fresh recordings: for choosing between models")
    ap.add_argument("--tune-fold", type=int, default=2, help="the validation fold for --tune and --validation (default 2)")
    ap.add_argument("--tune-files", type=int, default=8, help="recordings of that fold used (default 8)")
    ap.add_argument("--out", default="data/eval/doanet_localisers.json", help="results JSON")
    ap.add_argument("--docs", help="a page with the --markers markers to write the table into")
    ap.add_argument("--markers", default="doanet-localisers",
                    help="name of the markers in --docs (default doanet-localisers: <!-- NAME:begin --> ... end)")
    ap.add_argument("--activity-threshold", type=float, default=None,
                    help="the models' activity probability threshold (default: the one each checkpoint carries, "
                    "chosen on validation by --tune --write-threshold, else 0.5)")
    ap.add_argument("--merge-within-deg", type=float, default=None,
                    help="drop the less confident of two active tracks of a frame closer than this (default: the "
                    "angle each checkpoint carries, chosen on validation with the threshold, else 0: no merge)")
    ap.add_argument("--write-threshold", action="store_true",
                    help="with --tune and --checkpoint: write the threshold and merge angle chosen on validation into "
                    "the checkpoint")
    ap.add_argument("--group", help="name the models of this run as one group (e.g. seeds of one recipe): "
                    "its mean and spread get their own table")
    ap.add_argument("--keep-rows", action="store_true",
                    help="keep the rows of --out that this run does not recompute (same seeds and length)")
    ap.add_argument("--device", default="cpu", help="for the models: auto, cpu, cuda or cuda:N (default cpu)")
    return ap


def tune(args, params) -> None:
    from common.io import write_json
    from doanet.classical import ClassicalParams
    from doanet.comparison import dataset_recordings, tune_activity_threshold, tune_classical

    recordings = dataset_recordings(params, args.tune, args.tune_fold, args.tune_files)
    if args.checkpoint:  # the models' activity thresholds, not the classical ones
        for spec in args.checkpoint:
            path = spec.rpartition("=")[2]
            best, trials = tune_activity_threshold(path, recordings, params, args.device)
            for t in trials:
                print(f"{path}: activity > {t['activity_threshold']:.1f}, merge within {t['merge_within_deg']:.0f} deg: "
                      f"validation LE {t['LE']:.1f} LF {t['LF']:.1f} F20 {t['F20']:.1f} MOTA {t['MOTA']:.3f}")
            thr, within = best["activity_threshold"], best["merge_within_deg"]
            print(f"{path}: best on validation: --activity-threshold {thr} --merge-within-deg {within:g}")
            if args.write_threshold:
                from doanet.inference import set_activity_threshold

                set_activity_threshold(path, thr, f"{args.tune} fold {args.tune_fold}, {len(recordings)} recordings, "
                                                  "best pooled CLEAR-MOT MOTA", merge_within_deg=within)
                print(f"wrote activity threshold {thr} and merge angle {within:g} deg into {path}")
        return
    chosen, report = {}, {}
    for fmt in ("foa", "mic"):
        best, trials = tune_classical(fmt, recordings, params, ClassicalParams())
        chosen[fmt] = {k: getattr(best, k) for k in ("diffuseness_max", "context_frames", "activity_db",
                                                      "second_peak_ratio")}
        report[fmt] = trials
        top = max(trials, key=lambda t: t["MOTA"])
        print(f"{fmt}: {chosen[fmt]} -> validation LE {top['LE']:.1f} F20 {top['F20']:.1f} MOTA {top['MOTA']:.3f}")
    write_json(args.classical_params, {"chosen_on": f"{args.tune} fold {args.tune_fold}, {len(recordings)} recordings",
                                       "selection": "pooled CLEAR-MOT MOTA", **chosen})
    write_json(Path(args.out).with_name("doanet_classical_tuning.json"), report)
    print(f"wrote {args.classical_params}")


def evaluate_all(args, params) -> None:
    import json

    from common.io import write_json
    from doanet.classical import ClassicalParams, with_changes
    from doanet.comparison import (
        classical_localiser,
        comparison_table,
        doanet_localiser,
        evaluate,
        fresh_recordings,
        mean_spread_table,
    )
    from doanet.experiments import write_between_markers

    if args.validation:  # model selection: the validation fold of a data set, never fresh test recordings
        from doanet.comparison import dataset_recordings

        recordings = dataset_recordings(params, args.validation, args.tune_fold)
    else:
        recordings = fresh_recordings(params, args.recordings, args.seeds, args.length_s)
    rows = []
    for spec in args.checkpoint:
        name, _, path = spec.rpartition("=")
        localiser, model_params, has_activity = doanet_localiser(path, args.device, args.activity_threshold,
                                                                 args.merge_within_deg)
        rows.append(evaluate(name or Path(path).stem, localiser, recordings, params, has_activity,
                             checkpoint=path, dataset=model_params.dataset, group=args.group,
                             train_seed=model_params.train_seed, activity_threshold=localiser.activity_threshold,
                             merge_within_deg=localiser.merge_within_deg))
        print(comparison_table(rows[-1:]))
    tuned = json.loads(Path(args.classical_params).read_text()) if Path(args.classical_params).is_file() else {}
    for kind in args.classical:
        fmt, oracle = kind.split("-")[0], kind.endswith("oracle")
        cp = with_changes(ClassicalParams(), **tuned.get(fmt, {}))
        label = f"classical {fmt.upper()} {'NormMUSIC' if fmt == 'mic' else 'intensity'}, " + \
            ("oracle count" if oracle else "own count")
        rows.append(evaluate(label, classical_localiser(fmt, params, cp, oracle), recordings, params,
                             dataset=fmt, classical_params=cp.__dict__))
        print(comparison_table(rows[-1:]))
    if args.keep_rows and Path(args.out).is_file():  # rows of an earlier run on the same recordings stay
        earlier = json.loads(Path(args.out).read_text())
        if (earlier.get("seeds"), earlier.get("length_s")) != (args.seeds, args.length_s):
            raise ValueError(f"{args.out} holds rows of other recordings (seeds {earlier.get('seeds')}, "
                             f"{earlier.get('length_s')} s); --keep-rows needs the same --seeds and --length-s")
        names = {r["name"] for r in rows}
        rows = [r for r in earlier["rows"] if r["name"] not in names] + rows
    rows.sort(key=lambda r: "checkpoint" not in r)  # models first, then the classical rows, each in order
    write_json(args.out, {"seeds": args.seeds, "length_s": args.length_s, "rows": rows})
    table = comparison_table(rows)
    spread = mean_spread_table(rows)
    if spread:
        table += "\n\nOver training seeds (mean +- standard deviation):\n\n" + spread
    note = (f"Fresh recordings: seeds {args.seeds[0]}-{args.seeds[-1]}, ov1 and ov2 each, {args.length_s:g} s, "
            f"{len(recordings)} in all (rooms and events no training or selection saw); "
            f"`python3 scripts/evaluate_doanet_localisers.py` ({args.out}).")
    if args.validation:
        note = f"Validation recordings: fold {args.tune_fold} of {args.validation}, {len(recordings)} in all ({args.out})."
    if args.docs:
        write_between_markers(args.docs, f"{table}\n\n{note}\n", markers(args.markers))
        print(f"updated {args.docs}")
    print(f"\n{table}\n\n{note}")


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    from common.cli import report_errors
    from configs.doanet import get_params

    try:
        params = get_params(args.task_id)
    except ValueError as err:
        parser().error(str(err))
    if args.write_threshold and not (args.tune and args.checkpoint):
        parser().error("--write-threshold needs --tune DIR and at least one --checkpoint (the threshold is chosen there)")
    return report_errors(tune if args.tune else evaluate_all, args, params)


if __name__ == "__main__":
    sys.exit(main())
