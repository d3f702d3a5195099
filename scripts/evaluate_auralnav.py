"""Evaluate AuralNav agents side by side over the same seeded rooms.

    python3 scripts/evaluate_auralnav.py 8 --agent random oracle handcoded --episodes 100 --seed 0
    python3 scripts/evaluate_auralnav.py 8 --agent data/pretrained/auralnav_task8_agent.pt --episodes 100 --seed 0
    python3 scripts/evaluate_auralnav.py --agent data/runs/auralnav/8_1/best.pt    # task inferred from the checkpoint
    python3 scripts/evaluate_auralnav.py 8 --agent handcoded --set max_episode_steps=1000
    python3 scripts/evaluate_auralnav.py 8 --agent handcoded data/pretrained/auralnav_task8_agent.pt --cues images
    python3 scripts/evaluate_auralnav.py --quick --agent oracle                    # task 999, a few short episodes

--agent takes one or more of: 'random', 'oracle' (walks to the nearest source, knowing where they are),
'handcoded' (follows the loudest source by ear, through the task's cue_source and separator), or a
checkpoint of a learned agent (scripts/train_auralnav.py's best.pt, or the shipped one; it carries its
separator; greedy unless --epsilon). Without a task id the task is the first checkpoint's own (else 1).
Episode i uses seed S + i for both room and agent, so every agent faces the same rooms. Prints a table
(success rate, mean steps to success, mean return, fraction of sources found) and writes
<run_dir>/<task>_<agents>_seed<S>/eval.json and trajectories.png (one row per agent; --out to choose).
"""

import sys
from pathlib import Path

from common.cli import (
    add_checkpoint_arg,
    checkpoint_task,
    positive_int,
    probability,
    report_errors,
    resolve_params,
    task_parser,
)
from configs.auralnav import TASKS, get_params

BUILT_IN = ("random", "oracle", "handcoded")


def first_checkpoint(specs: list[str]):
    """The first learned agent's checkpoint among ``specs`` (read), or None when all are built-in agents."""
    from common.checkpoint import load_checkpoint

    for spec in specs:
        if spec not in BUILT_IN and Path(spec).is_file():
            return load_checkpoint(spec)
    return None


def main(argv=None) -> int:
    ap = task_parser(__doc__, "auralnav", TASKS)
    ap.set_defaults(task_id=None)
    add_checkpoint_arg(ap, "--agent", dest="agent", nargs="+", default=["oracle"],
                       help="agents: 'random', 'oracle', 'handcoded' or checkpoint paths (--agent: deprecated alias)")
    ap.add_argument("--episodes", type=positive_int, help="number of episodes (default: the task's eval_episodes)")
    ap.add_argument("--seed", type=int, help="seed of the first episode (default: the task's eval_seed)")
    ap.add_argument("--epsilon", type=probability, default=0.0,
                    help="a learned agent's random-action rate (0: greedy; 0.05 is the usual DQN evaluation)")
    ap.add_argument("--out", "--out-dir", dest="out", help="output folder (default: <run_dir>/<task>_<agents>_seed<seed>)")
    ap.add_argument("--cues", choices=("separator", "images"),
                    help="the hand-coded and learned agents hear through this instead (images: ideal separation)")
    ap.add_argument("--device", default="cpu", help="where the separator and Q-network run: 'cpu', 'cuda', 'auto'")
    args = ap.parse_args(argv)
    if args.task_id is None and not args.quick:
        try:
            args.task_id, _ = checkpoint_task(args, first_checkpoint(args.agent))
        except ValueError as err:
            ap.error(str(err))
    task_id, params = resolve_params(ap, args, get_params, "AuralNav evaluation")

    def run() -> None:
        from auralnav.evaluation import evaluate_agents
        from common.device import pick_device

        report = evaluate_agents(params, task_id, args.agent, args.episodes, args.seed, args.out,
                                 epsilon=args.epsilon, device=pick_device(args.device), cues=args.cues,
                                 log=lambda _: None)
        print(f"task {task_id}, {params.max_episode_steps}-step episodes, seeds {report['seed']}.."
              f"{report['seed'] + len(next(iter(report['results'].values()))['episodes']) - 1}:")
        print(report["table"])
        print(f"wrote {report['out_dir']}/eval.json and trajectories.png")

    return report_errors(run)


if __name__ == "__main__":
    sys.exit(main())
