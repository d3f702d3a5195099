"""Synthetic DOA-association data for the Hungarian network, vectorised.

One example is a distance matrix ``dist`` (M, M) between M reference DOAs (rows) and M predicted
DOAs (columns), of which only ``nb_ref`` / ``nb_pred`` are active, and its label ``assoc`` (M, M):
the optimal (Hungarian) assignment between the active ones. The distribution is the original's
(Adavanne et al. 2021):

* for each angular resolution and each (nb_ref, nb_pred) in {0..M}^2, ``sample_range[min(nb_ref,
  nb_pred)]`` examples (times the split's scale);
* azimuths from ``range(-180, 180, res)`` and elevations from ``range(-90, 91, res)``, sampled
  without replacement per axis (so two DOAs of one set never share an azimuth or an elevation);
* inactive slots filled, for half the examples, with the constant 10, otherwise with uniform
  (-100, 100) values where any value in [-1, 1] becomes 10;
* ``dist`` is the Euclidean (chord) distance between the Cartesian vectors.

Fixed here against the original: a seed (each split its own stream), rows and columns shuffled
independently (``shuffle='one_axis'`` keeps the original's rows-or-columns), a validation split, any
``max_doas >= 1``, and the Cartesian vectors stored shuffled with the matrices, so that
``dist == cdist(ref_cart, pred_cart)`` holds for every stored example.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from common.hungarian import hungarian_labels
from common.io import FolderLock, atomic_write, remove_stale_temporaries
from configs.hnet import HNetParams
from hnet.model import INACTIVE_FILL

SPLITS = {"train": 0, "val": 1, "test": 2}
ARRAY_KEYS = ("dist", "assoc", "nb_ref", "nb_pred", "ref_cart", "pred_cart", "resolution", "random_fill")


def sph2cart(azimuth_deg: np.ndarray, elevation_deg: np.ndarray) -> np.ndarray:
    """Unit vectors (..., 3) from azimuth and elevation in degrees (x forward, y left, z up)."""
    az, el = np.deg2rad(azimuth_deg), np.deg2rad(elevation_deg)
    return np.stack([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)], axis=-1)


def chord_distance(ref_cart: np.ndarray, pred_cart: np.ndarray) -> np.ndarray:
    """Pairwise Euclidean distances: (N, R, 3) x (N, P, 3) -> (N, R, P)."""
    return np.linalg.norm(ref_cart[:, :, None, :] - pred_cart[:, None, :, :], axis=-1)


def sample_without_replacement(rng: np.random.Generator, population: int, k: int, n: int) -> np.ndarray:
    """``n`` independent ordered samples of ``k`` distinct indices from ``range(population)``: (n, k).

    Each row has the distribution of ``random.sample(range(population), k)``. Draw j picks the r-th of
    the still unchosen values, found by stepping r past the already chosen ones in ascending order,
    so memory is O(n k) rather than the O(n population) of an argsort of random keys.
    """
    if k > population:
        raise ValueError(f"cannot sample {k} distinct values from a population of {population}")
    out = np.empty((n, k), dtype=np.int64)
    chosen_sorted = np.empty((n, 0), dtype=np.int64)
    for j in range(k):
        r = rng.integers(0, population - j, size=n)
        for i in range(j):
            r += chosen_sorted[:, i] <= r
        out[:, j] = r
        chosen_sorted = np.sort(np.concatenate([chosen_sorted, r[:, None]], axis=1), axis=1)
    return out


@cache
def split_sizes(params: HNetParams, split: str) -> dict[tuple[int, int], int]:
    """Examples per (nb_ref, nb_pred) pair for one resolution of ``split``."""
    scale = {"train": 1.0, "val": params.val_scale, "test": params.test_scale}[split]
    m = params.max_doas
    return {
        (r, p): int(scale * params.sample_range[min(r, p)]) for r in range(m + 1) for p in range(m + 1)
    }


def _sample_angles(rng: np.random.Generator, res: int, k: int, n: int, jitter_deg: float = 0.0) -> np.ndarray:
    """(n, k) unit vectors on the (azimuth, elevation) grid of step ``res``, distinct per axis, then
    moved off the grid by uniform +-``jitter_deg`` (elevation clipped to [-90, 90])."""
    azimuths = np.arange(-180, 180, res)
    elevations = np.arange(-90, 91, res)
    picks = []
    for grid in (azimuths, elevations):
        if k <= len(grid):
            picks.append(grid[sample_without_replacement(rng, len(grid), k, n)])
        else:  # more DOAs than grid values on this axis (max_doas > 7 at 30 deg): values must repeat
            picks.append(grid[rng.integers(0, len(grid), size=(n, k))])
    if jitter_deg > 0:
        picks = [p + rng.uniform(-jitter_deg, jitter_deg, size=p.shape) for p in picks]
        picks[1] = np.clip(picks[1], -90, 90)
    return sph2cart(*picks)


def _fill(rng: np.random.Generator, random_fill: np.ndarray, m: int) -> np.ndarray:
    """Inactive-slot values (n, m, 3): 10, or uniform(-100, 100) with [-1, 1] replaced by 10."""
    values = rng.uniform(-100.0, 100.0, size=(len(random_fill), m, 3))
    values[np.abs(values) <= 1.0] = INACTIVE_FILL
    values[~random_fill] = INACTIVE_FILL
    return values


def _permute(rng: np.random.Generator, n: int, m: int) -> np.ndarray:
    """(n, m) independent random permutations of range(m)."""
    return np.argsort(rng.random((n, m)), axis=1)


def _seed_rng(seed: int, split: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(SPLITS[split],)))


def generate_split(params: HNetParams, split: str, seed: int | None = None) -> dict[str, np.ndarray]:
    """Generate one split (``'train'``, ``'val'`` or ``'test'``) as a dict of arrays.

    Returns ``dist`` (N, M, M) float32, ``assoc`` (N, M, M) uint8, ``nb_ref`` / ``nb_pred`` (N,) int8,
    ``ref_cart`` / ``pred_cart`` (N, M, 3) float32, ``resolution`` (N,) int16 and ``random_fill`` (N,)
    bool, ordered by resolution, then nb_ref, then nb_pred.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {list(SPLITS)}, got {split!r}")
    rng = _seed_rng(params.seed if seed is None else seed, split)
    m = params.max_doas
    sizes = split_sizes(params, split)
    total = sum(sizes.values()) * len(params.resolutions)
    out = {
        "dist": np.empty((total, m, m), np.float32),
        "assoc": np.empty((total, m, m), np.uint8),
        "nb_ref": np.empty(total, np.int8),
        "nb_pred": np.empty(total, np.int8),
        "ref_cart": np.empty((total, m, 3), np.float32),
        "pred_cart": np.empty((total, m, 3), np.float32),
        "resolution": np.empty(total, np.int16),
        "random_fill": np.empty(total, bool),
    }
    start = 0
    for res in params.resolutions:
        for (nb_ref, nb_pred), n in sizes.items():
            if n == 0:
                continue
            sl = slice(start, start + n)
            start += n
            # Cartesian DOAs: active ones first, fill after (the original's layout before shuffling).
            random_fill = rng.random(n) >= 0.5
            ref = _fill(rng, random_fill, m)
            pred = _fill(rng, random_fill, m)
            ref[:, :nb_ref] = _sample_angles(rng, res, nb_ref, n, params.angle_jitter_deg)
            pred[:, :nb_pred] = _sample_angles(rng, res, nb_pred, n, params.angle_jitter_deg)
            if params.exact_match_fraction > 0 and nb_ref and nb_pred:
                exact = rng.random(n) < params.exact_match_fraction
                pred[exact, 0] = ref[exact, 0]  # distance exactly 0 between two active DOAs
            dist = chord_distance(ref, pred)  # (n, M, M) float64, rows = references
            assoc = np.zeros((n, m, m), np.uint8)
            assoc[:, :nb_ref, :nb_pred] = hungarian_labels(dist[:, :nb_ref, :nb_pred])
            # Shuffle so that active entries are not always top-left.
            rows, cols = _permute(rng, n, m), _permute(rng, n, m)
            if params.shuffle == "one_axis":  # the original: rows or columns, with the same permutation
                on_rows = rng.random(n) < 0.5
                identity = np.broadcast_to(np.arange(m), (n, m))
                rows, cols = np.where(on_rows[:, None], rows, identity), np.where(on_rows[:, None], identity, rows)
            idx = np.arange(n)[:, None, None]
            out["dist"][sl] = dist[idx, rows[:, :, None], cols[:, None, :]]
            out["assoc"][sl] = assoc[idx, rows[:, :, None], cols[:, None, :]]
            out["ref_cart"][sl] = ref[np.arange(n)[:, None], rows]
            out["pred_cart"][sl] = pred[np.arange(n)[:, None], cols]
            out["nb_ref"][sl], out["nb_pred"][sl] = nb_ref, nb_pred
            out["resolution"][sl] = res
            out["random_fill"][sl] = random_fill
    return out


