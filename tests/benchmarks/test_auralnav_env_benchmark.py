"""benchmarks/bench_auralnav_env.py runs (task 999, a few steps) and writes its JSON summary."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_auralnav_benchmark_quick(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_auralnav_env.py"), "--quick", "--out", str(out)],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    (r,) = json.loads(out.read_text())["results"]
    assert r["task"] == "999" and r["steps"] == 20
    for key in ("ours_steps_per_s", "whole_clip_steps_per_s", "sync_vector_4_steps_per_s", "async_vector_2_steps_per_s"):
        assert r[key] > 0
