import pytest
import torch

from auralnav.separation import RnnSeparator, load_separator, save_separator, validate_separator_config

TINY = {"n_src": 2, "n_filters": 16, "kernel_size": 16, "stride": 8, "bn_chan": 16, "hid_size": 16,
        "chunk_size": 20, "n_repeats": 1, "sample_rate": 16000}


@pytest.fixture(scope="module")
def separator():
    torch.manual_seed(0)
    return RnnSeparator(**TINY).eval()


@pytest.mark.parametrize(("config", "message"), [
    ({**TINY, "n_blocks": 4}, r"unknown separator parameter\(s\) \['n_blocks'\]"),  # asteroid would swallow it
    ({k: v for k, v in TINY.items() if k != "n_src"}, "'n_src' must be a positive int"),
    ({**TINY, "n_src": 0}, "'n_src' must be a positive int"),
    ({**TINY, "stride": 2.5}, "'stride' must be a positive int"),
])
def test_bad_separator_config_is_an_error_naming_the_key(config, message):
    with pytest.raises(ValueError, match=message):
        validate_separator_config(config)


@pytest.mark.parametrize("batch", [1, 3])
def test_output_shapes_follow_the_data_flow(separator, batch):
    mix = torch.randn(batch, 2, 4000) * 0.1
    out = separator(mix)
    assert out["estimated_sources"].shape == (batch, 2, 4000)
    assert out["mix_audio"] is mix


def test_stereo_is_downmixed_the_same_way_for_acting_and_learning(separator):
    mono = torch.randn(2, 4000) * 0.1
    with torch.no_grad():
        stereo = separator(torch.stack([mono, mono], dim=1))["estimated_sources"]
        direct = separator.model(mono)
        split = separator(torch.stack([mono + 0.05, mono - 0.05], dim=1))["estimated_sources"]  # same mean
    torch.testing.assert_close(stereo, direct)
    torch.testing.assert_close(split, direct, rtol=1e-4, atol=1e-5)


def test_mono_input_to_the_stereo_wrapper_is_refused(separator):
    with pytest.raises(ValueError, match=r"\(B, C, T\)"):
        separator(torch.randn(2, 4000))


def test_checkpoint_round_trip_loads_with_weights_only(separator, tmp_path):
    path = save_separator(tmp_path / "sep.pt", separator, metrics={"si_sdri_db": 1.5})
    raw = torch.load(path, weights_only=True)
    assert raw["model_args"] == TINY and raw["metrics"]["si_sdri_db"] == 1.5
    loaded, _ = load_separator(path)
    mix = torch.randn(1, 2, 4000) * 0.1
    with torch.no_grad():
        torch.testing.assert_close(loaded.eval()(mix)["estimated_sources"], separator(mix)["estimated_sources"])


def test_loading_another_model_names_the_file(tmp_path):
    from common.checkpoint import save_checkpoint
    from hnet.model import HNetGRU

    path = save_checkpoint(tmp_path / "hnet.pt", HNetGRU(), config={}, epoch=0)
    with pytest.raises(ValueError, match=r"hnet\.pt is not an RnnSeparator checkpoint"):
        load_separator(path)
