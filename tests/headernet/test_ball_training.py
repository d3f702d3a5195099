"""The ball detector's training data and measure: the COCO export of the ground-truth sidecar, ball recall at
IoU 0.5 with the centre error, and a two-step smoke run of scripts/train_ball_detector.py (then one more step,
resumed)."""

import json

import numpy as np
import pytest

from headernet.ball_training import ANNOTATIONS, ball_recall, best_ball_boxes, box_iou, export_coco
from headernet.synth import read_frame_stamp


def test_coco_export_boxes_equal_the_sidecar(games_root, tmp_path):
    videos = sorted(games_root.rglob("1_224p.mkv"))
    coco = export_coco(videos, tmp_path, "train", stride=60, offset=7)
    assert json.loads((tmp_path / "train" / ANNOTATIONS).read_text()) == coco
    assert [c["name"] for c in coco["categories"]] == ["ball", "player"]
    assert len(coco["images"]) == 2 * 5  # frames 7, 67, ..., 247 of each 300-frame half
    import cv2

    for image in coco["images"]:
        gt = np.load(image["video"].replace(".mkv", "_gt.npz"))
        anns = [a for a in coco["annotations"] if a["image_id"] == image["id"]]
        balls = [a["bbox"] for a in anns if a["category_id"] == 0]
        players = np.array([a["bbox"] for a in anns if a["category_id"] == 1])
        x1, y1, x2, y2 = gt["ball_xyxy"][image["frame"]].astype(np.float64)
        if gt["ball_visible"][image["frame"]]:
            assert balls == [[x1, y1, x2 - x1, y2 - y1]]  # exactly the sidecar's box, as x, y, w, h
        else:
            assert balls == []  # hidden behind a player or out of the camera's view
        p = gt["players_xyxy"][image["frame"]].astype(np.float64)
        p = np.clip(p, 0, [398, 224, 398, 224])  # the camera's view cuts players at the frame's edges
        p = p[(p[:, 2] - p[:, 0] >= 1) & (p[:, 3] - p[:, 1] >= 1)]
        assert np.array_equal(players, np.stack([p[:, 0], p[:, 1], p[:, 2] - p[:, 0], p[:, 3] - p[:, 1]], -1))
        assert all(a["area"] == a["bbox"][2] * a["bbox"][3] and a["iscrowd"] == 0 for a in anns)
        bgr = cv2.imread(str(tmp_path / "train" / image["file_name"]))
        assert bgr.shape == (image["height"], image["width"], 3) == (224, 398, 3)
        assert read_frame_stamp(bgr[..., ::-1]) == image["frame"]  # the decoded frame the boxes belong to
    with pytest.raises(FileNotFoundError, match="no ground-truth sidecar"):
        export_coco([tmp_path / "real" / "1_224p.mkv"], tmp_path, "valid")


def test_ball_recall_at_iou_half_and_centre_error():
    truth = np.array([[10, 10, 16, 16]] * 4, float)
    dx1, dx3 = np.array([1, 0, 1, 0]), np.array([3, 0, 3, 0])
    assert box_iou(truth[:1] + dx3, truth[:1])[0] == pytest.approx(18 / 54)
    exact, shifted1, shifted3 = truth[0], truth[0] + dx1, truth[0] + dx3
    m = ball_recall([exact, shifted1, shifted3, None], truth)
    # IoU: 1, 30/42 (hit), 18/54 (miss); the fourth frame has no box
    assert m["recall"] == 0.5 and m["found"] == 0.75 and m["frames"] == 4
    assert m["centre_err_median"] == 1.0 and m["centre_err_mean"] == pytest.approx(4 / 3, abs=1e-3)
    assert m["within_3px"] == 0.75  # the 3 px shift is a miss at IoU 0.5 but still within 3 px
    assert ball_recall([None] * 4, truth)["recall"] == 0.0


def test_best_ball_box_is_the_most_confident_ball_above_threshold():
    import supervision as sv

    d = sv.Detections(xyxy=np.array([[0, 0, 4, 4], [10, 10, 14, 14], [20, 20, 24, 24], [30, 30, 34, 34]], np.float32),
                      confidence=np.array([0.5, 0.9, 0.2, 0.95], np.float32), class_id=np.array([0, 0, 0, 1]))
    best = best_ball_boxes([d, d[d.class_id == 1], sv.Detections.empty()], frozenset({0}), 0.25)
    assert best[0].tolist() == [10, 10, 14, 14] and best[1] is None and best[2] is None


@pytest.mark.slow
def test_train_ball_detector_two_steps_then_resumes(tmp_path, script_main):
    train = script_main("train_ball_detector")
    common = ["--quick", "--detector", "rfdetr", "--device", "cpu", "--out", str(tmp_path / "runs"), "--set",
              f"synth_dir={str(tmp_path / 'sn')!r}", f"coco_dir={str(tmp_path / 'coco')!r}"]
    assert train(common) == 0
    run = tmp_path / "runs" / "ball_detector" / "999_1"
    curve = json.loads((run / "curve.json").read_text())["points"]
    assert [p["step"] for p in curve] == [2] and 0.0 <= curve[0]["recall"] <= 1.0 and curve[0]["frames"] == 2
    assert (run / "curve.png").stat().st_size > 1000 and (run / "last.ckpt").is_file()
    coco = json.loads((tmp_path / "coco" / "train" / ANNOTATIONS).read_text())
    assert len(coco["images"]) == 2 * 4  # one game, both halves, frames 0, 75, 150, 225

    # the same command with one more step allowed continues the run (optimizer, step, curve)
    assert train([*common[:-2], "max_steps=3", *common[-2:]]) == 0
    curve = json.loads((run / "curve.json").read_text())["points"]
    assert [p["step"] for p in curve] == [2, 3] and curve[1]["wall_s"] > curve[0]["wall_s"]
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [2, 3] and records[1]["val_recall"] == curve[1]["recall"]

    # the weights load as a builder detector: RF-DETR Nano with the ball as class 0
    from headernet.detector import RFDETRDetector

    det = RFDETRDetector("nano", run / "ball_detector.pth", "cpu", resolution=64)
    assert det.class_names == ["ball", "player"] and det.ball_class_ids == {0} and det.player_class_ids == {1}
    # other parameters under the same job id are refused with one line; so is CUDA where there is none
    assert train([*common[:-2], "lr=0.5", *common[-2:]]) == 2
    import torch

    if not torch.cuda.is_available():
        assert train([*common, "--device", "cuda:0"]) == 2
