"""A look at a crop cache: a contact sheet of samples and a short text summary.

Contact sheet: per sample (positives and negatives) a block of 3 rows, the temporal channels t-2 / t /
t+2, by 11 columns, the window offsets; on the middle (t) row the ball box of that window frame
(``patch_box`` in the metadata) drawn in the colour of its source: detected (the detector's box), Kalman (the
constant-velocity filter's prediction) or interpolated (between known centres). A frame outside the
video is black with no box. The block's title names the sample, its label and what found the boxes.

Summary: samples in the index per label, skipped samples per label and reason, failed videos, and the
detector recorded in the metadata (a ground-truth build is flagged).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from headernet import cache

SOURCE_NAMES = {"model": "detected", "kalman": "Kalman", "interpolated": "interpolated"}
SOURCE_COLOURS = {"model": (40, 220, 40), "kalman": (255, 160, 0), "interpolated": (230, 40, 230)}  # RGB


@dataclass
class CacheSample:
    row: dict
    stack: np.ndarray  # (T, S, S, 3) uint8
    meta: dict


def load_index(cache_dir: Path, output_name: str = "train_cache_header.csv") -> list[dict]:
    path = Path(cache_dir) / output_name
    if not path.is_file():
        raise FileNotFoundError(f"no index {path}: build the cache first (scripts/generate_positive_negative_dataset.py)")
    return cache.read_csv(path)


def choose_samples(rows: list[dict], per_label: int, seed: int) -> list[dict]:
    """Up to ``per_label`` positives, then up to ``per_label`` negatives, a seeded choice in index order."""
    rng = np.random.default_rng(seed)
    out = []
    for label in ("1", "0"):
        rows_l = [r for r in rows if r["label"] == label]
        keep = sorted(rng.choice(len(rows_l), min(per_label, len(rows_l)), replace=False)) if rows_l else []
        out += [rows_l[i] for i in keep]
    return out


def load_sample(cache_dir: Path, row: dict) -> CacheSample:
    cache_dir = Path(cache_dir)
    return CacheSample(row, np.load(cache_dir / f"{row['path']}_s.npy"), json.loads((cache_dir / row["metadata"]).read_text()))


def _tile(gray: np.ndarray, ball: dict | None, scale: int) -> np.ndarray:
    import cv2

    rgb = cv2.resize(np.repeat(gray[..., None], 3, -1), None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    if ball is not None:
        x, y, w, h = (v * scale for v in ball["patch_box"])
        colour = SOURCE_COLOURS.get(ball["source"], (255, 255, 255))
        cv2.rectangle(rgb, (round(x), round(y)), (round(x + w), round(y + h)), colour, 1)
    return rgb


def sample_block(s: CacheSample, scale: int = 2, gap: int = 2) -> np.ndarray:
    """(3 x tile + gaps, T x tile + gaps, 3) RGB: rows the channels t-n, t, t+n, columns the window offsets."""
    t, size = s.stack.shape[0], s.stack.shape[1] * scale
    block = np.full((3 * size + 2 * gap, t * size + (t - 1) * gap, 3), 255, np.uint8)
    for i, fm in enumerate(s.meta["frames"]):
        for c in range(3):
            y0, x0 = c * (size + gap), i * (size + gap)
            # the box is frame t's: drawn on the middle channel only (the t-n / t+n rows show the ball move)
            block[y0: y0 + size, x0: x0 + size] = _tile(s.stack[i, :, :, c], fm.get("ball") if c == 1 else None, scale)
    return block


def detector_label(meta: dict) -> str:
    det = meta.get("detector") or {}
    kind = det.get("kind", "unknown")
    if kind == "ground-truth":
        return "GROUND-TRUTH boxes (synthetic game; not a detector)"
    if kind == "rfdetr":
        return f"RF-DETR {det.get('variant')} ({det.get('weights') or 'random init'})"
    return kind


def contact_sheet(cache_dir: str | Path, out: str | Path, per_label: int = 3, seed: int = 0, scale: int = 2,
                  output_name: str = "train_cache_header.csv",
                  annotate: Callable[[list[CacheSample]], list[str]] | None = None) -> tuple[Path, list[CacheSample]]:
    """Draw the contact sheet of up to ``per_label`` positives and negatives of the cache; return (PNG, samples).
    ``annotate`` adds a text per sample to its title (e.g. a classifier's score)."""
    from common.plots import pyplot, save_figure

    cache_dir = Path(cache_dir)
    rows = load_index(cache_dir, output_name)
    if not rows:
        raise ValueError(f"the index of {cache_dir} lists no sample (all skipped? see {cache.SKIPPED_NAME})")
    samples = [load_sample(cache_dir, r) for r in choose_samples(rows, per_label, seed)]
    blocks = [sample_block(s, scale) for s in samples]
    notes = annotate(samples) if annotate is not None else [""] * len(samples)
    plt = pyplot()
    h, w = blocks[0].shape[:2]
    # at least one figure pixel per block pixel (dpi 100), so no box line is lost to resampling
    fig, axes = plt.subplots(len(blocks), 1, figsize=(max(w / 100 + 1.2, 7.0), len(blocks) * (max(h / 100, 1.0) + 0.6)),
                             squeeze=False)
    for ax, s, block, note in zip(axes[:, 0], samples, blocks, notes, strict=True):
        m = s.meta
        ax.imshow(block, interpolation="nearest")
        kind = "HEADER (positive)" if int(m["label"]) == 1 else "negative"
        ax.set_title(f"{m['video_id']} half {m['half']} frame {m['frame']}: {kind}; boxes: {detector_label(m)}"
                     + (f"; {note}" if note else ""), fontsize=8, loc="left")
        size = s.stack.shape[1] * scale
        ax.set_xticks([i * (size + 2) + size / 2 for i in range(len(m["window"]))], [f"{o:+d}" for o in m["window"]],
                      fontsize=7)
        n = m["channels"][-1]
        ax.set_yticks([c * (size + 2) + size / 2 for c in range(3)], [f"t-{n}", "t", f"t+{n}"], fontsize=7)
        ax.tick_params(length=0)
    handles = [plt.Line2D([], [], color=np.array(c) / 255, lw=2, label=f"ball box: {SOURCE_NAMES[k]}")
               for k, c in SOURCE_COLOURS.items()]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle(f"{cache_dir}: columns are the window offsets (frames), rows the temporal channels", fontsize=9)
    fig.tight_layout(rect=(0, 0.03, 1, 0.98))
    return save_figure(fig, out), samples


def summary_text(cache_dir: str | Path, output_name: str = "train_cache_header.csv") -> str:
    """Counts per label (written and skipped), skipped reasons, failed videos and the detector of the cache."""
    cache_dir = Path(cache_dir)
    rows = load_index(cache_dir, output_name)
    skipped_path, failed_path = cache_dir / cache.SKIPPED_NAME, cache_dir / cache.FAILED_NAME
    skipped = cache.read_csv(skipped_path) if skipped_path.is_file() else []
    failed = cache.read_csv(failed_path) if failed_path.is_file() else []
    written = Counter(r["label"] for r in rows)
    skipped_by_label = Counter(r["label"] for r in skipped)
    reasons = Counter((r["label"], r["reason"].split(":")[0]) for r in skipped)
    lines = [f"cache {cache_dir}"]
    for label, name in (("1", "positives (HEADER)"), ("0", "negatives")):
        total = written[label] + skipped_by_label[label]
        lines.append(f"  {name}: {written[label]} written, {skipped_by_label[label]} skipped, of {total}")
    if reasons:
        lines.append("  skipped because:")
        lines += [f"    {n:4d} x {reason} ({'positive' if label == '1' else 'negative'})"
                  for (label, reason), n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))]
    lines.append(f"  failed halves: {len(failed)}" + "".join(f"\n    {r['video_id']} half {r['half']}: {r['reason']}"
                                                         for r in failed[:5]))
    kinds = Counter(detector_label(json.loads((cache_dir / r["metadata"]).read_text())) for r in rows)
    if kinds:
        lines.append("  boxes from: " + "; ".join(f"{k} ({n} samples)" for k, n in kinds.items()))
    return "\n".join(lines)
