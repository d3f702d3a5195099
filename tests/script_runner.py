"""Run a script of scripts/ in a subprocess, as a user would, and fail the test with its output."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_script(script: str, *args: str) -> str:
    """stdout of ``python3 scripts/<script> <args>`` run from the repository root; asserts exit status 0."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / script), *args], capture_output=True, text=True,
                            cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout
