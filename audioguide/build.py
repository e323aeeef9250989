"""``audioguide build``: the whole pipeline, top to bottom.

    scripts + catalogs + lexicons -> check everything, pick and check voices -> plan tracks
    -> render the tracks whose inputs changed (worker processes, sentence cache)
    -> full-guide file and audiobook -> captions, chapters, playlists, transcripts, feeds, zips,
       talking books -> web player -> manifest

Every input is checked before anything is written, so bad input leaves the output as it was.
Every file is written atomically and only when its content changes: a rebuild with nothing
changed synthesises nothing and rewrites nothing. One build at a time per output folder; what
the build owns there, and a manifest true at every moment, are :mod:`audioguide.output`'s.
"""

from __future__ import annotations

import dataclasses
import fcntl
import functools
import gc
import importlib
import logging
import os
import posixpath
import shutil
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import audio, cache, catalogs, lexicon, tracks
from .cache import DEFAULT_CACHE
from .catalogs import Translation
from .edition import Chapter, Edition
from .engines import AUTO, get_engine
from .errors import AudioGuideError, BuildError, CatalogError, EngineError, OptionError, ScriptError
from .files import holds, into_place, write_atomic
from .languages import Language
from .output import Output
from .package import archive, captions, daisy, epub, feed, manifest, player, playlist, transcript
from .package.cover import Cover, load_cover
from .package.manifest import FileInfo
from .report import Reporter
from .script import GUIDE_FILE, Guide, Voice, check_base_url, load_guide
from .strings import FULL_GUIDE

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

log = logging.getLogger(__name__)
PREVIEW_URL = "http://127.0.0.1:8000/"  # where `audioguide serve` shows the output
LOCK_FILE = ".audioguide.lock"


@dataclass(frozen=True)
class Options:
    engine: str | None = None  # overrides guide.yaml's voices: "auto" or an engine's name
    jobs: int = 4
    cache: Path | None = DEFAULT_CACHE  # None: --no-cache
    strict: bool = False  # untranslated or fuzzy messages are an error
    languages: tuple[str, ...] = ()  # only these (default: all of the guide's)
    base_url: str | None = None


@dataclass(frozen=True)
class Summary:
    clips_synthesised: int
    clips_cached: int
    tracks_written: int
    tracks_unchanged: int
    audio_seconds: float
    wall_seconds: float

    def line(self) -> str:
        return (
            f"{self.clips_synthesised} clips synthesised, {self.clips_cached} from cache; "
            f"{self.tracks_written} tracks written, {self.tracks_unchanged} unchanged; "
            f"{self.audio_seconds:.1f} s of audio in {self.wall_seconds:.1f} s"
        )


