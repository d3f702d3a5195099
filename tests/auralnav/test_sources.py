import numpy as np
import pytest
import soundfile as sf
from scipy import signal

from auralnav.sources import load_wav, load_wav_folder, make_loopable, normalize_loudness, synthesize
from configs.auralnav import SOURCE_KINDS

FS = 16000


def rms_db(x):
    return 20 * np.log10(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


@pytest.mark.parametrize("kind", SOURCE_KINDS)
def test_synthesis_is_deterministic_by_seed_and_normalised(kind):
    a = synthesize(kind, 3, FS, 2.0, level_db=-25.0)
    assert a.dtype == np.float32 and a.ndim == 1 and len(a) == 2 * FS - int(0.02 * FS)  # minus the loop cross-fade
    np.testing.assert_array_equal(a, synthesize(kind, 3, FS, 2.0, level_db=-25.0))
    assert not np.array_equal(a, synthesize(kind, 4, FS, 2.0, level_db=-25.0))
    assert rms_db(a) == pytest.approx(-25.0, abs=0.01) and np.max(np.abs(a)) <= 0.99
    assert abs(np.mean(a)) < 1e-3  # high-passed: no DC


def test_kinds_sound_different():
    def centroid(x):
        f, p = signal.welch(x, FS, nperseg=1024)
        return np.sum(f * p) / np.sum(p)

    c = {k: centroid(synthesize(k, 0, FS, 2.0)) for k in SOURCE_KINDS}
    assert len({round(v, -1) for v in c.values()}) == len(SOURCE_KINDS)
    # the siren's pitch moves: its dominant frequency spans hundreds of Hz over the clip
    f, _, s = signal.stft(synthesize("siren", 0, FS, 4.0), FS, nperseg=1024)
    peaks = f[np.argmax(np.abs(s), axis=0)]
    assert peaks.max() - peaks.min() > 300
    # the phone rings in a cadence: some 50 ms frames are near silent
    frames = synthesize("phone", 0, FS, 4.0)[: 79 * 800].reshape(79, 800)
    assert np.min(np.sqrt(np.mean(frames**2, axis=1))) < 0.01 * np.max(np.sqrt(np.mean(frames**2, axis=1)))


def test_unknown_kind_names_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown source kind 'violin'.*phone"):
        synthesize("violin", 0)


def test_loop_cross_fade_removes_the_click():
    x = np.sin(2 * np.pi * 3.3 * np.arange(1000) / 1000)  # 3.3 cycles: a jump at the loop point
    y = make_loopable(x, 100)
    assert len(y) == 900
    jump = abs(y[0] - y[-1])
    assert jump < 0.05 and abs(x[0] - x[-1]) > 0.5


def test_normalize_loudness_limits_the_peak():
    x = np.zeros(1000)
    x[0] = 1.0  # a click: RMS -30 dB; lifting it to -10 dB would clip
    y = normalize_loudness(x, -10.0)
    assert np.max(np.abs(y)) == pytest.approx(0.99)
    with pytest.raises(ValueError, match="silent"):
        normalize_loudness(np.zeros(10))


def test_wav_loader_resamples_downmixes_and_normalises(tmp_path):
    t = np.arange(int(0.5 * 44100)) / 44100
    stereo = np.stack([0.5 * np.sin(2 * np.pi * 440 * t), 0.1 * np.sin(2 * np.pi * 440 * t)], axis=1)
    (tmp_path / "sub").mkdir()
    sf.write(tmp_path / "sub" / "tone.wav", stereo, 44100, subtype="PCM_24")
    sf.write(tmp_path / "b.WAV", stereo[:, 0], 44100)
    (tmp_path / "notes.txt").write_text("not audio")
    loaded = load_wav_folder(tmp_path, FS, level_db=-30.0)
    assert sorted(loaded) == ["b.WAV", "sub/tone.wav"]
    x = loaded["sub/tone.wav"]
    assert x.dtype == np.float32 and abs(len(x) - (FS // 2 - int(0.02 * FS))) <= 1
    assert rms_db(x) == pytest.approx(-30.0, abs=0.01)
    f, p = signal.welch(x, FS, nperseg=2048)
    assert abs(f[np.argmax(p)] - 440) < 10


def test_wav_loader_errors_name_the_folder_or_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="source_dir .*missing"):
        load_wav_folder(tmp_path / "missing", FS)
    with pytest.raises(ValueError, match="holds no .wav files"):
        load_wav_folder(tmp_path, FS)
    (tmp_path / "broken.wav").write_bytes(b"RIFF0000WAVEjunk")
    with pytest.raises(ValueError, match="cannot read wav file .*broken.wav"):
        load_wav_folder(tmp_path, FS)
    sf.write(tmp_path / "silent.wav", np.zeros(8000), 8000)
    with pytest.raises(ValueError, match="silent.wav is silent"):
        load_wav(tmp_path / "silent.wav", FS)
