import numpy as np
import pytest

from auralnav.replay import RLDataset, audio_state_spec

SPEC = audio_state_spec(160)


def transition(rng, n=1, window=160):
    state = lambda: {"audio": rng.uniform(-1, 1, (n, 2, window)), "agent": rng.normal(size=(n, 4))}  # noqa: E731
    return state(), rng.integers(0, 4, n), rng.normal(size=n), rng.random(n) < 0.1, state()


def test_memory_is_fixed_and_stated_up_front():
    buf = RLDataset(100, audio_state_spec(16000))
    assert buf.nbytes == RLDataset.bytes_needed(100, audio_state_spec(16000))
    assert RLDataset.bytes_needed(10_000, audio_state_spec(16000)) < 1.3e9  # the original's grew to ~11.7 GB
    assert RLDataset.bytes_needed(10_000, {"features": ((10,), np.float32)}) < 1e6  # cached DQN features


@pytest.mark.parametrize("added", [0, 1, 7, 25])
def test_ring_keeps_at_most_capacity_and_the_newest(added):
    rng, buf = np.random.default_rng(0), RLDataset(10, SPEC)
    rewards = []
    for _ in range(added):
        t = transition(rng)
        buf.add(*t)
        rewards.append(float(t[2][0]))
    assert len(buf) == min(added, 10)
    assert sorted(buf.reward[: len(buf)].tolist()) == pytest.approx(sorted(rewards[-10:]))


def test_vector_env_batches_and_float16_audio_round_trip():
    rng, buf = np.random.default_rng(1), RLDataset(8, SPEC)
    t = transition(rng, n=4)
    buf.add(*t)
    assert len(buf) == 4
    batch = buf.sample(64)
    assert batch["state"]["audio"].shape == (64, 2, 160) and batch["next_state"]["agent"].shape == (64, 4)
    assert batch["action"].shape == (64,) and str(batch["state"]["audio"].dtype) == "torch.float32"
    assert np.abs(buf.state["audio"][:4].astype(np.float32) - t[0]["audio"]).max() < 1e-3  # float16 keeps ~1e-3
    assert set(batch["terminated"].tolist()) <= {0.0, 1.0}


def test_states_of_other_keys_are_refused():
    rng, buf = np.random.default_rng(2), RLDataset(8, SPEC)
    state, action, reward, term, _ = transition(rng)
    with pytest.raises(ValueError, match="do not match the buffer's"):
        buf.add(state, action, reward, term, {"features": np.zeros((1, 10))})


def test_sampling_an_empty_buffer_is_an_error():
    with pytest.raises(ValueError, match="empty replay buffer"):
        RLDataset(4, SPEC).sample(2)
