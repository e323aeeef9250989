"""What the audio stage hands the package stage: each language's built tracks and their timings.

Plain frozen data: everything here is already in the track's language, times are whole
milliseconds from the start of the track's audio, and paths are relative to the output folder.
"""

from __future__ import annotations

from dataclasses import dataclass

from .languages import Language


@dataclass(frozen=True)
class Cue:
    """One sentence as spoken in a track: a caption."""

    start_ms: int
    end_ms: int
    text: str


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
    stem: str  # "02-escape": every file of this track is <tag>/<stem>.<ext>
    duration_ms: int
    cues: tuple[Cue, ...]  # the announcement, then every sentence, in order
    chapters: tuple[Chapter, ...]  # one per paragraph
    transcript: str  # the text as spoken, paragraphs separated by blank lines
    fallbacks: tuple[str, ...]  # ids of messages spoken in the source language
    voice: str  # what spoke it, e.g. "espeak-ng 1.52 (cmn)"


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

    # Where each file of the edition lives, relative to the output folder.
    @property
    def folder(self) -> str:
        return self.language.tag

    def track_file(self, track: Track, suffix: str) -> str:
        """``track_file(t, ".mp3")``, ``".vtt"`` or ``".chapters.json"``."""
        return f"{self.folder}/{track.stem}{suffix}"

    @property
    def playlist(self) -> str:
        return f"{self.folder}/playlist.m3u8"

    @property
    def feed(self) -> str:
        return f"{self.folder}/feed.xml"

    @property
    def transcript(self) -> str:
        return f"{self.folder}/transcript.txt"

    @property
    def full_guide(self) -> str:
        return f"{self.folder}/00-full-guide.mp3"

    @property
    def zip(self) -> str:
        return f"{self.guide_id}-{self.folder}.zip"

    @property
    def page(self) -> str:
        return f"{self.folder}/index.html"
