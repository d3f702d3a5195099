"""Training the AuralNav agent: a DQN over the cues of separated sources, in one function read top to bottom.

    python3 scripts/train_auralnav.py 8 1        # task 8, job 1: data/runs/auralnav/8_1/

After CleanRL's ``dqn.py``. One round of the loop is one action in each of ``num_envs`` environments:

1. collect    the cues of each environment's window (one batched pass of the frozen separator), the
              state with memory (``auralnav.features``), and the actions: the demonstrator's in the first
              ``demo_envs`` environments while fewer than ``demo_steps`` transitions are collected, else
              epsilon-greedy;
2. store      each reward scaled by ``reward_scale`` and shaped by the potential -shaping_per_m x (true
              distance to the nearest unfound source), as ``n_step`` transitions in the replay;
3. learn      ``updates_per_step`` updates: Huber loss to the (Double) DQN n-step target, plus the
              large-margin loss on demonstrated transitions;
4. sync       the target network every ``target_sync_steps`` transitions;
5. validate   greedy episodes on the validation seeds every ``validation_every`` transitions (never
              the evaluation seeds) of the online network, or with ``policy_ema`` of the moving average of
              its weights; best.pt keeps the best (success rate, then fewest steps);
6. checkpoint last.pt, with the optimizer, the target and the replay, so a killed run resumes where it was.

The run folder (``common.run.open_run``) holds config.json, last.pt, best.pt, metrics.jsonl and
tensorboard/ (the one run log; keys in ``auralnav.runlog``), episodes.csv and learning_curve.png. A checkpoint carries
the separator it was trained with, so ``scripts/evaluate_auralnav.py --agent best.pt`` needs nothing else.
"""

from __future__ import annotations

import copy
import time
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from auralnav.agents import HandCodedAgent, LearnedAgent, OracleAgent
from auralnav.dqn import QNetwork, double_dqn_target, ema_update, large_margin_loss, linear_schedule
from auralnav.env import make_env
from auralnav.evaluation import evaluate, summarize
from auralnav.features import CueEncoder, Memory, feature_config, history_steps, stack_states, state_dim, state_vector
from auralnav.replay import NStep, ReplayBuffer
from auralnav.runlog import RunLog, plot_learning_curve
from auralnav.separation import frozen_separator
from common.checkpoint import save_checkpoint
from common.run import open_run, seed_everything
from common.schedules import learning_rate
from configs.auralnav import AuralNavParams

TRAIN_SEED_BASE = 10**6
"""Training rooms are seeded from TRAIN_SEED_BASE x (1 + train_seed) on: apart from the evaluation seeds
(from eval_seed = 0) and the validation seeds (from validation_seed = 10,000)."""


def distance_to_target(info: dict) -> float:
    """True distance from the agent to the nearest source not yet found (0 when all are found)."""
    left = np.asarray(info["source_positions"])[~np.asarray(info["source_found"])]
    if len(left) == 0:
        return 0.0
    return float(np.min(np.linalg.norm(left - np.asarray(info["agent_position"]), axis=1)))


