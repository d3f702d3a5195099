"""Bad DOAnet input never passes silently: stale features, truncated or unreadable audio, corrupt metadata,
bad synthesis parameters, leftovers of killed runs and two writers on one folder (issue 14).

Every input is a tiny file made here: 1 s recordings of noise, a few metadata rows."""

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from common.io import FolderInUseError
from configs.doanet import get_params
from doanet.augment import augment_dataset
from doanet.extraction import batch_feature_extraction, feature_dirs
from doanet.features import load_audio
from doanet.labels import read_metadata
from doanet.synth import generate_dataset

FS = 24000
ROWS = "0,1,0,10,20\n1,1,0,12,20\n5,3,0,-170,-40\n"


def write_recording(base: Path, name: str, seconds: float = 1.0, seed: int = 0, rows: str = ROWS) -> Path:
    wav = base / "foa_dev" / f"{name}.wav"
    wav.parent.mkdir(parents=True, exist_ok=True)
    (base / "metadata_dev").mkdir(exist_ok=True)
    noise = np.random.default_rng(seed).uniform(-0.5, 0.5, (round(seconds * FS), 4))
    sf.write(str(wav), noise, FS, subtype="PCM_16")
    (base / "metadata_dev" / f"{name}.csv").write_text(rows)
    return wav


