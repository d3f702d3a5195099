"""Parameters of DOAnet: synthetic TAU-NIGENS 2020 data, features, labels, model and training.

``get_params(task_id, **overrides)`` returns a frozen ``DOAnetParams``. Task ``1`` is the original
default (FOA, HNet losses with the activity head); the other tasks hold only what they change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from configs.base import resolve


@dataclass(frozen=True)
class DOAnetParams:
    quick_test: bool = False
    """A smoke run: a few short files, a few batches; the whole pipeline in well under a minute on a CPU."""

    # --- data set layout ----------------------------------------------------------------------------
    dataset: str = "foa"
    """'foa' (first-order Ambisonics, ACN/SN3D) or 'mic' (tetrahedral 4-microphone array)."""
    dataset_dir: str = "data/tau_synth"
    """Base folder holding foa_dev/, mic_dev/ and metadata_dev/ (the real data set or our synthetic one)."""
    extra_dataset_dirs: tuple[str, ...] = ()
    """More base folders of recordings in the same layout, e.g. augmented ov2 mixtures."""
    feat_label_dir: str = "data/feat_label"
    mode: str = "dev"
    train_folds: tuple[int, ...] = (3, 4, 5, 6)
    val_folds: tuple[int, ...] = (2,)
    test_folds: tuple[int, ...] = (1,)

    # --- synthetic TAU-NIGENS 2020 ------------------------------------------------------------------
    synth_folds: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
    synth_files_per_fold: int = 100
    synth_file_len_s: float = 60.0
    synth_rooms_per_fold: int = 2
    synth_seed: int = 0
    synth_snr_db: float = 20.0
    """Ratio of the direct sound of the sources to the ambient noise."""
    synth_rt60_s: tuple[float, float] = (0.2, 0.6)
    """Range of reverberation times of the rooms (drawn per room)."""
    synth_drr_db: tuple[float, float] = (2.0, 8.0)
    """Range of direct-to-reverberant energy ratios of the rooms (drawn per room)."""
    synth_max_speed_deg_s: float = 40.0
    """Largest angular speed of a moving source; half the events are static."""
    synth_room_side_m: tuple[float, float] = (4.0, 10.0)
    """Range of the shoebox rooms' two horizontal sides (each drawn per room)."""
    synth_room_height_m: tuple[float, float] = (2.5, 4.0)
    synth_source_distance_m: tuple[float, float] = (1.0, 3.0)
    """Range of a source's distance from the array (drawn per event, pulled in to stay inside the room)."""
    synth_image_order: int = 3
    """Reflections per image path of the early part (image-source model); 0: no early reflections."""

    # --- features and labels ------------------------------------------------------------------------
    fs: int = 24000
    hop_len_s: float = 0.02
    label_hop_len_s: float = 0.1
    max_audio_len_s: float = 60.0
    nb_mel_bins: int = 64
    max_doas: int = 2
    """Track slots per label frame (the original's unique_classes = 2)."""

    # --- training -----------------------------------------------------------------------------------
    use_hnet: bool = True
    """Train with dMOTP + dMOTA through the frozen HNet; False trains the ``baseline`` loss."""
    use_dmot_only: bool = False
    """With use_hnet: no activity head (the dMOT losses alone)."""
    baseline: str = "mse"
    """Without use_hnet: 'mse' (the original's fixed-slot MSE) or 'pit' (permutation-invariant, masked)."""
    dmotp_norm: str = "original"
    """'original': per-frame cost times per-frame matches over all matches; 'plain': the paper's sum(D A) / sum(A)."""
    legacy_activity_tanh: bool = False
    """Cap the activity logits with tanh as the original did (probabilities then stay within [0.27, 0.73])."""
    train_seed: int = 0
    mixed_precision: str = "auto"
    """'auto' (float16 autocast with gradient scaling on CUDA, float32 on the CPU), 'fp16', 'bf16' or 'off'.
    The losses, the HNet and evaluation always run in float32."""
    quick_test_batches: int = 4
    """With quick_test: train batches per epoch."""
    label_sequence_length: int = 50
    batch_size: int = 64
    dropout_rate: float = 0.0
    nb_cnn2d_filt: int = 128
    f_pool_size: tuple[int, ...] = (2, 2, 2)
    nb_rnn_layers: int = 2
    rnn_size: int = 128
    self_attn: bool = False
    nb_heads: int = 4
    nb_fnn_layers: int = 2
    fnn_size: int = 128
    nb_fnn_act_layers: int = 2
    fnn_act_size: int = 128
    nb_epochs: int = 200
    lr: float = 1e-3
    lr_schedule: str = "constant"
    """'constant' (the original) or 'cosine': linear warm-up over ``warmup_epochs``, then cosine decay to 0."""
    warmup_epochs: int = 0
    init_from: str = ""
    """Warm start: a saved DOAnet (data/models/*_model.pt or a run's best.pt) whose weights start this run, with a
    fresh optimiser and learning-rate schedule; its architecture must be this run's. '': random initial weights."""
    channels_last: bool = True
    """Convolutions in channels-last memory layout: 1.4x faster in float32 on the CPU (benchmarks/RESULTS.md),
    the same arithmetic."""
    dMOTA_wt: float = 1.0
    dMOTP_wt: float = 50.0
    IDS_wt: float = 1.0
    branch_weights: tuple[float, float] = (1.0, 10.0)
    hnet_checkpoint: str = "data/pretrained/hnet_model_jitter.pt"
    """The frozen HNet: the off-grid-trained one associates the near-coincident pairs of a converging DOAnet."""
    model_dir: str = "data/models"
    run_dir: str = "data/runs/doanet"

    # --- derived --------------------------------------------------------------------------------------
    @property
    def hop_len(self) -> int:
        return int(self.fs * self.hop_len_s)

    @property
    def win_len(self) -> int:
        return 2 * self.hop_len

    @property
    def nfft(self) -> int:
        return 1 << (self.win_len - 1).bit_length()

    @property
    def feature_label_resolution(self) -> int:
        """Feature frames per label frame (5)."""
        return round(self.label_hop_len_s / self.hop_len_s)

    @property
    def feature_sequence_length(self) -> int:
        return self.label_sequence_length * self.feature_label_resolution

    @property
    def t_pool_size(self) -> tuple[int, ...]:
        return (self.feature_label_resolution, 1, 1)

    def validate(self) -> None:
        positive = {k: getattr(self, k) for k in ("fs", "hop_len_s", "label_hop_len_s", "max_audio_len_s", "synth_file_len_s",
                                                   "nb_mel_bins", "nb_epochs", "batch_size", "label_sequence_length",
                                                   "synth_files_per_fold", "synth_rooms_per_fold", "quick_test_batches", "lr")}
        bad = {k: v for k, v in positive.items() if not v > 0}  # also NaN
        if bad:
            raise ValueError(f"these parameters must be > 0 (>= 1 for counts): {bad}")
        if self.hop_len < 1:
            raise ValueError(f"hop_len_s={self.hop_len_s} s is less than one sample at fs={self.fs}")
        if not 0 < self.synth_rt60_s[0] <= self.synth_rt60_s[1]:
            raise ValueError(f"synth_rt60_s must be a range (lo, hi) with 0 < lo <= hi seconds, got {self.synth_rt60_s}")
        if not self.synth_drr_db[0] <= self.synth_drr_db[1]:
            raise ValueError(f"synth_drr_db must be a range (lo, hi) with lo <= hi, got {self.synth_drr_db}")
        for name in ("synth_room_side_m", "synth_room_height_m", "synth_source_distance_m"):
            lo, hi = getattr(self, name)
            if not 0 < lo <= hi:
                raise ValueError(f"{name} must be a range (lo, hi) with 0 < lo <= hi metres, got {(lo, hi)}")
        if min(self.synth_room_side_m) < 2.5 or min(self.synth_room_height_m) < 2.0:
            raise ValueError(f"rooms must be at least 2.5 m across and 2 m high (the array keeps 1 m from the walls), "
                             f"got synth_room_side_m={self.synth_room_side_m}, synth_room_height_m={self.synth_room_height_m}")
        if self.synth_image_order < 0:
            raise ValueError(f"synth_image_order must be >= 0, got {self.synth_image_order}")
        if not self.synth_max_speed_deg_s >= 0:
            raise ValueError(f"synth_max_speed_deg_s must be >= 0, got {self.synth_max_speed_deg_s}")
        if not self.synth_folds or min(self.synth_folds) < 0:
            raise ValueError(f"synth_folds must be fold numbers >= 0, got {self.synth_folds}")
        if self.dataset not in ("foa", "mic"):
            raise ValueError(f"dataset must be 'foa' or 'mic', got {self.dataset!r}")
        if self.max_doas < 1:
            raise ValueError(f"max_doas must be >= 1, got {self.max_doas}")
        if abs(self.label_hop_len_s / self.hop_len_s - self.feature_label_resolution) > 1e-9:
            raise ValueError("label_hop_len_s must be a whole multiple of hop_len_s")
        if self.baseline not in ("mse", "pit"):
            raise ValueError(f"baseline must be 'mse' or 'pit', got {self.baseline!r}")
        if self.mixed_precision not in ("auto", "fp16", "bf16", "off"):
            raise ValueError(f"mixed_precision must be 'auto', 'fp16', 'bf16' or 'off', got {self.mixed_precision!r}")
        if self.lr_schedule not in ("constant", "cosine"):
            raise ValueError(f"lr_schedule must be 'constant' or 'cosine', got {self.lr_schedule!r}")
        if self.dmotp_norm not in ("original", "plain"):
            raise ValueError(f"dmotp_norm must be 'original' or 'plain', got {self.dmotp_norm!r}")
        if set(self.train_folds) & (set(self.val_folds) | set(self.test_folds)):
            raise ValueError(f"train_folds {self.train_folds} overlap val {self.val_folds} or test {self.test_folds}")


