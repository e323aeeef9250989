"""Reading input files safely; atomic file writes: a reader sees the old file or the new one,
never a torn one."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def read_input(path: Path, limit: int, inside: Path | None = None) -> bytes:
    """The bytes of an input file, refused (:class:`ValueError` saying why) when it is not a
    regular file (a device, a pipe, a folder), when it is larger than ``limit`` bytes, or when
    ``inside`` is given and it (or a symlink it is reached through) leads outside that folder.
    """
    path = Path(path)
    if inside is not None and not path.resolve().is_relative_to(Path(inside).resolve()):
        raise ValueError(f"leads outside {inside} (a symbolic link); copy the file there instead")
    # Non-blocking, so that opening a pipe does not wait for a writer; then the open file is
    # checked, so what is checked is what is read.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with open(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("is not a regular file (a device, a pipe or a folder)")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"is larger than {limit // 1024} KiB")
    return data


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
