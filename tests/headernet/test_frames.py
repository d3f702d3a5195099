import numpy as np
import pytest

from headernet.frames import VideoError, cluster_frames, probe, read_frames
from headernet.synth import read_frame_stamp


def test_cluster_frames():
    assert cluster_frames([5, 1, 3, 60, 200, 3], 50) == [[1, 3, 5], [60], [200]]
    assert cluster_frames([1, 3, 5, 60], 55) == [[1, 3, 5, 60]]
    assert cluster_frames([], 50) == []


@pytest.mark.parametrize("backend", ["pyav", "opencv"])
@pytest.mark.parametrize("seek_gap", [0, 50])
def test_decoded_frames_are_exactly_the_requested_ones(games_root, backend, seek_gap):
    """The frame index stamped into the pixels matches every returned index, for random sparse sets."""
    video = next(games_root.rglob("2_224p.mkv"))
    rng = np.random.default_rng(seek_gap)
    wanted = sorted(set(rng.integers(0, 300, 40).tolist()) | {0, 298, 299})
    frames, stats = read_frames(video, wanted[::-1], backend, seek_gap)  # order does not matter
    assert sorted(frames) == wanted and stats.decoded == stats.requested == len(wanted)
    assert {t: read_frame_stamp(img) for t, img in frames.items()} == {t: t for t in wanted}
    assert all(img.shape == (224, 398, 3) and img.dtype == np.uint8 for img in frames.values())
    assert stats.seeks <= len(cluster_frames(wanted, seek_gap))


def test_one_seek_per_cluster(games_root):
    video = next(games_root.rglob("1_224p.mkv"))
    wanted = [10, 12, 14, 150, 152, 280]
    frames, stats = read_frames(video, wanted, "pyav", seek_gap=20)
    assert sorted(frames) == wanted and stats.seeks == 2  # 10 is reached from the start; 150 and 280 need one each


def test_frames_past_the_end_are_missing_not_an_error(games_root):
    video = next(games_root.rglob("1_224p.mkv"))
    frames, stats = read_frames(video, [297, 299, 300, 340])
    assert sorted(frames) == [297, 299] and stats.rate == 0.5 and "ended before frame 300" in stats.errors[0]


def test_truncated_video_decodes_what_it_has(games_copy):
    video = next(games_copy.rglob("1_224p.mkv"))
    data = video.read_bytes()
    video.write_bytes(data[: len(data) * 2 // 5])
    frames, stats = read_frames(video, list(range(0, 300, 7)))
    assert 0 < stats.decoded < stats.requested and stats.errors
    assert all(read_frame_stamp(img) == t for t, img in frames.items())


def test_unreadable_and_missing_videos_name_the_file(tmp_path):
    bad = tmp_path / "1_224p.mkv"
    bad.write_bytes(b"not a video at all" * 100)
    with pytest.raises(VideoError, match=str(bad)):
        probe(bad)
    with pytest.raises(VideoError, match=f"{tmp_path / 'nope.mkv'}: no such file"):
        probe(tmp_path / "nope.mkv")
