"""The learning agent: a DQN over spatial cues of separated sources, trained on experience from vector envs.

``AgentBase`` is the algorithm's frame: epsilon-greedy acting, the replay buffer, the training loop
(collect, learn, sync the target, validate, log, checkpoint). ``RnnAgent`` fills it with the networks:
an ``RnnSeparator`` (DPRNNTasNet) and a ``DQN``, each with a target (stable) copy.

Fixes against the original: the Bellman target masks terminal transitions, the target networks are
synced every ``target_sync_steps`` global steps (not at the within-episode step), the target forward
runs without gradients, gradients are clipped over everything trained, the Q-values are linear, and a
truncated episode (time limit) is not treated as terminal.
"""

from __future__ import annotations

import copy
import csv
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm

from auralnav.dqn import DQN
from auralnav.replay import RLDataset, audio_state_spec
from auralnav.separation import RnnSeparator, load_separator
from common.checkpoint import load_checkpoint, save_checkpoint
from common.io import write_json
from configs.auralnav import AuralNavParams
from configs.base import to_dict


def epsilon(step: int, params: AuralNavParams) -> float:
    """Exploration rate at global step ``step``: an exponential decay from epsilon_start to epsilon_end."""
    decay = math.exp(-step / params.epsilon_decay_steps)
    return params.epsilon_end + (params.epsilon_start - params.epsilon_end) * decay


class AgentNets(nn.Module):
    """Separator + DQN: (audio (B, 2, N), agent (B, 4)) -> Q-values (B, n_actions)."""

    def __init__(self, separator: dict[str, Any], dqn: dict[str, Any]):
        super().__init__()
        self.separator = RnnSeparator(**separator)
        self.dqn = DQN(**dqn)

    def model_args(self) -> dict[str, Any]:
        return {"separator": self.separator.model_args(), "dqn": self.dqn.model_args()}

    def features(self, audio: torch.Tensor, agent: torch.Tensor, separator_grad: bool = True) -> torch.Tensor:
        """The DQN's input (B, 3 S + 4): spatial cues per separated source, then the agent's state."""
        with torch.set_grad_enabled(separator_grad and torch.is_grad_enabled()):
            separated = self.separator(audio)
        return self.dqn.features(separated, agent)

    def forward(self, audio: torch.Tensor, agent: torch.Tensor, separator_grad: bool = True) -> torch.Tensor:
        return self.dqn.mlp(self.features(audio, agent, separator_grad))

    def q(self, state: dict[str, torch.Tensor], separator_grad: bool = True) -> torch.Tensor:
        """Q-values of a stored state: raw ``audio`` + ``agent``, or precomputed ``features``."""
        if "features" in state:
            return self.dqn.mlp(state["features"])
        return self(state["audio"], state["agent"], separator_grad)


def nets_args(params: AuralNavParams) -> dict[str, Any]:
    """The model arguments of the agent's networks for ``params``."""
    from auralnav.geometry import Floor

    lo, hi = Floor.from_params(params).bounds
    return {
        "separator": params.separator_config(),
        "dqn": {"n_src": params.num_sources, "n_actions": 4, "agent_dim": 4, "hidden": params.dqn_hidden,
                "room_size": float(max(np.asarray(hi) - np.asarray(lo))), "n_fft": params.stft_n_fft,
                "hop_length": params.stft_hop, "fs": params.fs, "mic_spacing": params.mic_spacing},
    }


