import itertools

import numpy as np
import pytest
import torch

from auralnav.agent import RnnAgent, epsilon, load_rnn_agent
from configs.auralnav import get_params


@pytest.fixture
def params(tmp_path):
    return get_params("999", window_s=0.1, run_dir=str(tmp_path))


@pytest.fixture
def agent(params):
    return RnnAgent(params)


def batch(agent, n=8, seed=0):
    """A replay batch in ``agent``'s state encoding (cached features or raw audio)."""
    rng = np.random.default_rng(seed)
    window = agent.params.window

    def state():
        audio = rng.uniform(-0.3, 0.3, (n, 2, window)).astype(np.float32)
        info = np.c_[rng.uniform(0, 4, (n, 2)), np.ones((n, 1)), np.zeros((n, 1))].astype(np.float32)
        return {k: torch.from_numpy(v) for k, v in agent.encode(audio, info).items()}

    return {"state": state(), "next_state": state(), "action": torch.from_numpy(rng.integers(0, 4, n)),
            "reward": torch.from_numpy(rng.normal(size=n).astype(np.float32)),
            "terminated": torch.tensor([1.0, 0.0] * (n // 2))}


def test_epsilon_decays_from_start_to_end(params):
    values = [epsilon(t, params) for t in (0, 10, 100, 1000, 10**6)]
    assert values[0] == pytest.approx(params.epsilon_start)
    assert all(a > b for a, b in itertools.pairwise(values))
    assert values[-1] == pytest.approx(params.epsilon_end)


def test_bellman_target_masks_terminal_transitions(agent, params):
    b = batch(agent)
    target = agent.td_target(b)
    with torch.no_grad():
        next_q = agent.target.q(b["next_state"]).max(1).values
    terminal = b["terminated"] == 1
    torch.testing.assert_close(target[terminal], b["reward"][terminal])
    torch.testing.assert_close(target[~terminal], b["reward"][~terminal] + params.gamma * next_q[~terminal])
    assert not target.requires_grad


@pytest.mark.parametrize("train_separator", [False, True])
def test_updates_on_a_fixed_batch_lower_the_td_error(params, train_separator):
    agent = RnnAgent(get_params("999", window_s=0.1, run_dir=params.run_dir, train_separator=train_separator))
    b = batch(agent)
    first = agent.update(b)["td_loss"]
    for _ in range(40):
        last = agent.update(b)["td_loss"]
    assert last < 0.5 * first


@pytest.mark.parametrize("train_separator", [False, True])
def test_separator_is_frozen_or_fine_tuned_by_parameter(params, train_separator):
    agent = RnnAgent(get_params("999", window_s=0.1, run_dir=params.run_dir, train_separator=train_separator))
    before = [p.detach().clone() for p in agent.nets.separator.parameters()]
    dqn_before = [p.detach().clone() for p in agent.nets.dqn.parameters()]
    assert agent.cache_features == (not train_separator)
    assert set(batch(agent)["state"]) == ({"audio", "agent"} if train_separator else {"features"})
    agent.update(batch(agent))
    sep_changed = any(not torch.equal(a, b) for a, b in zip(before, agent.nets.separator.parameters(), strict=True))
    assert sep_changed == train_separator
    assert any(not torch.equal(a, b) for a, b in zip(dqn_before, agent.nets.dqn.parameters(), strict=True))


def test_target_networks_change_only_when_synced(agent, params):
    b = batch(agent)
    agent.update(b)
    online, stable = agent.nets.state_dict(), agent.target.state_dict()
    assert any(not torch.equal(online[k], stable[k]) for k in online)
    agent.sync_target()
    assert all(torch.equal(agent.nets.state_dict()[k], v) for k, v in agent.target.state_dict().items())
    assert not any(p.requires_grad for p in agent.target.parameters())


def test_greedy_and_random_action_choice(agent, params):
    rng = np.random.default_rng(5)
    audio = rng.uniform(-0.3, 0.3, (64, 2, params.window)).astype(np.float32)
    info = np.tile(np.array([2.0, 2.0, 1.0, 0.0], np.float32), (64, 1))
    state = agent.encode(audio, info)
    greedy = agent.q_values(state).argmax(1)
    np.testing.assert_array_equal(agent.choose_actions(state, eps=0.0), greedy)
    assert set(agent.choose_actions(state, eps=1.0).tolist()) == {0, 1, 2, 3}
    assert agent.act({"audio": audio[0], "agent": info[0]}) == greedy[0]


def test_cached_features_equal_the_full_forward(agent, params):
    rng = np.random.default_rng(6)
    audio = rng.uniform(-0.3, 0.3, (3, 2, params.window)).astype(np.float32)
    info = np.tile(np.array([1.0, 3.0, 0.0, 1.0], np.float32), (3, 1))
    with torch.no_grad():
        full = agent.nets.eval()(torch.from_numpy(audio), torch.from_numpy(info)).numpy()
    np.testing.assert_allclose(agent.q_values(agent.encode(audio, info)), full, rtol=1e-5, atol=1e-6)


def test_checkpoint_round_trip_gives_the_same_policy(agent, params, tmp_path):
    agent.update(batch(agent))
    from configs.base import to_dict

    config = to_dict(params) | {"task_id": "999", "job_id": "t"}
    agent._save(tmp_path / "a.pt", config, step=7, best={}, history=[])
    raw = torch.load(tmp_path / "a.pt", weights_only=True)
    assert raw["model_name"] == "AgentNets" and raw["epoch"] == 7 and "separator" in raw["model_args"]
    loaded = load_rnn_agent(tmp_path / "a.pt")
    state = {k: v.numpy() for k, v in batch(agent, seed=3)["state"].items()}
    np.testing.assert_allclose(loaded.q_values(state), agent.q_values(state), rtol=1e-5, atol=1e-5)


def test_a_separator_of_other_arguments_is_refused(params, tmp_path):
    from auralnav.separation import RnnSeparator, save_separator

    path = save_separator(tmp_path / "sep.pt", RnnSeparator(**{**params.separator_config(), "n_repeats": 2}))
    with pytest.raises(ValueError, match=r"separator_checkpoint .*sep\.pt has arguments"):
        RnnAgent(get_params("999", separator_checkpoint=str(path)))