# --- files ----------------------------------------------------------------------------------------


def data_signature(params: HNetParams, seed: int | None = None) -> dict[str, Any]:
    """The parameters that determine the generated data; stored in each file and compared on reuse."""
    return {
        "max_doas": params.max_doas,
        "resolutions": list(params.resolutions),
        "sample_range": list(params.sample_range),
        "val_scale": params.val_scale,
        "test_scale": params.test_scale,
        "shuffle": params.shuffle,
        "seed": params.seed if seed is None else seed,
        **({"angle_jitter_deg": params.angle_jitter_deg} if params.angle_jitter_deg else {}),
        **({"exact_match_fraction": params.exact_match_fraction} if params.exact_match_fraction else {}),
        "format": 1,
    }


def split_path(data_dir: str | Path, split: str) -> Path:
    return Path(data_dir) / f"hnet_{split}.npz"


def save_split(path: str | Path, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> Path:
    """Atomically write ``arrays`` and the JSON ``meta`` to an uncompressed ``.npz``."""
    payload = dict(arrays, meta_json=np.array(json.dumps(meta)))
    return atomic_write(path, lambda f: np.savez(f, **payload))


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())[:200] or type(err).__name__


def load_split(path: str | Path, generate_hint: str = "python3 scripts/generate_hnet_data.py") -> dict[str, Any]:
    """Read a split written by ``save_split``: its arrays and ``meta``.

    Every error names the file and says how to regenerate it: not an .npz archive (a text file, a truncated
    download), missing arrays, arrays of different lengths or shapes, non-finite distances or DOA vectors,
    association values other than 0 and 1 (or more than one 1 in a row or column), counts outside [0, M]."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"HNet data file {path} does not exist; generate it with `{generate_hint}`")
    regenerate = f"regenerate it with `{generate_hint}`"
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic != b"PK\x03\x04":
        raise ValueError(f"{path} is not a readable HNet .npz file (not a zip archive of arrays: it starts with "
                         f"{magic!r}); {regenerate}")
    try:
        with np.load(path, allow_pickle=False) as f:
            data: dict[str, Any] = {k: f[k] for k in f.files}
    except Exception as err:  # a truncated archive, an object array
        raise ValueError(f"{path} is not a readable HNet .npz file ({_one_line(err)}); {regenerate}") from None
    missing = [k for k in (*ARRAY_KEYS, "meta_json") if k not in data]
    if missing:
        raise ValueError(f"{path} lacks arrays {missing}, expected {list(ARRAY_KEYS)}; {regenerate}")
    try:
        data["meta"] = json.loads(str(data.pop("meta_json")))
    except ValueError as err:
        raise ValueError(f"{path}: its meta_json is not JSON ({_one_line(err)}); {regenerate}") from None
    if not isinstance(data["meta"], dict):
        raise ValueError(f"{path}: its meta_json is not a JSON object; {regenerate}")
    problem = _split_problem(data)
    if problem:
        raise ValueError(f"{path}: {problem}; {regenerate}")
    return data


def _split_problem(data: dict[str, Any]) -> str | None:
    """What is wrong with the arrays of a split, or None."""
    dist = data["dist"]
    if dist.ndim != 3 or dist.shape[1] != dist.shape[2] or dist.shape[1] < 1:
        return f"dist must be (N, M, M), got {dist.shape}"
    n, m = dist.shape[:2]
    shapes = {"dist": (n, m, m), "assoc": (n, m, m), "ref_cart": (n, m, 3), "pred_cart": (n, m, 3), "nb_ref": (n,),
              "nb_pred": (n,), "resolution": (n,), "random_fill": (n,)}
    wrong = [f"{k} {data[k].shape}" for k, shape in shapes.items() if data[k].shape != shape]
    if wrong:
        return f"arrays of mismatched lengths or shapes for N={n} examples of M={m}: {', '.join(wrong)}"
    not_numeric = [k for k in shapes if not (np.issubdtype(data[k].dtype, np.number) or data[k].dtype == bool)]
    if not_numeric:
        return f"arrays {not_numeric} are not numeric"
    if n == 0:
        return None
    for key in ("dist", "ref_cart", "pred_cart"):
        bad = ~np.isfinite(data[key]).reshape(n, -1).all(axis=1)
        if bad.any():
            return f"{key} holds NaN or inf in {int(bad.sum())} examples (the first is example {int(np.argmax(bad))})"
    assoc = data["assoc"]
    bad = ~np.isin(assoc, (0, 1)).reshape(n, -1).all(axis=1)
    if bad.any():
        i = int(np.argmax(bad))
        values = sorted(set(np.unique(assoc[i]).tolist()) - {0, 1})
        return f"association values must be 0 or 1, example {i} holds {values} ({int(bad.sum())} such examples)"
    if assoc.sum(axis=1).max() > 1 or assoc.sum(axis=2).max() > 1:
        return "an association matrix has more than one 1 in a row or column"
    for key in ("nb_ref", "nb_pred"):
        if data[key].min() < 0 or data[key].max() > m:
            return f"{key} must lie in [0, {m}], found values {data[key].min()} .. {data[key].max()}"
    return None


def generate_dataset(
    params: HNetParams, out_dir: str | Path | None = None, seed: int | None = None, force: bool = False,
    splits: tuple[str, ...] = ("train", "val", "test"), log=print,
) -> dict[str, Path]:
    """Write every split to ``out_dir`` (default ``params.data_dir``); skip files already made with the
    same parameters unless ``force``, and make a damaged one again (saying why). Holds a lock on
    ``out_dir`` (a second generator into it is refused). Returns the paths."""
    out_dir = Path(params.data_dir if out_dir is None else out_dir)
    signature = data_signature(params, seed)
    paths = {}
    with FolderLock(out_dir, what=f"HNet data folder {out_dir}"):
        remove_stale_temporaries(out_dir)
        for split in splits:
            path = split_path(out_dir, split)
            paths[split] = path
            if path.exists() and not force:
                try:
                    if load_split(path)["meta"].get("signature") == signature:
                        log(f"{path}: already generated with these parameters, kept")
                        continue
                except ValueError as err:
                    log(f"{err.args[0].split('; regenerate')[0]}: generating it again")
            arrays = generate_split(params, split, seed)
            save_split(path, arrays, {"signature": signature, "split": split, "n": len(arrays["dist"])})
            log(f"{path}: {len(arrays['dist']):,} examples")
    return paths


# --- the DOAnet operating regime ---------------------------------------------------------------------


def doanet_regime_split(
    max_doas: int, nb_active_ref: int, n: int, seed: int = 0, near_deg: float | None = None,
) -> dict[str, np.ndarray]:
    """Matrices as DOAnet feeds them to a frozen HNet: rows are ``max_doas`` predicted unit vectors
    (all active, as the network always emits every track), columns ``nb_active_ref`` reference unit
    vectors then the fill (10, 10, 10) for absent sources; labels are the Hungarian assignment.

    Directions are uniform on the sphere. With ``near_deg`` the predictions are the references
    perturbed by about that many degrees (unmatched predictions stay random): a trained DOAnet.
    Returns the keys of ``generate_split`` (``nb_ref`` counts rows, ``nb_pred`` columns).
    """
    rng = np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(100 + nb_active_ref,)))
    m = max_doas

    def unit(shape):
        v = rng.normal(size=(*shape, 3))
        return v / np.linalg.norm(v, axis=-1, keepdims=True)

    ref = np.full((n, m, 3), INACTIVE_FILL)
    ref[:, :nb_active_ref] = unit((n, nb_active_ref))
    pred = unit((n, m))
    if near_deg is not None and nb_active_ref:
        noisy = ref[:, :nb_active_ref] + np.deg2rad(near_deg) * rng.normal(size=(n, nb_active_ref, 3))
        pred[:, :nb_active_ref] = noisy / np.linalg.norm(noisy, axis=-1, keepdims=True)
        pred = pred[np.arange(n)[:, None], _permute(rng, n, m)]  # predictions come in any order
    dist = chord_distance(pred, ref)  # (n, M, M): rows = predictions, as in DOAnet's loss
    assoc = np.zeros((n, m, m), np.uint8)
    assoc[:, :, :nb_active_ref] = hungarian_labels(dist[:, :, :nb_active_ref])
    return {
        "dist": dist.astype(np.float32), "assoc": assoc, "nb_ref": np.full(n, m, np.int8),
        "nb_pred": np.full(n, nb_active_ref, np.int8), "ref_cart": pred.astype(np.float32),
        "pred_cart": ref.astype(np.float32), "resolution": np.zeros(n, np.int16), "random_fill": np.zeros(n, bool),
    }
