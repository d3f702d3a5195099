import numpy as np
import pytest
import torch

from auralnav.dqn import DQN, SpatialCues

FS = 16000


def noise(n=FS, seed=0):
    return torch.from_numpy(np.random.default_rng(seed).normal(size=n).astype(np.float32)) * 0.1


def test_ipd_of_a_delayed_channel_is_the_phase_of_the_delay():
    s, delay = noise(), 2  # the right microphone hears the wave 2 samples later
    mix = torch.stack([s[delay:], s[:-delay]])[None]  # left leads
    ipd, _, _, _ = SpatialCues(n_fft=512, hop_length=128).mix_cues(mix)
    bins = torch.arange(1, 60)
    expected = 2 * np.pi * bins / 512 * delay  # below the wrap: omega * delay
    measured = ipd[0, :, bins].median(dim=0).values
    torch.testing.assert_close(measured, expected.float(), atol=0.05, rtol=0)


def test_ild_of_a_halved_channel_is_six_db():
    s = noise()
    _, ild, vol, _ = SpatialCues().mix_cues(torch.stack([s, 0.5 * s])[None])
    assert float(ild.median()) == pytest.approx(20 * np.log10(2), abs=0.01)
    _, _, louder, _ = SpatialCues().mix_cues(torch.stack([2 * s, s])[None])
    assert float((louder - vol).median()) == pytest.approx(20 * np.log10(2), abs=0.01)


def test_masks_are_within_zero_and_one_with_the_data_flow_shapes():
    cues = SpatialCues(n_fft=256, hop_length=64)
    mix, sources = torch.randn(2, 2, 4000), torch.randn(2, 3, 4000) * 5  # louder than the mix: clamped
    ipd, ild, vol, mono = cues.mix_cues(mix)
    assert ipd.shape == ild.shape == vol.shape == mono.shape == (2, 4000 // 64 + 1, 129)
    masks = cues.masks(sources, mono)
    assert masks.shape == (2, 3, 4000 // 64 + 1, 129) and masks.min() >= 0 and masks.max() <= 1
    assert cues(mix, sources).shape == (2, 3, 3)


def test_masks_attribute_each_sources_cues_to_it():
    """A source panned left and one panned right: the masked ILD of each has its side's sign."""
    t = torch.arange(FS) / FS
    tones = lambda *hz: sum(torch.sin(2 * np.pi * f * t) for f in hz) * 0.1  # noqa: E731
    a, b = tones(300, 700, 1100), tones(2900, 4100, 5300)  # separated sources occupy different bins
    mix = torch.stack([a + 0.3 * b, 0.3 * a + b])[None]  # a louder on the left, b on the right
    cues = SpatialCues()(mix, torch.stack([a, b])[None])[0]  # (2 sources, [IPD, ILD, VOL])
    assert cues[0, 1] > 8 and cues[1, 1] < -8  # 20 log10(1 / 0.3) = 10.5 dB


def test_q_values_are_not_squashed_and_gradients_reach_the_inputs():
    dqn = DQN(n_src=2)
    with torch.no_grad():
        dqn.mlp[-1].bias.fill_(100.0)  # rewards reach +100: so must Q
    sources = torch.randn(3, 2, 4000, requires_grad=True)
    q = dqn({"estimated_sources": sources, "mix_audio": torch.randn(3, 2, 4000)},
            torch.tensor([[4.0, 4.0, 1.0, 0.0]] * 3))
    assert q.shape == (3, 4) and float(q.detach().mean()) > 50
    q.sum().backward()
    assert sources.grad is not None and sources.grad.abs().sum() > 0  # the separator can learn through the DQN


def test_features_are_three_cues_per_source_then_the_agent():
    dqn = DQN(n_src=3, room_size=8.0)
    x = dqn.features({"estimated_sources": torch.randn(1, 3, 4000), "mix_audio": torch.randn(1, 2, 4000)},
                     torch.tensor([[8.0, 0.0, 0.0, 1.0]]))
    assert x.shape == (1, 3 * 3 + 4)
    torch.testing.assert_close(x[0, -4:], torch.tensor([1.0, -1.0, 0.0, 1.0]))  # positions scaled to [-1, 1]


@pytest.mark.parametrize("delay", [-3, -1, 0, 2])
def test_itd_cue_is_the_delay_over_the_largest_delay(delay):
    """A source whose wave reaches the left ear ``delay`` samples early: the cue is delay / (fs d / c)."""
    s = noise(FS + 8)
    left, right = s[4 + delay: 4 + delay + FS], s[4: 4 + FS]
    cues = SpatialCues(n_fft=512, hop_length=128, fs=FS, mic_spacing=0.15)
    itd = cues(torch.stack([left, right])[None], s[None, None, 4:4 + FS])[0, 0, 0]
    assert float(itd) == pytest.approx(delay / (FS * 0.15 / 343.0), abs=0.03)
