"""Label files that cannot be used go to the problems list and never stop the builder (issue 14)."""

import json

import pytest

from headernet.annotations import load_positives, parse_frame_table, parse_soccernet_labels, position_to_frame

GOOD = {"gameTime": "1 - 00:02", "label": "HEADER", "position": "2000"}


@pytest.mark.parametrize(("annotation", "match"), [
    ({**GOOD, "position": "1e400"}, r"annotation 1 has no usable gameTime/position \(position '1e400' is not a finite"),
    ({**GOOD, "position": "nan"}, r"annotation 1 has no usable gameTime/position"),
    ({**GOOD, "position": [1, 2]}, r"annotation 1 has no usable gameTime/position"),
    ({**GOOD, "gameTime": None}, r"annotation 1 has no usable gameTime/position"),
    ("HEADER at 2000", r"annotation 1 is a str, not an object"),
    (7, r"annotation 1 is a int, not an object"),
    (None, r"annotation 1 is a NoneType, not an object"),
])
def test_a_bad_annotation_goes_to_the_problems_list(tmp_path, annotation, match):
    bad = tmp_path / "2020-01-01 - 20-00 A 0 - 0 B" / "Labels-ball.json"
    good = tmp_path / "2020-01-02 - 20-00 C 1 - 0 D" / "Labels-ball.json"
    for path, annotations in ((bad, [GOOD, annotation]), (good, [GOOD])):
        path.parent.mkdir()
        path.write_text(json.dumps({"annotations": annotations}))
    with pytest.raises(ValueError, match=match):
        parse_soccernet_labels(bad, "HEADER", 25)
    samples, problems = load_positives(tmp_path)
    assert [s.video_id for s in samples] == ["2020-01-02-20-00C1-0D"]  # the good file still counts
    assert [p.path for p in problems] == [bad] and "annotation 1" in problems[0].reason


@pytest.mark.parametrize("cell", ["1e400", "nan", "-inf", "-5"])
def test_a_bad_frame_number_in_a_table_goes_to_the_problems_list(tmp_path, cell):
    table = tmp_path / "g" / "1_header_frames.csv"
    table.parent.mkdir()
    table.write_text(f"frame\n100\n{cell}\n")
    with pytest.raises(ValueError, match=r"1_header_frames.csv: line 3: "):
        parse_frame_table(table)
    samples, problems = load_positives(tmp_path)
    assert samples == [] and [p.path for p in problems] == [table]


def test_position_to_frame_refuses_non_finite_positions():
    assert position_to_frame("2000", 25) == 50
    with pytest.raises(ValueError, match="not a finite number"):
        position_to_frame("1e400", 25)