def build(
    scripts: Path, locales: Path, output: Path, options: Options, report: Reporter | None = None
) -> Summary:
    started = time.monotonic()
    report = report or Reporter()
    output = Path(output)

    # 1. Read and check every input before touching the output folder.
    guide = load_guide(scripts)
    cover = load_cover(guide)
    base_url = _base_url(options.base_url) or guide.base_url or PREVIEW_URL
    languages = _languages(guide, options.languages)
    log.debug(f"{len(guide.sections)} sections; building {', '.join(x.tag for x in languages)}")
    translations = {lang.tag: catalogs.translation(guide, locales, lang) for lang in languages}
    loaded = {tag: t.catalog for tag, t in translations.items() if t.catalog is not None}
    completeness = {
        s.language.tag: s for s in catalogs.stats(guide, locales, languages, loaded=loaded)
    }
    for stats in completeness.values():
        for problem in stats.problems():
            if options.strict:
                raise CatalogError(f"{problem.message}; {problem.fix} or build without --strict",
                                   problem.path, problem.line)  # fmt: skip
            log.warning(f"{problem.message}; {problem.fallback}")
    lexicons = {lang.tag: lexicon.load(locales, lang) for lang in languages}
    speakers = pick_speakers(guide, languages, lexicons, options.engine)
    if base_url == PREVIEW_URL:
        log.warning(
            f"the feeds link to the local preview {PREVIEW_URL}; give --base-url or base_url in "
            "guide.yaml before publishing them"
        )

    output.mkdir(parents=True, exist_ok=True)
    with _locked(output), _cache_root(options.cache) as cache_root:
        folder = Output.read(output)
        folder.remove_temporary_files()
        # The guide's other languages stay as the last build left them, when it left them whole.
        kept = {
            lang.tag: found
            for lang in guide.languages
            if lang not in languages and (found := folder.kept(lang.tag, guide.id))
        }
        # 2. A plan of every track.
        source_speaker = speakers[guide.source_language.tag]
        plans = {
            lang.tag: [
                tracks.plan_track(
                    section,
                    total=len(guide.sections),
                    album=translations[lang.tag](guide.title.value).text,
                    translation=translations[lang.tag],
                    voice=speakers[lang.tag],
                    fallback_voice=source_speaker,
                    pauses=guide.pauses,
                    path=output / lang.tag / f"{section.stem}.mp3",
                    artist=guide.author,
                    cover=cover,
                )
                for section in guide.sections
            ]
            for lang in languages
        }

        # The cover, one for every language and book.
        folder.claim([cover.path])
        write_atomic(output / cover.path, cover.data)
        infos: dict[str, FileInfo] = {cover.path: FileInfo.of(cover.data)}

        # 3. Render the tracks whose inputs changed. As soon as one language's tracks are all
        #    there, its full-guide file and its audiobook are joined in the same workers, beside
        #    the other tracks, and then everything its listeners download is written here while
        #    the workers go on with the other languages.
        built: dict[str, Edition] = {}
        with _workers(plans, options.jobs) as jobs:

            def language_done(language: Language, rendered: dict[str, tracks.Rendered]) -> None:
                translation = translations[language.tag]
                edition = _edition(
                    guide, language, translation, plans[language.tag], rendered,
                    completeness.get(language.tag), speakers[language.tag],
                )  # fmt: skip
                built[language.tag] = edition
                join, full_length = _full_guide(output, edition, translation, cover)
                book, book_length = _audiobook(
                    output, edition, plans[language.tag], cache_root, cover
                )
                lengths = {edition.full_guide: full_length, edition.audiobook: book_length}

                def write_files() -> None:
                    infos.update(_write_listener_files(
                        output, edition, translation, guide, base_url, lengths, cover, folder,
                    ))  # fmt: skip
                    infos.update(_write_books(output, edition, translation, guide, cover, folder))

                joins = [job for job in (join, book) if job]  # what the files wait for

                def joined(_: object) -> None:
                    joins.pop()
                    if not joins:
                        write_files()

                if join:
                    folder.claim([edition.full_guide])
                    folder.withdraw(language.tag)
                    jobs.submit(f"{edition.full_guide} (joining the tracks)",
                                tracks.join_tracks, *join, then=joined, first=True)  # fmt: skip
                if book:
                    folder.claim([edition.audiobook])
                    folder.withdraw(language.tag)
                    jobs.submit(f"{edition.audiobook} (joining the tracks' AAC)",
                                tracks.make_audiobook, *book, then=joined, first=True)  # fmt: skip
                if not joins:
                    write_files()

            counts = _render_tracks(jobs, plans, cache_root, report, folder, language_done)
            jobs.run()
        editions = [built[lang.tag] for lang in languages]

        # 4. The web player, then the manifest of it all.
        for _, kept_infos in kept.values():
            infos |= kept_infos
        editions_now = built | {tag: edition for tag, (edition, _) in kept.items()}
        every = [editions_now[lang.tag] for lang in guide.languages if lang.tag in editions_now]
        others = _translations(guide, locales, kept)
        sizes = {path: info.bytes for path, info in infos.items()}
        site = player.render_site(every, translations | others, sizes, cover=cover.path,
                                  compiled=cache_root / "templates")  # fmt: skip
        unreadable = {kept[tag][0].page for tag in kept if tag not in others}
        folder.claim(site)
        for path, data in site.items():
            if path not in unreadable:  # a kept language whose catalog is gone: page as it was
                write_atomic(output / path, data)
                infos[path] = FileInfo.of(data)
        manifest_path = output / "manifest.json"
        previous = manifest_path.read_bytes() if manifest_path.is_file() else None
        manifest_json = manifest.render_manifest(
            guide.id, guide.source_language, every, infos, previous, cover=cover.path
        )
        # What is left of the guide's other languages, whole or not, stays for a later build.
        folder.finish(manifest_json, every, [*infos, *site, *_others(folder, guide, built)])

    audio_ms = sum(t.duration_ms for e in editions for t in e.tracks)
    return Summary(
        clips_synthesised=counts["synthesised"],
        clips_cached=counts["cached"],
        tracks_written=counts["written"],
        tracks_unchanged=counts["unchanged"],
        audio_seconds=audio_ms / 1000,
        wall_seconds=time.monotonic() - started,
    )


