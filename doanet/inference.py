"""DOAnet at work: load a trained model and predict the tracks of a recording, in one call.

    doanet = load_doanet("data/pretrained/doanet_foa.pt")
    tracks = predict_recording(doanet, "fold1_room1_mix001_ov1.wav")   # wav -> features -> windows -> tracks
    tracks.xyz (L, S, 3) unit vectors, tracks.active (L, S), tracks.hop_s (0.1 s per label frame)

The checkpoint carries what inference needs: the model's arguments, the parameters it was trained with
(sampling rate, hop, mel bins, FOA or MIC, slots) and the feature normalisation of its training folds.
The script ``visualize_doanet_output.py``, the notebook and the tests all go through these functions.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from common.checkpoint import load_model
from common.device import pick_device
from configs.doanet import DOAnetParams
from doanet.features import extract_features, read_audio
from doanet.labels import metadata_to_labels, read_metadata
from doanet.losses import unit_normalise
from doanet.metrics import clear_mot, original_metric
from doanet.model import CRNN, doa_to_tracks


@dataclass
class LoadedDOAnet:
    """A trained CRNN in eval mode with its parameters and feature normalisation (mean, std: (C, F))."""

    model: CRNN
    params: DOAnetParams
    mean: np.ndarray
    std: np.ndarray
    device: torch.device
    checkpoint: dict
    activity_threshold: float = 0.5
    """The activity probability above which a slot is active: the one chosen on validation and written into
    the checkpoint (``set_activity_threshold``), else 0.5 (logit 0, what training selects with)."""
    merge_within_deg: float = 0.0
    """Two active tracks of a frame closer than this are one source heard twice: the less confident is
    dropped (``merge_duplicates``). Chosen on validation with the threshold and carried the same way; 0: off."""


def activity_logit(threshold: float) -> float:
    """An activity probability threshold in (0, 1) -> the logit the activity head's outputs are compared with."""
    if not 0 < threshold < 1:
        raise ValueError(f"activity_threshold must be a probability in (0, 1), got {threshold}")
    return float(np.log(threshold / (1 - threshold)))


def check_merge_angle(within_deg: float) -> float:
    """A duplicate-merge angle in [0, 180] degrees (0: no merge), else ValueError."""
    if not 0 <= within_deg <= 180:
        raise ValueError(f"merge_within_deg must be an angle in [0, 180] degrees, got {within_deg}")
    return float(within_deg)


def merge_duplicates(xyz: np.ndarray, active: np.ndarray, logits: np.ndarray, within_deg: float) -> np.ndarray:
    """xyz (L, S, 3) unit vectors, active (L, S), logits (L, S) -> active (L, S) where, frame by frame and most
    confident first, an active slot is kept only if it is at least ``within_deg`` from every slot kept before
    it. ``within_deg`` <= 0 returns ``active`` unchanged."""
    if within_deg <= 0:
        return active
    cos_within = np.cos(np.deg2rad(within_deg))
    kept = np.zeros_like(active)
    frames = np.arange(len(xyz))
    for i in np.argsort(-logits, axis=1, kind="stable").T:  # (L,) the next most confident slot of each frame
        cand = xyz[frames, i]  # (L, 3)
        near = ((xyz @ cand[:, :, None])[..., 0] > cos_within) & kept  # (L, S): kept slots too close to it
        kept[frames, i] = active[frames, i] & ~near.any(axis=1)
    return kept


@dataclass
class Tracks:
    """Predicted tracks: ``xyz`` (L, S, 3) unit vectors, ``active`` (L, S) (all True without an activity
    head), ``activity_logits`` (L, S) or None; one row per label frame of ``hop_s`` seconds."""

    xyz: np.ndarray
    active: np.ndarray
    activity_logits: np.ndarray | None
    hop_s: float
    features: np.ndarray | None = None
    """The normalised features (T, C, F) the tracks were predicted from (for plots)."""


def params_from_config(config: dict) -> DOAnetParams:
    """The DOAnetParams stored in a checkpoint's config (task and job ids dropped; lists back to tuples)."""
    fields = {f.name for f in dataclasses.fields(DOAnetParams)}
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in config.items() if k in fields}
    return DOAnetParams(**values)


def load_doanet(path: str | Path, device: str | torch.device = "cpu") -> LoadedDOAnet:
    """Rebuild the DOAnet saved at ``path`` (a ``*_model.pt`` of train_doanet.py, or its best.pt/last.pt).

    ValueError naming the file when it holds another model or lacks the parameters or normalisation."""
    dev = pick_device(device) if isinstance(device, str) else device
    model, ckpt = load_model(path, "CRNN", lambda args: CRNN(**args), what="a DOAnet CRNN",
                             writer="scripts/train_doanet.py", required=("config",))
    params = params_from_config(ckpt["config"])
    norm = ckpt.get("feature_norm")
    if norm is None:  # written before checkpoints carried it: the training run's scaler file
        from doanet.extraction import load_scaler

        try:
            norm = load_scaler(params)
        except FileNotFoundError as err:
            raise ValueError(f"{path} carries no feature normalisation and its training features are gone ({err})") from err
    mean, std = np.asarray(norm["mean"], np.float32), np.asarray(norm["std"], np.float32)
    if mean.shape != (model.args["in_channels"], model.args["nb_mel_bins"]):
        raise ValueError(f"{path}: feature normalisation of shape {mean.shape} does not fit the model's "
                         f"({model.args['in_channels']}, {model.args['nb_mel_bins']}) input")
    rule = ckpt.get("activity_threshold", {})
    return LoadedDOAnet(model.to(dev).eval(), params, mean, std, dev, ckpt, float(rule.get("value", 0.5)),
                        float(rule.get("merge_within_deg", 0.0)))


