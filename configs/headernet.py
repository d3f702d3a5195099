"""Parameters of HeaderNet's sparse dataset builder and of the synthetic SoccerNet games it runs on.

``get_params(task_id, **overrides)`` returns a frozen ``HeaderNetParams``. Task ``1`` is the original's
configuration (``configs/header_default.py`` and its job script); the other tasks hold only what they
change, each with why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from configs.base import resolve

VARIANTS = ("nano", "small", "medium", "large")
SPLITS = ("train", "valid", "test", "challenge")
GAME_LISTS = ("spotting", "spotting-ball")
DETECTORS = ("auto", "heatmap", "rfdetr", "ground-truth")
WINDOW = (-24, -18, -12, -6, -3, 0, 3, 6, 12, 18, 24)


@dataclass(frozen=True)
class HeaderNetParams:
    quick_test: bool = False
    """A smoke run: one short synthetic game, a Nano detector at a small resolution; well under a minute on a CPU."""

    # --- inputs -----------------------------------------------------------------------------------
    dataset_path: str = "data/soccernet_synth"
    """Root of the games (league/season/match/1_224p.mkv), the real SoccerNet or our synthetic one."""
    split: str = ""
    """A SoccerNet split (train, valid, test, challenge): only the games of that split (SoccerNet.utils.getListGames)
    under dataset_path are built, and those missing on disk are listed. Empty: every game found."""
    split_list: str = "spotting"
    """Which SoccerNet game list split selects from: 'spotting' (the 500 SoccerNet-v2 games) or 'spotting-ball'."""
    header_dataset: str = ""
    """Root of the annotations: Labels-ball.json files and/or per-match frame tables. Empty: dataset_path."""
    video_quality: str = "224p"
    """Which SoccerNet video of a half to read: '224p' (398x224) or '720p' (1280x720), both 25 fps."""
    label_file: str = "Labels-ball.json"
    """Name of the SoccerNet label files (Labels-v2.json has the same schema)."""
    label_name: str = "HEADER"
    """The label of a positive in the label files (SoccerNet ball action spotting 2024 writes HEADER)."""
    fps: float = 25.0
    """Frame rate used to turn label positions (ms) into frame indices; SoccerNet 224p/720p are 25 fps."""

    # --- sampling ---------------------------------------------------------------------------------
    negative_ratio: float = 3.0
    guard_frames: int = 10
    """No negative lies within this many frames of a header."""
    window: tuple[int, ...] = WINDOW
    """Frame offsets of a sample around its centre frame (the original's 11 non-uniform offsets)."""
    neighbour_offset: int = 2
    """The temporal channels of a crop are grayscale frames t - this, t, t + this."""
    seed: int = 42

    # --- decoding ---------------------------------------------------------------------------------
    decoder: str = "opencv"
    """'opencv' (grab forward, index from POS_MSEC) or 'pyav' (frame index from each frame's timestamp).
    Both are verified frame by frame in the tests and the benchmark; OpenCV decodes the sparse plan 1.5x
    faster there (5.5x the original's seek-per-frame pattern against PyAV's 3.7x)."""
    seek_gap: int = 50
    """Seek only when the next needed frame is more than this many frames ahead; otherwise decode forward."""
    min_decode_rate: float = 0.5
    """A half that decodes fewer than this fraction of its requested frames is listed in failed_videos.csv."""

    # --- detector ---------------------------------------------------------------------------------
    detector: str = "auto"
    """'heatmap' (the small heatmap network of headernet/heatmap.py, weights heatmap_checkpoint or weights),
    'rfdetr' (RF-DETR with weights), 'ground-truth' (the boxes of a synthetic game's ground-truth sidecar, refused
    on real data; every output then says so), or 'auto': rfdetr when weights is given, else heatmap when
    heatmap_checkpoint exists (the shipped one), else a random-init rfdetr (plumbing only)."""
    heatmap_checkpoint: str = "data/pretrained/ball_detector.pt"
    """The heatmap detector's weights (scripts/train_ball_detector.py); weights, when given, takes its place."""
    variant: str = "medium"
    """RF-DETR size: nano, small, medium or large (the original ran the COCO Medium)."""
    weights: str = ""
    """The detector's model file (--checkpoint): a local RF-DETR checkpoint (empty: random initialisation, offline,
    detects nothing useful), or with detector 'heatmap' a heatmap checkpoint."""
    detector_resolution: int = 0
    """Square input size of the detector (a multiple of 32); 0 keeps the variant's own (Nano 384 ... Large 704)."""
    device: str = "auto"
    batch_size: int = 4
    optimize: bool = False
    """Run rfdetr's inference(...) export (fp16 on CUDA) before predicting."""
    optimize_compile: bool = False
    """With optimize: also trace the model for a fixed batch of batch_size (the last batch is padded)."""
    confidence_threshold: float = 0.25
    topk: int = 15
    """Detections kept per frame and class group (ball, players), highest confidence first."""

    # --- ball track and crops ---------------------------------------------------------------------
    kalman_max_gap: int = 5
    """The constant-velocity Kalman filter fills frames at most this far after a detection; it resets beyond."""
    kalman_process_var: float = 5.0
    kalman_meas_var: float = 25.0
    crop_scale_factor: float = 4.5
    """A crop is this many ball sizes wide (at least output_size source pixels)."""
    output_size: int = 256
    low_res_output_size: int = 64
    low_res_max_dim: int = 512
    """Videos whose larger side is at most this get low_res_output_size crops (SoccerNet 224p: 64x64)."""
    max_missing_fraction: float = 0.5
    """A sample is skipped when at least this fraction of its window frames cannot be decoded."""

    # --- outputs ----------------------------------------------------------------------------------
    output_dir: str = "data/header_cache"
    output_name: str = "train_cache_header.csv"

    # --- synthetic SoccerNet games ----------------------------------------------------------------
    synth_dir: str = "data/soccernet_synth"
    synth_games: int = 2
    synth_split: str = "train"
    """The synthetic games are rendered under the paths of real SoccerNet games of this split, so --split selects them."""
    synth_half_s: float = 180.0
    """Length of each half in seconds (a real half is 45 min; the builder does not care)."""
    synth_qualities: tuple[str, ...] = ("224p",)
    """Videos rendered per half: '224p' and/or '720p'."""
    synth_players: int = 8
    """Players per team."""
    synth_event_gap_s: tuple[float, float] = (1.2, 3.0)
    """Range of times between two ball actions."""
    synth_header_fraction: float = 0.25
    """Fraction of ball actions that are headers (at least one per half)."""
    synth_gop: int = 250
    """Keyframe interval of the H.264 videos (x264's default, as broadcast-style files have)."""
    synth_crf: int = 20
    """x264's quality: higher is stronger compression (broadcast-like blocking from about 28)."""
    synth_seed: int = 0
    synth_ball_px: tuple[float, float] = (2.0, 3.0)
    """Ball diameter range in 224p pixels at the camera's widest (a half draws one); the zoom (1.15-2.6) makes
    it 2.3-7.8 px in the frame, broadcast size. The old easy look: (6.0, 6.0)."""
    synth_motion_blur: bool = True
    """A fast ball is smeared along its image velocity over half a frame's exposure."""
    synth_occlusion: bool = True
    """Players nearer the camera hide the ball; a ball in the air casts a faint shadow."""
    synth_distractors: bool = True
    """White socks and boots on everyone, a white away kit in half the halves, penalty boxes and spots,
    grass texture, a speckled crowd with white shirts, sensor noise."""
    synth_camera: bool = True
    """A broadcast camera: pans and zooms with the ball, cuts between shots, close-ups on a player (the ball
    often out of the frame). Off: the whole pitch, fixed."""

    def validate(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, got {self.variant!r}")
        if self.video_quality not in ("224p", "720p"):
            raise ValueError(f"video_quality must be '224p' or '720p', got {self.video_quality!r}")
        if any(q not in ("224p", "720p") for q in self.synth_qualities) or not self.synth_qualities:
            raise ValueError(f"synth_qualities must hold '224p' and/or '720p', got {self.synth_qualities}")
        if self.decoder not in ("pyav", "opencv"):
            raise ValueError(f"decoder must be 'pyav' or 'opencv', got {self.decoder!r}")
        if not self.window or 0 not in self.window or len(set(self.window)) != len(self.window):
            raise ValueError(f"window must be distinct offsets including 0, got {self.window}")
        if self.negative_ratio < 0 or self.guard_frames < 0 or self.neighbour_offset < 0:
            raise ValueError("negative_ratio, guard_frames and neighbour_offset must be >= 0")
        if self.batch_size < 1 or self.topk < 1 or self.seek_gap < 0:
            raise ValueError("batch_size and topk must be >= 1, seek_gap >= 0")
        if self.detector_resolution % 32:
            raise ValueError(f"detector_resolution must be a multiple of 32 (or 0), got {self.detector_resolution}")
        if not 0.0 <= self.confidence_threshold <= 1.0:
            raise ValueError(f"confidence_threshold must be in [0, 1], got {self.confidence_threshold}")
        if self.crop_scale_factor <= 0 or self.fps <= 0:
            raise ValueError("crop_scale_factor and fps must be > 0")
        if not self.output_name.endswith(".csv") or "/" in self.output_name:
            raise ValueError(f"output_name must be a bare file name ending in .csv, got {self.output_name!r}")
        if self.split and self.split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS} (or empty: all games), got {self.split!r}")
        if self.split_list not in GAME_LISTS:
            raise ValueError(f"split_list must be one of {GAME_LISTS}, got {self.split_list!r}")
        if self.synth_split not in SPLITS:
            raise ValueError(f"synth_split must be one of {SPLITS}, got {self.synth_split!r}")
        if self.detector not in DETECTORS:
            raise ValueError(f"detector must be one of {DETECTORS}, got {self.detector!r}")
        if self.synth_games < 1 or self.synth_half_s < 4.0 or self.synth_players < 2:
            raise ValueError("synth_games >= 1, synth_half_s >= 4 and synth_players >= 2 are needed")
        if not 0 < self.synth_ball_px[0] <= self.synth_ball_px[1]:
            raise ValueError(f"synth_ball_px must be (lo, hi) with 0 < lo <= hi, got {self.synth_ball_px}")
        if not 0 <= self.synth_crf <= 51:
            raise ValueError(f"synth_crf must be in 0..51 (x264), got {self.synth_crf}")
        lo, hi = self.synth_event_gap_s
        if not 0.4 <= lo <= hi:
            raise ValueError(f"synth_event_gap_s must be (lo, hi) with 0.4 <= lo <= hi, got {self.synth_event_gap_s}")

    @property
    def labels_root(self) -> str:
        return self.header_dataset or self.dataset_path


EASY_SYNTH: dict[str, Any] = {"synth_ball_px": (6.0, 6.0), "synth_motion_blur": False, "synth_occlusion": False,
                              "synth_distractors": False, "synth_camera": False}
"""The synthetic games' old easy look: a 6 px ball, always visible, no distractors, the whole pitch from a fixed
camera (the plumbing tests use it: crops and boxes there have exact answers)."""

TASKS: dict[str, dict[str, Any]] = {
    # The original's configuration: window -24..24 (11 offsets), ratio 3, guard 10, seed 42, crops 4.5x the
    # ball, 256 px (64 px at 224p), confidence 0.25, batch 4, top-15, on 224p SoccerNet video.
    "1": {},
    # The 720p videos: 1280x720 frames give 256 px crops and a ball of ~10 px instead of ~3.
    "2": {"video_quality": "720p", "synth_qualities": ("224p", "720p"), "output_dir": "data/header_cache_720p"},
    # A larger synthetic set for benchmarks: four games of 3-minute halves.
    "3": {"synth_games": 4, "synth_dir": "data/soccernet_synth_bench", "dataset_path": "data/soccernet_synth_bench",
          "output_dir": "data/header_cache_bench"},
    # The old easy games (EASY_SYNTH), to see what the hard look costs a detector or the classifier.
    "4": {**EASY_SYNTH, "synth_dir": "data/soccernet_synth_easy", "dataset_path": "data/soccernet_synth_easy",
          "output_dir": "data/header_cache_easy"},
    # quick_test: one game of 12-second halves, the smallest detector at a small input size.
    "999": {
        "quick_test": True, "synth_games": 1, "synth_half_s": 12.0, "synth_players": 5,
        "synth_dir": "data/soccernet_synth_quick", "dataset_path": "data/soccernet_synth_quick",
        "output_dir": "data/header_cache_quick", "variant": "nano", "detector_resolution": 128,
    },
}


def get_params(task_id: str | int = "1", **overrides: Any) -> HeaderNetParams:
    """The parameters of task ``task_id`` with ``overrides`` on top. Unknown ids or keys: ValueError."""
    return resolve(HeaderNetParams(), TASKS, task_id, **overrides)


def synth_games_params(trainer: Any, split: str, **extra: Any) -> HeaderNetParams:
    """The HeaderNetParams that render a trainer's synthetic games of ``split``: its ``synth_dir``,
    ``synth_half_s``, ``synth_players`` and ``synth_seed`` (and ``extra``) over task 1's default, hard look."""
    return get_params("1", synth_dir=trainer.synth_dir, synth_half_s=trainer.synth_half_s,
                      synth_players=trainer.synth_players, synth_seed=trainer.synth_seed, synth_split=split, **extra)


# --- the ball detector trained on the synthetic games (scripts/train_ball_detector.py) -------------------


@dataclass(frozen=True)
class BallDetectorParams:
    quick_test: bool = False
    """A smoke run: one tiny game, a few frames at 64 px, two optimizer steps."""

    # --- data: synthetic games under SoccerNet paths, their frames as a COCO export --------------------
    synth_dir: str = "data/soccernet_synth_detector"
    train_games: int = 4
    """Synthetic games of the SoccerNet train split whose frames are the training set."""
    held_out_games: int = 1
    """Synthetic games of the valid split: the first one's first half is the held-out evaluation."""
    synth_half_s: float = 180.0
    synth_players: int = 8
    synth_seed: int = 11
    frame_stride: int = 15
    """Every this-many-th frame of each training half goes into the COCO export (neighbours are near copies)."""
    coco_dir: str = "data/ball_coco"

    # --- model and optimisation -------------------------------------------------------------------------
    variant: str = "nano"
    resolution: int = 384
    """Detector input size: Nano's own, which is what the builder runs it at (detector_resolution 0)."""
    device: str = "auto"
    batch_size: int = 2
    lr: float = 1e-4
    lr_encoder: float = 1.5e-4
    weight_decay: float = 1e-4
    use_ema: bool = False
    """rfdetr's EMA of the weights; off: at a few hundred steps it lags far behind the live weights."""
    seed: int = 0

    # --- evaluation and stopping ------------------------------------------------------------------------
    eval_frames: int = 60
    eval_stride: int = 73
    """Held-out frames: every this-many-th frame of the first half of the first valid game, at most eval_frames."""
    eval_batch: int = 4
    eval_every_s: float = 300.0
    """Seconds of wall time between two curve points (each one also checkpoints)."""
    confidence_threshold: float = 0.25
    """A ball box counts when its confidence reaches this (the builder's threshold)."""
    goal_recall: float = 0.9
    budget_s: float = 2700.0
    """Total wall time of the run over all its sessions; training stops at the first step past it."""
    max_steps: int = 0
    """Stop after this many optimizer steps in all (0: no limit)."""
    run_root: str = "data/runs/headernet"

    def validate(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, got {self.variant!r}")
        if self.resolution <= 0 or self.resolution % 32:
            raise ValueError(f"resolution must be a positive multiple of 32, got {self.resolution}")
        if self.train_games < 1 or self.held_out_games < 1 or self.frame_stride < 1 or self.eval_stride < 1:
            raise ValueError("train_games, held_out_games, frame_stride and eval_stride must be >= 1")
        if self.batch_size < 1 or self.eval_frames < 1 or self.eval_batch < 1 or self.max_steps < 0:
            raise ValueError("batch_size, eval_frames and eval_batch must be >= 1, max_steps >= 0")
        if self.budget_s <= 0 or self.eval_every_s <= 0:
            raise ValueError("budget_s and eval_every_s must be > 0")

    def synth_params(self, split: str) -> HeaderNetParams:
        """The HeaderNetParams that render this run's synthetic games of ``split``."""
        return synth_games_params(self, split)


BALL_TASKS: dict[str, dict[str, Any]] = {
    # RF-DETR Nano at 384 px on 4 synthetic games of 3-minute halves, 45 minutes of one CPU thread.
    "1": {},
    # quick_test: one game of 12-second halves, 4 training frames at 64 px, two optimizer steps.
    "999": {"quick_test": True, "synth_dir": "data/soccernet_synth_detector_quick", "coco_dir": "data/ball_coco_quick",
            "train_games": 1, "synth_half_s": 12.0, "synth_players": 3, "frame_stride": 75, "resolution": 64,
            "batch_size": 2, "eval_frames": 2, "eval_stride": 100, "eval_every_s": 3600.0, "max_steps": 2},
}


def get_ball_params(task_id: str | int = "1", **overrides: Any) -> BallDetectorParams:
    """The ball detector training parameters of task ``task_id`` with ``overrides``; unknown ids or keys: ValueError."""
    return resolve(BallDetectorParams(), BALL_TASKS, task_id, **overrides)


# --- the heatmap ball detector (headernet/heatmap.py, scripts/train_ball_detector.py) ----------------------


@dataclass(frozen=True)
class HeatmapParams:
    quick_test: bool = False
    """A smoke run: one short game, a few optimizer steps."""

    # --- data: hard synthetic games (the default look), decoded as the builder decodes them -------------
    synth_dir: str = "data/soccernet_synth_heatmap"
    train_games: int = 6
    """Games of the SoccerNet train split whose frames train the detector."""
    valid_games: int = 2
    """Games of the valid split: model selection and the score threshold (never the evaluation's test games)."""
    synth_half_s: float = 60.0
    synth_players: int = 8
    synth_seed: int = 21
    synth_crf: int = 20
    frame_stride: int = 3
    """Every this-many-th frame of each training half is decoded into memory (neighbours are near copies)."""
    valid_stride: int = 5
    mot_root: str = ""
    """Real labels instead: SoccerNet-Tracking's folder (``<mot_root>/{train,test}/SNMOT-*/`` in MOT format,
    headernet/mot.py). Its train sequences (every frame_stride-th frame) train the detector, its test sequences
    (every valid_stride-th) choose the epoch and threshold; no synthetic game is rendered."""

    # --- model and optimisation -------------------------------------------------------------------------
    channels: tuple[int, int, int] = (16, 32, 64)
    crop: int = 96
    """Training crops are crop x crop pixels of 224p frames (the network is fully convolutional)."""
    ball_crop_fraction: float = 0.6
    """Share of crops placed over a visible ball; the others anywhere (mostly no ball: socks, lines, crowd)."""
    batch_size: int = 32
    lr: float = 2e-3
    warmup_steps: int = 200
    weight_decay: float = 1e-4
    steps: int = 6000
    heat_sigma_cells: float = 0.8
    """Std of the Gaussian around the ball's cell in the target heatmap (cells of 2 px)."""
    offset_weight: float = 1.0
    device: str = "auto"
    seed: int = 0

    # --- evaluation and stopping ------------------------------------------------------------------------
    eval_every: int = 500
    budget_s: float = 1800.0
    """Wall time of the run over all its sessions; training stops at the first step past it (the issue's 30 min)."""
    run_root: str = "data/runs/headernet"

    def validate(self) -> None:
        if self.train_games < 1 or self.valid_games < 1 or self.frame_stride < 1 or self.valid_stride < 1:
            raise ValueError("train_games, valid_games, frame_stride and valid_stride must be >= 1")
        if self.crop < 16 or self.crop % 8:
            raise ValueError(f"crop must be a multiple of 8 and >= 16, got {self.crop}")
        if not 0.0 <= self.ball_crop_fraction <= 1.0:
            raise ValueError(f"ball_crop_fraction must be in [0, 1], got {self.ball_crop_fraction}")
        if self.batch_size < 1 or self.steps < 1 or self.eval_every < 1 or self.lr <= 0 or self.budget_s <= 0:
            raise ValueError("batch_size, steps, eval_every, lr and budget_s must be > 0")
        if len(self.channels) != 3 or min(self.channels) < 1:
            raise ValueError(f"channels must be three positive widths, got {self.channels}")

    def synth_params(self, split: str) -> HeaderNetParams:
        """The HeaderNetParams that render this run's games of ``split`` (the default, hard look)."""
        return synth_games_params(self, split, synth_crf=self.synth_crf)


HEATMAP_TASKS: dict[str, dict[str, Any]] = {
    # The shipped detector: 6 training games of 1-minute halves (6,000 frames), 30 minutes of one CPU thread.
    "1": {},
    # quick_test: one game of 12-second halves, 8 optimizer steps of 4 crops.
    "999": {"quick_test": True, "synth_dir": "data/soccernet_synth_heatmap_quick", "train_games": 1, "valid_games": 1,
            "synth_half_s": 12.0, "synth_players": 4, "frame_stride": 10, "valid_stride": 20, "batch_size": 4,
            "steps": 8, "eval_every": 4, "warmup_steps": 2},
}


def get_heatmap_params(task_id: str | int = "1", **overrides: Any) -> HeatmapParams:
    """The heatmap detector's training parameters of task ``task_id`` with ``overrides``; unknown ids or keys: ValueError."""
    return resolve(HeatmapParams(), HEATMAP_TASKS, task_id, **overrides)


# --- the header classifier over built samples (headernet/classifier.py, scripts/train_header_classifier.py) ----


@dataclass(frozen=True)
class ClassifierParams:
    quick_test: bool = False
    """A smoke run: one short game per split, one epoch."""

    # --- data: hard synthetic games, built into caches by the builder with the shipped ball detector ---------
    synth_dir: str = "data/soccernet_synth_classifier"
    """Games of all three splits under one root (each named after games of its SoccerNet split)."""
    cache_dir: str = "data/header_cache_classifier"
    """The builder's caches, one folder per split: <cache_dir>/{train,valid,test}/."""
    train_games: int = 16
    valid_games: int = 4
    """Validation games: the epoch kept and the decision threshold (never the test games)."""
    test_games: int = 4
    synth_half_s: float = 90.0
    synth_players: int = 8
    synth_seed: int = 31
    """Not the ball detector's seeds (21 for its training games, 100 for its evaluation game)."""
    detector: str = "auto"
    """The builder's detector (HeaderNetParams.detector): 'auto' is the shipped heatmap network."""

    # --- model and optimisation -------------------------------------------------------------------------------
    channels: tuple[int, int, int, int] = (8, 16, 32, 64)
    """Widths of the per-frame CNN's four 3x3 conv blocks (each but the last halves the crop)."""
    embed: int = 64
    """Per-window-frame embedding fed to the temporal convolutions."""
    dropout: float = 0.3
    batch_size: int = 32
    lr: float = 2e-3
    weight_decay: float = 1e-3
    warmup_epochs: int = 1
    epochs: int = 30
    augment: bool = True
    """Left-right flips and shifts of up to 4 px (the same for all frames of a sample)."""
    device: str = "auto"
    seed: int = 0
    budget_s: float = 1800.0
    """Wall time of the training over all its sessions; it stops after the first epoch past it."""
    run_root: str = "data/runs/headernet"

    def validate(self) -> None:
        if min(self.train_games, self.valid_games, self.test_games) < 1:
            raise ValueError("train_games, valid_games and test_games must be >= 1")
        if len(self.channels) != 4 or min(self.channels) < 1 or self.embed < 1:
            raise ValueError(f"channels must be four positive widths and embed >= 1, got {self.channels}, {self.embed}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.batch_size < 1 or self.epochs < 1 or self.lr <= 0 or self.budget_s <= 0 or self.warmup_epochs < 0:
            raise ValueError("batch_size, epochs, lr and budget_s must be > 0, warmup_epochs >= 0")
        if self.detector not in DETECTORS:
            raise ValueError(f"detector must be one of {DETECTORS}, got {self.detector!r}")

    def synth_params(self, split: str) -> HeaderNetParams:
        """The HeaderNetParams that render this run's games of ``split`` (the default, hard look)."""
        return synth_games_params(self, split)

    def build_params(self, split: str) -> HeaderNetParams:
        """The builder's HeaderNetParams for ``split``: its games under synth_dir into <cache_dir>/<split>."""
        return get_params("1", dataset_path=self.synth_dir, split=split, output_dir=f"{self.cache_dir}/{split}",
                          detector=self.detector, device="cpu" if self.device == "auto" else self.device)


CLASSIFIER_TASKS: dict[str, dict[str, Any]] = {
    # The shipped classifier: 16 / 4 / 4 games of 90-second halves (about 30 headers and 90 negatives a game).
    "1": {},
    # quick_test: one game of 12-second halves per split, one epoch of small batches.
    "999": {"quick_test": True, "synth_dir": "data/soccernet_synth_classifier_quick",
            "cache_dir": "data/header_cache_classifier_quick", "train_games": 1, "valid_games": 1, "test_games": 1,
            "synth_half_s": 12.0, "synth_players": 4, "epochs": 1, "batch_size": 8, "warmup_epochs": 0},
}


def get_classifier_params(task_id: str | int = "1", **overrides: Any) -> ClassifierParams:
    """The header classifier's parameters of task ``task_id`` with ``overrides``; unknown ids or keys: ValueError."""
    return resolve(ClassifierParams(), CLASSIFIER_TASKS, task_id, **overrides)
