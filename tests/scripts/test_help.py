"""Every script's --help exits 0, prints its usage, and imports none of the heavy libraries (they load after
the arguments are parsed, so --help is instant and a typo fails before any model is built)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "scripts").glob("*.py"))
HEAVY = ("torch", "librosa", "asteroid", "rfdetr", "cv2")
PROBE = """
import contextlib, io, json, runpy, sys
sys.argv = [sys.argv[1], "--help"]
out, code = io.StringIO(), 0
try:
    with contextlib.redirect_stdout(out):
        runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit as exit:
    code = exit.code or 0
print(json.dumps({"code": code, "usage": out.getvalue().startswith("usage:"),
                  "heavy": sorted(m for m in HEAVY if m in sys.modules)}))
""".replace("HEAVY", repr(HEAVY))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_help_is_light(script):
    run = subprocess.run([sys.executable, "-c", PROBE, str(script)], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["code"] == 0 and result["usage"], result
    assert result["heavy"] == [], f"{script.name} --help imported {result['heavy']}"
