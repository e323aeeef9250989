"""``build --scheduler``: synthesis and track rendering as tasks on a Dask cluster.

Planning, every check and publishing stay in the build's process; a :class:`Cluster` is the
build's :class:`~audioguide.jobs.Executor` instead of the local worker processes. A track whose
MP3 is to be rendered becomes a task on the cluster, keyed by the track's inputs, that depends
on a task per clip missing from the local cache, keyed by the clip's cache key: two builds (or
two guides) that need the same sentence in the same voice at the same time share one task. The
results come back as bytes, which this process writes into its own cache and output as a local
build does: the workers need no shared file system, and an interrupted build resumes from the
local cache.

On connect, before the build writes anything, each worker is asked which audioguide and which
engine versions it speaks with, and a difference is refused. Piper models go to the cluster
once per build, scattered under their SHA-256 (a worker that already has a model by that hash
uses its own). Every task checks its worker's versions again, for workers that join later.

The local joins (the full-guide MP3, the audiobook) read the tracks from output/ and run in
threads of this process. Only this module imports Dask, and only a build with ``--scheduler``
imports this module.
"""

from __future__ import annotations

import concurrent.futures
import functools
import hashlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import distributed

import audioguide

from . import cache, speech, tracks
from .clip import Clip
from .engines import get_engine
from .errors import BuildError, EngineError
from .speakers import Speaker

log = logging.getLogger(__name__)

CONNECT_SECONDS = 30  # to reach the scheduler, and for a first worker to be there
RETRIES = 3  # a task that failed runs again, this many times (a worker's death: Dask's own)
ONLINE_VOICE = "audioguide-online-voice"  # the semaphore that caps requests to network voices


@dataclass(frozen=True)
class Model:
    """A voice model a speaker needs on the worker (a Piper .onnx and its .onnx.json)."""

    sha256: str
    name: str  # the model's file name
    config: bytes  # its .onnx.json


@dataclass(frozen=True)
class Traffic:
    """Bytes this process sent to the cluster and received from it (task inputs and results)."""

    sent: int = 0
    received: int = 0


