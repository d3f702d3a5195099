"""AuralNav quick_test through the evaluation script: the oracle finds every source, the random agent
faces the same rooms, and both write their JSON and figure."""

import json

from tests.script_runner import run_script as run


def test_evaluate_script_random_and_oracle(tmp_path):
    reports = {}
    for agent in ("oracle", "random"):
        out = run("evaluate_auralnav.py", "--quick", "--agent", agent, "--seed", "5", "--set", f"run_dir={tmp_path}")
        assert f"| {agent} | 3 |" in out
        folder = tmp_path / f"999_{agent}_seed5"
        assert (folder / "trajectories.png").stat().st_size > 10_000
        reports[agent] = json.loads((folder / "eval.json").read_text())["results"][agent]
    assert reports["oracle"]["summary"]["success_rate"] == 1.0
    assert reports["oracle"]["summary"]["mean_return"] > reports["random"]["summary"]["mean_return"]
    for o, r in zip(reports["oracle"]["episodes"], reports["random"]["episodes"], strict=True):
        assert o["seed"] == r["seed"] and o["sources"] == r["sources"] and o["path"][0] == r["path"][0]
