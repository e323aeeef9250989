"""Atomic file writes: a reader sees the old file or the new one, never a torn one."""

from __future__ import annotations

import filecmp
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomic(path: Path, data: bytes, durable: bool = True) -> bool:
    """Write ``data`` to ``path`` unless it already holds exactly that; return whether it wrote.

    Leaving an unchanged file alone keeps its modification time, so a rebuild with no change
    rewrites nothing. ``durable=False`` skips the fsync: still safe against a killed process,
    not against a power cut (fine for a cache).
    """
    path = Path(path)
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def write_atomic_with(path: Path, write: Callable[[BinaryIO], None]) -> bool:
    """Like :func:`write_atomic` for content too large to hold in memory: ``write`` streams it
    into a temporary file beside ``path``, which replaces ``path`` unless both are the same."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w+b") as handle:
            write(handle)
            handle.flush()
            if path.is_file() and filecmp.cmp(tmp, path, shallow=False):
                Path(tmp).unlink()
                return False
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True