# Augmented training data: the synthetic set plus its ov2 mixtures, features in their own folder.
_AUG: dict[str, Any] = {"extra_dataset_dirs": ("data/tau_synth_aug",), "feat_label_dir": "data/feat_label_augmented"}

# The CPU-scale protocol of the comparison, shared by tasks 30-35.
_CPU: dict[str, Any] = {
    "dataset_dir": "data/tau_synth_cpu", "feat_label_dir": "data/feat_label_cpu",
    "synth_files_per_fold": 16, "synth_file_len_s": 30.0, "max_audio_len_s": 30.0,
    # batch 16 instead of 64: 24 updates per epoch on 384 windows, not 6 (a small set needs updates, not epochs)
    "batch_size": 16, "nb_epochs": 40,
    # a decaying rate: at a constant 1e-3 the dMOT loss of a small-set run climbed back after a few epochs
    "lr_schedule": "cosine", "warmup_epochs": 1,
    # bfloat16 autocast: 2.1x the float32 step on this AVX-512-BF16 CPU (benchmarks/RESULTS.md)
    "mixed_precision": "bf16",
}

# Ten times the CPU protocol's training data; sized so that two trainings side by side (one core each) finish
# in about 1.5 hours of this CPU: 12 epochs of 120 updates at batch 32 (1440 updates, 1.5x the small protocol's).
_LARGE: dict[str, Any] = {
    **_CPU, "dataset_dir": "data/tau_synth_large", "extra_dataset_dirs": ("data/tau_synth_large_eval",),
    "feat_label_dir": "data/feat_label_large", "synth_folds": (3, 4, 5, 6), "synth_files_per_fold": 80,
    "synth_file_len_s": 60.0, "max_audio_len_s": 60.0, "batch_size": 32, "nb_epochs": 12,
}

