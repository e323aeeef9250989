"""What podcast apps, audiobook apps and players read from a build: chapters in
the order players take them, tags, the M4B audiobooks, the cover, the feeds' warning, and a
manifest of every file. Chapters are read with ffprobe (see ``readers.py``), as ffmpeg-based
players and converters read them."""

from __future__ import annotations

import io
import itertools
import json
import re
import xml.etree.ElementTree as ET
import zipfile

import feedparser
import pytest
from build_helpers import (
    BASE_URL,
    ISO639_2,
    TAGS,
    Built,
    Site,
    chapters,
    expected,
    other_warnings,
    tree,
)
from mutagen.id3 import ID3
from mutagen.mp4 import MP4
from PIL import Image
from readers import ffprobe, ffprobe_chapters, loudness, partytime

from audioguide import audio
from audioguide.edition import Chapter

GUIDE_ID = "test-guide"
STEMS = ("01-welcome", "02-numbers", "03-goodbye")
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"


def _language(site: Site, tag: str) -> dict:
    (language,) = [lang for lang in site.manifest()["languages"] if lang["tag"] == tag]
    return language


# --- chapters in the order players take them ----------------------------------------------


def test_chapter_frames_are_stored_in_time_order_whatever_their_size(tmp_path):
    """mutagen stores frames smallest first; a long first title used to land last."""
    path = tmp_path / "t.mp3"
    audio.encode_normalised([audio.pause(3000, 22_050)], path)  # silence: encoded as it is
    titles = ["A much longer first chapter title than the others", "Second", "3"]
    marks = tuple(Chapter(n * 1000, (n + 1) * 1000, t) for n, t in enumerate(titles))
    tags = audio.Tags("T", "A", "1/1", "eng", ("voice",), "text", marks, "x", artist="Author")
    audio.write_tags(path, tags)
    stored = ID3(path).getall("CHAP")  # in the order the file holds them
    assert [frame.sub_frames["TIT2"].text[0] for frame in stored] == titles
    assert [frame.start_time for frame in stored] == [0, 1000, 2000]
    assert chapters(path) == [(c.start_ms, c.end_ms, c.title) for c in marks]  # CTOC agrees
    assert audio.decode(path)  # still a playable MP3


@pytest.mark.parametrize("tag", TAGS)
def test_ffprobe_lists_every_mp3s_chapters_in_order(built: Built, tag: str):
    folder = built.site.output / tag
    for path in [*(folder / f"{stem}.mp3" for stem in STEMS), folder / "00-full-guide.mp3"]:
        listed = ffprobe_chapters(path)
        marks = chapters(path)
        assert [title for _, _, title in listed] == [title for _, _, title in marks], path.name
        assert [round(start * 1000) for start, _, _ in listed] == [s for s, _, _ in marks]
        starts = [start for start, _, _ in listed]
        assert starts == sorted(starts) and len(set(starts)) == len(starts)


# --- tags ---------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", TAGS)
def test_full_guide_is_tagged_as_the_whole_guide_not_a_track(built: Built, tag: str):
    tags = ID3(built.site.output / tag / "00-full-guide.mp3")
    assert "TRCK" not in tags  # not "track 0 of 3"
    assert tags["TPE1"].text == ["Test Org"]
    assert tags["TCOM"].text == [_language(built.site, tag)["tracks"][0]["voice"]]
    assert tags.getall("APIC")[0].data == (built.site.output / "cover.png").read_bytes()


# --- the audiobooks -------------------------------------------------------------------------


@pytest.mark.parametrize("tag", TAGS)
def test_audiobook_has_a_chapter_per_section_with_translated_titles(built: Built, tag: str):
    path = built.site.output / tag / f"{GUIDE_ID}-{tag}.m4b"
    language = _language(built.site, tag)
    assert language["audiobook"]["file"] == f"{tag}/{GUIDE_ID}-{tag}.m4b"
    marks = ffprobe_chapters(path)
    assert [title for _, _, title in marks] == [s.title for s in expected(built.site, tag).sections]
    assert marks[0][0] == 0
    for (_, end, _), (start, _, _) in itertools.pairwise(marks):
        assert end == pytest.approx(start, abs=0.001)
    # Each chapter is as long as its track, give or take the AAC encoder's delay and padding
    # (a frame each at most).
    two_frames_ms = 2 * audio.AAC_FRAME * 1000 / audio.AAC_RATE
    for (start, end, _), track in zip(marks, language["tracks"], strict=True):
        assert (end - start) * 1000 == pytest.approx(track["duration_ms"], abs=two_frames_ms)
    duration = len(audio.decode(path)) / audio.BYTES_PER_MS
    assert marks[-1][1] * 1000 == pytest.approx(duration, abs=30)
    assert language["audiobook"]["duration_ms"] == pytest.approx(duration, abs=30)


