"""Sparse video decoding: one seek per cluster of nearby frames, then forward decoding, indices verified.

The frames a half needs are sorted and split into clusters wherever two consecutive needed frames
are more than ``seek_gap`` apart. A reader seeks (to the keyframe before) the first frame of a
cluster only when that frame is not reachable by decoding forward within ``seek_gap`` frames, then
decodes forward and keeps the needed frames. Every kept frame's index is computed from its own
timestamp (PyAV: pts x time_base x fps; OpenCV: CAP_PROP_POS_MSEC), never by counting, so a seek that
lands elsewhere cannot shift the frames silently. Unreadable or short videos raise or report a
``VideoError`` that names the file; frames that could not be decoded are simply absent from the result.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


class VideoError(Exception):
    """A video that cannot be opened or decoded; the message names the file."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = Path(path), reason


@dataclass(frozen=True)
class VideoInfo:
    path: Path
    fps: float
    frame_count: int
    """From the container's duration x fps (Matroska stores no frame count); may be an estimate."""
    width: int
    height: int


@dataclass
class DecodeStats:
    requested: int = 0
    decoded: int = 0
    seeks: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.decoded / self.requested if self.requested else 1.0


def probe(path: str | Path) -> VideoInfo:
    """Frame rate, frame count and size of a video; VideoError if it cannot be read."""
    import av

    path = Path(path)
    if not path.is_file():
        raise VideoError(path, "no such file")
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise VideoError(path, "no video stream")
            stream = container.streams.video[0]
            fps = float(stream.average_rate or stream.guessed_rate or 0)
            if fps <= 0:
                raise VideoError(path, "unknown frame rate")
            n = stream.frames
            if not n:
                duration = (float(stream.duration * stream.time_base) if stream.duration
                            else (container.duration or 0) / 1e6)
                n = round(duration * fps)
            width, height = stream.codec_context.width, stream.codec_context.height
    except av.error.FFmpegError as err:
        raise VideoError(path, f"cannot open ({err})") from None
    if n <= 0 or width <= 0:
        raise VideoError(path, "no frames")
    return VideoInfo(path, fps, n, width, height)


def cluster_frames(frames: Sequence[int], seek_gap: int) -> list[list[int]]:
    """Sorted, de-duplicated frames split where consecutive frames are more than ``seek_gap`` apart."""
    clusters: list[list[int]] = []
    for f in sorted(set(frames)):
        if clusters and f - clusters[-1][-1] <= seek_gap:
            clusters[-1].append(f)
        else:
            clusters.append([f])
    return clusters


