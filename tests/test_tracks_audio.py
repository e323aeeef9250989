"""The narrated tracks as a listener gets them.

Every track of the session build (the fixture guide, espeak, real ffmpeg) is decoded and
measured: duration, loudness, true peak, MP3 format, ID3 tags, chapters. Expected texts come
from the scripts and the catalogs, read with PyYAML and Babel.

The online voice is tested through :func:`audioguide.tracks.render` in this process, against
recorded Google answers (``responses``): the build renders in forkserver worker processes (even
with ``--jobs 1``), where a ``responses`` mock does not reach.
"""

from __future__ import annotations

import base64
import json
import math
import re
import subprocess
import urllib.parse
from pathlib import Path

import numpy as np
import pytest
import responses
import webvtt
from build_helpers import (
    ISO639_2,
    TAGS,
    Built,
    chapters,
    decoded_ms,
    expected,
)
from mutagen.id3 import ID3
from mutagen.mp3 import MP3, BitrateMode
from readers import loudness

from audioguide import audio, catalogs, speakers, tracks
from audioguide.clip import Clip
from audioguide.engines import Voice
from audioguide.languages import resolve
from audioguide.script import load_guide

SECTIONS = ("01-welcome", "02-numbers", "03-goodbye")
TRACKS = [(tag, stem) for tag in TAGS for stem in SECTIONS]
TRACK_IDS = [f"{tag}/{stem}" for tag, stem in TRACKS]


def _manifest_track(built: Built, tag: str, stem: str) -> dict:
    (language,) = [lang for lang in built.site.manifest()["languages"] if lang["tag"] == tag]
    (track,) = [t for t in language["tracks"] if t["file"] == f"{tag}/{stem}.mp3"]
    return track


def test_one_mp3_per_section_per_language(built: Built):
    output = built.site.output
    for tag in TAGS:
        tracks_on_disk = sorted(p.name for p in (output / tag).glob("*.mp3"))
        assert tracks_on_disk == ["00-full-guide.mp3", *(f"{stem}.mp3" for stem in SECTIONS)]
    assert built.summary["tracks_written"] == len(TRACKS)


@pytest.mark.parametrize(("tag", "stem"), TRACKS, ids=TRACK_IDS)
def test_track_sound(built: Built, tag: str, stem: str):
    """Duration as the manifest says, -16 LUFS, true peak under -1.5 dBTP, mono CBR 64k at the
    voice's own rate (espeak-ng's 22.05 kHz: nothing resampled)."""
    path = built.site.output / tag / f"{stem}.mp3"
    assert decoded_ms(path) == pytest.approx(
        _manifest_track(built, tag, stem)["duration_ms"], abs=50
    )

    measured = loudness(path)
    assert measured.integrated == pytest.approx(-16.0, abs=1.0)
    assert measured.true_peak <= -1.5

    info = MP3(path).info
    assert (info.sample_rate, info.channels) == (22_050, 1)
    assert info.bitrate == pytest.approx(64_000, abs=100)  # mutagen reports 63999 for some
    assert info.bitrate_mode == BitrateMode.CBR  # from the LAME "Info" header


@pytest.mark.parametrize(("tag", "stem"), TRACKS, ids=TRACK_IDS)
def test_track_tags(built: Built, tag: str, stem: str):
    texts = expected(built.site, tag)
    number = SECTIONS.index(stem) + 1
    section = texts.sections[number - 1]
    tags = ID3(built.site.output / tag / f"{stem}.mp3")

    assert tags["TIT2"].text == [section.title]
    assert tags["TALB"].text == [texts.title]
    assert tags["TRCK"].text == [f"{number}/{len(SECTIONS)}"]
    assert tags["TLAN"].text == [ISO639_2[tag]]
    assert tags["TPE1"].text == ["Test Org"]  # the guide's author, not the synthesiser
    voice = _manifest_track(built, tag, stem)["voice"]
    assert voice.strip() and tags["TCOM"].text == [voice]  # the narrator, in its own frame
    (cover,) = tags.getall("APIC")
    assert cover.data == (built.site.output / "cover.png").read_bytes()
    assert (cover.mime, cover.type) == ("image/png", 3)  # the front cover

    (lyrics,) = tags.getall("USLT")
    assert lyrics.lang == ISO639_2[tag]
    transcript = lyrics.text
    assert transcript.startswith(texts.announce(number))
    for paragraph in section.paragraphs:
        assert paragraph in transcript


