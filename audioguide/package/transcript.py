"""A language's full transcript (``transcript.txt``): the whole guide as it is spoken.

The guide's title (and description), then per track a heading ``<number>. <title>`` and its
paragraphs. A title or paragraph spoken in the source language because it has no translation yet
(its id is in :attr:`Track.fallbacks <audioguide.edition.Track.fallbacks>`) is marked with
:data:`~audioguide.strings.UNTRANSLATED` in the transcript's language.
"""

from __future__ import annotations

import re

from babel import Locale

from ..catalogs import Translation
from ..edition import Edition, Track
from ..errors import BuildError
from ..languages import Language
from ..strings import UNTRANSLATED
from .captions import one_line

_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


def render_transcript(edition: Edition, translation: Translation, source: Language) -> bytes:
    """The edition's transcript in UTF-8, ending with a newline.

    ``translation`` gives audioguide's own strings in the edition's language; ``source`` is the
    guide's source language, named in the untranslated marks ("read in English").
    """
    mark = translation.tool(UNTRANSLATED, language=_name_in(source, edition.language))
    blocks = [one_line(edition.title)]
    if edition.description and edition.description.strip():
        blocks.append(edition.description.strip())
    for track in sorted(edition.tracks, key=lambda t: t.number):
        title_fallback, paragraph_fallbacks = _fallbacks(track)
        paragraphs = _paragraphs(track, numbered=bool(paragraph_fallbacks))
        if paragraph_fallbacks and max(paragraph_fallbacks) > len(paragraphs):
            raise BuildError(
                f"track {track.stem}: fallback p{max(paragraph_fallbacks)} but the transcript "
                f"has {len(paragraphs)} paragraphs. Probable cause: a bug in the build; please "
                "report it"
            )
        heading = f"{track.number}. {one_line(track.title)}"
        blocks.append(f"{heading} {mark}" if title_fallback else heading)
        for number, paragraph in enumerate(paragraphs, 1):
            blocks.append(f"{mark}\n{paragraph}" if number in paragraph_fallbacks else paragraph)
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


def _name_in(language: Language, display: Language) -> str:
    """``language``'s name in the ``display`` language ("영어" for English in Korean)."""
    try:
        name = Locale.parse(language.locale_id).get_display_name(display.locale_id)
    except (ValueError, LookupError):
        name = None
    return name or language.name


def _paragraphs(track: Track, numbered: bool) -> list[str]:
    """The track's spoken paragraphs, p1 first.

    :attr:`Track.transcript` holds the spoken announcement, then each paragraph, separated by
    blank lines; the announcement is left out (the heading stands for it). A transcript with as
    many blocks as the track has chapters (one per paragraph) has no announcement. When the count
    matches neither (a paragraph holding a blank line), paragraphs cannot be told apart: that is
    fine unless some are to be marked (``numbered``), which raises :class:`BuildError`.
    """
    blocks = [b.strip() for b in _PARAGRAPH_BREAK.split(track.transcript.strip()) if b.strip()]
    if len(blocks) == len(track.chapters):
        return blocks
    if numbered and len(blocks) != len(track.chapters) + 1:
        raise BuildError(
            f"track {track.stem}: its transcript has {len(blocks)} blocks for "
            f"{len(track.chapters)} paragraphs, so untranslated paragraphs cannot be marked. "
            "Probable cause: a paragraph holds a blank line; the build should join its lines"
        )
    return blocks[1:] if len(blocks) > len(track.chapters) else blocks


def _fallbacks(track: Track) -> tuple[bool, set[int]]:
    """Whether the title is a fallback, and the numbers of the paragraphs that are."""
    title = False
    paragraphs: set[int] = set()
    for message in track.fallbacks:
        section, _, part = message.partition("/")
        match = re.fullmatch(r"p([1-9][0-9]*)", part)
        if section == track.section_id and part == "title":
            title = True
        elif section == track.section_id and match:
            paragraphs.add(int(match.group(1)))
        else:
            raise BuildError(
                f"track {track.stem}: unknown fallback id {message!r}; expected "
                f"'{track.section_id}/title' or '{track.section_id}/p<N>'. Probable cause: a bug "
                "in the build; please report it"
            )
    return title, paragraphs