def touch_later(path: Path) -> None:
    """Move the mtime on by a second, as a rewrite a little later would."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))


@pytest.fixture
def tiny(tmp_path):
    """Two 1 s recordings (a test fold and a training fold) and parameters that extract them."""
    base = tmp_path / "tau"
    for name in ("fold1_room1_mix001_ov1", "fold3_room1_mix001_ov1"):
        write_recording(base, name, seed=len(name))
    return get_params("999", dataset_dir=str(base), feat_label_dir=str(tmp_path / "feat"), max_audio_len_s=1.0,
                      train_folds=(3,))


def extract(params, **kwargs) -> list[str]:
    logs: list[str] = []
    batch_feature_extraction(params, log=logs.append, **kwargs)
    return logs


def output_files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


# --- 1. stale features ---------------------------------------------------------------------------------------


def test_a_replaced_wav_or_csv_is_extracted_again_and_said(tiny):
    dirs = feature_dirs(tiny)
    name = "fold1_room1_mix001_ov1"
    logs = extract(tiny)
    assert any("2 new, 0 redone" in line for line in logs)
    before = np.load(dirs["raw"] / f"{name}.npy")
    assert "0 new, 0 redone" in " ".join(extract(tiny))  # nothing changed: nothing redone

    wav = Path(tiny.dataset_dir, "foa_dev", f"{name}.wav")  # the corrupt file replaced by a good one
    sf.write(str(wav), np.random.default_rng(99).uniform(-0.5, 0.5, (FS, 4)), FS, subtype="PCM_16")
    touch_later(wav)
    logs = " ".join(extract(tiny))
    assert f"1 recordings out of date, extracting them again: {name} (wav changed)" in logs and "1 redone" in logs
    assert not np.allclose(np.load(dirs["raw"] / f"{name}.npy"), before)

    csv = Path(tiny.dataset_dir, "metadata_dev", f"{name}.csv")
    csv.write_text("2,4,0,90,0\n")
    touch_later(csv)
    assert f"{name} (csv changed)" in " ".join(extract(tiny))
    labels = np.load(dirs["label"] / f"{name}.npy")
    assert labels[..., 3].sum() == 1 and labels[2, 0, 3] == 1


def test_outputs_without_a_record_or_of_other_parameters_are_redone(tiny):
    dirs = feature_dirs(tiny)
    extract(tiny)
    (dirs["record"] / "fold3_room1_mix001_ov1.json").unlink()  # as written before records existed
    assert "fold3_room1_mix001_ov1 (no record of its inputs)" in " ".join(extract(tiny))
    more = get_params("999", **{**tiny.__dict__, "max_doas": 3})
    assert "2 recordings out of date" in " ".join(extract(more)) and "max_doas changed" in " ".join(extract(tiny))
    assert np.load(dirs["label"] / "fold1_room1_mix001_ov1.npy").shape == (10, 2, 4)


def test_outputs_of_removed_recordings_are_removed(tiny):
    extract(tiny)
    write_recording(Path(tiny.dataset_dir), "fold3_room1_mix002_ov1")
    extract(tiny)
    for path in Path(tiny.dataset_dir).rglob("fold3_room1_mix002_ov1.*"):
        path.unlink()
    logs = " ".join(extract(tiny))
    assert "removed the outputs of 1 recordings no longer in the data set (fold3_room1_mix002_ov1)" in logs
    assert not [f for f in output_files(Path(tiny.feat_label_dir)) if "mix002" in f]


def test_a_regenerated_data_set_is_extracted_again(tmp_path):
    """make_synthetic_tau.py --force --seed 5, then batch_feature_extraction.py: every recording is redone."""
    params = small_synth(tmp_path, synth_folds=(3,), feat_label_dir=str(tmp_path / "feat"))
    generate_dataset(params, log=lambda *_: None)
    extract(params)
    before = np.load(feature_dirs(params)["raw"] / "fold3_room1_mix001_ov1.npy")
    generate_dataset(params, seed=5, force=True, log=lambda *_: None)
    logs = " ".join(extract(params))
    assert "1 recordings out of date" in logs and "(wav, csv changed)" in logs and "0 new, 1 redone" in logs
    assert not np.allclose(np.load(feature_dirs(params)["raw"] / "fold3_room1_mix001_ov1.npy"), before)


# --- 2. truncated audio --------------------------------------------------------------------------------------


def test_a_truncated_wav_is_an_error_naming_file_and_both_lengths(tiny):
    wav = Path(tiny.dataset_dir, "foa_dev", "fold3_room1_mix001_ov1.wav")
    data = wav.read_bytes()
    wav.write_bytes(data[: int(len(data) * 0.3)])  # cut to 30% of its bytes: the header still claims 1 s
    with pytest.raises(ValueError, match=r"fold3_room1_mix001_ov1.wav: 7196 samples \(0.30 s\), shorter than "
                                         r"max_audio_len_s = 1 s \(24000 samples\)"):
        batch_feature_extraction(tiny, log=lambda *_: None)
    with pytest.raises(ValueError, match="7196 samples"):
        load_audio(wav, tiny)
    left = output_files(Path(tiny.feat_label_dir))  # fold1 (extracted before) is whole and current; nothing else
    assert left == [f"foa_dev{sub}/fold1_room1_mix001_ov1.{ext}" for sub, ext in (("", "npy"), ("_label", "npy"),
                                                                                   ("_record", "json"))]


def test_metadata_beyond_the_end_of_the_audio_names_file_line_and_frame(tiny):
    csv = Path(tiny.dataset_dir, "metadata_dev", "fold1_room1_mix001_ov1.csv")
    csv.write_text("0,1,0,10,20\n10,1,0,10,20\n")  # 1 s = label frames 0..9
    with pytest.raises(ValueError, match=r"fold1_room1_mix001_ov1.csv:2: frame 10 is beyond the end of the audio "
                                         r".*24000 samples"):
        batch_feature_extraction(tiny, log=lambda *_: None)


def test_allowed_short_audio_warns_and_cuts_the_labels(tiny):
    name = "fold3_room1_mix001_ov1"
    write_recording(Path(tiny.dataset_dir), name, seconds=0.45, rows="".join(f"{f},1,0,10,20\n" for f in range(10)))
    logs = " ".join(extract(tiny, allow_short=True))
    assert "warning:" in logs and "padded with silence, labels cut to the audio" in logs
    assert "labels of frames 5..9 lie beyond the end" in logs
    labels = np.load(feature_dirs(tiny)["label"] / f"{name}.npy")
    assert labels.shape == (10, 2, 4) and labels[:5, 0, 3].all() and not labels[5:, :, 3].any()
    assert np.load(feature_dirs(tiny)["raw"] / f"{name}.npy").shape == (50, 7, 64)
    with pytest.raises(ValueError, match="shorter than max_audio_len_s"):  # the default again: an error
        batch_feature_extraction(tiny, log=lambda *_: None)


@pytest.mark.parametrize("damage", ["header cut", "random bytes", "empty"])
def test_an_unreadable_wav_is_a_one_line_error_naming_it(tiny, damage):
    wav = Path(tiny.dataset_dir, "foa_dev", "fold1_room1_mix001_ov1.wav")
    data = wav.read_bytes()
    wav.write_bytes({"header cut": data[:20], "random bytes": np.random.default_rng(0).bytes(5000), "empty": b""}[damage])
    with pytest.raises(ValueError, match=r"fold1_room1_mix001_ov1.wav: not a readable audio file") as err:
        batch_feature_extraction(tiny, log=lambda *_: None)
    assert "\n" not in str(err.value)


def test_augmentation_refuses_a_truncated_or_unreadable_recording(tmp_path):
    src, out = tmp_path / "tau", tmp_path / "aug"
    write_recording(src, "fold3_room1_mix001_ov1")
    wav = write_recording(src, "fold3_room1_mix002_ov1", seconds=0.3, rows="0,2,0,50,0\n")
    with pytest.raises(ValueError, match=r"fold3_room1_mix001_ov1.wav has 24000 samples but fold3_room1_mix002_ov1.wav 7200"):
        augment_dataset(src, out, formats=("foa",), folds=(3,), log=lambda *_: None)
    (src / "metadata_dev" / "fold3_room1_mix002_ov1.csv").write_text("0,2,0,50,0\n5,2,0,50,0\n")
    with pytest.raises(ValueError, match=r"fold3_room1_mix002_ov1.wav: 7200 samples \(0.30 s\) but its metadata labels "
                                         r"frames up to 5"):
        augment_dataset(src, out, formats=("foa",), folds=(3,), log=lambda *_: None)
    wav.write_bytes(b"RIFF")
    with pytest.raises(ValueError, match="fold3_room1_mix002_ov1.wav: not a readable audio file"):
        augment_dataset(src, out, formats=("foa",), folds=(3,), log=lambda *_: None)
    assert not output_files(out)


# --- 3 and 4. metadata --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "match"), [
    ("3,1,0,999,0", r"azimuth 999 is outside \[-180, 180\]"),
    ("3,1,0,10,300", r"elevation 300 is outside \[-90, 90\]"),
    ("3,500,0,10,0", r"class 500 is outside \[0, 13\]"),
    ("3,1,-1,10,0", r"track -1 is outside"),
    ("-2,1,0,10,0", r"frame -2 is outside"),
    ("3,1,0,inf,0", r"azimuth inf is outside"),
    ("3,1,0,nan,0", r"azimuth nan is outside"),
    ("1e400,1,0,10,0", r"frame 1e400 is outside"),
    ("3,x,0,10,0", r"class 'x' is not a number"),
])
def test_metadata_out_of_range_names_file_line_and_value(tmp_path, line, match):
    (tmp_path / "m.csv").write_text(f"0,1,0,10,20\n{line}\n")
    with pytest.raises(ValueError, match=rf"m.csv:2: {match}"):
        read_metadata(tmp_path / "m.csv")


def test_frames_beyond_the_recording_are_an_error(tmp_path):
    (tmp_path / "m.csv").write_text("0,1,0,10,20\n\n12,1,0,10,20\n")
    with pytest.raises(ValueError, match=r"m.csv:3: frame 12 is beyond the end of the recording \(10 label frames\)"):
        read_metadata(tmp_path / "m.csv", n_frames=10)
    assert len(read_metadata(tmp_path / "m.csv", n_frames=13)) == 2


# --- 6. synthesis: validation before the manifest, leftovers ------------------------------------------------


def small_synth(tmp_path, **overrides):
    small = {"dataset_dir": str(tmp_path / "tau"), "synth_folds": (1,), "synth_files_per_fold": 1, "synth_file_len_s": 1.0,
             "max_audio_len_s": 1.0}
    return get_params("999", **{**small, **overrides})


@pytest.mark.parametrize(("key", "value"), [("synth_file_len_s", -1.0), ("synth_file_len_s", 0.0),
                                            ("synth_files_per_fold", 0), ("nb_epochs", 0), ("synth_rt60_s", (0.6, 0.2))])
def test_bad_synthesis_parameters_are_refused_by_name(tmp_path, key, value):
    with pytest.raises(ValueError, match=key):
        small_synth(tmp_path, **{key: value})


def test_a_failed_run_does_not_block_the_good_one(tmp_path):
    import dataclasses

    bad = dataclasses.replace(small_synth(tmp_path), synth_file_len_s=-1.0)  # past get_params' validation
    with pytest.raises(ValueError, match="synth_file_len_s"):
        generate_dataset(bad, log=lambda *_: None)
    assert not output_files(tmp_path)  # no manifest, no lock
    # a manifest of other parameters in a folder without recordings (an old run that failed) does not block
    (tmp_path / "tau").mkdir(exist_ok=True)
    (tmp_path / "tau" / "synth_manifest.json").write_text('{"version": 2, "synth_file_len_s": -1.0}')
    logs: list[str] = []
    assert generate_dataset(small_synth(tmp_path), log=logs.append) == ["fold1_room1_mix001_ov1"]
    assert "no recording was written with its parameters; replaced" in " ".join(logs)
    with pytest.raises(ValueError, match="synthesised with other parameters"):  # with recordings it does
        generate_dataset(small_synth(tmp_path, synth_seed=3), log=lambda *_: None)


def test_temporaries_of_a_killed_run_are_removed_when_the_folder_is_next_opened(tiny, tmp_path):
    base = tmp_path / "synth"
    params = small_synth(tmp_path, dataset_dir=str(base))
    generate_dataset(params, log=lambda *_: None)
    leftovers = [base / "foa_dev" / ".fold1_room1_mix002_ov1.wav.k1ll3d.tmp", base / ".synth_manifest.json.x.tmp"]
    for p in leftovers:
        p.write_bytes(b"\0" * 1000)
    generate_dataset(params, log=lambda *_: None)
    assert not any(p.exists() for p in leftovers)
    feat_leftovers = [feature_dirs(tiny)["raw"] / ".fold1_room1_mix001_ov1.npy.abc.tmp",
                      feature_dirs(tiny)["scaler"].parent / ".foa_wts.npz.abc.tmp"]
    other_dataset = feature_dirs(tiny)["scaler"].parent / ".mic_wts.npz.abc.tmp"  # a MIC extraction may be writing it
    for p in (*feat_leftovers, other_dataset):
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"\0" * 100)
    extract(tiny)
    assert not any(p.exists() for p in feat_leftovers) and other_dataset.exists()
    assert not [f for f in output_files(Path(tiny.feat_label_dir)) if f.endswith(".lock")]


# --- 8. two writers, one folder -----------------------------------------------------------------------------


@pytest.fixture
def other_process():
    proc = subprocess.Popen(["sleep", "60"])
    yield proc.pid
    proc.kill()
    proc.wait()


def test_generators_refuse_a_folder_another_live_process_writes(tiny, tmp_path, other_process):
    synth = small_synth(tmp_path, dataset_dir=str(tmp_path / "synth"))
    jobs = [(tmp_path / "synth", lambda: generate_dataset(synth, log=lambda *_: None)),
            (feature_dirs(tiny)["raw"], lambda: extract(tiny)),
            (tmp_path / "aug", lambda: augment_dataset(tiny.dataset_dir, tmp_path / "aug", formats=("foa",), folds=(3,),
                                                       log=lambda *_: None))]
    for folder, job in jobs:
        folder.mkdir(parents=True)
        (folder / ".lock").write_text(f"{other_process}\n")
        with pytest.raises(FolderInUseError, match=rf"in use by process {other_process}"):
            job()
        assert output_files(folder) == [".lock"]  # nothing written beside the other writer


def test_a_lock_left_by_a_killed_process_is_taken_over(tiny):
    gone = subprocess.Popen(["true"])
    gone.wait()
    feature_dirs(tiny)["raw"].mkdir(parents=True)
    (feature_dirs(tiny)["raw"] / ".lock").write_text(f"{gone.pid}\n")
    assert "2 new" in " ".join(extract(tiny))
    assert not (feature_dirs(tiny)["raw"] / ".lock").exists()


# --- 6 and 8. the trainer: nothing written before the data check, one process per run folder ----------------


def test_training_without_features_leaves_no_run_folder(tiny, tmp_path):
    from doanet.train import train

    params = get_params("999", **{**tiny.__dict__, "run_dir": str(tmp_path / "runs"), "model_dir": str(tmp_path / "m"),
                                  "use_hnet": False})
    with pytest.raises(FileNotFoundError, match="batch_feature_extraction.py"):
        train(params, "999", "1", "cpu", log=lambda *_: None)
    assert not (tmp_path / "runs").exists() and not (tmp_path / "m").exists()


def test_a_second_training_of_one_task_and_job_is_refused(tiny, tmp_path, other_process):
    from doanet.train import train

    write_recording(Path(tiny.dataset_dir), "fold2_room1_mix001_ov1")
    params = get_params("999", **{**tiny.__dict__, "run_dir": str(tmp_path / "runs"), "model_dir": str(tmp_path / "m"),
                                  "use_hnet": False, "label_sequence_length": 10, "val_folds": (2,)})
    extract(params)
    run_dir = tmp_path / "runs" / "999_1"
    run_dir.mkdir(parents=True)
    (run_dir / ".lock").write_text(f"{other_process}\n")
    with pytest.raises(FolderInUseError, match=rf"run 999_1 is in use by process {other_process}"):
        train(params, "999", "1", "cpu", log=lambda *_: None)
    assert output_files(run_dir) == [".lock"]  # no config.json, no checkpoint beside the other writer
    (run_dir / ".lock").unlink()
    torch = pytest.importorskip("torch")
    torch.save({"weights": torch.zeros(1)}, run_dir / "last.pt")  # a foreign last.pt
    with pytest.raises(ValueError, match=r"last.pt is not a training checkpoint of this project"):
        train(params, "999", "1", "cpu", log=lambda *_: None)


@pytest.mark.parametrize(("damage", "message"), [
    ("wav", "fold1_room1_mix001_ov1.wav: not a readable audio file"),
    ("csv", "fold1_room1_mix001_ov1.csv:2: azimuth inf is outside [-180, 180]"),
])
def test_the_extraction_script_reports_bad_input_in_one_line(tiny, damage, message, capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("bfe", Path(__file__).parents[2] / "scripts" / "batch_feature_extraction.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    name = "fold1_room1_mix001_ov1"
    if damage == "wav":
        Path(tiny.dataset_dir, "foa_dev", f"{name}.wav").write_bytes(np.random.default_rng(1).bytes(3000))
    else:
        Path(tiny.dataset_dir, "metadata_dev", f"{name}.csv").write_text("0,1,0,10,20\n1,1,0,inf,20\n")
    sets = [f"dataset_dir={tiny.dataset_dir}", f"feat_label_dir={tiny.feat_label_dir}", "max_audio_len_s=1.0",
            "train_folds=(3,)"]
    assert script.main(["999", "--set", *sets]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
