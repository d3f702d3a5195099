import argparse

import numpy as np
import pytest
import supervision as sv
import torch

from headernet.detector import COCO_PERSON, COCO_SPORTS_BALL, RFDETRDetector, class_roles, to_records


def _dets():
    return sv.Detections(xyxy=np.array([[0, 0, 10, 10], [5, 5, 9, 7], [1, 2, 3, 4], [20, 20, 40, 60]], np.float32),
                         confidence=np.array([0.3, 0.9, 0.5, 0.8], np.float32), class_id=np.array([37, 37, 37, 1]),
                         data={"class_name": np.array(["sports ball"] * 3 + ["person"])})


def test_to_records_filters_sorts_and_converts_to_xywh():
    balls = to_records(_dets(), frozenset({37}), topk=2, threshold=0.4)
    assert balls == [{"box": [5.0, 5.0, 4.0, 2.0], "confidence": 0.9, "class_id": 37, "class_name": "sports ball"},
                     {"box": [1.0, 2.0, 2.0, 2.0], "confidence": 0.5, "class_id": 37, "class_name": "sports ball"}]
    assert [r["class_id"] for r in to_records(_dets(), frozenset({1}), topk=5)] == [1]
    assert to_records(sv.Detections.empty(), frozenset({37}), topk=5) == []


def test_class_roles():
    from rfdetr.assets.coco_classes import COCO_CLASS_NAMES

    assert class_roles(list(COCO_CLASS_NAMES), 90) == ({37}, {1})  # sparse COCO category ids
    from rfdetr.assets.coco_classes import COCO_CLASSES

    # COCO weights emit category ids; the ball is the id rfdetr's own table names "sports ball"
    assert COCO_CLASSES[COCO_SPORTS_BALL] == "sports ball" and COCO_CLASSES[COCO_PERSON] == "person"
    assert class_roles(["ball", "player", "referee", "goalkeeper"], 4) == ({0}, {1, 2, 3})
    assert class_roles(["Person", "Sports Ball"], 2) == ({1}, {0})


@pytest.fixture(scope="module")
def nano():
    return RFDETRDetector("nano", None, "cpu", resolution=64, batch_size=2, threshold=0.0)


def test_random_init_nano_detects_in_batches(nano):
    """Offline random init; three frames through batches of two give three Detections in image pixels."""
    assert nano.resolution == 64 and nano.weights is None
    assert nano.ball_class_ids == {37} and nano.player_class_ids == {1}
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 255, (224, 398, 3), dtype=np.uint8) for _ in range(3)]
    out = nano.detect(images, video=None, frames=[0, 1, 2])
    assert len(out) == 3 and all(isinstance(d, sv.Detections) for d in out)
    for d in out:
        assert len(d) > 0 and d.xyxy.shape == (len(d), 4) and d.class_id.dtype.kind == "i"
        assert (d.xyxy[:, 0] >= -1).all() and (d.xyxy[:, 2] <= 399).all() and (d.xyxy[:, 3] <= 225).all()
        assert ((d.confidence >= 0) & (d.confidence <= 1)).all()
    assert nano.detect([], video=None, frames=[]) == []


def test_missing_weights_fail_before_rfdetr_could_download(tmp_path):
    with pytest.raises(FileNotFoundError, match="rf-detr-medium.pth not found"):
        RFDETRDetector("medium", tmp_path / "rf-detr-medium.pth", "cpu")
    with pytest.raises(ValueError, match="unknown RF-DETR variant 'huge'"):
        RFDETRDetector("huge")


def test_local_checkpoint_brings_its_class_names(tmp_path):
    from rfdetr import RFDETRNano

    path = tmp_path / "soccer.pth"
    names = ["ball", "player", "referee", "goalkeeper"]
    source = RFDETRNano(pretrain_weights=None, device="cpu", num_classes=4, resolution=64)
    torch.save({"model": source.model.model.state_dict(), "args": argparse.Namespace(num_classes=4, class_names=names)},
               path)
    det = RFDETRDetector("nano", path, "cpu", resolution=64, batch_size=4, threshold=0.0)
    assert det.class_names == names and det.ball_class_ids == {0} and det.player_class_ids == {1, 2, 3}
    out = det.detect([np.zeros((224, 398, 3), np.uint8)] * 2, video=None, frames=[0, 1])
    assert len(out) == 2 and set(np.unique(out[0].class_id)) <= {0, 1, 2, 3, 4}


def test_optimize_compile_pads_the_last_batch():
    """A traced model takes exactly batch_size frames: three frames at batch 2 need a padded second batch."""
    det = RFDETRDetector("nano", None, "cpu", resolution=64, batch_size=2, threshold=0.0, optimize=True, compile=True)
    assert det.compiled and det.model._optimized_batch_size == 2
    out = det.detect([np.zeros((224, 398, 3), np.uint8)] * 3, video=None, frames=[0, 1, 2])
    assert len(out) == 3 and all(len(d) > 0 for d in out)
