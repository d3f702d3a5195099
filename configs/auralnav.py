"""Parameters of the AuralNav environment: room, agent, sources, audio, rewards and evaluation.

``get_params(task_id, **overrides)`` returns a frozen ``AuralNavParams``. Task ``1`` is the original
OtoWorld set-up (``experiment1.py``: an 8 x 8 m room, a phone and a siren, step 0.5 m, radius 1 m,
fully absorbing walls, 1000 steps); the other tasks hold only what they change, each with why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from configs.base import resolve

SOURCE_KINDS = ("phone", "siren", "horn", "babble", "music")
"""The synthesised sources of ``auralnav.sources.synthesize``."""


@dataclass(frozen=True)
class AuralNavParams:
    quick_test: bool = False
    """A smoke run: a small room, short windows, few steps and episodes; well under a minute on a CPU."""

    # --- room -----------------------------------------------------------------------------------------
    room_dim: tuple[float, ...] = (8.0, 8.0)
    """Shoebox size in metres: (x, y) is a 2-D room, (x, y, z) a 3-D one. Ignored when room_corners is set."""
    room_corners: tuple[tuple[float, float], ...] = ()
    """Floor plan of a convex polygon room as (x, y) corners (either orientation); () means the shoebox room_dim."""
    room_height: float = 0.0
    """Height of a polygon room (extruded to 3-D); 0 keeps it 2-D. A 3-D shoebox is room_dim=(x, y, z)."""
    room_side_range: tuple[float, ...] = ()
    """(lo, hi) metres: every episode draws each side of a 2-D shoebox uniformly from this range (room_dim is
    then unused); () keeps room_dim. With pose_frame 'room' the agent's pose is scaled by the largest room of the range."""
    absorption_range: tuple[float, ...] = ()
    """(lo, hi): every episode draws the walls' energy absorption uniformly from this range; () keeps absorption."""
    absorption: float = 1.0
    """Energy absorption of the walls in [0, 1] (pra.Material). 1.0 is anechoic: the original's legacy
    ``absorption=1.0`` (an amplitude coefficient) maps to energy 1 - (1 - 1)^2 = 1."""
    max_order: int = 10
    """Image-source order (the original's 10). With absorption 1.0 every image is silent, so order 0 is
    simulated: the same signals, less work."""
    mic_height: float = 1.5
    """Height of the microphones in a 3-D room."""
    source_height: float = 1.5
    """Height of the sources in a 3-D room."""

    # --- agent ----------------------------------------------------------------------------------------
    mic_spacing: float = 0.15
    """Distance between the two microphones (the original's DIST_BTWN_EARS), across the heading (ears)."""
    wall_margin: float = 0.1
    """Smallest distance between a microphone and a wall; a move that would break it leaves the agent in place."""
    step_size: float = 0.5
    """Metres per forward / backward step."""
    turn_deg: float = 30.0
    """Degrees per turn left / right."""
    acceptable_radius: float = 1.0
    """A source within this distance of the agent's centre after a step is found and switched off."""
    agent_start: tuple[float, ...] = ()
    """Fixed start (x, y) or (x, y, heading_deg); () draws it each episode."""

    # --- sources --------------------------------------------------------------------------------------
    num_sources: int = 2
    sources: tuple[str, ...] = ("phone", "siren")
    """Pool of synthesised kinds (see SOURCE_KINDS) drawn without replacement for each episode (with
    replacement when the pool is smaller than num_sources); each episode draws a new variant of each."""
    source_dir: str = ""
    """A folder of the user's .wav files to use instead of synthesised sources (resampled, normalised)."""
    source_positions: tuple[tuple[float, float], ...] = ()
    """Fixed source positions (x, y), one per source; () draws them each episode."""
    source_separation: float = 1.0
    """Least distance between two sources (the original's 2 x step_size)."""
    start_distance: float = 2.0
    """Least distance between the agent's start and any source (the original's 2 x acceptable_radius)."""
    source_wall_margin: float = 0.5
    """Least distance between a source and a wall (at least the agent's, so every source can be reached)."""
    clip_s: float = 4.0
    """Length of a synthesised source; sources loop, so the agent hears a continuing sound."""
    source_level_db: float = -20.0
    """RMS level of every source signal in dB full scale (loudness normalisation)."""

    # --- audio ----------------------------------------------------------------------------------------
    fs: int = 16000
    """Sample rate of sources and microphones (the original: 8000)."""
    window_s: float = 1.0
    """Audio heard per step; only this window is simulated (the original simulated the whole clip)."""
    noise_db: float | None = None
    """White sensor noise at each microphone in dB full scale (std); None: no noise."""

    # --- rewards --------------------------------------------------------------------------------------
    step_penalty: float = -0.5
    turn_penalty: float = -0.1
    """Added to step_penalty on a turn."""
    found_reward: float = 100.0
    """Per source found."""
    dense_reward: bool = False
    """Add the original's closeness term 1 / (distance to the nearest source + 1e-4) on steps that find
    nothing. The original's experiments used it; it pays ~+0.5 per step for hovering just outside
    acceptable_radius, more than finding the sources over a long episode, so it is off by default."""

    # --- episodes and evaluation ----------------------------------------------------------------------
    max_episode_steps: int = 1000
    """Truncation (the original agent's max_steps)."""
    eval_episodes: int = 20
    eval_seed: int = 0
    run_dir: str = "data/runs/auralnav"

    # --- separator (auralnav/separation.py): DPRNNTasNet arguments -------------------------------------
    sep_n_filters: int = 64
    sep_kernel_size: int = 16
    sep_stride: int = 8
    sep_bn_chan: int = 128
    sep_hid_size: int = 128
    sep_chunk_size: int = 100
    sep_n_repeats: int = 6
    """The defaults are asteroid's (3.65 M parameters; about 2 s per 2-s forward on one CPU thread, 21 ms on an H100)."""
    separator_checkpoint: str = ""
    """The pretrained separator (scripts/pretrain_separator.py) the agent hears through, frozen (its cues are
    computed once per observation and cached in the replay); "" uses random weights (smoke tests only)."""
    pretrain_steps: int = 3000
    pretrain_batch_size: int = 8
    pretrain_lr: float = 1e-3
    pretrain_eval_mixtures: int = 64
    """Held-out mixtures (seeded, never drawn for training) on which SI-SDR improvement is reported."""

    # --- what the agent hears (auralnav/cues.py, auralnav/features.py) ----------------------------------
    cue_source: str = "separator"
    """Whose estimate of the sources the cues are taken from: 'separator' (the frozen pretrained separator of
    separator_checkpoint: the data flow), 'images' (each source's true image: ideal separation, the upper
    bound), 'mixture' (no separation: one 'source', the downmix)."""
    itd_method: str = "lsq"
    """'lsq': an energy-weighted least-squares fit of the phase slope over the non-aliased bins; 'gcc_phat'.
    Why: the previous cue (IPD x 1/f averaged with ratio masks) was dominated by low-energy bins and
    correlated at 0.56 with the source's direction, the fit at 0.94 (tests/auralnav/test_cues.py)."""
    memory: bool = True
    """Add the previous step's cues, action, direction of the last move and a wall-bump flag to the state.
    Why: one window cannot tell front from back, and a memoryless greedy policy loops against walls
    (README ablation: without memory greedy success 0.45 against 0.975)."""
    history_steps: int = 0
    """With memory: also the H steps before the previous one (their cues, actions and poses) in the state; 0
    keeps one step. Why try it: one step of memory is the shipped agents' limit on relating cues heard at
    several poses (docs/auralnav.md, toward the steps goal)."""
    q_sequence_steps: int = 0
    """0: the Q-network is an MLP over one state. K > 0: a GRU reads the last K states (oldest first; at an
    episode's start its first state repeated) and Q comes from its last output with the current state
    beside it: a recurrent Q-network over a fixed window (DRQN-style, without stored hidden states). Why try
    it: stacking older steps into the MLP's input (history_steps) made it worse, and one step of memory is
    what limits relating cues heard at several poses (docs/auralnav.md, toward the steps goal)."""
    pose_frame: str = "room"
    """Where the agent's position in its state is measured from: 'room' (x, y over the largest room's
    bounding box, scaled to [-1, 1]) or 'odometry' (the displacement from the episode's start, per
    ODOMETRY_SCALE_M metres, clipped to [-2, 2]: what a robot's wheel odometry gives). Why 'odometry': room
    coordinates leave their training range in a larger room (task 13 at 14 m), a displacement does not."""
    stft_n_fft: int = 512
    stft_hop: int = 128

    # --- reference agents (auralnav/agents.py) --------------------------------------------------------
    handcoded_itd_threshold: float = 0.35
    """The hand-coded agent turns toward the loudest source while |ITD| exceeds this (units of the largest delay)."""
    handcoded_drop_db: float = 3.0
    """... and reverses after a move that made the source this many dB quieter (it was behind)."""

    # --- Q-network (auralnav/dqn.py) ------------------------------------------------------------------
    dqn_hidden: int = 128

    # --- DQN training (auralnav/train.py) -------------------------------------------------------------
    num_envs: int = 4
    """Environments stepped together; each round adds num_envs transitions (one batched separator pass)."""
    total_steps: int = 50_000
    """Transitions to collect in all."""
    gamma: float = 0.98
    lr: float = 5e-4
    lr_schedule: str = "constant"
    """'constant' or 'cosine' (from lr down to lr_min_ratio x lr at total_steps; common.schedules). Why try
    it: the greedy policy's steps move by about 10 between validations 5,000 transitions apart at a constant
    rate (docs/auralnav.md, toward the steps goal)."""
    lr_min_ratio: float = 0.05
    batch_size: int = 64
    replay_capacity: int = 50_000
    learning_starts: int = 1000
    updates_per_step: int = 4
    """Gradient steps per round of num_envs transitions (with cached features an update is an MLP step)."""
    target_sync_steps: int = 500
    """Copy the online network to the target network every this many transitions (global, not per episode)."""
    epsilon_start: float = 1.0
    epsilon_end: float = 0.05
    epsilon_decay_steps: float = 10_000.0
    """Transitions over which exploration falls linearly from epsilon_start to epsilon_end."""
    td_loss: str = "huber"
    """'huber' or 'mse'."""
    grad_clip: float = 10.0
    policy_ema: float = 0.0
    """0: validation and best.pt use the online Q-network. In (0, 1): they use an exponential moving average of
    its weights, ema <- policy_ema x ema + (1 - policy_ema) x online after every update. Why try it: the greedy
    policy's steps move by about 10 between validations 5,000 transitions apart (docs/auralnav.md, toward the
    steps goal), and an average of the weights is a smoother policy than any one snapshot."""
    reward_scale: float = 0.01
    """Multiplies the environment's rewards before learning: +100 per source becomes 1. Why: with Huber's
    delta of 1 the raw rewards put every large TD error in the linear (L1) regime. Measured: no difference
    at this scale (README ablation, within the noise of 40 episodes); kept for unit-range targets."""
    double_dqn: bool = True
    """Bootstrap with the target network's value of the online network's best next action (van Hasselt
    et al. 2016). Why: max over a noisy target overestimates, most where the cues are ambiguous. Measured:
    no gain at this scale (plain DQN 1.00 / 25.6 steps against 0.975 / 28.4, README ablation)."""
    n_step: int = 3
    """n-step returns. Why: a reward (a found source or the shaping) reaches the choices that led to it
    n times faster than with one-step targets. Measured: 1-step 1.00 / 31.7 steps against 0.975 / 28.4
    (README ablation): within the noise."""
    shaping_per_m: float = 0.1
    """Potential-based shaping F = gamma Phi(s') - Phi(s), Phi = -shaping_per_m x (true distance to the
    nearest unfound source), 0 at the terminal state, in scaled reward units; 0 turns it off. It leaves the
    optimal policy unchanged (Ng et al. 1999) and only the learner's reward sees it: the agent never sees
    positions. Why: with sparse rewards about 2 per 1000 transitions reach the learner early on.
    Measured: without it 32.6 steps against 28.4 at the same success (README ablation)."""
    demonstrator: str = "oracle"
    """Who acts in the first demo_envs environments during the first demo_steps transitions: 'oracle' (walks
    to the nearest source knowing the positions; only its actions reach the learner, never the positions),
    'handcoded' (the cue follower) or 'none'. Why: demonstrations fill the replay with successful episodes
    from the start; the oracle's show the short way, which the hand-coded agent's do not (README ablation:
    none 0.65 / 67.4 steps, hand-coded 0.975 / 41.1, oracle 0.975 / 28.4)."""
    demo_envs: int = 1
    demo_steps: int = 10_000
    margin_weight: float = 1.0
    """Weight of DQfD's large-margin loss on demonstrated transitions (Hester et al. 2018); 0 turns it off.
    Why: TD alone learns the demonstrated actions' values but not to prefer them over unvisited ones
    (README ablation: without it success 0.75 and 73.5 steps against 0.975 and 28.4)."""
    margin: float = 0.05
    """The margin by which a demonstrated action's Q-value should lead the others (scaled reward units)."""
    log_every: int = 1000
    validation_every: int = 5000
    validation_episodes: int = 20
    validation_seed: int = 10_000
    """Validation rooms are seeded from here, apart from the evaluation seeds (eval_seed); training rooms
    from 10^6 x (1 + train_seed) on."""
    train_seed: int = 0

    # --- derived --------------------------------------------------------------------------------------
    @property
    def window(self) -> int:
        """Samples per observation window, N."""
        return round(self.window_s * self.fs)

    @property
    def is_3d(self) -> bool:
        return len(self.room_dim) == 3 if not self.room_corners else self.room_height > 0

    def episode_room(self, rng) -> AuralNavParams:
        """These parameters with one episode's room drawn from room_side_range and absorption_range
        (``rng``: a numpy Generator); themselves when neither is set (and then rng is not used)."""
        changes: dict[str, Any] = {}
        if self.room_side_range:
            changes["room_dim"] = tuple(float(v) for v in rng.uniform(*self.room_side_range, size=2))
            changes["room_side_range"] = ()
        if self.absorption_range:
            changes["absorption"] = float(rng.uniform(*self.absorption_range))
            changes["absorption_range"] = ()
        return replace(self, **changes) if changes else self

    @property
    def largest_room(self) -> AuralNavParams:
        """These parameters with the largest room of room_side_range (the bounds of every pose an episode can have)."""
        if not self.room_side_range:
            return self
        return replace(self, room_dim=(self.room_side_range[1],) * 2, room_side_range=())

    @property
    def agent_clearance(self) -> float:
        """Least distance from the agent's centre to a wall: half the spacing plus the margin."""
        return self.mic_spacing / 2 + self.wall_margin

    def separator_config(self) -> dict[str, int]:
        """DPRNNTasNet's arguments (auralnav.separation validates them)."""
        return {"n_src": self.num_sources, "n_filters": self.sep_n_filters, "kernel_size": self.sep_kernel_size,
                "stride": self.sep_stride, "bn_chan": self.sep_bn_chan, "hid_size": self.sep_hid_size,
                "chunk_size": self.sep_chunk_size, "n_repeats": self.sep_n_repeats, "sample_rate": self.fs}

    def validate(self) -> None:
        def positive(name: str) -> None:
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")

        for name in ("step_size", "turn_deg", "acceptable_radius", "mic_spacing", "fs", "window_s", "clip_s",
                     "max_episode_steps", "num_sources", "eval_episodes"):
            positive(name)
        for name in ("num_envs", "total_steps", "batch_size", "replay_capacity", "target_sync_steps", "log_every",
                     "validation_every", "validation_episodes", "epsilon_decay_steps", "pretrain_steps",
                     "pretrain_batch_size", "pretrain_eval_mixtures", "dqn_hidden", "lr", "pretrain_lr", "grad_clip",
                     "reward_scale"):
            positive(name)
        if self.cue_source not in ("separator", "images", "mixture"):
            raise ValueError(f"cue_source must be 'separator', 'images' or 'mixture', got {self.cue_source!r}")
        if self.pose_frame not in ("room", "odometry"):
            raise ValueError(f"pose_frame must be 'room' or 'odometry', got {self.pose_frame!r}")
        if self.itd_method not in ("lsq", "gcc_phat"):
            raise ValueError(f"itd_method must be 'lsq' or 'gcc_phat', got {self.itd_method!r}")
        if self.demonstrator not in ("handcoded", "oracle", "none"):
            raise ValueError(f"demonstrator must be 'handcoded', 'oracle' or 'none', got {self.demonstrator!r}")
        if self.lr_schedule not in ("constant", "cosine"):
            raise ValueError(f"lr_schedule must be 'constant' or 'cosine', got {self.lr_schedule!r}")
        if self.history_steps < 0:
            raise ValueError(f"history_steps must be >= 0, got {self.history_steps}")
        if not 0 <= self.policy_ema < 1:
            raise ValueError(f"policy_ema must be in [0, 1) (0: no moving average), got {self.policy_ema}")
        if self.q_sequence_steps < 0:
            raise ValueError(f"q_sequence_steps must be >= 0 (0: no recurrent window), got {self.q_sequence_steps}")
        if not 0 <= self.demo_envs <= self.num_envs:
            raise ValueError(f"demo_envs must be in 0..num_envs ({self.num_envs}), got {self.demo_envs}")
        if self.n_step < 1:
            raise ValueError(f"n_step must be >= 1, got {self.n_step}")
        if self.td_loss not in ("huber", "mse"):
            raise ValueError(f"td_loss must be 'huber' or 'mse', got {self.td_loss!r}")
        if not 0 <= self.gamma <= 1 or not 0 <= self.epsilon_end <= self.epsilon_start <= 1:
            raise ValueError(f"need 0 <= gamma <= 1 and 0 <= epsilon_end <= epsilon_start <= 1, got gamma={self.gamma}, "
                             f"epsilon_start={self.epsilon_start}, epsilon_end={self.epsilon_end}")
        if self.wall_margin < 0:
            raise ValueError(f"wall_margin must be >= 0, got {self.wall_margin}")
        if self.acceptable_radius < self.step_size / 2:
            raise ValueError(f"acceptable_radius ({self.acceptable_radius}) must be >= step_size / 2 "
                             f"({self.step_size / 2}), or the agent could step over a source")
        if not 0.0 <= self.absorption <= 1.0:
            raise ValueError(f"absorption must be an energy absorption in [0, 1], got {self.absorption}")
        if self.max_order < 0:
            raise ValueError(f"max_order must be >= 0, got {self.max_order}")
        for name in ("room_side_range", "absorption_range"):
            rng = getattr(self, name)
            if rng and (len(rng) != 2 or not 0 < rng[0] <= rng[1]):
                raise ValueError(f"{name} must be () or (lo, hi) with 0 < lo <= hi, got {rng}")
        if self.absorption_range and self.absorption_range[1] > 1.0:
            raise ValueError(f"absorption_range must lie in (0, 1], got {self.absorption_range}")
        if self.room_side_range and (self.room_corners or len(self.room_dim) != 2):
            raise ValueError("room_side_range draws 2-D shoebox rooms: it needs room_corners=() and a 2-D room_dim, "
                             f"got room_corners={self.room_corners}, room_dim={self.room_dim}")
        if self.room_corners:
            if len(self.room_corners) < 3:
                raise ValueError(f"room_corners needs at least 3 corners, got {len(self.room_corners)}")
            if self.room_height < 0:
                raise ValueError(f"room_height must be >= 0 (0: a 2-D room), got {self.room_height}")
        else:
            if len(self.room_dim) not in (2, 3) or min(self.room_dim) <= 0:
                raise ValueError(f"room_dim must be 2 or 3 positive sizes in metres, got {self.room_dim}")
            if self.room_height != 0:
                raise ValueError("room_height applies to polygon rooms (room_corners); a 3-D shoebox is "
                                 f"room_dim=(x, y, z), got room_height={self.room_height}")
        if self.is_3d:
            top = self.room_dim[2] if not self.room_corners else self.room_height
            for name in ("mic_height", "source_height"):
                if not 0 < getattr(self, name) < top:
                    raise ValueError(f"{name} must be inside the room's height (0, {top}), got {getattr(self, name)}")
        if self.source_wall_margin < self.agent_clearance:
            raise ValueError(f"source_wall_margin ({self.source_wall_margin}) must be >= mic_spacing / 2 + wall_margin "
                             f"({self.agent_clearance}), or the agent could not reach a source by a wall")
        if self.start_distance <= self.acceptable_radius:
            raise ValueError(f"start_distance ({self.start_distance}) must be > acceptable_radius "
                             f"({self.acceptable_radius}), or a source would be found before the first step")
        if self.source_separation < 0:
            raise ValueError(f"source_separation must be >= 0, got {self.source_separation}")
        if self.source_positions and len(self.source_positions) != self.num_sources:
            raise ValueError(f"source_positions holds {len(self.source_positions)} positions but num_sources is "
                             f"{self.num_sources}")
        if self.agent_start and len(self.agent_start) not in (2, 3):
            raise ValueError(f"agent_start must be (x, y) or (x, y, heading_deg), got {self.agent_start}")
        if not self.source_dir:
            if not self.sources:
                raise ValueError("sources must name at least one kind of " + ", ".join(SOURCE_KINDS))
            unknown = [k for k in self.sources if k not in SOURCE_KINDS]
            if unknown:
                raise ValueError(f"sources: unknown kind(s) {unknown}; known kinds are {list(SOURCE_KINDS)}")
        if self.noise_db is not None and not math.isfinite(self.noise_db):
            raise ValueError(f"noise_db must be a finite dB value or None, got {self.noise_db}")
        if self.window > round(self.clip_s * self.fs) and not self.source_dir:
            raise ValueError(f"window_s ({self.window_s}) must not be longer than clip_s ({self.clip_s})")


