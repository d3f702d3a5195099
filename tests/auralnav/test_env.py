import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import auralnav
from auralnav.env import ACTIONS, BACKWARD, FORWARD, TURN_LEFT, TURN_RIGHT, AudioEnv, make_env

C = 343.0  # pyroomacoustics' speed of sound


def test_registered_with_a_time_limit():
    assert auralnav.ENV_ID == "AuralNav-v0"
    assert gym.spec("AuralNav-v0").max_episode_steps == 1000
    env = gym.make("AuralNav-v0", task_id="999")
    assert isinstance(env.unwrapped, AudioEnv) and env.spec.max_episode_steps == 1000
    assert make_env("999").spec.max_episode_steps == 100  # make_env uses the task's limit


def test_check_env_passes():
    env = gym.make("AuralNav-v0", task_id="999", render_mode="rgb_array", noise_db=-60.0, return_images=True)
    check_env(env.unwrapped)


def test_observation_dtype_shape_and_spaces(fast):
    env = AudioEnv(task_id="999", **fast)
    assert env.action_space == gym.spaces.Discrete(4) and len(ACTIONS) == 4
    obs, _ = env.reset(seed=0)
    assert obs["audio"].dtype == np.float32 and obs["audio"].shape == (2, 400)
    assert obs["agent"].dtype == np.float32 and obs["agent"].shape == (4,)
    assert env.observation_space.contains(obs)
    assert np.hypot(obs["agent"][2], obs["agent"][3]) == pytest.approx(1.0)
    assert np.abs(obs["audio"]).max() > 1e-4  # the sources are heard


def test_same_seed_same_episode_and_global_rng_untouched(fast):
    actions = np.random.default_rng(1).integers(4, size=30)

    def episode(seed):
        env = AudioEnv(task_id="999", noise_db=-50.0, **fast)
        obs, info = env.reset(seed=seed)
        out = [obs["audio"], obs["agent"], info["source_positions"]]
        for a in actions:
            obs, r, term, _, info = env.step(a)
            out += [obs["audio"], obs["agent"], np.array([r])]
            if term:
                break
        return out

    np.random.seed(123)
    state = np.random.get_state()[1].copy()
    a, b, c = episode(7), episode(7), episode(8)
    assert np.array_equal(np.random.get_state()[1], state)  # the env never draws from np.random
    assert len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not np.array_equal(a[2], c[2])


def _one_source_env(source, start, heading_deg=0.0, **kw):
    """An anechoic 8 x 8 m room at 16 kHz with one fixed source and a fixed start."""
    params = {"fs": 16000, "window_s": 0.2, "clip_s": 1.0, "absorption": 1.0, "num_sources": 1, "sources": ("siren",),
              "source_positions": (source,), "agent_start": (*start, heading_deg), "start_distance": 1.05,
              "acceptable_radius": 1.0, **kw}
    return AudioEnv(task_id="1", **params)


def _lag(a, b, up=16):
    """Delay of b relative to a in samples (positive: b later), by cross-correlation, to 1/up sample."""
    n = len(a)
    spec = np.fft.rfft(b, 2 * n) * np.conj(np.fft.rfft(a, 2 * n))
    cc = np.fft.irfft(spec, 2 * n * up)
    cc = np.roll(cc, n * up)
    return (np.argmax(cc) - n * up) / up


@pytest.mark.parametrize(("source", "heading_deg"), [((4.0, 6.0), 0.0), ((6.0, 5.5), 0.0), ((2.5, 3.0), 90.0),
                                                     ((5.5, 2.0), 30.0)])
def test_inter_microphone_delay_and_level_follow_the_geometry(source, heading_deg):
    env = _one_source_env(source, (4.0, 4.0), heading_deg)
    obs, info = env.reset(seed=0)
    left, right = obs["audio"].astype(np.float64)
    d_left, d_right = np.linalg.norm(info["mic_positions"] - np.asarray(source), axis=1)
    expected = (d_right - d_left) / C * 16000  # samples by which the right ear hears later
    assert _lag(left, right) == pytest.approx(expected, abs=0.15)
    # 1/r spreading: the level ratio of the ears is the inverse ratio of their distances
    ratio = np.sqrt(np.mean(left**2) / np.mean(right**2))
    assert ratio == pytest.approx(d_right / d_left, rel=0.01)
    if d_left < d_right:
        assert expected > 0 and ratio > 1


