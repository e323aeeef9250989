"""A track's captions (WebVTT) and chapters (Podcasting 2.0 JSON chapters), from its real timings.

Pure functions: a :class:`~audioguide.edition.Track` in, the file's bytes out. Times come from the
track as they are (whole milliseconds from the start of its audio); nothing is aligned or guessed.
A time past the end of the track's audio is cut to its duration (an encoder can shave a few
milliseconds off the end); times that go backwards are a bug upstream and raise
:class:`~audioguide.errors.InternalError`.

:func:`one_line` is the rule every line-based format here shares (playlist titles, cue texts,
feed titles): however hostile a translated string is, it stays on one line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from xml.sax.saxutils import escape

from ..edition import Track
from ..errors import InternalError
from .times import json_seconds, vtt

CHAPTERS_VERSION = "1.2.0"

# Line breaks of every kind (CR, LF, NEL, U+2028/9), other C0/C1 controls, DEL, the space itself,
# and the two noncharacters XML cannot carry. Bidi marks and no-break spaces are text: they stay.
_BREAKS = re.compile(r"[\x00-\x20\x7f-\x9f\u2028\u2029\ufffe\uffff]+")


def one_line(text: str) -> str:
    """``text`` on one line: each run of spaces, line breaks and control characters becomes one
    space, and the ends are stripped. Nothing else changes."""
    return _BREAKS.sub(" ", text).strip()


def render_vtt(track: Track) -> bytes:
    """The track's WebVTT captions: one cue per :class:`~audioguide.edition.Sentence`, in order.

    Cue text is put on one line and ``&``, ``<`` and ``>`` are escaped, so no string can end a
    cue early, add a timing line (``-->``) or open a tag.
    """
    lines = ["WEBVTT", ""]
    spans = ((s.start_ms, s.end_ms, s.text) for s in track.sentences)
    for start, end, text in _timeline(track, spans):
        lines += [f"{vtt(start)} --> {vtt(end)}", escape(one_line(text)), ""]
    return "\n".join(lines).encode("utf-8")


def render_chapters(track: Track) -> bytes:
    """The track's Podcasting 2.0 JSON chapters (version 1.2.0), one per paragraph."""
    spans = ((c.start_ms, c.end_ms, c.title) for c in track.chapters)
    document = {
        "version": CHAPTERS_VERSION,
        "title": track.title,
        "chapters": [
            {"startTime": json_seconds(start), "endTime": json_seconds(end), "title": title}
            for start, end, title in _timeline(track, spans)
        ],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _timeline(track: Track, spans: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Check that spans run forward inside the track; cut ends that overrun its duration."""
    checked: list[tuple[int, int, str]] = []
    previous = 0
    for start, end, text in spans:
        if start < previous or end < start or start > track.duration_ms:
            raise InternalError(
                f"track {track.stem}: the span {start}-{end} ms ({text[:40]!r}) is out of order "
                f"or outside the track's {track.duration_ms} ms"
            )
        checked.append((start, min(end, track.duration_ms), text))
        previous = start
    return checked
