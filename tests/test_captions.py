"""WebVTT and SubRip captions, read back with webvtt-py (and SubRip with ffmpeg too)."""

from __future__ import annotations

import dataclasses
import html
import io
import re
import subprocess

import imageio_ffmpeg
import pytest
import webvtt
from editions import chinese, english, hostile, korean

from audioguide.edition import Sentence, Track
from audioguide.errors import InternalError
from audioguide.package.captions import one_line, render_srt, render_vtt
from audioguide.package.times import vtt as timestamp


def _read_vtt(data: bytes) -> webvtt.WebVTT:
    return webvtt.from_buffer(io.StringIO(data.decode("utf-8")))


@pytest.mark.parametrize("make", [korean, chinese, english, hostile])
def test_vtt_has_every_cue_in_order_with_exact_times_and_text(make):
    edition = make()
    for track in edition.tracks:
        captions = _read_vtt(render_vtt(track, edition.language.tag)).captions
        assert len(captions) == len(track.sentences)
        for caption, cue in zip(captions, track.sentences, strict=True):
            assert caption.start_time.in_milliseconds() == cue.start_ms
            assert caption.end_time.in_milliseconds() == min(cue.end_ms, track.duration_ms)
            assert html.unescape(caption.text) == one_line(cue.text)
        starts = [c.start_time.in_milliseconds() for c in captions]
        assert (
            starts == sorted(starts)
            and captions[-1].end_time.in_milliseconds() <= track.duration_ms
        )


def test_vtt_hostile_text_cannot_add_cues_or_tags():
    data = render_vtt(hostile().tracks[0], "ko").decode("utf-8")
    timing = re.compile(r"^\d{2,}:\d{2}:\d{2}\.\d{3} --> \d{2,}:\d{2}:\d{2}\.\d{3}$")
    lines = data.split("\n")
    assert lines[:2] == ["WEBVTT", ""]
    assert sum(bool(timing.match(line)) for line in lines) == len(hostile().tracks[0].sentences)
    for line in lines:
        assert timing.match(line) or "-->" not in line
        assert "<" not in line and ">" not in line.replace(" --> ", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &amp;amp;" in data
    assert "\u202e" in data and "\r" not in data and "\x00" not in data


def test_vtt_blocks_are_one_timing_line_and_one_text_line():
    data = render_vtt(korean().tracks[0], "ko").decode("utf-8")
    assert data.startswith("WEBVTT\n\n00:00:00.250 --> 00:00:01.600\n1번 트랙, 전체 3개 중.\n\n")
    blocks = data.removeprefix("WEBVTT\n\n").rstrip("\n").split("\n\n")
    assert len(blocks) == 5 and all(len(block.split("\n")) == 2 for block in blocks)


def _with_sentences(track: Track, *sentences: Sentence) -> Track:
    """``track`` with its last paragraph's sentences replaced."""
    last = dataclasses.replace(track.blocks[-1], sentences=sentences)
    return dataclasses.replace(track, blocks=(*track.blocks[:-1], last))


def test_vtt_cuts_an_overrunning_end_and_rejects_backward_times():
    track = korean().tracks[1]
    last = track.sentences[-1]
    longer = dataclasses.replace(last, end_ms=track.duration_ms + 40)
    captions = _read_vtt(render_vtt(_with_sentences(track, longer), "ko"))
    assert captions.captions[-1].end_time.in_milliseconds() == track.duration_ms
    backwards = dataclasses.replace(last, start_ms=track.sentences[0].start_ms - 1)
    with pytest.raises(InternalError, match="out of order"):
        render_vtt(_with_sentences(track, backwards), "ko")
    after = dataclasses.replace(last, start_ms=track.duration_ms + 1, end_ms=track.duration_ms + 2)
    with pytest.raises(InternalError, match="outside"):
        render_vtt(_with_sentences(track, after), "ko")


def test_timestamp_past_an_hour():
    assert timestamp(0) == "00:00:00.000"
    assert timestamp(3_723_004) == "01:02:03.004"
    assert timestamp(100 * 3_600_000) == "100:00:00.000"


@pytest.mark.parametrize("make", [korean, chinese, english, hostile])
def test_srt_has_the_cues_of_the_vtt_for_players_that_read_only_subrip(make):
    edition = make()
    for track in edition.tracks:
        srt = webvtt.from_buffer(io.StringIO(render_srt(track).decode("utf-8")), format="srt")
        shown = [cue for cue in track.sentences if one_line(cue.text)]

        assert [c.start_time.in_milliseconds() for c in srt.captions] == [
            cue.start_ms for cue in shown
        ]
        for caption, cue in zip(srt.captions, shown, strict=True):
            assert caption.end_time.in_milliseconds() == min(cue.end_ms, track.duration_ms)
            # no cue's text can open a SubRip tag; everything else is as written, on one line
            assert caption.text == one_line(cue.text).replace("<", "‹").replace(">", "›")


def test_ffmpeg_reads_every_srt_cue(tmp_path):
    track = hostile().tracks[0]
    (tmp_path / "captions.srt").write_bytes(render_srt(track))

    done = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-i",
         str(tmp_path / "captions.srt"), "-f", "webvtt", "-"],
        capture_output=True, timeout=60, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr.decode()
    converted = webvtt.from_buffer(io.StringIO(done.stdout.decode("utf-8")))
    shown = [cue for cue in track.sentences if one_line(cue.text)]
    starts = [c.start_time.in_milliseconds() for c in converted.captions]
    assert starts == [cue.start_ms for cue in shown]
