"""Atomic writes: a file appears under its final name whole, or not at all."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], Any]) -> Path:
    """Call ``write(f)`` on a temporary file beside ``path``, then rename it over ``path``.

    An interrupted run leaves at most a ``.tmp`` file behind, never a half file under the real name.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes files private (0600); give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_json(path: str | os.PathLike, obj: Any) -> Path:
    """Atomically write ``obj`` as indented JSON."""
    return atomic_write(path, lambda f: f.write((json.dumps(obj, indent=2) + "\n").encode()))


def remove_stale_temporaries(folder: str | os.PathLike) -> list[Path]:
    """Delete what an interrupted ``atomic_write`` or ``save_figure`` left in ``folder`` (``.NAME.*.tmp``,
    ``.NAME.tmp.png``). Call it only while holding the folder's lock: then no other writer is using them."""
    folder = Path(folder)
    stale = [p for p in folder.glob(".*.tmp*") if p.is_file() and (p.name.endswith(".tmp") or ".tmp." in p.name)]
    for p in stale:
        p.unlink(missing_ok=True)
    return stale


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class FolderInUseError(RuntimeError):
    """Another live process holds the folder's lock."""


class FolderLock:
    """An advisory lock on a folder: the file ``.lock`` holding the owner's pid.

    A second process is refused with a message naming the first while that process lives; a lock left by
    a process that is gone (killed) is taken over. Use as a context manager or with acquire/release."""

    def __init__(self, folder: str | os.PathLike, what: str = ""):
        self.folder = Path(folder)
        self.path = self.folder / ".lock"
        self.what = what or str(self.folder)
        self.held = False

    def acquire(self) -> FolderLock:
        self.folder.mkdir(parents=True, exist_ok=True)
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                try:
                    owner = int(self.path.read_text().split()[0])
                except (OSError, ValueError, IndexError):
                    owner = -1  # unreadable or half-written: treat as stale
                if owner == os.getpid():
                    raise RuntimeError(f"{self.what}: this process already holds {self.path}") from None
                if owner > 0 and process_alive(owner):
                    raise FolderInUseError(
                        f"{self.what} is in use by process {owner} (lock {self.path}); wait for it to finish, "
                        f"stop it, or use another job id / output folder") from None
                self.path.unlink(missing_ok=True)  # its owner is gone: take the lock over
                continue
            with os.fdopen(fd, "w") as f:
                f.write(f"{os.getpid()}\n")
            self.held = True
            return self
        raise RuntimeError(f"{self.what}: could not take the lock {self.path}")

    def release(self) -> None:
        if self.held:
            self.path.unlink(missing_ok=True)
            self.held = False

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
