"""The builder end to end on synthetic games with the ground-truth oracle as detector."""

import json

import numpy as np
import pytest

import headernet.builder as builder_module
from headernet.annotations import load_positives
from headernet.builder import build_dataset
from headernet.cache import read_csv
from headernet.frames import open_reader
from headernet.synth import OracleDetector, read_frame_stamp


class RecordingOracle(OracleDetector):
    """The oracle, also checking that every image it is given is the frame the builder says it is."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def detect(self, images, *, video, frames):
        assert [read_frame_stamp(img) for img in images] == list(frames)
        self.seen.extend(frames)
        return super().detect(images, video=video, frames=frames)


@pytest.fixture
def recorded_reads(monkeypatch):
    """(requested, returned) frame lists of every read the builder makes, returned frames checked by their stamp."""
    log = []

    def recording_open_reader(*args, **kwargs):
        reader = open_reader(*args, **kwargs)
        read = reader.read

        def checked_read(frames):
            out = read(frames)
            assert all(read_frame_stamp(img) == t for t, img in out.items())
            log.append((sorted(frames), sorted(out)))
            return out

        reader.read = checked_read
        return reader

    monkeypatch.setattr(builder_module, "open_reader", recording_open_reader)
    return log


def _ball_centroid(channel):
    ys, xs = np.nonzero(channel > 225)
    return xs.mean() + 0.5, ys.mean() + 0.5  # in pixel-edge coordinates


def test_build_writes_ball_centred_crops_of_exactly_the_requested_frames(games_root, params_for, recorded_reads):
    params = params_for(games_root)
    oracle = RecordingOracle()
    summary = build_dataset(params, oracle, log=print)
    out = params.output_dir
    rows = read_csv(f"{out}/train_cache_header.csv")
    assert summary.written == len(rows) == summary.samples > 0 and summary.skipped == summary.failed_halves == 0
    assert list(rows[0]) == ["path", "label", "video_id", "half", "frame", "metadata", "ball_conf", "ball_vx", "ball_vy",
                             "player_count"]
    positives = {(s.video_id, s.half, s.frame) for s in load_positives(games_root)[0]}
    assert {(r["video_id"], int(r["half"]), int(r["frame"])) for r in rows if r["label"] == "1"} == positives
    # negatives: never within the guard of a header
    for r in (r for r in rows if r["label"] == "0"):
        assert all(abs(int(r["frame"]) - f) > params.guard_frames for v, h, f in positives
                   if (v, h) == (r["video_id"], int(r["half"])))
    # decoding: every read returned exactly what it asked for, including the t-2 / t+2 neighbours
    assert all(req == got for req, got in recorded_reads)
    decoded = {t for _, got in recorded_reads for t in got}
    assert all(t - 2 in decoded and t + 2 in decoded for t in oracle.seen if 2 <= t < 298)
    assert summary.frames_decoded == summary.frames_requested == sum(len(g) for _, g in recorded_reads)

    video_of = {}
    for video in games_root.rglob("*_224p.mkv"):
        from headernet.annotations import canonical_match_name

        video_of[(canonical_match_name(video.parent.name), int(video.name[0]))] = video
    for r in rows:
        stack = np.load(f"{out}/{r['path']}_s.npy")
        meta = json.loads(open(f"{out}/{r['metadata']}").read())
        assert stack.shape == (11, 64, 64, 3) and stack.dtype == np.uint8
        gt = np.load(video_of[(r["video_id"], int(r["half"]))].with_name(f"{r['half']}_224p_gt.npz"))
        for i, fm in enumerate(meta["frames"]):
            if not fm["decoded"]:  # outside the video (300 frames a half): black
                assert not 0 <= fm["frame"] < 300 and fm["ball"] is None and not stack[i].any()
                continue
            truth = gt["ball_xyxy"][fm["frame"]].reshape(2, 2).mean(0)
            assert np.allclose(fm["center"], truth, atol=0.01) and fm["ball"]["source"] == "model"
            cx, cy = _ball_centroid(stack[i, :, :, 1])
            assert abs(cx - 32) < 2 and abs(cy - 32) < 2, (r["path"], i, cx, cy)
            assert fm["ball"]["patch_box"][:2] == pytest.approx([29.0, 29.0], abs=0.01)
        # the temporal channels are different frames (the original's were three copies)
        assert any(not np.array_equal(stack[i, :, :, 0], stack[i, :, :, 1]) for i in range(11))
        assert float(r["ball_conf"]) == 1.0 and int(r["player_count"]) == 10


def test_rerun_changes_nothing_and_shards_merge_to_the_same(games_root, params_for, tmp_path):
    params = params_for(games_root)
    first = build_dataset(params, OracleDetector(), log=print)
    out = tmp_path / "cache"
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir() if p.suffix in (".npy", ".json")}
    index = (out / "train_cache_header.csv").read_bytes()
    again = build_dataset(params, OracleDetector(), log=print)
    assert again.written == 0 and again.already_done == first.written and again.frames_decoded == 0
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir() if p.suffix in (".npy", ".json")}
    assert after == before and (out / "train_cache_header.csv").read_bytes() == index

    from headernet.cache import merge_shards

    sharded = params_for(games_root, output_dir=str(tmp_path / "sharded"))
    parts = [build_dataset(sharded, OracleDetector(), shard=(k, 2), log=print) for k in (1, 2)]
    assert all(p.written > 0 for p in parts) and sum(p.written for p in parts) == first.written
    merge_shards(sharded.output_dir, sharded.output_name)
    assert (tmp_path / "sharded" / "train_cache_header.csv").read_bytes() == index
    for name in before:
        if name.endswith(".npy"):
            assert (tmp_path / "sharded" / name).read_bytes() == before[name][0]


def test_bad_input_is_reported_with_the_file_named(games_copy, params_for, tmp_path):
    games = sorted(p.parent for p in games_copy.rglob("Labels-ball.json"))
    # 1. an annotation for a game whose videos are missing
    ghost = games_copy / "england_epl" / "2019-2020" / "2019-10-09 - 19-45 Ghost 0 - 0 Town"
    ghost.mkdir(parents=True)
    (ghost / "1_header_frames.csv").write_text("Frame Number\n100\n")
    # 2. a truncated video
    video = games[0] / "2_224p.mkv"
    data = video.read_bytes()
    video.write_bytes(data[: len(data) // 3])
    # 3. an empty label file (its game's tables removed, so nothing else names its headers)
    (games[1] / "Labels-ball.json").write_text("")
    for table in games[1].glob("*_header_frames.csv"):
        table.unlink()
    # 4. windows reaching past the end of a video: headers 3 and 0 frames before it
    (games[0] / "1_header_frames.csv").write_text("Frame Number\n296\n299\n")
    logged = []
    summary = build_dataset(params_for(games_copy, negative_ratio=0.0), OracleDetector(), log=logged.append)

    out = tmp_path / "cache"
    failed = read_csv(out / "failed_videos.csv")
    skipped = read_csv(out / "skipped_samples.csv")
    assert any(f["video_id"] == "2019-10-09-19-45Ghost0-0Town" and f["reason"].startswith("video_source_missing")
               for f in failed)
    assert any(str(games[1] / "Labels-ball.json") in line and "empty label file" in line for line in logged)
    assert summary.label_problems == 1
    truncated = [s for s in skipped if s["half"] == "2"] + [f for f in failed if f["path"] == str(video)]
    assert truncated and all("too_many_missing_frames" in s.get("reason", "") or "decode" in s["reason"]
                             for s in truncated)
    past_end = [s for s in skipped if s["half"] == "1" and s["frame"] == "299"]
    assert past_end and "past the video's ends" in past_end[0]["reason"]
    rows = {(r["half"], r["frame"]): r for r in read_csv(out / "train_cache_header.csv")}
    meta = json.loads((out / rows[("1", "296")]["metadata"]).read_text())
    assert [f["decoded"] for f in meta["frames"]] == [True] * 7 + [False] * 4
    assert not np.load(out / f"{rows[('1', '296')]['path']}_s.npy")[7:].any()  # missing frames are black
