"""Editions for the listener package's renderer tests, built directly as the build lays them
out: Korean, Chinese and English, plus one from a hostile catalog; and every file of an edition
as the build would have it (audio and pages faked). Golden files under ``tests/golden`` pin the
deterministic texts; refresh them deliberately with
``AUDIOGUIDE_REGEN_GOLDEN=1 pytest tests/test_golden_texts.py``.
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from timelines import make_track, spoken_title

import audioguide
from audioguide.catalogs import Translation
from audioguide.edition import Chapter, Edition, Track
from audioguide.languages import Language, resolve
from audioguide.package.archive import render_zip, zip_entries
from audioguide.package.captions import (
    render_chapters,
    render_full_chapters,
    render_full_srt,
    render_full_vtt,
    render_srt,
    render_vtt,
)
from audioguide.package.daisy import render_daisy
from audioguide.package.epub import MIMETYPE, epub_entries
from audioguide.package.feed import render_feed
from audioguide.package.playlist import render_playlist
from audioguide.package.transcript import render_track_transcript, render_transcript
from audioguide.strings import UNTRANSLATED, ZIP_README

EN, KO, ZH = resolve("en"), resolve("ko"), resolve("zh_Hans")
GOLDEN = Path(__file__).parent / "golden"
BASE_URL = "https://example.org/guides/test/"
PUBLISHED = datetime.date(2024, 5, 1)
COVER = "cover.png"
EMAIL = "guide@example.org"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
NS = {"itunes": ITUNES, "podcast": PODCAST, "atom": "http://www.w3.org/2005/Atom"}

# Everything a translated string might try: markup, entities, quotes, CDATA end, bidi override,
# line breaks of every kind followed by playlist and caption syntax, blank lines, controls.
HOSTILE = (
    "<script>alert(1)</script> & &amp; \"double\" 'single' ]]> \u202eevil\u202c"
    "\n#EXTINF:1,evil\nevil.mp3\r\n--> 00:00:01.000 --> 00:00:02.000\n\nNOTE x"
    "\u2028# leading\u0085\x0b\x1b[31m\x00 end"
)


# --- building editions ---------------------------------------------------------------------


def timed_track(
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
        timed_track(
            1,
            "welcome",
            "환영합니다",
            [
                ["박물관에 오신 것을 환영합니다."],
                ["이 가이드는 세 부분으로 되어 있습니다.", "각 부분은 트랙 하나입니다."],
            ],
            f"1번 트랙, 전체 {total}개 중. 환영합니다.",
        ),
        timed_track(
            2,
            "numbers",
            "숫자",
            [["방문객의 약 80%가 코로나19 이후 다시 찾아왔습니다."]],
            f"2번 트랙, 전체 {total}개 중. 숫자.",
        ),
        timed_track(
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
        has_audiobook=True,
    )


def chinese() -> Edition:
    tracks = (
        timed_track(
            1,
            "welcome",
            "欢迎",
            [["欢迎来到博物馆。"], ["本导览分为三个简短的部分。", "每个部分是一条音轨。"]],
            "第1节，共3节。欢迎。",
            joiner="",
            voices=("gTTS (zh-CN)",),
            lang=ZH,
        ),
        timed_track(
            2,
            "numbers",
            "数字",
            [["约百分之八十的游客在新冠疫情之后再次到访。"]],
            "第2节，共3节。数字。",
            joiner="",
            voices=("gTTS (zh-CN)",),
            lang=ZH,
        ),
        timed_track(
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
        has_audiobook=True,
    )


def english() -> Edition:
    tracks = (
        timed_track(
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
        timed_track(
            2,
            "numbers",
            "Numbers",
            [["Around 80% of visitors came back after COVID-19."]],
            "Track 2 of 3. Numbers.",
            voices=("gTTS (en)",),
            lang=EN,
        ),
        timed_track(
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
        has_audiobook=True,
    )


def hostile() -> Edition:
    """A Korean edition whose catalog tries to break every format."""
    tracks = (
        timed_track(
            1,
            "welcome",
            "환영 " + HOSTILE,
            [["박물관에 오신 것을 환영합니다. " + HOSTILE, "\n\n\n"], [HOSTILE]],
            "1번 트랙, 전체 2개 중. " + HOSTILE,
            chapter_titles=[HOSTILE, "#EXTINF:0,chapter\n-->"],
        ),
        timed_track(
            2,
            "numbers",
            "#EXTINF:0,evil.mp3",
            [["숫자 -->", "<b>굵게</b> &lt;"]],
            "2번 트랙, 전체 2개 중.",
        ),
    )
    return Edition("test-guide", KO, "가이드 " + HOSTILE, HOSTILE, HOSTILE, tracks, 50.0, "gtts",
                   title_clip=spoken_title("가이드 " + HOSTILE, KO.tag),
                   has_audiobook=True)  # fmt: skip


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
        files[edition.track_file(track, ".srt")] = render_srt(track)
        files[edition.track_file(track, ".chapters.json")] = render_chapters(track)
        files[edition.track_file(track, ".txt")] = render_track_transcript(
            edition, track, translation, EN
        )
    places = places_of(edition)
    files[edition.full_guide_captions] = render_full_vtt(edition, places)
    files[edition.path("full_guide_srt")] = render_full_srt(edition, places)
    files[edition.full_guide_chapters] = render_full_chapters(edition, edition.title, places)
    files[edition.playlist] = render_playlist(edition)
    files[edition.transcript] = render_transcript(edition, translation, EN)
    sizes = {path: len(data) for path, data in files.items()}
    files[edition.feed] = feed_of(edition, sizes)
    files[edition.zip] = render_zip(zip_entries(edition, files, translation))
    files[edition.epub] = render_epub(edition, files, translation)
    book = render_daisy(edition, files)
    files[edition.daisy_zip] = render_zip({f"daisy/{name}": data for name, data in book.items()})
    return files


def places_of(edition: Edition) -> list[Chapter]:
    """Where a full-guide file would hold each track: one after another."""
    places, start = [], 0
    for track in edition.tracks:
        places.append(Chapter(start, start + track.duration_ms, track.title))
        start += track.duration_ms
    return places


def feed_of(edition: Edition, sizes: dict[str, int]) -> bytes:
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


def render_epub(edition: Edition, audio: dict, translation: Translation, **options) -> bytes:
    """The EPUB's bytes, zipped as a build streams its entries."""
    return render_zip(epub_entries(edition, audio, translation, **options), first=MIMETYPE)
