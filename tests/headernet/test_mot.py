"""SoccerNet-Tracking's MOT-format ground truth: a small fixture in that format, made here, read as ball frames,
with the errors a damaged download gives, and the heatmap trainer run on it."""

import numpy as np
import pytest

from headernet.mot import ball_track_ids, load_mot_frames, mot_ball_px, mot_sequences, read_ball_boxes

W, H, N = 796, 448, 6  # twice 224p, so the loader's scale is exactly 1/2


def write_sequence(folder, seed, missing_ball_frame=4):
    """A MOT sequence: N JPEG frames of grass with a white ball (track 3, 'ball;1') and a player (track 1)."""
    import cv2

    rng = np.random.default_rng(seed)
    (folder / "img1").mkdir(parents=True)
    (folder / "gt").mkdir()
    (folder / "seqinfo.ini").write_text(f"[Sequence]\nname={folder.name}\nimDir=img1\nframeRate=25\nseqLength={N}\n"
                                        f"imWidth={W}\nimHeight={H}\nimExt=.jpg\n")
    (folder / "gameinfo.ini").write_text("[Sequence]\nname=x\nnum_tracklets=2\ntrackletID_1= player team left;7\n"
                                         "trackletID_3= ball;1\n")
    lines, centres = [], {}
    for f in range(1, N + 1):
        img = np.full((H, W, 3), (40, 120, 40), np.uint8)
        px, py = rng.uniform(100, W - 100), rng.uniform(100, H - 100)
        cv2.rectangle(img, (int(px), int(py)), (int(px) + 20, int(py) + 60), (0, 0, 200), -1)
        lines.append(f"{f},1,{px:.1f},{py:.1f},20,60,1,-1,-1,-1")
        if f != missing_ball_frame:
            cx, cy = rng.uniform(50, W - 50), rng.uniform(50, H - 50)
            cv2.circle(img, (round(cx), round(cy)), 5, (255, 255, 255), -1)
            lines.append(f"{f},3,{cx - 6:.1f},{cy - 6:.1f},12,12,1,-1,-1,-1")
            centres[f] = (cx, cy)
        cv2.imwrite(str(folder / "img1" / f"{f:06d}.jpg"), img, [cv2.IMWRITE_JPEG_QUALITY, 95])
    (folder / "gt" / "gt.txt").write_text("\n".join(lines) + "\n")
    return centres


@pytest.fixture
def mot_root(tmp_path):
    root = tmp_path / "tracking"
    truth = {}
    for split, names in (("train", ("SNMOT-060", "SNMOT-061")), ("test", ("SNMOT-116",))):
        for k, name in enumerate(names):
            truth[name] = write_sequence(root / split / name, seed=len(truth) + k)
    return root, truth


def test_ball_frames_at_224p_with_the_box_centres(mot_root):
    root, truth = mot_root
    seqs = mot_sequences(root, "train")
    assert [s.name for s in seqs] == ["SNMOT-060", "SNMOT-061"]
    assert ball_track_ids(seqs[0]) == {3}
    frames = load_mot_frames(seqs)
    assert frames.images.shape == (2 * N, 224, 398, 3) and frames.images.dtype == np.uint8
    assert frames.visible.tolist() == [f != 4 for f in range(1, N + 1)] * 2
    for (seq, f), centre, seen, img in zip(frames.sources, frames.centres, frames.visible, frames.images, strict=True):
        if not seen:
            continue
        want = np.array(truth[seq.split("/")[-1]][f]) / 2
        np.testing.assert_allclose(centre, want, atol=0.05)  # gt.txt holds one decimal
        # the brightest pixel of the downscaled frame is the ball, where the box says
        y, x = np.unravel_index(np.argmax(img.astype(int).sum(-1)), img.shape[:2])
        assert np.hypot(x + 0.5 - want[0], y + 0.5 - want[1]) < 2.5
    assert mot_ball_px(seqs) == pytest.approx(6.0)
    assert len(load_mot_frames(seqs, stride=2)) == N  # frames 1, 3, 5 of each


def test_a_damaged_download_is_named(mot_root, tmp_path):
    root, _ = mot_root
    seq = root / "train" / "SNMOT-060"
    with pytest.raises(FileNotFoundError, match="no SoccerNet-Tracking sequences"):
        mot_sequences(tmp_path / "nowhere", "train")
    (seq / "gt" / "gt.txt").write_text("1,3,10,10,12,12,1,-1,-1,-1\nnot,a,line\n")
    with pytest.raises(ValueError, match="gt.txt line 2"):
        read_ball_boxes(seq)
    (seq / "seqinfo.ini").unlink()
    with pytest.raises(FileNotFoundError, match="seqinfo.ini not found"):
        load_mot_frames([seq])


def test_the_heatmap_trainer_reads_mot_labels(mot_root, tmp_path, script_main):
    root, _ = mot_root
    train = script_main("train_ball_detector")
    assert train(["--quick", "--set", f"mot_root={str(root)!r}", f"run_root={str(tmp_path / 'runs')!r}",
                  "frame_stride=1", "valid_stride=1"]) == 0
    assert (tmp_path / "runs" / "heatmap" / "999_1" / "best.pt").is_file()
