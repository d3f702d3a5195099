import pytest

from headernet.annotations import Sample
from headernet.cache import (
    FAILED_COLUMNS,
    INDEX_COLUMNS,
    SKIPPED_COLUMNS,
    in_shard,
    merge_shards,
    parse_shard,
    read_csv,
    sample_stem,
    shard_name,
    write_csv,
)


def test_names():
    assert sample_stem(Sample("g1", 2, 1234, 1)) == "g1_half2_001234_1"
    assert shard_name("train_cache_header.csv", (2, 4)) == "train_cache_header.shard-2-of-4.csv"
    assert shard_name("x.csv", None) == "x.csv"


@pytest.mark.parametrize(("text", "shard"), [("1/2", (1, 2)), (" 3 / 3 ", (3, 3)), ("", None), (None, None)])
def test_parse_shard(text, shard):
    assert parse_shard(text) == shard


@pytest.mark.parametrize("text", ["0/2", "3/2", "1-2", "a/b"])
def test_parse_shard_rejects(text):
    with pytest.raises(ValueError, match="K/N"):
        parse_shard(text)


def test_shards_partition_the_games():
    games = [f"g{i}" for i in range(7)]
    owners = [[k for k in (1, 2, 3) if in_shard(g, games, (k, 3))] for g in games]
    assert all(len(o) == 1 for o in owners) and {o[0] for o in owners} == {1, 2, 3}


def test_merge_needs_every_shard(tmp_path):
    for name, cols in (("idx.csv", INDEX_COLUMNS), ("skipped_samples.csv", SKIPPED_COLUMNS),
                       ("failed_videos.csv", FAILED_COLUMNS)):
        write_csv(tmp_path / shard_name(name, (1, 2)), cols, [])
    with pytest.raises(FileNotFoundError, match=r"idx.shard-2-of-2.csv"):
        merge_shards(tmp_path, "idx.csv")
    with pytest.raises(FileNotFoundError, match="no shard indexes"):
        merge_shards(tmp_path, "other.csv")


def test_csv_round_trip(tmp_path):
    rows = [{"video_id": "g", "half": 1, "frame": 5, "label": 0, "reason": "no_ball_detections_in_window"}]
    write_csv(tmp_path / "s.csv", SKIPPED_COLUMNS, rows)
    assert read_csv(tmp_path / "s.csv") == [{k: str(v) for k, v in rows[0].items()}]
