"""The synthetic data set's format, and the physics of the features computed from it."""

import numpy as np
import pytest
import soundfile as sf

from configs.doanet import get_params
from doanet.features import MIC_PAIRS, extract_features, load_audio
from doanet.labels import read_metadata
from doanet.sounds import CLASSES, synthesize
from doanet.synth import Event, foa_gains, metadata_rows, mic_delays, render_file

FS = 24000


def static_scene(az, el, dataset="foa", seconds=3.0, class_index=7):
    params = get_params("999", synth_file_len_s=seconds, max_audio_len_s=seconds, dataset=dataset)
    event = Event(class_index=class_index, track=0, onset=0, offset=int(seconds * 10), azimuth=az, elevation=el, speed=0.0,
                  gain_db=0.0)
    audio = render_file(params, [event], room_seed=1, rng=np.random.default_rng(0))
    return params, audio


@pytest.mark.parametrize("class_index", [2, 6, 7])  # crash, female speech, fire
@pytest.mark.parametrize(("az", "el"), [(0.0, 0.0), (60.0, 20.0), (-135.0, -40.0), (170.0, 35.0)])
def test_foa_intensity_vectors_point_at_the_source(az, el, class_index):
    """Through reverberation and ambient noise, the intensity vectors, averaged over time and mel bands
    with the omni channel's power as weight, point at the source within 5 degrees."""
    params, audio = static_scene(az, el, class_index=class_index)
    feat = extract_features(audio["foa"], params)  # (T, 7, 64)
    power = 10 ** (feat[:, 0] / 10)  # (T, 64) W channel
    y, z, x = (feat[:, 4:7] * power[:, None]).sum(axis=(0, 2))
    v = np.array([x, y, z]) / np.linalg.norm([x, y, z])
    true = foa_gains(np.array(az), np.array(el))[[3, 1, 2]]
    assert np.rad2deg(np.arccos(np.clip(v @ true, -1, 1))) < 5.0


@pytest.mark.parametrize(("az", "el"), [(30.0, 10.0), (-100.0, -30.0)])
def test_mic_gcc_phat_peaks_at_the_geometric_delay(az, el):
    params, audio = static_scene(az, el, dataset="mic")
    feat = extract_features(audio["mic"], params)  # (T, 10, 64)
    delays = mic_delays(np.array(az), np.array(el)) * FS  # (4,) samples
    for k, (m, n) in enumerate(MIC_PAIRS):
        peak_lag = int(np.argmax(feat[:, 4 + k].mean(0))) - 32
        assert abs(peak_lag - (delays[n] - delays[m])) <= 1.0, (m, n)


def test_feature_shapes_and_log_mel_range():
    params, audio = static_scene(0.0, 0.0)
    foa = extract_features(audio["foa"], params)
    mic = extract_features(audio["mic"], get_params("999", dataset="mic", max_audio_len_s=3.0))
    assert foa.shape == (150, 7, 64) and mic.shape == (150, 10, 64)
    for f in (foa, mic):
        logmel = f[:, :4]
        assert np.all(logmel.max(axis=(0, 2)) - logmel.min(axis=(0, 2)) <= 80.0 + 1e-3)  # top_db per channel


def test_batched_extraction_equals_one_by_one():
    params, audio = static_scene(45.0, 0.0, seconds=1.0)
    batch = np.stack([audio["foa"], audio["foa"][::-1].copy()])
    out = extract_features(batch, params)
    np.testing.assert_allclose(out[0], extract_features(audio["foa"], params), rtol=1e-4, atol=1e-4)


def test_moving_source_labels_follow_the_trajectory():
    e = Event(class_index=0, track=0, onset=0, offset=20, azimuth=170.0, elevation=10.0, speed=40.0, gain_db=0.0)
    rows = metadata_rows([e], 0.1)
    az = np.array([r[3] for r in rows])
    assert len(rows) == 20 and np.all((az >= -180) & (az < 180))
    assert az[0] == 172 and az[-1] == -112  # 170 + 40 deg/s * 0.05 s; wraps past 180 to -180 + ...
    assert {r[4] for r in rows} == {10}


def test_every_class_sounds_different():
    centroids = []
    for i in range(len(CLASSES)):
        x = synthesize(i, FS * 2, FS, np.random.default_rng(i))
        assert np.isfinite(x).all() and abs(np.sqrt(np.mean(x**2)) - 1) < 1e-6
        spec = np.abs(np.fft.rfft(x)) ** 2
        centroids.append((spec * np.fft.rfftfreq(len(x), 1 / FS)).sum() / spec.sum())
    assert len(CLASSES) == 14 and max(centroids) / min(centroids) > 5


