"""A language's full transcript (``transcript.txt``): the whole guide as it is spoken; and each
track's own (``<stem>.txt``), which its feed episode links to.

The guide's title (and description), then per track a heading ``<number>. <title>`` and its
paragraphs, read from the timeline. A title or paragraph spoken in the source language because it
has no translation yet is marked with :data:`~audioguide.strings.UNTRANSLATED` in the transcript's
language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from babel import Locale

from ..catalogs import Translation
from ..edition import Edition, Track
from ..languages import Language
from ..published import renders
from ..strings import UNTRANSLATED
from .captions import one_line

if TYPE_CHECKING:
    from .listener import Inputs


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
        blocks += _track_blocks(edition, track, mark)
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


def render_track_transcript(
    edition: Edition, track: Track, translation: Translation, source: Language
) -> bytes:
    """One track's part of :func:`render_transcript`: its heading and its paragraphs."""
    mark = translation.tool(UNTRANSLATED, language=_name_in(source, edition.language))
    return ("\n\n".join(_track_blocks(edition, track, mark)) + "\n").encode("utf-8")


def _track_blocks(edition: Edition, track: Track, mark: str) -> list[str]:
    heading = f"{track.number}. {one_line(track.title)}"
    untranslated = track.title_lang != edition.language.tag
    blocks = [f"{heading} {mark}" if untranslated else heading]
    for paragraph in track.paragraphs:
        text = paragraph.text.strip()
        blocks.append(f"{mark}\n{text}" if paragraph.fallback else text)
    return blocks


def _name_in(language: Language, display: Language) -> str:
    """``language``'s name in the ``display`` language ("영어" for English in Korean)."""
    try:
        name = Locale.parse(language.locale_id).get_display_name(display.locale_id)
    except (ValueError, LookupError):
        name = None
    return name or language.name


@renders("track_transcript")
def _track_transcript(given: Inputs, track: Track) -> bytes:
    return render_track_transcript(
        given.edition, track, given.translation, given.guide.source_language
    )


@renders("transcript")
def _transcript(given: Inputs, track: None) -> bytes:  # noqa: ARG001 - the renderers' contract
    return render_transcript(given.edition, given.translation, given.guide.source_language)
