"""The agents evaluated side by side: random, oracle, hand-coded cue follower, and the learned DQN.

An agent has ``reset(seed)`` (start of an episode) and ``act(obs, info) -> action``.

* ``RandomAgent``: uniformly random actions (seeded per episode).
* ``OracleAgent`` cheats: it reads the true source positions and its own pose from ``info``.
* ``HandCodedAgent`` hears what the learned agent hears (the same cues and one step of memory,
  ``auralnav.features``) and follows a written rule (``HandCodedAgent.decide``).
* ``LearnedAgent``: the greedy (or epsilon-greedy) policy of a trained Q-network; ``load_learned_agent``
  rebuilds it, separator included, from a checkpoint of ``auralnav.train``.

``make_agent`` builds one from a command-line name ('random', 'oracle', 'handcoded' or a checkpoint).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from auralnav.cues import ITD, VOL
from auralnav.dqn import QNetwork
from auralnav.env import ACTIONS, BACKWARD, FORWARD, TURN_LEFT, TURN_RIGHT
from auralnav.features import CueEncoder, Memory, Step, feature_config, history_steps, stack_states, state_vector
from auralnav.geometry import Floor, try_moves
from auralnav.separation import RnnSeparator, frozen_separator
from common.checkpoint import load_model


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

    def _floor(self, info) -> Floor:
        """The episode's floor: the env reports it (rooms drawn per episode), else the one given."""
        corners = info.get("room_corners")
        return self.floor if corners is None else Floor(np.asarray(corners))

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
        new, moved = try_moves(self._floor(info), center, heading + ks * self.turn, distances, self.clearance)
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


class _CueAgent:
    """An agent that acts on ``auralnav.features``: cues of the current window plus one step of memory."""

    def __init__(self, encoder: CueEncoder):
        self.encoder = encoder
        self.memory = Memory(1)

    @property
    def needs_images(self) -> bool:
        return self.encoder.needs_images

    def observe(self, obs, info) -> Step:
        images = info["images"][None] if self.encoder.needs_images else None
        return self.memory.observe(self.encoder(obs["audio"][None], images), obs["agent"][None])

    def reset(self, seed: int | None = None) -> None:
        self.memory.reset()


class HandCodedAgent(_CueAgent):
    """Follow the loudest source by ear; a reference policy over exactly what the learned agent hears.

    The rule (``decide``), with the loudest source's ITD (in units of the largest delay) and VOL:

    1. After a move that was blocked by a wall, or after which the target got more than ``drop_db``
       quieter, reverse: move the other way (a quieter target means it is behind; the ITD cannot tell).
    2. Else, while |ITD| > ``itd_threshold``, turn toward the target: left when it leads at the left ear
       and the agent walks forward; the other way when it walks backward (it keeps the target behind).
    3. Else move on in the direction of the last move (forward at the start).

    A window in which even the loudest source is silent (VOL below ``AUDIBLE_DB``: a phone between rings)
    says nothing: the agent moves on, and no volume comparison is made with it.
    """

    AUDIBLE_DB = -65.0

    name = "handcoded"

    def __init__(self, encoder: CueEncoder, itd_threshold: float = 0.35, drop_db: float = 1.0):
        super().__init__(encoder)
        self.itd_threshold, self.drop_db = itd_threshold, drop_db

    @classmethod
    def for_params(cls, params, device: str | torch.device = "cpu") -> HandCodedAgent:
        """A hand-coded agent hearing through ``params``' cue source (its separator_checkpoint when 'separator')."""
        separator = frozen_separator(params, device)[0] if params.cue_source == "separator" else None
        encoder = CueEncoder(feature_config(params, separator.model_args() if separator else None), separator, device)
        return cls(encoder, params.handcoded_itd_threshold, params.handcoded_drop_db)

    def decide(self, step: Step) -> np.ndarray:
        """The rule for E environments at once: (E,) actions."""
        itd, vol, prev_vol = step.cues[:, 0, ITD], step.cues[:, 0, VOL], step.prev_cues[:, 0, VOL]
        audible, was_audible = vol > self.AUDIBLE_DB, prev_vol > self.AUDIBLE_DB
        moved_last = np.isin(step.prev_action, (FORWARD, BACKWARD))
        reverse = moved_last & (step.bumped | (audible & was_audible & (vol < prev_vol - self.drop_db)))
        going = np.where(reverse, -step.going, step.going)
        move = np.where(going > 0, FORWARD, BACKWARD)
        turn = np.where((itd > 0) == (going > 0), TURN_LEFT, TURN_RIGHT)
        return np.where(reverse, move, np.where(audible & (np.abs(itd) > self.itd_threshold), turn, move))

    def act(self, obs, info) -> int:
        action = self.decide(self.observe(obs, info))
        self.memory.acted(action)
        return int(action[0])


