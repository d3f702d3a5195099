"""Baseline agents, the yardsticks for the learning agent: ``RandomAgent`` and ``OracleAgent``.

An agent has ``reset(seed)`` (start of an episode) and ``act(obs, info) -> action``. The oracle cheats:
it reads the true source positions and its own pose from ``info`` and knows the room's walls.
``make_agent`` builds one from a command-line name; ``load_agent`` is where learned agents plug in.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from auralnav.env import ACTIONS, BACKWARD, FORWARD, TURN_LEFT, TURN_RIGHT
from auralnav.geometry import Floor, try_moves


class RandomAgent:
    """Uniformly random actions from its own generator (seeded per episode)."""

    name = "random"

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)

    def reset(self, seed: int | None = None) -> None:
        if seed is not None:
            self.rng = np.random.default_rng(seed)

    def act(self, obs, info) -> int:
        return int(self.rng.integers(len(ACTIONS)))


class OracleAgent:
    """Walks greedily to the nearest remaining source, knowing where every source is.

    Each step it considers every heading it can reach by turning (k turns left or right) and moving
    forward or backward from there, keeps the moves the walls allow, and picks the one that lands
    closest to the target (fewest turns on ties); it turns toward that heading first, then moves.
    Landing closest can only shorten the distance while the target is farther than about
    step_size / (2 cos(turn_deg / 2)) (0.52 x step_size for 30 degree turns), so with acceptable_radius
    above that the oracle finds every source of a convex room.
    """

    name = "oracle"

    def __init__(self, floor: Floor, step_size: float, turn_deg: float, clearance: float):
        self.floor, self.step, self.clearance = floor, step_size, clearance
        self.turn = np.deg2rad(turn_deg)
        self.max_turns = int(np.ceil(180.0 / turn_deg))

    @classmethod
    def for_env(cls, env) -> OracleAgent:
        """An oracle for (a possibly wrapped) AudioEnv."""
        e = env.unwrapped
        return cls(e.floor, e.params.step_size, e.params.turn_deg, e.params.agent_clearance)

    def reset(self, seed: int | None = None) -> None:
        pass

    def act(self, obs, info) -> int:
        center, heading = np.asarray(info["agent_position"]), float(info["agent_heading"])
        remaining = np.asarray(info["source_positions"])[~np.asarray(info["source_found"])]
        if len(remaining) == 0:
            return FORWARD
        target = remaining[np.argmin(np.linalg.norm(remaining - center, axis=1))]
        ks = np.repeat(np.arange(-self.max_turns, self.max_turns + 1), 2)  # each heading: forward, backward
        distances = np.tile([self.step, -self.step], len(ks) // 2)
        new, moved = try_moves(self.floor, center, heading + ks * self.turn, distances, self.clearance)
        if not moved.any():  # boxed in (cannot happen in a room the agent fits in): turn
            return TURN_LEFT
        after = np.round(np.linalg.norm(target - new, axis=1), 9)
        # closest landing first, then fewest turns, then right before left, then forward before backward
        order = np.lexsort((np.arange(len(ks)), ks, np.abs(ks), after))
        best = next(i for i in order if moved[i])
        k, action = int(ks[best]), FORWARD if distances[best] > 0 else BACKWARD
        if k > 0:
            return TURN_LEFT
        if k < 0:
            return TURN_RIGHT
        return action


def load_agent(path: str | Path, env):
    """The greedy policy of a trained agent (``scripts/train_auralnav.py``'s best.pt or last.pt). The
    environment must hear what the agent was trained on: sample rate, window and number of sources."""
    from auralnav.agent import load_rnn_agent

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"agent checkpoint {path} not found (agents: random, oracle, or a checkpoint file)")
    agent = load_rnn_agent(path)
    trained, here = agent.params, env.unwrapped.params
    for name in ("fs", "window_s", "num_sources"):
        if getattr(trained, name) != getattr(here, name):
            raise ValueError(f"{path} was trained with {name}={getattr(trained, name)!r}, the environment has "
                             f"{getattr(here, name)!r}; evaluate it on its own task or --set {name}=...")
    agent.name = path.parent.name + "_" + path.stem
    return agent


def make_agent(spec: str, env, seed: int = 0):
    """'random', 'oracle' or a checkpoint path (see ``load_agent``)."""
    if spec == "random":
        return RandomAgent(seed)
    if spec == "oracle":
        return OracleAgent.for_env(env)
    return load_agent(spec, env)
