"""The replay buffer: a fixed-size ring of transitions with a stated memory bound.

A state is a dict of named arrays with fixed shapes and dtypes, preallocated, so the buffer's memory
is known when it is made (``nbytes``) and never grows. The agent stores either the raw observation
(audio as float16: 10,000 transitions of 1 s stereo at 16 kHz take 1.28 GB, where the original's
float64 buffer of full clips grew to about 11.7 GB) or, with a frozen separator, the DQN's input
features (a few floats per state). Sampling is uniform over what is stored.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch

StateSpec = Mapping[str, tuple[tuple[int, ...], type]]


def audio_state_spec(window: int, agent_dim: int = 4) -> dict[str, tuple[tuple[int, ...], type]]:
    """The raw observation: stereo audio (2, window) as float16 and the agent's state as float32."""
    return {"audio": ((2, window), np.float16), "agent": ((agent_dim,), np.float32)}


class RLDataset:
    """Transitions (state, action, reward, terminated, next_state) in preallocated arrays.

    ``terminated`` masks the Bellman target; a truncated (time-limit) transition is stored with
    ``terminated=False`` because its next state has a value."""

    def __init__(self, capacity: int, state_spec: StateSpec, seed: int = 0):
        if capacity < 1:
            raise ValueError(f"replay capacity must be >= 1, got {capacity}")
        self.capacity = capacity
        self.spec = dict(state_spec)
        self.state = {k: np.zeros((capacity, *shape), dtype) for k, (shape, dtype) in self.spec.items()}
        self.next_state = {k: np.zeros((capacity, *shape), dtype) for k, (shape, dtype) in self.spec.items()}
        self.action = np.zeros(capacity, np.int64)
        self.reward = np.zeros(capacity, np.float32)
        self.terminated = np.zeros(capacity, np.float32)
        self.size = 0
        self.pos = 0
        self.rng = np.random.default_rng(seed)

    @staticmethod
    def bytes_needed(capacity: int, state_spec: StateSpec) -> int:
        """The buffer's memory in bytes, before making it."""
        per_state = sum(int(np.prod(shape)) * np.dtype(dtype).itemsize for shape, dtype in state_spec.values())
        return capacity * (2 * per_state + 8 + 4 + 4)

    @property
    def nbytes(self) -> int:
        arrays = [*self.state.values(), *self.next_state.values(), self.action, self.reward, self.terminated]
        return sum(a.nbytes for a in arrays)

    def __len__(self) -> int:
        return self.size

    def add(self, state: Mapping[str, np.ndarray], action, reward, terminated, next_state: Mapping[str, np.ndarray]) -> None:
        """Store E transitions: every array has a leading dimension E (one row per environment)."""
        if set(state) != set(self.spec) or set(next_state) != set(self.spec):
            raise ValueError(f"state keys {sorted(state)} / {sorted(next_state)} do not match the buffer's "
                             f"{sorted(self.spec)}")
        n = len(np.atleast_1d(action))
        idx = (self.pos + np.arange(n)) % self.capacity
        for k in self.spec:
            self.state[k][idx] = state[k]
            self.next_state[k][idx] = next_state[k]
        self.action[idx], self.reward[idx], self.terminated[idx] = action, reward, terminated
        self.pos = int((self.pos + n) % self.capacity)
        self.size = min(self.capacity, self.size + n)

    def sample(self, batch_size: int, device: str | torch.device = "cpu") -> dict:
        """A uniform batch (with replacement): ``state`` and ``next_state`` dicts of float32 tensors
        (B, ...), ``action`` (B,) int64, ``reward`` (B,), ``terminated`` (B,)."""
        if self.size == 0:
            raise ValueError("cannot sample from an empty replay buffer")
        idx = self.rng.integers(0, self.size, size=batch_size)

        def tensors(arrays):
            return {k: torch.from_numpy(v[idx].astype(np.float32)).to(device) for k, v in arrays.items()}

        return {"state": tensors(self.state), "next_state": tensors(self.next_state),
                "action": torch.from_numpy(self.action[idx]).to(device),
                "reward": torch.from_numpy(self.reward[idx]).to(device),
                "terminated": torch.from_numpy(self.terminated[idx]).to(device)}
