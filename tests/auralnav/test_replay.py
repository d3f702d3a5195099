import numpy as np
import pytest

from auralnav.replay import RLDataset


def transition(rng, n=1, shape=(2, 160)):
    return (rng.uniform(-1, 1, (n, *shape)), rng.normal(size=(n, 4)), rng.integers(0, 4, n), rng.normal(size=n),
            rng.random(n) < 0.1, rng.uniform(-1, 1, (n, *shape)), rng.normal(size=(n, 4)))


def test_memory_is_fixed_and_stated_up_front():
    buf = RLDataset(100, (2, 16000))
    assert buf.nbytes == RLDataset.bytes_needed(100, (2, 16000))
    assert RLDataset.bytes_needed(10_000, (2, 16000)) < 1.3e9  # the original's grew to ~11.7 GB


@pytest.mark.parametrize("added", [0, 1, 7, 25])
def test_ring_keeps_at_most_capacity_and_the_newest(added):
    rng, buf = np.random.default_rng(0), RLDataset(10, (2, 160))
    rewards = []
    for _ in range(added):
        t = transition(rng)
        buf.add(*t)
        rewards.append(float(t[3][0]))
    assert len(buf) == min(added, 10)
    assert sorted(buf.reward[: len(buf)].tolist()) == pytest.approx(sorted(rewards[-10:]))


def test_vector_env_batches_and_float16_audio_round_trip():
    rng, buf = np.random.default_rng(1), RLDataset(8, (2, 160))
    t = transition(rng, n=4)
    buf.add(*t)
    assert len(buf) == 4
    batch = buf.sample(64)
    assert batch["audio"].shape == (64, 2, 160) and batch["audio"].dtype.is_floating_point
    assert batch["action"].shape == (64,) and batch["next_agent"].shape == (64, 4)
    stored = buf.audio[:4].astype(np.float32)
    assert np.abs(stored - t[0]).max() < 1e-3  # float16 keeps audio to ~1e-3
    assert set(batch["terminated"].tolist()) <= {0.0, 1.0}


def test_sampling_an_empty_buffer_is_an_error():
    with pytest.raises(ValueError, match="empty replay buffer"):
        RLDataset(4, (2, 8)).sample(2)
