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


@dataclass(frozen=True)
class Look:
    """How hard a game looks (``Look.from_params``); ``Look.easy()`` is the old flat look."""

    ball_px: tuple[float, float] = (2.0, 3.0)
    """Ball diameter range in world pixels (224p at zoom 1); a half draws one. The camera's zoom scales it."""
    motion_blur: bool = True
    occlusion: bool = True
    distractors: bool = True
    camera: bool = True

    @classmethod
    def from_params(cls, params: HeaderNetParams) -> Look:
        return cls(tuple(params.synth_ball_px), params.synth_motion_blur, params.synth_occlusion,
                   params.synth_distractors, params.synth_camera)

    @classmethod
    def easy(cls) -> Look:
        return cls((6.0, 6.0), False, False, False, False)


@dataclass
class Half:
    """Everything that defines one rendered half, per frame. World coordinates are 224p pixels of the
    whole pitch view at zoom 1; ``camera`` maps them into the frame (``to_image``)."""

    feet: np.ndarray  # (N, P, 2) player foot positions (world)
    ball_ground: np.ndarray  # (N, 2) the ball's ground point (world): its shadow, and its depth for occlusion
    ball_height: np.ndarray  # (N,) the ball's height above the ground in world pixels
    events: list[Event]
    n_frames: int
    camera: np.ndarray  # (N, 3) view centre x, y (world) and zoom
    ball_diameter: float  # world pixels
    white_away: bool = False  # the away team plays in white (a distractor)
    occluding: bool = True  # players in front of the ball hide it (Look.occlusion)

    @property
    def ball(self) -> np.ndarray:
        """(N, 2) ball centre in world pixels."""
        return self.ball_ground - np.stack([np.zeros(self.n_frames), self.ball_height], -1)


def to_image(points: np.ndarray, camera: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """World (224p) points (..., 2) seen through one frame's camera (cx, cy, zoom), in pixels of a video
    ``scale`` times 224p."""
    w, h = SIZES["224p"]
    cx, cy, z = camera
    return ((np.asarray(points, float) - (cx, cy)) * z + (w / 2, h / 2)) * scale


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
                  header_fraction: float, look: Look | None = None) -> Half:
    """Player paths, ball actions, the ball's path and the camera of one half (world coordinates)."""
    look = look or Look.easy()
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

    # The ball: held at the first contact, then contact to contact along the ground between the players'
    # feet; lofted (a height arc) into headers and after high balls, so that on a header's frame it sits
    # on the player's head (height _BODY_H + _HEAD_R above the feet).
    diameter = float(rng.uniform(*look.ball_px))
    ground_lift = diameter / 2 + 0.5  # a ball on the ground: its centre a radius above the grass
    contacts = np.array([feet[e.frame, e.player] for e in events])
    heights = np.array([_BODY_H + _HEAD_R if e.label == "HEADER" else ground_lift for e in events])
    ground, height = np.empty((n_frames, 2)), np.empty(n_frames)
    ground[: events[0].frame + 1], height[: events[0].frame + 1] = contacts[0], heights[0]
    for k in range(len(events) - 1):
        f0, f1 = events[k].frame, events[k + 1].frame
        tau = (np.arange(f0, f1 + 1) - f0) / (f1 - f0)
        ground[f0: f1 + 1] = contacts[k] + tau[:, None] * (contacts[k + 1] - contacts[k])
        arc = heights[k] + tau * (heights[k + 1] - heights[k])
        if events[k + 1].label == "HEADER" or events[k].label in _LOFTED:
            arc = arc + 4 * (12.0 + 0.25 * np.linalg.norm(contacts[k + 1] - contacts[k])) * tau * (1 - tau)
        height[f0: f1 + 1] = arc
    ground[events[-1].frame:], height[events[-1].frame:] = contacts[-1], heights[-1]
    ground[:, 0] = np.clip(ground[:, 0], diameter, w - diameter - 1)
    # keep the ball below the stands and the frame-index stamp at zoom 1
    height = np.minimum(height, ground[:, 1] - 4 * _STAMP_CELL - diameter)
    camera = _camera_path(ground - np.stack([np.zeros(n_frames), height], -1), feet, rng) if look.camera \
        else np.tile([w / 2, h / 2, 1.0], (n_frames, 1))
    return Half(feet=feet, ball_ground=ground, ball_height=height, events=events, n_frames=n_frames,
                camera=camera, ball_diameter=diameter, white_away=look.distractors and bool(rng.random() < 0.5),
                occluding=look.occlusion)