# --- inputs and voices -------------------------------------------------------------------


def _base_url(given: str | None) -> str | None:
    """``--base-url``, checked as guide.yaml's ``base_url`` is."""
    if given is None:
        return None
    try:
        return check_base_url(given)
    except ValueError as exc:
        raise OptionError(f"--base-url {exc}") from None


def _translations(guide: Guide, locales: Path, tags: Iterable[str]) -> dict[str, Translation]:
    """The translations of the languages ``tags`` whose catalogs can be read (for their player
    pages, when they are kept from an earlier build)."""
    found = {}
    for language in guide.languages:
        if language.tag in tags:
            try:
                found[language.tag] = catalogs.translation(guide, locales, language)
            except AudioGuideError:
                pass
    return found


def _languages(guide: Guide, wanted: tuple[str, ...]) -> list[Language]:
    chosen = [guide.language(given) for given in wanted] or list(guide.languages)
    # The source language is always built: untranslated text is spoken in its voice.
    return [lang for lang in guide.languages if lang in chosen or lang == guide.source_language]


def pick_speakers(
    guide: Guide,
    languages: list[Language],
    lexicons: dict[str, lexicon.Lexicon],
    override: str | None,
) -> dict[str, tracks.Speaker]:
    """Each language's voice: the engine chosen (``auto`` resolved), its settings checked by the
    engine, and the lexicon entries it can apply."""
    online: bool | None = None
    speakers = {}
    for language in languages:
        voice = guide.voice(language)
        name = override or voice.engine
        if name != voice.engine and name != _voice_owner(voice):
            voice = replace(voice, voice=None)  # guide.yaml's voice: is another engine's
        if name == AUTO:
            gtts = get_engine("gtts")
            if online is None:
                online = gtts.available()
                if not online:
                    log.info("gTTS is not reachable; speaking with the offline espeak-ng voice")
            name = "gtts" if online and gtts.supports(language) else "espeak"
        engine = get_engine(name)
        try:
            voice = engine.check(language, voice)
        except EngineError as exc:
            if override:
                raise EngineError(f"{exc.message} (chosen with --engine {override})") from None
            where = guide.path / GUIDE_FILE
            raise ScriptError(exc.message, where, guide.voice_line(language)) from None
        words = lexicons[language.tag]
        for problem in words.unusable(engine):
            log.warning(problem)
        speakers[language.tag] = tracks.speaker(name, language, voice, words.entries(engine))
        log.debug(f"{language.tag}: spoken by {speakers[language.tag].description}")
    return speakers


def _voice_owner(voice: Voice) -> str:
    """The engine guide.yaml's ``voice:`` is meant for: the one it names (espeak for auto)."""
    return "espeak" if voice.engine == AUTO else voice.engine


# --- tracks ------------------------------------------------------------------------------


