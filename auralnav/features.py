"""What an agent knows at a step: spatial cues of the sources it hears, and one step of memory.

``CueEncoder`` turns observations into cues, shape (E, S, 3) = [ITD / largest delay, ILD dB, VOL dB] per
source, loudest first (``auralnav.cues``), from one of three estimates of the sources:

* ``separator``: the frozen pretrained separator's estimates (the data flow; what the shipped agent hears),
* ``images``: each source's true image at the ears (``info["images"]``): ideal separation, the upper bound,
* ``mixture``: no separation, the downmix as the only "source" (S = 1).

``Memory`` keeps, per environment, the previous step's cues, pose and action, so that what two ears
cannot tell from one window becomes observable: whether the source got louder after a move (front or
back: a source straight behind has the same ITD as one straight ahead) and whether the last move was
blocked by a wall (the pose did not change). ``Memory.observe`` returns a ``Step`` (the raw pieces, read by
the hand-coded agent) and ``state_vector`` the Q-network's input (E, state_dim):

    memory on : [cues (3 S), previous cues (3 S), VOL change (S), previous action one-hot (4),
                 direction of the last move (+1 forward / -1 backward), bumped,
                 H x (cues, action one-hot, x, y, cos, sin) of the steps 2 .. H + 1 back (history_steps = H),
                 x, y, cos, sin]
    memory off: [cues (3 S), x, y, cos, sin]

With ``history_steps`` H > 0 (and memory on) the state also holds the H steps before the previous one, each
as what was heard there, what was done there and where it was (the same pose frame), so that the network can
relate cues heard at several poses (a bearing heard from two places); at an episode's start the missing steps
repeat its first observation with no action.

Cues enter scaled to about unit range (ITD as is, ILD / 10 dB, (VOL + 40 dB) / 10 dB, VOL change / 3 dB),
positions to [-1, 1] over the room's bounding box (``pose_frame='room'``) or, with
``pose_frame='odometry'``, as the displacement from the episode's start per ``ODOMETRY_SCALE_M`` metres,
clipped to [-2, 2] (the same features in a room of any size).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from auralnav.cues import SpatialCues, sort_by_loudness
from auralnav.env import BACKWARD, FORWARD

CUE_SOURCES = ("separator", "images", "mixture")
N_ACTIONS = 4
VOL_REF_DB = -40.0  # VOL of a source a few metres away: about -45 to -30 dB (sources at -20 dB FS, 1 / (4 pi r))
ODOMETRY_SCALE_M = 6.0  # displacements of a few metres (a source is 1-8 m away) enter at about unit size
SILENT_DB = -90.0  # VOL is clipped here (a silent source: a phone between rings, a found source)


def feature_config(params, separator_args: dict | None = None) -> dict[str, Any]:
    """The plain dict that fixes an agent's inputs (stored in its checkpoint as ``model_args["features"]``)."""
    from auralnav.geometry import Floor

    lo, hi = Floor.from_params(params.largest_room).bounds
    return {"cue_source": params.cue_source, "n_src": 1 if params.cue_source == "mixture" else params.num_sources,
            "memory": params.memory, "itd_method": params.itd_method, "fs": params.fs, "window": params.window,
            "mic_spacing": params.mic_spacing, "n_fft": params.stft_n_fft, "hop_length": params.stft_hop,
            "room_lo": [float(v) for v in lo], "room_hi": [float(v) for v in hi], "pose_frame": params.pose_frame,
            "history_steps": params.history_steps if params.memory else 0, "separator": separator_args}


def history_steps(config: dict[str, Any]) -> int:
    """H, the older steps in the state (agents saved before history_steps existed: 0)."""
    return int(config.get("history_steps", 0)) if config["memory"] else 0


def state_dim(config: dict[str, Any]) -> int:
    s = config["n_src"]
    history = history_steps(config) * (3 * s + N_ACTIONS + 4)
    return 3 * s + 4 + (3 * s + s + N_ACTIONS + 2 + history if config["memory"] else 0)


