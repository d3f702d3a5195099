"""Synthetic SoccerNet games: rendered halves in SoccerNet's layout, with header events and their labels.

A game is a folder ``<root>/<league>/<season>/<date - HH-MM Home S - S Away>/``, named after a real
SoccerNet game of the split ``synth_split`` (so the builder's ``--split`` selects synthetic games as it
does real ones), holding, per half and quality, ``1_224p.mkv`` / ``2_224p.mkv`` (398x224, 25 fps,
H.264, optionally ``*_720p.mkv``), the labels as SoccerNet writes them (``Labels-ball.json``: gameTime
"H - MM:SS", position in ms, label, team, visibility) and as the original's per-match frame tables
(``1_header_frames.csv``: one "Frame Number" column per half), and a ground-truth sidecar
``<half>_<quality>_gt.npz`` with the ball, player and head boxes of every frame, which tests,
benchmarks, the ball detector's training data and the builder's ``--detector ground-truth`` read.

The scene: a striped pitch with lines, two teams of players (body and head) moving along smooth
paths, and a ball that travels from one ball action to the next: along the ground between feet, on a
lofted arc into a header, where the ball centre meets a player's head centre exactly on the labelled
frame. Every frame carries its index as an 18-bit black/white code in the top-left corner
(``read_frame_stamp``), so a test can check which frame a decoder really returned.
"""

from __future__ import annotations

import csv
import io
import zlib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import ClassVar

import numpy as np
import supervision as sv

from common.io import atomic_write, write_json
from configs.headernet import HeaderNetParams

FPS = 25
SIZES = {"224p": (398, 224), "720p": (1280, 720)}
STAMP_BITS = 18
_STAMP_CELL = 5  # pixels per code cell at 224p
_OTHER_LABELS = ("PASS", "DRIVE", "HIGH PASS", "CROSS", "SHOT", "THROW IN")
_LOFTED = ("HIGH PASS", "CROSS")
# Scene geometry in pixels at 224p (scaled for other sizes).
_BODY_W, _BODY_H, _HEAD_R, _BALL_R = 6, 14, 3, 3


@dataclass(frozen=True)
class Event:
    frame: int
    label: str
    player: int
    """Index into the half's players (the first half of them home, the rest away)."""


@dataclass
class Half:
    """Everything that defines one rendered half, in 224p pixel coordinates, per frame."""

    feet: np.ndarray  # (N, P, 2) player foot positions
    ball: np.ndarray  # (N, 2) ball centre
    events: list[Event]
    n_frames: int


def game_relpaths(n_games: int, seed: int, split: str = "train") -> list[str]:
    """``league/season/<date - HH-MM Home S - S Away>`` of ``n_games`` real SoccerNet games of ``split``
    (``SoccerNet.utils.getListGames``), a seeded choice, so that ``--split`` selects synthetic games too."""
    from headernet.splits import split_games

    games = split_games(split)
    if n_games > len(games):
        raise ValueError(f"{n_games} synthetic games asked of split {split!r}, which has only {len(games)}")
    rng = np.random.default_rng([seed, 7])
    return [games[i] for i in sorted(rng.choice(len(games), n_games, replace=False))]


