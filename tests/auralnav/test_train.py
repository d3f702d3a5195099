import numpy as np
import pytest
import torch

from auralnav.agents import load_learned_agent
from auralnav.env import make_env
from auralnav.train import distance_to_target, train
from common.run import read_metrics
from configs.auralnav import get_params

QUIET = {"log": lambda _: None}


def tiny(tmp_path, fast, **overrides):
    return get_params("999", **fast, run_dir=str(tmp_path), **{"total_steps": 24, "learning_starts": 8,
                                                              "validation_every": 12, "validation_episodes": 1,
                                                              "max_episode_steps": 6, **overrides})


def test_distance_to_target_is_to_the_nearest_unfound_source():
    info = {"agent_position": np.array([0.0, 0.0]), "source_positions": np.array([[3.0, 4.0], [1.0, 0.0]]),
            "source_found": np.array([False, True])}
    assert distance_to_target(info) == 5.0
    assert distance_to_target({**info, "source_found": np.array([False, False])}) == 1.0
    assert distance_to_target({**info, "source_found": np.array([True, True])}) == 0.0


def test_shaping_adds_the_potential_difference_and_telescopes(tmp_path, fast):
    """With n_step 1 the stored return is scaled reward + gamma Phi(s') - Phi(s), Phi = -k x distance (0 at the
    end); over an episode the discounted shaping sums to gamma^T Phi_T - Phi_0, whatever the path."""
    params = tiny(tmp_path, fast, n_step=1, reward_scale=0.01, shaping_per_m=0.1, demo_envs=0, num_envs=1,
                  total_steps=12, validation_every=12)
    env = make_env(params=params)
    _, info = env.reset(seed=3)
    rng, k, gamma, total, phi = np.random.default_rng(0), 0.1, params.gamma, 0.0, None
    phi = -k * distance_to_target(info)
    phi0, t = phi, 0
    done = False
    while not done:
        _, _, terminated, truncated, info = env.step(int(rng.integers(4)))
        phi_next = 0.0 if terminated else -k * distance_to_target(info)
        total += gamma**t * (gamma * phi_next - phi)
        phi, t, done = phi_next, t + 1, terminated or truncated
    assert total == pytest.approx(gamma**t * phi - phi0)

    train(params, "999", "shaped", **QUIET)
    ckpt = torch.load(tmp_path / "999_shaped" / "last.pt", weights_only=True)
    ret = ckpt["replay"]["ret"].numpy()
    # a step costs 0.005 (0.006 for a turn); shaping adds at most k x step_size (a move) plus (1 - gamma) x Phi
    plain = ret[ret < 0.5]
    bound = 0.006 + k * params.step_size * 1.001 + (1 - gamma) * k * np.hypot(4, 4)
    assert len(ret) == 12 and np.all(np.abs(plain) <= bound)
    assert np.any(np.abs(plain + 0.005) > 1e-3) and np.any(np.abs(plain + 0.006) > 1e-3)  # shaped, not raw


def test_run_writes_its_folder_resumes_and_refuses_other_parameters(tmp_path, fast):
    params = tiny(tmp_path, fast)
    result = train(params, "999", "t", **QUIET)
    run = tmp_path / "999_t"
    for name in ("config.json", "last.pt", "best.pt", "episodes.csv", "metrics.jsonl", "learning_curve.png"):
        assert (run / name).is_file(), name
    validations = [r for r in read_metrics(run / "metrics.jsonl") if "val_success_rate" in r]
    assert [r["step"] for r in validations] == [12, 24] and all("wall_s" in r for r in validations)
    assert [h["step"] for h in result["history"]] == [12, 24]
    lines = []
    train(params, "999", "t", log=lines.append)  # same parameters: resumes at 24, which is the end
    assert any("resumed from" in line and "at transition 24" in line for line in lines)
    assert [r["step"] for r in read_metrics(run / "metrics.jsonl") if "val_success_rate" in r] == [12, 24]
    (run / "metrics.jsonl").unlink()  # a run folder from before metrics.jsonl: rebuilt from the checkpoint
    train(params, "999", "t", **QUIET)
    assert [r["step"] for r in read_metrics(run / "metrics.jsonl")] == [12, 24]
    with pytest.raises(ValueError, match="was written with other parameters \\(differing: lr\\)"):
        train(tiny(tmp_path, fast, lr=1e-2), "999", "t", **QUIET)
    train(tiny(tmp_path, fast, lr=1e-2), "999", "t", fresh=True, **QUIET)


def test_checkpoint_carries_the_separator_and_gives_the_same_policy(tmp_path, fast):
    params = tiny(tmp_path, fast)
    train(params, "999", "c", **QUIET)
    agent, ckpt = load_learned_agent(tmp_path / "999_c" / "best.pt")
    assert ckpt["model_name"] == "QNetwork" and ckpt["separator"]["model_args"] == params.separator_config()
    assert agent.config["cue_source"] == "separator" and agent.config["memory"]
    raw = torch.load(tmp_path / "999_c" / "best.pt", weights_only=True)
    assert "replay" not in raw and raw["optimizer"] is None  # best.pt is small: no training state
    env = make_env(params=params, return_images=True)
    obs, info = env.reset(seed=1)
    again, _ = load_learned_agent(tmp_path / "999_c" / "best.pt")
    q1, q2 = agent.q_values(agent.observe(obs, info)), again.q_values(again.observe(obs, info))
    np.testing.assert_allclose(q1, q2)


