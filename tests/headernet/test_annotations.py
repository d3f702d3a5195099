import json

import pytest

from headernet.annotations import (
    Sample,
    canonical_match_name,
    discover_videos,
    half_from_name,
    load_positives,
    parse_frame_table,
    parse_soccernet_labels,
    position_to_frame,
)


@pytest.mark.parametrize(("ms", "fps", "frame"), [(0, 25, 0), (76376, 25, 1909), (40, 25, 1), (20, 25, 1), (60, 25, 2),
                                                  (19, 25, 0), (10, 50, 1), (1000, 29.97, 30)])
def test_position_to_frame_rounds_half_up(ms, fps, frame):
    assert position_to_frame(ms, fps) == frame


@pytest.mark.parametrize(("stem", "half"), [("1_224p", 1), ("2_224p", 2), ("1_720p", 1), ("2_HQ", 2), ("1_HQ", 1),
                                            ("half2", 2), ("match_1st", 1), ("second half", 2), ("1_header_frames", 1),
                                            ("video", None), ("12_224p", None)])
def test_half_from_name(stem, half):
    assert half_from_name(stem) == half


def test_canonical_match_name():
    assert canonical_match_name("2019-10-01 - 19-45 Hull City 1 - 0 Leeds") == "2019-10-01-19-45HullCity1-0Leeds"


def _labels(tmp_path, annotations, game="2019-10-01 - 19-45 A 1 - 0 B"):
    path = tmp_path / game / "Labels-ball.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"annotations": annotations}))
    return path


def test_soccernet_labels_keep_the_header_label_only(tmp_path):
    path = _labels(tmp_path, [
        {"gameTime": "1 - 01:16", "label": "HEADER", "position": "76376", "team": "home", "visibility": "visible"},
        {"gameTime": "2 - 00:02", "label": "header", "position": "2040", "team": "away", "visibility": "visible"},
        {"gameTime": "1 - 00:05", "label": "PASS", "position": "5000", "team": "away", "visibility": "visible"},
    ])
    got = parse_soccernet_labels(path, "HEADER", 25)
    vid = "2019-10-01-19-45A1-0B"
    assert got == [Sample(vid, 1, 1909, 1), Sample(vid, 2, 51, 1)]
    assert parse_soccernet_labels(path, "PASS", 25) == [Sample(vid, 1, 125, 1)]


@pytest.mark.parametrize(("text", "match"), [("", "empty label file"), ("{not json", "not valid JSON"),
                                             ('{"x": 1}', "no 'annotations' list"),
                                             ('{"annotations": [{"label": "HEADER"}]}', "no usable gameTime")])
def test_bad_label_files_raise_naming_the_file(tmp_path, text, match):
    path = tmp_path / "g" / "Labels-ball.json"
    path.parent.mkdir()
    path.write_text(text)
    with pytest.raises(ValueError, match=match) as err:
        parse_soccernet_labels(path, "HEADER", 25)
    assert str(path) in str(err.value)


def test_frame_tables(tmp_path):
    game = tmp_path / "My Game"
    game.mkdir()
    (game / "2_header_frames.csv").write_text("Team,Frame Number\nhome,120\naway,3400\n,\n")
    assert parse_frame_table(game / "2_header_frames.csv") == [Sample("MyGame", 2, 120, 1), Sample("MyGame", 2, 3400, 1)]
    (game / "half1_frames.csv").write_text("n\n7\n")  # no "frame" column: the first one
    assert parse_frame_table(game / "half1_frames.csv") == [Sample("MyGame", 1, 7, 1)]
    (game / "frames.csv").write_text("Frame\n1\n")
    with pytest.raises(ValueError, match="does not say which half"):
        parse_frame_table(game / "frames.csv")


def test_load_positives_reads_both_formats_once_and_reports_bad_files(games_copy):
    positives, problems = load_positives(games_copy)
    assert problems == [] and positives == sorted(set(positives))
    from_tables = set()
    for table in games_copy.rglob("*_header_frames.csv"):
        from_tables.update(parse_frame_table(table))
    assert set(positives) == from_tables and len(positives) >= 4  # at least one header per half per game
    broken = next(games_copy.rglob("Labels-ball.json"))
    broken.write_text("")
    for table in broken.parent.glob("*_header_frames.csv"):
        table.unlink()
    positives2, problems2 = load_positives(games_copy)
    assert [p.path for p in problems2] == [broken] and "empty label file" in problems2[0].reason
    assert positives2 == [s for s in positives if s.video_id != canonical_match_name(broken.parent.name)]


def test_load_positives_without_annotations(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_positives(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match=f"no header annotations under {tmp_path}"):
        load_positives(tmp_path)


def test_discover_videos_reads_the_half_from_the_name(games_root):
    videos = discover_videos(games_root, "224p")
    assert len(videos) == 4
    for (vid, half), src in videos.items():
        assert src.path.name == f"{half}_224p.mkv" and src.half == half
        assert canonical_match_name(src.path.parent.name) == vid
    assert discover_videos(games_root, "720p") == {}