_CPU: dict[str, Any] = {
    "fs": 8000, "window_s": 0.5, "sep_kernel_size": 32, "sep_stride": 16, "sep_n_repeats": 2, "sep_bn_chan": 64,
    "sep_hid_size": 64, "pretrain_steps": 1500,
    # a horizon where random is weak: at 1000 steps a random walk finds both sources in 58% of the
    # rooms, at 200 in 7% (100 rooms); the oracle needs about 20 steps (README reports 1000 steps too)
    "max_episode_steps": 200, "total_steps": 30_000,
}
"""Task 8's CPU budget (the original's 8 kHz, 0.5 s windows, asteroid's small DPRNN), shared by tasks 8-13."""

_ROOM_2: dict[str, Any] = {"absorption": 0.3, "max_order": 6}
_ROOM_3: dict[str, Any] = {"room_dim": (8.0, 8.0, 3.0), "absorption": 0.3, "max_order": 4}
_ROOM_4: dict[str, Any] = {
    "room_corners": tuple((4 + 4 * math.cos(k * math.pi / 3), 4 + 4 * math.sin(k * math.pi / 3)) for k in range(6)),
    "absorption": 0.3, "max_order": 4}
_SOURCES_5: dict[str, Any] = {"num_sources": 4, "sources": ("phone", "siren", "horn", "babble")}

