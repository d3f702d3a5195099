import numpy as np
import pytest

from auralnav.env import BACKWARD, FORWARD, TURN_LEFT, make_env
from auralnav.features import ODOMETRY_SCALE_M, CueEncoder, Memory, feature_config, state_dim, state_vector
from configs.auralnav import get_params


def cues_of(*vols, itd=0.0):
    """Cues (1, S, 3) with the given VOLs (loudest first)."""
    return np.array([[[itd, 0.0, v] for v in vols]], np.float32)


def pose(x, y=1.0):
    return np.array([[x, y, 1.0, 0.0]], np.float32)


def test_memory_holds_the_previous_step_and_sees_bumps():
    m = Memory(1)
    first = m.observe(cues_of(-30.0, -40.0), pose(1.0))
    assert first.prev_action[0] == -1 and first.going[0] == 1 and not first.bumped[0]
    np.testing.assert_array_equal(first.prev_cues, first.cues)  # nothing heard before: the same window
    m.acted(np.array([FORWARD]))
    moved = m.observe(cues_of(-28.0, -41.0), pose(1.5))
    assert moved.prev_action[0] == FORWARD and not moved.bumped[0] and moved.prev_cues[0, 0, 2] == -30.0
    m.acted(np.array([BACKWARD]))
    blocked = m.observe(cues_of(-28.0, -41.0), pose(1.5))  # a backward move that left the pose unchanged
    assert blocked.bumped[0] and blocked.going[0] == -1
    m.acted(np.array([TURN_LEFT]))
    turned = m.observe(cues_of(-28.0, -41.0), pose(1.5))
    assert not turned.bumped[0] and turned.going[0] == -1  # a turn keeps the direction of the last move
    m.reset(0)
    again = m.observe(cues_of(-20.0, -50.0), pose(3.0))
    assert again.prev_action[0] == -1 and again.going[0] == 1 and again.prev_cues[0, 0, 2] == -20.0


def test_observe_is_idempotent_until_acted():
    m = Memory(2)
    c = np.concatenate([cues_of(-30.0, -40.0), cues_of(-35.0, -45.0)])
    p = np.concatenate([pose(1.0), pose(2.0)])
    m.observe(c, p)
    m.acted(np.array([FORWARD, TURN_LEFT]))
    a = m.observe(c, p)
    b = m.observe(c, p)
    np.testing.assert_array_equal(a.bumped, b.bumped)
    np.testing.assert_array_equal(a.prev_cues, b.prev_cues)
    assert a.bumped.tolist() == [True, False]


@pytest.mark.parametrize(("cue_source", "memory", "n_src"), [("images", True, 2), ("images", False, 2),
                                                             ("mixture", True, 1)])
def test_state_layout(cue_source, memory, n_src):
    params = get_params("8", cue_source=cue_source, memory=memory)
    config = feature_config(params)
    assert config["n_src"] == n_src
    m = Memory(1)
    m.observe(cues_of(*[-30.0] * n_src, itd=0.5), pose(0.0, 8.0))
    m.acted(np.array([BACKWARD]))
    step = m.observe(cues_of(*[-27.0] * n_src, itd=0.5), pose(8.0, 0.0))
    x = state_vector(step, config)
    assert x.shape == (1, state_dim(config)) and x.dtype == np.float32
    assert x[0, 0] == 0.5 and x[0, 2] == pytest.approx((-27.0 + 40) / 10)  # ITD, VOL of the loudest
    np.testing.assert_allclose(x[0, -4:], [1.0, -1.0, 1.0, 0.0])  # position over the room -> [-1, 1]
    if memory:
        dvol = x[0, 6 * n_src: 7 * n_src]
        np.testing.assert_allclose(dvol, 1.0)  # 3 dB louder / 3 dB
        onehot, going, bumped = x[0, 7 * n_src: 7 * n_src + 4], x[0, 7 * n_src + 4], x[0, 7 * n_src + 5]
        assert onehot.tolist() == [0, 1, 0, 0] and going == -1 and bumped == 0


def test_encoder_cues_are_sorted_and_ideal_separation_needs_images():
    params = get_params("8", cue_source="images")
    env = make_env(params=params, return_images=True)
    encoder = CueEncoder(feature_config(params))
    vols = []
    for seed in range(5):
        obs, info = env.reset(seed=seed)
        cues = encoder(obs["audio"][None], info["images"][None])
        assert cues.shape == (1, 2, 3)
        vols.append(cues[0, :, 2])
    assert all(v[0] >= v[1] for v in vols)
    with pytest.raises(ValueError, match="needs info\\['images'\\]"):
        encoder(obs["audio"][None])
    mixture = CueEncoder(feature_config(get_params("8", cue_source="mixture")))
    assert mixture(obs["audio"][None]).shape == (1, 1, 3)
    with pytest.raises(ValueError, match="needs a separator"):
        CueEncoder(feature_config(get_params("8")))