class PyAVReader:
    """Forward decoding with PyAV, seeking by timestamp only across gaps larger than ``seek_gap``."""

    _BACKOFF = (0, 250, 1000, None)  # frames before the target to seek to when a seek lands after it

    def __init__(self, path: str | Path, fps: float, seek_gap: int = 50) -> None:
        import av

        self.path, self.fps, self.seek_gap = Path(path), fps, seek_gap
        try:
            self.container = av.open(str(path))
            self.stream = self.container.streams.video[0]
        except (av.error.FFmpegError, IndexError) as err:
            raise VideoError(path, f"cannot open ({err})") from None
        self.stream.thread_type = "AUTO"
        self.time_base = float(self.stream.time_base)
        self.start = self.stream.start_time or 0
        self._iter: Iterator | None = None
        self._pending: tuple[int, object] | None = None  # a frame decoded while checking a seek
        self._next = 0  # index of the frame the open decoder would return next
        self._started = False
        self.stats = DecodeStats()

    def _index(self, frame, previous: int) -> int:
        if frame.pts is None:
            return previous + 1
        return math.floor((frame.pts - self.start) * self.time_base * self.fps + 0.5)

    def _seek_before(self, target: int) -> None:
        """Seek so that decoding starts at or before ``target``: retry further back when a seek lands after it."""
        import av

        for back in self._BACKOFF:
            start = 0 if back is None else max(0, target - back)
            pts = round(start / self.fps / self.time_base) + self.start
            self.container.seek(pts, backward=True, any_frame=False, stream=self.stream)
            self.stats.seeks += 1
            self._iter = self.container.decode(self.stream)
            try:
                first = next(self._iter)
            except StopIteration:
                self._iter, self._pending = None, None
                return
            except av.error.FFmpegError as err:
                self.stats.errors.append(f"seek to frame {target}: {err}")
                self._iter, self._pending = None, None
                return
            idx = self._index(first, start - 1)
            if idx <= target or back is None:
                self._pending = (idx, first)
                return

    def _decoded(self) -> Iterator[tuple[int, object]]:
        """(index, frame) from the current position on."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            yield pending
        idx = self._next - 1
        for frame in self._iter:
            idx = self._index(frame, idx)
            yield idx, frame

    def read(self, frames: Sequence[int]) -> dict[int, np.ndarray]:
        """RGB frames (H, W, 3) uint8 by index for the wanted ``frames``; missing ones are absent."""
        import av

        wanted = sorted(set(frames))
        self.stats.requested += len(wanted)
        out: dict[int, np.ndarray] = {}
        for cluster in cluster_frames(wanted, self.seek_gap):
            first, last, need = cluster[0], cluster[-1], set(cluster)
            if self._iter is None and not self._started and first <= self.seek_gap:
                self._iter = self.container.decode(self.stream)  # near the start: no seek needed
            elif self._iter is None or not self._next <= first <= self._next + self.seek_gap:
                self._seek_before(first)
                if self._iter is None:
                    continue
            self._started = True
            try:
                for idx, frame in self._decoded():
                    self._next = idx + 1
                    if idx in need:
                        out[idx] = frame.to_ndarray(format="rgb24")
                    if idx >= last:
                        break
                else:
                    self._iter = None  # end of stream before the cluster's last frame
                    missing = sorted(need - out.keys())
                    if missing:
                        self.stats.errors.append(f"stream ended before frame {missing[0]}")
            except av.error.FFmpegError as err:
                self.stats.errors.append(f"frames {first}-{last}: {err}")
                self._iter = None
        self.stats.decoded += len(out)
        return out

    def close(self) -> None:
        self.container.close()


class OpenCVReader:
    """Forward ``grab()`` with OpenCV, ``set(CAP_PROP_POS_FRAMES)`` only across gaps larger than ``seek_gap``;
    the index of each frame read comes from CAP_PROP_POS_MSEC."""

    def __init__(self, path: str | Path, fps: float, seek_gap: int = 50) -> None:
        import cv2

        self.path, self.fps, self.seek_gap = Path(path), fps, seek_gap
        self.cap = cv2.VideoCapture(str(path))
        if not self.cap.isOpened():
            raise VideoError(path, "OpenCV cannot open it")
        self._next = 0
        self.stats = DecodeStats()

    def read(self, frames: Sequence[int]) -> dict[int, np.ndarray]:
        import cv2

        wanted = sorted(set(frames))
        self.stats.requested += len(wanted)
        out: dict[int, np.ndarray] = {}
        for cluster in cluster_frames(wanted, self.seek_gap):
            first, last, need = cluster[0], cluster[-1], set(cluster)
            if not self._next <= first <= self._next + self.seek_gap:
                self.cap.set(cv2.CAP_PROP_POS_FRAMES, first)
                self.stats.seeks += 1
            while True:
                if not self.cap.grab():
                    self.stats.errors.append(f"frames {first}-{last}: end of stream or decode error")
                    break
                idx = math.floor(self.cap.get(cv2.CAP_PROP_POS_MSEC) * self.fps / 1000 + 0.5)
                self._next = idx + 1
                if idx in need:
                    ok, bgr = self.cap.retrieve()
                    if ok:
                        out[idx] = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                if idx >= last:
                    break
        self.stats.decoded += len(out)
        return out

    def close(self) -> None:
        self.cap.release()


def open_reader(path: str | Path, fps: float, backend: str = "pyav", seek_gap: int = 50) -> PyAVReader | OpenCVReader:
    """A sparse reader of ``path``: 'pyav' or 'opencv'."""
    if backend == "pyav":
        return PyAVReader(path, fps, seek_gap)
    if backend == "opencv":
        return OpenCVReader(path, fps, seek_gap)
    raise ValueError(f"unknown decoder {backend!r}; use 'pyav' or 'opencv'")


def read_frames(path: str | Path, frames: Sequence[int], backend: str = "pyav",
                seek_gap: int = 50) -> tuple[dict[int, np.ndarray], DecodeStats]:
    """All wanted ``frames`` of a video in one call (for small sets; the builder reads cluster by cluster)."""
    info = probe(path)
    reader = open_reader(path, info.fps, backend, seek_gap)
    try:
        return reader.read(frames), reader.stats
    finally:
        reader.close()
