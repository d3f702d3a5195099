import numpy as np
import pytest

from headernet.crops import ConstantVelocityKalman, ball_track, crop_radius, crop_stack, output_size_for, to_patch_box


def _ball(x, y, w=6.0, h=6.0, conf=0.9):
    return {"box": [x - w / 2, y - h / 2, w, h], "confidence": conf}


def test_track_sources_kalman_then_interpolation():
    frames = [0, 3, 6, 9, 12, 18, 24, 30]
    truth = [(100 + 2 * f, 50 + f) for f in frames]  # constant velocity (2, 1) px/frame
    balls = [_ball(*truth[0]), _ball(*truth[1]), _ball(*truth[2]), None, None, None, None, _ball(*truth[7])]
    track = ball_track(frames, balls, max_gap=5)
    assert [p["source"] for p in track] == ["model"] * 3 + ["kalman"] + ["interpolated"] * 3 + ["model"]
    assert np.allclose(track[3]["center"], truth[3], atol=1.5)  # the filter has learnt the velocity
    assert np.allclose(track[4]["center"], truth[4], atol=2.0)  # interpolated between 9 (kalman) and 30
    assert track[2]["velocity"][0] > 1.0 and track[3]["confidence"] == 0.0


def test_track_holds_the_ends_and_needs_a_ball():
    track = ball_track([0, 10, 20], [None, _ball(40, 30), None], max_gap=5)
    assert [p["source"] for p in track] == ["interpolated", "model", "interpolated"]
    assert track[0]["center"] == track[2]["center"] == [40.0, 30.0]
    assert ball_track([0, 1], [None, None], max_gap=5) is None


def test_kalman_resets_after_a_long_gap():
    track = ball_track([0, 1, 20, 21], [_ball(0, 0), _ball(5, 0), _ball(300, 100), _ball(301, 100)], max_gap=5)
    assert track[2]["velocity"] == [0.0, 0.0]  # a new filter, not a 300 px jump
    kf = ConstantVelocityKalman((0, 0), 5, 25)
    for t in range(1, 30):
        kf.predict(1)
        kf.update((3 * t, -t))
    assert np.allclose(kf.x[2:], (3, -1), atol=0.1)


def test_output_size_and_radius():
    assert output_size_for(398, 224) == 64 and output_size_for(1280, 720) == 256 and output_size_for(512, 288) == 64
    assert crop_radius([(6, 6)], 64, 4.5, 398, 224) == 32  # at least S / 2
    assert crop_radius([(20, 10), (30, 14)], 64, 4.5, 398, 224) == pytest.approx(4.5 * 25 / 2)
    assert crop_radius([(300, 300)], 64, 4.5, 398, 224) == pytest.approx(0.75 * 398)


@pytest.mark.parametrize(("cx", "cy", "radius"), [(100.3, 60.7, 32), (200.5, 112.0, 45.0), (3.0, 4.0, 32)])
def test_crop_centres_the_ball_and_pads_with_zeros(cx, cy, radius):
    size = 64
    yy, xx = np.mgrid[0:224, 0:398] + 0.5  # pixel centres in edge coordinates
    img = (40 + 200 * (np.hypot(xx - cx, yy - cy) < 4)).astype(np.uint8)
    crop = crop_stack([img, img, img], (cx, cy), radius, size)
    assert crop.shape == (64, 64, 3) and crop.dtype == np.uint8
    ys, xs = np.nonzero(crop[..., 1] > 140)
    w = crop[..., 1][ys, xs].astype(float)
    assert abs((xs * w).sum() / w.sum() + 0.5 - size / 2) < 0.6 and abs((ys * w).sum() / w.sum() + 0.5 - size / 2) < 0.6
    if cx < radius:  # outside the frame is black
        assert crop[size // 2, 0, 1] == 0 and crop[0, 0, 0] == 0
    else:
        assert crop.min() >= 35


def test_patch_box():
    assert to_patch_box([95, 55, 10, 10], (100, 60), 32, 64) == [27.0, 27.0, 10.0, 10.0]
    assert to_patch_box([95, 55, 10, 10], (100, 60), 64, 64) == [29.5, 29.5, 5.0, 5.0]