TASKS: dict[str, dict[str, Any]] = {
    # The original default: FOA, HNet losses (dMOTP + dMOTA) with the activity head.
    "1": {},
    # The MSE baseline of the paper: fixed-slot targets, no HNet.
    "2": {"use_hnet": False},
    # dMOT losses only, no activity head.
    "3": {"use_dmot_only": True},
    # The original's 4 differed from 1 only in its feature folder; our labels do not depend on use_hnet.
    "4": {},
    # The same three on the microphone array.
    "7": {"dataset": "mic", "use_hnet": False},
    "8": {"dataset": "mic", "use_dmot_only": True},
    "9": {"dataset": "mic"},
    # With the ov2 mixtures of scripts/augment_files.py (written to data/tau_synth_aug) added to training.
    "5": {**_AUG, "use_dmot_only": True},
    "6": {**_AUG},
    "10": {**_AUG, "dataset": "mic", "use_dmot_only": True},
    "11": {**_AUG, "dataset": "mic"},
    # The loss-weight ablation on augmented data: dMOTP alone (12, 14, 16, 18) against dMOTP + dMOTA (13, 15, 17, 19).
    "12": {**_AUG, "use_dmot_only": True, "dMOTA_wt": 0.0, "IDS_wt": 0.0},
    "13": {**_AUG, "use_dmot_only": True},
    "14": {**_AUG, "dMOTA_wt": 0.0, "IDS_wt": 0.0},
    "15": {**_AUG},
    "16": {**_AUG, "dataset": "mic", "use_dmot_only": True, "dMOTA_wt": 0.0, "IDS_wt": 0.0},
    "17": {**_AUG, "dataset": "mic", "use_dmot_only": True},
    "18": {**_AUG, "dataset": "mic", "dMOTA_wt": 0.0, "IDS_wt": 0.0},
    "19": {**_AUG, "dataset": "mic"},
    # The PIT baseline, which the original never measured: the slot order that fits best, per frame.
    "20": {"use_hnet": False, "baseline": "pit"},
    "21": {"dataset": "mic", "use_hnet": False, "baseline": "pit"},
    # --- The comparison at a CPU scale (scripts/run_doanet_experiments.py --protocol cpu) --------------------
    # The same folds, rooms, SNR / RT60 / DRR ranges and ov1 + ov2 mixtures, but 16 files of 30 s per fold
    # (384 training windows) so that the four FOA trainings fit in about 1.5 hours of one CPU core together.
    "30": {**_CPU},  # dMOT + activity (the shipped model)
    "31": {**_CPU, "use_hnet": False},  # MSE
    "32": {**_CPU, "use_hnet": False, "baseline": "pit"},  # PIT
    "33": {**_CPU, "use_dmot_only": True},  # dMOT only
    "34": {**_CPU, "dataset": "mic"},  # the MIC pair, if the budget allows
    "35": {**_CPU, "dataset": "mic", "use_hnet": False},
    # --- The comparison at ten times the CPU scale (issue 19): 80 one-minute files per training fold (3840 windows,
    # 10x the 384 of tasks 30-35), in data/tau_synth_large; the validation and test folds (1, 2) are task 49's
    # 16 one-minute files each, in their own folder, so the training folds can grow without re-rendering them.
    "40": {**_LARGE},  # dMOT + activity
    "41": {**_LARGE, "use_hnet": False},  # MSE
    "42": {**_LARGE, "use_hnet": False, "baseline": "pit"},  # PIT, if a later session has the cores
    "43": {**_LARGE, "dataset": "mic"},  # the MIC-format dMOT + activity, if the budget allows
    # the large protocol's validation and test folds (make_synthetic_tau.py 49 writes them)
    "49": {**_LARGE, "dataset_dir": "data/tau_synth_large_eval", "extra_dataset_dirs": (), "synth_folds": (1, 2),
           "synth_files_per_fold": 16},
    # quick_test: three 6-second files per fold (two ov1, so augmentation has a pair), a few batches.
    "999": {
        "quick_test": True, "synth_files_per_fold": 3, "synth_file_len_s": 6.0, "max_audio_len_s": 6.0,
        "synth_rooms_per_fold": 1, "dataset_dir": "data/tau_synth_quick", "feat_label_dir": "data/feat_label_quick",
        "label_sequence_length": 20, "batch_size": 4, "nb_epochs": 2,
        # a smoke run's models stay out of the real data/models
        "model_dir": "data/models_quick",
    },
}


def get_params(task_id: str | int = "1", **overrides: Any) -> DOAnetParams:
    """The parameters of task ``task_id`` with ``overrides`` on top. Unknown ids or keys: ValueError."""
    return resolve(DOAnetParams(), TASKS, task_id, **overrides)
