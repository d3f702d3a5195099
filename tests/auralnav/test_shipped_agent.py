"""Regression test of the shipped AuralNav agent (data/pretrained/auralnav_task8_agent.pt): it loads on its own
(it carries its separator), hears through the separator, and finds both sources on fixed evaluation rooms
of task 8 about as fast as when it was shipped (data/pretrained/README.md)."""

from pathlib import Path

import torch

from auralnav.agents import load_agent
from auralnav.env import make_env
from auralnav.evaluation import evaluate, summarize

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data" / "pretrained" / "auralnav_task8_agent.pt"
SHIPPED_SEPARATOR = ROOT / "data" / "pretrained" / "auralnav_task8_separator.pt"


def test_shipped_files_are_small_and_self_describing():
    assert SHIPPED.stat().st_size < 5e6 and SHIPPED_SEPARATOR.stat().st_size < 5e6
    ckpt = torch.load(SHIPPED, weights_only=True)
    assert ckpt["model_name"] == "QNetwork" and ckpt["config"]["task_id"] == "8"
    assert ckpt["model_args"]["features"]["cue_source"] == "separator"
    separator = torch.load(SHIPPED_SEPARATOR, weights_only=True)
    for k, v in separator["state_dict"].items():  # the agent carries the shipped separator
        torch.testing.assert_close(ckpt["separator"]["state_dict"][k], v)


def test_shipped_agent_finds_both_sources_on_fixed_rooms():
    env = make_env("8", return_images=True)
    assert env.spec.max_episode_steps == 200
    results = evaluate(env, load_agent(SHIPPED, env), episodes=5, seed=0)
    s = summarize(results)
    assert s["success_rate"] == 1.0, [(r.seed, r.found, r.steps) for r in results]
    assert s["mean_steps_to_success"] <= 45