def test_written_dataset_format(small_dataset):
    base = small_dataset.dataset_dir
    from pathlib import Path

    names = sorted(p.stem for p in Path(base, "foa_dev").glob("*.wav"))
    assert names[0] == "fold1_room1_mix001_ov1" and len(names) == 9
    for name in names:
        for fmt in ("foa", "mic"):
            info = sf.info(str(Path(base, f"{fmt}_dev", f"{name}.wav")))
            assert (info.samplerate, info.channels, info.subtype) == (24000, 4, "PCM_16")
            assert info.frames == 6 * 24000
        rows = read_metadata(Path(base, "metadata_dev", f"{name}.csv"))
        text = Path(base, "metadata_dev", f"{name}.csv").read_text()
        assert all(len(line.split(",")) == 5 and "." not in line for line in text.splitlines())
        assert np.all((rows[:, 3] >= -180) & (rows[:, 3] < 180)) and np.all(np.abs(rows[:, 4]) <= 45)
        assert np.all(rows[:, 1] < 14) and np.all(np.diff(rows[:, 0]) >= 0)
        per_frame = np.bincount(rows[:, 0]) if len(rows) else np.zeros(1)
        assert per_frame.max() <= (1 if name.endswith("ov1") else 2)


def test_generation_is_deterministic_and_resumes(small_dataset, tmp_path):
    from pathlib import Path

    from doanet.synth import generate_dataset

    params = get_params("999", dataset_dir=str(tmp_path), synth_folds=(1,), synth_files_per_fold=1)
    generate_dataset(params, log=lambda *_: None)
    again = Path(small_dataset.dataset_dir, "foa_dev", "fold1_room1_mix001_ov1.wav").read_bytes()
    assert Path(tmp_path, "foa_dev", "fold1_room1_mix001_ov1.wav").read_bytes() == again
    mtime = Path(tmp_path, "mic_dev", "fold1_room1_mix001_ov1.wav").stat().st_mtime_ns
    generate_dataset(params, log=lambda *_: None)
    assert Path(tmp_path, "mic_dev", "fold1_room1_mix001_ov1.wav").stat().st_mtime_ns == mtime


def test_foa_and_mic_render_the_same_scene(small_dataset):
    from pathlib import Path

    foa, _ = sf.read(str(Path(small_dataset.dataset_dir, "foa_dev", "fold1_room1_mix001_ov1.wav")))
    mic, _ = sf.read(str(Path(small_dataset.dataset_dir, "mic_dev", "fold1_room1_mix001_ov1.wav")))
    # the omni W channel and the mean of the four capsules carry the same signal (up to tiny delays)
    w, m = foa[:, 0], mic.mean(1)
    corr = np.corrcoef(w, m)[0, 1]
    assert corr > 0.8


@pytest.mark.parametrize(("fs", "channels", "match"), [(16000, 4, "sample rate 16000 Hz, expected 24000"),
                                                      (24000, 2, "2 channels, expected 4")])
def test_bad_audio_is_reported_with_the_file(tmp_path, fs, channels, match):
    sf.write(str(tmp_path / "x.wav"), np.zeros((fs, channels)), fs, subtype="PCM_16")
    with pytest.raises(ValueError, match=match):
        load_audio(tmp_path / "x.wav", get_params("999"))


@pytest.mark.parametrize("dataset", ["foa", "mic"])
def test_features_equal_the_per_channel_librosa_reference(dataset):
    from doanet.reference import features_librosa

    params, audio = static_scene(-30.0, 15.0, dataset=dataset, seconds=1.0)
    ours = extract_features(audio[dataset], params)
    ref = features_librosa(audio[dataset], params)
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours[:, :4], ref[:, :4], atol=0.05)  # log-mel, dB
    np.testing.assert_allclose(ours[:, 4:], ref[:, 4:], atol=2e-3)  # intensity vectors / GCC-PHAT


def test_a_folder_of_other_parameters_is_refused(tmp_path):
    from doanet.synth import generate_dataset

    params = get_params("999", dataset_dir=str(tmp_path), synth_folds=(1,), synth_files_per_fold=1)
    generate_dataset(params, log=lambda *_: None)
    other = get_params("999", dataset_dir=str(tmp_path), synth_folds=(1,), synth_files_per_fold=1, synth_snr_db=5.0)
    with pytest.raises(ValueError, match="other parameters.*--force"):
        generate_dataset(other, log=lambda *_: None)
    generate_dataset(other, force=True, log=lambda *_: None)