def test_images_sum_to_the_mixture_up_to_the_noise():
    env = AudioEnv(task_id="999", return_images=True, noise_db=-60.0, num_sources=3, sources=("horn", "music", "phone"),
                   room_dim=(5.0, 5.0), source_separation=0.5)
    obs, info = env.reset(seed=3)
    for _ in range(3):
        images = info["images"]
        assert images.shape == (3, 2, env.params.window) and images.dtype == np.float32
        residual = obs["audio"] - images.sum(axis=0)
        assert np.std(residual) == pytest.approx(1e-3, rel=0.1)  # -60 dB full scale
        assert np.all(np.std(images, axis=-1) > 10 * np.std(residual))  # every source is well above the noise
        obs, _, _, _, info = env.step(TURN_LEFT)


def test_rewards_source_removal_and_termination():
    # two sources east of the start; facing east, each forward step of 0.5 m brings one within 0.5 m
    env = AudioEnv(task_id="999", return_images=True, num_sources=2, source_positions=((2.2, 1.0), (3.2, 1.0)),
                   agent_start=(1.0, 1.0, 0.0), acceptable_radius=0.5, start_distance=1.1, source_wall_margin=0.5)
    obs, info = env.reset(seed=0)
    _, r, term, trunc, info = env.step(TURN_LEFT)
    assert r == pytest.approx(-0.6) and not term and info["found_now"] == 0
    _, r, *_ = env.step(TURN_RIGHT)
    assert r == pytest.approx(-0.6)
    _, r, term, _, info = env.step(FORWARD)  # at 1.5: 0.7 from source 0
    assert r == pytest.approx(-0.5) and not term
    _, r, term, _, info = env.step(FORWARD)  # at 2.0: 0.2 from source 0
    assert r == pytest.approx(99.5) and not term and info["found_now"] == 1
    assert info["source_found"].tolist() == [True, False]
    assert np.all(info["images"][0] == 0) and np.any(info["images"][1] != 0)  # found: switched off
    _, r, term, _, info = env.step(FORWARD)  # at 2.5: 0.7 from source 1
    assert r == pytest.approx(-0.5) and not term
    obs, r, term, trunc, info = env.step(FORWARD)  # at 3.0: found the last one
    assert r == pytest.approx(99.5) and term and not trunc
    assert np.all(obs["audio"] == 0)  # every source is off: silence (no sensor noise configured)
    with pytest.raises(RuntimeError, match="call reset"):
        env.step(FORWARD)
    obs, info = env.reset()  # the caller resets; step never does
    assert not info["source_found"].any()


def test_dense_reward_is_the_originals_closeness_term():
    env = AudioEnv(task_id="999", num_sources=1, sources=("siren",), source_positions=((3.0, 1.0),),
                   agent_start=(1.0, 1.0, 0.0), dense_reward=True)
    env.reset(seed=0)
    _, r, *_ = env.step(BACKWARD)  # to (0.5, 1.0): 2.5 m from the source
    assert r == pytest.approx(-0.5 + 1 / (2.5 + 1e-4))


def test_truncation_comes_from_the_time_limit(fast):
    env = make_env("999", max_episode_steps=5, **fast)
    env.reset(seed=0)
    flags = [env.step(TURN_LEFT)[2:4] for _ in range(5)]
    assert flags[:4] == [(False, False)] * 4 and flags[4] == (False, True)


@pytest.mark.parametrize("overrides", [{}, {"room_dim": (1.2, 4.0)}, {"room_dim": (3.0, 3.0, 2.5)},
                                       {"room_corners": ((0, 0), (3, 0), (3.5, 1.5), (1.5, 3), (0, 2))}])
