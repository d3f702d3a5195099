"""Train the header classifier on the builder's samples of hard synthetic games, and score it on test games.

    python3 scripts/train_header_classifier.py              # task 1: 16 / 4 / 4 games, about 45 min of one thread
    python3 scripts/train_header_classifier.py --quick      # one 12-second game per split, one epoch (a smoke run)
    python3 scripts/train_header_classifier.py 1 wide --set channels='(16, 32, 64, 64)'   # another run
    cp data/runs/headernet/classifier/1_1/best.pt data/pretrained/header_classifier.pt    # ship it

Steps (each resumes: games, finished samples and the run's last.pt on disk are kept):
1. render the games of the SoccerNet train, valid and test splits under synth_dir (configs/headernet.py,
   ClassifierParams / CLASSIFIER_TASKS) and build each split's cache with the builder and its default
   detector (the shipped heatmap ball detector) into <cache_dir>/<split>/;
2. train headernet/classifier.py's HeaderClassifier (a per-frame CNN and temporal convolutions over the
   11 crops of a sample) on train, keeping the epoch with the best validation ROC-AUC and the threshold with
   the best validation F1; run folder <out>/classifier/<task>_<job>/: config.json, metrics.jsonl,
   curve.png, last.pt, best.pt;
3. score best.pt and the baseline (a logistic regression over the ball track's kinematics from the
   metadata, chosen on validation too) on the test games: ROC-AUC, and sensitivity / precision /
   specificity at the validation threshold; headers the builder skipped (no ball found) are counted.
Writes <run>/report.json and prints the table last. --evaluate-only skips training (needs best.pt).
"""

import dataclasses
import sys
from pathlib import Path

from common.cli import add_checkpoint_arg, report_errors, resolve_params, task_parser
from configs.headernet import CLASSIFIER_TASKS, get_classifier_params


def main(argv=None) -> int:
    ap = task_parser(__doc__, "headernet (CLASSIFIER_TASKS)", CLASSIFIER_TASKS, job=True)
    ap.add_argument("--device", help="auto, cpu, cuda, cuda:N (default: the task's device)")
    ap.add_argument("--out", help="run root (default: the task's run_root); the run is <out>/classifier/<task>_<job>")
    ap.add_argument("--fresh", action="store_true", help="start the run over instead of continuing it")
    ap.add_argument("--evaluate-only", action="store_true", help="score the run's best.pt (or --checkpoint) only")
    add_checkpoint_arg(ap, help="score this classifier checkpoint on the test games instead of the run's best.pt")
    args = ap.parse_args(argv)
    for flag, key in (("device", "device"), ("out", "run_root")):
        if getattr(args, flag) is not None:
            args.set.append(f"{key}={getattr(args, flag)!r}")
    task_id, params = resolve_params(ap, args, get_classifier_params, "header classifier training")
    return report_errors(run, params, task_id, args)


def run(params, task_id: str, args) -> None:
    import torch

    from common.device import pick_device
    from common.io import write_json
    from common.run import open_run
    from headernet.classifier import check_samples, load_header_classifier, predict_logits
    from headernet.classifier_training import prepare_splits, score_report, track_baseline, train_header_classifier

    torch.set_num_threads(1)
    device = pick_device(params.device)  # a bad --device fails before anything is rendered
    splits, builds = prepare_splits(params)
    # the stopping rule is not part of the run's identity: a later session may raise budget_s or epochs
    identity = dataclasses.replace(params, budget_s=0.0, epochs=0, device="")
    run_root = Path(params.run_root) / "classifier"
    with open_run(run_root, identity, task_id, args.job_id, fresh=args.fresh) as r:
        r.write_config()
        if not (args.evaluate_only or args.checkpoint):
            train_header_classifier(params, r, splits["train"], splits["valid"], device)
        run_dir, best = r.dir, Path(args.checkpoint or r.best_path)

    # --- the test games: the classifier at its validation threshold, beside the baseline ---------------------
    model, ckpt = load_header_classifier(best, device)
    test = splits["test"]
    check_samples(test, ckpt, best)
    threshold = ckpt["classifier"]["threshold"]
    report = {"checkpoint": str(best), "epoch": ckpt["epoch"], "valid_auc": ckpt["metrics"].get("val_auc"),
              "builds": builds, "classifier": score_report(predict_logits(model, test.stacks, device), test.labels,
                                                           threshold),
              "baseline": track_baseline(splits["train"], splits["valid"], test)}
    pos_skipped = builds["test"]["positives_skipped"]
    report["classifier"]["pipeline_sensitivity"] = report["classifier"]["tp"] / (test.positives + pos_skipped)
    write_json(run_dir / "report.json", report)
    print(f"wrote {run_dir / 'report.json'}; curve {run_dir / 'curve.png'}")
    print(f"test games: {builds['test']['games']}, {len(test)} samples ({test.positives} headers; the builder "
          f"skipped {builds['test']['skipped']}, {pos_skipped} of them headers)")
    print("| model | ROC-AUC | sensitivity | precision | specificity | threshold (validation) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, rep in (("header classifier (crops)", report["classifier"]),
                      ("baseline: logistic regression on the ball track", report["baseline"]["test"])):
        print(f"| {name} | {rep['roc_auc']:.3f} | {rep['sensitivity']:.3f} | {rep['precision']:.3f} | "
              f"{rep['specificity']:.3f} | {rep['threshold']:.3f} |")


if __name__ == "__main__":
    sys.exit(main())