TASKS: dict[str, dict[str, Any]] = {
    # The original experiment1: 8 x 8 m 2-D room, phone + siren, step 0.5, radius 1.0, anechoic, order 10,
    # 1000 steps. Our departures: 16 kHz and 1 s windows (the original: 8 kHz, the whole ~4.3 s clip),
    # synthesised sources, ears across the heading, and the sparse reward (task 6 has the dense one).
    "1": {},
    # A reverberant version of 1 (walls absorb 30% of the energy; reflections up to order 6), so the
    # spatial cues carry reverberation as in a real room.
    "2": _ROOM_2,
    # A 3-D 8 x 8 x 3 m reverberant room, microphones and sources at 1.5 m.
    "3": _ROOM_3,
    # A hexagonal room (the original's commented-out Polygon(n=6)), radius 4 m so it is about as large as 1.
    "4": _ROOM_4,
    # The AuralNav fork's experiment: four sources (phone, siren, horn, speech-like babble).
    "5": _SOURCES_5,
    # Task 1 with the original's dense closeness reward, for comparison with the original's runs.
    "6": {"dense_reward": True},
    # The original experiment2 (the paper's experiment5): steps of 1 m with the same 1 m radius.
    "7": {"step_size": 1.0},
    # Task 1 on a CPU budget: the original's 8 kHz, 0.5 s windows and asteroid's small DPRNN (ks 32, stride
    # 16, 2 repeats, 64 channels: 0.33 M parameters, ~15x faster than the default) so that pretraining and
    # DQN training fit in tens of minutes on two cores.
    "8": {**_CPU, "separator_checkpoint": "data/pretrained/auralnav_task8_separator.pt"},
    # Tasks 9-12: the CPU settings of task 8 on the rooms of tasks 2-5, each with its own separator pretrained
    # on its own rooms' mixtures (reverberation and a fourth source change what there is to separate).
    # 9: task 2's reverberant 8 x 8 m room: reflections smear the interaural time and level differences.
    "9": {**_CPU, **_ROOM_2, "separator_checkpoint": "data/pretrained/auralnav_task9_separator.pt"},
    # 10: task 3's 3-D 8 x 8 x 3 m reverberant room: floor and ceiling reflections on top of the walls'.
    "10": {**_CPU, **_ROOM_3, "separator_checkpoint": "data/pretrained/auralnav_task10_separator.pt"},
    # 11: task 4's hexagonal reverberant room: walls at 60 degrees, so no wall is parallel to the agent's turns.
    "11": {**_CPU, **_ROOM_4, "separator_checkpoint": "data/pretrained/auralnav_task11_separator.pt"},
    # 12: task 5's four sources (a four-output separator). The horizon stays 200: measured over 100 rooms
    # (docs/auralnav.md), a random walk finds all four in 0% at 200 steps while the oracle needs about 35.
    "12": {**_CPU, **_SOURCES_5, "separator_checkpoint": "data/pretrained/auralnav_task12_separator.pt"},
    # 13: rooms it never saw: every episode draws a 2-D shoebox (sides 5-12 m) and its walls (absorption
    # 0.2-1.0, 1.0 anechoic), two sources; evaluated also outside the range (4 m, 14 m: docs/auralnav.md).
    # Order 6 as task 9 (the reverberant 2-D room). Odometry pose: room coordinates leave their training range
    # in a larger room; chosen on selection rooms (seeds 20,000-20,039) at 14 m: 0.78 against 0.60 success, the
    # same (0.97) on the training range (docs/auralnav.md).
    "13": {**_CPU, "room_side_range": (5.0, 12.0), "absorption_range": (0.2, 1.0), "max_order": 6,
           "pose_frame": "odometry", "separator_checkpoint": "data/pretrained/auralnav_task13_separator.pt"},
    # quick_test: a 4 x 4 m room, 8 kHz and 0.25 s windows, 100-step episodes, 3 evaluation episodes.
    "999": {
        "quick_test": True, "room_dim": (4.0, 4.0), "fs": 8000, "window_s": 0.25, "clip_s": 1.0, "max_order": 2,
        "absorption": 0.5, "start_distance": 1.5, "max_episode_steps": 100, "eval_episodes": 3,
        # the agent: a tiny separator (about 15 ms per forward on a CPU) and a budget of a few hundred steps
        "sep_n_filters": 16, "sep_bn_chan": 16, "sep_hid_size": 16, "sep_chunk_size": 20, "sep_n_repeats": 1,
        "dqn_hidden": 32, "stft_n_fft": 256, "stft_hop": 64, "num_envs": 2, "total_steps": 200, "learning_starts": 32,
        "batch_size": 8, "replay_capacity": 1000, "target_sync_steps": 50, "log_every": 50, "validation_every": 100,
        "validation_episodes": 2, "epsilon_decay_steps": 100.0, "demo_steps": 100, "pretrain_steps": 20,
        "pretrain_batch_size": 4,
        "pretrain_eval_mixtures": 8,
    },
}


def get_params(task_id: str | int = "1", **overrides: Any) -> AuralNavParams:
    """The parameters of task ``task_id`` with ``overrides`` on top. Unknown ids or keys: ValueError."""
    return resolve(AuralNavParams(), TASKS, task_id, **overrides)