class Cluster:
    """The Dask cluster at ``address``, as the build's executor."""

    def __init__(self, address: str, speakers: Iterable[Speaker], online_limit: int) -> None:
        self.address = address
        self.online_limit = online_limit
        if not log.isEnabledFor(logging.DEBUG):  # Dask's own tracebacks only with --verbose
            for name in ["distributed", *logging.root.manager.loggerDict]:
                if name.split(".")[0] == "distributed":
                    logging.getLogger(name).setLevel(logging.CRITICAL)
        try:
            self.client = distributed.Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise BuildError(
                f"cannot reach the Dask scheduler at {address} ({_short(exc)}); start it "
                "(dask scheduler) or build without --scheduler"
            ) from None
        self.traffic = Traffic()
        self.lock = threading.Lock()
        try:
            self._ready(list(dict.fromkeys(speakers)))
        except BaseException:
            self.client.close()
            raise
        workers = self.client.scheduler_info()["workers"]
        threads = sum(worker["nthreads"] for worker in workers.values())
        log.info(f"rendering on the Dask cluster at {address}: {len(workers)} workers, "
                 f"{threads} threads")  # fmt: skip
        # Every thread of the cluster busy, and three tracks more waiting on each: this
        # process waits on each in a thread of its own (the joins run in them too).
        self.at_once = max(8, 4 * threads)
        self.sentence_jobs = False  # each clip is a task of its own (:meth:`_render`)
        self.threads = concurrent.futures.ThreadPoolExecutor(self.at_once + 2, "audioguide-task")

    def _ready(self, speakers: list[Speaker]) -> None:
        """Wait for a worker, send the voice models, and check each worker's versions."""
        # A worker, running or paused (short of memory, it takes no task for a while).
        deadline = time.monotonic() + CONNECT_SECONDS
        while not self.client.scheduler_info()["workers"]:
            if time.monotonic() > deadline:
                raise BuildError(
                    f"the Dask scheduler at {self.address} has no worker; start one (dask "
                    f"worker {self.address}) or build without --scheduler"
                )
            time.sleep(0.2)
        files = {who: path for who in speakers if (path := _model_file(who))}
        models = {who: _model(path) for who, path in files.items()}
        # Each worker's versions, first: audioguide's own, then each voice's.
        expected = [(who, models.get(who)) for who in speakers]
        for worker, (version, voices) in self.client.run(_versions, expected).items():
            if version != audioguide.__version__:
                raise BuildError(
                    f"the Dask worker {worker} runs audioguide {version}, this build "
                    f"audioguide {audioguide.__version__}; install the same version on both"
                )
            for who, there in zip(speakers, voices, strict=True):
                if there != who.version:
                    raise BuildError(
                        f"the Dask worker {worker} speaks {who.language.tag} with {there}, this "
                        f"build with {who.version}; install the same versions on both"
                    )
        # Then the voice models: scattered once, by their SHA-256, unless every worker has
        # the model by that hash already. Each speaker's task gets its model and bytes.
        found = self.client.run(_models_here, sorted({m.sha256 for m in models.values()}))
        sent: dict[str, Any] = {}  # sha256: the scattered bytes, or None
        for who, model in models.items():
            if model.sha256 not in sent:
                sent[model.sha256] = None
                if not all(model.sha256 in have for have in found.values()):
                    data = files[who].read_bytes()
                    key = f"audioguide-model-{model.sha256}"
                    sent[model.sha256] = self.client.scatter({key: data})[key]
                    self._count(sent=len(data))
        self.speakers = {
            who: (model, sent[model.sha256] if model else None) for who, model in expected
        }

    # --- the executor ----------------------------------------------------------------------------

    def submit(
        self,
        job: int,  # noqa: ARG002 - the local pool's names a worker that dies; Dask retries
        function: Callable[..., Any],
        *args: Any,
    ) -> concurrent.futures.Future[Any]:
        if function is tracks.render:
            return self.threads.submit(self._render, *args)
        return self.threads.submit(function, *args)  # a join: it reads output/

    def started(self) -> Iterable[int]:
        return ()

    def close(self) -> None:
        if self.client.status == "closed":
            return
        self.threads.shutdown(wait=False, cancel_futures=True)
        self.client.close()
        self.threads.shutdown(wait=True)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.close()
        if kind is None:
            sent, received = self.traffic.sent / 1e6, self.traffic.received / 1e6
            log.info(f"sent the cluster {sent:.1f} MB and received {received:.1f} MB")

    def _render(self, plan: tracks.TrackPlan, output: Path, cache_root: Path) -> tracks.Rendered:
        """What :func:`audioguide.tracks.render` does, its work done on the cluster."""
        store = cache.Cache(cache_root)
        clips: list[Clip | distributed.Future[Clip]] = []
        missing: dict[str, distributed.Future[Clip]] = {}
        for sentence, utterance in zip(plan.track.sentences, plan.utterances, strict=True):
            clip = store.get_clip(utterance.key)
            if clip is None:
                if utterance.key not in missing:
                    model, data = self.speakers[utterance.speaker]
                    missing[utterance.key] = self.client.submit(
                        _synthesise, sentence.spoken, utterance.speaker, model, data,
                        self.online_limit, key=f"audioguide-clip-{utterance.key}",
                        retries=RETRIES,
                    )  # fmt: skip
                clips.append(missing[utterance.key])
            else:
                self._count(sent=len(clip.pcm))
                clips.append(clip)
        futures: list[distributed.Future[Any]] = list(missing.values())
        rendered: tracks.Rendered  # _encode's, through Dask's gather (which has no types)
        try:
            track = self.client.submit(_encode, plan, clips, key=f"audioguide-track-{plan.inputs}",
                                       retries=RETRIES)  # fmt: skip
            futures.append(track)
            (mp3, aac, rendered), *clips_made = self.client.gather([track, *missing.values()])
            made = dict(zip(missing, clips_made, strict=True))
        except distributed.KilledWorker:
            raise BuildError(
                f"Dask workers died each time they rendered {plan.speaker.language.tag}/"
                f"{plan.name}: in the voice, most likely, or for want of memory; choose "
                "another engine or voice for its language, or give the workers more memory"
            ) from None
        except (OSError, TimeoutError, concurrent.futures.CancelledError):
            raise BuildError(
                f"lost the Dask scheduler at {self.address}; nothing published disagrees with "
                "the manifest: build again to resume"
            ) from None
        finally:
            for future in futures:
                future.release()
        self._count(received=len(mp3) + len(aac or b"") + sum(len(c.pcm) for c in made.values()))
        for key, clip in made.items():
            store.put_clip(key, clip)
        tracks.put(plan, output, store, mp3, aac, rendered)
        damaged = tuple(str(path) for path in store.damaged)
        return replace(rendered, synthesised=len(missing), cached=len(clips) - len(missing),
                       damaged=damaged)  # fmt: skip

    def _count(self, sent: int = 0, received: int = 0) -> None:
        with self.lock:
            self.traffic = Traffic(self.traffic.sent + sent, self.traffic.received + received)


