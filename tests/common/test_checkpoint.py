"""The one model loader: a round trip, and the one error format for another model, a missing key, and weights that
do not fit."""

import pytest
import torch
from torch import nn

from common.checkpoint import load_model, save_checkpoint


class Tiny(nn.Module):
    def __init__(self, width: int = 3):
        super().__init__()
        self.width = width
        self.lin = nn.Linear(2, width)
        self.drop = nn.Dropout(0.5)

    def model_args(self):
        return {"width": self.width}

    def forward(self, x):
        return self.drop(self.lin(x))


def build(args):
    return Tiny(**args)


def test_round_trip_rebuilds_the_same_model_in_eval_mode(tmp_path):
    torch.manual_seed(0)
    model = Tiny(4)
    path = save_checkpoint(tmp_path / "t.pt", model, config={"a": 1}, epoch=3, extra={"note": "x"})
    loaded, ckpt = load_model(path, "Tiny", build, what="a Tiny", writer="nothing", required=("note",))
    assert not loaded.training and ckpt["epoch"] == 3 and ckpt["config"] == {"a": 1}
    x = torch.randn(5, 2)
    torch.testing.assert_close(loaded(x), model.eval()(x))


@pytest.mark.parametrize("case, message", [
    ("other model",
     r"o.pt is not a Tiny checkpoint: it holds a 'Other' checkpoint; expected a Tiny, which make_tiny.py writes"),
    ("missing key", r"o.pt is not a Tiny checkpoint: it holds a Tiny checkpoint without note;"),
    ("wrong shapes", r"o.pt: weights do not fit Tiny\(\{'width': 9\}\): .*size mismatch"),
])
def test_every_mismatch_names_the_file_and_what_it_holds(tmp_path, case, message):
    model = Tiny(3)
    ckpt = {"model_name": "Tiny", "model_args": {"width": 3}, "state_dict": model.state_dict(), "note": 1}
    if case == "other model":
        ckpt["model_name"] = "Other"
    elif case == "missing key":
        del ckpt["note"]
    else:
        ckpt["model_args"] = {"width": 9}
    torch.save(ckpt, tmp_path / "o.pt")
    with pytest.raises(ValueError, match=message):
        load_model(tmp_path / "o.pt", "Tiny", build, what="a Tiny", writer="make_tiny.py", required=("note",))
