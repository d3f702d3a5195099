"""``AudioEnv``: the AuralNav gymnasium environment (registered as ``AuralNav-v0``).

An agent with two ears (microphones ``mic_spacing`` apart, across its heading) walks a pyroomacoustics
room in which ``num_sources`` sounds play. Each step it moves forward or backward ``step_size`` metres
or turns ``turn_deg`` left or right, then hears the next window of ``N = window_s * fs`` samples. A
source within ``acceptable_radius`` of the agent after a step is found and switched off; the episode
terminates when all are found (and is truncated by the TimeLimit wrapper at ``max_episode_steps``).

Observation ``Dict(audio=Box(float32, (2, N)), agent=Box(float32, [x, y, cos heading, sin heading]))``;
channel 0 is the left ear. Actions ``Discrete(4)``: see ``ACTIONS``. Reward per step: ``step_penalty``
(-0.5), plus ``turn_penalty`` (-0.1) on a turn, plus ``found_reward`` (100) per source found, plus
optionally the original's closeness term. ``info`` holds the true state (source positions, which are
found, the agent's pose and microphones) and, with ``return_images=True``, ``images``: each source's
signal at the two microphones, shape (num_sources, 2, N), zero once found; they sum to the audio up to
the sensor noise (the separation targets).

All randomness comes from ``self.np_random`` (seeded by ``reset(seed=...)``): the layout, the heading,
the source variants, the start of the clip and the noise. ``step`` never calls ``reset``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from auralnav.acoustics import RoomSimulator
from auralnav.geometry import Floor, mic_positions, try_move
from auralnav.render import frame
from auralnav.sources import load_wav_folder, synthesize
from configs.auralnav import AuralNavParams, get_params
from configs.base import apply_overrides

ACTIONS = ("forward", "backward", "turn_left", "turn_right")
"""Action i is ACTIONS[i]; turning left is counter-clockwise (+turn_deg)."""
FORWARD, BACKWARD, TURN_LEFT, TURN_RIGHT = range(4)


class AudioEnv(gym.Env):
    """The AuralNav room. Build it from ``params`` or from ``task_id`` plus keyword overrides.

    Args:
        params: AuralNavParams; None resolves ``get_params(task_id, **overrides)``.
        task_id: a task of ``configs/auralnav.py`` (used when params is None).
        render_mode: None or "rgb_array".
        return_images: put each source's image at the microphones in ``info["images"]``.
        **overrides: parameters on top of the task (or of ``params``), validated.
    """

    metadata: ClassVar[dict] = {"render_modes": ["rgb_array"], "render_fps": 4}

    def __init__(self, params: AuralNavParams | None = None, *, task_id: str | int = "1", render_mode: str | None = None,
                 return_images: bool = False, **overrides: Any):
        if params is None:
            params = get_params(task_id, **overrides)
        elif overrides:
            params = apply_overrides(params, overrides)
            params.validate()
        if render_mode not in (None, *self.metadata["render_modes"]):
            raise ValueError(f"render_mode must be None or 'rgb_array', got {render_mode!r}")
        self.params = params
        self.render_mode = render_mode
        self.return_images = return_images
        self.floor = Floor.from_params(params.largest_room)  # this episode's floor once reset draws it
        self._check_fixed_layout()
        self._wavs = load_wav_folder(params.source_dir, params.fs, params.source_level_db) if params.source_dir else None
        self.turn = np.deg2rad(params.turn_deg)

        n = params.window
        lo, hi = self.floor.bounds
        self.observation_space = spaces.Dict({
            "audio": spaces.Box(-1.0, 1.0, shape=(2, n), dtype=np.float32),
            "agent": spaces.Box(np.array([lo[0], lo[1], -1, -1], dtype=np.float32),
                                np.array([hi[0], hi[1], 1, 1], dtype=np.float32), dtype=np.float32),
        })
        self.action_space = spaces.Discrete(len(ACTIONS))
        self._sim: RoomSimulator | None = None

    def _check_fixed_layout(self) -> None:
        p = self.params
        for i, s in enumerate(p.source_positions):
            if self.floor.clearance(s) < p.source_wall_margin:
                raise ValueError(f"source_positions[{i}] = {tuple(s)} is outside the room or closer than "
                                 f"source_wall_margin ({p.source_wall_margin} m) to a wall")
        if p.agent_start:
            xy = p.agent_start[:2]
            if self.floor.clearance(xy) < p.agent_clearance:
                raise ValueError(f"agent_start = {tuple(xy)} is outside the room or its microphones would be closer "
                                 f"than wall_margin ({p.wall_margin} m) to a wall")
            if p.source_positions:
                near = np.linalg.norm(np.asarray(p.source_positions) - np.asarray(xy), axis=1).min()
                if near <= p.acceptable_radius:
                    raise ValueError(f"agent_start = {tuple(xy)} is within acceptable_radius of a source in "
                                     "source_positions")

    # --- episode ----------------------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        p, rng = self.params, self.np_random
        room = p.episode_room(rng)  # p itself unless the task draws a room per episode (task 13)
        if room is not p:
            self.floor = Floor.from_params(room)

        if p.source_positions:
            positions = np.asarray(p.source_positions, dtype=float)
        else:
            placed: list[np.ndarray] = []
            for i in range(p.num_sources):
                placed.append(self.floor.sample(rng, p.source_wall_margin, placed, p.source_separation, f"source {i}"))
            positions = np.array(placed)
        if p.agent_start:
            center = np.asarray(p.agent_start[:2], dtype=float)
            heading = np.deg2rad(p.agent_start[2]) if len(p.agent_start) == 3 else 0.0
        else:
            center = self.floor.sample(rng, p.agent_clearance, positions, p.start_distance, "the agent")
            heading = float(rng.integers(max(1, round(360 / p.turn_deg)))) * self.turn

        pool = sorted(self._wavs) if self._wavs is not None else list(p.sources)
        picks = rng.choice(len(pool), size=p.num_sources, replace=len(pool) < p.num_sources)
        self.source_names = [pool[i] for i in picks]
        if self._wavs is not None:
            signals = [self._wavs[name] for name in self.source_names]
        else:
            signals = [synthesize(k, int(rng.integers(2**31)), p.fs, p.clip_s, p.source_level_db) for k in self.source_names]

        self._sim = RoomSimulator(room, positions, signals, self.floor)
        self.source_positions = positions
        self.found = np.zeros(p.num_sources, dtype=bool)
        self.center, self.heading = center, _wrap(heading)
        self.path = [center.copy()]
        self.clock = int(rng.integers(max(len(s) for s in signals)))  # where in the looping clips we start
        self.steps = 0
        obs, info = self._observe()
        return obs, {**info, "found_now": 0, "bumped": False}

    def step(self, action):
        if self._sim is None:
            raise RuntimeError("call reset() before step()")
        if self.found.all():
            raise RuntimeError("the episode has terminated (every source is found): call reset()")
        action = int(action)
        if not 0 <= action < len(ACTIONS):
            raise ValueError(f"action must be in 0..{len(ACTIONS) - 1} ({', '.join(ACTIONS)}), got {action}")
        p = self.params
        reward = p.step_penalty
        bumped = False
        if action in (FORWARD, BACKWARD):
            distance = p.step_size if action == FORWARD else -p.step_size
            self.center, moved = try_move(self.floor, self.center, self.heading, distance, p.agent_clearance)
            bumped = not moved
        else:
            self.heading = _wrap(self.heading + (self.turn if action == TURN_LEFT else -self.turn))
            reward += p.turn_penalty
        self.path.append(self.center.copy())

        dist = np.linalg.norm(self.source_positions - self.center, axis=1)
        now = np.flatnonzero(~self.found & (dist <= p.acceptable_radius))
        for i in now:
            self.found[i] = True
            self._sim.remove(int(i))
        reward += p.found_reward * len(now)
        terminated = bool(self.found.all())
        if p.dense_reward and len(now) == 0 and not terminated:
            reward += 1.0 / (dist[~self.found].min() + 1e-4)

        self.steps += 1
        self.clock += p.window
        obs, info = self._observe()
        return obs, float(reward), terminated, False, {**info, "found_now": len(now), "bumped": bumped}

    # --- observation ------------------------------------------------------------------------------------
    @property
    def mics(self) -> np.ndarray:
        """The two microphone positions, shape (2, 2): left ear, right ear."""
        return mic_positions(self.center, self.heading, self.params.mic_spacing)

    def _observe(self) -> tuple[dict, dict]:
        p = self.params
        images = self._sim.images(self.mics, self.clock)  # (n_src, 2, N)
        audio = images.sum(axis=0)
        if p.noise_db is not None:
            audio = audio + self.np_random.standard_normal(audio.shape) * 10 ** (p.noise_db / 20)
        obs = {
            "audio": np.clip(audio, -1.0, 1.0).astype(np.float32),
            "agent": np.array([*self.center, np.cos(self.heading), np.sin(self.heading)], dtype=np.float32),
        }
        info = {
            "agent_position": self.center.copy(),
            "room_corners": self.floor.corners.copy(),
            "agent_heading": self.heading,
            "mic_positions": self.mics,
            "source_positions": self.source_positions.copy(),
            "source_found": self.found.copy(),
            "source_names": list(self.source_names),
            "steps": self.steps,
        }
        if self.return_images:
            info["images"] = images.astype(np.float32)
        return obs, info

    def render(self):
        if self.render_mode != "rgb_array" or self._sim is None:
            return None
        title = f"step {self.steps}, found {int(self.found.sum())}/{len(self.found)}"
        return frame(self.floor, self.source_positions, self.found, np.array(self.path), self.heading,
                     self.params.acceptable_radius, title)


def _wrap(angle: float) -> float:
    """An angle in [-pi, pi)."""
    return float((angle + np.pi) % (2 * np.pi) - np.pi)


def make_env(task_id: str | int = "1", params: AuralNavParams | None = None, render_mode: str | None = None,
             return_images: bool = False, **overrides: Any) -> gym.Env:
    """``gymnasium.make("AuralNav-v0")`` truncated at the task's ``max_episode_steps``."""
    import auralnav  # noqa: F401  (registers the id)

    if params is None:
        params = get_params(task_id, **overrides)
    elif overrides:
        params = apply_overrides(params, overrides)
        params.validate()
    return gym.make("AuralNav-v0", params=params, render_mode=render_mode, return_images=return_images,
                    max_episode_steps=params.max_episode_steps)


__all__ = ["ACTIONS", "AudioEnv", "make_env"]
