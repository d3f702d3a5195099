"""Slow references: the original's feature extraction as a plain per-channel librosa/numpy
implementation, and the metrics as per-frame loops over scipy's Hungarian. Tests compare the fast
code with them; benchmarks time them in the same run."""

from __future__ import annotations

import librosa
import numpy as np
from scipy.optimize import linear_sum_assignment

from configs.doanet import DOAnetParams
from doanet.metrics import angle_matrix

EPS = 1e-8


def features_librosa(audio: np.ndarray, params: DOAnetParams) -> np.ndarray:
    """(n, 4) audio -> (T, C, 64): per-channel librosa STFT and power_to_db, then IV or GCC-PHAT."""
    n_frames = -(-len(audio) // params.hop_len)
    spec = np.stack([
        librosa.stft(np.asarray(audio[:, ch], np.float64), n_fft=params.nfft, hop_length=params.hop_len,
                     win_length=params.win_len, window="hann", center=True, pad_mode="constant")[:, :n_frames].T
        for ch in range(audio.shape[1])
    ], axis=-1)  # (T, K, 4)
    mel = librosa.filters.mel(sr=params.fs, n_fft=params.nfft, n_mels=params.nb_mel_bins).T  # (K, 64)
    logmel = np.stack([librosa.power_to_db(np.abs(spec[:, :, ch]) ** 2 @ mel) for ch in range(4)], axis=1)
    if params.dataset == "foa":
        w = spec[:, :, 0]
        intensity = np.real(np.conj(w)[:, :, None] * spec[:, :, 1:])  # (T, K, 3)
        energy = EPS + np.abs(w) ** 2 + np.sum(np.abs(spec[:, :, 1:]) ** 2, axis=-1) / 3.0
        extra = np.stack([(intensity[:, :, i] / energy) @ mel for i in range(3)], axis=1)
    else:
        pairs = []
        for m in range(4):
            for n in range(m + 1, 4):
                cross = spec[:, :, n] * np.conj(spec[:, :, m])
                cc = np.fft.irfft(np.exp(1j * np.angle(cross)), n=params.nfft)
                pairs.append(np.concatenate([cc[:, -32:], cc[:, :32]], axis=-1))
        extra = np.stack(pairs, axis=1)
    return np.concatenate([logmel, extra], axis=1).astype(np.float32)


def slow_original(pred, ref, ref_active, pred_active):
    s = pred.shape[-2]
    pred, ref = pred.reshape(-1, s, 3), ref.reshape(-1, s, 3)
    ra = ref_active.reshape(-1, s)
    pa = np.ones_like(ra) if pred_active is None else pred_active.reshape(-1, s)
    tp = fp = fn = ids = err = gt = npred = 0
    for f in range(len(pred)):
        n, m = int(ra[f].sum()), int(pa[f].sum())
        if pred_active is not None:
            fp += max(m - n, 0)
            fn += max(n - m, 0)
            if f:
                ids += int(np.sum(pa[f] & ~pa[f - 1]))
        tp += min(n, m)
        gt += n
        npred += m
        if n and m:
            a = np.degrees(np.arccos(np.clip(pred[f][pa[f]] @ ref[f][ra[f]].T, -1 + 1e-7, 1 - 1e-7)))
            r, c = linear_sum_assignment(a)
            err += a[r, c].sum()
    lr, lp = 100 * tp / gt, 100 * tp / npred
    return {"LE": err / tp, "MOTA": 100 * (1 - (fp + fn + ids) / gt), "IDS": ids, "LR": lr, "LP": lp,
            "LF": 2 * lp * lr / (lp + lr)}


def slow_clear_mot(pred, ref, ref_active, pred_active, gate_deg, matching="standard"):
    """CLEAR-MOT one frame and one object at a time (see doanet.metrics.clear_mot)."""
    b, t, s, _ = pred.shape
    matches = switches = 0
    total_angle = 0.0
    for i in range(b):
        last = {}  # object (reference slot) -> hypothesis it was last matched to
        for f in range(t):
            for j in range(s):
                if ref_active[i, f, j] and (f == 0 or not ref_active[i, f - 1, j]):
                    last.pop(j, None)
            a = np.degrees(angle_matrix(pred[i, f], ref[i, f]))  # (S_pred, S_ref)
            used_p, used_g = set(), set()
            if matching == "standard":  # keep last correspondences still within the gate
                for g in range(s):
                    p = last.get(g)
                    if (p is not None and p not in used_p and ref_active[i, f, g] and pred_active[i, f, p]
                            and a[p, g] <= gate_deg):
                        used_p.add(p), used_g.add(g)
                        matches += 1
                        total_angle += a[p, g]
            rows = [p for p in np.flatnonzero(pred_active[i, f]) if p not in used_p]
            cols = [g for g in np.flatnonzero(ref_active[i, f]) if g not in used_g]
            if not rows or not cols:
                continue
            sub = a[np.ix_(rows, cols)]
            r, c = linear_sum_assignment(np.where(sub <= gate_deg, sub, 1e6))
            for rr, cc in zip(r, c, strict=True):
                if sub[rr, cc] > gate_deg:
                    continue
                matches += 1
                total_angle += sub[rr, cc]
                p, g = rows[rr], cols[cc]
                if g in last and last[g] != p:
                    switches += 1
                last[g] = p
    n_gt, n_pred = int(ref_active.sum()), int(pred_active.sum())
    return {"MOTA": 1 - ((n_gt - matches) + (n_pred - matches) + switches) / n_gt, "MOTP": total_angle / matches,
            "IDSW": switches, "recall": matches / n_gt, "precision": matches / n_pred}