@pytest.mark.parametrize(("tag", "stem"), TRACKS, ids=TRACK_IDS)
def test_track_chapters_one_per_paragraph_in_order(built: Built, tag: str, stem: str):
    path = built.site.output / tag / f"{stem}.mp3"
    section = expected(built.site, tag).sections[SECTIONS.index(stem)]
    duration = decoded_ms(path)

    marks = chapters(path)
    assert len(marks) == len(section.paragraphs)
    assert marks[0][0] == 0  # the announcement belongs to the first chapter
    previous_end = 0
    for (start, end, title), paragraph in zip(marks, section.paragraphs, strict=True):
        assert previous_end == start < end <= duration + 50
        # Titled by the paragraph's first words (characters where it has no spaces).
        assert paragraph.startswith(title.rstrip("…")[:8])
        previous_end = end
    assert marks[-1][1] == pytest.approx(duration, abs=50)


@pytest.mark.parametrize(("tag", "stem"), TRACKS, ids=TRACK_IDS)
def test_track_opens_with_the_announcement(built: Built, tag: str, stem: str):
    number = SECTIONS.index(stem) + 1
    texts = expected(built.site, tag)
    captions = webvtt.read(built.site.output / tag / f"{stem}.vtt").captions
    assert captions[0].text == texts.first_cue(number)
    if tag == "en":
        assert captions[0].text == f"Track {number} of 3."
    assert captions[1].text.startswith(texts.sections[number - 1].title)


def test_english_announcement_reads_track_n_of_total(built: Built):
    transcript = ID3(built.site.output / "en" / "02-numbers.mp3").getall("USLT")[0].text
    assert transcript.startswith("Track 2 of 3. Numbers.")


# --- the online voice, through tracks.render, against recorded answers -----------------------

GOOGLE = re.compile(r"https://translate\.google\.com/_/TranslateWebserverUi/data/batchexecute.*")


