"""What the audio stage hands the package stage: each language's timeline.

A built :class:`Edition` is, per language, the tracks in order; each :class:`Track` holds its
blocks (the spoken announcement first, then one per paragraph), and each :class:`Block` its
sentences. A :class:`Sentence` knows the text shown, the text spoken, the BCP 47 tag of the
language it is spoken and shown in, whether it is the source text standing in for a missing
translation (and for which message), and where it is in the track's audio.

Every renderer (captions, transcripts, chapters, tags, feeds, the player, the talking books, the
manifest) reads this structure; none re-parses joined text or compares strings to recover it.

Plain frozen data: times are whole milliseconds from the start of the track's audio, and paths
are relative to the output folder.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from . import published
from .engines.base import Measured
from .languages import Language, resolve

ANNOUNCEMENT = "announcement"
PARAGRAPH = "paragraph"
# The spoken title's block id; its files are 00-title.* (a section's stem starts at 01).
TITLE = "title"


@dataclass(frozen=True)
class Sentence:
    """One sentence of a track, as written and as spoken, and where it is in the audio."""

    text: str  # as written: captions, transcripts, the player and the books show this
    spoken: str  # as handed to the voice (normalised; pronunciation lexicons applied)
    lang: str  # BCP 47 tag of the language it is spoken and shown in
    # The id of the message whose source text stands in for a missing translation ("markets/p2",
    # "markets/title"; "announcement" for audioguide's own announcement), or None.
    fallback: str | None
    start_ms: int = 0  # 0 until the track is spoken
    end_ms: int = 0


@dataclass(frozen=True)
class Block:
    """The announcement ("Track 2 of 5. Markets.") or one paragraph of a section."""

    kind: str  # ANNOUNCEMENT or PARAGRAPH
    id: str  # "announcement", "p1", "p2", ...: unique within the track
    text: str  # as written, whole (a paragraph may hold line breaks)
    lang: str  # BCP 47 tag of the language most of it is in (its sentences say exactly)
    fallback: str | None  # as Sentence.fallback, for the block's own message
    heading: str  # a paragraph's first words: its chapter title ("" for the announcement)
    sentences: tuple[Sentence, ...]

    @property
    def start_ms(self) -> int:
        return self.sentences[0].start_ms if self.sentences else 0

    @property
    def end_ms(self) -> int:
        return self.sentences[-1].end_ms if self.sentences else 0


@dataclass(frozen=True)
class Chapter:
    """One paragraph of a track (or one track of the full-guide file)."""

    start_ms: int
    end_ms: int
    title: str


@dataclass(frozen=True)
class Track:
    number: int  # 1-based position in the guide
    section_id: str
    title: str  # in the track's language (or the source language where untranslated)
    title_lang: str  # BCP 47 tag of the title's language
    stem: str  # "02-escape": every file of this track is <tag>/<stem>.<ext>
    duration_ms: int
    blocks: tuple[Block, ...]  # the announcement, then one per paragraph
    # Every voice that speaks in it, e.g. "espeak-ng 1.52 (cmn)": the language's first, then the
    # source language's where it reads what is not translated yet.
    voices: tuple[str, ...]

    @property
    def announcement(self) -> Block:
        return self.blocks[0]

    @property
    def paragraphs(self) -> tuple[Block, ...]:
        return self.blocks[1:]

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        """Every sentence in the order spoken: the captions."""
        return tuple(sentence for block in self.blocks for sentence in block.sentences)

    @property
    def chapters(self) -> tuple[Chapter, ...]:
        """One per paragraph; the first starts at 0 (the announcement belongs to it), each
        lasts until the next one starts, the last until the end of the track."""
        starts = [0 if n == 0 else p.start_ms for n, p in enumerate(self.paragraphs)]
        ends = [*starts[1:], self.duration_ms][: len(starts)]  # none for the spoken title
        return tuple(
            Chapter(start, end, paragraph.heading)
            for start, end, paragraph in zip(starts, ends, self.paragraphs, strict=True)
        )

    @property
    def fallbacks(self) -> tuple[str, ...]:
        """Ids of the guide's messages spoken in the source language, in order."""
        found = [s.fallback for s in self.sentences if s.fallback]
        found += [b.fallback for b in self.paragraphs if b.fallback]
        return tuple(f for f in dict.fromkeys(found) if f != ANNOUNCEMENT)

    @property
    def transcript(self) -> str:
        """The text as spoken, blocks separated by blank lines (for the MP3's lyrics tag)."""
        return "\n\n".join(block.text for block in self.blocks)


