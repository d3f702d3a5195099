"""The ball track of a sample's window and the ball-centred crop stack.

Track: per window frame the most confident ball box (source "model"); a constant-velocity Kalman
filter on the box centre carries the ball over frames without a box at most ``max_gap`` frames after
the last one (source "kalman", confidence 0), and resets after longer gaps; what remains is linearly
interpolated between known centres, held constant past the ends (source "interpolated"). A window
without any ball box has no track and is skipped.

Crop: a square of side 2r centred on the ball centre of each frame, the same r for the whole sample,
r = max(S / 2, crop_scale_factor x max(mean ball w, mean ball h) / 2), at most 0.75 x the frame's larger
side, zero outside the frame, resized to S x S (S = 256, or 64 when the larger side is <= 512 px). Its
three channels are the grayscale frames t - n, t, t + n cut with frame t's square, so the ball sits
at the crop centre in the middle channel. One affine warp does cut, pad and resize at sub-pixel
precision: a box centre (cx, cy) in pixel-edge coordinates lands at (S / 2, S / 2).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class ConstantVelocityKalman:
    """State (x, y, vx, vy) in pixels and pixels per frame; measurements are (x, y)."""

    def __init__(self, xy: Sequence[float], process_var: float, meas_var: float) -> None:
        self.x = np.array([xy[0], xy[1], 0.0, 0.0])
        self.P = np.diag([meas_var, meas_var, 100.0, 100.0])
        self.q, self.R = process_var, np.eye(2) * meas_var
        self.H = np.array([[1.0, 0, 0, 0], [0, 1.0, 0, 0]])

    def predict(self, dt: float) -> np.ndarray:
        F = np.eye(4)
        F[0, 2] = F[1, 3] = dt
        G = np.array([[dt**2 / 2, 0], [0, dt**2 / 2], [dt, 0], [0, dt]])
        self.x = F @ self.x
        self.P = F @ self.P @ F.T + self.q * G @ G.T
        return self.x[:2].copy()

    def update(self, xy: Sequence[float]) -> np.ndarray:
        y = np.asarray(xy, float) - self.H @ self.x
        S = self.H @ self.P @ self.H.T + self.R
        K = self.P @ self.H.T @ np.linalg.inv(S)
        self.x = self.x + K @ y
        self.P = (np.eye(4) - K @ self.H) @ self.P
        return self.x[:2].copy()


def ball_track(frames: Sequence[int], balls: Sequence[dict | None], max_gap: int, process_var: float = 5.0,
               meas_var: float = 25.0) -> list[dict] | None:
    """One track point per window frame, or None when no frame has a ball.

    Args:
        frames: the window's frame indices, increasing.
        balls: per frame the best ball record (``{"box": [x, y, w, h], "confidence", ...}``) or None.
    Returns:
        per frame ``{"center": [x, y], "size": [w, h], "confidence", "source", "velocity": [vx, vy] | None,
        "detection": record | None}``.
    """
    if not any(b is not None for b in balls):
        return None
    points: list[dict | None] = [None] * len(frames)
    kf, last_det, last_frame, size = None, None, None, None
    for i, (f, b) in enumerate(zip(frames, balls, strict=True)):
        if b is not None:
            x, y, w, h = b["box"]
            centre = (x + w / 2, y + h / 2)
            size = (w, h)
            if kf is None or f - last_frame > max_gap:
                kf = ConstantVelocityKalman(centre, process_var, meas_var)
            else:
                kf.predict(f - last_frame)
                kf.update(centre)
            points[i] = {"center": list(centre), "size": list(size), "confidence": float(b["confidence"]),
                         "source": "model", "velocity": [float(kf.x[2]), float(kf.x[3])], "detection": b}
            last_det = last_frame = f
        elif kf is not None and f - last_det <= max_gap:
            xy = kf.predict(f - last_frame)
            last_frame = f
            points[i] = {"center": [float(xy[0]), float(xy[1])], "size": list(size), "confidence": 0.0,
                         "source": "kalman", "velocity": [float(kf.x[2]), float(kf.x[3])], "detection": None}
    known = [i for i, p in enumerate(points) if p is not None]
    kf_x = np.array([points[i]["center"][0] for i in known])
    kf_y = np.array([points[i]["center"][1] for i in known])
    kf_f = np.array([frames[i] for i in known], float)
    for i, p in enumerate(points):
        if p is None:
            nearest = known[int(np.argmin([abs(frames[i] - frames[k]) for k in known]))]
            points[i] = {"center": [float(np.interp(frames[i], kf_f, kf_x)), float(np.interp(frames[i], kf_f, kf_y))],
                         "size": list(points[nearest]["size"]), "confidence": 0.0, "source": "interpolated",
                         "velocity": None, "detection": None}
    return points  # type: ignore[return-value]


def output_size_for(width: int, height: int, output_size: int = 256, low_res_output_size: int = 64,
                    low_res_max_dim: int = 512) -> int:
    """Crop side S: low_res_output_size for videos whose larger side is at most low_res_max_dim."""
    return low_res_output_size if max(width, height) <= low_res_max_dim else output_size


def crop_radius(sizes: Sequence[Sequence[float]], out_size: int, scale_factor: float, width: int, height: int) -> float:
    """Half side of the square cut from the frame: max(S / 2, scale x mean ball size / 2), capped at 0.75 x max(W, H)."""
    mean_w, mean_h = np.mean(np.asarray(sizes, float), axis=0) if len(sizes) else (0.0, 0.0)
    r = max(out_size // 2, scale_factor * max(mean_w, mean_h) / 2)
    return float(min(r, 0.75 * max(width, height)))


def crop_matrix(center: Sequence[float], radius: float, out_size: int) -> np.ndarray:
    """The 2x3 affine map from frame to crop pixels: ``center`` (pixel-edge coordinates) -> (S / 2, S / 2)."""
    s = out_size / (2 * radius)
    cx, cy = center
    return np.array([[s, 0.0, (out_size - 1) / 2 - s * (cx - 0.5)], [0.0, s, (out_size - 1) / 2 - s * (cy - 0.5)]])


def to_patch_box(box: Sequence[float], center: Sequence[float], radius: float, out_size: int) -> list[float]:
    """A box [x, y, w, h] in frame pixels as a box in crop pixels."""
    s = out_size / (2 * radius)
    x, y, w, h = box
    return [round(s * (x - center[0]) + out_size / 2, 2), round(s * (y - center[1]) + out_size / 2, 2),
            round(s * w, 2), round(s * h, 2)]


def crop_stack(grays: Sequence[np.ndarray], center: Sequence[float], radius: float, out_size: int) -> np.ndarray:
    """(S, S, len(grays)) uint8: each grayscale frame cut with the same square, zero outside the frame."""
    import cv2

    M = crop_matrix(center, radius, out_size)
    return np.stack([cv2.warpAffine(g, M, (out_size, out_size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                                    borderValue=0) for g in grays], axis=-1)
