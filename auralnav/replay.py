"""Experience: n-step transitions from each environment, kept in a fixed-size ring.

``NStep`` turns one environment's stream of (state, action, reward) into n-step transitions

    (s_t, a_t, R_t = sum_{k<m} gamma^k r_{t+k}, discount = gamma^m or 0, s_{t+m}),  m = n, or fewer at the end,

where discount is 0 when the episode terminated within the m steps (a terminal state has no value) and
gamma^m when it was truncated (a time limit: the next state still has one). ``ReplayBuffer`` stores them
preallocated (its memory is known when it is made) with a flag for transitions acted by a demonstrator
(the margin loss applies to those), and samples uniformly.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import torch


class NStep:
    """n-step accumulator for one environment. ``push`` returns the transitions that are complete."""

    def __init__(self, n: int, gamma: float):
        if n < 1:
            raise ValueError(f"n_step must be >= 1, got {n}")
        self.n, self.gamma = n, gamma
        self.pending: deque = deque()

    def push(self, state, action: int, reward: float, demo: bool, next_state, terminated: bool,
             truncated: bool) -> list[tuple]:
        """Add one step; returns [(state, action, return, discount, next_state, demo), ...]."""
        self.pending.append((state, int(action), float(reward), bool(demo)))
        out = []
        if len(self.pending) == self.n and not (terminated or truncated):
            out.append(self._emit(next_state, terminated))
            self.pending.popleft()
        if terminated or truncated:
            while self.pending:
                out.append(self._emit(next_state, terminated))
                self.pending.popleft()
        return out

    def _emit(self, next_state, terminated: bool) -> tuple:
        s, a, _, demo = self.pending[0]
        ret = sum(self.gamma**k * r for k, (_, _, r, _) in enumerate(self.pending))
        discount = 0.0 if terminated else self.gamma ** len(self.pending)
        return s, a, ret, discount, next_state, demo

    def clear(self) -> None:
        self.pending.clear()


class ReplayBuffer:
    """A ring of ``capacity`` transitions of flat float32 states (state_dim,)."""

    def __init__(self, capacity: int, state_dim: int, seed: int = 0):
        if capacity < 1:
            raise ValueError(f"replay capacity must be >= 1, got {capacity}")
        self.capacity, self.state_dim = capacity, state_dim
        self.state = np.zeros((capacity, state_dim), np.float32)
        self.next_state = np.zeros((capacity, state_dim), np.float32)
        self.action = np.zeros(capacity, np.int64)
        self.ret = np.zeros(capacity, np.float32)
        self.discount = np.zeros(capacity, np.float32)
        self.demo = np.zeros(capacity, bool)
        self.size = self.pos = 0
        self.rng = np.random.default_rng(seed)

    @staticmethod
    def bytes_needed(capacity: int, state_dim: int) -> int:
        return capacity * (2 * 4 * state_dim + 8 + 4 + 4 + 1)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.state, self.next_state, self.action, self.ret, self.discount, self.demo))

    def __len__(self) -> int:
        return self.size

    def add(self, state, action: int, ret: float, discount: float, next_state, demo: bool) -> None:
        i = self.pos
        self.state[i], self.action[i], self.ret[i] = state, action, ret
        self.discount[i], self.next_state[i], self.demo[i] = discount, next_state, demo
        self.pos = (self.pos + 1) % self.capacity
        self.size = min(self.capacity, self.size + 1)

    def sample(self, batch_size: int, device: str | torch.device = "cpu") -> dict[str, torch.Tensor]:
        """A uniform batch (with replacement) of tensors with a leading batch_size."""
        if self.size == 0:
            raise ValueError("cannot sample from an empty replay buffer")
        idx = self.rng.integers(0, self.size, size=batch_size)
        arrays = {"state": self.state, "action": self.action, "ret": self.ret, "discount": self.discount,
                  "next_state": self.next_state, "demo": self.demo}
        return {k: torch.from_numpy(v[idx]).to(device) for k, v in arrays.items()}

    def state_dict(self) -> dict[str, torch.Tensor | int]:
        """The stored transitions as tensors (for a resumable checkpoint, ``weights_only``-loadable)."""
        n = self.size
        return {"state": torch.from_numpy(self.state[:n].copy()), "next_state": torch.from_numpy(self.next_state[:n].copy()),
                "action": torch.from_numpy(self.action[:n].copy()), "ret": torch.from_numpy(self.ret[:n].copy()),
                "discount": torch.from_numpy(self.discount[:n].copy()), "demo": torch.from_numpy(self.demo[:n].copy()),
                "pos": self.pos}

    def load_state_dict(self, saved: dict) -> None:
        n = len(saved["action"])
        for k in ("state", "next_state", "action", "ret", "discount", "demo"):
            getattr(self, k)[:n] = saved[k].numpy()
        self.size, self.pos = n, int(saved["pos"])
