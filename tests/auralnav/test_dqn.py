import pytest
import torch

from auralnav.dqn import QNetwork, double_dqn_target, ema_update, large_margin_loss, linear_schedule


def test_q_values_are_linear_and_carry_their_feature_config():
    q = QNetwork(10, 4, 16, features={"cue_source": "images", "memory": True})
    with torch.no_grad():
        q.mlp[-1].bias.fill_(100.0)
    out = q(torch.randn(3, 10))
    assert out.shape == (3, 4) and float(out.detach().mean()) > 50  # not squashed
    assert q.model_args() == {"state_dim": 10, "n_actions": 4, "hidden": 16,
                              "features": {"cue_source": "images", "memory": True}, "sequence_steps": 0}


def test_checkpoint_args_from_before_the_recurrent_window_build_the_mlp():
    old_args = {"state_dim": 10, "n_actions": 4, "hidden": 16, "features": {}}
    q = QNetwork(**old_args)
    assert q.sequence_steps == 0 and q.input_dim == 10 and hasattr(q, "mlp")


def test_recurrent_q_network_reads_its_window_oldest_first():
    torch.manual_seed(0)
    k, d = 3, 5
    q = QNetwork(d, 4, 16, sequence_steps=k)
    assert q.input_dim == k * d
    window = torch.randn(2, k * d)
    out = q(window)
    assert out.shape == (2, 4)
    older, newest = window.clone(), window.clone()
    older[:, :d] += 1.0  # the oldest state changes: the GRU carries it to the output
    newest[:, -d:] += 1.0
    assert not torch.allclose(q(older), out) and not torch.allclose(q(newest), out)
    # and the batch rows do not mix
    torch.testing.assert_close(q(window[:1]), out[:1])


def test_recurrent_q_network_refuses_a_negative_window():
    with pytest.raises(ValueError, match="sequence_steps"):
        QNetwork(5, 4, 16, sequence_steps=-1)


def test_double_dqn_target_against_a_hand_computation():
    ret = torch.tensor([1.0, -0.5, 0.2])
    discount = torch.tensor([0.9, 0.0, 0.81])  # gamma^n; 0: terminated within the n steps
    online = torch.tensor([[1.0, 3.0, 2.0], [5.0, 0.0, 0.0], [0.0, 0.0, 7.0]])
    target = torch.tensor([[10.0, 20.0, 30.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    # the online network picks the action (1, 0, 2), the target network values it (20, 1, 6)
    expected = torch.tensor([1.0 + 0.9 * 20.0, -0.5, 0.2 + 0.81 * 6.0])
    torch.testing.assert_close(double_dqn_target(ret, discount, online, target), expected)
    # plain DQN takes the target's own max (30, 3, 6)
    plain = torch.tensor([1.0 + 0.9 * 30.0, -0.5, 0.2 + 0.81 * 6.0])
    torch.testing.assert_close(double_dqn_target(ret, discount, online, target, double=False), plain)


def test_large_margin_loss_against_a_hand_computation():
    q = torch.tensor([[1.0, 2.0, 0.5, 0.0], [3.0, 1.0, 1.0, 1.0], [1.0, 1.04, 0.0, 0.0]])
    demo = torch.tensor([0, 0, 0])
    # max_a [Q + 0.1 (a != a_E)] - Q(a_E): (2.1 - 1), 0 (leads by more than the margin), (1.14 - 1)
    torch.testing.assert_close(large_margin_loss(q, demo, 0.1), torch.tensor([1.1, 0.0, 0.14]))
    assert float(large_margin_loss(q, torch.tensor([1, 0, 1]), 0.0).min()) >= 0


def test_margin_loss_teaches_the_demonstrated_action():
    torch.manual_seed(0)
    q = QNetwork(6, 4, 16)
    states, actions = torch.randn(32, 6), torch.randint(0, 4, (32,))
    opt = torch.optim.Adam(q.parameters(), lr=1e-2)
    for _ in range(300):
        loss = large_margin_loss(q(states), actions, 0.1).mean()
        opt.zero_grad(), loss.backward(), opt.step()
    assert (q(states).argmax(1) == actions).float().mean() > 0.95


@pytest.mark.parametrize(("t", "expected"), [(0, 1.0), (50, 0.525), (100, 0.05), (10**6, 0.05)])
def test_linear_schedule(t, expected):
    assert linear_schedule(1.0, 0.05, 100, t) == pytest.approx(expected)


@pytest.mark.parametrize("decay", [0.0, 0.9])
def test_ema_update_against_a_hand_computation(decay):
    torch.manual_seed(0)
    online, average = QNetwork(6, 4, 8), QNetwork(6, 4, 8)
    before = [p.detach().clone() for p in average.parameters()]
    ema_update(average, online, decay)
    for b, a, o in zip(before, average.parameters(), online.parameters(), strict=True):
        torch.testing.assert_close(a, decay * b + (1 - decay) * o)
