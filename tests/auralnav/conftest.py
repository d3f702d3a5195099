import pytest


@pytest.fixture
def fast():
    """Overrides that make env steps cheap: 8 kHz, 50 ms windows, short clips, anechoic."""
    return {"fs": 8000, "window_s": 0.05, "clip_s": 0.5, "absorption": 1.0}