def _model(path: Path) -> Model:
    """The voice model at ``path``, as a worker gets it."""
    from .engines.piper import model_hash

    config = path.with_name(path.name + ".json")
    return Model(model_hash(path), path.name, config.read_bytes())


def _model_file(who: Speaker) -> Path | None:
    """The voice model file ``who`` needs on a worker, if any (a Piper voice's)."""
    if who.engine != "piper":
        return None
    from .engines.piper import find_voice

    return find_voice(who.voice.voice or "").model


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


# --- on the workers ------------------------------------------------------------------------------

_process_voice = threading.Lock()  # an offline voice speaks one sentence at a time per process


def _models_folder() -> Path:
    """Where a worker keeps voice models, by SHA-256 (``AUDIOGUIDE_MODELS`` in the worker's
    environment, else a folder in its temporary directory)."""
    given = os.environ.get("AUDIOGUIDE_MODELS")
    return Path(given) if given else Path(tempfile.gettempdir()) / "audioguide-models"


def _models_here(hashes: list[str]) -> list[str]:
    """Which of the models ``hashes`` names this worker has (by their SHA-256)."""
    from .engines.piper import model_hash

    here = []
    for sha256 in hashes:
        folder = _models_folder() / sha256
        for model in folder.glob("*.onnx"):
            if model_hash(model) == sha256:
                here.append(sha256)
    return here


def _here(who: Speaker, model: Model | None, data: bytes | None) -> Speaker:
    """``who`` as this worker has it: with its model file here (written from ``data``, once,
    checked by its SHA-256)."""
    if model is None:
        return who
    folder = _models_folder() / model.sha256
    path = folder / model.name
    if model.sha256 not in _models_here([model.sha256]):
        if data is None or hashlib.sha256(data).hexdigest() != model.sha256:
            raise EngineError(f"the Piper model {model.name} (sha256 {model.sha256}) did not "
                              "reach the Dask worker whole; build again")  # fmt: skip
        from .files import write_atomic

        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(path.with_name(path.name + ".json"), model.config, durable=False)
        write_atomic(path, data, durable=False)
    voice = replace(who.voice, voice=str(path))
    return replace(who, voice=voice)


@functools.lru_cache(maxsize=64)  # asked before every clip; the answer lasts the process
def _version_here(who: Speaker, model: Model | None) -> str:
    """The version of ``who``'s engine on this worker (with ``model``, whether it is here yet
    or not)."""
    if model is None:
        return get_engine(who.engine).version(who.language, who.voice)
    from .engines.piper import version_of

    config = hashlib.sha256(model.config).hexdigest()
    return version_of(model.sha256, config, who.language, who.voice)


def _versions(expected: list[tuple[Speaker, Model | None]]) -> tuple[str, list[str]]:
    """This worker's audioguide version, and the version of each speaker's engine."""
    return audioguide.__version__, [_version_here(*each) for each in expected]


def _synthesise(
    spoken: str, who: Speaker, model: Model | None, data: bytes | None, online_limit: int
) -> Clip:
    """One clip, as the build's process would make it."""
    if (version := _version_here(who, model)) != who.version:
        raise EngineError(f"the Dask worker {distributed.get_worker().address} speaks "
                          f"{who.language.tag} with {version}, the build with {who.version}; "
                          "install the same versions on both")  # fmt: skip
    here = _here(who, model, data)
    if get_engine(who.engine).parallel == "thread":  # a network voice: capped cluster-wide
        with distributed.Semaphore(max_leases=online_limit, name=ONLINE_VOICE):
            return speech.synthesise(spoken, here)
    with _process_voice:
        return speech.synthesise(spoken, here)


def _encode(
    plan: tracks.TrackPlan, clips: list[Clip]
) -> tuple[bytes, bytes | None, tracks.Rendered]:
    """The track's MP3 and AAC part, as bytes, and where its sentences landed."""
    with tempfile.TemporaryDirectory(prefix="audioguide-") as tmp:
        mp3 = Path(tmp) / "track.mp3"
        aac = Path(tmp) / "track.aac" if plan.audiobook else None
        rendered = tracks.encode(plan, clips, mp3, aac)
        return mp3.read_bytes(), aac.read_bytes() if aac else None, rendered
