"""Parameters of the Hungarian network (HNetGRU): data generation, model and training.

``get_params(task_id, **overrides)`` returns a frozen ``HNetParams``. Task ``1`` is the original
set-up of Adavanne et al. (WASPAA 2021); the other tasks hold only what they change, each with why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from configs.base import resolve


@dataclass(frozen=True)
class HNetParams:
    # --- data -------------------------------------------------------------------------------------
    max_doas: int = 2
    """Largest number of reference and of predicted DOAs; the distance matrix is max_doas x max_doas."""
    resolutions: tuple[int, ...] = (1, 2, 3, 4, 5, 10, 15, 20, 30)
    """Angular grid steps in degrees; every resolution gets the same number of examples."""
    sample_range: tuple[int, ...] = (3000, 5000, 15000)
    """Training examples per (nb_ref, nb_pred) pair, indexed by min(nb_ref, nb_pred); max_doas+1 values."""
    test_scale: float = 0.1
    """Test split size as a fraction of the training split (the original's 0.1x)."""
    val_scale: float = 0.1
    """Validation split size as a fraction of the training split (the original had none)."""
    shuffle: str = "both"
    """'both': rows and columns permuted independently; 'one_axis': the original's rows-or-columns."""
    angle_jitter_deg: float = 0.0
    """Uniform jitter of +-this many degrees on each active DOA's azimuth and elevation, off the grid.
    0 is the original. Without it distances between active DOAs in (0, 0.017) never occur, and the
    model cannot associate a prediction that is (almost) exactly right."""
    exact_match_fraction: float = 0.0
    """Fraction of the examples with an active reference and prediction in which one prediction is an
    exact copy of a reference (distance 0, associated). 0 is the original, where a 0 nearly always means
    fill against fill (not associated), so a DOAnet prediction that is exactly right went unmatched."""
    seed: int = 0
    """Seed of the generator; each split draws from its own stream derived from it."""
    data_dir: str = "data/hnet"

    # --- model ------------------------------------------------------------------------------------
    hidden_size: int = 128

    # --- training ---------------------------------------------------------------------------------
    batch_size: int = 256
    lr: float = 1e-3
    """Peak learning rate of Adam."""
    lr_schedule: str = "cosine"
    """'constant' (the original) or 'cosine' (warm-up then cosine decay to lr_min_ratio * lr)."""
    warmup_epochs: int = 0
    lr_min_ratio: float = 0.01
    nb_epochs: int = 150
    loss_weights: tuple[float, float, float] = (1.0, 1.0, 1.0)
    """Weights of the association, row-sum and column-sum BCE losses."""
    train_attn_logit_scale: float = 128**-0.5
    """Attention logits are multiplied by this while training (1/sqrt(d), as in scaled dot-product
    attention), then folded into W_Q, W_K at export, so the saved model is the original's unscaled
    layer computing the same function. 1.0 trains the original parameterisation. A smaller scale keeps
    the softmax from saturating early into pure self-attention, where row 0 can never see row 1."""
    init_trials: int = 8
    """Initialisations tried for init_trial_steps each; training continues from the one with the best
    validation exact accuracy (seeds train_seed, train_seed + 1, ...). Some initialisations fall into
    the self-attention trap above and stay there; 1 disables the search."""
    init_trial_steps: int = 1600
    """Length of each initialisation trial (at most one epoch): long enough to see which escaped."""
    select_metric: str = "exact_acc"
    """Validation metric that picks the best epoch: 'exact_acc', 'pos_f1' or 'weighted_f1'."""
    train_seed: int = 0
    """Seed of initialisation and batch order."""
    model_dir: str = "data/models"
    run_dir: str = "data/runs/hnet"

    quick_test: bool = False
    """A smoke run: a small data set and a few epochs, well under a minute on a CPU."""

    def validate(self) -> None:
        if self.max_doas < 1:
            raise ValueError(f"max_doas must be >= 1, got {self.max_doas}")
        if len(self.sample_range) != self.max_doas + 1:
            raise ValueError(
                f"sample_range needs max_doas + 1 = {self.max_doas + 1} values (one per min(nb_ref, nb_pred)), "
                f"got {len(self.sample_range)}: {self.sample_range}"
            )
        if any(n < 0 for n in self.sample_range):
            raise ValueError(f"sample_range values must be >= 0, got {self.sample_range}")
        if not self.resolutions or any(r <= 0 or r > 180 for r in self.resolutions):
            raise ValueError(f"resolutions must be degrees in (0, 180], got {self.resolutions}")
        if not 0.0 <= self.angle_jitter_deg <= 90.0:
            raise ValueError(f"angle_jitter_deg must be in [0, 90], got {self.angle_jitter_deg}")
        if not 0.0 <= self.exact_match_fraction <= 1.0:
            raise ValueError(f"exact_match_fraction must be in [0, 1], got {self.exact_match_fraction}")
        if self.shuffle not in ("both", "one_axis"):
            raise ValueError(f"shuffle must be 'both' or 'one_axis', got {self.shuffle!r}")
        if self.lr_schedule not in ("constant", "cosine"):
            raise ValueError(f"lr_schedule must be 'constant' or 'cosine', got {self.lr_schedule!r}")
        if self.select_metric not in ("exact_acc", "pos_f1", "weighted_f1"):
            raise ValueError(f"select_metric must be exact_acc, pos_f1 or weighted_f1, got {self.select_metric!r}")
        if self.train_attn_logit_scale <= 0:
            raise ValueError(f"train_attn_logit_scale must be > 0, got {self.train_attn_logit_scale}")
        if self.batch_size < 1 or self.nb_epochs < 1 or self.init_trials < 1:
            raise ValueError("batch_size, nb_epochs and init_trials must be >= 1")


TASKS: dict[str, dict[str, Any]] = {
    # The original set-up: max_doas 2, nine resolutions, sample_range (3000, 5000, 15000), test 0.1x,
    # batch 256, Adam at 1e-3. Our defaults add a seed, a validation split, both-axis shuffling and a
    # cosine decay of that learning rate, which reaches the original's 1000-epoch accuracy far sooner.
    "1": {},
    # Exactly the original's optimisation (constant lr, one-axis shuffle), for comparison.
    "2": {"lr_schedule": "constant", "shuffle": "one_axis", "nb_epochs": 1000, "train_attn_logit_scale": 1.0,
          "init_trials": 1},
    # Off-grid DOAs (+-1 degree): teaches the association of near-coincident pairs, the regime a
    # converged DOAnet lives in (the original distribution has no active distances in (0, 0.017)).
    "5": {"angle_jitter_deg": 1.0, "data_dir": "data/hnet_jitter", "model_dir": "data/models_jitter"},
    # Task 5 plus exactly coincident pairs in 10% of the examples, meant to teach the association of a
    # prediction that is exactly right (D = 0 beside a fill column). Measured (40 epochs, dev CPU): worse
    # (val exact 0.961, case (2,1) 0.75) and that case still unmatched (0.20). Kept as a negative result;
    # DOAnet floors the HNet's input distances at 1 degree instead (doanet/losses.py).
    "6": {"angle_jitter_deg": 1.0, "exact_match_fraction": 0.1, "data_dir": "data/hnet_exact",
          "model_dir": "data/models_exact"},
    # Three sources. Counts per min(nb_ref, nb_pred) level keep each level at 15,000 examples per
    # resolution, as the original's (3000, 5000, 15000) does for max_doas 2 (7, 5, 3, 1 pairs per level).
    "3": {"max_doas": 3, "sample_range": (2143, 3000, 5000, 15000)},
    # Four sources, balanced the same way (9, 7, 5, 3, 1 pairs per level).
    "4": {"max_doas": 4, "sample_range": (1667, 2143, 3000, 5000, 15000)},
    # quick_test: one tenth of the data and three epochs; exercises every step in well under a minute.
    # A larger step makes three epochs worth looking at (exact accuracy ~0.80 instead of ~0.52).
    "999": {
        "quick_test": True,
        "sample_range": (300, 500, 1500),
        "nb_epochs": 3,
        "lr": 3e-3,
        "init_trials": 2,
        "init_trial_steps": 50,
        "data_dir": "data/hnet_quick",
        "model_dir": "data/models_quick",
    },
}


def get_params(task_id: str | int = "1", **overrides: Any) -> HNetParams:
    """The parameters of task ``task_id`` with ``overrides`` on top. Unknown ids or keys: ValueError."""
    return resolve(HNetParams(), TASKS, task_id, **overrides)