@torch.no_grad()
def predict_features(doanet: LoadedDOAnet, features: np.ndarray, batch_size: int = 16) -> Tracks:
    """Normalised features (T, C, F) -> tracks over ceil(T / 5) label frames, in windows of the
    training length (the last one zero-padded), as evaluation does."""
    p = doanet.params
    res, win = p.feature_label_resolution, p.feature_sequence_length
    n_label = -(-len(features) // res)
    n_windows = -(-len(features) // win)
    padded = np.zeros((n_windows * win, *features.shape[1:]), np.float32)
    padded[:len(features)] = features
    windows = torch.from_numpy(padded.reshape(n_windows, win, *features.shape[1:]).transpose(0, 2, 1, 3))  # (W, C, T, F)
    doas, acts = [], []
    for i in range(0, n_windows, batch_size):
        doa, act = doanet.model(windows[i:i + batch_size].to(doanet.device))
        doas.append(unit_normalise(doa_to_tracks(doa, p.max_doas)).cpu())
        acts.append(None if act is None else act.cpu())
    xyz = torch.cat(doas).reshape(-1, p.max_doas, 3)[:n_label].numpy()
    logits = None if acts[0] is None else torch.cat(acts).reshape(-1, p.max_doas)[:n_label].numpy()
    if logits is None:
        active = np.ones(xyz.shape[:2], bool)
    else:
        active = merge_duplicates(xyz, logits > activity_logit(doanet.activity_threshold), logits,
                                  doanet.merge_within_deg)
    return Tracks(xyz, active, logits, p.label_hop_len_s, features)


def set_activity_threshold(path: str | Path, threshold: float, chosen_on: str, merge_within_deg: float = 0.0) -> None:
    """Write the activity probability threshold and the duplicate-merge angle chosen on validation
    (``chosen_on`` says where) into the checkpoint at ``path``, atomically; inference uses them from then on."""
    from common.checkpoint import load_checkpoint
    from common.io import atomic_write

    activity_logit(threshold)  # a probability in (0, 1), checked before anything is read or written
    check_merge_angle(merge_within_deg)
    ckpt = load_checkpoint(path)
    if ckpt.get("model_name") != "CRNN":
        raise ValueError(f"{path} holds a {ckpt.get('model_name')!r}, not a DOAnet CRNN")
    ckpt["activity_threshold"] = {"value": float(threshold), "merge_within_deg": float(merge_within_deg),
                                  "chosen_on": chosen_on}
    atomic_write(path, lambda f: torch.save(ckpt, f))


def predict_recording(doanet: LoadedDOAnet, wav: str | Path) -> Tracks:
    """One recording in the model's format (FOA or MIC wav, its sampling rate) -> its tracks."""
    features = extract_features(read_audio(wav, doanet.params), doanet.params, doanet.device)  # the whole recording
    return predict_features(doanet, (features - doanet.mean) / doanet.std)


def synthetic_recording(params: DOAnetParams, out_dir: str | Path, seed: int, overlap: int = 2,
                        length_s: float | None = None) -> dict[str, Path]:
    """Render one fresh recording of the synthetic TAU-NIGENS kind (a new room and events, seeded) in both
    formats: {'foa': wav, 'mic': wav, 'csv': metadata} under ``out_dir``, named ``synth_seed{seed}_ov{N}``."""
    from doanet.synth import metadata_rows, plan_events, render_file, write_csv, write_wav

    if overlap not in (1, 2):
        raise ValueError(f"overlap must be 1 or 2, got {overlap}")
    p = dataclasses.replace(params, synth_file_len_s=length_s or params.synth_file_len_s)
    rng = np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(7, overlap)))
    events = plan_events(p, round(p.synth_file_len_s / p.label_hop_len_s), overlap, rng)
    audio = render_file(p, events, room_seed=10_000 + seed, rng=rng)
    stem = Path(out_dir) / f"synth_seed{seed}_ov{overlap}"
    paths = {"foa": stem.with_name(stem.name + "_foa.wav"), "mic": stem.with_name(stem.name + "_mic.wav"),
             "csv": stem.with_suffix(".csv")}
    write_wav(paths["foa"], audio["foa"], p.fs)
    write_wav(paths["mic"], audio["mic"], p.fs)
    write_csv(paths["csv"], metadata_rows(events, p.label_hop_len_s))
    return paths


def reference_tracks(csv: str | Path, n_frames: int, max_doas: int) -> tuple[np.ndarray, np.ndarray]:
    """A metadata csv -> reference xyz (L, S, 3) and activity (L, S) bool over ``n_frames`` label frames."""
    labels = metadata_to_labels(read_metadata(csv), n_frames, max_doas, source=str(csv))  # (L, S, 4)
    return labels[..., :3], labels[..., 3] > 0.5


def score(tracks: Tracks, ref_xyz: np.ndarray, ref_active: np.ndarray, has_activity: bool = True) -> dict:
    """The original's metrics, gated CLEAR-MOT and the DCASE SELD-style location-aware F-score (``F20``, %:
    per frame, Hungarian matches within 20 deg are true positives) of one recording's tracks."""
    pred, pact = tracks.xyz[None], tracks.active[None]
    ref, ract = ref_xyz[None], ref_active[None]
    seld = clear_mot(pred, ref, ract, pact, gate_deg=20.0, matching="per_frame")
    return {"original": original_metric(pred, ref, ract, pact if has_activity else None),
            "clear_mot": clear_mot(pred, ref, ract, pact), "F20": 100.0 * seld["F"]}
