import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from configs.doanet import get_params
from doanet.augment import augment_dataset, merge_metadata, plan_pairs
from doanet.data import SequenceDataset, make_loader
from doanet.extraction import batch_feature_extraction, feature_dirs, list_recordings, load_scaler
from doanet.labels import read_metadata

QUIET = {"log": lambda *_: None}


@pytest.fixture(scope="module")
def extracted(small_dataset):
    batch_feature_extraction(small_dataset, **QUIET)
    return small_dataset


def test_scaler_sees_only_training_folds(extracted):
    scaler = load_scaler(extracted)
    assert scaler["files"] and all(name.startswith("fold3_") for name in scaler["files"])
    raw = np.concatenate([np.load(feature_dirs(extracted)["raw"] / f"{n}.npy") for n in scaler["files"]])
    np.testing.assert_allclose(scaler["mean"], raw.mean(0), rtol=1e-4, atol=1e-4)
    norm = np.concatenate([np.load(feature_dirs(extracted)["norm"] / f"{n}.npy") for n in scaler["files"]])
    np.testing.assert_allclose(norm.mean(0), 0, atol=1e-3)
    np.testing.assert_allclose(norm.std(0)[norm.std(0) > 0], 1, atol=1e-2)


def test_extraction_resumes_without_redoing_files(extracted):
    raw = feature_dirs(extracted)["raw"]
    before = {p.name: p.stat().st_mtime_ns for p in raw.glob("*.npy")}
    (raw / "fold1_room1_mix001_ov1.npy").unlink()  # as if interrupted before this file
    batch_feature_extraction(extracted, **QUIET)
    after = {p.name: p.stat().st_mtime_ns for p in raw.glob("*.npy")}
    assert set(after) == set(before)
    changed = {n for n in after if after[n] != before[n]}
    assert changed == {"fold1_room1_mix001_ov1.npy"}


def test_labels_match_the_metadata(extracted):
    name = "fold1_room1_mix002_ov2"
    labels = np.load(feature_dirs(extracted)["label"] / f"{name}.npy")
    rows = read_metadata(Path(extracted.dataset_dir, "metadata_dev", f"{name}.csv"))
    assert labels.shape == (60, 2, 4)
    np.testing.assert_array_equal(labels[..., 3].sum(1), np.bincount(rows[:, 0], minlength=60))


def test_loader_covers_every_window_of_every_file(extracted):
    loader = make_loader(extracted, "test")  # fold 1: 3 files of 60 label frames, windows of 20
    batches = list(loader)
    features = np.concatenate([b["features"].numpy() for b in batches])
    labels = np.concatenate([b["labels"].numpy() for b in batches])
    assert features.shape == (9, 7, 100, 64) and labels.shape == (9, 20, 8)
    files = np.concatenate([b["file"].numpy() for b in batches])
    starts = np.concatenate([b["start"].numpy() for b in batches])
    assert sorted(zip(files.tolist(), starts.tolist(), strict=True)) == [(f, s) for f in range(3) for s in (0, 20, 40)]
    ds = loader.dataset
    whole = np.load(ds.label_dir / f"{ds.names[0]}.npy")
    np.testing.assert_array_equal(labels[:3].reshape(60, 2, 4), whole)


def test_last_window_is_padded_and_masked(extracted, tmp_path):
    params = get_params("999", label_sequence_length=25, dataset_dir=extracted.dataset_dir,
                        feat_label_dir=extracted.feat_label_dir)
    ds = SequenceDataset(params, (1,))
    assert len(ds) == 3 * 3  # 60 frames in windows of 25: 25, 25, 10 (+15 padded)
    last = ds[2]
    assert last["features"].shape == (7, 125, 64) and last["mask"].sum() == 10
    assert last["labels"][10:].abs().sum() == 0 and last["features"][:, 50:].abs().sum() == 0


def test_train_loader_shuffles_across_files(extracted):
    params = get_params("999", dataset_dir=extracted.dataset_dir, feat_label_dir=extracted.feat_label_dir,
                        train_folds=(1, 3), val_folds=(2,), test_folds=(4,), batch_size=18)
    batch = next(iter(make_loader(params, "train")))
    assert len(set(batch["file"].tolist())) > 1 and batch["file"].tolist() != sorted(batch["file"].tolist())


def test_distributed_shards_are_disjoint_and_cover_the_training_windows(extracted):
    def windows(rank):
        loader = make_loader(extracted, "train", rank=rank, world_size=2)
        loader.sampler.set_epoch(1)
        return [(int(f), int(s)) for b in loader for f, s in zip(b["file"], b["start"], strict=True)]

    shard0, shard1 = windows(0), windows(1)
    n = len(make_loader(extracted, "train").dataset)
    assert len(shard0) == len(shard1) == (n + 1) // 2
    assert len(set(shard0) | set(shard1)) == n  # every window, each on one rank (one repeated if n is odd)


def test_missing_dataset_names_the_generator(tmp_path):
    params = get_params("999", dataset_dir=str(tmp_path / "none"))
    with pytest.raises(FileNotFoundError, match=r"make_synthetic_tau.py 999.*real TAU-NIGENS"):
        list_recordings(params, "999")


def test_wav_without_metadata_is_reported(tmp_path):
    params = get_params("999", dataset_dir=str(tmp_path))
    (tmp_path / "foa_dev").mkdir()
    sf.write(str(tmp_path / "foa_dev" / "fold1_room1_mix001_ov1.wav"), np.zeros((100, 4)), 24000, subtype="PCM_16")
    with pytest.raises(FileNotFoundError, match=r"fold1_room1_mix001_ov1.wav has no metadata file"):
        list_recordings(params)