@contextmanager
def _workers(plans: dict[str, list[tracks.TrackPlan]], jobs: int) -> Iterator[_Jobs]:
    """Worker processes, started with the first job (a rebuild with nothing to do starts no
    process): one per core for offline voices, ``jobs`` for network voices, so at most ``jobs``
    requests are in flight."""
    engines = {plan.speaker.engine for language in plans.values() for plan in language}
    network = any(get_engine(name).parallel == "thread" for name in engines)
    workers = max(1, jobs if network else min(jobs, os.cpu_count() or 1))
    started: list[tuple[ProcessPoolExecutor, Any]] = []  # the pool, and its queue of starts

    def start() -> tuple[ProcessPoolExecutor, Any]:
        if not started:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # Imported once, not per worker, and shared by the workers' memory.
            modules = ["audioguide.tracks", "numpy", "loudness"]
            modules += sorted({type(get_engine(name)).__module__ for name in engines})
            context: multiprocessing.context.BaseContext
            if sys.platform == "linux" and threading.active_count() == 1:
                # Forked from this process, workers start at once with what it has loaded (a
                # forkserver first starts Python and imports it all again: about 0.3 s on an
                # idle machine, over a second on a busy one). Safe only while no other thread
                # could hold a lock; otherwise, and elsewhere, the forkserver starts them.
                for module in modules:
                    importlib.import_module(module)
                gc.freeze()  # what is loaded now stays shared: the workers' collector skips it
                context = multiprocessing.get_context("fork")
            else:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(modules)
            # Workers (and the ffmpeg they start) ignore Ctrl-C: the build stops by cancelling
            # what is queued, and lets the few tracks in hand finish rather than leave them
            # half-made. Each says on a queue which job it starts.
            starts = context.SimpleQueue()
            pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=context,
                initializer=tracks.worker_init,
                initargs=(starts,),
            )
            started.append((pool, starts))
        return started[0]

    try:
        # Two jobs per worker in hand: each has its next one queued while this process writes
        # a language's listener files (a join added first waits behind at most those).
        yield _Jobs(start, at_once=2 * workers)
    finally:
        for pool, starts in started:
            pool.shutdown(wait=True, cancel_futures=True)
            starts.close()
            gc.unfreeze()


