"""The listener package renderers: playlist, captions, chapters, transcript, feed, zip, manifest.

Every output is read back with an independent parser (webvtt-py, feedparser, ElementTree,
zipfile, jsonschema). Editions are built directly, in Korean, Chinese and English, plus one from a
hostile catalog. Golden files under ``tests/golden`` pin the deterministic texts; refresh them
deliberately with ``AUDIOGUIDE_REGEN_GOLDEN=1 pytest tests/test_package_outputs.py``.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import html
import io
import json
import os
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import feedparser
import jsonschema
import pytest
import webvtt
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from readers import partytime
from timelines import make_track, spoken_title

import audioguide
from audioguide.catalogs import Translation
from audioguide.edition import Chapter, Edition, Sentence, Track
from audioguide.errors import AudioGuideError, BuildError, InternalError
from audioguide.languages import Language, resolve
from audioguide.package.archive import render_zip, zip_entries
from audioguide.package.captions import (
    one_line,
    render_chapters,
    render_full_chapters,
    render_full_vtt,
    render_vtt,
)
from audioguide.package.daisy import render_daisy
from audioguide.package.epub import render_epub
from audioguide.package.feed import podcast_guid, render_feed
from audioguide.package.manifest import (
    FileInfo,
    load_schema,
    render_manifest,
    validate_manifest,
)
from audioguide.package.playlist import render_playlist
from audioguide.package.times import vtt as timestamp
from audioguide.package.times import whole_seconds
from audioguide.package.transcript import render_track_transcript, render_transcript
from audioguide.strings import UNTRANSLATED, ZIP_README, ZIP_README_AUDIOBOOK

EN, KO, ZH = resolve("en"), resolve("ko"), resolve("zh_Hans")
GOLDEN = Path(__file__).parent / "golden"
BASE_URL = "https://example.org/guides/test/"
PUBLISHED = datetime.date(2024, 5, 1)
COVER = "cover.png"
EMAIL = "guide@example.org"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
NS = {"itunes": ITUNES, "podcast": PODCAST, "atom": "http://www.w3.org/2005/Atom"}

# Everything a translated string might try: markup, entities, quotes, CDATA end, bidi override,
# line breaks of every kind followed by playlist and caption syntax, blank lines, controls.
HOSTILE = (
    "<script>alert(1)</script> & &amp; \"double\" 'single' ]]> \u202eevil\u202c"
    "\n#EXTINF:1,evil\nevil.mp3\r\n--> 00:00:01.000 --> 00:00:02.000\n\nNOTE x"
    "\u2028# leading\u0085\x0b\x1b[31m\x00 end"
)


# --- building editions ---------------------------------------------------------------------


def _track(
    number: int,
    section_id: str,
    title: str,
    paragraphs: list[list[str]],
    announcement: str,
    *,
    joiner: str = " ",
    fallbacks: tuple[str, ...] = (),
    voices: tuple[str, ...] = ("gTTS (ko)",),
    chapter_titles: list[str] | None = None,
    lang: Language = KO,
) -> Track:
    """A track laid out as the build lays it out: the announcement (its sentences each a cue),
    then each sentence of each paragraph, with pauses."""

    def length(text: str) -> int:
        return 300 + 70 * len(text)

    intro = []
    now = 250
    for sentence in re.findall(r".+?(?:[.。](?=\s|$)|。|$)\s*", announcement):
        intro.append((now, now + length(sentence.strip()), sentence.strip()))
        now = intro[-1][1] + 400
    timed = []
    now += 400
    for sentences in paragraphs:
        timed.append([])
        for sentence in sentences:
            timed[-1].append((now, now + length(sentence), sentence))
            now = timed[-1][-1][1] + 400
        now += 600
    return make_track(
        number,
        section_id,
        title,
        intro,
        timed,
        lang=lang.tag,
        duration_ms=timed[-1][-1][1] + 250,
        untranslated=[f.partition("/")[2] for f in fallbacks],
        headings=chapter_titles,
        joiner=joiner,
        announcement_text=announcement,
        voices=voices,
    )


def korean() -> Edition:
    """The small fixed edition the golden files are made from: one untranslated section."""
    total = 3
    tracks = (
        _track(
            1,
            "welcome",
            "환영합니다",
            [
                ["박물관에 오신 것을 환영합니다."],
                ["이 가이드는 세 부분으로 되어 있습니다.", "각 부분은 트랙 하나입니다."],
            ],
            f"1번 트랙, 전체 {total}개 중. 환영합니다.",
        ),
        _track(
            2,
            "numbers",
            "숫자",
            [["방문객의 약 80%가 코로나19 이후 다시 찾아왔습니다."]],
            f"2번 트랙, 전체 {total}개 중. 숫자.",
        ),
        _track(
            3,
            "goodbye",
            "Goodbye",
            [["Thank you for listening."]],
            f"3번 트랙, 전체 {total}개 중. Goodbye.",
            fallbacks=("goodbye/title", "goodbye/p1"),
            voices=("gTTS (ko)", "espeak-ng 1.52 (en)"),
        ),
    )
    return Edition(
        guide_id="test-guide",
        language=KO,
        title="테스트 가이드",
        description="테스트를 위해 만든 짧은 가이드입니다.",
        author="Test Org",
        tracks=tracks,
        completeness=100 * 5 / 7,
        engine="gtts",
        title_clip=spoken_title("테스트 가이드", KO.tag),
    )


def chinese() -> Edition:
    tracks = (
        _track(
            1,
            "welcome",
            "欢迎",
            [["欢迎来到博物馆。"], ["本导览分为三个简短的部分。", "每个部分是一条音轨。"]],
            "第1节，共3节。欢迎。",
            joiner="",
            voices=("gTTS (zh-CN)",),
            lang=ZH,
        ),
        _track(
            2,
            "numbers",
            "数字",
            [["约百分之八十的游客在新冠疫情之后再次到访。"]],
            "第2节，共3节。数字。",
            joiner="",
            voices=("gTTS (zh-CN)",),
            lang=ZH,
        ),
        _track(
            3,
            "goodbye",
            "再见",
            [["感谢您的收听。"]],
            "第3节，共3节。再见。",
            joiner="",
            voices=("gTTS (zh-CN)",),
            lang=ZH,
        ),
    )
    return Edition(
        "test-guide",
        ZH,
        "测试导览",
        "一份供测试使用的简短导览。",
        "Test Org",
        tracks,
        100.0,
        "gtts",
        title_clip=spoken_title("测试导览", ZH.tag),
    )


def english() -> Edition:
    tracks = (
        _track(
            1,
            "welcome",
            "Welcome",
            [
                ["Welcome to the museum."],
                ["This guide has three short parts.", "Each part is one track."],
            ],
            "Track 1 of 3. Welcome.",
            voices=("gTTS (en)",),
            lang=EN,
        ),
        _track(
            2,
            "numbers",
            "Numbers",
            [["Around 80% of visitors came back after COVID-19."]],
            "Track 2 of 3. Numbers.",
            voices=("gTTS (en)",),
            lang=EN,
        ),
        _track(
            3,
            "goodbye",
            "Goodbye",
            [["Thank you for listening."]],
            "Track 3 of 3. Goodbye.",
            voices=("gTTS (en)",),
            lang=EN,
        ),
    )
    return Edition(
        "test-guide",
        EN,
        "The Test Guide",
        "A short guide that the tests build.",
        "Test Org",
        tracks,
        100.0,
        "gtts",
        title_clip=spoken_title("The Test Guide", EN.tag),
    )


def hostile() -> Edition:
    """A Korean edition whose catalog tries to break every format."""
    tracks = (
        _track(
            1,
            "welcome",
            "환영 " + HOSTILE,
            [["박물관에 오신 것을 환영합니다. " + HOSTILE, "\n\n\n"], [HOSTILE]],
            "1번 트랙, 전체 2개 중. " + HOSTILE,
            chapter_titles=[HOSTILE, "#EXTINF:0,chapter\n-->"],
        ),
        _track(
            2,
            "numbers",
            "#EXTINF:0,evil.mp3",
            [["숫자 -->", "<b>굵게</b> &lt;"]],
            "2번 트랙, 전체 2개 중.",
        ),
    )
    return Edition("test-guide", KO, "가이드 " + HOSTILE, HOSTILE, HOSTILE, tracks, 50.0, "gtts",
                   title_clip=spoken_title("가이드 " + HOSTILE, KO.tag))  # fmt: skip


def shipped(language: Language) -> Translation:
    """audioguide's own strings in ``language``, from the catalogs the package ships."""
    if language == EN:
        return Translation(language, None, None)
    root = Path(audioguide.__file__).parent / "locales" / language.locale_id / "LC_MESSAGES"
    with open(root / "audioguide.po", "rb") as handle:
        return Translation(language, None, read_po(handle, locale=language.locale_id))


