"""Pretrain the AuralNav separator (DPRNNTasNet) with permutation-invariant SI-SDR on room mixtures.

    python3 scripts/pretrain_separator.py [task-id] [--out PATH] [--device cuda] [--fresh] [--set key=value ...]
    python3 scripts/pretrain_separator.py 999                 # quick_test: a tiny separator, 20 steps

Mixtures are what the agent hears after seeded resets of the task's room; targets are each source's
image at the microphones (downmixed like the separator's input). Reports the SI-SDR improvement over
the mixture on held-out seeded mixtures. Writes PATH (default: separator_checkpoint, or
<run_dir>/separator_<task>.pt) and PATH.json. The run folder <run_dir>/<task>_separator/ holds config.json
and last.pt: a killed run resumes; other parameters are refused (--fresh starts over).
"""

import sys

from common.cli import report_errors, resolve_params, task_parser
from configs.auralnav import TASKS, get_params


def run(params, task_id: str, out: str | None, device: str, fresh: bool) -> None:
    from auralnav.pretrain import pretrain_separator
    from common.device import pick_device

    pretrain_separator(params, task_id, pick_device(device), out, fresh)


def main(argv=None) -> int:
    ap = task_parser(__doc__, "auralnav", TASKS)
    ap.add_argument("--out", default=None, help="where to write the separator checkpoint")
    ap.add_argument("--device", default="auto", help="'auto' (CUDA if available), 'cpu', 'cuda'")
    ap.add_argument("--fresh", action="store_true", help="ignore the run folder's last.pt and start over")
    args = ap.parse_args(argv)
    task_id, params = resolve_params(ap, args, get_params, "AuralNav separator pretraining")
    return report_errors(run, params, task_id, args.out, args.device, args.fresh)


if __name__ == "__main__":
    sys.exit(main())
