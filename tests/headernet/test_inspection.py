"""The cache inspection: a contact sheet of positives and negatives with ball boxes coloured by source, and the
text summary (counts per label, skipped reasons)."""

import json

import numpy as np
import pytest

from headernet.annotations import Sample
from headernet.cache import INDEX_COLUMNS, SKIPPED_COLUMNS, SKIPPED_NAME, index_row, write_csv, write_sample
from headernet.inspection import SOURCE_COLOURS, contact_sheet, sample_block, summary_text

WINDOW = [-3, 0, 3]
SOURCES = ["model", "kalman", "interpolated"]


def _tiny_cache(out, detector_kind="rfdetr"):
    """Two samples of a 3-frame window (one positive, one negative) of 16x16 crops; one window frame of the
    negative is outside the video. Each ball box 4x4 at (6, 6)."""
    rows = []
    for label, frame in ((1, 100), (0, 300)):
        s = Sample("gameA", 1, frame, label)
        stack = np.full((3, 16, 16, 3), 90 + 60 * label, np.uint8)
        frames = []
        for i, (o, source) in enumerate(zip(WINDOW, SOURCES, strict=True)):
            outside = label == 0 and i == 2
            if outside:
                stack[i] = 0
            frames.append({"offset": o, "frame": frame + o, "decoded": not outside,
                           "ball": None if outside else {"source": source, "patch_box": [6.0, 6.0, 4.0, 4.0]}})
        meta = {"video_id": "gameA", "half": 1, "frame": frame, "label": label, "window": WINDOW, "channels": [-2, 0, 2],
                "detector": {"kind": detector_kind, "variant": "nano", "weights": None}, "frames": frames,
                "index": {"label": label, "video_id": "gameA", "half": 1, "frame": frame, "ball_conf": 0.9,
                          "ball_vx": 0.0, "ball_vy": 0.0, "player_count": 3}}
        write_sample(out, s, stack, meta)
        rows.append(index_row(out, s))
    write_csv(out / "train_cache_header.csv", INDEX_COLUMNS, rows)
    skipped = [{"video_id": "gameA", "half": 2, "frame": f, "label": lab, "reason": r} for f, lab, r in
               ((10, 1, "no_ball_detections_in_window"), (50, 0, "no_ball_detections_in_window"),
                (70, 0, "too_many_missing_frames: 2 of 3 window frames not decoded"))]
    write_csv(out / SKIPPED_NAME, SKIPPED_COLUMNS, skipped)


def test_sample_block_draws_each_box_in_its_source_colour_on_the_middle_channel(tmp_path):
    _tiny_cache(tmp_path)
    from headernet.inspection import load_sample

    meta_name = "gameA_half1_000300_0_meta.json"
    s = load_sample(tmp_path, {"path": "gameA_half1_000300_0", "metadata": meta_name})
    block = sample_block(s, scale=2, gap=2)
    assert block.shape == (3 * 32 + 4, 3 * 32 + 4, 3)
    for i, source in enumerate(SOURCES):
        x0 = i * 34
        middle = block[34: 34 + 32, x0: x0 + 32]
        if i == 2:  # outside the video: black, no box
            assert not middle.any()
            continue
        assert tuple(middle[12, 12]) == SOURCE_COLOURS[source]  # the box's corner (6 px x 2)
        assert tuple(middle[20, 20]) == SOURCE_COLOURS[source]  # the opposite corner ((6 + 4) x 2)
        assert tuple(middle[16, 16]) == (90, 90, 90)  # inside the box: the crop
        for row in (0, 2):  # the t-2 and t+2 rows carry no box
            tile = block[row * 34: row * 34 + 32, x0: x0 + 32]
            assert (tile == tile[0, 0]).all()


def test_contact_sheet_and_summary_of_a_tiny_cache(tmp_path):
    cache = tmp_path / "cache"
    _tiny_cache(cache)
    png, samples = contact_sheet(cache, tmp_path / "sheet.png", per_label=3)
    assert [s.meta["label"] for s in samples] == [1, 0]
    from common.plots import pyplot

    image = (pyplot().imread(png)[..., :3] * 255).round().astype(int)
    for colour in SOURCE_COLOURS.values():  # every source's colour is on the sheet
        assert (np.abs(image - np.array(colour)).sum(-1) <= 6).sum() >= 4, colour
    text = summary_text(cache)
    assert "positives (HEADER): 1 written, 1 skipped, of 2" in text
    assert "negatives: 1 written, 2 skipped, of 3" in text
    assert "1 x no_ball_detections_in_window (negative)" in text and "1 x too_many_missing_frames (negative)" in text
    assert "RF-DETR nano (random init) (2 samples)" in text


def test_ground_truth_cache_is_flagged_and_empty_cache_refused(tmp_path):
    _tiny_cache(tmp_path / "gt", detector_kind="ground-truth")
    assert "GROUND-TRUTH boxes (synthetic game; not a detector) (2 samples)" in summary_text(tmp_path / "gt")
    write_csv(tmp_path / "empty" / "train_cache_header.csv", INDEX_COLUMNS, [])
    with pytest.raises(ValueError, match="lists no sample"):
        contact_sheet(tmp_path / "empty", tmp_path / "x.png")
    with pytest.raises(FileNotFoundError, match="build the cache first"):
        summary_text(tmp_path / "nothing")


def test_inspect_script_writes_the_sheet_and_summary(tmp_path, script_main, capsys):
    _tiny_cache(tmp_path)
    assert script_main("inspect_header_cache")(["--cache-dir", str(tmp_path), "--per-label", "1"]) == 0
    out = capsys.readouterr().out
    assert f"contact sheet (1 positives, 1 negatives): {tmp_path / 'contact_sheet.png'}" in out
    assert (tmp_path / "contact_sheet.png").stat().st_size > 1000
    assert (tmp_path / "contact_sheet.txt").read_text().startswith(f"cache {tmp_path}")
    assert json.loads((tmp_path / "gameA_half1_000100_1_meta.json").read_text())["label"] == 1