def train(params: AuralNavParams, task_id: str = "1", job_id: str = "1", fresh: bool = False,
          device: str | torch.device = "cpu", log=print) -> dict[str, Any]:
    """Train an agent of ``params``; see the module docstring. Returns the best validation, the history,
    the run folder and the wall time."""
    p, device = params, torch.device(device)
    separator, carried = frozen_separator(p, device, log) if p.cue_source == "separator" else (None, None)
    features = feature_config(p, carried["model_args"] if carried else None)

    with open_run(p.run_dir, p, task_id, job_id, fresh, device) as run:
        # --- set-up: seeding, environments, what the agent hears, networks, replay -------------------------
        seed_everything(p.train_seed)
        envs = [make_env(params=p, return_images=True) for _ in range(p.num_envs)]
        val_env = make_env(params=p, return_images=True)
        encoder = CueEncoder(features, separator, device)
        q_network = QNetwork(state_dim(features), 4, p.dqn_hidden, features, p.q_sequence_steps).to(device)
        target_network = copy.deepcopy(q_network).requires_grad_(False)
        # the policy that is validated and saved: the online network, or a moving average of its weights
        policy_network = copy.deepcopy(q_network).requires_grad_(False) if p.policy_ema else q_network
        optimizer = torch.optim.Adam(q_network.parameters(), lr=p.lr)
        replay = ReplayBuffer(p.replay_capacity, q_network.input_dim, seed=p.train_seed)  # the network's input rows
        handcoded = HandCodedAgent(encoder, p.handcoded_itd_threshold, p.handcoded_drop_db)
        oracles = [OracleAgent.for_env(env) for env in envs]
        step, episodes_started, history = 0, 0, []
        best = {"success_rate": -1.0, "mean_steps_to_success": None, "step": -1}
        run.write_config()
        if run.last is not None:  # resume: networks, optimizer, replay and counters
            policy_network.load_state_dict(run.last["state_dict"])
            q_network.load_state_dict(run.last.get("online_state_dict") or run.last["state_dict"])
            target_network.load_state_dict(run.last["target_state_dict"])
            optimizer.load_state_dict(run.last["optimizer"])
            replay.load_state_dict(run.last["replay"])
            step, episodes_started = run.last["epoch"], run.last["episodes_started"]
            history, best = list(run.last["history"]), run.last["best"]
            log(f"resumed from {run.last_path} at transition {step}")
        rng = np.random.default_rng(p.train_seed + step)  # exploration
        logger = RunLog(run.dir, {k: v for k, v in run.config.items() if not isinstance(v, (list, dict))},
                        up_to=step, history=history)
        log(f"state: {state_dim(features)} features ({features['cue_source']} cues, memory {features['memory']}); "
            f"replay {p.replay_capacity:,} transitions, {replay.nbytes / 1e6:.1f} MB")

        def checkpoint(path, with_training_state: bool) -> None:
            extra = {"target_state_dict": target_network.state_dict(), "best": best, "history": history,
                     "episodes_started": episodes_started, "separator": carried}
            if with_training_state:
                extra["replay"] = replay.state_dict()
                if policy_network is not q_network:  # the saved model is the average; resuming needs both
                    extra["online_state_dict"] = q_network.state_dict()
            save_checkpoint(path, policy_network, config=run.config, epoch=step, metrics=history[-1] if history else {},
                            optimizer=optimizer if with_training_state else None, extra=extra)

        # --- first observations -----------------------------------------------------------------------------
        memory = Memory(p.num_envs, history_steps(features))
        nsteps = [NStep(p.n_step, p.gamma) for _ in envs]
        obs, infos = [None] * p.num_envs, [None] * p.num_envs
        for e, env in enumerate(envs):
            obs[e], infos[e] = env.reset(seed=TRAIN_SEED_BASE * (1 + p.train_seed) + episodes_started)
            episodes_started += 1

        def encode(rows) -> np.ndarray:
            """Sorted cues (len(rows), S, 3) of the current observations of environments ``rows``."""
            return encoder(np.stack([obs[e]["audio"] for e in rows]), np.stack([infos[e]["images"] for e in rows]))

        def poses() -> np.ndarray:
            return np.stack([o["agent"] for o in obs])

        cues = encode(range(p.num_envs))
        def network_input(previous, info) -> np.ndarray:
            """(E, input_dim): the state of ``info`` (a Step), after the last K - 1 in ``previous`` for a
            recurrent Q-network (K = q_network.sequence_steps; 0: the state alone)."""
            return stack_states(previous, state_vector(info, features), info.prev_action < 0,
                                q_network.sequence_steps)

        step_info = memory.observe(cues, poses())
        states = network_input(None, step_info)
        potentials = np.array([-p.shaping_per_m * distance_to_target(i) for i in infos])
        ep_return, ep_len = np.zeros(p.num_envs), np.zeros(p.num_envs, dtype=int)
        t0, stats = time.perf_counter(), {"td": [], "margin": [], "q": []}
        time_before = history[-1]["time_s"] if history else 0.0

        while step < p.total_steps:
            # --- 1. collect: epsilon-greedy actions, the demonstrator's in its environments ------------------
            eps = linear_schedule(p.epsilon_start, p.epsilon_end, p.epsilon_decay_steps, step)
            with torch.no_grad():
                greedy = q_network(torch.from_numpy(states).to(device)).argmax(1).cpu().numpy()
            actions = np.where(rng.random(p.num_envs) < eps, rng.integers(0, 4, p.num_envs), greedy)
            demo = (np.arange(p.num_envs) < p.demo_envs) & (step < p.demo_steps) & (p.demonstrator != "none")
            if demo.any():
                shown = handcoded.decide(step_info) if p.demonstrator == "handcoded" else \
                    np.array([oracles[e].act(obs[e], infos[e]) for e in range(p.num_envs)])
                actions = np.where(demo, shown, actions)
            memory.acted(actions)
            results = [env.step(int(a)) for env, a in zip(envs, actions, strict=True)]

            # --- 2. store: scaled and shaped rewards as n-step transitions -----------------------------------
            obs = [r[0] for r in results]
            infos = [r[4] for r in results]
            cues = encode(range(p.num_envs))  # one batched separator pass for every environment
            next_info = memory.observe(cues, poses())
            next_states = network_input(states, next_info)
            for e, (_, reward, terminated, truncated, info) in enumerate(results):
                phi_next = 0.0 if terminated else -p.shaping_per_m * distance_to_target(info)
                learned_reward = reward * p.reward_scale + p.gamma * phi_next - potentials[e]  # shaping: gamma Phi' - Phi
                potentials[e] = phi_next
                for transition in nsteps[e].push(states[e], actions[e], learned_reward, demo[e], next_states[e],
                                                 terminated, truncated):
                    replay.add(*transition)
                ep_return[e] += reward
                ep_len[e] += 1
            step += p.num_envs
            done = [e for e, r in enumerate(results) if r[2] or r[3]]
            for e in done:  # log the episode, start the next (gymnasium never resets inside step)
                logger.episode(step, ep_return[e], ep_len[e], bool(results[e][2]), bool(demo[e]))
                ep_return[e], ep_len[e] = 0.0, 0
                obs[e], infos[e] = envs[e].reset(seed=TRAIN_SEED_BASE * (1 + p.train_seed) + episodes_started)
                episodes_started += 1
                memory.reset(e)
                potentials[e] = -p.shaping_per_m * distance_to_target(infos[e])
            if done:  # the new episodes' first windows replace the finished ones' last
                cues[done] = encode(done)
                next_info = memory.observe(cues, poses())
                next_states = network_input(states, next_info)  # pure: the same rows for the others
            step_info, states = next_info, next_states  # easy to miss: s <- s'

            # --- 3. learn: Double DQN n-step targets, Huber loss, margin loss on demonstrations ---------------
            if len(replay) >= p.learning_starts:
                for group in optimizer.param_groups:
                    group["lr"] = learning_rate(step, p.total_steps, 0, p.lr, p.lr_schedule, p.lr_min_ratio)
                for _ in range(p.updates_per_step):
                    b = replay.sample(p.batch_size, device)
                    with torch.no_grad():
                        target = double_dqn_target(b["ret"], b["discount"], q_network(b["next_state"]),
                                                   target_network(b["next_state"]), p.double_dqn)
                    q_all = q_network(b["state"])
                    q_taken = q_all.gather(1, b["action"][:, None]).squeeze(1)
                    td_loss = F.smooth_l1_loss(q_taken, target) if p.td_loss == "huber" else F.mse_loss(q_taken, target)
                    demo_w = b["demo"].float()
                    margin_loss = (large_margin_loss(q_all, b["action"], p.margin) * demo_w).sum() / demo_w.sum().clamp_min(1)
                    loss = td_loss + p.margin_weight * margin_loss
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    torch.nn.utils.clip_grad_norm_(q_network.parameters(), p.grad_clip)
                    optimizer.step()
                    if policy_network is not q_network:
                        ema_update(policy_network, q_network, p.policy_ema)
                    stats["td"].append(td_loss.item()), stats["margin"].append(margin_loss.item())
                    stats["q"].append(q_taken.mean().item())

            # --- 4. sync the target network ---------------------------------------------------------------------
            if step // p.target_sync_steps != (step - p.num_envs) // p.target_sync_steps:
                target_network.load_state_dict(q_network.state_dict())

            if step // p.log_every != (step - p.num_envs) // p.log_every and stats["td"]:
                wall_s = time.perf_counter() - t0 + time_before
                logger.train(step, wall_s, {"td_loss": np.mean(stats["td"]), "margin_loss": np.mean(stats["margin"]),
                                            "q_mean": np.mean(stats["q"]), "epsilon": eps,
                                            "transitions_per_second": step / (wall_s + 1e-9)})
                stats = {"td": [], "margin": [], "q": []}

            # --- 5. validate greedily on the validation seeds, keep the best; 6. checkpoint ------------------
            if step // p.validation_every != (step - p.num_envs) // p.validation_every or step >= p.total_steps:
                policy_network.eval()
                summary = summarize(evaluate(val_env, LearnedAgent(policy_network, encoder), p.validation_episodes,
                                             seed=p.validation_seed))
                policy_network.train()
                elapsed = time.perf_counter() - t0 + time_before
                history.append({"step": step, **summary, "time_s": round(elapsed, 1)})
                logger.validated(history[-1])
                steps_to_success = summary["mean_steps_to_success"] or float("inf")
                if (summary["success_rate"], -steps_to_success) > (best["success_rate"],
                                                                   -(best["mean_steps_to_success"] or float("inf"))):
                    best = {"success_rate": summary["success_rate"],
                            "mean_steps_to_success": summary["mean_steps_to_success"], "step": step}
                    checkpoint(run.best_path, with_training_state=False)
                checkpoint(run.last_path, with_training_state=True)
                shown = "-" if summary["mean_steps_to_success"] is None else f"{summary['mean_steps_to_success']:.1f}"
                log(f"transition {step:>7} | eps {eps:.2f} | val success {summary['success_rate']:.2f} steps {shown} | "
                    f"best {best['success_rate']:.2f} @ {best['step']} | {elapsed / 60:.1f} min")

        logger.close()
        plot_learning_curve(logger.metrics.records, run.dir / "learning_curve.png",
                            title=f"AuralNav task {task_id}, job {job_id}: {features['cue_source']} cues")
        return {"best": best, "history": history, "run_dir": str(run.dir),
                "train_time_s": history[-1]["time_s"] if history else 0.0}
