"""The Q-network over an agent's state (``auralnav.features``) and the pure pieces of its learning rule.

* ``QNetwork``: state (B, state_dim) -> Q-values (B, n_actions), an MLP with linear outputs (the
  original's softmax squashed Q into (0, 1) while rewards reach 100), or a GRU over the last K states.
  Its ``model_args`` carry the feature configuration, so a checkpoint says what the agent hears.
* ``double_dqn_target``: R + discount x Q_target(s', argmax_a Q_online(s', a)) (van Hasselt et al. 2016),
  where R is the n-step return and discount is gamma^n, or 0 when the episode terminated within the n steps.
* ``large_margin_loss``: DQfD's supervised loss on demonstrated actions (Hester et al. 2018),
  max_a [Q(s, a) + margin x (a != a_E)] - Q(s, a_E), zero once the demonstrated action leads by the margin.
* ``ema_update``: a moving average of the online network's weights (the validated policy with ``policy_ema``).
* ``linear_schedule``: the exploration rate.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class QNetwork(nn.Module):
    """MLP: (B, state_dim) -> (B, n_actions); with ``sequence_steps`` K > 0 a recurrent Q-network over the
    last K states, (B, K x state_dim) oldest first (``auralnav.features.stack_states``) -> (B, n_actions):
    each state encoded by one shared layer, a GRU over the K codes, and an MLP head on the GRU's last output
    beside the current state's code (the skip lets it act on the present window from the start)."""

    def __init__(self, state_dim: int, n_actions: int = 4, hidden: int = 128, features: dict[str, Any] | None = None,
                 sequence_steps: int = 0):
        super().__init__()
        if sequence_steps < 0:
            raise ValueError(f"sequence_steps must be >= 0, got {sequence_steps}")
        self.args = {"state_dim": state_dim, "n_actions": n_actions, "hidden": hidden, "features": features or {},
                     "sequence_steps": sequence_steps}
        if sequence_steps:
            self.encoder = nn.Sequential(nn.Linear(state_dim, hidden), nn.ReLU())
            self.gru = nn.GRU(hidden, hidden, batch_first=True)
            self.head = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_actions))
        else:
            self.mlp = nn.Sequential(
                nn.Linear(state_dim, hidden), nn.ReLU(),
                nn.Linear(hidden, hidden), nn.ReLU(),
                nn.Linear(hidden, n_actions),
            )

    @property
    def sequence_steps(self) -> int:
        return self.args["sequence_steps"]

    @property
    def input_dim(self) -> int:
        """Width of one input row: state_dim, times K with a recurrent window."""
        return self.args["state_dim"] * max(1, self.sequence_steps)

    def model_args(self) -> dict[str, Any]:
        return dict(self.args)

    def forward(self, state: torch.Tensor) -> torch.Tensor:
        if not self.sequence_steps:
            return self.mlp(state)
        codes = self.encoder(state.view(len(state), self.sequence_steps, self.args["state_dim"]))  # (B, K, H)
        out, _ = self.gru(codes)
        return self.head(torch.cat([out[:, -1], codes[:, -1]], dim=1))


def double_dqn_target(ret: torch.Tensor, discount: torch.Tensor, next_q_online: torch.Tensor,
                      next_q_target: torch.Tensor, double: bool = True) -> torch.Tensor:
    """(B,), (B,), (B, A), (B, A) -> (B,) bootstrapped targets. ``double=False``: plain DQN's max over the target."""
    if double:
        best = next_q_online.argmax(dim=1, keepdim=True)
        bootstrap = next_q_target.gather(1, best).squeeze(1)
    else:
        bootstrap = next_q_target.max(dim=1).values
    return ret + discount * bootstrap


def large_margin_loss(q: torch.Tensor, demo_action: torch.Tensor, margin: float) -> torch.Tensor:
    """(B, A) Q-values, (B,) demonstrated actions -> (B,) DQfD's margin loss (>= 0)."""
    penalty = torch.full_like(q, margin).scatter(1, demo_action[:, None], 0.0)
    return (q + penalty).max(dim=1).values - q.gather(1, demo_action[:, None]).squeeze(1)


@torch.no_grad()
def ema_update(average: nn.Module, online: nn.Module, decay: float) -> None:
    """average <- decay x average + (1 - decay) x online, parameter by parameter (buffers copied)."""
    for a, o in zip(average.parameters(), online.parameters(), strict=True):
        a.lerp_(o, 1.0 - decay)
    for a, o in zip(average.buffers(), online.buffers(), strict=True):
        a.copy_(o)


def linear_schedule(start: float, end: float, duration: float, t: int) -> float:
    """From ``start`` at t = 0 to ``end`` at t = ``duration``, then constant."""
    return end + (start - end) * max(0.0, 1.0 - t / duration)
