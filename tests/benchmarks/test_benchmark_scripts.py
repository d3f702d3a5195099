"""The benchmark scripts run (a tiny budget) and write their JSON summary."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_hnet_benchmark_quick(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_hnet.py"), "--quick", "--skip-loop",
                             "--out", str(out)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(out.read_text())
    assert summary["generation"]["vectorised"]["examples"] == 44_550
    assert summary["training"][0]["steps"] == 158 and summary["training"][0]["epoch_s"] > 0


def test_doanet_benchmarks_quick(tmp_path):
    for script, key in (("bench_doanet_features.py", "results"), ("bench_doanet_train.py", "metrics")):
        out = tmp_path / f"{script}.json"
        result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--quick", "--out", str(out)],
                                capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert result.returncode == 0, result.stderr[-2000:]
        assert json.loads(out.read_text())[key]


def test_auralnav_agent_benchmark_quick(tmp_path):
    out = tmp_path / "agent.json"
    script = ROOT / "benchmarks" / "bench_auralnav_agent.py"
    result = subprocess.run([sys.executable, str(script), "--quick", "--out", str(out)], capture_output=True, text=True,
                            timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    row = json.loads(out.read_text())["results"][0]
    assert row["separator_forward_batch1_s"] > 0 and row["update_batch4_frozen_cached_s"] > 0 and row["act_4_envs_s"] > 0
