import json

import numpy as np
import pytest

from auralnav.evaluation import Episode, evaluate_agents, format_table, run_episode, summarize
from configs.auralnav import get_params


def _episode(success, steps, ret, found=2):
    return Episode(seed=0, success=success, steps=steps, episode_return=ret, found=found, num_sources=2, path=[[0, 0]],
                   sources=[[1, 1], [2, 2]], source_found=[found > 0, found > 1], source_names=["a", "b"],
                   room_corners=[[0, 0], [4, 0], [4, 4], [0, 4]])


def test_summary_metrics():
    s = summarize([_episode(True, 10, 190.0), _episode(True, 30, 170.0), _episode(False, 100, 50.0, found=1)])
    assert s["success_rate"] == pytest.approx(2 / 3)
    assert s["mean_steps_to_success"] == 20.0 and s["mean_steps"] == pytest.approx(140 / 3)
    assert s["mean_return"] == pytest.approx(410 / 3) and s["mean_found_fraction"] == pytest.approx(5 / 6)
    assert summarize([_episode(False, 100, -50.0, found=0)])["mean_steps_to_success"] is None
    table = format_table({"oracle": s, "none": summarize([_episode(False, 5, -2.5, 0)])})
    assert "| oracle | 3 | 0.67 | 20.0 | 136.7 | 0.83 |" in table and "| none | 1 | 0.00 | - |" in table


def test_run_episode_adds_up_the_rewards(fast):
    from auralnav.agents import RandomAgent
    from auralnav.env import make_env

    env = make_env("999", max_episode_steps=20, **fast)
    r = run_episode(env, RandomAgent(0), seed=4)
    assert len(r.path) == r.steps + 1 and r.steps <= 20
    expected_min = -0.6 * r.steps + 100 * r.found
    assert expected_min - 1e-9 <= r.episode_return <= -0.5 * r.steps + 100 * r.found + 1e-9


def test_evaluate_agents_on_the_same_rooms_writes_json_and_figure(tmp_path):
    params = get_params("999", window_s=0.05, eval_episodes=2, run_dir=str(tmp_path), cue_source="images")
    report = evaluate_agents(params, "999", ["oracle", "random", "handcoded"], seed=3, log=lambda _: None)
    out = tmp_path / "999_oracle_random_handcoded_seed3"
    assert report["out_dir"] == str(out) and (out / "trajectories.png").stat().st_size > 10_000
    saved = json.loads((out / "eval.json").read_text())
    assert saved["agents"] == ["oracle", "random", "handcoded"]
    assert saved["results"]["oracle"]["summary"]["success_rate"] == 1.0
    rooms = [[e["sources"] for e in saved["results"][a]["episodes"]] for a in saved["agents"]]
    assert rooms[0] == rooms[1] == rooms[2] and [e["seed"] for e in saved["results"]["random"]["episodes"]] == [3, 4]
    assert saved["params"]["window_s"] == 0.05 and np.isfinite(saved["results"]["random"]["summary"]["mean_return"])
    assert "| handcoded | 2 |" in report["table"]
    with pytest.raises(ValueError, match="episodes must be >= 1"):
        evaluate_agents(params, "999", ["oracle"], episodes=0)
    with pytest.raises(ValueError, match="--epsilon applies to learned agents"):
        evaluate_agents(params, "999", ["oracle"], epsilon=0.1)
