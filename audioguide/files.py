"""Reading input files safely, and atomic file writes: a reader sees the old file or the new
one, never a torn one.

A file is first written under a temporary name beside it, ``.audioguide-tmp-<name>.<random>.tmp``,
then renamed over it. Only names with that prefix are ever cleaned up (:func:`remove_temporary`),
so a folder shared with other files loses nothing of theirs.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import BuildError

TEMPORARY_PREFIX = ".audioguide-tmp-"
TEMPORARY_SUFFIX = ".tmp"
_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}  # the disk (or the process's share) is full


@contextmanager
def into_place(path: Path, durable: bool = True) -> Iterator[Path]:
    """A temporary file beside ``path``, to be written by the caller; it replaces ``path`` when
    the block ends without an error, and is removed when it raises."""
    path = Path(path)
    refuse_special(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(
            prefix=f"{TEMPORARY_PREFIX}{path.name}.", suffix=TEMPORARY_SUFFIX, dir=path.parent
        )
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    os.close(fd)
    tmp = Path(name)
    try:
        try:
            yield tmp
        except OSError as exc:
            if exc.errno in _FULL:
                raise _cannot_write(path, exc) from None
            raise
        try:
            if durable:
                with open(tmp, "rb") as handle:
                    os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except OSError as exc:
            raise _cannot_write(path, exc) from None
    finally:
        tmp.unlink(missing_ok=True)


def _cannot_write(path: Path, exc: OSError) -> BuildError:
    """What stops ``path`` being written, named by the file the user gave (never by the
    temporary one beside it), with what to do."""
    if exc.errno in _FULL:
        fix = "free some disk space and run the command again"
    elif exc.errno == errno.ENAMETOOLONG:
        most = 255 - len(TEMPORARY_PREFIX) - len(".xxxxxxxx") - len(TEMPORARY_SUFFIX)
        size = len(os.fsencode(path.name))
        fix = (f"its name is {size} bytes, and audioguide writes it under a longer temporary "
               f"name first: give a shorter name (at most {most} bytes)")  # fmt: skip
    elif exc.errno in (errno.EACCES, errno.EPERM):
        fix = ("the folder does not let you create or replace it (read-only, or a sticky folder "
               "such as /tmp where only a file's owner may replace it): give a path in a "
               "folder of yours")  # fmt: skip
    elif exc.errno == errno.EROFS:
        fix = "the file system is read-only: give a path on another one"
    else:
        fix = "check the folder and give another path if needed"
    return BuildError(f"cannot write {path}: {exc.strerror}; {fix}")


def refuse_special(path: Path) -> None:
    """Raise :class:`BuildError` when ``path`` is there but is not a regular file (or a symbolic
    link, which a write replaces, leaving what it points at alone): a device, a pipe, a socket
    or a folder is never replaced by a file."""
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise BuildError(
            f"{path} is not a regular file (a device, a pipe or a folder); audioguide writes only "
            "files: give another path"
        )


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
    if holds(path, data):
        return False
    with into_place(path, durable) as tmp:
        tmp.write_bytes(data)
    return True


def holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a file whose content is exactly ``data``."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return False


def final_path(path: Path) -> Path:
    """The file a temporary one of :func:`into_place` stands for; any other path as it is."""
    path = Path(path)
    if not is_temporary(path):
        return path
    middle = path.name[len(TEMPORARY_PREFIX) : -len(TEMPORARY_SUFFIX)]
    return path.with_name(middle.rsplit(".", 1)[0])


def is_temporary(path: Path) -> bool:
    """Whether ``path`` is named as :func:`into_place` names its temporary files."""
    name = Path(path).name
    return name.startswith(TEMPORARY_PREFIX) and name.endswith(TEMPORARY_SUFFIX)


def remove_temporary(folder: Path) -> None:
    """Delete what interrupted writes left in ``folder`` (not in its subfolders): only files
    named by :func:`into_place`; nothing else is touched."""
    try:
        entries = list(Path(folder).iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return
    for path in entries:
        if is_temporary(path) and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
