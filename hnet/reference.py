"""The original data generator as a plain per-example Python loop: the slow reference that tests
compare the vectorised generator with, and that benchmarks/bench_hnet.py times.

It follows the original algorithm step by step (random.sample per axis, a coin for the fill, scipy's
cdist and linear_sum_assignment per example, one axis shuffled) and stores what the original stored:
a dict ``index -> [nb_ref, nb_pred, dist_mat, da_mat, ref_cart, pred_cart]``. Unlike the original it
takes a seed.
"""

from __future__ import annotations

import random

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist


def _sph2cart(azimuth_deg, elevation_deg) -> np.ndarray:
    az, el = np.deg2rad(np.asarray(azimuth_deg, float)), np.deg2rad(np.asarray(elevation_deg, float))
    return np.stack([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)], axis=-1)


def generate_original_loop(
    max_doas: int = 2, sample_range=(3000, 5000, 15000), resolutions=(1, 2, 3, 4, 5, 10, 15, 20, 30),
    scale: float = 1.0, seed: int = 0,
) -> dict[int, list]:
    """One split in the original's in-memory layout (see the module docstring)."""
    rnd = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    data: dict[int, list] = {}
    for res in resolutions:
        azi_range, ele_range = range(-180, 180, res), range(-90, 91, res)
        for nb_ref in range(max_doas + 1):
            for nb_pred in range(max_doas + 1):
                for _ in range(int(scale * sample_range[min(nb_ref, nb_pred)])):
                    ref_ang = (rnd.sample(azi_range, nb_ref), rnd.sample(ele_range, nb_ref))
                    pred_ang = (rnd.sample(azi_range, nb_pred), rnd.sample(ele_range, nb_pred))
                    if np_rng.random() < 0.5:
                        ref_cart = 10 * np.ones((max_doas, 3))
                        pred_cart = 10 * np.ones((max_doas, 3))
                    else:
                        ref_cart = np_rng.uniform(-100, 100, (max_doas, 3))
                        ref_cart[(ref_cart >= -1) & (ref_cart <= 1)] = 10.0
                        pred_cart = np_rng.uniform(-100, 100, (max_doas, 3))
                        pred_cart[(pred_cart >= -1) & (pred_cart <= 1)] = 10.0
                    ref_cart[:nb_ref] = _sph2cart(*ref_ang)
                    pred_cart[:nb_pred] = _sph2cart(*pred_ang)
                    dist_mat = cdist(ref_cart, pred_cart, "minkowski", p=2.0)
                    da_mat = np.zeros((max_doas, max_doas))
                    if nb_ref and nb_pred:
                        rows, cols = linear_sum_assignment(dist_mat[:nb_ref, :nb_pred])
                        da_mat[rows, cols] = 1
                    perm = rnd.sample(range(max_doas), max_doas)
                    if rnd.random() < 0.5:
                        dist_mat, da_mat = dist_mat[perm], da_mat[perm]
                    else:
                        dist_mat, da_mat = dist_mat[:, perm], da_mat[:, perm]
                    data[len(data)] = [nb_ref, nb_pred, dist_mat, da_mat, ref_cart, pred_cart]
    return data
