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


def _number_type(kind: type, lo: float | None, hi: float | None, what: str) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if (lo is not None and not value >= lo) or (hi is not None and not value <= hi):
            raise argparse.ArgumentTypeError(f"{text} is not {what}")
        return value

    parse.__name__ = what  # argparse names the type in its messages
    return parse


positive_int = _number_type(int, 1, None, "an integer >= 1")
nonnegative_int = _number_type(int, 0, None, "an integer >= 0")
probability = _number_type(float, 0.0, 1.0, "a number in [0, 1]")


def _bad_input_errors() -> tuple[type[BaseException], ...]:
    from common.io import FolderInUseError

    errors: tuple[type[BaseException], ...] = (OSError, ValueError, FolderInUseError)
    soundfile = sys.modules.get("soundfile")  # not imported: none of its errors can occur
    if soundfile is not None:
        errors += (soundfile.SoundFileError,)
    return errors


def report_errors(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
    """Run ``fn``; bad input (a missing, unreadable or malformed file, a bad value, a folder in use by another
    process) becomes one line ``error: ...`` and exit status 2 instead of a traceback."""
    try:
        fn(*args, **kwargs)
    except _bad_input_errors() as err:
        message = " ".join(str(err).split()) or type(err).__name__
        print(f"error: {message}", file=sys.stderr)
        return 2
    return 0


def add_device_arg(ap: argparse.ArgumentParser) -> None:
    """``--device auto|cpu|cuda[:N]``, default auto (CUDA when available); checked by common.device.pick_device."""
    ap.add_argument("--device", default="auto", help="auto (CUDA when available), cpu, cuda or cuda:N")


def add_out_arg(ap: argparse.ArgumentParser, what: str = "output folder", default: str | None = None) -> None:
    """``--out``: where a script writes (one name for the same idea in every script)."""
    ap.add_argument("--out", default=default, help=what + (f" (default {default})" if default else ""))


def add_seed_arg(ap: argparse.ArgumentParser, default: int = 0, what: str = "random seed") -> None:
    ap.add_argument("--seed", type=nonnegative_int, default=default, help=f"{what} (default {default})")


def add_checkpoint_task_args(ap: argparse.ArgumentParser, config: str, tasks: Mapping[str, Any]) -> None:
    """For scripts that read a checkpoint: an optional positional task id (default: the checkpoint's own
    task), ``--quick`` (task 999) and ``--set``. Resolve with ``checkpoint_task``."""
    ap.add_argument("task_id", nargs="?", default=None,
                    help=f"parameter set of configs/{config}.py (default: the checkpoint's task), one of {list(tasks)}")
    ap.add_argument("--quick", action="store_true", help="quick_test (same as task 999)")
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="override parameters, e.g. seed=3")


def checkpoint_task(args: argparse.Namespace, checkpoint: Mapping[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """(task id, overrides) of a script that reads a checkpoint (``add_checkpoint_task_args``): --quick (task
    999), else the positional id, else the task the checkpoint was trained with (its config), else '1' (also
    when there is no checkpoint: None). The one task-from-checkpoint rule of every script."""
    config = (checkpoint or {}).get("config") or {}
    task = "999" if getattr(args, "quick", False) else (args.task_id or str(config.get("task_id", "1")))
    return task, parse_set_args(args.set)


class _DeprecatedAlias(argparse.Action):
    """Stores like the option it aliases; said on stderr when a deprecated spelling is used."""

    def __init__(self, option_strings, dest, deprecated=(), **kwargs):
        self.deprecated = tuple(deprecated)
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        if option_string in self.deprecated:
            print(f"warning: {option_string} is deprecated; use {self.option_strings[0]}", file=sys.stderr)
        setattr(namespace, self.dest, values)


def add_checkpoint_arg(ap: argparse.ArgumentParser, *deprecated: str, dest: str = "checkpoint", **kwargs: Any) -> None:
    """``--checkpoint`` for a model file (one name in every script), with older spellings kept as deprecated
    aliases (``--agent``, ``--weights``) that say so when used."""
    ap.add_argument("--checkpoint", *deprecated, dest=dest, action=_DeprecatedAlias, deprecated=deprecated, **kwargs)
