"""Atomic file writes: a reader sees the old file or the new one, never a torn one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

TEMPORARY_PREFIX = ".audioguide-"
"""Temporary files are ``.audioguide-<name>.<random>.tmp`` beside ``<name>``: only they are ours."""


def temporary_files(path: Path) -> list[Path]:
    """What killed writes of ``path`` left behind."""
    path = Path(path)
    return sorted(path.parent.glob(f"{TEMPORARY_PREFIX}{path.name}.*.tmp"))


def write_atomic(
    path: Path,
    data: bytes,
    durable: bool = True,
    before_replace: Callable[[], None] | None = None,
) -> bool:
    """Write ``data`` to ``path`` unless it already holds exactly that; return whether it wrote.

    Leaving an unchanged file alone keeps its modification time, so a rebuild with no change
    rewrites nothing. ``durable=False`` skips the fsync: still safe against a killed process,
    not against a power cut (fine for a cache). ``before_replace`` runs just before the new
    file takes the old one's place; an exception from it leaves the old file as it is.
    """
    path = Path(path)
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f"{TEMPORARY_PREFIX}{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True
