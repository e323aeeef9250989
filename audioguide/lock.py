"""One writer at a time: an exclusive lock on a file, held by the process that took it and by no
other.

The lock is an ``flock(2)`` on a file beside what it guards (``output/.audioguide.lock``). Such a
lock belongs to an open file description, which ``fork()`` shares: a worker forked while the
lock is held would go on holding it after the build died. So the lock's descriptor is closed in
every forked child (the parent's lock stays: flock locks go only when the last descriptor does),
and it is close-on-exec, so no program the build runs holds it either.

A lock whose owner is gone is stale: processes that inherited it (from a build of an earlier
version killed with ``kill -9``) keep it taken although no build runs. The owner is the process
that took the lock (``/proc/locks`` on Linux names it; the lock file also holds its pid); when
that process no longer runs, the lock file is replaced by a new one, under a lock on the folder
itself so that two builds cannot both take over, and the new lock is taken with a notice.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import BuildError

log = logging.getLogger(__name__)
POLL_SECONDS = 0.2  # how often a waiting process tries the lock again
_held: set[int] = set()  # descriptors of the locks this process holds


def _close_in_child() -> None:
    for fd in _held:
        try:
            os.close(fd)
        except OSError:
            pass
    _held.clear()


os.register_at_fork(after_in_child=_close_in_child)


@contextmanager
def locked(path: Path, waiting: str) -> Iterator[None]:
    """Hold the lock ``path`` (created if missing) for the block. While another process holds it,
    ``waiting`` is logged once and this one waits; a stale lock is taken over with a notice."""
    path = Path(path)
    told = False
    while True:
        fd = _open(path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = _owner(fd)
            if owner is not None and not _running(*owner) and _take_over(path, fd):
                log.info(
                    f"{path} was held by processes of a build that is gone (pid {owner[0]}); "
                    "took the lock over"
                )
            elif not told:
                log.info(waiting)
                told = True
            os.close(fd)
            time.sleep(0.0 if owner is not None and not _running(*owner) else POLL_SECONDS)
            continue
        if _same_file(fd, path):
            break
        os.close(fd)  # replaced by a process that took a stale lock over: try the new one
    _held.add(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {_start_time(os.getpid()) or ''}\n".encode(), 0)
        yield
    finally:
        _held.discard(fd)
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@contextmanager
def locked_folder(folder: Path, waiting: str) -> Iterator[None]:
    """Hold an flock on ``folder`` itself for the block (nothing is created in it); while
    another process holds it, ``waiting`` is logged and this one waits. For commands that never
    start another process while they hold it (the kernel frees it when its holder ends)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info(waiting)
            fcntl.flock(fd, fcntl.LOCK_EX)
        _held.add(fd)
        yield
    finally:
        _held.discard(fd)
        os.close(fd)


def _open(path: Path) -> int:
    """The lock file, opened (created if missing) without following a link and without waiting
    on a pipe; refused (:class:`BuildError`) unless it is a regular file of this user's that no
    other name shares: truncating it must never truncate anything else."""
    flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, 0o644)
        info = os.fstat(fd)
        # (A lock with no name left is one another build just took over: the caller retries.)
        if stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid() and info.st_nlink <= 1:
            return fd
        os.close(fd)
    except OSError as exc:
        if exc.errno not in (errno.ELOOP, errno.ENXIO, errno.EISDIR):
            raise
    raise BuildError(
        f"{path} is not the build's lock (a symbolic or hard link, a pipe, a folder or another "
        "user's file); remove it and run the command again"
    )


def _same_file(fd: int, path: Path) -> bool:
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


def _owner(fd: int) -> tuple[int, str | None] | None:
    """The process that took the lock on ``fd``'s file, and its start time when the file records
    it; None when unknown (taken a moment ago and not yet written)."""
    written = os.pread(fd, 64, 0).decode("ascii", "replace").split()
    recorded = int(written[0]) if written and written[0].isdigit() else None
    started = written[1] if len(written) > 1 else None
    holder = _flock_holder(fd)
    if holder is None:
        return (recorded, started) if recorded is not None else None
    return holder, started if holder == recorded else None


def _flock_holder(fd: int) -> int | None:
    """The pid ``/proc/locks`` gives for the flock on ``fd``'s file (Linux), else None."""
    info = os.fstat(fd)
    inode = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 12345 fd:01:1234567 0 EOF"
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == inode:
            return int(fields[4]) if fields[4].isdigit() else None
    return None


def _running(pid: int, started: str | None) -> bool:
    """Whether process ``pid`` runs (not a zombie; the one that started at ``started``, if
    known)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    fields = _stat(pid)
    if fields is None:
        return True  # no /proc: the signal's answer is all there is
    return fields[0] != "Z" and (started is None or fields[19] == started)


def _start_time(pid: int) -> str | None:
    """When process ``pid`` started, in clock ticks since boot (Linux), else None."""
    fields = _stat(pid)
    return fields[19] if fields is not None else None


def _stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (state first), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    return fields if len(fields) > 19 else None


def _take_over(path: Path, fd: int) -> bool:
    """Remove the stale lock file ``path`` (still the file of ``fd``, still locked); whether it
    was removed. Two processes may find the same stale lock: a lock on the folder lets one
    remove it, and the other then finds a new file (held or not) and starts over."""
    folder = os.open(path.parent, os.O_RDONLY | os.O_CLOEXEC)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        if not _same_file(fd, path):
            return False
        path.unlink()
        return True
    finally:
        os.close(folder)