@pytest.fixture(scope="module")
def tone_mp3(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real 0.4 s tone as 24 kHz mono MP3, made with the bundled ffmpeg (stands in for speech)."""
    path = tmp_path_factory.mktemp("tone") / "tone.mp3"
    subprocess.run(
        [audio.ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "error",
         "-f", "lavfi", "-i", "sine=frequency=330:duration=0.4:sample_rate=24000",
         "-ac", "1", "-c:a", "libmp3lame", "-b:a", "32k", str(path)],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


def google_answer(mp3: bytes) -> str:
    """A batchexecute answer as gTTS reads it (see docs/reference.md)."""
    b64 = base64.b64encode(mp3).decode("ascii")
    return ")]}'\n\n1\n" + '[["wrb.fr","jQ1olc","[\\"' + b64 + '\\"]",null,null,null,"generic"]]\n'


def sent_text(call) -> str:
    body = call.request.body
    body = body.decode() if isinstance(body, bytes) else body
    rpc = json.loads(urllib.parse.unquote(body.removeprefix("f.req=").rstrip("&")))
    return json.loads(rpc[0][0][1])[0]


def test_gtts_voice_renders_a_tagged_track(built: Built, tmp_path: Path, tone_mp3: bytes):
    """tracks.render with a gTTS speaker: one request per sentence, a normalised, tagged MP3,
    and a second render takes every clip from the cache without asking Google again."""
    site = built.site
    guide = load_guide(site.scripts)
    english = resolve("en")
    translation = catalogs.translation(guide, site.locales, english)
    voice = speakers.speaker("gtts", english, Voice(engine="gtts"))
    plan = tracks.plan_track(
        guide.sections[0],
        total=len(guide.sections),
        album=translation(guide.title.value).text,
        translation=translation,
        voice=voice,
        fallback_voice=voice,
        pauses=guide.pauses,
        path="01-welcome.mp3",
    )
    spoken = [s.spoken for s in plan.track.sentences]

    with responses.RequestsMock() as google:
        google.post(GOOGLE, body=google_answer(tone_mp3))
        first = tracks.render(plan, tmp_path, tmp_path / "cache")
        asked = [sent_text(call) for call in google.calls]
    assert asked == spoken  # one sentence per request, in order
    assert (first.synthesised, first.cached) == (len(spoken), 0)

    path = tmp_path / "01-welcome.mp3"
    assert decoded_ms(path) == pytest.approx(first.duration_ms, abs=50)
    measured = loudness(path)
    assert measured.integrated == pytest.approx(-16.0, abs=1.0)
    assert measured.true_peak <= -1.5
    assert MP3(path).info.sample_rate == 24_000  # Google's own rate: nothing resampled
    tags = ID3(path)
    assert tags["TCOM"].text == ["Google Translate en (translate.google.com)"]
    assert "TPE1" not in tags  # no artist given: none, never the guide's title
    assert tags["TIT2"].text == ["Welcome"]
    assert len(chapters(path)) == 2
    # Every cue is a 0.4 s tone, whatever the sentence.
    assert all(end - start == pytest.approx(400, abs=30) for start, end in first.times)

    with responses.RequestsMock() as google:  # unregistered: any request would fail
        again = tracks.render(plan, tmp_path, tmp_path / "cache")
        assert len(google.calls) == 0
    assert (again.synthesised, again.cached) == (0, len(spoken))
    assert again.duration_ms == first.duration_ms


# --- the whole-guide MP3 ---------------------------------------------------------------------


def _info(path: Path) -> dict[str, int]:
    """What the Info frame of an MP3 says: its Xing counts and its LAME tag's fields."""
    stream = audio.mp3_stream(path)
    info, x = stream.info, stream.xing
    number = lambda at, size: int.from_bytes(info[x + at : x + at + size], "big")  # noqa: E731
    return {"frames": number(8, 4), "bytes": number(12, 4), "delay_padding": number(141, 3),
            "music_length": number(148, 4), "music_crc": number(152, 2)}  # fmt: skip


def test_full_guide_mp3_is_the_tracks_frames_as_ffmpeg_joins_them(built: Built, tmp_path: Path):
    """The full-guide file is joined in Python: the same audio frames, frame counts, encoder
    delay and padding, music length and music CRC as ffmpeg's concat of the same tracks."""
    folder = built.site.output / "ko"
    sources = [folder / f"{stem}.mp3" for stem in SECTIONS]
    listing = tmp_path / "list.txt"
    listing.write_text("".join(f"file '{source}'\n" for source in sources), "utf-8")
    ffmpeg = tmp_path / "ffmpeg.mp3"
    subprocess.run([audio.ffmpeg(), "-v", "error", "-f", "concat", "-safe", "0", "-i",
                    str(listing), "-c", "copy", "-id3v2_version", "0", "-write_xing", "1",
                    str(ffmpeg)], check=True)  # fmt: skip
    ours = tmp_path / "ours.mp3"
    audio.join_mp3(sources, ours)
    frame = len(audio.mp3_stream(ours).info)
    assert ours.read_bytes()[frame:] == ffmpeg.read_bytes()[frame:]
    assert _info(ours) == _info(ffmpeg)
    published = folder / "00-full-guide.mp3"
    assert published.read_bytes().endswith(ours.read_bytes()[frame:])
    assert _info(published) | {"bytes": 0, "music_length": 0} == _info(ours) | {
        "bytes": 0, "music_length": 0}  # fmt: skip
    stream = audio.mp3_stream(published)
    assert (stream.rate, stream.samples_per_frame) == (22_050, 576)


def _tone(path: Path, rate: int, seconds: float) -> None:
    samples = (
        round(8000 * math.sin(2 * math.pi * 330 * n / rate)) for n in range(int(rate * seconds))
    )
    pcm = b"".join(sample.to_bytes(2, "little", signed=True) for sample in samples)
    audio.encode_normalised([Clip(pcm, rate)], path)


def test_tracks_of_different_rates_join_at_the_highest(tmp_path: Path):
    """A language spoken by voices of different rates (espeak-ng's 22.05 kHz, gTTS's 24 kHz):
    its whole-guide file is at the higher rate, each track where track_starts puts it."""
    low, high, joined = tmp_path / "low.mp3", tmp_path / "high.mp3", tmp_path / "joined.mp3"
    _tone(low, 22_050, 2.0)
    _tone(high, 24_000, 1.0)
    assert [MP3(p).info.sample_rate for p in (low, high)] == [22_050, 24_000]
    audio.join_mp3([low, high], joined)
    assert MP3(joined).info.sample_rate == 24_000
    assert decoded_ms(joined) == pytest.approx(3000, abs=30)
    starts = audio.track_starts([audio.mp3_stream(p) for p in (low, high)])
    assert starts == [0, pytest.approx(2000, abs=2)]


def _sine(freq: int, rate: int, seconds: float) -> Clip:
    at = np.arange(int(rate * seconds)) / rate
    return Clip((8000 * np.sin(2 * np.pi * freq * at)).round().astype("<i2").tobytes(), rate)


def test_a_track_that_mixes_voices_rates_is_resampled_without_a_false_tone(tmp_path: Path):
    """A track whose sentences come from voices of different rates (espeak-ng's 22.05 kHz and
    gTTS's 24 kHz) is one 24 kHz MP3 at -16 LUFS, each sentence as long as it was and where it
    was, and the lower-rate speech is resampled through a filter: a 7 kHz tone at 22.05 kHz
    gains no image at 24 - (22.05 - 7) = 8.95 kHz (linear interpolation, as audioop does it,
    left one 13 dB under the tone: a whistle)."""
    path = tmp_path / "mixed.mp3"
    pieces = [audio.pause(200, 22_050), _sine(7000, 22_050, 1.0), audio.pause(300, 22_050),
              _sine(440, 24_000, 1.0)]  # fmt: skip
    audio.encode_normalised(pieces, path)
    assert MP3(path).info.sample_rate == 24_000
    assert decoded_ms(path) == pytest.approx(2500, abs=30)
    measured = loudness(path)
    assert measured.integrated == pytest.approx(-16.0, abs=1.0)
    assert measured.true_peak <= -1.5
    pcm = np.frombuffer(audio.decode(path, 24_000), dtype="<i2").astype(float)

    def strongest(start_s: float, end_s: float) -> float:
        part = pcm[int(start_s * 24_000) : int(end_s * 24_000)]
        spectrum = np.abs(np.fft.rfft(part * np.hanning(len(part))))
        return float(np.fft.rfftfreq(len(part), 1 / 24_000)[spectrum.argmax()])

    assert strongest(0.3, 1.1) == pytest.approx(7000, abs=20)  # the first sentence, in place
    assert strongest(1.6, 2.4) == pytest.approx(440, abs=20)  # the second one after its pause
    part = pcm[int(0.4 * 24_000) : int(1.0 * 24_000)]
    spectrum = np.abs(np.fft.rfft(part * np.hanning(len(part))))
    freqs = np.fft.rfftfreq(len(part), 1 / 24_000)
    near = lambda hz: spectrum[abs(freqs - hz) < 100].max()  # noqa: E731
    assert 20 * np.log10(near(8950) / near(7000)) < -40


def test_mp3_is_at_the_voices_rate_or_the_next_one_up():
    assert [audio.mp3_rate(r) for r in (16_000, 22_050, 24_000, 20_000, 96_000)] == [
        16_000, 22_050, 24_000, 22_050, 48_000]  # fmt: skip