def hostile_translation() -> Translation:
    catalog = Catalog(locale="ko")
    catalog.add(UNTRANSLATED, "(" + HOSTILE + " {language})")
    catalog.add(ZIP_README, "{title}\n" + HOSTILE + "\n{language} {count}\n")
    return Translation(KO, None, catalog)


def fake_mp3(path: str) -> bytes:
    return b"ID3\x03\x00\x00\x00\x00\x00\x00 not really audio: " + path.encode() * 3


def package_files(edition: Edition, translation: Translation) -> dict[str, bytes]:
    """Every file of an edition, as the build would have them (audio and the page faked)."""
    files = {edition.full_guide: fake_mp3(edition.full_guide)}
    files[edition.title_mp3] = fake_mp3(edition.title_mp3)
    files[edition.audiobook] = b"\x00\x00\x00\x1cftypM4B not really audio"
    files[edition.page] = b"<!doctype html><title>player</title>"
    for track in edition.tracks:
        files[edition.track_file(track, ".mp3")] = fake_mp3(track.stem)
        files[edition.track_file(track, ".vtt")] = render_vtt(track, edition.language.tag)
        files[edition.track_file(track, ".chapters.json")] = render_chapters(track)
        files[edition.track_file(track, ".txt")] = render_track_transcript(
            edition, track, translation, EN
        )
    places = _places(edition)
    files[edition.full_guide_captions] = render_full_vtt(edition, places)
    files[edition.full_guide_chapters] = render_full_chapters(edition, edition.title, places)
    files[edition.playlist] = render_playlist(edition)
    files[edition.transcript] = render_transcript(edition, translation, EN)
    sizes = {path: len(data) for path, data in files.items()}
    files[edition.feed] = _feed(edition, sizes)
    files[edition.zip] = render_zip(zip_entries(edition, files, translation))
    files[edition.epub] = render_epub(edition, files, translation)
    book = render_daisy(edition, files)
    files[edition.daisy_zip] = render_zip({f"daisy/{name}": data for name, data in book.items()})
    files |= {f"{edition.daisy_folder}/{name}": data for name, data in book.items()}
    return files