class LearnedAgent(_CueAgent):
    """A Q-network's greedy policy over the features; ``epsilon`` > 0 adds seeded random actions."""

    name = "learned"

    def __init__(self, qnet: QNetwork, encoder: CueEncoder, epsilon: float = 0.0):
        super().__init__(encoder)
        self.qnet, self.epsilon = qnet, epsilon
        self.config = qnet.model_args()["features"]
        self.memory = Memory(1, history_steps(self.config))  # the older steps its state holds
        self.device = next(qnet.parameters()).device
        self.rng = np.random.default_rng(0)
        self.window: np.ndarray | None = None  # a recurrent Q-network's last K states (stack_states)

    def reset(self, seed: int | None = None) -> None:
        super().reset(seed)
        if seed is not None:
            self.rng = np.random.default_rng(seed)

    def network_input(self, step: Step) -> np.ndarray:
        """(1, input_dim): the state of ``step``, after the previous ones for a recurrent Q-network (pure)."""
        return stack_states(self.window, state_vector(step, self.config), step.prev_action < 0,
                            self.qnet.sequence_steps)

    @torch.no_grad()
    def _q(self, network_input: np.ndarray) -> np.ndarray:
        return self.qnet(torch.from_numpy(network_input).to(self.device)).cpu().numpy()

    def q_values(self, step: Step) -> np.ndarray:
        return self._q(self.network_input(step))

    def act(self, obs, info) -> int:
        self.window = self.network_input(self.observe(obs, info))  # built once: the Q-values' input and the window
        action = int(self._q(self.window)[0].argmax())
        if self.epsilon and self.rng.random() < self.epsilon:
            action = int(self.rng.integers(len(ACTIONS)))
        self.memory.acted(np.array([action]))
        return action


def load_learned_agent(path: str | Path, device: str | torch.device = "cpu") -> tuple[LearnedAgent, dict]:
    """(agent, checkpoint) from a checkpoint of ``auralnav.train`` (best.pt, last.pt or a shipped one).
    The checkpoint carries the separator it was trained with, so it needs no other file."""
    qnet, ckpt = load_model(path, "QNetwork", lambda args: QNetwork(**args), what="an AuralNav agent (QNetwork)",
                            writer="scripts/train_auralnav.py", device=device)
    features = qnet.model_args()["features"]
    separator = None
    if features["cue_source"] == "separator":
        separator = RnnSeparator(**ckpt["separator"]["model_args"])
        separator.load_state_dict(ckpt["separator"]["state_dict"])
    return LearnedAgent(qnet, CueEncoder(features, separator, device)), ckpt


def load_agent(path: str | Path, env, device: str | torch.device = "cpu") -> LearnedAgent:
    """A learned agent for ``env``, which must hear what it was trained on (sample rate, window, ears, sources)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"agent checkpoint {path} not found (agents: random, oracle, handcoded, or a checkpoint file)")
    agent, _ = load_learned_agent(path, device)
    here, features = env.unwrapped.params, agent.config
    wanted = {"fs": here.fs, "window": here.window, "mic_spacing": here.mic_spacing}
    if features["cue_source"] != "mixture":
        wanted["n_src"] = here.num_sources
    for name, value in wanted.items():
        if features[name] != value:
            raise ValueError(f"{path} was trained with {name}={features[name]!r}, the environment has {value!r}; "
                             f"evaluate it on its own task")
    agent.name = path.parent.name + "_" + path.stem
    return agent


def make_agent(spec: str, env, seed: int = 0, device: str | torch.device = "cpu", cues: str | None = None):
    """'random', 'oracle', 'handcoded' (hearing through the env's parameters) or a checkpoint path.

    ``cues`` ('separator' or 'images') makes the hand-coded or learned agent hear through that source
    instead: 'images' is ideal separation, the upper bound of the same policy."""
    if cues not in (None, "separator", "images"):
        raise ValueError(f"cues must be 'separator' or 'images', got {cues!r}")
    if spec == "random":
        return RandomAgent(seed)
    if spec == "oracle":
        return OracleAgent.for_env(env)
    if spec == "handcoded":
        params = env.unwrapped.params
        agent = HandCodedAgent.for_params(replace(params, cue_source=cues) if cues else params, device)
    else:
        agent = load_agent(spec, env, device)
        if cues and cues != agent.config["cue_source"]:
            separator = agent.encoder.separator
            if cues == "separator" and separator is None:
                raise ValueError(f"{spec} was trained on {agent.config['cue_source']} cues and carries no separator")
            agent.encoder = CueEncoder({**agent.config, "cue_source": cues}, separator, device)
    if cues:
        agent.name = f"{agent.name}_{cues}"
    return agent
