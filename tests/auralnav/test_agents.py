import numpy as np
import pytest

from auralnav.agents import HandCodedAgent, OracleAgent, RandomAgent, load_agent, make_agent
from auralnav.env import BACKWARD, FORWARD, TURN_LEFT, TURN_RIGHT, make_env
from auralnav.evaluation import evaluate, summarize


@pytest.mark.parametrize(
    "overrides",
    [{}, {"num_sources": 3, "sources": ("horn", "music", "babble"), "source_separation": 0.8},
     {"room_dim": (8.0, 8.0), "acceptable_radius": 0.3, "step_size": 0.5, "start_distance": 1.0},
     {"room_corners": tuple((3 + 3 * np.cos(k * np.pi / 3), 3 + 3 * np.sin(k * np.pi / 3)) for k in range(6))},
     {"room_dim": (6.0, 1.5), "source_wall_margin": 0.3, "source_separation": 0.5, "start_distance": 1.2,
      "acceptable_radius": 0.6}],
)
def test_oracle_always_succeeds_in_an_empty_room(fast, overrides):
    env = make_env("999", max_episode_steps=300, **{**fast, "window_s": 0.01}, **overrides)
    results = evaluate(env, OracleAgent.for_env(env), episodes=15, seed=100)
    assert all(r.success for r in results), [(r.seed, r.found) for r in results if not r.success]
    # it walks about straight: no more moves than the greedy tour between source centres takes in steps
    # (+1 per source for rounding), and a bounded number of turns
    step = env.unwrapped.params.step_size
    for r in results:
        path, left = np.array(r.path), list(np.array(r.sources))
        tour, here = 0.0, path[0]
        while left:
            i = int(np.argmin([np.linalg.norm(s - here) for s in left]))
            tour += np.linalg.norm(left[i] - here)
            here = left.pop(i)
        moves = int(np.sum(np.linalg.norm(np.diff(path, axis=0), axis=1) > 0))
        assert moves <= tour / step + r.num_sources and r.steps - moves <= 10 * r.num_sources


def test_oracle_beats_random_on_the_same_rooms(fast):
    env = make_env("999", **fast)
    oracle = summarize(evaluate(env, OracleAgent.for_env(env), episodes=5, seed=0))
    rand = summarize(evaluate(env, RandomAgent(0), episodes=5, seed=0))
    assert oracle["success_rate"] == 1.0 and oracle["mean_return"] > rand["mean_return"]
    assert oracle["mean_steps"] < rand["mean_steps"]


def test_random_agent_is_seeded():
    a, b = RandomAgent(1), RandomAgent(2)
    first = [a.act(None, None) for _ in range(50)]
    a.reset(2)
    assert [a.act(None, None) for _ in range(50)] == [b.act(None, None) for _ in range(50)] != first
    assert set(first) == {0, 1, 2, 3}


def step_of(itd, vol, prev_vol, prev_action, going=1.0, bumped=False):
    from auralnav.features import Step

    return Step(cues=np.array([[[itd, 0.0, vol]]]), prev_cues=np.array([[[0.0, 0.0, prev_vol]]]),
                prev_action=np.array([prev_action]), going=np.array([going]), bumped=np.array([bumped]),
                pose=np.zeros((1, 4)))


@pytest.mark.parametrize(
    ("step", "expected", "why"),
    [((0.1, -30.0, -31.0, FORWARD), FORWARD, "louder after a move, straight ahead: go on"),
     ((0.1, -35.0, -31.0, FORWARD), BACKWARD, "quieter after a forward move: it is behind"),
     ((0.1, -35.0, -31.0, BACKWARD, -1.0), FORWARD, "quieter after a backward move: reverse again"),
     ((0.1, -30.0, -31.0, FORWARD, 1.0, True), BACKWARD, "blocked by a wall: reverse"),
     ((0.8, -30.0, -31.0, FORWARD), TURN_LEFT, "on the left, walking forward: turn left"),
     ((-0.8, -30.0, -31.0, FORWARD), TURN_RIGHT, "on the right: turn right"),
     ((0.8, -30.0, -31.0, BACKWARD, -1.0), TURN_RIGHT, "on the left, walking backward: keep it behind"),
     ((0.8, -35.0, -31.0, TURN_LEFT), TURN_LEFT, "after a turn no volume comparison"),
     ((0.8, -95.0, -30.0, FORWARD), FORWARD, "silent window: no reversal, no turn, move on"),
     ((0.0, -30.0, -30.0, -1), FORWARD, "first step: forward")],
)
def test_hand_coded_rule(step, expected, why):
    agent = HandCodedAgent(encoder=None, itd_threshold=0.35, drop_db=3.0)
    assert agent.decide(step_of(*step))[0] == expected, why


def test_hand_coded_agent_finds_sources_by_ear():
    env = make_env("8", cue_source="images", max_episode_steps=200, return_images=True)
    s = summarize(evaluate(env, make_agent("handcoded", env), episodes=6, seed=20_000))
    assert s["success_rate"] >= 5 / 6 and s["mean_steps_to_success"] < 80


def test_checkpoint_agents_load_and_refuse_other_environments(tmp_path, fast):
    from auralnav.train import train
    from configs.auralnav import get_params

    env = make_env("999", **fast)
    assert isinstance(make_agent("random", env), RandomAgent) and isinstance(make_agent("oracle", env), OracleAgent)
    with pytest.raises(FileNotFoundError, match="agent checkpoint .*missing.pt not found"):
        load_agent(tmp_path / "missing.pt", env)
    (tmp_path / "empty.pt").write_bytes(b"")
    with pytest.raises(ValueError, match="empty.pt is not a readable checkpoint"):
        make_agent(str(tmp_path / "empty.pt"), env)
    params = get_params("999", **fast, run_dir=str(tmp_path), total_steps=8, learning_starts=4, validation_every=8,
                        validation_episodes=1, max_episode_steps=5)
    train(params, "999", "t", log=lambda _: None)
    agent = make_agent(str(tmp_path / "999_t" / "best.pt"), env)
    obs, info = env.reset(seed=0)
    assert agent.act(obs, info) in range(4) and agent.name == "999_t_best"
    agent.epsilon = 1.0  # every action random, reproducibly by episode seed
    agent.reset(3)
    first = [agent.act(obs, info) for _ in range(20)]
    agent.reset(3)
    assert [agent.act(obs, info) for _ in range(20)] == first and len(set(first)) > 1
    with pytest.raises(ValueError, match="trained with fs=8000, the environment has 16000"):
        make_agent(str(tmp_path / "999_t" / "best.pt"), make_env("999", **{**fast, "fs": 16000}))
