"""The deterministic texts the renderers write, against the golden files in ``tests/golden``
(refresh them deliberately with ``AUDIOGUIDE_REGEN_GOLDEN=1 pytest tests/test_golden_texts.py``).
"""

from __future__ import annotations

from editions import EN, KO, check_golden, feed_of, korean, shipped

from audioguide.package.captions import render_chapters, render_vtt
from audioguide.package.playlist import render_playlist
from audioguide.package.transcript import render_track_transcript, render_transcript


def test_the_renderers_write_the_golden_texts_byte_for_byte():
    edition = korean()
    first = edition.tracks[0]
    sizes = {edition.track_file(t, ".mp3"): 10_000 * t.number + 123 for t in edition.tracks}
    check_golden("ko-playlist.m3u8", render_playlist(edition))
    check_golden("ko-01-welcome.vtt", render_vtt(first, "ko"))
    check_golden("ko-01-welcome.chapters.json", render_chapters(first))
    check_golden("ko-transcript.txt", render_transcript(edition, shipped(KO), EN))
    check_golden("ko-feed.xml", feed_of(edition, sizes))
    check_golden("ko-03-goodbye.txt", render_track_transcript(edition, edition.tracks[2],
                                                              shipped(KO), EN))  # fmt: skip
