"""Evaluating an agent over seeded episodes: success rate, steps to success, return; table and figure.

Episode ``i`` of an evaluation with seed ``s`` resets the environment with seed ``s + i`` and the
agent with the same seed, so two agents evaluated with one seed face the same rooms. Metrics
(``summarize``):

- ``success_rate``: fraction of episodes in which every source was found before truncation.
- ``mean_steps_to_success``: mean episode length over the successful episodes (None without any).
- ``mean_return``: mean undiscounted sum of rewards over all episodes.
- ``mean_found_fraction``: mean fraction of sources found per episode.
- ``mean_steps``: mean episode length over all episodes (truncated ones count max_episode_steps).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np


@dataclass
class Episode:
    seed: int
    success: bool
    steps: int
    episode_return: float
    found: int
    num_sources: int
    path: list[list[float]]
    sources: list[list[float]]
    source_found: list[bool]
    source_names: list[str]


def run_episode(env, agent, seed: int) -> Episode:
    """One episode of ``agent`` in ``env`` (a TimeLimit-wrapped AuralNav env) from ``reset(seed=seed)``."""
    obs, info = env.reset(seed=seed)
    agent.reset(seed)
    path = [info["agent_position"].tolist()]
    total, steps, terminated, truncated = 0.0, 0, False, False
    while not (terminated or truncated):
        obs, reward, terminated, truncated, info = env.step(agent.act(obs, info))
        total += reward
        steps += 1
        path.append(info["agent_position"].tolist())
    return Episode(seed=seed, success=bool(terminated), steps=steps, episode_return=total,
                   found=int(info["source_found"].sum()), num_sources=len(info["source_found"]), path=path,
                   sources=info["source_positions"].tolist(), source_found=info["source_found"].tolist(),
                   source_names=list(info["source_names"]))


def evaluate(env, agent, episodes: int, seed: int = 0) -> list[Episode]:
    """``episodes`` seeded episodes (seeds ``seed .. seed + episodes - 1``)."""
    return [run_episode(env, agent, seed + i) for i in range(episodes)]


def summarize(results: list[Episode]) -> dict:
    """The metrics of the module docstring."""
    wins = [r for r in results if r.success]
    return {
        "episodes": len(results),
        "success_rate": len(wins) / len(results),
        "mean_steps_to_success": float(np.mean([r.steps for r in wins])) if wins else None,
        "mean_return": float(np.mean([r.episode_return for r in results])),
        "mean_found_fraction": float(np.mean([r.found / r.num_sources for r in results])),
        "mean_steps": float(np.mean([r.steps for r in results])),
    }


def format_table(rows: dict[str, dict]) -> str:
    """A Markdown table of ``{agent name: summary}``."""
    lines = ["| agent | episodes | success rate | mean steps to success | mean return | found fraction |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, s in rows.items():
        steps = "-" if s["mean_steps_to_success"] is None else f"{s['mean_steps_to_success']:.1f}"
        lines.append(f"| {name} | {s['episodes']} | {s['success_rate']:.2f} | {steps} | {s['mean_return']:.1f} | "
                     f"{s['mean_found_fraction']:.2f} |")
    return "\n".join(lines)


def to_json(results: list[Episode], summary: dict, extra: dict | None = None) -> dict:
    return {**(extra or {}), "summary": summary, "episodes": [asdict(r) for r in results]}


def plot_trajectories(results: list[Episode], floor, radius: float, out: str | Path, n: int = 4, title: str = "") -> Path:
    """The first ``n`` episodes' rooms, sources and paths side by side, saved as PNG at ``out``."""
    from auralnav.render import draw_room
    from common.plots import pyplot, save_figure

    plt = pyplot()
    shown = results[:n]
    fig, axes = plt.subplots(1, len(shown), figsize=(3.6 * len(shown), 3.8), squeeze=False)
    for ax, r in zip(axes[0], shown, strict=True):
        outcome = f"found all in {r.steps} steps" if r.success else f"found {r.found}/{r.num_sources} in {r.steps} steps"
        draw_room(ax, floor, np.array(r.sources), np.array(r.source_found), np.array(r.path), radius=radius,
                  names=r.source_names, title=f"seed {r.seed}: {outcome}")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, out, dpi=100)


def evaluate_agent(params, task_id: str, agent_spec: str, episodes: int | None = None, seed: int | None = None,
                   out_dir: str | Path | None = None, n_plot: int = 4, epsilon: float = 0.0) -> dict:
    """Evaluate 'random', 'oracle' or a checkpoint on task ``task_id`` and write the results.

    Writes ``<out_dir>/eval.json`` (parameters, summary, every episode) and ``trajectories.png``;
    ``out_dir`` defaults to ``<run_dir>/<task>_<agent>_seed<seed>``. Returns the JSON object plus
    ``out_dir`` and ``table``.
    """
    from auralnav.agents import make_agent
    from auralnav.env import make_env
    from common.io import write_json
    from configs.base import to_dict

    episodes = params.eval_episodes if episodes is None else episodes
    seed = params.eval_seed if seed is None else seed
    if episodes < 1:
        raise ValueError(f"episodes must be >= 1, got {episodes}")
    env = make_env(params=params)
    agent = make_agent(agent_spec, env, seed)
    if epsilon:
        if not hasattr(agent, "eval_epsilon"):
            raise ValueError(f"--epsilon applies to learned agents (checkpoints), not to {agent_spec!r}")
        agent.eval_epsilon = epsilon
        agent.name = f"{agent.name}_eps{epsilon:g}"
    name = getattr(agent, "name", Path(agent_spec).stem)
    out = Path(out_dir) if out_dir else Path(params.run_dir) / f"{task_id}_{name}_seed{seed}"
    results = evaluate(env, agent, episodes, seed)
    env.close()
    summary = summarize(results)
    report = to_json(results, summary, {"task_id": task_id, "agent": name, "seed": seed, "params": to_dict(params)})
    write_json(out / "eval.json", report)
    plot_trajectories(results, env.unwrapped.floor, params.acceptable_radius, out / "trajectories.png", n=n_plot,
                      title=f"AuralNav task {task_id}, {name} agent")
    return {**report, "out_dir": str(out), "table": format_table({name: summary})}
