"""A track's captions (WebVTT) and chapters (Podcasting 2.0 JSON chapters), from its real timings;
and the same for the whole-guide MP3, from where it holds each track.

Pure functions: a :class:`~audioguide.edition.Track` (or an edition) in, the file's bytes out.
Times come from the track as they are (whole milliseconds from the start of its audio); nothing
is aligned or guessed.
A time past the end of the track's audio is cut to its duration (an encoder can shave a few
milliseconds off the end); times that go backwards are a bug upstream and raise
:class:`~audioguide.errors.InternalError`.

:func:`one_line` is the rule every line-based format here shares (playlist titles, cue texts,
feed titles): however hostile a translated string is, it stays on one line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from ..edition import Chapter, Edition, Track
from ..errors import InternalError
from ..published import renders
from ..strings import FULL_GUIDE
from .times import json_seconds, vtt

if TYPE_CHECKING:
    from .listener import Inputs

CHAPTERS_VERSION = "1.2.0"

# Line breaks of every kind (CR, LF, NEL, U+2028/9), other C0/C1 controls, DEL, the space itself,
# and the two noncharacters XML cannot carry. Bidi marks and no-break spaces are text: they stay.
_BREAKS = re.compile(r"[\x00-\x20\x7f-\x9f\u2028\u2029\ufffe\uffff]+")


def one_line(text: str) -> str:
    """``text`` on one line: each run of spaces, line breaks and control characters becomes one
    space, and the ends are stripped. Nothing else changes."""
    return _BREAKS.sub(" ", text).strip()


def render_vtt(track: Track, lang: str) -> bytes:
    """The track's WebVTT captions: one cue per :class:`~audioguide.edition.Sentence`, in order.

    ``lang`` is the captions' language (BCP 47): a sentence in another one (a passage not yet
    translated) is marked ``<lang en>…</lang>``, so a player can switch voice or font. Cue text
    is put on one line and ``&``, ``<`` and ``>`` are escaped, so no string can end a cue early,
    add a timing line (``-->``) or open a tag.
    """
    spans = [(s.start_ms, s.end_ms, s.text, s.lang) for s in track.sentences]
    return _vtt(track.stem, track.duration_ms, spans, lang)


def render_full_vtt(edition: Edition, places: Sequence[Chapter]) -> bytes:
    """The captions of the whole-guide MP3: every track's, moved to where ``places`` (a chapter
    per track: where the joined file holds it) puts the track."""
    spans = _full_spans(edition, places)
    return _vtt(edition.full_guide, places[-1].end_ms, spans, edition.language.tag)


def _full_spans(edition: Edition, places: Sequence[Chapter]) -> list[tuple[int, int, str, str]]:
    return [
        (place.start_ms + s.start_ms, place.start_ms + s.end_ms, s.text, s.lang)
        for track, place in zip(edition.tracks, places, strict=True)
        for s in track.sentences
    ]


def render_srt(track: Track) -> bytes:
    """The track's captions as SubRip, for the players and video editors that read SRT rather
    than WebVTT: the same cues, numbered, with a decimal comma in the times."""
    spans = [(s.start_ms, s.end_ms, s.text, s.lang) for s in track.sentences]
    return _srt(track.stem, track.duration_ms, spans)


def render_full_srt(edition: Edition, places: Sequence[Chapter]) -> bytes:
    """The whole-guide MP3's captions as SubRip (see :func:`render_full_vtt`)."""
    return _srt(edition.full_guide, places[-1].end_ms, _full_spans(edition, places))


def _srt(name: str, duration_ms: int, spans: list[tuple[int, int, str, str]]) -> bytes:
    """SubRip cues of ``(start, end, text, language)`` spans. Each cue's text is on one line;
    SubRip marks no language and has no escapes, and its readers take ``<i>``-style tags, so
    ``<`` and ``>`` are written as the look-alike ‹ and ›."""
    cues = [
        (start, end, one_line(text).replace("<", "‹").replace(">", "›"))
        for start, end, text, _ in _timeline(name, duration_ms, spans)
    ]
    lines = []
    # A cue without text would end early (its blank line closes it): it shows nothing anyway.
    for number, (start, end, cue) in enumerate([cue for cue in cues if cue[2]], 1):
        lines += [str(number), f"{_comma(start)} --> {_comma(end)}", cue, ""]
    return "\n".join(lines).encode("utf-8")


