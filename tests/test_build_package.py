"""What ``audioguide build`` packages for listeners, read back with independent parsers.

The session build of the fixture guide (espeak, ``--base-url https://example.org/guide/``) is
checked with jsonschema, feedparser, ElementTree, webvtt-py, zipfile and the decoded audio.
Tests that rebuild work on a copy.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import feedparser
import jsonschema
import pytest
import webvtt
from build_helpers import (
    BASE_URL,
    LOCALE_IDS,
    TAGS,
    Built,
    Site,
    chapters,
    decoded_ms,
    expected,
    set_translation,
)
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from audioguide import audio
from audioguide.package.manifest import load_schema

PODCAST = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM = "http://www.w3.org/2005/Atom"
GUIDE_ID = "test-guide"


def _language(manifest: dict, tag: str) -> dict:
    (language,) = [lang for lang in manifest["languages"] if lang["tag"] == tag]
    return language


def _files(node) -> list[dict]:
    """Every ``{"file": ..., "bytes": ..., "sha256": ...}`` in the manifest."""
    if isinstance(node, dict):
        found = [node] if "file" in node else []
        return found + [f for value in node.values() for f in _files(value)]
    if isinstance(node, list):
        return [f for value in node for f in _files(value)]
    return []


def _words(text: str) -> str:
    return " ".join(text.split())


# --- manifest -----------------------------------------------------------------------------


def test_manifest_validates_against_the_shipped_schema(built: Built):
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(built.site.manifest())


def test_manifest_describes_each_language(built: Built):
    manifest = built.site.manifest()
    assert manifest["guide_id"] == GUIDE_ID
    assert [lang["tag"] for lang in manifest["languages"]] == list(TAGS)
    for tag in TAGS:
        texts = expected(built.site, tag)
        language = _language(manifest, tag)
        assert language["locale_id"] == LOCALE_IDS[tag]
        assert language["title"] == texts.title
        assert language["engine"] == "espeak"
        assert language["completeness"] == 100.0
        assert [t["title"] for t in language["tracks"]] == [s.title for s in texts.sections]
        assert [t["section_id"] for t in language["tracks"]] == [s.id for s in texts.sections]
        assert all(t["fallbacks"] == [] for t in language["tracks"])
    assert _language(manifest, "ko")["name"] == "한국어"


def test_every_size_and_hash_in_the_manifest_matches_the_file(built: Built):
    output = built.site.output
    listed = _files(built.site.manifest())
    # Per language: 5 files a track, 13 others (page, playlist, feed, transcript, zip, full guide
    # with its WebVTT and SRT captions and chapters, audiobook, EPUB, DAISY zip and the spoken
    # title it plays); then the cover and the site's shared files.
    site = len(built.site.manifest()["site"])
    assert len(listed) == 3 * (3 * 5 + 13) + 1 + site
    for entry in listed:
        data = (output / entry["file"]).read_bytes()
        assert entry["bytes"] == len(data), entry["file"]
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), entry["file"]


def test_manifest_durations_match_the_decoded_audio(built: Built):
    output = built.site.output
    for language in built.site.manifest()["languages"]:
        for entry in [*language["tracks"], language["full_guide"]]:
            assert decoded_ms(output / entry["file"]) == pytest.approx(
                entry["duration_ms"], abs=50
            ), entry["file"]


# --- the full-guide file ----------------------------------------------------------------------


@pytest.mark.parametrize("tag", TAGS)
def test_full_guide_has_a_chapter_per_section_in_order(built: Built, tag: str):
    texts = expected(built.site, tag)
    path = built.site.output / tag / "00-full-guide.mp3"
    duration = decoded_ms(path)
    marks = chapters(path)
    assert [title for _, _, title in marks] == [s.title for s in texts.sections]
    assert marks[0][0] == 0
    for (_, end, _), (start, _, _) in itertools.pairwise(marks):
        assert end == start
    assert all(start < end for start, end, _ in marks)
    assert marks[-1][1] == pytest.approx(duration, abs=50)
    # Each chapter holds its track, plus the encoder padding of its last frames and the next
    # track's encoder delay: at most three frames (576 samples each at 22.05 kHz).
    rate = MP3(path).info.sample_rate  # the voice's own
    assert rate == 22_050
    tracks = _language(built.site.manifest(), tag)["tracks"]
    for (start, end, _), track in zip(marks, tracks, strict=True):
        assert 0 <= (end - start) - track["duration_ms"] <= 3 * 576 * 1000 / rate
    # And each track's audio is in the joined file, sample for sample, where its chapter starts
    # (to the millisecond the chapter frame can hold).
    joined = audio.decode(path, rate)
    for (start, _, _), track in zip(marks, tracks, strict=True):
        alone = audio.decode(built.site.output / track["file"], rate)
        middle = len(alone) // 4 * 2  # a whole sample, mid-track: real speech
        piece = alone[middle : middle + 4000]
        first = round(start * rate / 1000)
        found = [
            shift
            for shift in range(-12, 13)
            if joined[(first + shift) * 2 + middle :][: len(piece)] == piece
        ]
        assert found, f"{track['file']} is not at {start} ms in the full-guide file"
    tags = ID3(path)
    assert tags["TALB"].text == [texts.title]
    assert tags["TLAN"].text == [{"en": "eng", "ko": "kor", "zh-Hans": "zho"}[tag]]


# --- captions and chapters --------------------------------------------------------------------


@pytest.mark.parametrize("tag", TAGS)
def test_captions_follow_the_track_and_are_its_transcript(built: Built, tag: str):
    output = built.site.output
    for track in _language(built.site.manifest(), tag)["tracks"]:
        mp3 = output / track["file"]
        captions = webvtt.read(output / track["captions"]["file"]).captions
        duration = decoded_ms(mp3)
        previous = 0
        for caption in captions:
            start = caption.start_time.in_milliseconds()
            end = caption.end_time.in_milliseconds()
            assert previous <= start < end <= duration, caption
            previous = end
        transcript = ID3(mp3).getall("USLT")[0].text
        spoken = " ".join(caption.text for caption in captions)
        if tag == "en":
            assert _words(spoken) == _words(transcript)
        # Chinese and Korean join sentences without spaces or with them: compare without.
        assert "".join(spoken.split()) == "".join(transcript.split())


@pytest.mark.parametrize("tag", TAGS)
def test_chapters_json_has_the_times_of_the_mp3_chapters(built: Built, tag: str):
    output = built.site.output
    for track in _language(built.site.manifest(), tag)["tracks"]:
        document = json.loads((output / track["chapters"]["file"]).read_text("utf-8"))
        assert document["version"] == "1.2.0"
        in_json = [
            (round(c["startTime"] * 1000), round(c["endTime"] * 1000), c["title"])
            for c in document["chapters"]
        ]
        assert in_json == chapters(output / track["file"])


# --- playlist, transcript -----------------------------------------------------------------------


@pytest.mark.parametrize("tag", TAGS)
def test_playlist_entries_point_at_the_tracks(built: Built, tag: str):
    folder = built.site.output / tag
    lines = (folder / "playlist.m3u8").read_text("utf-8").splitlines()
    assert lines[0] == "#EXTM3U"
    entries = list(zip(lines[1::2], lines[2::2], strict=True))
    tracks = _language(built.site.manifest(), tag)["tracks"]
    assert len(entries) == len(tracks)
    for (info, name), track in zip(entries, tracks, strict=True):
        assert (folder / name).is_file()
        assert f"{tag}/{name}" == track["file"]
        seconds, title = info.removeprefix("#EXTINF:").split(",", 1)
        assert title == track["title"]
        assert abs(int(seconds) - track["duration_ms"] / 1000) <= 0.5


@pytest.mark.parametrize("tag", TAGS)
def test_transcript_has_a_heading_per_track_and_every_paragraph(built: Built, tag: str):
    texts = expected(built.site, tag)
    transcript = (built.site.output / tag / "transcript.txt").read_text("utf-8")
    assert transcript.startswith(texts.title + "\n")
    position = 0
    for number, section in enumerate(texts.sections, 1):
        for text in [f"{number}. {section.title}", *section.paragraphs]:
            found = transcript.find(text, position)
            assert found >= 0, f"{text!r} missing or out of order"
            position = found + len(text)


# --- the podcast feed -------------------------------------------------------------------------


@pytest.mark.parametrize("tag", TAGS)
def test_feed_parses_with_sizes_and_base_url(built: Built, tag: str):
    output = built.site.output
    parsed = feedparser.parse((output / tag / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    texts = expected(built.site, tag)
    assert parsed.feed.title == texts.title
    assert parsed.feed.language == tag
    tracks = _language(built.site.manifest(), tag)["tracks"]
    assert [entry.title for entry in parsed.entries] == [t["title"] for t in tracks]
    for entry, track in zip(parsed.entries, tracks, strict=True):
        (enclosure,) = entry.enclosures
        assert enclosure.href == BASE_URL + track["file"]
        assert int(enclosure.length) == (output / track["file"]).stat().st_size
        assert enclosure.type == "audio/mpeg"
        assert entry.id == f"{GUIDE_ID}/{tag}/{track['section_id']}"


@pytest.mark.parametrize("tag", TAGS)
def test_every_feed_url_is_under_the_base_url_and_exists(built: Built, tag: str):
    root = ET.parse(built.site.output / tag / "feed.xml").getroot()
    urls = [e.get("url") for e in root.iter("enclosure")]
    urls += [e.get("url") for e in root.iter(f"{{{PODCAST}}}transcript")]
    urls += [e.get("url") for e in root.iter(f"{{{PODCAST}}}chapters")]
    urls += [e.get("href") for e in root.iter(f"{{{ATOM}}}link")]
    urls += [e.get("href") for e in root.iter(f"{{{ITUNES}}}image")]
    assert len(urls) == 3 * 4 + 2
    for url in urls:
        assert url.startswith(BASE_URL), url
        assert (built.site.output / url.removeprefix(BASE_URL)).is_file(), url
    captions = [e for e in root.iter(f"{{{PODCAST}}}transcript") if e.get("rel") == "captions"]
    assert len(captions) == 3 and all(e.get("type") == "text/vtt" for e in captions)


def test_feed_guids_stay_and_lengths_follow_after_an_edit(site: Site):
    def items(tag: str) -> list[tuple[str, int]]:
        parsed = feedparser.parse((site.output / tag / "feed.xml").read_bytes())
        return [(e.id, int(e.enclosures[0].length)) for e in parsed.entries]

    before = items("ko")
    set_translation(site.po("ko"), "Welcome to the museum.", "이곳은 새로 꾸민 박물관입니다.")
    assert site.build_ok("--base-url", BASE_URL)["tracks_written"] == 1
    after = items("ko")
    assert [guid for guid, _ in after] == [guid for guid, _ in before]
    assert after[0][1] != before[0][1]  # the edited track changed size...
    assert after[0][1] == (site.output / "ko" / "01-welcome.mp3").stat().st_size  # ...and says so
    assert after[1:] == before[1:]


def test_feeds_without_a_base_url_point_at_the_local_preview(site: Site):
    site.build_ok()
    parsed = feedparser.parse((site.output / "en" / "feed.xml").read_bytes())
    assert parsed.entries[0].enclosures[0].href == "http://127.0.0.1:8000/en/01-welcome.mp3"


# --- the zips -----------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", TAGS)
def test_zip_holds_the_language_download(built: Built, tag: str):
    output = built.site.output
    language = _language(built.site.manifest(), tag)
    folder = f"{GUIDE_ID}-{tag}"
    assert language["zip"]["file"] == f"{folder}.zip"
    with zipfile.ZipFile(output / language["zip"]["file"]) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        full = language["full_guide"]
        wanted = [full["file"], full["captions"]["file"], full["srt"]["file"],
                  full["chapters"]["file"], language["playlist"]["file"],
                  language["transcript"]["file"], language["audiobook"]["file"]]  # fmt: skip
        for track in language["tracks"]:
            wanted += [track["file"], track["captions"]["file"], track["srt"]["file"],
                       track["chapters"]["file"]]  # fmt: skip
        for path in wanted:
            name = f"{folder}/{Path(path).name}"
            assert archive.read(name) == (output / path).read_bytes(), name
        assert sorted(names) == sorted([f"{folder}/{Path(p).name}" for p in wanted]
                                       + [f"{folder}/README.txt"])  # fmt: skip
        readme = archive.read(f"{folder}/README.txt").decode("utf-8")
    assert readme.startswith(expected(built.site, tag).title)
    assert "playlist.m3u8" in readme


def test_rebuilt_zips_and_books_are_byte_identical(site: Site):
    def packed() -> list:
        return sorted([*site.output.glob("*.zip"), *site.output.glob("*/*.epub")])

    zips = packed()
    assert len(zips) == 3 * 3  # per language: the zip, the DAISY zip, the EPUB
    before = {path.name: path.read_bytes() for path in zips}
    for path in zips:
        path.unlink()
    site.build_ok("--base-url", BASE_URL)
    assert {path.name: path.read_bytes() for path in packed()} == before
