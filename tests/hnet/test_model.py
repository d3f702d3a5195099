import pytest
import torch

from hnet.model import AttentionLayer, HNetGRU


def test_parameter_count_matches_the_original():
    assert sum(p.numel() for p in HNetGRU(max_len=2).parameters()) == 100_098


def test_state_dict_keys_and_shapes_match_the_original():
    shapes = {k: tuple(v.shape) for k, v in HNetGRU(max_len=2).state_dict().items()}
    assert shapes == {
        "gru.weight_ih_l0": (384, 2), "gru.weight_hh_l0": (384, 128), "gru.bias_ih_l0": (384,), "gru.bias_hh_l0": (384,),
        "attn.conv_Q.weight": (128, 128, 1), "attn.conv_K.weight": (128, 128, 1), "attn.conv_V.weight": (128, 128, 1),
        "fc1.weight": (2, 128), "fc1.bias": (2,),
    }


@pytest.mark.parametrize("batch", [1, 2, 7])
@pytest.mark.parametrize("max_len", [1, 2, 3])
def test_output_shapes_including_batch_of_one(batch, max_len):
    out1, out2, out3 = HNetGRU(max_len=max_len)(torch.rand(batch, max_len, max_len))
    assert out1.shape == (batch, max_len * max_len)
    assert out2.shape == (batch, max_len) and out3.shape == (batch, max_len)


def test_row_and_column_heads_are_maxima_of_the_association_logits():
    torch.manual_seed(0)
    out1, out2, out3 = HNetGRU(max_len=3)(torch.rand(4, 3, 3))
    logits = out1.view(4, 3, 3)
    torch.testing.assert_close(out2, logits.max(-1).values)
    torch.testing.assert_close(out3, logits.max(-2).values)


def test_attention_equals_the_conv_formulation():
    """Fused F.linear path == Q/K/V Conv1d, softmax(Q^T K) over the last axis, (A V^T)^T."""
    torch.manual_seed(0)
    attn = AttentionLayer(8, 5, 6)
    x = torch.randn(3, 8, 4)  # (B, C, T)
    q, k, v = attn.conv_Q(x), attn.conv_K(x), attn.conv_V(x)
    a = torch.softmax(torch.bmm(q.transpose(1, 2), k), dim=2)
    expected = torch.bmm(a, v.transpose(1, 2)).transpose(1, 2)
    torch.testing.assert_close(attn(x), expected)
    assert attn(x).shape == (3, 5, 4)


def test_wrong_input_shape_is_reported():
    with pytest.raises(ValueError, match=r"expects \(B, 2, 2\), got \(4, 3, 3\)"):
        HNetGRU(max_len=2)(torch.rand(4, 3, 3))


def test_gradients_reach_every_parameter():
    model = HNetGRU()
    sum(o.sum() for o in model(torch.rand(5, 2, 2))).backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())


def test_folding_the_attention_scale_keeps_the_function_and_gives_the_original_layer():
    torch.manual_seed(0)
    scaled = HNetGRU(max_len=2, attn_logit_scale=128**-0.5)
    x = torch.rand(6, 2, 2)
    before = scaled(x)
    plain = HNetGRU(max_len=2)
    plain.load_state_dict(scaled.fold_attention_scale().state_dict())  # an original-architecture model
    assert scaled.model_args()["attn_logit_scale"] == 1.0
    for a, b in zip(before, plain(x), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


def test_non_positive_attention_scale_is_refused():
    with pytest.raises(ValueError, match="logit_scale must be > 0"):
        AttentionLayer(4, 4, 4, logit_scale=0.0)
