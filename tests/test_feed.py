"""The podcast feed, read back with feedparser, podcastparser, ElementTree and
podcast-partytime."""

from __future__ import annotations

import dataclasses
import io
import re
import uuid
import xml.etree.ElementTree as ET

import feedparser
import podcastparser
import pytest
from editions import (
    BASE_URL,
    COVER,
    EMAIL,
    EN,
    ITUNES,
    KO,
    NS,
    PODCAST,
    chinese,
    english,
    feed_of,
    hostile,
    korean,
    shipped,
)
from readers import partytime

from audioguide.edition import Edition
from audioguide.errors import BuildError, InternalError
from audioguide.package.captions import one_line
from audioguide.package.feed import podcast_guid, render_feed
from audioguide.package.transcript import render_track_transcript, render_transcript


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
    assert f'xmlns:podcast="{PODCAST}"'.encode() in data
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
    parsed = feedparser.parse(feed_of(edition, _sizes(edition)))
    assert not parsed.bozo, parsed.get("bozo_exception")
    dates = [entry.published_parsed[:6] for entry in parsed.entries]
    assert dates == [(2024, 5, 1, 12, minute, 0) for minute in range(len(edition.tracks))]
    assert parsed.feed.published_parsed[:6] == dates[-1]
    assert parsed.entries[0].published == "Wed, 01 May 2024 12:00:00 GMT"
    assert feed_of(edition, _sizes(edition)) == feed_of(edition, _sizes(edition))


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
    data = feed_of(edition, _sizes(edition))
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


@pytest.mark.parametrize("make", [korean, chinese, english])
def test_gpodders_parser_reads_each_episodes_transcript_and_chapters(make):
    """podcastparser (gPodder) knows the podcast namespace only by the URI the specification
    names first: under it, every episode's transcript and chapters reach the listener."""
    edition = make()
    data = feed_of(edition, _sizes(edition))
    parsed = podcastparser.parse(f"{BASE_URL}{edition.language.tag}/feed.xml", io.BytesIO(data))

    folder = BASE_URL + edition.language.tag
    episodes = sorted(parsed["episodes"], key=lambda episode: episode["number"])
    assert [episode["title"] for episode in episodes] == [
        one_line(track.title) for track in edition.tracks
    ]
    for episode, track in zip(episodes, edition.tracks, strict=True):
        assert episode["transcript_url"] in (
            f"{folder}/{track.stem}.vtt",
            f"{folder}/{track.stem}.txt",
        )
        assert episode["chapters_json_url"] == f"{folder}/{track.stem}.chapters.json"
