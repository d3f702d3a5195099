"""Plot a trained DOAnet's tracks against the references: test-fold recordings, a wav of your own, or a
freshly synthesised recording; prints each recording's LE / LF and CLEAR-MOT.

    python3 scripts/visualize_doanet_output.py --checkpoint data/pretrained/doanet_foa.pt --synth 0   # a new room
    python3 scripts/visualize_doanet_output.py --checkpoint data/models/30_cpu_foa_dev_split1_model.pt --files 3
    python3 scripts/visualize_doanet_output.py --checkpoint CKPT --wav rec.wav --csv rec.csv

Everything goes through doanet.inference (wav -> features -> windows -> tracks), as the notebook does.
The task, data set and features are the checkpoint's own unless a task id or --set says otherwise. Each
PNG: the omni log-mel, the spatial feature channels, azimuth and elevation over time (references as
dots, predictions as crosses where the activity head says active). Each recording's scores are followed by
those of the classical localiser of the same format (doanet.classical) on it, unless --no-baseline. Written to
data/runs/doanet/visualize/<checkpoint name>/ unless --out is given; --out-json writes the scores.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

from common.cli import add_device_arg, checkpoint_task, nonnegative_int, positive_int, report_errors
from common.io import write_json
from configs.base import parse_set_args
from configs.doanet import TASKS, get_params


def recordings(args, doanet) -> list[tuple[str, Path, Path]]:
    """(name, wav, csv) of the recordings to plot."""
    from doanet.extraction import audio_dir, fold_of, metadata_dir
    from doanet.inference import synthetic_recording

    p = doanet.params
    if args.wav:
        if not args.csv:
            raise ValueError("--wav needs --csv (the recording's metadata) for the reference tracks")
        return [(Path(args.wav).stem, Path(args.wav), Path(args.csv))]
    if args.synth is not None:
        out = Path(args.out) / "recordings"
        paths = synthetic_recording(p, out, args.synth, overlap=args.overlap, length_s=args.length_s)
        print(f"synthesised {paths[p.dataset]} and {paths['csv']} (seed {args.synth}, ov{args.overlap}, unseen room)")
        return [(paths["csv"].stem, paths[p.dataset], paths["csv"])]
    wavs = sorted(w for w in audio_dir(p).glob("*.wav") if fold_of(w.stem) in p.test_folds)
    if not wavs:
        raise FileNotFoundError(f"no test-fold recordings (folds {p.test_folds}) in {audio_dir(p)}; "
                                "use --synth SEED or --wav/--csv")
    return [(w.stem, w, metadata_dir(p) / f"{w.stem}.csv") for w in wavs[: args.files]]


def classical_tracks(params, wav: Path, thresholds: str):
    """The classical localiser of the model's format on ``wav``, with the thresholds chosen on validation."""
    import json

    from doanet.classical import ClassicalParams, localise_foa, localise_mic, with_changes
    from doanet.features import read_audio

    tuned = json.loads(Path(thresholds).read_text()).get(params.dataset, {}) if Path(thresholds).is_file() else {}
    localise = localise_foa if params.dataset == "foa" else localise_mic
    return localise(read_audio(wav, params), params, with_changes(ClassicalParams(), **tuned))


def run(args: argparse.Namespace) -> None:
    from doanet.inference import load_doanet, predict_recording, reference_tracks, score
    from doanet.plots import plot_recording

    doanet = load_doanet(args.checkpoint, args.device)
    overrides = parse_set_args(args.set)
    if args.task_id is not None or overrides:  # the data of another task: same model, other recordings
        task, _ = checkpoint_task(args, doanet.checkpoint)
        doanet.params = get_params(task, **overrides)
    args.out = args.out or str(Path(doanet.params.run_dir) / "visualize" / Path(args.checkpoint).stem)
    has_activity = doanet.model.activity_head is not None
    results = {}
    for name, wav, csv in recordings(args, doanet):
        tracks = predict_recording(doanet, wav)
        ref_xyz, ref_active = reference_tracks(csv, len(tracks.xyz), doanet.params.max_doas)
        m = score(tracks, ref_xyz, ref_active, has_activity)
        labels = np.concatenate([ref_xyz, ref_active[..., None]], axis=-1).astype(np.float32)
        title = f"{doanet.params.dataset.upper()} {name}"
        png = plot_recording(tracks.features, labels, title, Path(args.out) / f"{name}.png", tracks.hop_s,
                             tracks.xyz, tracks.active if has_activity else None)
        o, c = m["original"], m["clear_mot"]
        print(f"{name}: LE {o['LE']:.1f} deg, LF {o['LF']:.1f}%, MOTA {o['MOTA']:.1f}% | CLEAR-MOT MOTA {c['MOTA']:.3f} "
              f"MOTP {c['MOTP']:.1f} deg IDSW {c['IDSW']} | F20 {m['F20']:.1f}% -> {png}")
        if args.baseline:  # the simplest honest baseline on the same recording, scored the same way
            b = score(classical_tracks(doanet.params, wav, args.classical_params), ref_xyz, ref_active)
            bo, bc = b["original"], b["clear_mot"]
            print(f"{name}, classical {doanet.params.dataset.upper()} localiser (own count): LE {bo['LE']:.1f} deg, "
                  f"LF {bo['LF']:.1f}% | CLEAR-MOT MOTA {bc['MOTA']:.3f} MOTP {bc['MOTP']:.1f} deg IDSW {bc['IDSW']} | "
                  f"F20 {b['F20']:.1f}%")
            m = {**m, "classical": b}
        results[name] = m
    if args.out_json:
        write_json(args.out_json, results)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("task_id", nargs="?", default=None,
                    help=f"read the recordings of this task of configs/doanet.py (default: the checkpoint's), "
                    f"one of {list(TASKS)}")
    ap.add_argument("--checkpoint", required=True, help="a model of scripts/train_doanet.py or data/pretrained/doanet_foa.pt")
    ap.add_argument("--files", type=positive_int, default=3, help="how many test-fold recordings to plot")
    ap.add_argument("--synth", type=nonnegative_int, metavar="SEED", help="synthesise one fresh recording with this seed")
    ap.add_argument("--overlap", type=int, choices=(1, 2), default=2, help="with --synth: ov1 or ov2")
    ap.add_argument("--length-s", type=float, default=None, help="with --synth: its length (default: the task's)")
    ap.add_argument("--wav", help="a recording of your own (the model's format and sampling rate)")
    ap.add_argument("--csv", help="with --wav: its metadata csv")
    ap.add_argument("--out", help="output folder")
    ap.add_argument("--out-json", help="also write the scores of every recording to this JSON file")
    ap.add_argument("--no-baseline", dest="baseline", action="store_false",
                    help="skip the classical localiser's scores on the same recordings")
    ap.add_argument("--classical-params", default="data/pretrained/doanet_classical.json",
                    help="its thresholds, chosen on validation (default data/pretrained/doanet_classical.json)")
    ap.add_argument("--quick", action="store_true", help="quick_test data (task 999)")
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="override the data parameters")
    add_device_arg(ap)
    args = ap.parse_args(argv)
    if args.quick:
        args.task_id = "999"
    return report_errors(run, args)


if __name__ == "__main__":
    sys.exit(main())
