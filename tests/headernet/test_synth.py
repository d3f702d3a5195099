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