def _comma(ms: int) -> str:
    return vtt(ms).replace(".", ",")


def render_chapters(track: Track) -> bytes:
    """The track's Podcasting 2.0 JSON chapters (version 1.2.0), one per paragraph."""
    spans = [(c.start_ms, c.end_ms, c.title, "") for c in track.chapters]
    return _chapters(track.title, track.stem, track.duration_ms, spans)


def render_full_chapters(edition: Edition, title: str, places: Sequence[Chapter]) -> bytes:
    """The whole-guide MP3's JSON chapters: ``places``, a chapter per track; ``title`` is the
    file's."""
    spans = [(c.start_ms, c.end_ms, c.title, "") for c in places]
    return _chapters(title, edition.full_guide, places[-1].end_ms, spans)


def _vtt(name: str, duration_ms: int, spans: list[tuple[int, int, str, str]], lang: str) -> bytes:
    """Captions of ``(start, end, text, language)`` cues in a file of ``lang``."""
    lines = ["WEBVTT", ""]
    for start, end, text, language in _timeline(name, duration_ms, spans):
        cue = escape(one_line(text))
        if language != lang:
            cue = f"<lang {language}>{cue}</lang>"
        lines += [f"{vtt(start)} --> {vtt(end)}", cue, ""]
    return "\n".join(lines).encode("utf-8")


def _chapters(
    title: str, name: str, duration_ms: int, spans: list[tuple[int, int, str, str]]
) -> bytes:
    document = {
        "version": CHAPTERS_VERSION,
        "title": title,
        "chapters": [
            {"startTime": json_seconds(start), "endTime": json_seconds(end), "title": text}
            for start, end, text, _ in _timeline(name, duration_ms, spans)
        ],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _timeline(
    name: str, duration_ms: int, spans: Iterable[tuple[int, int, str, str]]
) -> list[tuple[int, int, str, str]]:
    """Check that ``(start, end, text, language)`` spans run forward inside the audio of
    ``name``; cut ends that overrun its duration."""
    checked: list[tuple[int, int, str, str]] = []
    previous = 0
    for start, end, text, language in spans:
        if start < previous or end < start or start > duration_ms:
            raise InternalError(
                f"{name}: the span {start}-{end} ms ({text[:40]!r}) is out of order or outside "
                f"its {duration_ms} ms"
            )
        checked.append((start, min(end, duration_ms), text, language))
        previous = start
    return checked


# The renderers of the captions' and chapters' kinds of file (audioguide.published).


@renders("captions")
def _captions(given: Inputs, track: Track) -> bytes:
    return render_vtt(track, given.edition.language.tag)


@renders("chapters")
def _chapters_of(given: Inputs, track: Track) -> bytes:  # noqa: ARG001 - the renderers' contract
    return render_chapters(track)


@renders("full_guide_captions")
def _full_captions(given: Inputs, track: None) -> bytes:  # noqa: ARG001
    return render_full_vtt(given.edition, given.places)


@renders("full_guide_chapters")
def _full_chapters(given: Inputs, track: None) -> bytes:  # noqa: ARG001
    title = f"{given.edition.title}: {given.translation.tool(FULL_GUIDE)}"
    return render_full_chapters(given.edition, title, given.places)


@renders("srt")
def _track_srt(given: Inputs, track: Track) -> bytes:  # noqa: ARG001 - the renderers' contract
    return render_srt(track)


@renders("full_guide_srt")
def _full_guide_srt(given: Inputs, track: None) -> bytes:  # noqa: ARG001
    return render_full_srt(given.edition, given.places)
