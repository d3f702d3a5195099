"""The replay buffer: a fixed-size ring of transitions with a stated memory bound.

Audio is stored as float16 in preallocated arrays, so the buffer's memory is known when it is made
(``nbytes``) and never grows: 10,000 transitions of 1 s stereo at 16 kHz take 1.28 GB, where the
original's float64 buffer of full clips grew to about 11.7 GB. Sampling is uniform over what is stored.
"""

from __future__ import annotations

import numpy as np
import torch


class RLDataset:
    """Transitions (audio, agent, action, reward, terminated, next_audio, next_agent).

    ``audio`` is (C, N) float in [-1, 1] (stored float16), ``agent`` the (agent_dim,) state the DQN
    reads. ``terminated`` masks the Bellman target; a truncated (time-limit) transition is stored with
    ``terminated=False`` because its next state has a value."""

    def __init__(self, capacity: int, audio_shape: tuple[int, int], agent_dim: int = 4, seed: int = 0):
        if capacity < 1:
            raise ValueError(f"replay capacity must be >= 1, got {capacity}")
        self.capacity = capacity
        self.audio = np.zeros((capacity, *audio_shape), np.float16)
        self.next_audio = np.zeros((capacity, *audio_shape), np.float16)
        self.agent = np.zeros((capacity, agent_dim), np.float32)
        self.next_agent = np.zeros((capacity, agent_dim), np.float32)
        self.action = np.zeros(capacity, np.int64)
        self.reward = np.zeros(capacity, np.float32)
        self.terminated = np.zeros(capacity, np.float32)
        self.size = 0
        self.pos = 0
        self.rng = np.random.default_rng(seed)

    @staticmethod
    def bytes_needed(capacity: int, audio_shape: tuple[int, int], agent_dim: int = 4) -> int:
        """The buffer's memory in bytes, before making it."""
        per = 2 * 2 * int(np.prod(audio_shape)) + 2 * 4 * agent_dim + 8 + 4 + 4
        return capacity * per

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.audio, self.next_audio, self.agent, self.next_agent, self.action,
                                      self.reward, self.terminated))

    def __len__(self) -> int:
        return self.size

    def add(self, audio, agent, action, reward, terminated, next_audio, next_agent) -> None:
        """Store a batch of transitions (leading dimension E, one per environment) or a single one."""
        audio = np.asarray(audio, np.float32)
        if audio.ndim == self.audio.ndim - 1:  # one transition
            audio, agent, action, reward, terminated, next_audio, next_agent = (
                np.asarray(x)[None] for x in (audio, agent, action, reward, terminated, next_audio, next_agent))
        n = len(audio)
        idx = (self.pos + np.arange(n)) % self.capacity
        self.audio[idx] = np.clip(audio, -1.0, 1.0)
        self.next_audio[idx] = np.clip(np.asarray(next_audio, np.float32), -1.0, 1.0)
        self.agent[idx], self.next_agent[idx] = agent, next_agent
        self.action[idx], self.reward[idx], self.terminated[idx] = action, reward, terminated
        self.pos = int((self.pos + n) % self.capacity)
        self.size = min(self.capacity, self.size + n)

    def sample(self, batch_size: int, device: str | torch.device = "cpu") -> dict[str, torch.Tensor]:
        """A uniform batch (with replacement) as float32 tensors: audio (B, C, N), agent (B, agent_dim),
        action (B,), reward (B,), terminated (B,), next_audio, next_agent."""
        if self.size == 0:
            raise ValueError("cannot sample from an empty replay buffer")
        idx = self.rng.integers(0, self.size, size=batch_size)
        out = {"audio": self.audio[idx], "next_audio": self.next_audio[idx], "agent": self.agent[idx],
               "next_agent": self.next_agent[idx], "action": self.action[idx], "reward": self.reward[idx],
               "terminated": self.terminated[idx]}
        return {k: torch.from_numpy(v.astype(np.float32) if v.dtype == np.float16 else v).to(device)
                for k, v in out.items()}