def test_bad_wav_leaves_no_partial_output(tmp_path):
    params = get_params("999", dataset_dir=str(tmp_path / "tau"), feat_label_dir=str(tmp_path / "feat"))
    for sub in ("foa_dev", "metadata_dev"):
        (tmp_path / "tau" / sub).mkdir(parents=True)
    sf.write(str(tmp_path / "tau/foa_dev/fold3_room1_mix001_ov1.wav"), np.zeros((100, 4)), 16000, subtype="PCM_16")
    (tmp_path / "tau/metadata_dev/fold3_room1_mix001_ov1.csv").write_text("0,1,0,10,10\n")
    with pytest.raises(ValueError, match="sample rate 16000 Hz"):
        batch_feature_extraction(params, **QUIET)
    assert not [p for p in (tmp_path / "feat").rglob("*") if p.is_file()]


def test_augmentation_names_and_metadata(small_dataset, tmp_path):
    out = tmp_path / "aug"
    names = augment_dataset(small_dataset.dataset_dir, out, folds=(3,), **QUIET)
    assert names == ["fold3_room1_aug001003_ov2"]
    for fmt in ("foa", "mic"):
        mix, _ = sf.read(str(out / f"{fmt}_dev" / f"{names[0]}.wav"))
        a, _ = sf.read(str(Path(small_dataset.dataset_dir, f"{fmt}_dev", "fold3_room1_mix001_ov1.wav")))
        b, _ = sf.read(str(Path(small_dataset.dataset_dir, f"{fmt}_dev", "fold3_room1_mix003_ov1.wav")))
        np.testing.assert_allclose(mix, (a + b) / 2, atol=2 / 32768)
    merged = read_metadata(out / "metadata_dev" / f"{names[0]}.csv")
    a = read_metadata(Path(small_dataset.dataset_dir, "metadata_dev", "fold3_room1_mix001_ov1.csv"))
    b = read_metadata(Path(small_dataset.dataset_dir, "metadata_dev", "fold3_room1_mix003_ov1.csv"))
    assert len(merged) == len(a) + len(b) and np.all(np.diff(merged[:, 0]) >= 0)
    assert not list(Path(small_dataset.dataset_dir, "foa_dev").glob("*aug*"))  # the source set is untouched
    with pytest.raises(ValueError, match="separate folder"):
        augment_dataset(small_dataset.dataset_dir, small_dataset.dataset_dir, **QUIET)


def test_plan_pairs_groups_by_fold_and_room():
    names = ["fold3_room1_mix001_ov1", "fold3_room1_mix002_ov1", "fold3_room2_mix003_ov1", "fold3_room1_mix004_ov2",
             "fold1_room1_mix005_ov1", "fold1_room1_mix006_ov1"]
    assert plan_pairs(names, (3,), 4) == [("fold3_room1_mix001_ov1", "fold3_room1_mix002_ov1",
                                           "fold3_room1_aug001002_ov2")]


def test_merge_keeps_identities_apart():
    a = np.array([[0, 4, 0, 10, 0], [1, 4, 0, 10, 0]])
    b = np.array([[0, 4, 0, 90, 0]])
    merged = merge_metadata(a, b)
    assert {tuple(r[1:3]) for r in merged} == {(4, 0), (4, 1)}
    assert json.dumps(merged[:, 0].tolist()) == "[0, 0, 1]"


def test_augmented_recordings_join_the_training_folds(small_dataset, tmp_path):
    aug = tmp_path / "aug"
    augment_dataset(small_dataset.dataset_dir, aug, folds=(3,), **QUIET)
    params = get_params("999", **{**small_dataset.__dict__, "extra_dataset_dirs": (str(aug),),
                                  "feat_label_dir": str(tmp_path / "feat")})
    names = batch_feature_extraction(params, **QUIET)
    assert "fold3_room1_aug001003_ov2" in names and len(names) == 10
    assert "fold3_room1_aug001003_ov2" in load_scaler(params)["files"]
    train = make_loader(params, "train").dataset
    assert "fold3_room1_aug001003_ov2" in train.names
    assert all(not n.startswith("fold3") for n in make_loader(params, "test").dataset.names)


def test_features_of_another_generator_version_are_made_again(extracted):
    """Features made from an older generator's rooms are not reused silently (the manifest's version is
    part of every recording's record)."""
    from doanet.extraction import synth_version

    manifest = Path(extracted.dataset_dir) / "synth_manifest.json"
    original = manifest.read_text()
    wav = next((Path(extracted.dataset_dir) / "foa_dev").glob("*.wav"))
    assert synth_version(wav) == json.loads(original)["version"]
    raw = feature_dirs(extracted)["raw"]
    before = {p.name: p.stat().st_mtime_ns for p in raw.glob("*.npy")}
    messages = []
    try:
        manifest.write_text(json.dumps({**json.loads(original), "version": -1}))
        batch_feature_extraction(extracted, log=messages.append)
    finally:
        manifest.write_text(original)
    after = {p.name: p.stat().st_mtime_ns for p in raw.glob("*.npy")}
    assert all(after[n] != before[n] for n in before)  # every recording extracted again
    assert any("synth_version changed" in m for m in messages)
    batch_feature_extraction(extracted, **QUIET)  # and back, for the module's other tests


def test_real_data_has_no_generator_version(tmp_path):
    from doanet.extraction import synth_version

    (tmp_path / "foa_dev").mkdir()
    assert synth_version(tmp_path / "foa_dev" / "x.wav") is None