@pytest.mark.parametrize("tag", TAGS)
def test_audiobook_is_aac_with_cover_title_author_and_language(built: Built, tag: str):
    path = built.site.output / tag / f"{GUIDE_ID}-{tag}.m4b"
    probe = ffprobe(path, "format", "streams")
    assert probe["format"]["format_name"].startswith("mov,mp4,m4a")
    assert probe["format"]["tags"]["major_brand"].strip() == "M4B"
    sound = [s for s in probe["streams"] if s["codec_type"] == "audio"]
    assert [(s["codec_name"], s["channels"], s["sample_rate"]) for s in sound] == [
        ("aac", 1, "22050")
    ]
    assert sound[0]["tags"]["language"] == ISO639_2[tag]
    tags = MP4(path).tags
    title = expected(built.site, tag).title
    assert tags["\xa9nam"] == [title] and tags["\xa9alb"] == [title]
    assert tags["\xa9ART"] == ["Test Org"]
    assert tags["\xa9wrt"] == [_language(built.site, tag)["tracks"][0]["voice"]]
    assert tags["stik"] == [2]  # an audiobook
    assert bytes(tags["covr"][0]) == (built.site.output / "cover.png").read_bytes()


@pytest.mark.parametrize("tag", TAGS)
def test_audiobook_is_as_loud_as_the_mp3s(built: Built, tag: str):
    measured = loudness(built.site.output / tag / f"{GUIDE_ID}-{tag}.m4b")
    assert measured.integrated == pytest.approx(-16.0, abs=1.0)
    assert measured.true_peak <= -1.0  # Apple's ceiling: no clipping in AAC either


def test_audiobook_follows_an_edit_and_is_otherwise_left_alone(site: Site):
    from build_helpers import set_translation

    before = tree(site.output)
    set_translation(site.po("ko"), "Numbers", "숫자 이야기")
    site.build_ok("--base-url", BASE_URL)
    after = tree(site.output)
    assert after["ko/test-guide-ko.m4b"] != before["ko/test-guide-ko.m4b"]
    for tag in ("en", "zh-Hans"):
        assert after[f"{tag}/test-guide-{tag}.m4b"] == before[f"{tag}/test-guide-{tag}.m4b"]
    titles = [title for _, _, title in ffprobe_chapters(site.output / "ko/test-guide-ko.m4b")]
    assert titles[1] == "숫자 이야기"


def test_audiobook_is_in_the_zip_and_on_the_player_page(built: Built):
    output = built.site.output
    for tag in TAGS:
        name = f"{GUIDE_ID}-{tag}.m4b"
        with zipfile.ZipFile(output / f"{GUIDE_ID}-{tag}.zip") as archive:
            assert archive.read(f"{GUIDE_ID}-{tag}/{name}") == (output / tag / name).read_bytes()
        page = (output / tag / "index.html").read_text("utf-8")
        assert re.search(rf'<a href="{re.escape(name)}" type="audio/mp4" download>', page)


# --- feeds ----------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", TAGS)
def test_built_feed_reads_in_podcast_apps_with_cover_owner_and_transcripts(built: Built, tag):
    feed = built.site.output / tag / "feed.xml"
    parsed = feedparser.parse(feed.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.image.href == BASE_URL + "cover.png"
    podcast = partytime(feed)
    assert podcast["itunesImage"] == BASE_URL + "cover.png"
    assert podcast["owner"] == {"name": "Test Org", "email": "guide@example.org"}
    assert podcast["author"] == "Test Org"
    texts = expected(built.site, tag)
    for item, section in zip(podcast["items"], texts.sections, strict=True):
        assert item["description"] == section.paragraphs[0]
        transcript = item["podcastTranscripts"][-1]["url"].removeprefix(BASE_URL)
        assert transcript == f"{tag}/{section.stem}.txt"
        text = (built.site.output / transcript).read_text("utf-8")
        assert all(paragraph in text for paragraph in section.paragraphs)
        others = [s for s in texts.sections if s is not section]
        assert not any(paragraph in text for s in others for paragraph in s.paragraphs)


def test_a_build_for_the_preview_says_so_once(site: Site):
    result = site.build()
    assert result.exit_code == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if "127.0.0.1:8000" in line]
    assert warned == [
        "audioguide: warning: the feeds link to the local preview http://127.0.0.1:8000/; "
        "give --base-url or base_url in guide.yaml before publishing them"
    ]
    (summary,) = result.stdout.strip().splitlines()
    assert other_warnings(json.loads(summary)["warnings"]) == [
        warned[0].removeprefix("audioguide: warning: ")
    ]
    published = site.build("--base-url", BASE_URL)
    assert "127.0.0.1" not in published.stderr
    assert other_warnings(json.loads(published.stdout)["warnings"]) == []


