"""The spatial cues against signals of known delay and level, and against the room's geometry."""

import numpy as np
import pytest
import torch

from auralnav.cues import ILD, ITD, VOL, SpatialCues, sort_by_loudness
from auralnav.env import AudioEnv
from configs.auralnav import get_params

FS = 16000


def noise(n=FS, seed=0):
    return torch.from_numpy(np.random.default_rng(seed).normal(size=n).astype(np.float32)) * 0.1


@pytest.mark.parametrize("method", ["lsq", "gcc_phat"])
@pytest.mark.parametrize("delay", [-3, -1, 0, 2])
def test_itd_is_the_delay_over_the_largest_delay(method, delay):
    """A source whose wave reaches the left ear ``delay`` samples early: the cue is delay / (fs d / c)."""
    s = noise(FS + 8)
    left, right = s[4 + delay: 4 + delay + FS], s[4: 4 + FS]
    cues = SpatialCues(n_fft=512, hop_length=128, fs=FS, mic_spacing=0.15, itd_method=method)
    itd = cues(torch.stack([left, right])[None], s[None, None, 4:4 + FS])[0, 0, ITD]
    assert float(itd) == pytest.approx(delay / (FS * 0.15 / 343.0), abs=0.03)


def test_ild_and_vol_of_scaled_channels():
    s = noise()
    cues = SpatialCues()
    c = cues(torch.stack([s, 0.5 * s])[None], s[None, None])[0, 0]
    assert float(c[ILD]) == pytest.approx(20 * np.log10(2), abs=0.01)
    # VOL is the source's mean power per sample in dB: 0.1-std noise at both ears is -20 dB
    both = cues(torch.stack([s, s])[None], s[None, None])[0, 0]
    assert float(both[VOL]) == pytest.approx(10 * np.log10(float((s**2).mean())), abs=0.3)
    louder = cues(torch.stack([2 * s, 2 * s])[None], 2 * s[None, None])[0, 0]
    assert float(louder[VOL] - both[VOL]) == pytest.approx(20 * np.log10(2), abs=0.01)


def test_masks_attribute_each_sources_cues_to_it():
    """A source panned left and one panned right, in different bins: each gets its own side's ILD."""
    t = torch.arange(FS) / FS
    tones = lambda *hz: sum(torch.sin(2 * np.pi * f * t) for f in hz) * 0.1  # noqa: E731
    a, b = tones(300, 700, 1100), tones(2900, 4100, 5300)
    mix = torch.stack([a + 0.3 * b, 0.3 * a + b])[None]
    cues = SpatialCues()(mix, torch.stack([a, b])[None])[0]
    assert cues[0, ILD] > 8 and cues[1, ILD] < -8  # 20 log10(1 / 0.3) = 10.5 dB
    assert cues.shape == (2, 3)


def test_silent_source_is_quiet_and_masks_stay_in_range():
    cues = SpatialCues(n_fft=256, hop_length=64)
    mix, sources = torch.randn(2, 2, 4000), torch.randn(2, 3, 4000) * 5
    sources[:, 2] = 0
    left, right = cues.stft(mix).unbind(1)
    masks = cues.masks(sources, left, right)
    assert masks.shape == (2, 3, 4000 // 64 + 1, 129) and masks.min() >= 0 and masks.max() <= 1
    out = cues(mix, sources)
    assert out.shape == (2, 3, 3) and (out[:, 2, VOL] < out[:, 0, VOL] - 60).all()


def test_sort_by_loudness_gives_a_fixed_order():
    cues = torch.tensor([[[0.1, 1.0, -30.0], [0.5, 2.0, -20.0], [0.9, 3.0, -40.0]],
                         [[0.2, 0.0, -10.0], [0.3, 0.0, -10.0], [0.4, 0.0, -50.0]]])
    out = sort_by_loudness(cues)
    torch.testing.assert_close(out[0], cues[0, [1, 0, 2]])
    torch.testing.assert_close(out[1], cues[1, [0, 1, 2]])  # ties keep their order
    # the order does not depend on the separator's output order
    torch.testing.assert_close(sort_by_loudness(cues[:, [2, 0, 1]]), out)


@pytest.fixture(scope="module")
def one_source_env():
    # task 8's ears and rate, one source, anechoic, a 1 s window so the estimate is stable
    return get_params("8", num_sources=1, sources=("babble",), window_s=1.0, clip_s=2.0, start_distance=1.5)


@pytest.mark.parametrize("method", ["lsq", "gcc_phat"])
def test_itd_follows_the_sine_of_the_sources_direction(one_source_env, method):
    """A source 3 m away at a known angle from the heading: ITD = sin(angle) (far field), its sign included;
    front and back give the same cue (what memory is for)."""
    cues = SpatialCues(512, 128, one_source_env.fs, one_source_env.mic_spacing, itd_method=method)
    centre, measured, expected = np.array([4.0, 4.0]), [], []
    for deg in (-90, -60, -30, 0, 30, 60, 90, 150, 180):
        angle = np.deg2rad(deg)  # heading 0 (along +x): the source's direction is the angle itself
        source = centre + 2.5 * np.array([np.cos(angle), np.sin(angle)])
        env = AudioEnv(one_source_env, source_positions=(tuple(source),), agent_start=(4.0, 4.0, 0.0),
                       return_images=True)
        obs, info = env.reset(seed=deg + 1000)
        c = cues(torch.from_numpy(obs["audio"])[None], torch.from_numpy(info["images"].mean(1))[None])[0, 0]
        measured.append(float(c[ITD]))
        expected.append(np.sin(angle))
    measured, expected = np.array(measured), np.array(expected)
    assert np.all(np.sign(measured[np.abs(expected) > 0.4]) == np.sign(expected[np.abs(expected) > 0.4]))
    np.testing.assert_allclose(measured, expected, atol=0.2)
    assert np.corrcoef(measured, expected)[0, 1] > 0.97
