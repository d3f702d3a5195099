"""Render synthetic SoccerNet games (video, Labels-ball.json, header frame tables, ground-truth boxes).

    python3 scripts/make_synthetic_soccernet.py --quick                      # 1 game, 12 s halves, seconds
    python3 scripts/make_synthetic_soccernet.py --out data/sn --games 4 --seed 3
    python3 scripts/make_synthetic_soccernet.py 2                           # also the 720p videos
    python3 scripts/make_synthetic_soccernet.py --split valid --games 2      # named after valid-split games

Each game is rendered under the path of a real SoccerNet game of --split (default train; seeded choice),
so the builder's --split selects synthetic games as it does real ones.
Writes <out>/<league>/<season>/<date - HH-MM Home S - S Away>/{1,2}_224p.mkv (25 fps H.264, the
frame index stamped in the top-left corner), Labels-ball.json, {1,2}_header_frames.csv and
{1,2}_224p_gt.npz. Existing files are kept (--force rewrites them), so an interrupted run resumes; the
run holds a lock on the output folder and removes the temporaries a killed run left in it.
"""

import sys
import time
from pathlib import Path

from common.cli import positive_int, report_errors, resolve_params, task_parser
from common.io import FolderLock, remove_stale_temporaries
from configs.headernet import SPLITS, TASKS, get_params


def main(argv=None) -> int:
    ap = task_parser(__doc__, "headernet", TASKS)
    ap.add_argument("--out", "--output-dir", dest="output_dir",
                   help="root of the games (default: the task's synth_dir; --output-dir: the old name)")
    ap.add_argument("--games", type=positive_int, help="number of games (default: the task's synth_games)")
    ap.add_argument("--seed", type=int, help="generator seed (default: the task's synth_seed)")
    ap.add_argument("--split", choices=SPLITS, help="SoccerNet split whose game names are used (default: train)")
    ap.add_argument("--force", action="store_true", help="rewrite files that exist")
    args = ap.parse_args(argv)
    from headernet.synth import generate_games
    if args.split:
        args.set.append(f"synth_split={args.split!r}")
    _, params = resolve_params(ap, args, get_params, "synthetic SoccerNet games")

    def run() -> None:
        t0 = time.perf_counter()
        out = Path(args.output_dir or params.synth_dir)
        with FolderLock(out, what=f"synthetic SoccerNet folder {out}"):
            for folder in (out, *(p for p in out.rglob("*") if p.is_dir())):
                remove_stale_temporaries(folder)
            folders = generate_games(params, out_dir=out, n_games=args.games, seed=args.seed, force=args.force,
                                     progress=True)
        print(f"{len(folders)} games under {out} in {time.perf_counter() - t0:.1f}s")

    return report_errors(run)


if __name__ == "__main__":
    sys.exit(main())
