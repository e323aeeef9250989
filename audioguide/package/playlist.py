"""A language's extended M3U playlist (``playlist.m3u8``), beside the tracks it lists."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from ..edition import Edition
from ..published import renders
from .captions import one_line
from .times import whole_seconds

if TYPE_CHECKING:
    from .listener import Inputs


def render_playlist(edition: Edition) -> bytes:
    """``#EXTM3U``, then ``#EXTINF:<seconds>,<title>`` and the file name of each track, in UTF-8.

    Titles are put on one line, so a title can never start a line of its own: it cannot add an
    entry or a directive, whatever it contains.
    """
    lines = ["#EXTM3U"]
    for track in sorted(edition.tracks, key=lambda t: t.number):
        title = one_line(track.title) or track.stem
        lines.append(f"#EXTINF:{whole_seconds(track.duration_ms)},{title}")
        lines.append(posixpath.basename(edition.track_file(track, ".mp3")))
    return ("\n".join(lines) + "\n").encode("utf-8")


@renders("playlist")
def _playlist(given: Inputs, track: None) -> bytes:  # noqa: ARG001 - the renderers' contract
    return render_playlist(given.edition)
