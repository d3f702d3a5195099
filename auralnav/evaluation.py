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
    room_corners: list[list[float]]


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
                   source_names=list(info["source_names"]), room_corners=info["room_corners"].tolist())


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


def plot_trajectories(runs: dict[str, list[Episode]], radius: float, out: str | Path, n: int = 4,
                      title: str = "") -> Path:
    """The first ``n`` episodes of each agent (one row per agent, same rooms in each column), saved as PNG."""
    from auralnav.geometry import Floor
    from auralnav.render import draw_room
    from common.plots import pyplot, save_figure

    plt = pyplot()
    n = min(n, min(len(r) for r in runs.values()))
    fig, axes = plt.subplots(len(runs), n, figsize=(3.6 * n, 3.8 * len(runs)), squeeze=False)
    for row, (name, results) in zip(axes, runs.items(), strict=True):
        for ax, r in zip(row, results[:n], strict=True):
            outcome = f"all in {r.steps} steps" if r.success else f"{r.found}/{r.num_sources} in {r.steps} steps"
            draw_room(ax, Floor(np.array(r.room_corners)), np.array(r.sources), np.array(r.source_found),
                      np.array(r.path), radius=radius,
                      names=r.source_names, title=f"seed {r.seed}: {outcome}")
        row[0].set_ylabel(f"{name}\ny (m)", fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, out, dpi=80)


def evaluate_agents(params, task_id: str, agent_specs: list[str], episodes: int | None = None, seed: int | None = None,
                    out_dir: str | Path | None = None, n_plot: int = 4, epsilon: float = 0.0,
                    device: str = "cpu", cues: str | None = None, log=print) -> dict:
    """Evaluate agents ('random', 'oracle', 'handcoded' or checkpoints) on the same seeded rooms of task ``task_id``.

    Writes ``<out_dir>/eval.json`` (parameters, and per agent its summary and every episode) and
    ``trajectories.png`` (one row per agent); ``out_dir`` defaults to ``<run_dir>/<task>_<agents>_seed<seed>``.
    ``cues`` makes the hand-coded and learned agents hear through that source (``auralnav.agents.make_agent``).
    Returns the JSON object plus ``out_dir`` and ``table``.
    """
    from auralnav.agents import make_agent
    from auralnav.env import make_env
    from common.io import write_json
    from configs.base import to_dict

    episodes = params.eval_episodes if episodes is None else episodes
    seed = params.eval_seed if seed is None else seed
    if episodes < 1:
        raise ValueError(f"episodes must be >= 1, got {episodes}")
    env = make_env(params=params, return_images=True)
    runs, summaries = {}, {}
    for spec in agent_specs:
        agent = make_agent(spec, env, seed, device, cues if spec not in ("random", "oracle") else None)
        if epsilon:
            if not hasattr(agent, "epsilon"):
                raise ValueError(f"--epsilon applies to learned agents (checkpoints), not to {spec!r}")
            agent.epsilon = epsilon
            agent.name = f"{agent.name}_eps{epsilon:g}"
        name = getattr(agent, "name", Path(spec).stem)
        runs[name] = evaluate(env, agent, episodes, seed)
        summaries[name] = summarize(runs[name])
        log(format_table({name: summaries[name]}).splitlines()[-1])
    env.close()
    out = Path(out_dir) if out_dir else Path(params.run_dir) / f"{task_id}_{'_'.join(runs)}_seed{seed}"
    report = {"task_id": task_id, "agents": list(runs), "seed": seed, "params": to_dict(params),
              "results": {name: {"summary": summaries[name], "episodes": [asdict(r) for r in runs[name]]}
                          for name in runs}}
    write_json(out / "eval.json", report)
    plot_trajectories(runs, params.acceptable_radius, out / "trajectories.png", n=n_plot,
                      title=f"AuralNav task {task_id}, {params.max_episode_steps}-step episodes from seed {seed}")
    return {**report, "out_dir": str(out), "table": format_table(summaries)}
