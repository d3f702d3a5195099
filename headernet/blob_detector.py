"""The classical baseline of the ball detector: the brightest small white blob of the frame.

A white top-hat (the grayscale frame minus its morphological opening by a disc a little larger than the
ball) keeps bright marks smaller than the disc and removes lines wider than it, the grass and the players'
bodies; the ball is the top-hat's maximum, refined to the weighted centroid of its 5 x 5 neighbourhood, and
the frame shows a ball when that maximum reaches a threshold (chosen on validation games, like the
learned detector's). It sees what the network sees, one frame, and has no idea what a sock is: that is the
point of the comparison.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import supervision as sv

from headernet.heatmap import INPUT_HEIGHT, ball_detections

STAMP_BOX = (8, 100)
"""Rows and columns of the synthetic games' frame-index stamp (top-left, at 224p), never a ball."""


class BlobBallDetector:
    """Brightest small blob of the white top-hat; ``threshold`` in grey levels (0-255) of the top-hat."""

    class_names = ("ball",)
    ball_class_ids = frozenset({0})
    player_class_ids: frozenset[int] = frozenset()

    def __init__(self, threshold: float = 40.0, disc_px: int = 9, ball_px: float = 4.0) -> None:
        self.threshold, self.disc_px, self.ball_px = float(threshold), int(disc_px), float(ball_px)

    @property
    def provenance(self) -> dict:
        return {"kind": "blob", "threshold": self.threshold, "disc_px": self.disc_px}

    def locate(self, images: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """(scores (N,), centres (N, 2)): the top-hat maximum of each RGB frame and where it is (frame pixels)."""
        import cv2

        disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (self.disc_px, self.disc_px))
        scores, centres = np.zeros(len(images)), np.zeros((len(images), 2))
        for k, img in enumerate(images):
            scale = INPUT_HEIGHT / img.shape[0]
            if scale != 1.0:
                img = cv2.resize(img, (round(img.shape[1] * scale), INPUT_HEIGHT), interpolation=cv2.INTER_AREA)
            gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
            tophat = cv2.morphologyEx(gray, cv2.MORPH_TOPHAT, disc).astype(np.float32)
            tophat[: STAMP_BOX[0], : STAMP_BOX[1]] = 0
            tophat[STAMP_BOX[0]: STAMP_BOX[0] + 2, : STAMP_BOX[1] + 2] = 0  # the stamp's lower edge
            y, x = np.unravel_index(int(np.argmax(tophat)), tophat.shape)
            y0, y1, x0, x1 = max(y - 2, 0), min(y + 3, tophat.shape[0]), max(x - 2, 0), min(x + 3, tophat.shape[1])
            w = tophat[y0:y1, x0:x1]
            yy, xx = np.mgrid[y0:y1, x0:x1]
            cx, cy = (w * xx).sum() / max(w.sum(), 1e-6) + 0.5, (w * yy).sum() / max(w.sum(), 1e-6) + 0.5
            scores[k], centres[k] = tophat[y, x], (cx / scale, cy / scale)
        return scores, centres

    def detect(self, images: list[np.ndarray], *, video: Path | None = None,
               frames: list[int] | None = None) -> list[sv.Detections]:
        scores, centres = self.locate(list(images))
        return ball_detections(images, scores, centres, np.minimum(scores / 255, 1.0), self.threshold, self.ball_px)