def test_demonstrations_are_flagged_in_the_replay(tmp_path, fast):
    params = tiny(tmp_path, fast, demonstrator="oracle", demo_envs=1, demo_steps=1000, n_step=1)
    train(params, "999", "d", **QUIET)
    replay = torch.load(tmp_path / "999_d" / "last.pt", weights_only=True)["replay"]
    assert 0 < float(replay["demo"].float().mean()) < 1  # one of the two environments demonstrates


def test_an_agent_with_older_steps_in_its_state_trains_and_acts(tmp_path, fast):
    from auralnav.features import state_dim

    params = tiny(tmp_path, fast, history_steps=2)
    train(params, "999", "h", **QUIET)
    agent, ckpt = load_learned_agent(tmp_path / "999_h" / "best.pt")
    assert agent.config["history_steps"] == 2 and agent.memory.history_steps == 2
    per_older_step = 3 * 2 + 4 + 4  # cues of two sources, action one-hot, pose
    assert ckpt["model_args"]["state_dim"] == state_dim(agent.config) == \
        state_dim({**agent.config, "history_steps": 0}) + 2 * per_older_step
    env = make_env(params=params, return_images=True)
    obs, info = env.reset(seed=1)
    for _ in range(4):  # the older steps fill as it walks
        obs, _, terminated, truncated, info = env.step(agent.act(obs, info))
        if terminated or truncated:
            break
    assert agent.q_values(agent.observe(obs, info)).shape == (1, 4)


def test_a_moving_average_policy_is_what_is_validated_saved_and_resumed(tmp_path, fast):
    params = tiny(tmp_path, fast, policy_ema=0.9)
    train(params, "999", "e", **QUIET)
    last = torch.load(tmp_path / "999_e" / "last.pt", weights_only=True)
    average, online = last["state_dict"], last["online_state_dict"]
    assert average.keys() == online.keys()
    assert any(not torch.equal(average[k], online[k]) for k in average)  # the saved policy is the average
    agent, _ = load_learned_agent(tmp_path / "999_e" / "best.pt")
    assert agent.q_values(agent.observe(*make_env(params=params, return_images=True).reset(seed=1))).shape == (1, 4)
    lines = []
    train(params, "999", "e", log=lines.append)  # resumes both networks from last.pt (at its end: nothing to do)
    assert any("resumed from" in line for line in lines)


def test_a_recurrent_q_network_trains_stores_its_windows_and_acts_on_them(tmp_path, fast):
    params = tiny(tmp_path, fast, q_sequence_steps=3)
    train(params, "999", "r", **QUIET)
    agent, ckpt = load_learned_agent(tmp_path / "999_r" / "best.pt")
    d = ckpt["model_args"]["state_dim"]
    assert agent.qnet.sequence_steps == 3 and agent.qnet.input_dim == 3 * d
    replay = torch.load(tmp_path / "999_r" / "last.pt", weights_only=True)["replay"]
    assert replay["state"].shape[1] == replay["next_state"].shape[1] == 3 * d  # windows, not single states
    env = make_env(params=params, return_images=True)
    obs, info = env.reset(seed=1)
    agent.reset(seed=1)
    first = agent.network_input(agent.observe(obs, info))
    np.testing.assert_array_equal(first[0, :d], first[0, -d:])  # the episode's first state in every slot
    for _ in range(3):
        obs, _, terminated, truncated, info = env.step(agent.act(obs, info))
        assert not (terminated or truncated)
    window = agent.network_input(agent.observe(obs, info))
    assert not np.array_equal(window[0, :d], window[0, -d:])  # it holds older steps now
    obs, info = env.reset(seed=2)
    agent.reset(seed=2)
    again = agent.network_input(agent.observe(obs, info))
    np.testing.assert_array_equal(again[0, :d], again[0, -d:])  # a new episode starts a new window


@pytest.mark.parametrize(("schedule", "final_ratio"), [("constant", 1.0), ("cosine", 0.05)])
def test_learning_rate_schedule_reaches_its_end_value(tmp_path, fast, schedule, final_ratio):
    params = tiny(tmp_path, fast, lr_schedule=schedule)
    train(params, "999", schedule, **QUIET)
    last = torch.load(tmp_path / f"999_{schedule}" / "last.pt", weights_only=False)
    lr = last["optimizer"]["param_groups"][0]["lr"]
    assert lr == pytest.approx(params.lr * final_ratio, rel=0.15)  # the last update is a round before the end


def test_unknown_learning_rate_schedule_is_refused():
    with pytest.raises(ValueError, match="lr_schedule must be 'constant' or 'cosine'"):
        get_params("8", lr_schedule="linear")