def test_microphones_never_leave_the_room(fast, overrides):
    params = {**fast, "window_s": 0.01, "num_sources": 1, "source_separation": 0.0, "start_distance": 0.6,
              "acceptable_radius": 0.5, "step_size": 0.5, "source_wall_margin": 0.2, **overrides}
    env = make_env("999", max_episode_steps=10**6, **params)
    floor = env.unwrapped.floor
    rng = np.random.default_rng(0)
    env.reset(seed=0)
    closest = np.inf
    for _ in range(800):
        _, _, term, _, info = env.step(int(rng.integers(4)))
        closest = min(closest, floor.clearance(info["mic_positions"]).min())
        if term:
            env.reset()
    assert closest >= env.unwrapped.params.wall_margin - 1e-9
    assert closest < env.unwrapped.params.wall_margin + 0.5  # the walk did reach the walls


@pytest.mark.parametrize(
    ("overrides", "match"),
    [({"source_positions": ((9.0, 1.0), (2.0, 2.0))}, r"source_positions\[0\] = \(9.0, 1.0\) is outside the room"),
     ({"agent_start": (0.05, 2.0)}, r"agent_start = \(0.05, 2.0\) is outside the room or its microphones"),
     ({"source_positions": ((2.0, 2.0), (3.0, 3.0)), "agent_start": (2.5, 2.0)}, "agent_start .* within acceptable_radius"),
     ({"acceptable_radius": 0.1}, "acceptable_radius"),
     ({"source_dir": "/nonexistent/sounds"}, "source_dir /nonexistent/sounds is not a folder"),
     ({"room_corners": ((0, 0), (4, 0), (4, 2), (2, 2), (2, 4), (0, 4))}, "room_corners must form a convex polygon")],
)
def test_bad_parameters_are_errors_naming_them(overrides, match):
    with pytest.raises((ValueError, FileNotFoundError), match=match):
        AudioEnv(task_id="999", **overrides)


def test_a_room_too_small_for_the_sources_is_a_clear_error():
    env = AudioEnv(task_id="999", room_dim=(2.0, 2.0), num_sources=4, source_separation=1.5)
    with pytest.raises(ValueError, match="could not place source"):
        env.reset(seed=0)


def test_wav_folder_sources(tmp_path, fast):
    import soundfile as sf

    t = np.arange(8000) / 8000
    for i, f in enumerate((300.0, 700.0, 1100.0)):
        sf.write(tmp_path / f"s{i}.wav", 0.3 * np.sin(2 * np.pi * f * t), 8000)
    env = AudioEnv(task_id="999", source_dir=str(tmp_path), **fast)
    _, info = env.reset(seed=0)
    assert set(info["source_names"]) <= {"s0.wav", "s1.wav", "s2.wav"} and len(set(info["source_names"])) == 2


def test_render_draws_the_room(fast):
    env = AudioEnv(task_id="999", render_mode="rgb_array", **fast)
    assert AudioEnv(task_id="999", **fast).render() is None
    env.reset(seed=0)
    env.step(FORWARD)
    img = env.render()
    assert img.shape == (400, 400, 3) and img.dtype == np.uint8 and len(np.unique(img.reshape(-1, 3), axis=0)) > 10
    with pytest.raises(ValueError, match="render_mode"):
        AudioEnv(task_id="999", render_mode="human")


@pytest.mark.parametrize("vector_cls", [gym.vector.SyncVectorEnv, gym.vector.AsyncVectorEnv])
def test_vector_envs_match_single_envs(fast, vector_cls):
    fns = [lambda: make_env("999", **fast) for _ in range(2)]
    vec = vector_cls(fns)
    try:
        obs, info = vec.reset(seed=5)
        assert obs["audio"].shape == (2, 2, 400) and obs["audio"].dtype == np.float32
        actions = [[0, 2], [1, 0], [3, 3]]
        for a in actions:
            obs, rewards, _, _, info = vec.step(np.array(a))
        assert info["source_positions"].shape == (2, 2, 2)
    finally:
        vec.close()
    single = make_env("999", **fast)  # env i of a vector env is seeded with seed + i
    o, _ = single.reset(seed=6)
    for a in actions:
        o, r, *_ = single.step(a[1])
    np.testing.assert_array_equal(o["audio"], obs["audio"][1])
    assert r == rewards[1]