def _camera_path(ball: np.ndarray, feet: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(N, 3) camera (cx, cy, zoom) of a broadcast: shots of 2-7 s with a cut between them; a wide shot
    follows the ball with a lag (so the ball runs ahead to the frame's edge), a close-up (one shot in
    five) follows a player, so the ball is often out of the frame."""
    w, h = SIZES["224p"]
    n = len(ball)
    out = np.empty((n, 3))
    start = 0
    while start < n:
        length = int(rng.uniform(2.0, 7.0) * FPS)
        end = min(n, start + length)
        close = rng.random() < 0.2
        zoom0, zoom1 = (rng.uniform(2.0, 2.6, 2) if close else rng.uniform(1.15, 1.8, 2))
        target = feet[start:end, int(rng.integers(feet.shape[1]))] - (0, 10) if close else ball[start:end]
        lag = 0.06 if not close else 0.15
        c = target[0] + rng.normal(0, 15, 2)
        for i in range(end - start):
            c = c + lag * (target[i] - c)
            z = zoom0 + (zoom1 - zoom0) * i / max(1, end - start - 1)
            half_w, half_h = w / (2 * z), h / (2 * z)
            out[start + i] = (np.clip(c[0], half_w, w - half_w), np.clip(c[1], half_h, h - half_h), z)
        start = end
    return out


def boxes(half: Half, scale: float) -> dict[str, np.ndarray]:
    """Ground truth of a video ``scale`` times 224p, per frame: xyxy boxes in the frame's pixels of the ball
    (N, 4), players and heads (N, P, 4), and ``ball_visible`` (N,): the ball's centre is inside the frame,
    off the frame-index stamp, and at least half of it is not hidden behind a player."""
    n = half.n_frames
    cam = half.camera
    z = cam[:, 2:3]
    f = np.stack([to_image(half.feet[i], cam[i], scale) for i in range(n)])  # (N, P, 2)
    zz = z[:, :, None] * scale
    players = np.stack([f[..., 0] - (_BODY_W / 2 + 1) * zz[..., 0], f[..., 1] - (_BODY_H + 2 * _HEAD_R + 1) * zz[..., 0],
                        f[..., 0] + (_BODY_W / 2 + 1) * zz[..., 0], f[..., 1] + zz[..., 0]], -1)
    hc = f - np.concatenate([np.zeros_like(zz), (_BODY_H + _HEAD_R) * zz], -1)
    heads = np.concatenate([hc - _HEAD_R * zz, hc + _HEAD_R * zz], -1)
    centre = np.stack([to_image(half.ball[i], cam[i], scale) for i in range(n)])
    radius = half.ball_diameter / 2 * z * scale
    ball = np.concatenate([centre - radius, centre + radius], -1)
    # Drawing coordinates are OpenCV pixel centres; boxes are in pixel-edge coordinates, hence + 0.5.
    out = {k: (v + 0.5).astype(np.float32) for k, v in (("ball_xyxy", ball), ("players_xyxy", players),
                                                        ("heads_xyxy", heads))}
    out["ball_visible"] = ball_visibility(half)
    return out


def ball_visibility(half: Half) -> np.ndarray:
    """(N,) bool: the ball's centre is in the frame and off the stamp, and >= half its disc is not behind a
    player (nine points of the disc against the bodies and heads of the players in front of it)."""
    w, h = SIZES["224p"]
    ring = np.array([[0, 0]] + [[np.cos(a), np.sin(a)] for a in np.arange(8) * np.pi / 4]) * 0.7
    out = np.zeros(half.n_frames, bool)
    stamp_w, stamp_h = STAMP_BITS * _STAMP_CELL + 2, _STAMP_CELL + 2
    for i in range(half.n_frames):
        cam = half.camera[i]
        c = to_image(half.ball[i], cam)
        if not (0 <= c[0] < w and 0 <= c[1] < h) or (c[0] < stamp_w and c[1] < stamp_h):
            continue
        pts = c + ring * half.ball_diameter / 2 * cam[2]
        hidden = np.zeros(len(pts), bool)
        for p in _in_front(half, i) if half.occluding else ():
            fx, fy = to_image(half.feet[i, p], cam)
            z = cam[2]
            body = (np.abs(pts[:, 0] - fx) <= _BODY_W / 2 * z) & (pts[:, 1] >= fy - _BODY_H * z) & (pts[:, 1] <= fy)
            head = np.linalg.norm(pts - (fx, fy - (_BODY_H + _HEAD_R) * z), axis=1) <= _HEAD_R * z
            hidden |= body | head
        out[i] = hidden.mean() <= 0.5
    return out


def _in_front(half: Half, i: int) -> np.ndarray:
    """Players drawn over the ball on frame i: their feet nearer the camera than the ball's ground point."""
    return np.flatnonzero(half.feet[i, :, 1] > half.ball_ground[i, 1] + 0.5)


def world_background(look: Look, rng: np.random.Generator, scale: int = 2) -> np.ndarray:
    """The pitch and stands of a half, ``scale`` times the 224p world (so that zoomed views stay sharp)."""
    import cv2

    w, h = SIZES["224p"]
    width, height = w * scale, h * scale
    s = scale
    img = np.empty((height, width, 3), np.uint8)
    stripe = max(1, round(33 * s))
    for x0 in range(0, width, stripe):
        img[:, x0: x0 + stripe] = (48, 128, 52) if (x0 // stripe) % 2 == 0 else (56, 140, 60)
    if look.distractors:  # worn grass: low-frequency blotches and fine noise
        blotch = cv2.resize(rng.normal(0, 1, (height // 16, width // 16)).astype(np.float32), (width, height))
        grain = rng.normal(0, 4, (height, width)).astype(np.float32)
        img = np.clip(img + (6 * blotch + grain)[..., None] * (0.7, 1.0, 0.7), 0, 255).astype(np.uint8)
    line, th = (200, 205, 200), max(1, round(s))
    cv2.rectangle(img, (int(12 * s), int(50 * s)), (width - int(12 * s), height - int(4 * s)), line, th)
    cv2.line(img, (width // 2, int(50 * s)), (width // 2, height - int(4 * s)), line, th)
    cv2.ellipse(img, (width // 2, int(135 * s)), (int(40 * s), int(28 * s)), 0, 0, 360, line, th)
    if look.distractors:  # penalty areas, the penalty and centre spots: white marks of the ball's size
        for x_goal, sign in ((12, 1), (w - 12, -1)):
            x_box = x_goal + sign * 55
            cv2.rectangle(img, (int(min(x_goal, x_box) * s), int(85 * s)), (int(max(x_goal, x_box) * s), int(190 * s)),
                          line, th)
            cv2.circle(img, (int((x_goal + sign * 37) * s), int(137 * s)), max(1, round(1.3 * s)), (235, 238, 235), -1,
                       cv2.LINE_AA)
        cv2.circle(img, (width // 2, int(135 * s)), max(1, round(1.3 * s)), (235, 238, 235), -1, cv2.LINE_AA)
    stands = img[: int(45 * s)]
    stands[:] = (70, 70, 78)
    if look.distractors:  # a crowd: coloured speckle with white shirts among it
        crowd = rng.integers(30, 200, (int(45 * s) // 2, width // 2, 3)).astype(np.uint8)
        white = rng.random(crowd.shape[:2]) < 0.04
        crowd[white] = 240
        stands[:] = cv2.resize(crowd, (width, int(45 * s)), interpolation=cv2.INTER_NEAREST)
    return img


_HOME, _AWAY, _WHITE_KIT = (200, 40, 40), (40, 60, 190), (238, 238, 240)
_SKIN, _SOCK_WHITE, _BOOT = (205, 160, 120), (245, 245, 245), (30, 30, 30)


def _draw_player(img, x: float, y: float, z: float, kit, socks, cv2) -> None:
    """One player at image foot position (x, y), zoom z (224p units scaled by z): legs with socks, body, head."""
    bw, bh = _BODY_W / 2 * z, _BODY_H * z
    cv2.rectangle(img, (round(x - bw), round(y - bh)), (round(x + bw), round(y - 0.35 * bh)), kit, -1)
    if socks is not None:  # two legs with socks (the lower third) and boots: small white marks near the ball's size
        for dx in (-0.45 * bw, 0.45 * bw):
            cv2.rectangle(img, (round(x + dx - 0.35 * z), round(y - 0.35 * bh)), (round(x + dx + 0.35 * z), round(y)),
                          _SKIN, -1)
            cv2.rectangle(img, (round(x + dx - 0.5 * z), round(y - 0.25 * bh)), (round(x + dx + 0.5 * z), round(y - 1)),
                          socks, -1)
            cv2.rectangle(img, (round(x + dx - 0.6 * z), round(y - 0.8)), (round(x + dx + 0.9 * z), round(y)), _BOOT, -1)
    else:
        cv2.rectangle(img, (round(x - bw), round(y - 0.35 * bh)), (round(x + bw), round(y)), kit, -1)
    cv2.circle(img, (round(x * 16), round((y - (_BODY_H + _HEAD_R) * z) * 16)), round(_HEAD_R * z * 16), _SKIN, -1,
               cv2.LINE_AA, 4)


def _draw_ball(img, centre: np.ndarray, velocity: np.ndarray, radius: float, blur: bool, cv2) -> None:
    """The ball, sub-pixel, anti-aliased; smeared along its image velocity over half a frame when fast."""
    speed = float(np.linalg.norm(velocity))
    steps = int(min(9, np.ceil(speed * 0.5 / max(radius, 0.5)) * 2 + 1)) if blur and speed > 1.5 else 1
    pad = int(np.ceil(radius + speed * 0.5)) + 3
    x0, y0 = int(np.floor(centre[0])) - pad, int(np.floor(centre[1])) - pad
    x1, y1 = x0 + 2 * pad + 1, y0 + 2 * pad + 1
    h, w = img.shape[:2]
    if x1 <= 0 or y1 <= 0 or x0 >= w or y0 >= h:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.float32)
    for k in range(steps):
        offset = velocity * 0.5 * (k / (steps - 1) - 0.5) if steps > 1 else np.zeros(2)
        one = np.zeros_like(mask)
        cx, cy = centre + offset - (x0, y0)
        cv2.circle(one, (round(cx * 16), round(cy * 16)), max(1, round(radius * 16)), 1.0, -1, cv2.LINE_AA, 4)
        mask += one / steps
    mask = np.clip(mask * (1.6 if steps > 1 else 1.0), 0, 1)[..., None]  # a streak is fainter than the ball
    ya, yb, xa, xb = max(y0, 0), min(y1, h), max(x0, 0), min(x1, w)
    m = mask[ya - y0: yb - y0, xa - x0: xb - x0]
    region = img[ya:yb, xa:xb].astype(np.float32)
    img[ya:yb, xa:xb] = (region * (1 - m) + np.float32(245) * m).astype(np.uint8)


def render_frame(background: np.ndarray, half: Half, i: int, n_home: int, look: Look | None = None,
                 size: tuple[int, int] | None = None, rng: np.random.Generator | None = None) -> np.ndarray:
    """RGB frame ``i`` of ``half``: ``background`` (the world, any multiple of 224p) through the frame's camera,
    at ``size`` (width, height; default the background's own when the camera is fixed)."""
    import cv2

    look = look or Look.easy()
    width, height = size or (background.shape[1], background.shape[0])
    s = height / 224
    cam = half.camera[i]
    bg_scale = background.shape[0] / 224
    zoom = cam[2] * s / bg_scale  # background pixels -> frame pixels
    m = np.array([[zoom, 0, width / 2 - zoom * cam[0] * bg_scale], [0, zoom, height / 2 - zoom * cam[1] * bg_scale]])
    img = cv2.warpAffine(background, m, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    z = cam[2] * s
    feet = to_image(half.feet[i], cam, s)
    ball = to_image(half.ball[i], cam, s)
    prev = to_image(half.ball[max(i - 1, 0)], half.camera[max(i - 1, 0)], s)
    front = set(_in_front(half, i).tolist()) if look.occlusion else set()
    radius = half.ball_diameter / 2 * z
    if look.occlusion and half.ball_height[i] > half.ball_diameter:  # a faint shadow under a ball in the air
        gx, gy = to_image(half.ball_ground[i], cam, s)
        shadow = img.copy()
        cv2.ellipse(shadow, (round(gx), round(gy)), (max(1, round(radius * 1.2)), max(1, round(radius * 0.5))), 0, 0,
                    360, (20, 50, 20), -1, cv2.LINE_AA)
        img = cv2.addWeighted(shadow, 0.35, img, 0.65, 0)
    drawn_ball = False
    for p in np.argsort(feet[:, 1]):  # far players first; the ball before the players in front of it
        if not drawn_ball and p in front:
            _draw_ball(img, ball, ball - prev, radius, look.motion_blur, cv2)
            drawn_ball = True
        kit = (_WHITE_KIT if half.white_away else _AWAY) if p >= n_home else _HOME
        _draw_player(img, *feet[p], z, kit, _SOCK_WHITE if look.distractors else None, cv2)
    if not drawn_ball:
        _draw_ball(img, ball, ball - prev, radius, look.motion_blur, cv2)
    if look.distractors and rng is not None:  # sensor noise
        img = np.clip(img + rng.normal(0, 3, img.shape[:2])[..., None], 0, 255).astype(np.uint8)
    stamp_frame_index(img, i)
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
    visible = {half_id: ball_visibility(half) for half_id, half in halves.items()}
    for half_id, half in sorted(halves.items()):
        for e in half.events:
            ms = round(e.frame * 1000 / FPS)
            annotations.append({"gameTime": f"{half_id} - {ms // 60000:02d}:{ms // 1000 % 60:02d}", "label": e.label,
                                "position": str(ms), "team": "home" if e.player < n_home else "away",
                                "visibility": "visible" if visible[half_id][e.frame] else "not shown"})
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
    look = Look.from_params(params)
    folders = []
    rels = game_relpaths(n_games, seed, params.synth_split)
    bar = _progress(rels, "games", progress)
    for g, rel in enumerate(bar):
        folder = out_dir / rel
        rng = np.random.default_rng([seed, g, zlib.crc32(rel.encode())])
        halves = {h: simulate_half(n_frames, params.synth_players, rng, params.synth_event_gap_s,
                                   params.synth_header_fraction, look) for h in (1, 2)}
        for h, half in halves.items():
            for quality in params.synth_qualities:
                width, height = SIZES[quality]
                video = folder / f"{h}_{quality}.mkv"
                if force or not video.exists():
                    # the world drawn at twice (224p) or once (720p) the frame's scale, so zoomed views stay sharp
                    scene = np.random.default_rng([seed, g, h, 1])
                    bg = world_background(look, scene, scale=2 if quality == "224p" else 4)
                    noise = np.random.default_rng([seed, g, h, 2])
                    frames = (render_frame(bg, half, i, params.synth_players, look, (width, height), noise)
                              for i in range(n_frames))
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
    """Returns the ground-truth sidecar's boxes of each frame: ball (class 0, confidence 1; only where the sidecar's
    ``ball_visible`` says it can be seen) and players (class 1).

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
        visible = gt.get("ball_visible")
        for idx in frames:
            players = gt["players_xyxy"][idx]
            ball = gt["ball_xyxy"][idx][None] if visible is None or visible[idx] else np.zeros((0, 4), np.float32)
            xyxy = np.concatenate([ball, players]).astype(np.float32)
            class_id = np.array([0] * len(ball) + [1] * len(players))
            out.append(sv.Detections(xyxy=xyxy, confidence=np.ones(len(xyxy), np.float32), class_id=class_id,
                                     data={"class_name": np.array([self.class_names[c] for c in class_id])}))
        return out


OracleDetector = GroundTruthDetector  # the name the tests and benchmarks know it by
