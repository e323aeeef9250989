"""The whole guide in one file, per language: the full-guide MP3 (the tracks' MPEG frames one
after another, a chapter per track, no second encoding) and the M4B audiobook (the tracks' AAC
parts from the cache, a chapter per track).

:func:`full_guide` and :func:`audiobook` say, in the build's process, what a file would be made
from and whether the one on disk already is (its tags carry a hash of its inputs); the
:class:`Join` they return, when it is not, runs in a worker.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import audio, cache, files
from .audio import Picture
from .catalogs import Translation
from .edition import Chapter, Edition
from .errors import BuildError, InternalError
from .strings import FULL_GUIDE
from .tracks import RENDER_VERSION, Part, Rendered, TrackPlan


@dataclass(frozen=True)
class Join:
    """A whole-guide file to make in a worker: ``function(*args)``."""

    path: str  # output-relative
    what: str  # what the worker does, for a message naming it
    function: Callable[..., None]
    args: tuple[Any, ...]


def full_guide(
    output: Path,
    edition: Edition,
    translation: Translation,
    cover: Picture,
    date: str | None,
    size: int | None = None,
) -> tuple[Join | None, tuple[Chapter, ...]]:
    """The join that makes the full-guide file (None when the file is up to date: made from
    the same inputs, and of the ``size`` the ledger records), and its chapters: the tracks, at
    the exact places the join puts them (the last ends where the file does)."""
    path = output / edition.full_guide
    sources = [output / edition.track_file(track, ".mp3") for track in edition.tracks]
    starts = [round(ms) for ms in audio.track_starts([audio.mp3_stream(s) for s in sources])]
    duration = starts[-1] + edition.tracks[-1].duration_ms
    ends = [*starts[1:], duration]
    chapters = tuple(
        Chapter(start, end, track.title)
        for start, end, track in zip(starts, ends, edition.tracks, strict=True)
    )
    title = f"{edition.title}: {translation.tool(FULL_GUIDE)}"
    tags = _tags(edition, title, cover, date, chapters)
    inputs = cache.key(RENDER_VERSION, [audio.read_inputs(source) for source in sources],
                       tags.identity())  # fmt: skip
    if audio.read_inputs(path) == inputs and _sized(path, size):
        return None, chapters
    tags = dataclasses.replace(tags, inputs=inputs)
    return Join(
        edition.full_guide, "joining the tracks", join_tracks, (sources, path, tags)
    ), chapters


def audiobook(
    output: Path,
    edition: Edition,
    plans: list[TrackPlan],
    rendered: dict[str, Rendered],
    cache_root: Path,
    cover: Picture,
    date: str | None,
    size: int | None = None,
) -> tuple[Join | None, int]:
    """The job that makes the language's M4B from its tracks' AAC parts (None when the file is
    up to date, as :func:`full_guide` says), and its length in ms. A chapter per track, with the
    track's title."""
    if edition.audiobook is None:
        raise InternalError(f"{edition.folder}: an audiobook for an edition without one")
    parts = [(plan.inputs, rendered[plan.inputs].aac) for plan in plans]
    starts = audio.aac_starts([part.frames for _, part in parts])
    chapters = [
        audio.AudiobookChapter(start, end, track.title)
        for start, end, track in zip(starts, starts[1:], edition.tracks, strict=False)
    ]
    tags = _tags(edition, edition.title, cover, date)
    marks = [[c.start, c.end, c.title] for c in chapters]
    inputs = cache.key(RENDER_VERSION, [key for key, _ in parts], marks, tags.identity())
    duration = round(starts[-1] * 1000 / audio.AAC_RATE)
    path = output / edition.audiobook
    if audio.read_m4b_inputs(path) == inputs and _sized(path, size):
        return None, duration
    tags = dataclasses.replace(tags, inputs=inputs)
    args = (parts, cache_root, path, tags, chapters)
    return Join(edition.audiobook, "joining the tracks' AAC", make_audiobook, args), duration


def _sized(path: Path, size: int | None) -> bool:
    """Whether the file at ``path`` is of the ``size`` the ledger records (when it records one:
    a file made by a build killed before it published it has none)."""
    try:
        return size is None or path.stat().st_size == size
    except OSError:
        return False


def _tags(
    edition: Edition,
    title: str,
    cover: Picture,
    date: str | None,
    chapters: tuple[Chapter, ...] = (),
) -> audio.Tags:
    """Tags of a file that holds the whole guide: no track number, every voice that speaks in
    it (the edition's first), every track's transcript."""
    return audio.Tags(
        title=title,
        album=edition.title,
        artist=edition.author or edition.title,
        track=None,
        language=edition.language.iso639_2,
        voices=tuple(dict.fromkeys(voice for track in edition.tracks for voice in track.voices)),
        transcript="\n\n".join(track.transcript for track in edition.tracks),
        chapters=chapters,
        inputs="",
        cover=cover,
        date=date,
    )


# --- in the workers ----------------------------------------------------------------------------


def join_tracks(sources: list[Path], path: Path, tags: audio.Tags) -> None:
    """The full-guide file: the tracks one after another, tagged with a chapter per track."""
    with files.into_place(path, durable=False) as tmp:
        audio.join_mp3(sources, tmp)
        audio.write_tags(tmp, tags)


def make_audiobook(
    parts: list[tuple[str, Part]],
    cache_root: Path,
    path: Path,
    tags: audio.Tags,
    chapters: list[audio.AudiobookChapter],
) -> None:
    """A language's M4B: the tracks' AAC parts (cache keys, and what their records say of them)
    joined, with a chapter per track."""
    store = cache.Cache(cache_root)
    on_disk = [store.part_path(key) for key, _ in parts]
    digests = [part.sha256 for _, part in parts]
    with files.into_place(path, durable=False) as tmp:
        try:
            audio.make_m4b(on_disk, tmp, tags, chapters, digests=digests)
        except (OSError, ValueError):
            raise BuildError(
                f"a track's audio for {path.name} changed or left the cache during the build; "
                "build again"
            ) from None