@pytest.mark.parametrize("room_side", [5.0, 14.0])
def test_odometry_pose_is_the_displacement_from_the_start_in_any_room(room_side):
    params = get_params("13", cue_source="images", pose_frame="odometry", room_side_range=(room_side, room_side))
    config = feature_config(params)
    m = Memory(2)
    start = np.concatenate([pose(1.0, 1.0), pose(room_side - 1.0, 2.0)])
    m.observe(np.concatenate([cues_of(-30.0, -40.0)] * 2), start)
    m.acted(np.array([FORWARD, FORWARD]))
    moved = np.concatenate([pose(1.0 + 3.0, 1.0), pose(room_side - 1.0 - 30.0, 2.0)])  # 3 m; 30 m (clipped)
    x = state_vector(m.observe(np.concatenate([cues_of(-30.0, -40.0)] * 2), moved), config)
    np.testing.assert_allclose(x[:, -4:-2], [[3.0 / ODOMETRY_SCALE_M, 0.0], [-2.0, 0.0]])
    m.reset(1)  # a new episode starts where it is: displacement zero again
    x = state_vector(m.observe(np.concatenate([cues_of(-30.0, -40.0)] * 2), moved), config)
    np.testing.assert_allclose(x[1, -4:-2], [0.0, 0.0])


def test_checkpoints_without_pose_frame_read_room_coordinates():
    config = feature_config(get_params("8", cue_source="images"))
    legacy = {k: v for k, v in config.items() if k != "pose_frame"}
    m = Memory(1)
    step = m.observe(cues_of(-30.0, -40.0), pose(8.0, 0.0))
    np.testing.assert_array_equal(state_vector(step, legacy), state_vector(step, config))
    with pytest.raises(ValueError, match="pose_frame"):
        get_params("8", pose_frame="gps")


@pytest.mark.parametrize("h", [1, 3])
def test_history_holds_the_older_steps_in_order_and_restarts_with_the_episode(h):
    params = get_params("8", cue_source="images", history_steps=h)
    config = feature_config(params)
    m = Memory(1, history_steps=h)
    vols, actions = [-30.0, -29.0, -28.0, -27.0, -26.0], [FORWARD, TURN_LEFT, FORWARD, BACKWARD, FORWARD]
    for t, (v, a) in enumerate(zip(vols, actions, strict=True)):
        step = m.observe(cues_of(v, -40.0), pose(1.0 + 0.5 * t))
        x = state_vector(step, config)
        assert x.shape == (1, state_dim(config))
        for j in range(h):  # entry j: the step t - 2 - j, or the episode's first observation with no action
            back = t - 2 - j
            assert step.history_cues[0, j, 0, 2] == (vols[back] if back >= 0 else vols[0])
            assert step.history_actions[0, j] == (actions[back] if back >= 0 else -1)
            assert step.history_poses[0, j, 0] == pytest.approx(1.0 + 0.5 * max(back, 0))
        m.acted(np.array([a]))
    block = 3 * 2 + 4 + 4  # per older step: cues (3 S), action one-hot, pose
    older = x[0, 7 * 2 + 6: 7 * 2 + 6 + h * block].reshape(h, block)
    # at the last step (t = 4) the newest older step is t = 2: its VOL, its action, its x over the room
    assert older[0, 2] == pytest.approx((vols[2] + 40) / 10)
    assert older[0, 6:10].tolist() == np.eye(4)[actions[2]].tolist()
    assert older[0, 10] == pytest.approx(state_vector(m.observe(cues_of(-1.0, -1.0), pose(2.0)), config)[0, -4])
    np.testing.assert_allclose(x[0, -4:], state_vector(step, {**config, "history_steps": 0})[0, -4:])
    m.reset(0)
    again = m.observe(cues_of(-20.0, -50.0), pose(3.0))
    assert (again.history_actions == -1).all() and (again.history_cues[0, :, 0, 2] == -20.0).all()


def test_history_needs_a_memory_that_keeps_it():
    config = feature_config(get_params("8", cue_source="images", history_steps=2))
    step = Memory(1).observe(cues_of(-30.0, -40.0), pose(1.0))
    with pytest.raises(ValueError, match="history_steps=2"):
        state_vector(step, config)
    with pytest.raises(ValueError, match="history_steps must be >= 0"):
        get_params("8", history_steps=-1)
    assert state_dim(feature_config(get_params("8", history_steps=2, memory=False))) == state_dim(
        feature_config(get_params("8", memory=False)))  # no memory: no history either


@pytest.mark.parametrize("k", [1, 3])
def test_stack_states_shifts_oldest_first_and_restarts_with_the_episode(k):
    from auralnav.features import stack_states

    d = 2
    s0 = np.array([[1.0, 1.0], [5.0, 5.0]], np.float32)
    window = stack_states(None, s0, np.array([True, True]), k)
    np.testing.assert_array_equal(window, np.tile(s0, (1, k)))  # the first state fills every slot
    s1 = s0 + 1
    after = stack_states(window, s1, np.array([False, True]), k)  # env 1 starts a new episode
    np.testing.assert_array_equal(after[0, -d:], s1[0])  # newest last
    if k > 1:
        np.testing.assert_array_equal(after[0, -2 * d:-d], s0[0])
    np.testing.assert_array_equal(after[1], np.tile(s1[1], k))
    again = stack_states(window, s1, np.array([False, True]), k)
    np.testing.assert_array_equal(after, again)  # pure: the caller's window is not changed
    np.testing.assert_array_equal(window, np.tile(s0, (1, k)))


def test_stack_states_without_a_window_is_the_state_and_checks_shapes():
    from auralnav.features import stack_states

    s = np.ones((2, 4), np.float32)
    assert stack_states(None, s, np.array([True, False]), 0) is s
    with pytest.raises(ValueError, match="window has shape"):
        stack_states(np.ones((2, 7), np.float32), s, np.array([False, False]), 2)
