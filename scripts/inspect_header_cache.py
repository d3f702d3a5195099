"""Look at a HeaderNet crop cache: a PNG contact sheet of samples and a short text summary.

    python3 scripts/inspect_header_cache.py --quick --cache-dir data/header_cache_quick_gt
    python3 scripts/inspect_header_cache.py --cache-dir data/header_cache --per-label 4 --out sheet.png
    python3 scripts/inspect_header_cache.py --quick --checkpoint data/pretrained/header_classifier.pt   # with scores

Contact sheet: per sample (positives, then negatives) the 11 window offsets (columns) by the t-2 / t /
t+2 channels (rows), each tile with the ball box coloured by its source (detected, Kalman,
interpolated); with --checkpoint, the header classifier's probability and call per sample in its title.
Summary: counts per label, skipped reasons, failed videos, what found the boxes.
Written as <out> (default <cache-dir>/contact_sheet.png), the summary as the same name with .txt.
"""

import sys
from pathlib import Path

from common.cli import add_checkpoint_arg, report_errors, resolve_params, task_parser
from configs.headernet import TASKS, get_params


def main(argv=None) -> int:
    ap = task_parser(__doc__, "headernet", TASKS)
    ap.add_argument("--cache-dir", help="the cache (default: the task's output_dir)")
    ap.add_argument("--out", help="PNG path (default: <cache-dir>/contact_sheet.png)")
    ap.add_argument("--per-label", type=int, default=3, help="samples of each label on the sheet")
    ap.add_argument("--seed", type=int, default=0, help="which samples are shown")
    add_checkpoint_arg(ap, help="a header classifier (data/pretrained/header_classifier.pt): its score on each sample")
    args = ap.parse_args(argv)
    _, params = resolve_params(ap, args, get_params)
    if args.per_label < 1:
        ap.error("--per-label must be >= 1")

    def run() -> None:
        from common.io import atomic_write
        from headernet.inspection import contact_sheet, summary_text

        cache_dir = Path(args.cache_dir or params.output_dir)
        text = summary_text(cache_dir, params.output_name)
        print(text)
        out = Path(args.out) if args.out else cache_dir / "contact_sheet.png"
        annotate = classifier_notes(args.checkpoint) if args.checkpoint else None
        png, samples = contact_sheet(cache_dir, out, args.per_label, args.seed, output_name=params.output_name,
                                     annotate=annotate)
        atomic_write(out.with_suffix(".txt"), lambda f: f.write((text + "\n").encode()))
        labels = [int(s.meta["label"]) for s in samples]
        print(f"contact sheet ({labels.count(1)} positives, {labels.count(0)} negatives): {png}; "
              f"summary: {out.with_suffix('.txt')}")

    return report_errors(run)


def classifier_notes(path: str):
    """A contact-sheet annotator: the classifier's header probability per sample and its call at its threshold."""
    import math

    import numpy as np

    from headernet.classifier import load_header_classifier, predict_logits

    model, ckpt = load_header_classifier(path)
    threshold = ckpt["classifier"]["threshold"]

    def notes(samples) -> list[str]:
        logits = predict_logits(model, np.stack([s.stack for s in samples]))
        return [f"classifier p(header) {1 / (1 + math.exp(-z)):.2f} -> {'HEADER' if z >= threshold else 'no header'}"
                for z in logits]

    return notes


if __name__ == "__main__":
    sys.exit(main())
