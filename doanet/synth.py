"""A synthetic TAU-NIGENS Spatial Sound Events 2020 data set, in that data set's on-disk format.

Under a base folder it writes ``foa_dev/``, ``mic_dev/`` and ``metadata_dev/`` with files named
``fold{F}_room{R}_mix{NNN}_ov{1|2}.wav`` (24 kHz, 4 channels, 16-bit PCM) and CSVs of rows
``frame,class,track,azimuth,elevation`` (integers, no header, 100 ms frames). One scene is rendered
in both formats:

* FOA: ACN channel order (W, Y, Z, X), SN3D normalisation: a plane wave from (az, el) has gains
  (1, sin az cos el, sin el, cos az cos el).
* MIC: the tetrahedral array of the real set, omnidirectional capsules on a 4.2 cm radius at
  (45, 35), (-45, -35), (135, -35), (-135, 35) degrees, each receiving the plane wave with its
  propagation delay (fractional, per sample, so moving sources move smoothly).
* Rooms (doanet.rooms): each room of a fold is a shoebox (sides ``synth_room_side_m``, height
  ``synth_room_height_m``) with the array inside it and walls whose absorption gives the drawn RT60
  (Sabine). Each event's source stands ``synth_source_distance_m`` from the array; its early
  reflections come from the image sources of that room up to ``synth_image_order``, each delayed,
  damped and encoded from its own arrival direction (FOA gains, the array's delays), recomputed along
  the path of a moving source. A diffuse late tail (decaying noise from many directions) follows from
  the mean free path on, and early + late are scaled to the room's drawn DRR. Ambient noise is a
  diffuse field too, scaled to ``synth_snr_db`` below the direct sound. Every part goes through the same
  FOA gains and array delays, so the formats agree.

Events: 14 classes (doanet.sounds), onsets and offsets on the 100 ms label grid, half static, half
moving in azimuth at up to ``synth_max_speed_deg_s``; ov1 files have one source at a time, ov2 files
up to two. Azimuth in [-180, 180), elevation in [-45, 45]. Everything is seeded per file, and a file
is written whole or not at all.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import fftconvolve

from common.io import FolderLock, atomic_write, remove_stale_temporaries, write_json
from configs.doanet import DOAnetParams
from doanet.rooms import SPEED_OF_SOUND, Room, draw_room, early_reflections, source_positions
from doanet.sounds import CLASSES, synthesize

MIC_RADIUS = 0.042
MIC_DIRECTIONS_DEG = ((45.0, 35.0), (-45.0, -35.0), (135.0, -35.0), (-135.0, 35.0))
MAX_ELEVATION = 45


def unit_vectors(azimuth_deg: np.ndarray, elevation_deg: np.ndarray) -> np.ndarray:
    """(..., 3) unit vectors, x front, y left, z up."""
    az, el = np.deg2rad(azimuth_deg), np.deg2rad(elevation_deg)
    return np.stack([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)], axis=-1)


def foa_gains(azimuth_deg: np.ndarray, elevation_deg: np.ndarray) -> np.ndarray:
    """ACN/SN3D first-order gains (..., 4) in channel order W, Y, Z, X."""
    x, y, z = np.moveaxis(unit_vectors(azimuth_deg, elevation_deg), -1, 0)
    return np.stack([np.ones_like(x), y, z, x], axis=-1)


def mic_positions() -> np.ndarray:
    """(4, 3) capsule positions in metres."""
    az, el = np.array(MIC_DIRECTIONS_DEG).T
    return MIC_RADIUS * unit_vectors(az, el)


def mic_delays(azimuth_deg: np.ndarray, elevation_deg: np.ndarray) -> np.ndarray:
    """Arrival time of a plane wave from (az, el) at each capsule relative to the array centre, in
    seconds (..., 4): capsules facing the source hear it first (negative delay)."""
    return -(unit_vectors(azimuth_deg, elevation_deg) @ mic_positions().T) / SPEED_OF_SOUND


@dataclass(frozen=True)
class Event:
    class_index: int
    track: int
    onset: int  # first label frame
    offset: int  # one past the last label frame
    azimuth: float  # at the onset, degrees
    elevation: float
    speed: float  # azimuth degrees per second (0: static)
    gain_db: float

    def azimuth_at(self, t_s: np.ndarray, label_hop_s: float) -> np.ndarray:
        """Azimuth (wrapped to [-180, 180)) at times ``t_s`` seconds from the file start."""
        az = self.azimuth + self.speed * (t_s - self.onset * label_hop_s)
        return (az + 180.0) % 360.0 - 180.0


def plan_events(params: DOAnetParams, n_frames: int, overlap: int, rng: np.random.Generator) -> list[Event]:
    """Events on the label grid: ``overlap`` parallel streams of events separated by gaps."""
    hop = params.label_hop_len_s
    events: list[Event] = []
    for _ in range(overlap):
        frame = int(rng.integers(0, max(1, round(1.0 / hop))))
        while True:
            length = int(rng.integers(round(1.0 / hop), round(5.0 / hop) + 1))
            if frame + length > n_frames:
                break
            moving = rng.random() < 0.5
            events.append(Event(
                class_index=int(rng.integers(len(CLASSES))), track=0, onset=frame, offset=frame + length,
                azimuth=float(rng.uniform(-180, 180)), elevation=float(rng.uniform(-MAX_ELEVATION, MAX_ELEVATION)),
                speed=float(rng.uniform(-1, 1) * params.synth_max_speed_deg_s) if moving else 0.0,
                gain_db=float(rng.uniform(-6, 0)),
            ))
            frame += length + int(rng.integers(round(0.3 / hop), round(2.0 / hop) + 1))
    # a second simultaneous instance of a class gets track 1, as in the real metadata
    events.sort(key=lambda e: e.onset)
    out = []
    for e in events:
        busy = {o.track for o in out if o.class_index == e.class_index and o.onset < e.offset and e.onset < o.offset}
        out.append(Event(**{**e.__dict__, "track": min(set(range(params.max_doas + 1)) - busy)}))
    return out


def metadata_rows(events: list[Event], label_hop_s: float) -> list[tuple[int, int, int, int, int]]:
    """CSV rows (frame, class, track, azimuth, elevation) sorted by frame; DOA at each frame's centre."""
    rows = []
    for e in events:
        frames = np.arange(e.onset, e.offset)
        az = e.azimuth_at((frames + 0.5) * label_hop_s, label_hop_s)
        for f, a in zip(frames.tolist(), np.round(az).astype(int).tolist(), strict=True):
            rows.append((f, e.class_index, e.track, ((a + 180) % 360) - 180, round(e.elevation)))
    return sorted(rows, key=lambda r: r[0])