class AgentBase:
    """Epsilon-greedy DQN training on ``params.num_envs`` environments at once.

    Subclasses provide ``q_values(audio, agent)`` (no grad), ``update(batch) -> dict`` (one gradient
    step), ``sync_target()``, and ``checkpoint_state()`` / ``load_checkpoint_state(ckpt)``."""

    def __init__(self, params: AuralNavParams, device: torch.device):
        self.params = params
        self.device = device
        self.rng = np.random.default_rng(params.train_seed)  # training exploration
        self.eval_rng = np.random.default_rng(params.train_seed)  # ``act``'s, reseeded per evaluation episode

    # --- acting -------------------------------------------------------------------------------------------
    def encode(self, audio: np.ndarray, agent: np.ndarray) -> dict[str, np.ndarray]:
        """The state kept in the replay buffer for observations audio (E, 2, N), agent (E, 4)."""
        raise NotImplementedError

    def state_spec(self) -> dict:
        """Shapes and dtypes of ``encode``'s arrays (per transition), for the replay buffer."""
        raise NotImplementedError

    def q_values(self, state: dict[str, np.ndarray]) -> np.ndarray:
        """(E, n_actions) for a batch of encoded states, without gradients."""
        raise NotImplementedError

    def choose_actions(self, state: dict[str, np.ndarray], eps: float) -> np.ndarray:
        """Epsilon-greedy actions (E,) for a batch of encoded states."""
        greedy = self.q_values(state).argmax(axis=1)
        explore = self.rng.random(len(greedy)) < eps
        return np.where(explore, self.rng.integers(0, 4, len(greedy)), greedy)

    eval_epsilon: float = 0.0
    """Exploration when acting through ``act`` (evaluation): 0 is greedy; DQN evaluations often use 0.05,
    which also breaks the loops a memoryless greedy policy falls into (pushing against a wall forever)."""

    def reset(self, seed: int | None = None) -> None:
        """The evaluation protocol of auralnav.evaluation: seeds the exploration of ``act``."""
        if seed is not None:  # never the training rng: validation episodes must not replay its exploration
            self.eval_rng = np.random.default_rng(seed)

    def act(self, obs: dict[str, np.ndarray], info: dict | None = None) -> int:
        """The action for one observation: greedy, or epsilon-greedy with ``eval_epsilon``."""
        if self.eval_epsilon and self.eval_rng.random() < self.eval_epsilon:
            return int(self.eval_rng.integers(0, 4))
        return int(self.q_values(self.encode(obs["audio"][None], obs["agent"][None]))[0].argmax())

    # --- learning --------------------------------------------------------------------------------------------
    def update(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        raise NotImplementedError

    def sync_target(self) -> None:
        raise NotImplementedError

    def checkpoint_state(self) -> dict[str, Any]:
        raise NotImplementedError

    def load_checkpoint_state(self, ckpt: dict[str, Any]) -> None:
        raise NotImplementedError

    def train(self, task_id: str = "1", job_id: str = "1", fresh: bool = False, log=print) -> dict[str, Any]:
        """Collect experience, learn, validate; write ``{run_dir}/{task}_{job}/`` (config.json, last.pt,
        best.pt, episodes.csv, validation.csv, tensorboard/, curves.png). Resumes from last.pt (the replay
        buffer is not saved: it refills for ``learning_starts`` steps)."""
        import gymnasium as gym
        from torch.utils.tensorboard import SummaryWriter

        from auralnav.env import make_env
        from auralnav.evaluation import evaluate, summarize

        p = self.params
        run_dir = Path(p.run_dir) / f"{task_id}_{job_id}"
        run_dir.mkdir(parents=True, exist_ok=True)
        config = to_dict(p) | {"task_id": task_id, "job_id": job_id}
        write_json(run_dir / "config.json", config)

        # --- resume ------------------------------------------------------------------------------------
        start, best, history = 0, {"success_rate": -1.0, "mean_return": -math.inf, "step": -1}, []
        last = run_dir / "last.pt"
        if last.exists() and not fresh:
            ckpt = load_checkpoint(last, self.device)
            if ckpt["config"] != config:
                raise ValueError(f"{last} was written with other parameters; use another job id or --fresh")
            self.load_checkpoint_state(ckpt)
            start, best, history = ckpt["epoch"], ckpt["best"], list(ckpt["history"])
            log(f"resumed from {last} at step {start}")

        # --- environments: experience from num_envs rooms at once ----------------------------------------
        vector = gym.vector.AsyncVectorEnv if p.vector_env == "async" else gym.vector.SyncVectorEnv
        envs = vector([lambda: make_env(params=p) for _ in range(p.num_envs)])
        val_env = make_env(params=p)
        replay = RLDataset(p.replay_capacity, self.state_spec(), seed=p.train_seed)
        log(f"replay buffer: {p.replay_capacity:,} transitions of {sorted(self.state_spec())}, {replay.nbytes / 1e6:.1f} MB")
        obs, _ = envs.reset(seed=p.train_seed + start)
        state = self.encode(obs["audio"], obs["agent"])
        ep_return, ep_len = np.zeros(p.num_envs), np.zeros(p.num_envs, dtype=int)
        just_reset = np.zeros(p.num_envs, dtype=bool)  # gymnasium's next-step autoreset: skip that transition
        writer = SummaryWriter(str(run_dir / "tensorboard"))
        episodes_csv = _CsvLog(run_dir / "episodes.csv", ["step", "return", "length", "success", "epsilon"])
        val_csv = _CsvLog(run_dir / "validation.csv", ["step", "success_rate", "mean_steps_to_success", "mean_return",
                                                      "mean_found_fraction"])
        t0, losses = time.perf_counter(), []

        # --- the loop: one vector step = num_envs transitions; `step` counts transitions ---------------------
        bar = tqdm(total=p.total_steps, initial=start, desc="agent steps", disable=None)
        step = start
        while step < p.total_steps:
            eps = epsilon(step, p)
            actions = self.choose_actions(state, eps)
            next_obs, rewards, terminated, truncated, _ = envs.step(actions)
            next_state = self.encode(next_obs["audio"], next_obs["agent"])  # one separator pass per observation
            keep = ~just_reset
            if keep.any():  # truncated transitions keep terminated=False: their next state has a value
                replay.add({k: v[keep] for k, v in state.items()}, actions[keep], rewards[keep], terminated[keep],
                           {k: v[keep] for k, v in next_state.items()})
            ep_return += np.where(keep, rewards, 0.0)
            ep_len += keep
            done = terminated | truncated
            for e in np.flatnonzero(done & keep):
                episodes_csv.write([step, ep_return[e], ep_len[e], int(terminated[e]), eps])
                writer.add_scalar("charts/episodic_return", ep_return[e], step)
                writer.add_scalar("charts/episode_length", ep_len[e], step)
                writer.add_scalar("charts/success", float(terminated[e]), step)
                ep_return[e], ep_len[e] = 0.0, 0
            just_reset = done & keep
            state = next_state
            n_new = int(keep.sum())
            prev, step = step, step + n_new
            bar.update(n_new)

            # learn: updates_per_step gradient steps per vector step, once the buffer is warm
            if len(replay) >= max(p.learning_starts, p.batch_size):
                for _ in range(p.updates_per_step):
                    out = self.update(replay.sample(p.batch_size, self.device))
                    losses.append(out["td_loss"])
            if prev // p.target_sync_steps != step // p.target_sync_steps:
                self.sync_target()
            if losses and prev // p.log_every != step // p.log_every:
                writer.add_scalar("losses/td_loss", float(np.mean(losses)), step)
                writer.add_scalar("charts/epsilon", eps, step)
                writer.add_scalar("charts/steps_per_second", step / (time.perf_counter() - t0 + 1e-9), step)
                bar.set_postfix(td_loss=f"{np.mean(losses):.3f}", eps=f"{eps:.2f}")
                losses = []

            # validate greedily, keep the best, checkpoint
            if prev // p.validation_every != step // p.validation_every or step >= p.total_steps:
                summary = summarize(evaluate(val_env, self, p.validation_episodes, seed=p.validation_seed))
                history.append({"step": step, **summary, "time_s": time.perf_counter() - t0})
                val_csv.write([step, summary["success_rate"], summary["mean_steps_to_success"], summary["mean_return"],
                               summary["mean_found_fraction"]])
                for k in ("success_rate", "mean_return", "mean_found_fraction"):
                    writer.add_scalar(f"val/{k}", summary[k], step)
                key = (summary["success_rate"], summary["mean_return"])
                if key > (best["success_rate"], best["mean_return"]):
                    best = {"success_rate": summary["success_rate"], "mean_return": summary["mean_return"], "step": step}
                    self._save(run_dir / "best.pt", config, step, best, history)
                self._save(last, config, step, best, history)
                log(f"step {step:>7} | eps {eps:.2f} | val success {summary['success_rate']:.2f} "
                    f"return {summary['mean_return']:7.1f} found {summary['mean_found_fraction']:.2f} | "
                    f"best success {best['success_rate']:.2f} @ {best['step']}")
        bar.close()
        envs.close()
        writer.close()
        if history:
            _plot_validation(history, run_dir / "curves.png")
        return {"best": best, "history": history, "run_dir": str(run_dir), "train_time_s": time.perf_counter() - t0}

    def _save(self, path: Path, config: dict, step: int, best: dict, history: list) -> None:
        state = self.checkpoint_state()
        save_checkpoint(path, state.pop("nets"), config=config, epoch=step, optimizer=state.pop("optimizer"),
                        extra={"best": best, "history": history, **state})


class RnnAgent(AgentBase):
    """The AuralNav agent: RnnSeparator + DQN, online and stable (target) copies.

    The separator is frozen (``train_separator=False``: a pretrained one, run without gradients) or
    fine-tuned through the TD loss together with the DQN (the original's end-to-end set-up)."""

    def __init__(self, params: AuralNavParams, device: torch.device | str = "cpu"):
        super().__init__(params, torch.device(device))
        torch.manual_seed(params.train_seed)
        self.nets = AgentNets(**nets_args(params)).to(self.device)
        if params.separator_checkpoint:
            separator, _ = load_separator(params.separator_checkpoint, self.device)
            if separator.model_args() != self.nets.separator.model_args():
                raise ValueError(f"separator_checkpoint {params.separator_checkpoint} has arguments "
                                 f"{separator.model_args()}, the parameters ask for {self.nets.separator.model_args()}")
            self.nets.separator.load_state_dict(separator.state_dict())
        self.nets.separator.requires_grad_(params.train_separator)
        self.cache_features = not params.train_separator
        self.target = copy.deepcopy(self.nets).requires_grad_(False).eval()
        trained = [q for q in self.nets.parameters() if q.requires_grad]
        self.optimizer = torch.optim.Adam(trained, lr=params.lr)

    def state_spec(self) -> dict:
        if self.cache_features:
            return {"features": ((self.nets.dqn.mlp[0].in_features,), np.float32)}
        return audio_state_spec(self.params.window)

    @torch.no_grad()
    def encode(self, audio: np.ndarray, agent: np.ndarray) -> dict[str, np.ndarray]:
        """A frozen separator makes the DQN's input features a fixed function of the observation: store
        those (3 S + 4 floats) and never separate a stored state again. Otherwise store the raw audio."""
        if not self.cache_features:
            return {"audio": np.asarray(audio, np.float32), "agent": np.asarray(agent, np.float32)}
        self.nets.eval()
        feats = self.nets.features(torch.as_tensor(audio, dtype=torch.float32, device=self.device),
                                   torch.as_tensor(agent, dtype=torch.float32, device=self.device))
        self.nets.train()
        return {"features": feats.cpu().numpy()}

    @torch.no_grad()
    def q_values(self, state: dict[str, np.ndarray]) -> np.ndarray:
        self.nets.eval()
        q = self.nets.q({k: torch.as_tensor(v, dtype=torch.float32, device=self.device) for k, v in state.items()})
        self.nets.train()
        return q.cpu().numpy()

    def td_target(self, batch: dict) -> torch.Tensor:
        """r + gamma * (1 - terminated) * max_a Q_target(s', a), without gradients: (B,)."""
        with torch.no_grad():
            next_q = self.target.q(batch["next_state"]).max(dim=1).values
            return batch["reward"] + self.params.gamma * (1.0 - batch["terminated"]) * next_q

    def update(self, batch: dict) -> dict[str, float]:
        target = self.td_target(batch)
        q = self.nets.q(batch["state"], separator_grad=self.params.train_separator)
        q_taken = q.gather(1, batch["action"][:, None]).squeeze(1)
        loss = F.smooth_l1_loss(q_taken, target) if self.params.td_loss == "huber" else F.mse_loss(q_taken, target)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        trained = [q for q in self.nets.parameters() if q.requires_grad]
        grad_norm = nn.utils.clip_grad_norm_(trained, self.params.grad_clip)
        self.optimizer.step()
        return {"td_loss": float(loss.detach()), "grad_norm": float(grad_norm), "q_mean": float(q_taken.detach().mean())}

    def sync_target(self) -> None:
        self.target.load_state_dict(self.nets.state_dict())

    def checkpoint_state(self) -> dict[str, Any]:
        return {"nets": self.nets, "optimizer": self.optimizer,
                "target_state_dict": {k: v.detach().cpu() for k, v in self.target.state_dict().items()}}

    def load_checkpoint_state(self, ckpt: dict[str, Any]) -> None:
        self.nets.load_state_dict(ckpt["state_dict"])
        self.target.load_state_dict(ckpt["target_state_dict"])
        self.optimizer.load_state_dict(ckpt["optimizer"])


def load_rnn_agent(path: str | Path, device: str | torch.device = "cpu") -> RnnAgent:
    """A trained agent (greedy with ``act``) from a checkpoint of ``RnnAgent.train``."""
    from configs.auralnav import AuralNavParams as Params
    from configs.base import apply_overrides

    ckpt = load_checkpoint(path, device)
    if ckpt.get("model_name") != "AgentNets":
        raise ValueError(f"{path} is not an AuralNav agent checkpoint (model_name {ckpt.get('model_name')!r})")
    fields = {k: v for k, v in ckpt["config"].items() if k not in ("task_id", "job_id")}
    params = apply_overrides(Params(), {**fields, "separator_checkpoint": ""})
    agent = RnnAgent(params, device)
    agent.nets.load_state_dict(ckpt["state_dict"])
    agent.sync_target()
    return agent


class _CsvLog:
    """Rows appended to a CSV file (header written once), flushed per row so a killed run keeps its log."""

    def __init__(self, path: Path, header: list[str]):
        new = not path.exists()
        self.f = path.open("a", newline="")
        self.w = csv.writer(self.f)
        if new:
            self.w.writerow(header)

    def write(self, row: list[Any]) -> None:
        self.w.writerow(row)
        self.f.flush()


def _plot_validation(history: list[dict[str, Any]], out: Path) -> None:
    from common.plots import pyplot, save_figure

    plt = pyplot()
    steps = [h["step"] for h in history]
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    ax1.plot(steps, [h["success_rate"] for h in history], marker="o")
    ax1.set_ylabel("validation success rate")
    ax2.plot(steps, [h["mean_return"] for h in history], marker="o")
    ax2.set_ylabel("validation mean return"), ax2.set_xlabel("agent steps")
    fig.tight_layout()
    save_figure(fig, out)
