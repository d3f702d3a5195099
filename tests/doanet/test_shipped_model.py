"""The shipped DOAnet (data/pretrained/doanet_foa.pt) still does what its card says, through the package API."""

from pathlib import Path

import numpy as np
import pytest

from doanet.inference import load_doanet, predict_recording, reference_tracks, score, synthetic_recording

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data" / "pretrained" / "doanet_foa.pt"
# data/pretrained/README.md: the fresh 30 s ov2 recording of seed 1 (the one `make demo` plots), generator v3
CARD = {"LE": 19.5, "LF": 80.1}


@pytest.fixture(scope="module")
def shipped():
    return load_doanet(SHIPPED)


def test_shipped_model_is_the_dmot_activity_foa_model_of_the_large_protocol(shipped):
    p = shipped.params
    assert p.dataset == "foa" and p.use_hnet and not p.use_dmot_only
    assert shipped.model.activity_head is not None
    assert shipped.checkpoint["config"]["task_id"] == "40"
    assert set(shipped.checkpoint["data_synth_versions"].values()) == {3}  # trained on the image-source rooms
    assert shipped.mean.shape == shipped.std.shape == (7, 64) and np.all(shipped.std > 0)


def test_shipped_model_localises_a_fresh_recording_as_its_card_says(shipped, tmp_path):
    paths = synthetic_recording(shipped.params, tmp_path, seed=1, overlap=2, length_s=30.0)
    tracks = predict_recording(shipped, paths["foa"])
    ref_xyz, ref_active = reference_tracks(paths["csv"], len(tracks.xyz), shipped.params.max_doas)
    metrics = score(tracks, ref_xyz, ref_active)["original"]
    assert metrics["LE"] == pytest.approx(CARD["LE"], abs=1.0)
    assert metrics["LF"] == pytest.approx(CARD["LF"], abs=2.0)
    assert np.allclose(np.linalg.norm(tracks.xyz, axis=-1), 1.0, atol=1e-5)