@dataclass(frozen=True)
class Edition:
    """The guide in one language."""

    guide_id: str
    language: Language
    title: str
    description: str | None
    author: str | None
    tracks: tuple[Track, ...]
    completeness: float  # percent of the guide's messages translated
    engine: str  # "gtts" or "espeak"
    # How well the language's voice is understood, as measured (its engine's data; none: unknown).
    quality: tuple[Measured, ...] = ()
    # BCP 47 tags of the title's and the description's language: the source language's while
    # untranslated. Left out, the edition's own.
    title_lang: str = ""
    description_lang: str = ""
    # The guide's title spoken on its own (track 0, one block), which the DAISY book's title
    # heading plays: its MP3 is <tag>/daisy/00-title.mp3.
    title_clip: Track | None = None
    has_audiobook: bool = False  # guide.yaml's ``audiobook: true`` or ``build --audiobook``

    def __post_init__(self) -> None:
        for name in ("title_lang", "description_lang"):
            if not getattr(self, name):
                object.__setattr__(self, name, self.language.tag)

    # Where each file of the edition lives, relative to the output folder: as the table of what
    # a build publishes (audioguide.published) says.
    @property
    def folder(self) -> str:
        return self.language.tag

    def path(self, name: str, track: Track | None = None) -> str:
        """The output-relative path of the edition's file of kind ``name`` (of ``track``)."""
        return published.kind(name).path(self, track)

    def track_file(self, track: Track, suffix: str) -> str:
        """``track_file(t, ".mp3")``: the track's file of the kind that ends in ``suffix``."""
        return published.track_kind(suffix).path(self, track)

    @property
    def playlist(self) -> str:
        return self.path("playlist")

    @property
    def feed(self) -> str:
        return self.path("feed")

    @property
    def transcript(self) -> str:
        return self.path("transcript")

    @property
    def full_guide(self) -> str:
        return self.path("full_guide")

    @property
    def full_guide_captions(self) -> str:
        return self.path("full_guide_captions")

    @property
    def full_guide_chapters(self) -> str:
        return self.path("full_guide_chapters")

    @property
    def audiobook(self) -> str | None:
        """The whole guide as one M4B audiobook with a chapter per track, if it has one."""
        return self.path("audiobook") if self.has_audiobook else None

    @property
    def zip(self) -> str:
        return self.path("zip")

    @property
    def epub(self) -> str:
        """The talking book for reading apps (EPUB 3 with Media Overlays)."""
        return self.path("epub")

    @property
    def title_mp3(self) -> str:
        """The spoken title, which the DAISY book plays first (and holds a copy of)."""
        return self.path("title_mp3")

    @property
    def daisy_zip(self) -> str:
        """The DAISY 2.02 book: its files in one folder, ``<guide id>-<tag>-daisy/ncc.html``
        and the rest, as players take it once unzipped."""
        return self.path("daisy_zip")

    @property
    def page(self) -> str:
        return self.path("page")


# --- as JSON -------------------------------------------------------------------------------

RECORD_VERSION = 2


def to_record(edition: Edition) -> dict[str, Any]:
    """The edition as plain JSON data (see :func:`from_record`)."""
    data: dict[str, Any] = {"version": RECORD_VERSION}
    for field in fields(Edition):
        value = getattr(edition, field.name)
        if field.name == "language":
            value = edition.language.locale_id
        elif field.name == "tracks":
            value = [_track_record(track) for track in edition.tracks]
        elif field.name == "title_clip" and edition.title_clip is not None:
            value = _track_record(edition.title_clip)
        elif field.name == "quality":
            value = [[measured.cer, measured.judge] for measured in edition.quality]
        data[field.name] = value
    return data


def from_record(data: dict[str, Any]) -> Edition:
    """The edition :func:`to_record` gave; ``ValueError`` when ``data`` is not such a record."""
    try:
        if data["version"] != RECORD_VERSION:
            raise ValueError(f"edition record version {data['version']!r}")
        # A record from before the voice's quality was recorded: nothing known.
        given = {**{"quality": []}, **data}
        values = {field.name: given[field.name] for field in fields(Edition)}
        values["quality"] = tuple(Measured(*measured) for measured in values["quality"])
        values["language"] = resolve(data["language"])
        values["tracks"] = tuple(_track(track) for track in data["tracks"])
        values["title_clip"] = _track(data["title_clip"]) if data["title_clip"] else None
        return Edition(**values)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not an edition record ({exc!r})") from None


def _track_record(track: Track) -> dict[str, Any]:
    data = {field.name: getattr(track, field.name) for field in fields(Track)}
    data["voices"] = list(track.voices)
    data["blocks"] = [
        {
            **{field.name: getattr(block, field.name) for field in fields(Block)},
            "sentences": [
                [getattr(sentence, field.name) for field in fields(Sentence)]
                for sentence in block.sentences
            ],
        }
        for block in track.blocks
    ]
    return data


def _track(data: dict[str, Any]) -> Track:
    blocks = tuple(
        Block(
            **{
                **{field.name: block[field.name] for field in fields(Block)},
                "sentences": tuple(Sentence(*sentence) for sentence in block["sentences"]),
            }
        )
        for block in data["blocks"]
    )
    values = {field.name: data[field.name] for field in fields(Track)}
    return Track(**{**values, "blocks": blocks, "voices": tuple(data["voices"])})
