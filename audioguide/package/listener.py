"""Everything a language's listeners get besides the audio itself, as data: each track's captions,
chapters and transcript; the playlist, the whole transcript and the podcast feed; the zip of it
all; and the talking books (the EPUB, and the DAISY book as a zip).

Pure: the edition and the paths of its audio in, ``{output-relative path: content}`` out, where
a content is the file's bytes, the :class:`~pathlib.Path` of an audio file to copy as it is, or
a :class:`~audioguide.package.archive.Zip` of such contents. The audio is never read here: the
build writes these (:meth:`audioguide.output.Output.publish`), streaming what is on disk. Which
files there are is the table of what a build publishes (:mod:`audioguide.published`); each is
made by the renderer registered under its kind's name in the module that renders it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import published
from ..catalogs import Translation
from ..edition import Chapter, Edition
from ..script import Guide
from . import archive, captions, daisy, epub, feed, playlist, transcript  # noqa: F401 - renderers
from .archive import Content
from .cover import Cover


@dataclass(frozen=True)
class Inputs:
    """What the renderers of a language's files are given. ``audio`` gives the file of each
    track's MP3, the full-guide MP3, the audiobook and the spoken title (by output-relative
    path), ``sizes`` their sizes in bytes (for the feed's enclosures), ``places`` where the
    full-guide MP3 holds each track; ``guide`` gives the source language and what guide.yaml
    says of the guide's publication (date, publisher, owner, category, who evaluated it).
    ``made``: the files rendered so far, by path (the zip holds some of them)."""

    edition: Edition
    translation: Translation
    guide: Guide
    base_url: str
    cover: Cover
    audio: Mapping[str, Path]
    sizes: Mapping[str, int]
    places: Sequence[Chapter]
    made: dict[str, Content] = field(default_factory=dict)


def language_files(
    edition: Edition,
    translation: Translation,
    guide: Guide,
    *,
    base_url: str,
    cover: Cover,
    audio: Mapping[str, Path],
    sizes: Mapping[str, int],
    places: Sequence[Chapter],
) -> dict[str, Content]:
    """The edition's files but its audio and its page, by output-relative path, each made by
    its kind's renderer, in the table's order. (See :class:`Inputs` for the arguments.)"""
    given = Inputs(edition, translation, guide, base_url, cover, audio, sizes, places)
    for kind, track, path in published.of_edition(edition):
        if kind.made_by == "package":
            given.made[path] = published.RENDERERS[kind.name](given, track)
    return given.made
