"""Tasks 9-13: task 8's CPU budget on the rooms of tasks 2-5 and on rooms drawn per episode.

Each task gets a tiny-budget smoke run of its whole pipeline (separator pretraining on its own rooms,
then the DQN hearing through that separator), as task 8 has in tests/integration/test_auralnav_agent.py.
"""

import numpy as np
import pytest
import torch

from auralnav.agents import OracleAgent, load_learned_agent
from auralnav.env import make_env
from auralnav.evaluation import evaluate, summarize
from auralnav.pretrain import pretrain_separator
from auralnav.train import train
from configs.auralnav import get_params

CPU_KEYS = ("fs", "window_s", "sep_kernel_size", "sep_stride", "sep_n_repeats", "sep_bn_chan", "sep_hid_size",
            "pretrain_steps", "max_episode_steps", "total_steps")

# what makes a smoke run take seconds: short windows and clips, asteroid's tiniest DPRNN, a few transitions
TINY = {"window_s": 0.05, "clip_s": 0.5, "sep_n_filters": 16, "sep_bn_chan": 16, "sep_hid_size": 16,
        "sep_chunk_size": 20, "sep_n_repeats": 1, "dqn_hidden": 32, "stft_n_fft": 256, "stft_hop": 64,
        "pretrain_steps": 2, "pretrain_batch_size": 2, "pretrain_eval_mixtures": 2, "num_envs": 2,
        "total_steps": 16, "learning_starts": 8, "batch_size": 8, "replay_capacity": 100, "validation_every": 16,
        "validation_episodes": 1, "max_episode_steps": 6, "demo_steps": 8, "epsilon_decay_steps": 8.0}


@pytest.mark.parametrize("task", ["9", "10", "11", "12", "13"])
def test_cpu_tasks_keep_task_8s_budget_with_their_own_separator(task):
    p, eight = get_params(task), get_params("8")
    assert all(getattr(p, k) == getattr(eight, k) for k in CPU_KEYS)
    assert p.separator_checkpoint == f"data/pretrained/auralnav_task{task}_separator.pt"


def test_cpu_tasks_have_the_rooms_of_tasks_2_to_5():
    assert get_params("9").absorption == get_params("2").absorption < 1 and get_params("9").room_dim == (8.0, 8.0)
    assert get_params("10").is_3d and get_params("10").room_dim == get_params("3").room_dim
    assert get_params("11").room_corners == get_params("4").room_corners and get_params("11").absorption < 1
    assert get_params("12").num_sources == 4 and get_params("12").separator_config()["n_src"] == 4
    p13 = get_params("13")
    assert p13.room_side_range == (5.0, 12.0) and p13.absorption_range == (0.2, 1.0)


@pytest.mark.parametrize("task", ["9", "10", "11", "12", "13"])
def test_tiny_pipeline_per_task(tmp_path, task):
    """Pretrain the task's separator on its own rooms, train the DQN through it, load the agent, act."""
    sep = tmp_path / "sep.pt"
    params = get_params(task, **TINY, run_dir=str(tmp_path), separator_checkpoint=str(sep))
    report = pretrain_separator(params, task, out=sep, log=lambda _: None)
    assert report["separator_args"]["n_src"] == params.num_sources and np.isfinite(report["held_out"]["si_sdri_db"])
    train(params, task, "smoke", log=lambda _: None)
    agent, ckpt = load_learned_agent(tmp_path / f"{task}_smoke" / "best.pt")
    assert ckpt["config"]["task_id"] == task and ckpt["separator"]["model_args"]["n_src"] == params.num_sources
    env = make_env(params=params, return_images=True)
    obs, info = env.reset(seed=5)
    q = agent.q_values(agent.observe(obs, info))
    assert q.shape[-1] == 4 and np.all(np.isfinite(q))


# --- task 13: a room drawn per episode ------------------------------------------------------------------

FAST13 = {"window_s": 0.05, "clip_s": 0.5, "max_order": 2}


def test_each_episode_draws_its_room_within_the_ranges_reproducibly():
    env = make_env("13", **FAST13).unwrapped
    sides, absorptions = [], []
    for seed in range(12):
        _, info = env.reset(seed=seed)
        corners = info["room_corners"]
        sides.append(corners.max(axis=0))
        absorptions.append(env._sim.params.absorption)
        # the simulated room is the drawn one, and every source and the agent are inside it
        np.testing.assert_allclose(env._sim.room.shoebox_dim, corners.max(axis=0))
        assert np.all(env.floor.clearance(info["source_positions"]) >= env.params.source_wall_margin - 1e-9)
        assert env.floor.clearance(info["agent_position"][None])[0] >= env.params.agent_clearance - 1e-9
    sides, absorptions = np.array(sides), np.array(absorptions)
    assert sides.min() >= 5.0 and sides.max() <= 12.0 and np.ptp(sides) > 3.0
    assert absorptions.min() >= 0.2 and absorptions.max() <= 1.0 and np.ptp(absorptions) > 0.3
    _, again = env.reset(seed=3)
    _, first = make_env("13", **FAST13).unwrapped.reset(seed=3)
    np.testing.assert_array_equal(again["room_corners"], first["room_corners"])
    np.testing.assert_array_equal(again["source_positions"], first["source_positions"])


def test_fixed_rooms_draw_nothing_so_their_episodes_are_unchanged():
    p = get_params("8")
    assert p.episode_room(np.random.default_rng(0)) is p and p.largest_room is p
    big = get_params("13").largest_room
    assert big.room_dim == (12.0, 12.0) and not big.room_side_range


@pytest.mark.parametrize("side", [4.0, 14.0])
def test_the_oracle_finds_every_source_in_rooms_outside_the_range(side):
    """The oracle reads each episode's floor, so it walks rooms smaller and larger than the training range."""
    env = make_env("13", **FAST13, room_side_range=(side, side))
    assert env.unwrapped.floor.bounds[1].max() == side
    summary = summarize(evaluate(env, OracleAgent.for_env(env), episodes=4, seed=0))
    assert summary["success_rate"] == 1.0


@pytest.mark.parametrize(
    ("overrides", "match"),
    [({"room_side_range": (5.0,)}, "room_side_range must be"), ({"room_side_range": (6.0, 5.0)}, "room_side_range"),
     ({"absorption_range": (0.5, 1.5)}, "absorption_range must lie in"),
     ({"room_dim": (8.0, 8.0, 3.0)}, "room_side_range draws 2-D shoebox rooms")],
)
def test_bad_room_ranges_name_the_parameter(overrides, match):
    with pytest.raises(ValueError, match=match):
        get_params("13", **overrides)


def test_the_episode_room_is_in_the_evaluation_record():
    from auralnav.evaluation import run_episode

    env = make_env("13", **FAST13, max_episode_steps=3)
    episode = run_episode(env, OracleAgent.for_env(env), seed=2)
    _, info = env.reset(seed=2)
    np.testing.assert_array_equal(np.array(episode.room_corners), info["room_corners"])
    assert torch.tensor(episode.room_corners).shape == (4, 2)
