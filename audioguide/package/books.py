"""What the two talking books (:mod:`.epub` and :mod:`.daisy`) share: their extra inputs, the
clips they cut the tracks into, and text made safe for XML.

Both books play the tracks' own MP3s (no second encoding): a clip per sentence, from the
sentence's start to the next one's (the first from 0, the last to the end of the track), so a
reading system that plays clip after clip plays the whole track, pauses included, and the
overlays' durations add up to the tracks'.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import TypeVar

from ..edition import Block, Edition, Sentence, Track
from ..errors import InternalError

T = TypeVar("T")

# The EPUB's last modification (dcterms:modified, which EPUB requires) when guide.yaml gives no
# ``published:``: fixed, so the same input gives the same bytes. No book claims it as a date of
# publication (dc:date): without ``published:`` they carry none.
FIXED_DATE = datetime.date(2000, 1, 1)
# Namespace of the books' identifiers: uuid5(BOOK_NAMESPACE, "<guide id>/<tag>").
BOOK_NAMESPACE = uuid.UUID("0b7e7a0c-4f3c-5a52-9d2e-6f2b1f6a8c11")
GENERATOR = "audioguide"

# Characters XML 1.0 cannot carry at all.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Sentences in these scripts are not separated by spaces.
_NO_SPACE_AFTER = ("。", "！", "？", "．", "」", "』")


@dataclass(frozen=True)
class Clip:
    """One sentence of a track and the stretch of the track's audio that belongs to it."""

    id: str  # the id of the sentence's element in the text ("p2-s3")
    sentence: Sentence
    begin_ms: int
    end_ms: int


def clips(track: Track) -> tuple[Clip, ...]:
    """The track's sentences as back-to-back clips covering ``0 .. track.duration_ms``."""
    found = [
        (sentence_id(block, n), sentence)
        for block in track.blocks
        for n, sentence in enumerate(block.sentences, 1)
    ]
    begins = [s.start_ms if n else 0 for n, (_, s) in enumerate(found)]
    ends = [*begins[1:], track.duration_ms]
    return tuple(
        Clip(id_, sentence, begin, max(begin, end))
        for (id_, sentence), begin, end in zip(found, begins, ends, strict=True)
    )


def sentence_id(block: Block, n: int) -> str:
    """The id of the ``n``-th (1-based) sentence of ``block``: ``p2-s3``, ``announcement-s1``."""
    return f"{block.id}-s{n}"


def block_html(block: Block, book_lang: str, css: str = "", tag: str = "p") -> str:
    """The block as a ``<p>`` (or another ``tag``) of one ``<span id>`` per sentence;
    ``xml:lang`` and ``lang`` wherever the language differs from the element around it."""
    text = ""
    for n, sentence in enumerate(block.sentences, 1):
        if n > 1:
            text += joiner(block.sentences[n - 2].text)
        text += (
            f'<span id="{sentence_id(block, n)}"{lang_attributes(sentence.lang, block.lang)}>'
            f"{x(sentence.text)}</span>"
        )
    css = f' class="{css}"' if css else ""
    return f'<{tag} id="{block.id}"{css}{lang_attributes(block.lang, book_lang)}>{text}</{tag}>'


def lang_attributes(lang: str, around: str) -> str:
    """`` xml:lang="…" lang="…"`` when ``lang`` differs from the language ``around`` it."""
    return "" if lang == around else f' xml:lang="{x(lang)}" lang="{x(lang)}"'


def joiner(text: str) -> str:
    """What goes between a sentence ending in ``text`` and the next: nothing after CJK
    full stops, a space otherwise."""
    return "" if text.rstrip().endswith(_NO_SPACE_AFTER) else " "


def identifier(edition: Edition) -> str:
    """The same ``urn:uuid:`` for a guide in a language on every rebuild."""
    return f"urn:uuid:{uuid.uuid5(BOOK_NAMESPACE, f'{edition.guide_id}/{edition.language.tag}')}"


def x(text: str) -> str:
    """``text`` escaped for XML text and attribute values (quotes included); characters XML
    cannot hold are dropped."""
    return escape(_NOT_XML.sub("", text), quote=True)


def narrators(edition: Edition) -> list[str]:
    """Every voice that speaks in the edition, in the order they first speak (the edition's own
    voice first)."""
    return list(dict.fromkeys(voice for track in edition.tracks for voice in track.voices))


def track_audio(edition: Edition, audio: Mapping[str, T], book: str) -> list[tuple[Track, T]]:
    """Each track with its MP3 from ``audio`` (keyed by ``edition.track_file(track, ".mp3")``).
    Raises :class:`~audioguide.errors.InternalError` naming the ``book`` when one is missing."""
    found = []
    for track in edition.tracks:
        mp3 = edition.track_file(track, ".mp3")
        if mp3 not in audio:
            raise InternalError(
                f"{mp3} is missing from the audio given for the {book}: the "
                "build makes the book before encoding that track"
            )
        found.append((track, audio[mp3]))
    return found