def simulate_half(n_frames: int, n_players: int, rng: np.random.Generator, event_gap_s: tuple[float, float],
                  header_fraction: float) -> Half:
    """Player paths, ball actions and the ball path of one half (224p pixel coordinates)."""
    w, h = SIZES["224p"]
    t = np.arange(n_frames) / FPS
    n_players_total = 2 * n_players
    # Smooth bounded paths: a centre plus three sinusoids per coordinate (a few px/frame at most).
    centre_u = rng.uniform(0.15, 0.85, n_players_total)
    centre_v = rng.uniform(0.48, 0.82, n_players_total)
    feet = np.empty((n_frames, n_players_total, 2))
    for p in range(n_players_total):
        for axis, (centre, amp_total) in enumerate(((centre_u[p], 0.12), (centre_v[p], 0.11))):
            amps = rng.dirichlet(np.ones(3)) * amp_total
            freqs = rng.uniform(0.05, 0.35, 3) * 2 * np.pi
            phases = rng.uniform(0, 2 * np.pi, 3)
            coord = centre + (amps[:, None] * np.sin(freqs[:, None] * t[None] + phases[:, None])).sum(0)
            feet[:, p, axis] = coord * (w if axis == 0 else h)

    # Ball actions at integer frames, each by a player other than the previous one.
    events: list[Event] = []
    frame, player = int(0.6 * FPS), int(rng.integers(n_players_total))
    while frame < n_frames - int(0.6 * FPS):
        label = "HEADER" if rng.random() < header_fraction else str(rng.choice(_OTHER_LABELS))
        events.append(Event(frame, label, player))
        player = int((player + 1 + rng.integers(n_players_total - 1)) % n_players_total)
        frame += round(rng.uniform(*event_gap_s) * FPS)
    if not any(e.label == "HEADER" for e in events):  # every half has at least one header
        k = int(rng.integers(1, len(events))) if len(events) > 1 else 0
        events[k] = Event(events[k].frame, "HEADER", events[k].player)

    # The ball: held at the first contact, then contact to contact; lofted into headers and high balls.
    contacts = np.array([head_centre(feet[e.frame, e.player]) if e.label == "HEADER" else feet[e.frame, e.player]
                         + (0.0, -2.0) for e in events])
    ball = np.empty((n_frames, 2))
    ball[: events[0].frame + 1] = contacts[0]
    for k in range(len(events) - 1):
        f0, f1 = events[k].frame, events[k + 1].frame
        tau = (np.arange(f0, f1 + 1) - f0) / (f1 - f0)
        seg = contacts[k] + tau[:, None] * (contacts[k + 1] - contacts[k])
        if events[k + 1].label == "HEADER" or events[k].label in _LOFTED:
            lift = 12.0 + 0.25 * np.linalg.norm(contacts[k + 1] - contacts[k])
            seg[:, 1] -= 4 * lift * tau * (1 - tau)
        ball[f0: f1 + 1] = seg
    ball[events[-1].frame:] = contacts[-1]
    ball[:, 0] = np.clip(ball[:, 0], _BALL_R + 1, w - _BALL_R - 2)
    ball[:, 1] = np.clip(ball[:, 1], 4 * _STAMP_CELL, h - _BALL_R - 2)
    return Half(feet=feet, ball=ball, events=events, n_frames=n_frames)


def head_centre(foot: np.ndarray) -> np.ndarray:
    return np.asarray(foot, dtype=float) + np.array([0.0, -(_BODY_H + _HEAD_R)])


def boxes(half: Half, scale: float) -> dict[str, np.ndarray]:
    """Ground-truth xyxy boxes in pixels of a video ``scale`` times 224p: ball (N, 4), players and heads (N, P, 4)."""
    f = half.feet
    players = np.stack([f[..., 0] - _BODY_W / 2 - 1, f[..., 1] - _BODY_H - 2 * _HEAD_R - 1,
                        f[..., 0] + _BODY_W / 2 + 1, f[..., 1] + 1], -1)
    hc = f + np.array([0.0, -(_BODY_H + _HEAD_R)])
    heads = np.concatenate([hc - _HEAD_R, hc + _HEAD_R], -1)
    ball = np.concatenate([half.ball - _BALL_R, half.ball + _BALL_R], -1)
    # Drawing coordinates are OpenCV pixel centres; boxes are in pixel-edge coordinates, hence + 0.5.
    return {k: (v * scale + 0.5).astype(np.float32) for k, v in (("ball_xyxy", ball), ("players_xyxy", players),
                                                                   ("heads_xyxy", heads))}


