import json

import numpy as np
import pytest

from headernet.annotations import half_from_name
from headernet.frames import probe, read_frames
from headernet.synth import FPS, read_frame_stamp, stamp_frame_index


@pytest.mark.parametrize("index", [0, 1, 299, 2**17 + 5, 2**18 - 1])
@pytest.mark.parametrize("height", [224, 720])
def test_frame_stamp_round_trip(index, height):
    img = np.full((height, height * 16 // 9, 3), 90, np.uint8)
    stamp_frame_index(img, index)
    assert read_frame_stamp(img) == index


def test_games_have_the_soccernet_layout(games_root):
    games = sorted(p.parent for p in games_root.rglob("Labels-ball.json"))
    assert len(games) == 2
    for game in games:
        rel = game.relative_to(games_root).parts
        assert len(rel) == 3 and " - " in rel[2]  # league / season / "date - HH-MM Home S - S Away"
        for half in (1, 2):
            info = probe(game / f"{half}_224p.mkv")
            assert (info.fps, info.frame_count, info.width, info.height) == (25.0, 300, 398, 224)
            assert half_from_name(f"{half}_224p") == half


def test_labels_match_the_ground_truth_contacts(games_root):
    """Each HEADER's position (ms) is its frame x 40 ms, and on that frame the ball centre is on a player's head."""
    game = next(games_root.rglob("Labels-ball.json")).parent
    labels = json.loads((game / "Labels-ball.json").read_text())["annotations"]
    headers = [a for a in labels if a["label"] == "HEADER"]
    assert headers and {a["label"] for a in labels} - {"HEADER"}
    for a in headers:
        half = int(a["gameTime"][0])
        frame = int(a["position"]) * FPS // 1000
        gt = np.load(game / f"{half}_224p_gt.npz")
        ball = gt["ball_xyxy"][frame].reshape(2, 2).mean(0)
        heads = gt["heads_xyxy"][frame].reshape(-1, 2, 2).mean(1)
        assert np.min(np.linalg.norm(heads - ball, axis=1)) < 0.01
        table = (game / f"{half}_header_frames.csv").read_text().split()
        assert table[0:2] == ["Frame", "Number"] and str(frame) in table


def test_decoded_frames_show_the_ground_truth_ball(games_root):
    video = next(games_root.rglob("1_224p.mkv"))
    frames, _ = read_frames(video, [10, 150, 290])
    gt = np.load(video.with_name("1_224p_gt.npz"))
    for t, img in frames.items():
        x1, y1, x2, y2 = gt["ball_xyxy"][t]
        patch = img[int(y1): int(np.ceil(y2)), int(x1): int(np.ceil(x2))].mean(-1)
        assert patch.max() > 235  # a white ball where the sidecar says


# --- the hard look (the default) ---------------------------------------------------------------------------


def test_hard_games_label_hidden_balls_camera_motion_and_cuts(hard_games_root):
    gt = np.load(next(hard_games_root.rglob("1_224p_gt.npz")))
    visible = gt["ball_visible"]
    assert visible.dtype == bool and 0.5 < visible.mean() < 0.99  # some frames show no ball at all
    centre = gt["ball_xyxy"].reshape(-1, 2, 2).mean(1)
    diameter = gt["ball_xyxy"][:, 2] - gt["ball_xyxy"][:, 0]
    assert 2.0 <= diameter.min() and diameter.max() <= 8.0  # broadcast size at 224p, changing with the zoom
    assert np.ptp(diameter) > 0.5
    inside = (centre[:, 0] >= 0) & (centre[:, 0] < 398) & (centre[:, 1] >= 0) & (centre[:, 1] < 224)
    assert not np.any(visible & ~inside)  # a ball out of the frame is never labelled visible
    heads = gt["heads_xyxy"]
    head_size = heads[..., 2] - heads[..., 0]
    assert np.ptp(head_size[:, 0]) > 1.0  # the zoom changes
    jumps = np.abs(np.diff(heads[:, :, :2], axis=0)).max(axis=(1, 2))
    assert jumps.max() > 20  # a cut: every player jumps between two frames
    labels = json.loads(next(hard_games_root.rglob("Labels-ball.json")).read_text())["annotations"]
    for a in (a for a in labels if a["gameTime"].startswith("1 ")):
        frame = int(a["position"]) * FPS // 1000
        assert a["visibility"] == ("visible" if visible[frame] else "not shown")


def test_hard_frames_show_the_visible_ball_among_white_distractors(hard_games_root):
    video = next(hard_games_root.rglob("1_224p.mkv"))
    gt = np.load(video.with_name("1_224p_gt.npz"))
    frames, _ = read_frames(video, list(range(5, 300, 20)))
    shown, white_elsewhere = [], []
    for t, img in frames.items():
        gray = img.mean(-1)
        x1, y1, x2, y2 = gt["ball_xyxy"][t]
        if gt["ball_visible"][t]:
            patch = gray[max(int(y1) - 1, 0): int(np.ceil(y2)) + 1, max(int(x1) - 1, 0): int(np.ceil(x2)) + 1]
            shown.append(patch.max())
        mask = gray > 200
        mask[: 8, : 100] = False  # the frame-index stamp
        mask[max(int(y1) - 3, 0): int(y2) + 4, max(int(x1) - 3, 0): int(x2) + 4] = False
        white_elsewhere.append(mask.sum())
    assert shown and np.median(shown) > 170  # small, blurred, compressed, but bright where the sidecar says
    assert np.median(white_elsewhere) > 10  # socks, lines, spots, white shirts in the crowd: ball-like pixels


def _one_frame_half(ball_xy, prev_xy, feet, look):
    from headernet.synth import Half

    ground = np.array([prev_xy, ball_xy], float)
    return Half(feet=np.array([feet, feet], float), ball_ground=ground, ball_height=np.zeros(2), events=[],
                n_frames=2, camera=np.tile([199.0, 112.0, 1.0], (2, 1)), ball_diameter=4.0)


def test_a_fast_ball_is_a_streak_along_its_velocity():
    from headernet.synth import Look, render_frame

    look = Look((4.0, 4.0), True, True, False, False)
    bg = np.full((224, 398, 3), 60, np.uint8)
    far_away = [[20.0, 220.0], [30.0, 220.0]]
    fast = render_frame(bg, _one_frame_half([200.0, 120.0], [180.0, 120.0], far_away, look), 1, 1, look)
    still = render_frame(bg, _one_frame_half([200.0, 120.0], [200.0, 120.0], far_away, look), 1, 1, look)
    for img, long_axis in ((fast, 0), (still, None)):
        ys, xs = np.nonzero(img[90:150, 150:250].mean(-1) > 80)
        extent_x, extent_y = np.ptp(xs) + 1, np.ptp(ys) + 1
        if long_axis == 0:
            assert extent_x >= 2 * extent_y  # smeared along x, the direction of motion
        else:
            assert abs(extent_x - extent_y) <= 1


def test_a_player_in_front_hides_the_ball_and_it_is_labelled_hidden():
    from headernet.synth import Look, ball_visibility, render_frame

    look = Look((4.0, 4.0), False, True, False, False)
    bg = np.full((224, 398, 3), 60, np.uint8)
    # the ball on the ground at y 120; player 0's feet at y 125 (nearer the camera), its body over the ball
    half = _one_frame_half([200.0, 120.0 - 2.5], [200.0, 120.0 - 2.5], [[200.0, 125.0], [50.0, 200.0]], look)
    half.ball_ground[:, 1] = 120.0
    half.ball_height[:] = 2.5
    assert not ball_visibility(half)[1]
    img = render_frame(bg, half, 1, 1, look)
    assert tuple(img[117, 200]) == (200, 40, 40)  # the home kit, not the white ball
    half.feet[:, 0, 1] = 110.0  # the player now stands behind the ball
    assert ball_visibility(half)[1]
    assert render_frame(bg, half, 1, 1, look)[117, 200].min() > 200