def _fractional_delay(x: np.ndarray, delay_samples: np.ndarray) -> np.ndarray:
    """y[n] = x[n - d[n]] with linear interpolation; d per sample (n,) or scalar."""
    n = np.arange(len(x))
    return np.interp(n - delay_samples, n, x, left=0.0, right=0.0)


def _diffuse_directions(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    v = rng.normal(size=(count, 3))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return np.rad2deg(np.arctan2(v[:, 1], v[:, 0])), np.rad2deg(np.arcsin(v[:, 2]))


def _accumulate_diffuse(spectra, az: np.ndarray, el: np.ndarray, freqs: np.ndarray, foa: np.ndarray, mic: np.ndarray):
    """Add plane waves with rfft ``spectra`` (d, K) from directions (d,) to the FOA and MIC spectra (4, K)."""
    foa += foa_gains(az, el).T @ spectra
    delays = mic_delays(az, el)  # (d, 4)
    for m in range(4):
        mic[m] += np.sum(spectra * np.exp(-2j * np.pi * freqs[None, :] * delays[:, m, None]), axis=0)


def _render_diffuse(sources: np.ndarray, az: np.ndarray, el: np.ndarray, fs: int, chunk: int = 8,
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Plane waves ``sources`` (D, n) from directions (D,) -> FOA (n, 4) and MIC (n, 4), in the
    frequency domain (static directions: exact fractional delays), ``chunk`` directions at a time."""
    n = sources.shape[1]
    freqs = np.fft.rfftfreq(n, 1 / fs)
    foa = np.zeros((4, len(freqs)), complex)
    mic = np.zeros((4, len(freqs)), complex)
    for lo in range(0, len(az), chunk):
        sl = slice(lo, lo + chunk)
        _accumulate_diffuse(np.fft.rfft(sources[sl], axis=1), az[sl], el[sl], freqs, foa, mic)
    scale = 1 / np.sqrt(len(az))
    return np.fft.irfft(foa, n=n, axis=1).T * scale, np.fft.irfft(mic, n=n, axis=1).T * scale


def diffuse_noise(n: int, fs: int, rng: np.random.Generator, directions: int = 32, chunk: int = 2,
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Ambient noise, FOA (n, 4) and MIC (n, 4): pink-ish (1/f power above 20 Hz) noise from
    ``directions`` random directions, drawn directly as spectra ``chunk`` directions at a time to bound
    the memory of long files."""
    freqs = np.fft.rfftfreq(n, 1 / fs)
    shape = 1 / np.sqrt(np.maximum(freqs, 20.0))
    az, el = _diffuse_directions(rng, directions)
    foa = np.zeros((4, len(freqs)), complex)
    mic = np.zeros((4, len(freqs)), complex)
    for lo in range(0, directions, chunk):
        sl = slice(lo, lo + chunk)
        d = len(az[sl])
        spectra = (rng.normal(size=(d, len(freqs))) + 1j * rng.normal(size=(d, len(freqs)))) * shape
        _accumulate_diffuse(spectra, az[sl], el[sl], freqs, foa, mic)
    return np.fft.irfft(foa, n=n, axis=1).T, np.fft.irfft(mic, n=n, axis=1).T


def room_tail(rt60: float, onset_s: float, fs: int, rng: np.random.Generator, directions: int = 256,
              ) -> tuple[np.ndarray, np.ndarray]:
    """The diffuse late reverberation of a room, impulse responses (L, 4) for FOA and MIC of unit energy
    in W: noise decaying by 60 dB over ``rt60`` from the direct sound, faded in linearly over
    [``onset_s``, 2 ``onset_s``] (the room's mean free path time, where the discrete early reflections of
    doanet.rooms thin out into a diffuse field), arriving from ``directions`` random directions."""
    length = int(rt60 * fs)
    t = np.arange(length) / fs
    envelope = np.exp(-6.91 * t / rt60) * np.clip((t - onset_s) / onset_s, 0.0, 1.0)
    az, el = _diffuse_directions(rng, directions)
    foa, mic = _render_diffuse(rng.normal(size=(directions, length)) * envelope, az, el, fs)
    gain = 1 / np.sqrt(np.sum(foa[:, 0] ** 2))
    return foa * gain, mic * gain


def reverb_gains(early_energy: float, drr_db: float) -> tuple[float, float]:
    """Scales of the early reflections and of the unit-energy late tail that make the reverberant energy
    (early + late) ``drr_db`` below the direct sound's (1). The late tail keeps at least a fifth of it:
    where a source's images alone would exceed the budget (a source near walls in a live room), they are
    scaled down, so the room keeps its drawn DRR."""
    budget = 10 ** (-drr_db / 10)
    early_scale = min(1.0, np.sqrt(0.8 * budget / early_energy)) if early_energy > 0 else 1.0
    return float(early_scale), float(np.sqrt(budget - early_energy * early_scale ** 2))


def render_reflections(sig: np.ndarray, room: Room, az: np.ndarray, el: np.ndarray, distance: float,
                       params: DOAnetParams, tail: tuple[np.ndarray, np.ndarray]) -> dict[str, np.ndarray]:
    """The early reflections and late tail of one event's dry signal ``sig`` (n,) whose direct sound
    arrives from (az, el) (n,) degrees per sample at ``distance`` metres: {'foa', 'mic'}: (n + L, 4).

    A static source has one image set; a moving one gets its images recomputed every label hop,
    crossfaded with triangular windows that sum to one (the filter moves smoothly along the path).
    One reflection scale per event (its first position's), so a moving source keeps its loudness."""
    fs, hop = params.fs, round(params.label_hop_len_s * params.fs)
    order = params.synth_image_order
    static = np.all(az == az[0])
    centres = [0] if static else list(range(0, len(sig) + hop, hop))
    at = [min(c, len(sig) - 1) for c in centres]
    positions = source_positions(room, unit_vectors(az[at], el[at]), distance)  # (K, 3)
    irs = [early_reflections(room, pos, order, fs, foa_gains, mic_delays) for pos in positions]
    early_scale, late_scale = reverb_gains(float(np.sum(irs[0][0][:, 0] ** 2)), room.drr_db)
    length = max(len(tail[0]), max(len(ir[0]) for ir in irs))
    out = {fmt: np.zeros((len(sig) + length, 4)) for fmt in ("foa", "mic")}
    n = np.arange(len(sig))
    for c, (ir_foa, ir_mic) in zip(centres, irs, strict=True):
        if static:
            lo, seg = 0, sig
        else:
            lo, hi = max(0, c - hop), min(len(sig), c + hop)
            seg = sig[lo:hi] * np.maximum(0.0, 1.0 - np.abs(n[lo:hi] - c) / hop)
        for fmt, ir in (("foa", ir_foa), ("mic", ir_mic)):
            wet = fftconvolve(seg[:, None], ir * early_scale, axes=0)
            out[fmt][lo:lo + len(wet)] += wet
    for fmt, ir in zip(("foa", "mic"), tail, strict=True):
        wet = fftconvolve(sig[:, None], ir * late_scale, axes=0)
        out[fmt][:len(wet)] += wet
    return out


def draw_file_room(params: DOAnetParams, room_seed: int) -> tuple[Room, tuple[np.ndarray, np.ndarray]]:
    """The room of ``room_seed`` (the same for every file of a room) and its late tail."""
    room_rng = np.random.default_rng(room_seed)
    room = draw_room(room_rng, params.synth_rt60_s, params.synth_drr_db, params.synth_room_side_m,
                     params.synth_room_height_m)
    return room, room_tail(room.rt60, room.mean_free_path_s, params.fs, room_rng)


def render_file(params: DOAnetParams, events: list[Event], room_seed: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Render ``events`` in both formats: {'foa': (n, 4), 'mic': (n, 4)} float64 in [-1, 1]."""
    fs = params.fs
    n = round(params.synth_file_len_s * fs)
    hop = params.label_hop_len_s
    room, tail = draw_file_room(params, room_seed)
    direct = {"foa": np.zeros((n, 4)), "mic": np.zeros((n, 4))}
    reverb = {"foa": np.zeros((n, 4)), "mic": np.zeros((n, 4))}
    ramp = int(0.005 * fs)
    for e in events:
        start, stop = int(e.onset * hop * fs), min(n, int(e.offset * hop * fs))
        sig = synthesize(e.class_index, stop - start, fs, rng) * 10 ** (e.gain_db / 20)
        fade = np.minimum(1.0, np.minimum(np.arange(len(sig)), np.arange(len(sig))[::-1]) / ramp)
        sig = sig * fade
        t = np.arange(start, stop) / fs
        az = e.azimuth_at(t, hop)
        el = np.full_like(az, e.elevation)
        direct["foa"][start:stop] += sig[:, None] * foa_gains(az, el)
        delays = mic_delays(az, el) * fs  # (len, 4) samples
        pad = 16  # room for the delay at both ends of the event
        padded = np.concatenate([np.zeros(pad), sig, np.zeros(pad)])
        for m in range(4):
            d = np.concatenate([np.full(pad, delays[0, m]), delays[:, m], np.full(pad, delays[-1, m])])
            seg = _fractional_delay(padded, d)
            lo, hi = start - pad, stop + pad
            direct["mic"][max(lo, 0):min(hi, n), m] += seg[max(0, -lo):len(seg) - max(0, hi - n)]
        distance = float(rng.uniform(*params.synth_source_distance_m))
        wet = render_reflections(sig, room, az, el, distance, params, tail)
        for fmt in ("foa", "mic"):
            part = wet[fmt][: n - start]
            reverb[fmt][start:start + len(part)] += part
    # ambient noise: a diffuse pink-ish field, SNR relative to the direct sound's mean power
    noise = dict(zip(("foa", "mic"), diffuse_noise(n, fs, rng), strict=True))
    signal_power = np.mean(direct["foa"][:, 0] ** 2) if events else 1e-4
    noise_scale = np.sqrt(signal_power / 10 ** (params.synth_snr_db / 10) / np.mean(noise["foa"][:, 0] ** 2))
    out = {fmt: direct[fmt] + reverb[fmt] + noise_scale * noise[fmt] for fmt in ("foa", "mic")}
    peak = max(np.abs(out["foa"]).max(), np.abs(out["mic"]).max())
    return {fmt: x * (0.89 / peak) for fmt, x in out.items()}


def file_name(fold: int, room: int, mix: int, overlap: int) -> str:
    return f"fold{fold}_room{room}_mix{mix:03d}_ov{overlap}"


def write_wav(path: Path, audio: np.ndarray, fs: int) -> None:
    """Atomically write 16-bit PCM."""
    def write(f):
        buf = io.BytesIO()
        sf.write(buf, audio, fs, subtype="PCM_16", format="WAV")
        f.write(buf.getvalue())
    atomic_write(path, write)


def write_csv(path: Path, rows: list[tuple[int, ...]]) -> None:
    def write(f):
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(rows)
        f.write(text.getvalue().encode())
    atomic_write(path, write)


# bump when the rendering changes, so that old files are not mixed with new ones. 3: shoebox rooms with image-source
# early reflections (doanet.rooms) before the diffuse tail; 2: the tail alone, the same from every direction
SYNTH_VERSION = 3


def synth_signature(params: DOAnetParams, seed: int) -> dict:
    """Everything that determines the synthetic files; stored as synth_manifest.json beside them."""
    fields = ("synth_folds", "synth_files_per_fold", "synth_file_len_s", "synth_rooms_per_fold", "synth_snr_db",
              "synth_rt60_s", "synth_drr_db", "synth_max_speed_deg_s", "synth_room_side_m", "synth_room_height_m",
              "synth_source_distance_m", "synth_image_order", "fs", "label_hop_len_s", "max_doas", "mode")
    return {"version": SYNTH_VERSION, "seed": seed, **{f: getattr(params, f) for f in fields}}


def generate_dataset(
    params: DOAnetParams, base_dir: str | Path | None = None, seed: int | None = None, force: bool = False, log=print,
    workers: int = 1,
) -> list[str]:
    """Write the whole synthetic set under ``base_dir`` (default ``params.dataset_dir``); files that
    exist already are skipped, so an interrupted run resumes. A folder holding recordings made with other
    parameters is refused unless ``force`` (then every file is rewritten). Returns the file stems.

    The parameters are validated before anything is written, and the manifest is written only then, so a
    run with bad parameters leaves nothing that blocks a good one. The run holds a lock on the folder (a
    second generator into it is refused) and removes the temporaries a killed run left there.
    Memory: one file at a time per worker (about 0.5 GB for a 60 s file); ``workers`` > 1 renders files in
    that many processes (the files do not depend on it)."""
    import json

    from tqdm import tqdm

    params.validate()
    base = Path(params.dataset_dir if base_dir is None else base_dir)
    seed = params.synth_seed if seed is None else seed
    manifest = base / "synth_manifest.json"
    signature = json.loads(json.dumps(synth_signature(params, seed)))
    folders = {"foa": base / f"foa_{params.mode}", "mic": base / f"mic_{params.mode}", "csv": base / f"metadata_{params.mode}"}
    with FolderLock(base, what=f"synthetic data set {base}"):
        for folder in (base, *folders.values()):
            if folder.is_dir():
                remove_stale_temporaries(folder)
        if manifest.exists() and not force and _read_manifest(manifest) != signature:
            if any(folder.is_dir() and any(folder.iterdir()) for folder in folders.values()):
                raise ValueError(f"{base} was synthesised with other parameters ({manifest}); use another folder or --force")
            log(f"{manifest}: no recording was written with its parameters; replaced")
        write_json(manifest, signature)
        n_frames = round(params.synth_file_len_s / params.label_hop_len_s)
        jobs = []
        for fold in params.synth_folds:
            for i in range(params.synth_files_per_fold):
                room = 1 + i % params.synth_rooms_per_fold
                jobs.append((fold, room, i + 1, 1 + i % 2))
        stems = [file_name(*job) for job in jobs]
        todo = [(params, seed, n_frames, job, folders) for job in jobs
                if force or not all(p.exists() for p in _file_paths(folders, file_name(*job)).values())]
        bar = tqdm(total=len(todo), desc="synthetic TAU-NIGENS", disable=None)
        if workers > 1 and len(todo) > 1:
            # every file has its own seeds, so the set is the same whatever the number of workers
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(max_workers=workers) as pool:
                for _ in pool.map(_write_file, todo):
                    bar.update()
        else:
            for job in todo:
                _write_file(job)
                bar.update()
        bar.close()
    log(f"{base}: {len(stems)} recordings in foa_{params.mode}/, mic_{params.mode}/ and metadata_{params.mode}/")
    return stems


def _file_paths(folders: dict[str, Path], stem: str) -> dict[str, Path]:
    return {"foa": folders["foa"] / f"{stem}.wav", "mic": folders["mic"] / f"{stem}.wav",
            "csv": folders["csv"] / f"{stem}.csv"}


def _write_file(job) -> None:
    """Render and write one recording: job = (params, seed, n_frames, (fold, room, mix, overlap), folders)."""
    params, seed, n_frames, (fold, room, mix, overlap), folders = job
    paths = _file_paths(folders, file_name(fold, room, mix, overlap))
    rng = np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(fold, mix)))
    events = plan_events(params, n_frames, overlap, rng)
    audio = render_file(params, events, room_seed=seed * 1000 + fold * 100 + room, rng=rng)
    write_wav(paths["foa"], audio["foa"], params.fs)
    write_wav(paths["mic"], audio["mic"], params.fs)
    write_csv(paths["csv"], metadata_rows(events, params.label_hop_len_s))  # last: marks the file complete


def _read_manifest(path: Path) -> dict | None:
    import json

    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None  # unreadable: as if made with other parameters
