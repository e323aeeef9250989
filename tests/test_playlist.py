"""The M3U8 playlist, read back line by line."""

from __future__ import annotations

import dataclasses

import pytest
from editions import chinese, english, hostile, korean

from audioguide.package.captions import one_line
from audioguide.package.playlist import render_playlist
from audioguide.package.times import whole_seconds


@pytest.mark.parametrize(("ms", "seconds"), [(0, 0), (1, 1), (499, 1), (1499, 1), (1500, 2)])
def test_whole_seconds_round_half_up_and_never_zero_for_a_sound(ms, seconds):
    assert whole_seconds(ms) == seconds


def _entries(playlist: bytes) -> list[tuple[str, str]]:
    """(EXTINF line, path line) pairs, read the way a player does: # lines are directives."""
    lines = playlist.decode("utf-8").split("\n")
    assert lines[0] == "#EXTM3U" and lines[-1] == ""
    entries, pending = [], None
    for line in lines[1:-1]:
        if line.startswith("#EXTINF:"):
            assert pending is None, "two #EXTINF lines in a row"
            pending = line
        else:
            assert not line.startswith("#"), f"unexpected directive {line!r}"
            assert pending is not None, f"a path without #EXTINF: {line!r}"
            entries.append((pending, line))
            pending = None
    return entries


@pytest.mark.parametrize("make", [korean, chinese, english, hostile])
def test_playlist_has_one_entry_per_track_with_duration_title_and_file(make):
    edition = make()
    entries = _entries(render_playlist(edition))
    assert len(entries) == len(edition.tracks)
    for (extinf, path), track in zip(entries, edition.tracks, strict=True):
        seconds, _, title = extinf.removeprefix("#EXTINF:").partition(",")
        assert int(seconds) == round(track.duration_ms / 1000 + 1e-9)
        assert title == one_line(track.title)
        assert path == f"{track.stem}.mp3"


def test_playlist_hostile_titles_stay_on_their_line():
    playlist = render_playlist(hostile()).decode("utf-8")
    assert playlist.count("\n") == 1 + 2 * 2
    assert "\r" not in playlist and "\u2028" not in playlist and "\x00" not in playlist
    assert "<script>alert(1)</script>" in playlist and "\u202e" in playlist


def test_playlist_blank_title_falls_back_to_the_stem():
    edition = korean()
    blank = dataclasses.replace(edition.tracks[0], title=" \n\t ")
    edition = dataclasses.replace(edition, tracks=(blank,))
    assert _entries(render_playlist(edition)) == [("#EXTINF:10,01-welcome", "01-welcome.mp3")]
