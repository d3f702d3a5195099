import numpy as np
import pytest
import torch

from auralnav.env import AudioEnv
from auralnav.pretrain import best_permutation_si_sdr, mixtures, si_sdr
from common.run import read_metrics
from configs.auralnav import get_params


def test_si_sdr_is_scale_invariant_and_falls_with_noise():
    rng = np.random.default_rng(0)
    target = torch.from_numpy(rng.normal(size=(1, 8000)))
    noise = torch.from_numpy(rng.normal(size=(1, 8000)))
    assert float(si_sdr(3.0 * target, target)) > 80
    assert float(si_sdr(target + noise, target)) == pytest.approx(0.0, abs=0.3)  # equal power: 0 dB
    assert float(si_sdr(target + 0.1 * noise, target)) == pytest.approx(20.0, abs=0.3)


@pytest.mark.parametrize("n_src", [1, 2, 3])
def test_best_permutation_finds_swapped_estimates(n_src):
    targets = torch.randn(2, n_src, 4000)
    perm = list(reversed(range(n_src)))
    scores = best_permutation_si_sdr(targets[:, perm] + 0.01 * torch.randn(2, n_src, 4000), targets)
    assert scores.shape == (2, n_src) and float(scores.min()) > 30


def test_mixtures_and_targets_come_from_the_room(fast):
    env = AudioEnv(get_params("999", **fast), return_images=True)
    mix, targets = mixtures(env, [1, 2, 3], min_source_db=None)
    assert mix.shape == (3, 2, env.params.window) and targets.shape == (3, 2, env.params.window)
    # the targets are the downmixed images, which add up to the downmixed mixture (no sensor noise here)
    torch.testing.assert_close(targets.sum(1), mix.mean(1), atol=1e-5, rtol=1e-4)
    again, _ = mixtures(env, [2], min_source_db=None)
    torch.testing.assert_close(again[0], mix[1])  # seeded


def test_windows_with_a_silent_source_are_skipped(fast):
    env = AudioEnv(get_params("999", **fast), return_images=True)
    _, targets = mixtures(env, range(200), n=10, min_source_db=-30.0)
    energy = (targets.double() ** 2).sum(-1)
    assert len(targets) == 10 and float((10 * torch.log10(energy.min(1).values / energy.max(1).values)).min()) >= -30
    with pytest.raises(ValueError, match="only 0 of 5 windows"):
        mixtures(env, range(3), n=5, min_source_db=1.0)  # no window has sources 1 dB *above* each other


def test_pretraining_resumes_and_refuses_other_parameters(tmp_path, fast):
    from auralnav.pretrain import pretrain_separator

    params = get_params("999", **fast, run_dir=str(tmp_path), pretrain_steps=2, pretrain_batch_size=2,
                        pretrain_eval_mixtures=2)
    out = tmp_path / "sep.pt"
    report = pretrain_separator(params, "999", out=out, log=lambda _: None)
    assert out.is_file() and report["steps"] == 2 and (tmp_path / "999_separator" / "config.json").is_file()
    lines = []
    pretrain_separator(params, "999", out=out, log=lines.append)
    assert any("resumed from" in line and "at step 2" in line for line in lines)
    records = read_metrics(tmp_path / "999_separator" / "metrics.jsonl")
    # held-out SI-SDRi before (step 0) and after (step 2), the loss at the last step; the resume added nothing
    assert [(r["step"], "val_si_sdri_db" in r) for r in records] == [(0, True), (2, False), (2, True)]
    assert (tmp_path / "999_separator" / "curves.png").is_file()
    other = get_params("999", **fast, run_dir=str(tmp_path), pretrain_steps=2, pretrain_batch_size=2,
                       pretrain_eval_mixtures=2, pretrain_lr=1e-2)
    with pytest.raises(ValueError, match="was written with other parameters \\(differing: pretrain_lr\\); use another"):
        pretrain_separator(other, "999", out=out, log=lambda _: None)
    pretrain_separator(other, "999", out=out, fresh=True, log=lambda _: None)