def _places(edition: Edition) -> list[Chapter]:
    """Where a full-guide file would hold each track: one after another."""
    places, start = [], 0
    for track in edition.tracks:
        places.append(Chapter(start, start + track.duration_ms, track.title))
        start += track.duration_ms
    return places


def _feed(edition: Edition, sizes: dict[str, int]) -> bytes:
    return render_feed(edition, BASE_URL, sizes, cover=COVER, published=PUBLISHED, email=EMAIL)


SITE = {
    COVER: b"\x89PNG not really an image",
    "index.html": b"<!doctype html><title>languages</title>",
    "assets/player.js": b"// player",
}


def check_golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("AUDIOGUIDE_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.is_file(), f"{path} is missing; create it with AUDIOGUIDE_REGEN_GOLDEN=1"
    assert data.decode("utf-8") == path.read_bytes().decode("utf-8")


# --- golden files ----------------------------------------------------------------------------


def test_golden_texts():
    edition = korean()
    first = edition.tracks[0]
    sizes = {edition.track_file(t, ".mp3"): 10_000 * t.number + 123 for t in edition.tracks}
    check_golden("ko-playlist.m3u8", render_playlist(edition))
    check_golden("ko-01-welcome.vtt", render_vtt(first, "ko"))
    check_golden("ko-01-welcome.chapters.json", render_chapters(first))
    check_golden("ko-transcript.txt", render_transcript(edition, shipped(KO), EN))
    check_golden("ko-feed.xml", _feed(edition, sizes))
    check_golden("ko-03-goodbye.txt", render_track_transcript(edition, edition.tracks[2],
                                                              shipped(KO), EN))  # fmt: skip


def _listed(path: str, duration_ms: int | None = None) -> FileInfo:
    """A made-up size and hash for ``path``: each file its own, so a mix-up shows."""
    return FileInfo(len(path), hashlib.sha256(path.encode()).hexdigest(), duration_ms)


def _entry(path: str) -> dict:
    info = _listed(path)
    return {"file": path, "bytes": info.bytes, "sha256": info.sha256}


def test_the_manifest_lists_every_file_with_the_size_and_hash_it_is_given():
    editions = [english(), korean()]
    files = {path: _listed(path) for path in SITE}
    for edition in editions:
        for path in package_files(edition, shipped(edition.language)):
            files[path] = _listed(path)
        files[edition.full_guide] = _listed(edition.full_guide, 61_000)
        files[edition.audiobook] = _listed(edition.audiobook, 62_000)

    manifest = json.loads(render_manifest("test-guide", EN, editions, files, cover=COVER))

    assert (manifest["manifest_version"], manifest["guide_id"]) == (2, "test-guide")
    assert (manifest["source_language"], manifest["cover"]) == ("en", _entry(COVER))
    assert manifest["site"] == [_entry("assets/player.js"), _entry("index.html")]
    assert [language["tag"] for language in manifest["languages"]] == ["en", "ko"]
    ko, edition = manifest["languages"][1], editions[1]
    assert {key: ko[key] for key in ("tag", "locale_id", "title", "completeness", "engine")} == {
        "tag": "ko", "locale_id": "ko", "title": edition.title,
        "completeness": round(edition.completeness, 1), "engine": edition.engine,
    }  # fmt: skip
    # every voice that speaks: the English one too, which reads the untranslated third section
    assert ko["voices"] == ["gTTS (ko)", "espeak-ng 1.52 (en)"]
    assert ko["tracks"][2]["voices"] == ["gTTS (ko)", "espeak-ng 1.52 (en)"]
    track = edition.tracks[0]
    assert ko["tracks"][0] == {
        "number": 1,
        "section_id": track.section_id,
        "title": track.title,
        **_entry("ko/01-welcome.mp3"),
        "duration_ms": track.duration_ms,
        "voice": "gTTS (ko)",
        "voices": ["gTTS (ko)"],
        "captions": _entry("ko/01-welcome.vtt"),
        "chapters": _entry("ko/01-welcome.chapters.json"),
        "transcript": _entry("ko/01-welcome.txt"),
        "fallbacks": list(track.fallbacks),
    }
    assert [entry["number"] for entry in ko["tracks"]] == [1, 2, 3]
    for key, path in [("page", edition.page), ("playlist", edition.playlist),
                      ("feed", edition.feed), ("transcript", edition.transcript),
                      ("zip", edition.zip), ("epub", edition.epub)]:  # fmt: skip
        assert ko[key] == _entry(path), key
    assert ko["full_guide"] == {
        **_entry(edition.full_guide), "duration_ms": 61_000,
        "captions": _entry(edition.full_guide_captions),
        "chapters": _entry(edition.full_guide_chapters),
    }  # fmt: skip
    assert ko["audiobook"] == {**_entry(edition.audiobook), "duration_ms": 62_000}
    daisy = sorted(path for path in files if path.startswith("ko/daisy/"))
    assert ko["daisy"] == {**_entry(edition.daisy_zip), "files": [_entry(p) for p in daisy]}
    validate_manifest(manifest)


# --- playlist --------------------------------------------------------------------------------


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


# --- captions ------------------------------------------------------------------------------


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


# --- chapters ------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [korean, chinese, hostile])
def test_chapters_json_is_podcasting_2_chapters_with_the_track_times(make):
    for track in make().tracks:
        data = render_chapters(track)
        assert data.endswith(b"}\n")
        document = json.loads(data)
        assert list(document) == ["version", "title", "chapters"]
        assert document["version"] == "1.2.0" and document["title"] == track.title
        assert len(document["chapters"]) == len(track.chapters)
        for item, chapter in zip(document["chapters"], track.chapters, strict=True):
            assert list(item) == ["startTime", "endTime", "title"]
            assert round(item["startTime"] * 1000) == chapter.start_ms
            assert round(item["endTime"] * 1000) == chapter.end_ms
            assert item["title"] == chapter.title  # exact, hostile or not


def test_chapters_keep_text_unescaped_and_not_ascii_escaped():
    data = render_chapters(korean().tracks[0]).decode("utf-8")
    assert '"startTime": 0,' in data and "환영합니다 (2)" in data and "\\u" not in data


# --- transcript ----------------------------------------------------------------------------


def test_transcript_marks_untranslated_title_and_paragraph_in_the_language():
    text = render_transcript(korean(), shipped(KO), EN).decode("utf-8")
    mark = "(아직 번역되지 않아 영어로 읽습니다.)"
    assert text.startswith(
        "테스트 가이드\n\n테스트를 위해 만든 짧은 가이드입니다.\n\n1. 환영합니다\n\n"
    )
    assert f"\n3. Goodbye {mark}\n\n{mark}\nThank you for listening.\n" in text
    assert text.count(mark) == 2 and text.endswith("\n") and not text.endswith("\n\n")


def test_transcript_chinese_names_the_source_language_in_chinese():
    edition = chinese()
    goodbye = _track(
        3, "goodbye", "再见", [["感谢您的收听。"]], "第3节，共3节。再见。",
        fallbacks=("goodbye/p1",), lang=ZH,
    )  # fmt: skip
    edition = dataclasses.replace(edition, tracks=(*edition.tracks[:2], goodbye))
    text = render_transcript(edition, shipped(ZH), EN).decode("utf-8")
    assert "\n\n（尚未翻译，以英语朗读。）\n感谢您的收听。\n" in text
    assert "\n\n2. 数字\n\n约百分之八十的游客在新冠疫情之后再次到访。\n\n" in text


def test_transcript_leaves_out_the_spoken_announcement_the_heading_stands_for():
    edition = korean()
    assert edition.tracks[0].transcript.startswith("1번 트랙, 전체 3개 중. 환영합니다.\n\n")
    text = render_transcript(edition, shipped(KO), EN)
    assert "전체 3개 중".encode() not in text


def test_transcript_marks_an_untranslated_paragraph_that_holds_a_blank_line():
    edition = korean()
    goodbye = edition.tracks[2]
    paragraph = dataclasses.replace(goodbye.blocks[1], text="Thank\n\nyou for listening.")
    split = dataclasses.replace(goodbye, blocks=(goodbye.blocks[0], paragraph))
    text = render_transcript(dataclasses.replace(edition, tracks=(split,)), shipped(KO), EN)
    assert text.decode().endswith("읽습니다.)\nThank\n\nyou for listening.\n")


def test_transcript_hostile_headings_stay_on_one_line():
    edition = hostile()
    text = render_transcript(edition, hostile_translation(), EN).decode("utf-8")
    headings = [line for line in text.split("\n") if re.match(r"^\d+\. ", line)]
    assert headings == [f"1. {one_line(edition.tracks[0].title)}", "2. #EXTINF:0,evil.mp3"]


# --- feed ------------------------------------------------------------------------------------


def _sizes(edition: Edition) -> dict[str, int]:
    return {edition.track_file(t, ".mp3"): 1000 + t.number for t in edition.tracks}


@pytest.mark.parametrize("make", [korean, chinese, english, hostile])
def test_feed_reads_back_with_feedparser(make):
    edition = make()
    sizes = _sizes(edition)
    parsed = feedparser.parse(render_feed(edition, BASE_URL, sizes))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.namespaces["itunes"] == ITUNES and parsed.namespaces["podcast"] == PODCAST
    assert parsed.feed.title == one_line(edition.title)
    assert parsed.feed.language == edition.language.tag
    assert parsed.feed.link == f"{BASE_URL}{edition.language.tag}/index.html"
    assert len(parsed.entries) == len(edition.tracks)
    for entry, track in zip(parsed.entries, edition.tracks, strict=True):
        path = edition.track_file(track, ".mp3")
        assert entry.title == one_line(track.title)
        assert entry.id == f"test-guide/{edition.language.tag}/{track.section_id}"
        assert entry.guidislink is False
        assert entry.itunes_duration == str(round(track.duration_ms / 1000 + 1e-9))
        assert entry.itunes_episode == str(track.number)
        [enclosure] = entry.enclosures
        assert enclosure.href == BASE_URL + path
        assert int(enclosure.length) == sizes[path] and enclosure.type == "audio/mpeg"


@pytest.mark.parametrize("make", [korean, chinese, hostile])
def test_feed_namespaced_elements_read_back_with_elementtree(make):
    edition = make()
    data = render_feed(edition, BASE_URL, _sizes(edition))
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<rss ')
    assert b'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"' in data
    assert b'xmlns:podcast="https://podcastindex.org/namespace/1.0"' in data
    assert b'text="Society &amp; Culture"' in data
    channel = ET.fromstring(data).find("channel")
    assert channel.findtext("title") == one_line(edition.title)
    assert channel.find("itunes:category", NS).get("text") == "Society & Culture"
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    assert channel.findtext("itunes:type", namespaces=NS) == "serial"
    assert channel.findtext("itunes:author", namespaces=NS) == one_line(edition.author)
    feed_url = f"{BASE_URL}{edition.language.tag}/feed.xml"
    assert channel.find("atom:link", NS).attrib == {
        "href": feed_url,
        "rel": "self",
        "type": "application/rss+xml",
    }
    assert channel.findtext("podcast:guid", namespaces=NS) == podcast_guid(feed_url)
    folder = BASE_URL + edition.language.tag
    for item, track in zip(channel.findall("item"), edition.tracks, strict=True):
        assert item.find("guid").attrib == {"isPermaLink": "false"}
        captions, text = item.findall("podcast:transcript", NS)
        assert captions.attrib == {
            "url": f"{folder}/{track.stem}.vtt",
            "type": "text/vtt",
            "language": edition.language.tag,
            "rel": "captions",
        }
        assert text.attrib == {
            "url": f"{folder}/{track.stem}.txt",  # the section's own, not the guide's
            "type": "text/plain",
            "language": edition.language.tag,
        }
        assert item.find("podcast:chapters", NS).attrib == {
            "url": f"{folder}/{track.stem}.chapters.json",
            "type": "application/json+chapters",
        }
        assert item.findtext("itunes:episodeType", namespaces=NS) == "full"


def test_feed_dates_come_from_published_at_noon_utc_a_minute_apart():
    edition = korean()
    parsed = feedparser.parse(_feed(edition, _sizes(edition)))
    assert not parsed.bozo, parsed.get("bozo_exception")
    dates = [entry.published_parsed[:6] for entry in parsed.entries]
    assert dates == [(2024, 5, 1, 12, minute, 0) for minute in range(len(edition.tracks))]
    assert parsed.feed.published_parsed[:6] == dates[-1]
    assert parsed.entries[0].published == "Wed, 01 May 2024 12:00:00 GMT"
    assert _feed(edition, _sizes(edition)) == _feed(edition, _sizes(edition))


def test_feed_without_published_has_no_dates_at_all():
    edition = korean()
    data = render_feed(edition, BASE_URL, _sizes(edition), cover=COVER)
    assert b"pubDate" not in data and b"1970" not in data and b"lastBuildDate" not in data


@pytest.mark.parametrize("make", [korean, chinese, english])
def test_feed_has_image_owner_author_and_episode_texts_for_podcast_apps(make, tmp_path):
    """What directories ask for, read back by feedparser and by Podcast Index's own parser
    (podcast-partytime): cover, owner, author, dates, descriptions, each episode's transcript.
    (Not the hostile edition: partytime decodes ``&amp;amp;`` twice; ElementTree checks it.)"""
    edition = make()
    data = _feed(edition, _sizes(edition))
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.image.href == BASE_URL + COVER
    assert parsed.feed.author == one_line(edition.author)
    assert parsed.feed.publisher_detail.email == EMAIL
    assert parsed.feed.tags[0].term == "Society & Culture"

    (tmp_path / "feed.xml").write_bytes(data)
    podcast = partytime(tmp_path / "feed.xml")
    assert podcast["itunesImage"] == podcast["image"]["url"] == BASE_URL + COVER
    assert podcast["owner"] == {"name": one_line(edition.author), "email": EMAIL}
    assert podcast["author"] == one_line(edition.author)
    assert podcast["explicit"] is False and podcast["itunesCategory"] == ["Society & Culture"]
    assert podcast["pubDate"] == "2024-05-01T12:02:00.000Z"
    folder = BASE_URL + edition.language.tag
    assert len(podcast["items"]) == len(edition.tracks)
    for minute, (item, track) in enumerate(zip(podcast["items"], edition.tracks, strict=True)):
        assert item["itunesEpisode"] == track.number
        assert item["pubDate"] == f"2024-05-01T12:{minute:02d}:00.000Z"
        # The section's first paragraph (less the control characters XML cannot carry).
        first = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", track.paragraphs[0].text)
        assert " ".join(item["description"].split()) == " ".join(first.split())
        captions, text = item["podcastTranscripts"]
        assert captions == {"url": f"{folder}/{track.stem}.vtt", "type": "text/vtt",
                            "language": edition.language.tag, "rel": "captions"}  # fmt: skip
        assert text == {"url": f"{folder}/{track.stem}.txt", "type": "text/plain",
                        "language": edition.language.tag}  # fmt: skip
        assert item["podcastChapters"]["url"] == f"{folder}/{track.stem}.chapters.json"


def test_feed_author_and_owner_fall_back_to_the_title():
    edition = dataclasses.replace(english(), author=None)
    channel = ET.fromstring(render_feed(edition, BASE_URL, _sizes(edition))).find("channel")
    assert channel.findtext("itunes:author", namespaces=NS) == "The Test Guide"
    assert channel.findtext("itunes:owner/itunes:name", namespaces=NS) == "The Test Guide"
    assert channel.find("itunes:owner/itunes:email", NS) is None
    assert channel.find("itunes:image", NS) is None  # no cover given: none claimed


def test_track_transcript_is_the_sections_own_text():
    edition = korean()
    text = render_track_transcript(edition, edition.tracks[1], shipped(KO), EN).decode("utf-8")
    assert text == "2. 숫자\n\n방문객의 약 80%가 코로나19 이후 다시 찾아왔습니다.\n"
    whole = render_transcript(edition, shipped(KO), EN).decode("utf-8")
    for track in edition.tracks:
        part = render_track_transcript(edition, track, shipped(KO), EN).decode("utf-8")
        assert part in whole


def test_feed_hostile_strings_round_trip_and_inject_nothing():
    edition = hostile()
    data = render_feed(edition, BASE_URL, _sizes(edition))
    root = ET.fromstring(data)
    allowed = {"rss", "channel", "title", "link", "description", "language", "item", "guid"}
    allowed |= {"enclosure", "{http://www.w3.org/2005/Atom}link"}
    assert {e.tag for e in root.iter() if not e.tag.startswith("{" + ITUNES)} - allowed <= {
        f"{{{PODCAST}}}guid",
        f"{{{PODCAST}}}transcript",
        f"{{{PODCAST}}}chapters",
    }
    channel = root.find("channel")
    title = channel.findtext("title")
    assert title == one_line(edition.title)
    assert "<script>alert(1)</script> & &amp;" in title and "]]>" in title and "\u202e" in title
    description = channel.findtext("description")
    assert (
        description.startswith("<script>alert(1)</script>") and "\n#EXTINF:1,evil\n" in description
    )
    assert "\x00" not in description and "\x1b" not in description and "\r" not in description
    assert [i.findtext("title") for i in channel.findall("item")] == [
        one_line(t.title) for t in edition.tracks
    ]
    assert b"<script" not in data


def test_feed_is_the_same_bytes_and_guids_whatever_the_audio():
    edition = korean()
    first = render_feed(edition, BASE_URL, _sizes(edition))
    assert render_feed(edition, BASE_URL, _sizes(edition)) == first
    longer = tuple(dataclasses.replace(t, duration_ms=t.duration_ms + 5000) for t in edition.tracks)
    changed = dataclasses.replace(edition, tracks=longer)
    sizes = {path: size * 2 for path, size in _sizes(edition).items()}
    guids = [
        [item.findtext("guid") for item in ET.fromstring(data).iter("item")]
        for data in (first, render_feed(changed, BASE_URL, sizes))
    ]
    assert guids[0] == guids[1] == [f"test-guide/ko/{s}" for s in ("welcome", "numbers", "goodbye")]
    assert b"lastBuildDate" not in first


def test_feed_urls_are_absolute_and_quoted():
    edition = chinese()
    data = render_feed(edition, "http://127.0.0.1:8000", _sizes(edition))  # no trailing slash
    urls = [e.get("url") for e in ET.fromstring(data).iter("enclosure")]
    assert urls[0] == "http://127.0.0.1:8000/zh-Hans/01-welcome.mp3"
    spaced = render_feed(edition, "https://example.org/my guide/", _sizes(edition))
    assert b'url="https://example.org/my%20guide/zh-Hans/01-welcome.mp3"' in spaced
    korean_path = render_feed(edition, "https://example.org/%EA%B0%80/이드/", _sizes(edition))
    assert b'url="https://example.org/%EA%B0%80/%EC%9D%B4%EB%93%9C/zh-Hans/' in korean_path
    odd = dataclasses.replace(edition.tracks[0], stem="01-we lcome#?")
    odd_edition = dataclasses.replace(edition, tracks=(odd,))
    data = render_feed(odd_edition, BASE_URL, _sizes(odd_edition))
    assert b"zh-Hans/01-we%20lcome%23%3F.mp3" in data


@pytest.mark.parametrize("base", ["example.org/guide/", "/guide/", "ftp://example.org/", ""])
def test_feed_rejects_a_base_url_that_is_not_absolute_http(base):
    with pytest.raises(BuildError, match="base URL"):
        render_feed(korean(), base, _sizes(korean()))


def test_feed_needs_every_track_size():
    edition = korean()
    sizes = _sizes(edition)
    del sizes["ko/02-numbers.mp3"]
    with pytest.raises(InternalError, match=re.escape("ko/02-numbers.mp3")):
        render_feed(edition, BASE_URL, sizes)


def test_podcast_guid_follows_the_podcast_namespace_example():
    # The example in the podcast namespace's description of podcast:guid.
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == (
        "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    )
    assert podcast_guid("https://podnews.net/rss/") == podcast_guid("http://podnews.net/rss")
    assert uuid.UUID(podcast_guid(BASE_URL + "ko/feed.xml")).version == 5


# --- zip -------------------------------------------------------------------------------------


def test_zip_is_reproducible_sorted_and_plain():
    entries = {
        "b/z.txt": "문서\n".encode() * 50,
        "a.mp3": b"\xff\xfb" * 300,
        "b/a.vtt": b"WEBVTT\n",
    }
    data = render_zip(entries)
    assert render_zip(dict(reversed(list(entries.items())))) == data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == sorted(entries)
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.external_attr >> 16 == 0o100644 and info.create_system == 3
            expected = (
                zipfile.ZIP_STORED if info.filename.endswith(".mp3") else zipfile.ZIP_DEFLATED
            )
            assert info.compress_type == expected
            assert archive.read(info) == entries[info.filename]


@pytest.mark.parametrize(
    "name",
    ["", "/etc/passwd", "../up.txt", "a/../b", "a//b", "./a", "a\\b", "C:/x", "a/", ".hidden"],
)
def test_zip_rejects_names_that_are_not_plain_relative_paths(name):
    with pytest.raises(InternalError, match="not a plain relative path"):
        render_zip({name: b"x"})


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (korean, ["테스트 가이드", "한국어 음성 해설 오디오 가이드, 트랙 3개."]),
        (chinese, ["测试导览", "中文 (简体)语音导览，共3条音轨。"]),
        (english, ["The Test Guide", "A narrated audio guide in English, 3 tracks."]),
    ],
)
def test_zip_holds_the_edition_in_one_folder_with_a_readme_in_its_language(make, words):
    edition = make()
    files = package_files(edition, shipped(edition.language))
    data = files[edition.zip]
    assert render_zip(zip_entries(edition, files, shipped(edition.language))) == data
    folder = f"test-guide-{edition.language.tag}/"
    stems = [t.stem for t in edition.tracks]
    expected = [f"{s}{suffix}" for s in stems for suffix in (".chapters.json", ".mp3", ".vtt")]
    expected += ["00-full-guide.mp3", "00-full-guide.vtt", "00-full-guide.chapters.json"]
    expected += ["README.txt", "playlist.m3u8", "transcript.txt"]
    expected += [f"test-guide-{edition.language.tag}.m4b"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == sorted(folder + name for name in expected)
        readme = archive.read(folder + "README.txt").decode("utf-8")
        for name in expected:
            if name != "README.txt":
                assert archive.read(folder + name) == files[f"{edition.language.tag}/{name}"]
    assert readme.startswith(words[0] + "\n\n") and words[1] in readme
    assert f"test-guide-{edition.language.tag}.m4b" in readme.splitlines()[-1]
    if edition.language != EN:  # the audiobook's line is translated too
        assert ZIP_README_AUDIOBOOK.split("{")[1] not in readme
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = archive.getinfo(f"{folder}test-guide-{edition.language.tag}.m4b")
        assert book.compress_type == zipfile.ZIP_STORED  # already compressed audio


def test_zip_entries_need_every_file():
    edition = korean()
    files = package_files(edition, shipped(KO))
    del files["ko/02-numbers.vtt"]
    with pytest.raises(InternalError, match=re.escape("ko/02-numbers.vtt")):
        zip_entries(edition, files, shipped(KO))


def test_zip_hostile_readme_is_plain_text():
    edition = hostile()
    translation = hostile_translation()
    entries = zip_entries(edition, package_files(edition, translation), translation)
    readme = entries["test-guide-ko/README.txt"].decode("utf-8")
    assert readme.startswith(one_line(edition.title) + "\n" + HOSTILE)
    with zipfile.ZipFile(io.BytesIO(render_zip(entries))) as archive:
        assert archive.read("test-guide-ko/README.txt").decode("utf-8") == readme


# --- manifest --------------------------------------------------------------------------------


def _manifest_inputs(*editions: Edition) -> tuple[list[Edition], dict[str, FileInfo], dict]:
    raw: dict[str, bytes] = dict(SITE)
    for edition in editions:
        raw |= package_files(edition, shipped(edition.language))
    files = {path: FileInfo.of(data) for path, data in raw.items()}
    for edition in editions:
        total = sum(t.duration_ms for t in edition.tracks)
        files[edition.full_guide] = FileInfo.of(raw[edition.full_guide], total)
        files[edition.audiobook] = FileInfo.of(raw[edition.audiobook], total + 23)
    return list(editions), files, raw


def test_schema_is_a_valid_draft_2020_12_schema():
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_manifest_validates_and_matches_the_files():
    editions, files, raw = _manifest_inputs(english(), korean(), chinese())
    data = render_manifest("test-guide", EN, editions, files, cover=COVER)
    assert data == render_manifest("test-guide", EN, editions, files, cover=COVER)
    assert data.endswith(b"}\n") and "한국어".encode() in data
    manifest = json.loads(data)
    jsonschema.validate(manifest, load_schema(), cls=jsonschema.Draft202012Validator)
    assert manifest["guide_id"] == "test-guide" and manifest["source_language"] == "en"
    assert [lang["tag"] for lang in manifest["languages"]] == ["en", "ko", "zh-Hans"]
    ko = manifest["languages"][1]
    assert (ko["locale_id"], ko["name"], ko["title"]) == ("ko", "한국어", "테스트 가이드")
    assert ko["completeness"] == 71.4 and ko["engine"] == "gtts"
    assert ko["voices"] == ["gTTS (ko)", "espeak-ng 1.52 (en)"]
    assert manifest["languages"][2]["name"] == ZH.name
    assert ko["tracks"][2]["fallbacks"] == ["goodbye/title", "goodbye/p1"]
    assert ko["tracks"][2]["voices"] == ["gTTS (ko)", "espeak-ng 1.52 (en)"]
    assert ko["tracks"][2]["voice"] == "gTTS (ko)"

    def same(entry: dict) -> None:
        content = raw[entry["file"]]
        assert entry["bytes"] == len(content)
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()

    for language, edition in zip(manifest["languages"], editions, strict=True):
        for key in ("playlist", "feed", "transcript", "zip", "epub", "daisy", "full_guide"):
            same(language[key])
        same(language["full_guide"]["captions"])
        same(language["full_guide"]["chapters"])
        for entry in language["daisy"]["files"]:
            same(entry)
        # a .smil, .html and .mp3 for each track and for the title, + ncc, css
        assert len(language["daisy"]["files"]) == 3 * (len(edition.tracks) + 1) + 2
        assert language["full_guide"]["duration_ms"] == sum(t.duration_ms for t in edition.tracks)
        for entry, track in zip(language["tracks"], edition.tracks, strict=True):
            same(entry)
            same(entry["captions"])
            same(entry["chapters"])
            assert (entry["number"], entry["section_id"], entry["title"]) == (
                track.number,
                track.section_id,
                track.title,
            )
            assert entry["file"] == f"{edition.language.tag}/{track.stem}.mp3"
            assert entry["duration_ms"] == track.duration_ms
            assert (entry["voice"], entry["voices"]) == (track.voices[0], list(track.voices))


def test_manifest_lists_every_file_it_is_given_the_cover_pages_and_audiobooks():
    editions, files, raw = _manifest_inputs(english(), korean())
    manifest = json.loads(render_manifest("test-guide", EN, editions, files, cover=COVER))
    listed = [entry["file"] for entry in _all_files(manifest)]
    assert sorted(listed) == sorted(files)  # each exactly once
    assert manifest["cover"]["file"] == COVER
    assert [entry["file"] for entry in manifest["site"]] == ["assets/player.js", "index.html"]
    ko = manifest["languages"][1]
    assert ko["page"]["file"] == "ko/index.html"
    assert ko["audiobook"]["file"] == "ko/test-guide-ko.m4b"
    assert ko["audiobook"]["duration_ms"] == sum(t.duration_ms for t in editions[1].tracks) + 23
    assert ko["tracks"][0]["transcript"]["file"] == "ko/01-welcome.txt"
    for entry in _all_files(manifest):
        assert entry["sha256"] == hashlib.sha256(raw[entry["file"]]).hexdigest()
    no_duration = {**files, "ko/test-guide-ko.m4b": FileInfo(1, "0" * 64)}
    with pytest.raises(InternalError, match=re.escape("no duration for ko/test-guide-ko.m4b")):
        render_manifest("test-guide", EN, editions, no_duration, cover=COVER)


def _all_files(node) -> list[dict]:
    if isinstance(node, dict):
        found = [node] if "file" in node else []
        return found + [f for value in node.values() for f in _all_files(value)]
    if isinstance(node, list):
        return [f for value in node for f in _all_files(value)]
    return []


def test_manifest_keeps_hostile_titles_exactly():
    edition = hostile()
    translation = hostile_translation()
    files = {p: FileInfo.of(d, 1) for p, d in (package_files(edition, translation) | SITE).items()}
    manifest = json.loads(render_manifest("test-guide", EN, [edition], files, cover=COVER))
    assert manifest["languages"][0]["title"] == edition.title
    assert manifest["languages"][0]["description"] == HOSTILE
    assert manifest["languages"][0]["tracks"][0]["title"] == edition.tracks[0].title


def test_manifest_needs_every_file_and_the_full_guide_duration():
    editions, files, _ = _manifest_inputs(korean())
    without_zip = {p: info for p, info in files.items() if p != "test-guide-ko.zip"}
    with pytest.raises(InternalError, match=re.escape("test-guide-ko.zip")):
        render_manifest("test-guide", EN, editions, without_zip, cover=COVER)
    no_duration = {**files, "ko/00-full-guide.mp3": FileInfo(1, "0" * 64)}
    with pytest.raises(InternalError, match=re.escape("no duration for ko/00-full-guide.mp3")):
        render_manifest("test-guide", EN, editions, no_duration, cover=COVER)


def _valid_manifest() -> dict:
    editions, files, _ = _manifest_inputs(korean())
    return json.loads(render_manifest("test-guide", EN, editions, files, cover=COVER))


_GONE = object()


@pytest.mark.parametrize(
    ("where", "change", "error_at"),
    [
        ("tracks/1", {"sha256": "ABC"}, "$.languages[0].tracks[1].sha256"),
        ("tracks/0", {"captions": _GONE}, "$.languages[0].tracks[0]"),
        ("tracks/0", {"extra": 1}, "$.languages[0].tracks[0]"),
        ("tracks/2", {"fallbacks": ["goodbye/p1", "x/y"]}, "$.languages[0].tracks[2].fallbacks[1]"),
        ("playlist", {"file": "../playlist.m3u8"}, "$.languages[0].playlist.file"),
        ("feed", {"file": "/ko/feed.xml"}, "$.languages[0].feed.file"),
        ("full_guide", {"duration_ms": _GONE}, "$.languages[0].full_guide"),
        ("", {"tag": "Korean"}, "$.languages[0].tag"),
        ("", {"completeness": 101}, "$.languages[0].completeness"),
        ("/", {"created": "2026-01-01"}, "$"),
        ("/", {"languages": []}, "$.languages"),
    ],
)
def test_a_broken_manifest_fails_with_the_place_it_breaks(where, change, error_at):
    manifest = _valid_manifest()
    validate_manifest(manifest)
    target = manifest if where == "/" else manifest["languages"][0]
    for key in filter(None, where.strip("/").split("/")):
        target = target[int(key) if key.isdigit() else key]
    for key, value in change.items():
        if value is _GONE:
            del target[key]
        else:
            target[key] = value
    with pytest.raises(InternalError) as caught:
        validate_manifest(manifest)
    assert not isinstance(caught.value, AudioGuideError)  # a bug, never the user's mistake
    assert f"manifest.schema.json at {error_at}:" in str(caught.value)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(manifest, load_schema(), cls=jsonschema.Draft202012Validator)
