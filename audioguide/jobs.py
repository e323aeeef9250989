"""The worker processes that render tracks and join the whole-guide files, and the queue of jobs
the build hands them.

:func:`pool` starts the workers with the first job (a rebuild with nothing to do starts no
process). On Linux, while this process runs no other thread, they are forked from it, so that
they start at once with what it has loaded; otherwise a forkserver starts them. Every worker
dies with its parent, however the parent ends (``kill -9`` included), ignores Ctrl-C (the build
stops by cancelling what is queued and lets the jobs in hand finish), and says which job it
takes, so that a worker that dies can be named. ``build --scheduler`` hands the same jobs to a
Dask cluster instead (:mod:`audioguide.cluster`), through the same small :class:`Executor`.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, wait
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from .errors import BuildError

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class Executor(Protocol):
    """Where jobs run, ``concurrent.futures`` style: the local worker processes
    (:class:`Processes`, the default) or a Dask cluster (:mod:`audioguide.cluster`)."""

    at_once: int  # jobs to have in hand at a time
    # Whether a sentence's clip is worth a job of its own (:func:`audioguide.speech.make`): on
    # the cluster every clip is a task of its own already.
    sentence_jobs: bool

    def submit(self, job: int, function: Callable[..., Any], *args: Any) -> Future[Any]: ...

    def started(self) -> Iterable[int]:
        """The jobs that started since last asked."""
        ...

    def close(self) -> None: ...


@contextmanager
def pool(workers: int, preload: Sequence[str], executor: Executor | None = None) -> Iterator[Jobs]:
    """A queue of jobs for ``executor``, by default ``workers`` local processes, which import
    the modules ``preload`` names before they fork (once, not per worker, and shared by their
    memory)."""
    executor = executor or Processes(workers, preload)
    try:
        yield Jobs(executor)
    finally:
        executor.close()


class Processes:
    """The local worker processes, started with the first job."""

    sentence_jobs = True

    def __init__(self, workers: int, preload: Sequence[str]) -> None:
        self.workers, self.preload = workers, preload
        # Two jobs per worker in hand: each has its next one queued while this process writes
        # a language's listener files (a join added first waits behind at most those).
        self.at_once = 2 * workers
        self.pools: list[tuple[ProcessPoolExecutor, Any]] = []  # the pool, and its starts

    def _start(self) -> tuple[ProcessPoolExecutor, Any]:
        if not self.pools:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            context: multiprocessing.context.BaseContext
            parent: int | None = None  # the workers' parent: this process, when forked
            if sys.platform == "linux" and threading.active_count() == 1:
                # Forked from this process, workers start at once with what it has loaded (a
                # forkserver first starts Python and imports it all again: about 0.3 s on an
                # idle machine, over a second on a busy one). Safe only while no other thread
                # could hold a lock; otherwise, and elsewhere, the forkserver starts them.
                for module in self.preload:
                    importlib.import_module(module)
                gc.freeze()  # what is loaded now stays shared: the workers' collector skips it
                context = multiprocessing.get_context("fork")
                parent = os.getpid()
            else:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(list(self.preload))
            starts = context.SimpleQueue()
            executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=_worker_init,
                initargs=(starts, parent),
            )
            self.pools.append((executor, starts))
        return self.pools[0]

    def submit(self, job: int, function: Callable[..., Any], *args: Any) -> Future[Any]:
        executor, _ = self._start()
        return executor.submit(_run_job, job, function, *args)

    def started(self) -> Iterable[int]:
        for _, starts in self.pools:
            while not starts.empty():
                yield starts.get()

    def close(self) -> None:
        for executor, starts in self.pools:
            executor.shutdown(wait=True, cancel_futures=True)
            starts.close()
            gc.unfreeze()


class Jobs:
    """Work for the worker pool, each job named and with what to do with its result; jobs may
    add jobs. Only a few jobs are handed to the pool at a time, so that a job added with
    ``first`` (a full-guide join, which lets a language's listener files be written) starts
    next, not after every track queued before it. The first error cancels what has not started
    and is raised; a worker that dies is one :class:`BuildError` naming what it was doing."""

    def __init__(self, executor: Executor):
        self.executor = executor
        self.at_once = executor.at_once
        self.queued: deque[
            tuple[int, Callable[..., Any], tuple[object, ...], Callable[[Any], object] | None]
        ] = deque()
        self.waiting: dict[Future[Any], tuple[int, Callable[[Any], object] | None]] = {}
        self.names: list[str] = []
        self.running: set[int] = set()

    def submit(
        self,
        name: str,
        function: Callable[..., Any],
        *args: object,
        then: Callable[[Any], object] | None = None,
        first: bool = False,
    ) -> None:
        """Queue ``function(*args)``; ``name`` says what it makes ("ko/01-welcome.mp3 (espeak)")."""
        job = len(self.names)
        self.names.append(name)
        (self.queued.appendleft if first else self.queued.append)((job, function, args, then))
        self._hand_over()

    def _hand_over(self) -> None:
        while self.queued and len(self.waiting) < self.at_once:
            job, function, args, then = self.queued.popleft()
            self.waiting[self.executor.submit(job, function, *args)] = (job, then)

    def run(self) -> None:
        """Run every job (and the jobs they add) to the end."""
        try:
            while self.waiting:
                done, _ = wait(self.waiting, return_when=FIRST_COMPLETED)
                self._note_started()
                for future in done:
                    job, then = self.waiting.pop(future)
                    try:
                        result = future.result()
                    except BrokenExecutor:  # a worker died: the process pool is broken
                        raise BuildError(self._died()) from None
                    self.running.discard(job)
                    if then:
                        then(result)
                self._hand_over()
        except BaseException:  # an error, or Ctrl-C: nothing more starts
            self.queued.clear()
            for future in self.waiting:
                future.cancel()
            raise

    def _note_started(self) -> None:
        self.running.update(self.executor.started())

    def _died(self) -> str:
        self._note_started()
        doing = " or ".join(self.names[job] for job in sorted(self.running)) or "its work"
        return (
            f"a worker process died while making {doing}: it crashed (in the voice, most "
            "likely) or was killed, for instance for want of memory. Run the build again; if "
            "it dies again on the same track, choose another engine or voice for its language"
        )


# --- in the worker processes ----------------------------------------------------------------

_started: Any = None  # where a worker says which job it starts (set by _worker_init)


def _worker_init(started: Any, parent: int | None = None) -> None:
    """Set up a worker process: it dies with its parent (``parent``, the build, when it was
    forked from it; else the forkserver, which ends with the build), it ignores Ctrl-C, and it
    says on ``started`` (a queue) which job it takes."""
    global _started
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _started = started
    _return_freed_memory()


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # from <malloc.h>


def _return_freed_memory() -> None:
    """Have glibc's malloc give freed memory back at once: a track's audio is megabytes, made
    and freed per track, and by default glibc raises its thresholds to the largest block freed
    and keeps that much per worker for the next one."""
    if sys.platform == "linux":
        try:
            libc = ctypes.CDLL(None)
            libc.mallopt(M_MMAP_THRESHOLD, 256 * 1024)
            libc.mallopt(M_TRIM_THRESHOLD, 1024 * 1024)
        except (OSError, AttributeError):  # not glibc
            pass


def _die_with_parent(parent: int | None) -> None:
    """Be killed when the parent process ends, however it ends: a worker left behind would wait
    for work forever. Linux tells the child (``PR_SET_PDEATHSIG``); elsewhere a thread watches
    for the parent to change."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if parent is not None and os.getppid() != parent:  # it ended before prctl
                os._exit(1)
            return
    original = os.getppid()

    def watch() -> None:
        while os.getppid() == original:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _run_job(job: int, function: Callable[..., Any], *args: Any) -> Any:
    """Run ``function(*args)`` in a worker, saying first that job number ``job`` started."""
    if _started is not None:
        _started.put(job)
    return function(*args)
