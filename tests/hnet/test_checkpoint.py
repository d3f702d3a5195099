import pytest
import torch

from common.checkpoint import load_checkpoint, save_checkpoint
from hnet.checkpoint import load_hnet
from hnet.model import HNetGRU


def test_round_trip_gives_the_same_outputs(tmp_path):
    torch.manual_seed(0)
    model = HNetGRU(max_len=3)
    opt = torch.optim.Adam(model.parameters())
    path = save_checkpoint(tmp_path / "m.pt", model, config={"task_id": "3"}, epoch=4, metrics={"a": 1.0}, optimizer=opt)
    raw = torch.load(path, weights_only=True)  # plain types only
    assert raw["model_args"] == {"max_len": 3, "hidden_size": 128, "attn_logit_scale": 1.0} and raw["epoch"] == 4
    assert set(raw["versions"]) >= {"torch", "numpy", "python"}
    back, _ckpt = load_hnet(path, max_doas=3, freeze=True)
    x = torch.rand(5, 3, 3)
    for a, b in zip(model.eval()(x), back(x), strict=False):
        torch.testing.assert_close(a, b)
    assert not any(p.requires_grad for p in back.parameters()) and not back.training


def test_bare_state_dict_loads(tmp_path):
    model = HNetGRU()
    torch.save(model.state_dict(), tmp_path / "sd.pt")
    _back, ckpt = load_hnet(tmp_path / "sd.pt")
    assert ckpt["model_args"] == {"max_len": 2, "hidden_size": 128}


def test_wrong_max_doas_is_reported(tmp_path):
    save_checkpoint(tmp_path / "m.pt", HNetGRU(max_len=3), config={}, epoch=0)
    with pytest.raises(ValueError, match="HNet for max_doas=3, expected max_doas=2"):
        load_hnet(tmp_path / "m.pt", max_doas=2)


def test_wrong_shapes_are_reported(tmp_path):
    sd = HNetGRU().state_dict()
    sd["fc1.weight"] = torch.zeros(3, 128)
    torch.save({"model_name": "HNetGRU", "model_args": {"max_len": 2, "hidden_size": 128}, "state_dict": sd},
               tmp_path / "m.pt")
    with pytest.raises(ValueError, match="weights do not fit HNetGRU"):
        load_hnet(tmp_path / "m.pt")


@pytest.mark.parametrize(
    ("content", "match"),
    [({"model_name": "CRNN", "model_args": {}, "state_dict": {}}, "holds a 'CRNN' checkpoint"),
     ({"foo": torch.zeros(1)}, "neither an HNet checkpoint")],
)
def test_foreign_checkpoints_are_reported(tmp_path, content, match):
    torch.save(content, tmp_path / "m.pt")
    with pytest.raises(ValueError, match=match):
        load_hnet(tmp_path / "m.pt")


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.pt"):
        load_checkpoint(tmp_path / "nope.pt")
    (tmp_path / "junk.pt").write_text("junk")
    with pytest.raises(ValueError, match="junk.pt is not a readable checkpoint"):
        load_checkpoint(tmp_path / "junk.pt")


@pytest.mark.parametrize("name", ["hnet_model.pt", "hnet_model_jitter.pt"])
def test_shipped_pretrained_model_is_the_original_architecture_and_accurate(name):
    """data/pretrained/*.pt: max_doas 2, unscaled attention, and accurate on a fresh test split of the
    original's distribution (a tenth of the full test set, another seed)."""
    from pathlib import Path

    import numpy as np

    from configs.hnet import get_params
    from hnet.data import generate_split
    from hnet.train import predict_proba

    path = Path(__file__).resolve().parents[2] / "data" / "pretrained" / name
    model, ckpt = load_hnet(path, max_doas=2)
    assert ckpt["model_args"] == {"max_len": 2, "hidden_size": 128, "attn_logit_scale": 1.0}
    split = generate_split(get_params("1", shuffle="one_axis", test_scale=0.01), "test", seed=77)
    pred = predict_proba(model, torch.as_tensor(split["dist"])) > 0.5
    exact = np.mean(np.all(pred == split["assoc"].astype(bool), axis=(1, 2)))
    assert len(split["dist"]) == 4050 and exact > 0.99