def _background(width: int, height: int) -> np.ndarray:
    import cv2

    s = height / 224
    img = np.empty((height, width, 3), np.uint8)
    stripe = max(1, round(33 * s))
    for x0 in range(0, width, stripe):
        img[:, x0: x0 + stripe] = (48, 128, 52) if (x0 // stripe) % 2 == 0 else (56, 140, 60)
    line, th = (200, 205, 200), max(1, round(s))
    cv2.rectangle(img, (int(12 * s), int(50 * s)), (width - int(12 * s), height - int(4 * s)), line, th)
    cv2.line(img, (width // 2, int(50 * s)), (width // 2, height - int(4 * s)), line, th)
    cv2.ellipse(img, (width // 2, int(135 * s)), (int(40 * s), int(28 * s)), 0, 0, 360, line, th)
    img[: int(45 * s)] = (70, 70, 78)  # stands
    return img


def stamp_frame_index(img: np.ndarray, index: int) -> None:
    """Write ``index`` into the top-left corner as STAMP_BITS black/white cells (in place)."""
    cell = max(2, round(_STAMP_CELL * img.shape[0] / 224))
    img[: cell + 2, : STAMP_BITS * cell + 2] = 0
    for b in range(STAMP_BITS):
        if (index >> b) & 1:
            img[1: 1 + cell, 1 + b * cell: 1 + (b + 1) * cell] = 255


def read_frame_stamp(img: np.ndarray) -> int:
    """The frame index ``stamp_frame_index`` wrote into an RGB (or gray) frame, after lossy coding."""
    cell = max(2, round(_STAMP_CELL * img.shape[0] / 224))
    gray = img.mean(-1) if img.ndim == 3 else img
    lo, hi = cell // 2, cell // 2 + 1 + (cell > 3)
    bits = [gray[1 + lo: 1 + hi, 1 + b * cell + lo: 1 + b * cell + hi].mean() > 128 for b in range(STAMP_BITS)]
    return int(sum(1 << b for b, on in enumerate(bits) if on))


def render_frame(background: np.ndarray, half: Half, i: int, n_home: int) -> np.ndarray:
    """RGB frame ``i`` of ``half`` drawn over ``background`` (its size sets the scale)."""
    import cv2

    img = background.copy()
    s = img.shape[0] / 224
    feet = half.feet[i] * s
    for p in np.argsort(feet[:, 1]):  # far players first
        x, y = feet[p]
        colour = (200, 40, 40) if p < n_home else (40, 60, 190)
        cv2.rectangle(img, (round(x - _BODY_W / 2 * s), round(y - _BODY_H * s)),
                      (round(x + _BODY_W / 2 * s), round(y)), colour, -1)
        cv2.circle(img, (round(x), round(y - (_BODY_H + _HEAD_R) * s)), round(_HEAD_R * s),
                   (205, 160, 120), -1, cv2.LINE_AA)
    bx, by = half.ball[i] * s
    shift = 4  # sub-pixel ball position
    cv2.circle(img, (round(bx * 16), round(by * 16)), round(_BALL_R * s * 16), (255, 255, 255), -1,
               cv2.LINE_AA, shift)
    stamp_frame_index(img, i)
    return img


def write_video(path: Path, frames, width: int, height: int, gop: int, crf: int) -> None:
    """Encode RGB frames as H.264 in Matroska at 25 fps, atomically."""
    import av

    def encode(f) -> None:
        with av.open(f, "w", format="matroska") as container:
            stream = container.add_stream("libx264", rate=FPS)
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            stream.options = {"crf": str(crf), "g": str(gop), "preset": "veryfast"}
            for i, rgb in enumerate(frames):
                frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
                frame.pts, frame.time_base = i, Fraction(1, FPS)
                container.mux(stream.encode(frame))
            container.mux(stream.encode())

    atomic_write(path, encode)


def soccernet_labels(halves: dict[int, Half], n_home: int) -> dict:
    """The Labels-ball.json content of a game: one annotation per ball action, ordered by half and time."""
    annotations = []
    for half_id, half in sorted(halves.items()):
        for e in half.events:
            ms = round(e.frame * 1000 / FPS)
            annotations.append({"gameTime": f"{half_id} - {ms // 60000:02d}:{ms // 1000 % 60:02d}", "label": e.label,
                                "position": str(ms), "team": "home" if e.player < n_home else "away",
                                "visibility": "visible"})
    return {"UrlLocal": "", "UrlYoutube": "", "annotations": annotations}


def _frame_table(frames: list[int]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Frame Number"])
    w.writerows([f] for f in frames)
    return buf.getvalue().encode()


def generate_games(params: HeaderNetParams, out_dir: str | Path | None = None, n_games: int | None = None,
                   seed: int | None = None, force: bool = False, progress: bool = False) -> list[Path]:
    """Render ``n_games`` synthetic games under ``out_dir`` (default ``params.synth_dir``); return their folders.

    Seeded per game, so a game is the same whatever the number of games. Existing files are kept unless
    ``force``; every file is written atomically, so an interrupted run resumes.
    """
    out_dir = Path(out_dir or params.synth_dir)
    n_games = params.synth_games if n_games is None else n_games
    seed = params.synth_seed if seed is None else seed
    n_frames = round(params.synth_half_s * FPS)
    folders = []
    rels = game_relpaths(n_games, seed, params.synth_split)
    bar = _progress(rels, "games", progress)
    for g, rel in enumerate(bar):
        folder = out_dir / rel
        rng = np.random.default_rng([seed, g, zlib.crc32(rel.encode())])
        halves = {h: simulate_half(n_frames, params.synth_players, rng, params.synth_event_gap_s,
                                   params.synth_header_fraction) for h in (1, 2)}
        for h, half in halves.items():
            for quality in params.synth_qualities:
                width, height = SIZES[quality]
                video = folder / f"{h}_{quality}.mkv"
                if force or not video.exists():
                    bg = _background(width, height)
                    frames = (render_frame(bg, half, i, params.synth_players) for i in range(n_frames))
                    write_video(video, frames, width, height, params.synth_gop, params.synth_crf)
                gt = folder / f"{h}_{quality}_gt.npz"
                if force or not gt.exists():
                    arrays = boxes(half, height / 224)
                    atomic_write(gt, lambda f, a=arrays: np.savez_compressed(f, fps=np.float32(FPS), **a))
            table = folder / f"{h}_header_frames.csv"
            if force or not table.exists():
                content = _frame_table([e.frame for e in half.events if e.label == "HEADER"])
                atomic_write(table, lambda f, b=content: f.write(b))
        labels = folder / "Labels-ball.json"
        if force or not labels.exists():
            write_json(labels, soccernet_labels(halves, params.synth_players))
        folders.append(folder)
    (out_dir / "README.txt").write_text(
        "Synthetic SoccerNet games made by scripts/make_synthetic_soccernet.py (not real football).\n"
        "Per game: {1,2}_<quality>.mkv (25 fps H.264, frame index stamped top-left), Labels-ball.json,\n"
        "{1,2}_header_frames.csv (HEADER frames per half) and {1,2}_<quality>_gt.npz (ground-truth boxes).\n"
    )
    return folders


def _progress(items, desc: str, enabled: bool):
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="game")


# --- the ground-truth "detector" of the synthetic games ------------------------------------------------------


GROUND_TRUTH_NOTE = ("boxes read from the synthetic game's ground-truth sidecar (<half>_<quality>_gt.npz), not found by "
                     "a detector: for looking at the pipeline's crops only, never for measuring a detector")


class GroundTruthDetector:
    """Returns the ground-truth sidecar's boxes of each frame: ball (class 0, confidence 1) and players (class 1).

    Only for synthetic games (``--detector ground-truth``, tests, benchmarks): it reads the
    ``<half>_<quality>_gt.npz`` beside the video at the frame indices the builder passes to every detector.
    ``check_videos`` refuses videos without such a sidecar (real data) before the builder writes anything,
    and ``provenance`` marks every sample written with it.
    """

    class_names = ("ball", "player")
    ball_class_ids = frozenset({0})
    player_class_ids = frozenset({1})
    provenance: ClassVar[dict] = {"kind": "ground-truth", "note": GROUND_TRUTH_NOTE}

    def __init__(self) -> None:
        self._cache: dict[Path, dict[str, np.ndarray]] = {}

    @staticmethod
    def sidecar(video: Path) -> Path:
        video = Path(video)
        return video.with_name(f"{video.stem}_gt.npz")

    def check_videos(self, videos: list[Path]) -> None:
        """ValueError naming the first video without a ground-truth sidecar: real data has none."""
        real = [Path(v) for v in videos if not self.sidecar(v).is_file()]
        if real:
            raise ValueError(f"--detector ground-truth works on synthetic games only (it reads the ground-truth boxes "
                             f"in <half>_<quality>_gt.npz beside each video), and {len(real)} of {len(videos)} videos "
                             f"have none, e.g. {real[0]}: this looks like real data; use --detector rfdetr with --weights")

    def _gt(self, video: Path) -> dict[str, np.ndarray]:
        video = Path(video)
        if video not in self._cache:
            path = self.sidecar(video)
            if not path.is_file():
                raise ValueError(f"{video}: no ground-truth sidecar {path.name} (--detector ground-truth needs "
                                 "synthetic games)")
            with np.load(path) as z:
                self._cache[video] = {k: z[k] for k in z.files}
        return self._cache[video]

    def detect(self, images: list[np.ndarray], *, video: Path, frames: list[int]) -> list[sv.Detections]:
        gt = self._gt(video)
        out = []
        for idx in frames:
            players = gt["players_xyxy"][idx]
            xyxy = np.concatenate([gt["ball_xyxy"][idx][None], players]).astype(np.float32)
            class_id = np.array([0] + [1] * len(players))
            out.append(sv.Detections(xyxy=xyxy, confidence=np.ones(len(xyxy), np.float32), class_id=class_id,
                                     data={"class_name": np.array([self.class_names[c] for c in class_id])}))
        return out


OracleDetector = GroundTruthDetector  # the name the tests and benchmarks know it by
