"""TAU-NIGENS metadata: CSV rows to per-frame track-slot labels and back.

A label file is (n_label_frames, max_doas, 4) float32: unit xyz and activity (0/1) per track slot,
xyz zero where inactive. The fill value for inactive slots (10,10,10 for HNet training, 0,0,1 for the
MSE baseline) is applied when loading, not stored. A source keeps its slot for as long as it is
active, identified by (class, track) from the metadata, not by the order of CSV rows.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

N_CLASSES = 14
"""Sound classes of TAU-NIGENS Spatial Sound Events 2020 (doanet.sounds.CLASSES)."""
FIELDS = ("frame", "class", "track", "azimuth", "elevation")


def _field_range(name: str, n_classes: int) -> tuple[float, float]:
    return {"frame": (0, math.inf), "class": (0, n_classes - 1), "track": (0, math.inf), "azimuth": (-180, 180),
            "elevation": (-90, 90)}[name]


def read_metadata(path: str | Path, n_frames: int | None = None, frames_of: str = "the recording",
                  n_classes: int = N_CLASSES) -> np.ndarray:
    """Rows ``frame,class,track,azimuth,elevation`` -> int array (N, 5).

    Every value is checked against the data set's ranges (frame >= 0 and, with ``n_frames``, below it;
    class in [0, n_classes); track >= 0; azimuth in [-180, 180]; elevation in [-90, 90] degrees); errors name
    the file, the line and the value."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"metadata file {path} does not exist")
    rows = []
    for i, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split(",")
        if len(fields) != 5:
            raise ValueError(f"{path}:{i}: expected 5 fields frame,class,track,azimuth,elevation, got {line!r}")
        row = []
        for name, text in zip(FIELDS, fields, strict=True):
            try:
                value = float(text)
            except ValueError:
                raise ValueError(f"{path}:{i}: {name} {text.strip()!r} is not a number, in {line!r}") from None
            lo, hi = _field_range(name, n_classes)
            if not (math.isfinite(value) and lo <= value <= hi):
                raise ValueError(f"{path}:{i}: {name} {text.strip()} is outside [{lo:g}, {hi:g}], in {line!r}")
            row.append(int(value))
        if n_frames is not None and row[0] >= n_frames:
            raise ValueError(f"{path}:{i}: frame {row[0]} is beyond the end of {frames_of} ({n_frames} label frames)")
        rows.append(row)
    return np.array(rows, dtype=np.int64).reshape(-1, 5)


def polar_to_xyz(azimuth_deg: np.ndarray, elevation_deg: np.ndarray) -> np.ndarray:
    az, el = np.deg2rad(azimuth_deg), np.deg2rad(elevation_deg)
    return np.stack([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)], axis=-1)


def xyz_to_polar(xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Degrees (azimuth, elevation) of (..., 3) vectors."""
    x, y, z = np.moveaxis(xyz, -1, 0)
    return np.rad2deg(np.arctan2(y, x)), np.rad2deg(np.arctan2(z, np.hypot(x, y)))


def metadata_to_labels(rows: np.ndarray, n_frames: int, max_doas: int, source: str = "metadata") -> np.ndarray:
    """(N, 5) metadata rows -> (n_frames, max_doas, 4) labels [x, y, z, activity] per slot.

    Slots follow source identity (class, track): a source that stays active keeps its slot when
    another one ends or starts; a new source takes the lowest free slot. More simultaneous sources
    than slots, or a row outside frames [0, n_frames), is an error naming ``source`` and the frame (cut the
    rows first to shorten a recording on purpose).
    """
    labels = np.zeros((n_frames, max_doas, 4), np.float32)
    slot_of: dict[tuple[int, int], int] = {}
    by_frame: dict[int, list[np.ndarray]] = {}
    for row in rows:
        if not 0 <= row[0] < n_frames:
            raise ValueError(f"{source}: frame {int(row[0])} is outside the {n_frames} label frames of the recording")
        by_frame.setdefault(int(row[0]), []).append(row)
    for frame in range(n_frames):
        present = {(int(r[1]), int(r[2])): r for r in by_frame.get(frame, [])}
        if len(present) > max_doas:
            raise ValueError(f"{source}: frame {frame} has {len(present)} active sources, more than max_doas={max_doas}")
        slot_of = {ident: slot for ident, slot in slot_of.items() if ident in present}
        for ident in present:
            if ident not in slot_of:
                slot_of[ident] = min(set(range(max_doas)) - set(slot_of.values()))
        for ident, row in present.items():
            labels[frame, slot_of[ident], :3] = polar_to_xyz(row[3], row[4])
            labels[frame, slot_of[ident], 3] = 1.0
    return labels


def labels_to_rows(labels: np.ndarray) -> np.ndarray:
    """Inverse for checking: active slots -> rows (frame, slot, slot, azimuth, elevation), rounded."""
    frames, slots = np.nonzero(labels[..., 3] > 0.5)
    az, el = xyz_to_polar(labels[frames, slots, :3])
    return np.stack([frames, slots, slots, np.round(az), np.round(el)], axis=1).astype(np.int64)