class _Jobs:
    """Work for the worker pool, each job named and with what to do with its result; jobs may
    add jobs. Only a few jobs are handed to the pool at a time, so that a job added with
    ``first`` (a full-guide join, which lets a language's listener files be written) starts
    next, not after every track queued before it. The first error cancels what has not started
    and is raised; a worker that dies is one :class:`BuildError` naming what it was doing."""

    def __init__(self, pool: Callable[[], tuple[ProcessPoolExecutor, Any]], at_once: int):
        self.pool = pool  # starts the workers on first use; with the queue of their starts
        self.at_once = at_once
        self.queued: deque[tuple[int, Callable, tuple, Callable | None]] = deque()
        self.waiting: dict[Future, tuple[int, Callable | None]] = {}
        self.names: list[str] = []
        self.running: set[int] = set()

    def submit(
        self,
        name: str,
        function: Callable,
        *args: object,
        then: Callable | None = None,
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
            pool, _ = self.pool()
            self.waiting[pool.submit(tracks.run_job, job, function, *args)] = (job, then)

    def run(self) -> None:
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
        _, starts = self.pool()
        while not starts.empty():
            self.running.add(starts.get())

    def _died(self) -> str:
        self._note_started()
        doing = " or ".join(self.names[job] for job in sorted(self.running)) or "its work"
        return (
            f"a worker process died while making {doing}: it crashed (in the voice, most "
            "likely) or was killed, for instance for want of memory. Run the build again; if "
            "it dies again on the same track, choose another engine or voice for its language"
        )


def _render_tracks(
    jobs: _Jobs,
    plans: dict[str, list[tracks.TrackPlan]],
    cache_root: Path,
    report: Reporter,
    folder: Output,
    language_done: Callable[[Language, dict[str, tracks.Rendered]], None],
) -> dict[str, int]:
    """Queue every plan whose MP3 is missing or was made from other inputs; call
    ``language_done`` with a language's results (by plan inputs) once all are there.

    A track record found damaged in the cache is told and the track made again."""
    store = cache.Cache(cache_root)
    rendered: dict[str, dict[str, tracks.Rendered]] = {tag: {} for tag in plans}
    todo: list[tracks.TrackPlan] = []
    counts = {"synthesised": 0, "cached": 0, "written": 0, "unchanged": 0}
    for tag, language_plans in plans.items():
        report.start(language_plans[0].speaker.language, len(language_plans))
        for plan in language_plans:
            made = audio.read_inputs(plan.path) == plan.inputs and store.has_part(plan.inputs)
            found = _recorded(store, plan) if made else None
            if found:
                log.debug(f"{plan.path}: up to date")
                rendered[tag][plan.inputs] = found
                counts["unchanged"] += 1
                report.advance(plan.speaker.language, plan.path.name, written=False)
            else:
                log.debug(f"{plan.path}: to render")
                todo.append(plan)
    _tell_damaged([str(path) for path in store.damaged])
    # Before any file of a language changes, the manifest stops listing that language.
    folder.claim(str(plan.path.relative_to(folder.root)) for plan in todo)
    for tag in dict.fromkeys(plan.speaker.language.tag for plan in todo):
        folder.withdraw(tag)

    def finished(plan: tracks.TrackPlan, result: tracks.Rendered) -> None:
        tag = plan.speaker.language.tag
        rendered[tag][plan.inputs] = result
        counts["synthesised"] += result.synthesised
        counts["cached"] += result.cached
        counts["written"] += 1
        _tell_damaged(result.damaged)
        report.advance(plan.speaker.language, plan.path.name, written=True)
        if len(rendered[tag]) == len(plans[tag]):
            language_done(plan.speaker.language, rendered[tag])

    for plan in todo:
        name = f"{plan.speaker.language.tag}/{plan.path.name} (with {plan.speaker.engine})"
        jobs.submit(name, tracks.render, plan, cache_root, then=functools.partial(finished, plan))
    for tag, language_plans in plans.items():
        if len(rendered[tag]) == len(language_plans):  # nothing to render
            language_done(language_plans[0].speaker.language, rendered[tag])
    return counts


def _others(folder: Output, guide: Guide, built: Iterable[str]) -> list[str]:
    """The files earlier builds made for the guide's languages that this build does not."""
    others = {lang.tag for lang in guide.languages} - set(built)
    return [
        path
        for path in folder.owned
        if path.split("/")[0] in others
        or path in {f"{guide.id}-{tag}{end}" for tag in others for end in (".zip", "-daisy.zip")}
    ]


def _recorded(store: cache.Cache, plan: tracks.TrackPlan) -> tracks.Rendered | None:
    """The timings the cache holds for ``plan`` (None if none, or none that fit it)."""
    record = store.get_record(plan.inputs)
    if record is None:
        return None
    try:
        return tracks.Rendered.from_record(record, plan)
    except ValueError:
        store.discard_record(plan.inputs)
        return None


def _tell_damaged(paths: Iterable[str]) -> None:
    for path in paths:
        log.info(f"the cache entry {path} was damaged; ignored it and made it again")


def _edition(
    guide: Guide,
    language: Language,
    translation: Translation,
    plans: list[tracks.TrackPlan],
    rendered: dict[str, tracks.Rendered],
    stats: catalogs.Stats | None,
    speaker: tracks.Speaker,
) -> Edition:
    built = [tracks.timeline(plan, rendered[plan.inputs]) for plan in plans]
    title = translation(guide.title.value)
    description = translation(guide.description.value) if guide.description else None
    source = guide.source_language.tag
    return Edition(
        guide_id=guide.id,
        language=language,
        title=title.text,
        description=description.text if description else None,
        author=guide.author,
        tracks=tuple(built),
        completeness=round(stats.percent, 1) if stats else 100.0,
        engine=speaker.engine,
        title_lang=source if title.fallback else language.tag,
        description_lang=source if description and description.fallback else language.tag,
    )


def _full_guide(
    output: Path, edition: Edition, translation: Translation, cover: Cover
) -> tuple[tuple | None, int]:
    """The join that makes the full-guide file (None when the file is up to date), and its
    length in ms. Its chapters are the tracks, at the exact places the join puts them."""
    path = output / edition.full_guide
    sources = [output / edition.track_file(track, ".mp3") for track in edition.tracks]
    starts = [round(ms) for ms in audio.frame_starts(sources)]
    duration = starts[-1] + edition.tracks[-1].duration_ms
    ends = [*starts[1:], duration]
    chapters = tuple(
        Chapter(start, end, track.title)
        for start, end, track in zip(starts, ends, edition.tracks, strict=True)
    )
    title = f"{edition.title}: {translation.tool(FULL_GUIDE)}"
    tags = _whole_guide_tags(edition, title, cover, chapters)
    inputs = cache.key(tracks.RENDER_VERSION, [audio.read_inputs(source) for source in sources],
                       tags.identity())  # fmt: skip
    if audio.read_inputs(path) == inputs:
        return None, duration
    return (sources, path, dataclasses.replace(tags, inputs=inputs)), duration


def _audiobook(
    output: Path, edition: Edition, plans: list[tracks.TrackPlan], cache_root: Path, cover: Cover
) -> tuple[tuple | None, int]:
    """The job that makes the language's M4B from its tracks' AAC parts (None when the file is
    up to date), and its length in ms. A chapter per track, with the track's title."""
    store = cache.Cache(cache_root)
    parts = [plan.inputs for plan in plans]
    starts = audio.aac_starts([store.part_path(key) for key in parts])
    chapters = [
        audio.AudiobookChapter(start, end, track.title)
        for start, end, track in zip(starts, starts[1:], edition.tracks, strict=False)
    ]
    tags = _whole_guide_tags(edition, edition.title, cover)
    marks = [[c.start, c.end, c.title] for c in chapters]
    inputs = cache.key(tracks.RENDER_VERSION, parts, marks, tags.identity())
    duration = round(starts[-1] * 1000 / audio.AAC_RATE)
    path = output / edition.audiobook
    if audio.read_m4b_inputs(path) == inputs:
        return None, duration
    tags = dataclasses.replace(tags, inputs=inputs)
    return (parts, cache_root, path, tags, chapters), duration


def _whole_guide_tags(
    edition: Edition, title: str, cover: Cover, chapters: tuple[Chapter, ...] = ()
) -> audio.Tags:
    """Tags of a file that holds the whole guide: no track number, the voice of the first track
    (the edition's voice), every track's transcript."""
    return audio.Tags(
        title=title,
        album=edition.title,
        artist=edition.author or edition.title,
        track=None,
        language=edition.language.iso639_2,
        voice=edition.tracks[0].voice,
        transcript="\n\n".join(track.transcript for track in edition.tracks),
        chapters=chapters,
        inputs="",
        cover=cover,
    )


# --- listener files ----------------------------------------------------------------------


def _write_listener_files(
    output: Path,
    edition: Edition,
    translation: Translation,
    guide: Guide,
    base_url: str,
    lengths: dict[str, int],
    cover: Cover,
    folder: Output,
) -> dict[str, FileInfo]:
    """Write one language's captions, chapters, playlist, transcripts, feed and zip; return the
    size and hash of each of its files, audio included, by path. ``lengths`` gives the durations
    of the full-guide file and the audiobook. When any of them changes, the manifest first stops
    listing the language."""
    source = guide.source_language
    lengths = lengths | {
        edition.track_file(track, ".mp3"): track.duration_ms for track in edition.tracks
    }
    listed = folder.listed()  # the language's files, unless it was withdrawn for a change
    infos = {path: _info(output / path, listed.get(path), lengths[path]) for path in lengths}

    written = {}
    for track in edition.tracks:
        written[edition.track_file(track, ".vtt")] = captions.render_vtt(track)
        written[edition.track_file(track, ".chapters.json")] = captions.render_chapters(track)
        written[edition.track_file(track, ".txt")] = transcript.render_track_transcript(
            edition, track, translation, source
        )
    written[edition.playlist] = playlist.render_playlist(edition)
    written[edition.transcript] = transcript.render_transcript(edition, translation, source)
    sizes = {path: info.bytes for path, info in infos.items()}
    written[edition.feed] = feed.render_feed(
        edition, base_url, sizes, cover=cover.path, published=guide.published, email=guide.email
    )
    # The audio stays on disk, streamed into the zip: never all in memory. The zip is made
    # again only when its fingerprint (in its comment) says that an entry changed.
    audio_files = {path: output / path for path in lengths}
    entries = archive.zip_entries(edition, audio_files | written, translation)
    key = archive.fingerprint(entries, {output / p: infos[p].sha256 for p in audio_files})
    zip_path = output / edition.zip
    zip_current = archive.fingerprint_of(zip_path) == key
    if not zip_current or not all(holds(output / path, data) for path, data in written.items()):
        folder.claim([*written, edition.zip])
        folder.withdraw(edition.language.tag)
    for path, data in written.items():
        if write_atomic(output / path, data):
            log.debug(f"{output / path}: written")
        infos[path] = FileInfo.of(data)
    if not zip_current:
        with into_place(zip_path) as tmp, open(tmp, "wb") as handle:
            archive.write_zip(handle, entries, key)
    infos[edition.zip] = _info(zip_path, listed.get(edition.zip) if zip_current else None)
    return infos


def _info(path: Path, listed: FileInfo | None, duration_ms: int | None = None) -> FileInfo:
    """The size and hash of ``path``: as the manifest lists them (``listed``) when its size
    agrees, for a file the build found unchanged (by its inputs tag, fingerprint or bytes);
    otherwise read from the file."""
    if listed is not None and path.stat().st_size == listed.bytes:
        return FileInfo(listed.bytes, listed.sha256, duration_ms)
    return FileInfo.of_file(path, duration_ms)


def _write_books(
    output: Path,
    edition: Edition,
    translation: Translation,
    guide: Guide,
    cover: Cover,
    folder: Output,
) -> dict[str, FileInfo]:
    """Write one language's talking books from its tracks' MP3s: the EPUB, the DAISY folder and
    its zip. Returns the size and hash of each of their files by path (the manifest lists the
    EPUB and the DAISY zip). When any of them changes, the manifest first stops listing the
    language; DAISY files of sections no longer there go when the build finishes.

    The MP3s stay on disk: they are copied and zipped a piece at a time, and a book's zip is
    made again only when its fingerprint says that an entry changed."""
    listed = folder.listed()  # the language's files, unless it was withdrawn for a change
    audio = {path: output / path for path in _mp3s(edition)}
    tracks_info = {file: _info(file, listed.get(path)) for path, file in audio.items()}
    digests = {file: info.sha256 for file, info in tracks_info.items()}
    book = daisy.render_daisy(edition, audio, published=guide.published)
    name = posixpath.splitext(edition.daisy_zip)[0]
    zips = {
        edition.epub: (epub.epub_entries(edition, audio, translation, published=guide.published,
                                         cover=cover), epub.MIMETYPE),
        edition.daisy_zip: ({f"{name}/{file}": data for file, data in book.items()}, None),
    }  # fmt: skip
    keys = {path: archive.fingerprint(entries, digests) for path, (entries, _) in zips.items()}
    unchanged = {path for path in zips if archive.fingerprint_of(output / path) == keys[path]}
    copies = {f"{edition.daisy_folder}/{file}": data for file, data in book.items()}
    same = {path for path, data in copies.items() if _holds(output / path, data)}
    if len(unchanged) < len(zips) or len(same) < len(copies):
        folder.claim([*zips, *copies])
        folder.withdraw(edition.language.tag)
        listed = {}
    for path in copies.keys() - same:
        data = copies[path]
        if isinstance(data, Path):
            with into_place(output / path) as tmp:
                shutil.copyfile(data, tmp)
        else:
            write_atomic(output / path, data)
    for path, (entries, first) in zips.items():
        if path not in unchanged:
            with into_place(output / path) as tmp, open(tmp, "wb") as handle:
                archive.write_zip(handle, entries, keys[path], first=first)
    infos = {}
    for path, data in copies.items():  # an MP3 copied is known by its original's size and hash
        infos[path] = tracks_info[data] if isinstance(data, Path) else FileInfo.of(data)
    for path in zips:
        infos[path] = _info(output / path, listed.get(path) if path in unchanged else None)
    return infos


def _holds(path: Path, data: bytes | Path) -> bool:
    """Whether ``path`` holds ``data``, or a copy of the MP3 ``data`` (known by the inputs its
    tags name and its size)."""
    if not isinstance(data, Path):
        return holds(path, data)
    try:
        same_size = path.stat().st_size == data.stat().st_size
    except OSError:
        return False
    return same_size and audio.read_inputs(path) == audio.read_inputs(data) is not None


def _mp3s(edition: Edition) -> list[str]:
    return [edition.track_file(track, ".mp3") for track in edition.tracks]


# --- the output folder -------------------------------------------------------------------


@contextmanager
def _locked(output: Path) -> Iterator[None]:
    """Hold the output folder's lock; a second build waits for the first to finish."""
    with open(output / LOCK_FILE, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info(f"another build is writing {output}; waiting for it to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _cache_root(root: Path | None) -> Iterator[Path]:
    """The sentence cache; with --no-cache, a temporary one that lives for this build only."""
    if root is not None:
        Path(root).mkdir(parents=True, exist_ok=True)
        yield Path(root)
        return
    with tempfile.TemporaryDirectory(prefix="audioguide-cache-") as tmp:
        yield Path(tmp)
