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
                 direction of the last move (+1 forward / -1 backward), bumped, x, y, cos, sin]
    memory off: [cues (3 S), x, y, cos, sin]

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
            "separator": separator_args}


def state_dim(config: dict[str, Any]) -> int:
    s = config["n_src"]
    return 3 * s + 4 + (3 * s + s + N_ACTIONS + 2 if config["memory"] else 0)


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


class Memory:
    """One step of memory per environment. ``observe`` at every observation, ``acted`` after choosing,
    ``reset(e)`` when environment e starts an episode."""

    def __init__(self, n_envs: int):
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
        self.prev_cues[fresh], self.prev_pose[fresh] = cues[fresh], pose[fresh]
        self.start[fresh] = pose[fresh, :2]
        self.prev_action[fresh], self.going[fresh] = -1, 1.0
        moved = np.linalg.norm(pose[:, :2] - self.prev_pose[:, :2], axis=1) > 1e-6
        bumped = np.isin(self.prev_action, (FORWARD, BACKWARD)) & ~moved
        self.fresh[:] = False
        self._last = Step(cues, self.prev_cues.copy(), self.prev_action.copy(), self.going.copy(), bumped,
                          np.asarray(pose, np.float32), self.start.copy())
        return self._last

    def acted(self, actions: np.ndarray) -> None:
        step = self._last
        self.prev_cues, self.prev_pose = step.cues.copy(), step.pose.copy()
        self.prev_action = np.asarray(actions).copy()
        self.going = np.where(self.prev_action == FORWARD, 1.0, np.where(self.prev_action == BACKWARD, -1.0, self.going))


def scale_cues(cues: np.ndarray) -> np.ndarray:
    """(E, S, 3) -> (E, 3 S) about unit range."""
    out = np.stack([np.clip(cues[..., 0], -1.5, 1.5), cues[..., 1] / 10, (cues[..., 2] - VOL_REF_DB) / 10], axis=-1)
    return out.reshape(len(cues), -1)


def state_vector(step: Step, config: dict[str, Any]) -> np.ndarray:
    """The Q-network's input (E, state_dim) float32 (layout in the module docstring)."""
    if config.get("pose_frame", "room") == "odometry":  # agents saved before pose_frame existed: 'room'
        if step.start is None:
            raise ValueError("pose_frame 'odometry' needs the episode's start position (Step.start, from Memory)")
        xy = np.clip((step.pose[:, :2] - step.start) / ODOMETRY_SCALE_M, -2.0, 2.0)
    else:
        lo, hi = np.asarray(config["room_lo"]), np.asarray(config["room_hi"])
        xy = (step.pose[:, :2] - lo) / (hi - lo) * 2 - 1
    pose = np.concatenate([xy, step.pose[:, 2:]], axis=1)
    parts = [scale_cues(step.cues)]
    if config["memory"]:
        dvol = np.clip((step.cues[..., 2] - step.prev_cues[..., 2]) / 3, -3, 3)
        onehot = np.eye(N_ACTIONS + 1)[step.prev_action + 1][:, 1:]  # -1 (no action yet) -> zeros
        parts += [scale_cues(step.prev_cues), dvol, onehot, step.going[:, None], step.bumped[:, None]]
    parts.append(pose)
    return np.concatenate(parts, axis=1).astype(np.float32)


__all__ = ["CUE_SOURCES", "ODOMETRY_SCALE_M", "CueEncoder", "Memory", "Step", "feature_config", "state_dim", "state_vector"]