class CueEncoder:
    """Observations -> sorted cues (E, S, 3), without gradients.

    Args:
        config: ``feature_config``'s dict.
        separator: an ``RnnSeparator`` (needed for cue_source 'separator'; frozen, run in eval mode).
        device: where the separator and the STFTs run.
    """

    def __init__(self, config: dict[str, Any], separator=None, device: str | torch.device = "cpu"):
        if config["cue_source"] not in CUE_SOURCES:
            raise ValueError(f"cue_source must be one of {CUE_SOURCES}, got {config['cue_source']!r}")
        if config["cue_source"] == "separator" and separator is None:
            raise ValueError("cue_source 'separator' needs a separator (separator_checkpoint)")
        self.config, self.device = config, torch.device(device)
        self.separator = separator.to(self.device).eval().requires_grad_(False) if separator is not None else None
        self.cues = SpatialCues(config["n_fft"], config["hop_length"], config["fs"], config["mic_spacing"],
                                config["itd_method"]).to(self.device)

    @property
    def needs_images(self) -> bool:
        return self.config["cue_source"] == "images"

    @torch.no_grad()
    def __call__(self, audio: np.ndarray, images: np.ndarray | None = None) -> np.ndarray:
        """audio (E, 2, N), images (E, S, 2, N) for cue_source 'images' -> cues (E, S, 3) float32."""
        mix = torch.as_tensor(np.asarray(audio), dtype=torch.float32, device=self.device)
        kind = self.config["cue_source"]
        if kind == "separator":
            sources = self.separator(mix)["estimated_sources"]
        elif kind == "images":
            if images is None:
                raise ValueError("cue_source 'images' needs info['images'] (make the env with return_images=True)")
            sources = torch.as_tensor(np.asarray(images), dtype=torch.float32, device=self.device).mean(dim=2)
        else:
            sources = mix.mean(dim=1, keepdim=True)
        cues = sort_by_loudness(self.cues(mix, sources))
        cues[..., 2] = cues[..., 2].clamp_min(SILENT_DB)
        return cues.cpu().numpy()


@dataclass
class Step:
    """What an agent knows at one step, for E environments (arrays with a leading E)."""

    cues: np.ndarray  # (E, S, 3), loudest first
    prev_cues: np.ndarray  # (E, S, 3): the previous step's (equal to cues at an episode's first step)
    prev_action: np.ndarray  # (E,) int, -1 at an episode's first step
    going: np.ndarray  # (E,) +1 / -1: direction of the last move (forward at the start)
    bumped: np.ndarray  # (E,) bool: the previous action was a move and the pose did not change
    pose: np.ndarray  # (E, 4) x, y, cos, sin
    start: np.ndarray | None = None  # (E, 2) x, y where each environment's episode started
    history_cues: np.ndarray | None = None  # (E, H, S, 3): the cues of the steps 2 .. H + 1 back
    history_actions: np.ndarray | None = None  # (E, H) int: the actions taken there (-1: before the episode)
    history_poses: np.ndarray | None = None  # (E, H, 4): the poses there


class Memory:
    """One step of memory per environment, and ``history_steps`` older ones. ``observe`` at every
    observation, ``acted`` after choosing, ``reset(e)`` when environment e starts an episode."""

    def __init__(self, n_envs: int, history_steps: int = 0):
        if history_steps < 0:
            raise ValueError(f"history_steps must be >= 0, got {history_steps}")
        self.history_steps = history_steps
        self.hist_cues: np.ndarray | None = None
        self.hist_actions = np.full((n_envs, history_steps), -1)
        self.hist_poses = np.zeros((n_envs, history_steps, 4), np.float32)
        self.fresh = np.ones(n_envs, dtype=bool)
        self.prev_cues: np.ndarray | None = None
        self.prev_pose = np.zeros((n_envs, 4), np.float32)
        self.start = np.zeros((n_envs, 2), np.float32)
        self.prev_action = np.full(n_envs, -1)
        self.going = np.ones(n_envs)
        self._last: Step | None = None

    def reset(self, e: int | None = None) -> None:
        """Environment ``e`` (None: every one) starts an episode."""
        if e is None:
            self.fresh[:] = True
        else:
            self.fresh[e] = True

    def observe(self, cues: np.ndarray, pose: np.ndarray) -> Step:
        if self.prev_cues is None or self.prev_cues.shape != cues.shape:
            self.prev_cues = cues.copy()
        fresh = self.fresh
        if self.hist_cues is None or self.hist_cues.shape[2:] != cues.shape[1:]:
            self.hist_cues = np.repeat(cues[:, None], self.history_steps, axis=1)
        self.hist_cues[fresh] = cues[fresh][:, None]
        self.hist_poses[fresh] = np.asarray(pose, np.float32)[fresh][:, None]
        self.hist_actions[fresh] = -1
        self.prev_cues[fresh], self.prev_pose[fresh] = cues[fresh], pose[fresh]
        self.start[fresh] = pose[fresh, :2]
        self.prev_action[fresh], self.going[fresh] = -1, 1.0
        moved = np.linalg.norm(pose[:, :2] - self.prev_pose[:, :2], axis=1) > 1e-6
        bumped = np.isin(self.prev_action, (FORWARD, BACKWARD)) & ~moved
        self.fresh[:] = False
        self._last = Step(cues, self.prev_cues.copy(), self.prev_action.copy(), self.going.copy(), bumped,
                          np.asarray(pose, np.float32), self.start.copy(), self.hist_cues.copy(),
                          self.hist_actions.copy(), self.hist_poses.copy())
        return self._last

    def acted(self, actions: np.ndarray) -> None:
        step = self._last
        if self.history_steps:  # the previous step becomes the newest of the older ones
            self.hist_cues = np.concatenate([self.prev_cues[:, None], self.hist_cues[:, :-1]], axis=1)
            self.hist_actions = np.concatenate([self.prev_action[:, None], self.hist_actions[:, :-1]], axis=1)
            self.hist_poses = np.concatenate([self.prev_pose[:, None], self.hist_poses[:, :-1]], axis=1)
        self.prev_cues, self.prev_pose = step.cues.copy(), step.pose.copy()
        self.prev_action = np.asarray(actions).copy()
        self.going = np.where(self.prev_action == FORWARD, 1.0, np.where(self.prev_action == BACKWARD, -1.0, self.going))


