"""Evaluate an agent in the AuralNav environment over seeded episodes.

    python3 scripts/evaluate_auralnav.py 1 --agent oracle --episodes 20 --seed 0
    python3 scripts/evaluate_auralnav.py 1 --agent random --episodes 20 --seed 0
    python3 scripts/evaluate_auralnav.py --quick --agent oracle          # task 999, a few short episodes
    python3 scripts/evaluate_auralnav.py 2 --agent random --set max_episode_steps=500

--agent is 'random', 'oracle' (walks to the nearest source, knowing where they are) or a checkpoint
of a learned agent (scripts/train_auralnav.py's <run_dir>/<task>_<job>/best.pt; greedy, no exploration).
Episode i uses seed S + i for both room and agent, so agents evaluated with one seed face
the same rooms. Prints a table (success rate, mean steps to success, mean return, fraction of sources
found) and writes data/runs/auralnav/<task>_<agent>_seed<S>/eval.json and trajectories.png (--out-dir
to choose).
"""

import sys

from auralnav.evaluation import evaluate_agent
from configs.auralnav import TASKS, get_params
from configs.cli import positive_int, probability, report_errors, resolve_params, task_parser


def main(argv=None) -> int:
    ap = task_parser(__doc__, "auralnav", TASKS)
    ap.add_argument("--agent", default="oracle", help="'random', 'oracle' or a checkpoint path")
    ap.add_argument("--episodes", type=positive_int, help="number of episodes (default: the task's eval_episodes)")
    ap.add_argument("--seed", type=int, help="seed of the first episode (default: the task's eval_seed)")
    ap.add_argument("--epsilon", type=probability, default=0.0,
                    help="a learned agent's random-action rate (0: greedy; 0.05 is the usual DQN evaluation)")
    ap.add_argument("--out-dir", help="output folder (default: <run_dir>/<task>_<agent>_seed<seed>)")
    args = ap.parse_args(argv)
    task_id, params = resolve_params(ap, args, get_params, "AuralNav evaluation")

    def run() -> None:
        report = evaluate_agent(params, task_id, args.agent, args.episodes, args.seed, args.out_dir,
                                epsilon=args.epsilon)
        print(report["table"])
        print(f"wrote {report['out_dir']}/eval.json and trajectories.png")

    return report_errors(run)


if __name__ == "__main__":
    sys.exit(main())
