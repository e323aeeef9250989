"""Stages 3 and 4 of the build: each language from its plan to its published files, as the
workers come back.

The tracks whose inputs changed are rendered in the workers. Once all a language's tracks are
there, its whole-guide files are joined (in the workers too, where they changed); once those
are there, everything else its listeners get (:mod:`audioguide.package.listener`) is written
here, through the ledger (:meth:`audioguide.output.Output.publish`), while the workers go on
with the other languages.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Iterable
from pathlib import Path

from . import jobs, speech, tracks, whole_guide
from .cache import Cache
from .catalogs import Translation
from .edition import Chapter, Edition
from .engines import get_engine
from .engines.base import shorten
from .errors import InternalError
from .output import Output, info_of
from .package.cover import Cover
from .package.manifest import FileInfo
from .report import Reporter
from .script import Guide

log = logging.getLogger(__name__)


class Languages:
    """The build's languages on their way from their plans to their files."""

    def __init__(
        self,
        plans: dict[str, tracks.EditionPlan],
        folder: Output,
        guide: Guide,
        translations: dict[str, Translation],
        cover: Cover,
        base_url: str,
        cache_root: Path,
        report: Reporter,
        verify: bool = False,
    ) -> None:
        self.plans, self.folder, self.guide, self.cover = plans, folder, guide, cover
        self.translations, self.base_url, self.report = translations, base_url, report
        self.store = Cache(cache_root)
        self.rendered: dict[str, dict[str, tracks.Rendered]] = {tag: {} for tag in plans}
        self.joins: dict[str, set[str]] = {}  # the whole-guide files a language waits for
        self.lengths: dict[str, int] = {}  # of the whole-guide files, in ms
        self.places: dict[str, tuple[Chapter, ...]] = {}  # each track's in the full-guide file
        self.counts = dict.fromkeys(("synthesised", "cached", "written", "unchanged"), 0)
        self.fresh: set[str] = set()  # clips synthesised by jobs of their own, not yet counted
        self.built: dict[str, Edition] = {}  # each language's timeline, once spoken
        self.infos: dict[str, FileInfo] = {}  # the size and hash of every file written
        self.verify = verify  # read every track found made, to check its SHA-256
        # Each track (and spoken title) by its path, and those of them whose bytes are known to
        # be as made: made now, or read and checked.
        self.renders = {
            track.path: (tag, track) for tag, plan in plans.items()
            for track in plan.renders
        }  # fmt: skip
        self.checked: set[str] = set()
        self.trusted: dict[str, dict[str, FileInfo]] = {}  # each language's files as listed

    def workers(self, jobs: int) -> int:
        """One worker per core for offline voices, ``jobs`` for network voices (at most
        ``jobs`` requests in flight)."""
        network = any(get_engine(name).parallel == "thread" for name in self._engines())
        return max(1, jobs if network else min(jobs, os.cpu_count() or 1))

    def preload(self) -> list[str]:
        """What every worker needs: the track renderer, the joins, loudness, the engines."""
        engines = sorted({type(get_engine(name)).__module__ for name in self._engines()})
        return ["audioguide.tracks", "audioguide.whole_guide", "numpy", "loudness", *engines]

    def _engines(self) -> set[str]:
        return {track.speaker.engine for plan in self.plans.values() for track in plan.renders}

    def relied_on(self) -> list[Path]:
        """The cache entries the built languages' tracks were taken from (their records, and
        their AAC parts)."""
        found = []
        for rendered in self.rendered.values():
            for inputs, result in rendered.items():
                found.append(self.store.record_path(inputs))
                if result.part is not None:
                    found.append(self.store.part_path(inputs))
        return found

    # --- 3. render -------------------------------------------------------------------------

    def start(self, queue: jobs.Jobs) -> None:
        """Queue every track (and spoken title) whose MP3 is missing or was made from other
        inputs."""
        todo = []
        for tag, plan in self.plans.items():
            self.report.start(plan.edition.language, len(plan.tracks))
            waiting = []
            trusted = self.trusted[tag] = self.folder.trusted(tag)
            for track in plan.renders:
                found = self._reusable(track, trusted.get(track.path))
                state = "to render" if found is None else "up to date"
                log.debug(f"{self.folder.root / track.path}: {state}")
                if found is None:
                    waiting.append(track)
                    continue
                self.rendered[tag][track.inputs] = found
                if track is not plan.title:
                    self.counts["unchanged"] += 1
                    self.report.advance(plan.edition.language, track.name, written=False)
            # Language by language, so that each one's joins and files follow as soon as its
            # tracks are done; within one the longest first (in guide order where equal), so
            # that what the last busy worker is left with, while the others have no more work,
            # is a short track.
            todo += sorted(waiting, key=lambda track: -_spoken(track))
        _tell_damaged(str(path) for path in self.store.damaged)
        # Before any file of a language changes, the manifest stops listing that language.
        self.folder.claim(track.path for track in todo)
        for tag in dict.fromkeys(track.speaker.language.tag for track in todo):
            self.folder.withdraw(tag)
        for track in self._speak_first(queue, todo):
            self._render(queue, track)
        for tag in self.plans:
            if self._all_there(tag):  # nothing to render
                self._tracks_done(queue, tag)

    def _render(self, queue: jobs.Jobs, track: tracks.TrackPlan, first: bool = False) -> None:
        who = track.speaker
        queue.submit(f"{who.language.tag}/{track.name} (with {who.engine})",
                     tracks.render, track, self.folder.root, self.store.root, first=first,
                     then=functools.partial(self._made, queue, track))  # fmt: skip

    def _speak_first(
        self, queue: jobs.Jobs, todo: list[tracks.TrackPlan]
    ) -> list[tracks.TrackPlan]:
        """Hand out the sentences of the voices whose synthesis is most of the work (a neural
        voice's) as jobs of their own, the longest first, each into the cache; each track that
        says one of them is rendered from the cache once its last one is there. Returns the
        tracks that wait for none. A track of several minutes would keep one core speaking while
        the others have nothing left to do; sentences are seconds."""
        if not queue.executor.sentence_jobs:
            return todo
        said: dict[str, tuple[str, speech.Utterance]] = {}
        for track in todo:
            for sentence, utterance in zip(track.track.sentences, track.utterances, strict=True):
                if get_engine(utterance.speaker.engine).synthesis_bound:
                    said.setdefault(utterance.key, (sentence.spoken, utterance))
        waiting: dict[str, list[tuple[tracks.TrackPlan, set[str]]]] = {}
        ready = []
        for track in todo:
            keys = {utterance.key for utterance in track.utterances if utterance.key in said}
            for key in keys:
                waiting.setdefault(key, []).append((track, keys))
            if not keys:
                ready.append(track)

        def spoken(key: str, made: bool) -> None:
            if made:
                self.counts["synthesised"] += 1
                self.fresh.add(key)
            for track, keys in waiting.pop(key):
                keys.discard(key)
                if not keys:  # its every clip is there: ahead of the sentences still queued
                    self._render(queue, track, first=True)

        for key, (text, utterance) in sorted(said.items(), key=lambda item: -len(item[1][0])):
            who = utterance.speaker
            queue.submit(f"{who.language.tag}: the sentence {shorten(text)!r} (with "
                         f"{who.engine})", speech.make, text, utterance, self.store.root,
                         then=functools.partial(spoken, key))  # fmt: skip
        return ready

    def _reusable(self, track: tracks.TrackPlan, known: FileInfo | None) -> tracks.Rendered | None:
        """What rendering ``track`` gave, when its MP3 is there as it was made: of the size
        (and with ``--verify`` the SHA-256) its record gives, and, while its language is listed,
        as the ledger lists it (``known``). A track made from other inputs is None; one made
        from the same inputs but not as made is told, then made again."""
        found = tracks.made(track, self.folder.root, self.store)
        if found is None:
            return None
        if (known is not None and (known.bytes, known.sha256) != found.mp3) or not tracks.intact(
            track, self.folder.root, found, read=self.verify
        ):
            log.info(f"{self.folder.root / track.path} is not as it was made; making it again")
            return None
        if self.verify:
            self.checked.add(track.path)
        return found

    def _check(self, paths: Iterable[Path]) -> None:
        """Before the bytes of tracks found made are read to be packaged (joined, zipped,
        copied into a book), their SHA-256 is checked: one that is not as made is told and
        made again, here and now, from the cache."""
        for path in paths:
            relative = path.relative_to(self.folder.root).as_posix()
            if relative not in self.renders or relative in self.checked:
                continue
            tag, track = self.renders[relative]
            if not tracks.intact(
                track, self.folder.root, self.rendered[tag][track.inputs], read=True
            ):
                log.info(f"{self.folder.root / track.path} is not as it was made; making it again")
                self.folder.withdraw(tag)
                result = tracks.render(track, self.folder.root, self.store.root)
                _tell_damaged(result.damaged)
                self.rendered[tag][track.inputs] = result
                if track is not self.plans[tag].title:
                    self.counts["written"] += 1
                    self.counts["unchanged"] -= 1
            self.checked.add(relative)

    def _all_there(self, tag: str) -> bool:
        return len(self.rendered[tag]) == len(self.plans[tag].renders)

    def _made(self, queue: jobs.Jobs, track: tracks.TrackPlan, result: tracks.Rendered) -> None:
        tag = track.speaker.language.tag
        self.rendered[tag][track.inputs] = result
        self.checked.add(track.path)
        # A clip its sentence's own job made counts as synthesised there, not as cached here.
        taken = [u.key for u in track.utterances if u.key in self.fresh]
        self.fresh.difference_update(taken)
        self.counts["synthesised"] += result.synthesised
        self.counts["cached"] += result.cached - len(set(taken))
        _tell_damaged(result.damaged)
        if track is not self.plans[tag].title:  # the spoken title is no track
            self.counts["written"] += 1
            self.report.advance(track.speaker.language, track.name, written=True)
        if self._all_there(tag):
            self._tracks_done(queue, tag)

    # --- 4. each language's files --------------------------------------------------------------

    def _tracks_done(self, queue: jobs.Jobs, tag: str) -> None:
        """The language's timeline is whole: join its whole-guide files where they changed."""
        plan, rendered = self.plans[tag], self.rendered[tag]
        edition = self.built[tag] = tracks.spoken(plan, rendered)
        translation = self.translations[tag]
        output = self.folder.root
        date = self.guide.published.isoformat() if self.guide.published else None
        known = self._sizes(tag, [edition.full_guide, edition.audiobook])
        full, places = whole_guide.full_guide(output, edition, translation, self.cover, date,
                                              known.get(edition.full_guide))  # fmt: skip
        self.places[tag] = places
        self.lengths[edition.full_guide] = places[-1].end_ms
        book = None
        if edition.audiobook:
            book, self.lengths[edition.audiobook] = whole_guide.audiobook(
                output,
                edition,
                list(plan.tracks),
                rendered,
                self.store.root,
                self.cover,
                date,
                known.get(edition.audiobook),
            )
        if full is not None:  # the join reads the tracks
            self._check(output / edition.track_file(track, ".mp3") for track in edition.tracks)
        joins = [join for join in (full, book) if join]
        self.joins[tag] = {join.path for join in joins}
        for join in joins:
            self.folder.claim([join.path])
            self.folder.withdraw(tag)
            queue.submit(f"{join.path} ({join.what})", join.function, *join.args, first=True,
                         then=functools.partial(self._joined, tag, join.path))  # fmt: skip
        if not joins:
            self._write(edition)

    def _sizes(self, tag: str, paths: list[str | None]) -> dict[str, int]:
        """The sizes the ledger gave ``paths`` of language ``tag`` when the build started, while
        it listed the language; a file of another size is told (and so made again)."""
        sizes = {}
        for path in paths:
            info = self.trusted[tag].get(path) if path else None
            if path is None or info is None:
                continue
            sizes[path] = info.bytes
            target = self.folder.root / path
            if target.exists() and target.stat().st_size != info.bytes:
                log.info(f"{target} is not as it was made; making it again")
        return sizes

    def _joined(self, tag: str, path: str, _: object) -> None:
        self.joins[tag].discard(path)
        if not self.joins[tag]:
            self._write(self.built[tag])

    def _write(self, edition: Edition) -> None:
        """The language's audio is all there: write everything else its listeners get."""
        from .package.listener import language_files  # loaded while the workers render

        tag = edition.language.tag
        trusted = self.folder.trusted(tag)
        lengths = {path: self.lengths[path] for path in (edition.full_guide, edition.audiobook)
                   if path}  # fmt: skip
        for track in edition.tracks:
            lengths[edition.track_file(track, ".mp3")] = track.duration_ms
        if edition.title_clip is not None:
            lengths[edition.title_mp3] = edition.title_clip.duration_ms
        audio = {path: self.folder.root / path for path in lengths}
        infos = {path: self._info(path, trusted.get(path), ms) for path, ms in lengths.items()}
        contents = language_files(
            edition, self.translations[tag], self.guide, base_url=self.base_url,
            cover=self.cover, audio=audio, sizes={p: i.bytes for p, i in infos.items()},
            places=self.places[tag], recorded=self.folder.built,
        )  # fmt: skip
        sources = {audio[path]: info for path, info in infos.items()}
        self.infos |= infos | self.folder.publish(contents, sources, tag, check=self._check)

    def _info(self, path: str, known: FileInfo | None, duration_ms: int) -> FileInfo:
        """The size and hash of an audio file of the language: a track's as made (its record
        says), a whole-guide file's as the ledger or the file says."""
        if path in self.renders:
            tag, track = self.renders[path]
            mp3 = self.rendered[tag][track.inputs].mp3
            if mp3 is None:
                raise InternalError(f"{path}: made without its size and SHA-256")
            return FileInfo(*mp3, duration_ms)
        return info_of(self.folder.root / path, known, duration_ms)


def _spoken(track: tracks.TrackPlan) -> int:
    """How long the track takes to render, roughly: the characters it speaks."""
    return sum(len(sentence.spoken) for sentence in track.track.sentences)


def _tell_damaged(paths: Iterable[str]) -> None:
    for path in paths:
        log.info(f"the cache entry {path} was damaged; ignored it and made it again")
