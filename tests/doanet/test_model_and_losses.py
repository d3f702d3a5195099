import numpy as np
import pytest
import torch

from doanet.losses import activity_loss, dmot_losses, mse_loss, pit_loss, unit_normalise
from doanet.model import CRNN, doa_to_tracks
from hnet.checkpoint import load_hnet


@pytest.fixture(scope="module")
def hnet():
    """DOAnet's default HNet (task 5, trained off the grid)."""
    from pathlib import Path

    from configs.doanet import get_params

    path = Path(__file__).resolve().parents[2] / get_params().hnet_checkpoint
    return load_hnet(path, max_doas=2, freeze=True)[0]


def scene(b=3, t=20, seed=0):
    g = torch.Generator().manual_seed(seed)
    v = torch.randn(b, t, 2, 3, generator=g)
    v = v / v.norm(dim=-1, keepdim=True)
    active = torch.ones(b, t, 2)
    active[:, t // 2:, 1] = 0  # the second source ends half-way
    ref = torch.where(active[..., None] > 0, v, torch.full_like(v, 10.0))
    return v, ref, active


@pytest.mark.parametrize(("channels", "activity", "expected"), [(7, True, 1_553_928), (7, False, 1_520_646),
                                                                (10, True, 1_557_384)])
def test_parameter_counts(channels, activity, expected):
    assert sum(p.numel() for p in CRNN(in_channels=channels, activity_head=activity).parameters()) == expected


@pytest.mark.parametrize("legacy", [False, True])
def test_shapes_and_activity_range(legacy):
    doa, act = CRNN(legacy_activity_tanh=legacy).eval()(torch.randn(2, 7, 250, 64))
    assert doa.shape == (2, 50, 6) and act.shape == (2, 50, 2)
    assert doa.abs().max() <= 1
    if legacy:
        assert act.abs().max() <= 1  # the original's tanh cap on the logits
    assert doa_to_tracks(doa, 2).shape == (2, 50, 2, 3)
    np.testing.assert_array_equal(doa_to_tracks(doa, 2)[0, 0, 1].detach(), doa[0, 0, [1, 3, 5]].detach())


def test_gradients_reach_every_doanet_parameter_and_no_hnet_parameter(hnet):
    model = CRNN(nb_cnn2d_filt=8, rnn_size=16, fnn_size=16, fnn_act_size=16)
    _, ref, active = scene(b=2, t=10)
    doa, act = model(torch.randn(2, 7, 50, 64))
    out = dmot_losses(doa_to_tracks(doa, 2), ref, active, hnet)
    (out["dmotp"] + out["dmota"] + 10 * activity_loss(act, out["matched"])).backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())
    assert sum(bool(p.grad.abs().sum() > 0) for p in model.parameters()) >= len(list(model.parameters())) - 2
    assert all(p.grad is None and not p.requires_grad for p in hnet.parameters())


def test_dmotp_grows_with_angular_error(hnet):
    v, ref, active = scene()
    g = torch.Generator().manual_seed(1)
    losses = []
    for deg in (1, 5, 20, 45):
        noisy = v + np.deg2rad(deg) * torch.randn(v.shape, generator=g)
        losses.append(float(dmot_losses(noisy, ref, active, hnet)["dmotp"]))
    assert losses == sorted(losses) and losses[0] < 3 and losses[-1] > 20


def test_dmotp_grows_when_a_source_is_missed(hnet):
    v, ref, active = scene()
    both_near = v.clone()
    both_near[..., 1, :] = v[..., 0, :] + 0.05  # the second source is not predicted anywhere near
    good = dmot_losses(v + 0.02, ref, active, hnet)["dmotp"]
    missed = dmot_losses(both_near, ref, active, hnet)["dmotp"]
    assert missed > 5 * good


def test_ids_counts_switches_within_a_sequence_only(hnet):
    v, ref, active = scene(b=2, t=10)
    active[:] = 1
    ref = v.clone()
    pred = v + 0.03
    base = float(dmot_losses(pred, ref, active, hnet)["ids"])
    swapped_seq = pred.clone()
    swapped_seq[1] = pred[1][:, [1, 0]]  # a whole sequence in the other slot order: no switch inside it
    assert float(dmot_losses(swapped_seq, ref, active, hnet)["ids"]) == pytest.approx(base, abs=0.05)
    switch = pred.clone()
    switch[0, 5:] = pred[0, 5:][:, [1, 0]]  # the slots swap half-way through sequence 0
    assert float(dmot_losses(switch, ref, active, hnet)["ids"]) > base + 1.5


def test_padded_frames_do_not_count(hnet):
    v, ref, active = scene(b=1, t=10)
    mask = torch.ones(1, 10, dtype=torch.bool)
    mask[0, 6:] = False
    junk = v.clone()
    junk[0, 6:] = -v[0, 6:]  # garbage on padded frames only
    a = dmot_losses(v + 0.02, ref, active, hnet, mask)
    b = dmot_losses(torch.cat([v[:, :6] + 0.02, junk[:, 6:]], 1), ref, active, hnet, mask)
    assert float(a["dmotp"]) == pytest.approx(float(b["dmotp"]), rel=1e-5)


def test_dmot_is_near_zero_for_perfect_predictions(hnet):
    v, ref, active = scene()  # the second source ends half-way: exactly right predictions beside a fill column
    out = dmot_losses(v, ref, active, hnet)
    assert float(out["dmotp"]) < 1e-3 and float(out["dmota"]) < 0.05


def test_exact_zero_distances_are_associated_only_through_the_floor(hnet):
    """Without the distance floor the HNet reads an exact 0 beside a fill column as no match."""
    from doanet.losses import hnet_association

    dist = torch.tensor([[[0.0, 16.83], [1.4495, 17.71]]])
    assert float(hnet_association(hnet, dist, floor=0.0)[0, 0, 0]) < 0.5
    assert float(hnet_association(hnet, dist)[0, 0, 0]) > 0.99


def test_pit_is_invariant_to_slot_order_and_mse_is_not():
    v, ref, active = scene()
    baseline_ref = torch.where(active[..., None] > 0, v, torch.tensor([0.0, 0.0, 1.0]))
    swapped = v[..., [1, 0], :]
    assert float(pit_loss(swapped, ref, active)) == pytest.approx(float(pit_loss(v, ref, active)), abs=1e-6)
    assert float(pit_loss(v, ref, active)) < 1e-6
    assert float(mse_loss(swapped, baseline_ref)) > float(mse_loss(v, baseline_ref)) + 0.1


def test_unit_normalise():
    x = torch.tensor([[3.0, 0.0, 4.0]])
    torch.testing.assert_close(unit_normalise(x), torch.tensor([[0.6, 0.0, 0.8]]))