def test_cover_date_and_author_from_guide_yaml_reach_every_file(site: Site):
    art = io.BytesIO()
    Image.new("RGB", (1500, 1500), "#884422").save(art, format="JPEG")
    (site.scripts / "art.jpg").write_bytes(art.getvalue())
    guide = site.scripts / "guide.yaml"
    text = guide.read_text("utf-8").replace("author: Test Org\n", "")
    text = text.replace("email: guide@example.org\n", "email: a@example.org\n")
    guide.write_text(text + "cover: art.jpg\npublished: 2024-05-01\n")
    site.build_ok("--base-url", BASE_URL, "--lang", "en")

    output = site.output
    assert (output / "cover.jpg").read_bytes() == art.getvalue()
    assert site.manifest()["cover"]["file"] == "cover.jpg"
    tags = ID3(output / "en" / "01-welcome.mp3")
    assert tags["TPE1"].text == ["The Test Guide"]  # no author: the guide's title
    assert (tags.getall("APIC")[0].mime, tags.getall("APIC")[0].data) == (
        "image/jpeg",
        art.getvalue(),
    )
    assert bytes(MP4(output / "en" / "test-guide-en.m4b").tags["covr"][0]) == art.getvalue()
    channel = ET.parse(output / "en" / "feed.xml").getroot().find("channel")
    ns = {"itunes": ITUNES}
    assert channel.find("itunes:image", ns).get("href") == BASE_URL + "cover.jpg"
    assert channel.findtext("itunes:owner/itunes:email", namespaces=ns) == "a@example.org"
    dates = [item.findtext("pubDate") for item in channel.iter("item")]
    assert dates == [f"Wed, 01 May 2024 12:0{n}:00 GMT" for n in range(3)]
    assert channel.findtext("pubDate") == dates[-1]


# --- the manifest -----------------------------------------------------------------------------


def test_manifest_lists_every_file_in_the_output_folder(built: Built):
    output = built.site.output
    manifest = built.site.manifest()

    def files(node) -> list[str]:
        if isinstance(node, dict):
            found = [node["file"]] if "file" in node else []
            return found + [f for value in node.values() for f in files(value)]
        if isinstance(node, list):
            return [f for value in node for f in files(value)]
        return []

    listed = files(manifest)
    assert len(listed) == len(set(listed))
    on_disk = {path.relative_to(output).as_posix() for path in output.rglob("*") if path.is_file()}
    # Left out, as the README says: the manifest itself, the build's lock and its record.
    assert on_disk - set(listed) == {"manifest.json", ".audioguide.lock", ".audioguide-build.json"}
    assert set(listed) <= on_disk
    assert {"index.html", "assets/player.js", "assets/player.css"} <= {
        entry["file"] for entry in manifest["site"]
    }
    assert all(
        lang["page"]["file"] == f"{lang['tag']}/index.html" for lang in manifest["languages"]
    )


@pytest.mark.parametrize("tag", TAGS)
def test_player_page_and_talking_book_show_the_guide_cover(built: Built, tag: str):
    output = built.site.output
    cover = built.site.manifest()["cover"]["file"]
    page = (output / tag / "index.html").read_text("utf-8")
    found = re.search(r'<img class="cover" src="([^"]+)" alt=""', page)
    assert found, "no cover on the player page"
    assert (output / tag / found.group(1)).resolve() == (output / cover).resolve()
    epub = _language(built.site, tag)["epub"]["file"]
    with zipfile.ZipFile(output / epub) as book:
        opf = book.read("EPUB/package.opf").decode("utf-8")
        item = re.search(r'<item id="cover" href="([^"]+)"[^>]*properties="cover-image"', opf)
        assert item, "no cover-image item in the EPUB"
        assert book.read(f"EPUB/{item.group(1)}") == (output / cover).read_bytes()
