"""DOAnet sequences: fixed-length windows cut from the memory-mapped feature and label files.

A training item is features (C, 250, 64) and labels (50, max_doas * 4) laid out per slot as
[x, y, z, activity], plus a mask (50,) of real (not padded) label frames. Validation and test cover
every file completely: the last window of a file is zero-padded and masked, where the original
silently dropped the last files of each split.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, DistributedSampler

from configs.doanet import DOAnetParams
from doanet.extraction import feature_dirs, fold_of


class SequenceDataset(Dataset):
    """Windows of ``params.feature_sequence_length`` feature frames over the files of ``folds``."""

    def __init__(self, params: DOAnetParams, folds: tuple[int, ...], feat_dir: Path | None = None,
                 label_dir: Path | None = None):
        dirs = feature_dirs(params)
        self.feat_dir = Path(feat_dir or dirs["norm"])
        self.label_dir = Path(label_dir or dirs["label"])
        if not self.feat_dir.is_dir():
            raise FileNotFoundError(f"{self.feat_dir} does not exist; run scripts/batch_feature_extraction.py first")
        self.names = sorted(p.stem for p in self.feat_dir.glob("*.npy") if fold_of(p.stem) in folds)
        if not self.names:
            raise FileNotFoundError(f"no feature files of folds {folds} in {self.feat_dir}")
        self.res = params.feature_label_resolution
        self.label_len = params.label_sequence_length
        self.max_doas = params.max_doas
        self.index: list[tuple[int, int]] = []  # (file, first label frame)
        for i, name in enumerate(self.names):
            n_label = len(np.load(self.label_dir / f"{name}.npy", mmap_mode="r"))
            self.index += [(i, start) for start in range(0, n_label, self.label_len)]
        self._cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self.index)

    def _arrays(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        if i not in self._cache:  # memory-mapped: pages are read when a window touches them
            name = self.names[i]
            self._cache[i] = (np.load(self.feat_dir / f"{name}.npy", mmap_mode="r"),
                              np.load(self.label_dir / f"{name}.npy", mmap_mode="r"))
        return self._cache[i]

    def __getitem__(self, k: int) -> dict[str, torch.Tensor]:
        i, start = self.index[k]
        feat, label = self._arrays(i)
        lab = np.asarray(label[start:start + self.label_len])  # (L, S, 4)
        fea = np.asarray(feat[start * self.res:(start + self.label_len) * self.res])  # (T, C, F)
        valid = len(lab)
        if valid < self.label_len:  # the end of a file: pad, and mask the padding
            lab = np.concatenate([lab, np.zeros((self.label_len - valid, *lab.shape[1:]), lab.dtype)])
        if len(fea) < self.label_len * self.res:
            fea = np.concatenate([fea, np.zeros((self.label_len * self.res - len(fea), *fea.shape[1:]), fea.dtype)])
        mask = np.arange(self.label_len) < valid
        return {
            "features": torch.from_numpy(np.ascontiguousarray(fea.transpose(1, 0, 2))),  # (C, T, F)
            "labels": torch.from_numpy(lab.reshape(self.label_len, -1).copy()),  # (L, S*4)
            "mask": torch.from_numpy(mask),
            "file": torch.tensor(i),
            "start": torch.tensor(start),
        }


def make_loader(params: DOAnetParams, split: str, rank: int = 0, world_size: int = 1, **kwargs) -> DataLoader:
    """Batches of ``params.batch_size``: features (B, C, 250, 64), labels (B, 50, max_doas*4), mask (B, 50).
    'train' is shuffled across files; 'val' and 'test' keep file order and keep every window. With
    ``world_size`` > 1 (DistributedDataParallel) each rank gets its own shard of the training windows;
    call ``loader.sampler.set_epoch(epoch)`` so the shuffle differs between epochs."""
    folds = {"train": params.train_folds, "val": params.val_folds, "test": params.test_folds}[split]
    dataset = SequenceDataset(params, folds, **kwargs)
    train = split == "train"
    if train and world_size > 1:
        sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=params.train_seed)
        return DataLoader(dataset, batch_size=params.batch_size, sampler=sampler, drop_last=False)
    return DataLoader(dataset, batch_size=params.batch_size, shuffle=train, drop_last=False,
                      generator=torch.Generator().manual_seed(params.train_seed) if train else None)
