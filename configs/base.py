"""Task-id overrides over a frozen parameters dataclass, shared by every system's config module.

A system declares its defaults as a frozen dataclass and a table ``{task_id: {field: value}}`` that
holds only the changes. ``resolve`` applies a task, then any keyword overrides, and refuses unknown
task ids, unknown keys and values of the wrong type with a ValueError that names what is known.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

P = TypeVar("P")


def _check_value(name: str, value: Any, hint: Any) -> Any:
    """Return ``value`` coerced to the annotated type ``hint`` where that is lossless, else raise."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        errors = []
        for option in typing.get_args(hint):
            if option is type(None):
                if value is None:
                    return None
                continue
            try:
                return _check_value(name, value, option)
            except ValueError as err:
                errors.append(str(err))
        raise ValueError(f"parameter {name!r}: {value!r} matches none of {hint}")
    if origin is tuple:
        if not isinstance(value, (tuple, list)):
            raise ValueError(f"parameter {name!r} expects a tuple ({hint}), got {value!r}")
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_check_value(name, v, args[0]) for v in value)
        if len(args) != len(value):
            raise ValueError(f"parameter {name!r} expects {len(args)} values ({hint}), got {value!r}")
        return tuple(_check_value(name, v, a) for v, a in zip(value, args, strict=False))
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"parameter {name!r} expects a float, got {value!r}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"parameter {name!r} expects an int, got {value!r}")
        return int(value)
    if hint is bool:
        if not isinstance(value, bool):
            raise ValueError(f"parameter {name!r} expects a bool (True/False), got {value!r}")
        return value
    if hint is str:
        if isinstance(value, (_IntText, _FloatText)):
            return value.text  # --set data_dir=2026: the text as typed, not the number it also reads as
        if not isinstance(value, str):
            raise ValueError(f"parameter {name!r} expects a string, got {value!r}")
        return value
    raise TypeError(f"parameter {name!r}: unsupported annotation {hint}")  # a bug in a config module


def apply_overrides(params: P, overrides: Mapping[str, Any], source: str = "override") -> P:
    """A copy of the frozen dataclass ``params`` with ``overrides`` applied and type-checked."""
    hints = typing.get_type_hints(type(params))
    known = [f.name for f in dataclasses.fields(params)]
    unknown = sorted(set(overrides) - set(known))
    if unknown:
        raise ValueError(f"{source}: unknown parameter(s) {unknown}; known parameters are {known}")
    checked = {k: _check_value(k, v, hints[k]) for k, v in overrides.items()}
    return dataclasses.replace(params, **checked)


def resolve(defaults: P, tasks: Mapping[str, Mapping[str, Any]], task_id: str | int, **overrides: Any) -> P:
    """Defaults, then the task's overrides, then ``overrides``; each step validated."""
    task_id = str(task_id)
    if task_id not in tasks:
        raise ValueError(f"unknown task id {task_id!r}; known task ids are {sorted(tasks, key=_id_order)}")
    params = apply_overrides(defaults, tasks[task_id], source=f"task {task_id}")
    params = apply_overrides(params, overrides)
    check = getattr(params, "validate", None)
    if check is not None:
        check()
    return params


def _id_order(task_id: str) -> tuple[int, str]:
    return (int(task_id), "") if task_id.isdigit() else (10**9, task_id)


class _IntText(int):
    """An int read from ``--set``, remembering its text: a string parameter takes the text itself."""

    text: str


class _FloatText(float):
    text: str


def _literal(raw: str) -> Any:
    value = ast.literal_eval(raw)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = (_IntText if isinstance(value, int) else _FloatText)(value)
        value.text = raw.strip()
    return value


def parse_set_args(pairs: Iterable[str]) -> dict[str, Any]:
    """``["lr=3e-4", "resolutions=(1, 5)"]`` -> ``{"lr": 0.0003, "resolutions": (1, 5)}``.

    Values are Python literals; anything that is not one is kept as a string. A number given to a
    string parameter (``data_dir=2026``) is taken as the text typed.
    """
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--set expects key=value, got {pair!r}")
        try:
            value = _literal(raw)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            value = raw
        out[key.strip()] = value
    return out


def to_dict(params: Any) -> dict[str, Any]:
    """Plain-type dict of a params dataclass (tuples as lists), for JSON and checkpoints."""
    return json.loads(json.dumps(dataclasses.asdict(params)))


def format_params(params: Any) -> str:
    """One ``name: value`` line per parameter, for printing at the start of a run."""
    width = max(len(f.name) for f in dataclasses.fields(params))
    return "\n".join(f"  {f.name:<{width}} : {getattr(params, f.name)!r}" for f in dataclasses.fields(params))
