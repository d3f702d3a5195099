import numpy as np
import pytest
import torch

from auralnav.replay import NStep, ReplayBuffer


def slow_n_step(rewards, n, gamma, terminated):
    """The n-step return and discount of every step of one episode, straight from the definition."""
    out = []
    for t in range(len(rewards)):
        end = min(t + n, len(rewards))
        ret = sum(gamma ** (k - t) * rewards[k] for k in range(t, end))
        discount = 0.0 if (terminated and end == len(rewards)) else gamma ** (end - t)
        out.append((t, ret, discount, end))
    return out


@pytest.mark.parametrize("n", [1, 3, 5])
@pytest.mark.parametrize("terminated", [True, False])
@pytest.mark.parametrize("length", [1, 2, 7])
def test_n_step_transitions_match_the_definition(n, terminated, length):
    rng, gamma = np.random.default_rng(n * 10 + length), 0.9
    rewards = rng.normal(size=length).tolist()
    acc, got = NStep(n, gamma), []
    for t, r in enumerate(rewards):
        last = t == length - 1
        # states are the step index; the next state of step t is t + 1
        got += acc.push(t, t % 4, r, t == 0, t + 1, terminated and last, (not terminated) and last)
    assert len(got) == length and not acc.pending
    for (state, action, ret, discount, next_state, demo), (t, r, d, end) in zip(got, slow_n_step(rewards, n, gamma,
                                                                                               terminated), strict=True):
        assert state == t and action == t % 4 and demo == (t == 0)
        assert ret == pytest.approx(r) and discount == pytest.approx(d) and next_state == end


def test_n_step_emits_nothing_before_n_steps():
    acc = NStep(3, 0.5)
    assert acc.push(0, 0, 1.0, False, 1, False, False) == []
    assert acc.push(1, 0, 1.0, False, 2, False, False) == []
    (s, _, ret, discount, s_next, _), = acc.push(2, 0, 1.0, False, 3, False, False)
    assert (s, ret, discount, s_next) == (0, 1.75, 0.125, 3)


def test_ring_keeps_the_newest_and_states_its_memory():
    buf = ReplayBuffer(5, 3)
    assert buf.nbytes == ReplayBuffer.bytes_needed(5, 3)
    for i in range(8):
        buf.add(np.full(3, i), i % 4, float(i), 0.9, np.full(3, i + 1), i % 2 == 0)
    assert len(buf) == 5 and sorted(buf.ret.tolist()) == [3.0, 4.0, 5.0, 6.0, 7.0]
    b = buf.sample(64)
    assert b["state"].shape == (64, 3) and b["state"].dtype == torch.float32 and b["action"].dtype == torch.int64
    torch.testing.assert_close(b["next_state"], b["state"] + 1)
    assert torch.equal(b["demo"], b["ret"].long() % 2 == 0)


def test_replay_state_dict_round_trip():
    buf = ReplayBuffer(10, 2, seed=1)
    for i in range(4):
        buf.add(np.full(2, i), 1, float(i), 0.5, np.zeros(2), False)
    other = ReplayBuffer(10, 2, seed=1)
    other.load_state_dict(buf.state_dict())
    assert len(other) == 4 and other.pos == 4
    np.testing.assert_array_equal(other.state[:4], buf.state[:4])


def test_sampling_an_empty_buffer_is_an_error():
    with pytest.raises(ValueError, match="empty replay buffer"):
        ReplayBuffer(4, 2).sample(2)