def scale_cues(cues: np.ndarray) -> np.ndarray:
    """(E, S, 3) -> (E, 3 S) about unit range."""
    out = np.stack([np.clip(cues[..., 0], -1.5, 1.5), cues[..., 1] / 10, (cues[..., 2] - VOL_REF_DB) / 10], axis=-1)
    return out.reshape(len(cues), -1)


def pose_features(pose: np.ndarray, start: np.ndarray | None, config: dict[str, Any]) -> np.ndarray:
    """Poses (..., 4) x, y, cos, sin -> (..., 4) in the state's frame (``start`` (E, 2): the episode's, for
    'odometry'; poses with more leading axes than ``start`` broadcast over them)."""
    if config.get("pose_frame", "room") == "odometry":  # agents saved before pose_frame existed: 'room'
        if start is None:
            raise ValueError("pose_frame 'odometry' needs the episode's start position (Step.start, from Memory)")
        origin = start.reshape(start.shape[:1] + (1,) * (pose.ndim - 2) + start.shape[1:])
        xy = np.clip((pose[..., :2] - origin) / ODOMETRY_SCALE_M, -2.0, 2.0)
    else:
        lo, hi = np.asarray(config["room_lo"]), np.asarray(config["room_hi"])
        xy = (pose[..., :2] - lo) / (hi - lo) * 2 - 1
    return np.concatenate([xy, pose[..., 2:]], axis=-1)


def state_vector(step: Step, config: dict[str, Any]) -> np.ndarray:
    """The Q-network's input (E, state_dim) float32 (layout in the module docstring)."""
    pose = pose_features(step.pose, step.start, config)
    parts = [scale_cues(step.cues)]
    if config["memory"]:
        dvol = np.clip((step.cues[..., 2] - step.prev_cues[..., 2]) / 3, -3, 3)
        onehot = np.eye(N_ACTIONS + 1)[step.prev_action + 1][:, 1:]  # -1 (no action yet) -> zeros
        parts += [scale_cues(step.prev_cues), dvol, onehot, step.going[:, None], step.bumped[:, None]]
        h = history_steps(config)
        if h:
            if step.history_cues is None or step.history_cues.shape[1] < h:
                raise ValueError(f"the agent's state needs {h} older steps: make its Memory with history_steps={h}")
            e = len(step.cues)
            cues = scale_cues(step.history_cues[:, :h].reshape(e * h, *step.cues.shape[1:])).reshape(e, h, -1)
            actions = np.eye(N_ACTIONS + 1)[step.history_actions[:, :h] + 1][..., 1:]
            poses = pose_features(step.history_poses[:, :h], step.start, config)
            parts.append(np.concatenate([cues, actions, poses], axis=-1).reshape(e, -1))
    parts.append(pose)
    return np.concatenate(parts, axis=1).astype(np.float32)


def stack_states(window: np.ndarray | None, states: np.ndarray, first: np.ndarray, steps: int) -> np.ndarray:
    """The Q-network's input after ``states`` (E, D): with ``steps`` K > 0 the last K states, oldest first,
    flat (E, K D), from the previous input ``window`` (E, K D) (None: the first call); where ``first`` (E,) bool
    (an episode's first step) the K slots all hold its state. K = 0: ``states`` as they are. A pure function,
    so computing it twice for the same step gives the same input."""
    if steps == 0:
        return states
    d = states.shape[1]
    if window is None:
        window = np.tile(states, (1, steps))
    if window.shape != (len(states), steps * d):
        raise ValueError(f"window has shape {window.shape}, expected {(len(states), steps * d)}")
    out = np.concatenate([window[:, d:], states], axis=1)
    out[first] = np.tile(states[first], (1, steps))
    return out


__all__ = ["CUE_SOURCES", "ODOMETRY_SCALE_M", "CueEncoder", "Memory", "Step", "feature_config", "history_steps",
           "pose_features", "stack_states", "state_dim", "state_vector"]
