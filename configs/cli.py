"""The command-line conventions every script shares: a positional task id (and job id), --quick,
--set key=value overrides, and errors on bad input printed as one line with exit status 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from typing import Any

from configs.base import format_params, parse_set_args


def task_parser(doc: str | None, config: str, tasks: Mapping[str, Any], job: bool = False,
                quick: bool = True) -> argparse.ArgumentParser:
    """An ArgumentParser with ``task_id`` (and ``job_id``), ``--quick`` and ``--set``."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("task_id", nargs="?", default="1", help=f"parameter set of configs/{config}.py, one of {list(tasks)}")
    if job:
        ap.add_argument("job_id", nargs="?", default="1", help="names this run's outputs")
    if quick:
        ap.add_argument("--quick", action="store_true", help="quick_test (same as task 999)")
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="override parameters, e.g. lr=3e-4")
    return ap


def resolve_params(ap: argparse.ArgumentParser, args: argparse.Namespace, get_params: Callable[..., Any],
                   title: str | None = None) -> tuple[str, Any]:
    """(task id, params) from the parsed arguments; a bad task id or override exits with usage (2).
    With ``title`` the resolved parameters are printed."""
    task_id = "999" if getattr(args, "quick", False) else args.task_id
    try:
        params = get_params(task_id, **parse_set_args(args.set))
    except ValueError as err:
        ap.error(str(err))
    if title:
        print(f"{title}, task {task_id}:\n{format_params(params)}")
    return task_id, params


def report_errors(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
    """Run ``fn``; a FileNotFoundError or ValueError (bad input) becomes ``error: ...`` and status 2."""
    from common.io import FolderInUseError

    try:
        fn(*args, **kwargs)
    except (FileNotFoundError, ValueError, FolderInUseError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0
