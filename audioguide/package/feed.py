"""A language's podcast feed (``feed.xml``): RSS 2.0 with the ``itunes`` and ``podcast`` namespaces.

Built with :mod:`xml.etree.ElementTree`, which escapes every text and attribute, so no title can
break the XML or inject markup. Episodes are ordered by ``itunes:episode`` under ``itunes:type``
``serial``. Item guids are ``<guide id>/<tag>/<section id>``: they stay the same across rebuilds,
whatever the audio.

The only dates are those of ``published:`` in ``guide.yaml`` (none without it), so the same
input gives the same bytes: episode ``n`` is dated that day at 12:00 UTC plus ``n - 1`` minutes
(apps that sort by date keep the guide's order; noon keeps the day the same in most time
zones), and the channel carries the last episode's date.

Each episode describes itself with its section's first paragraph and links its own transcript
(``<stem>.txt``) and captions; the channel names its author and owner and shows the cover.
"""

from __future__ import annotations

import datetime
import re
import uuid
import xml.etree.ElementTree as ET
from email.utils import format_datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin, urlsplit

from ..edition import Edition, Track
from ..errors import BuildError, InternalError
from ..published import kind, renders
from ..script import Category, check_base_url
from .captions import one_line
from .times import whole_seconds

if TYPE_CHECKING:
    from .listener import Inputs

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
# The podcast namespace under the URI its specification names first, which it requires every
# client to take as identical to https://podcastindex.org/namespace/1.0: gPodder's parser
# (podcastparser) knows only this one, and reads neither transcripts nor chapters under the
# other; feedparser and Podcast Index's own parser read both.
PODCAST = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
ATOM = "http://www.w3.org/2005/Atom"
# The podcast namespace's UUIDv5 namespace for podcast:guid.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

for _prefix, _uri in (("itunes", ITUNES), ("podcast", PODCAST), ("atom", ATOM)):
    ET.register_namespace(_prefix, _uri)

# Characters XML 1.0 cannot carry at all; line breaks become LF (a parser would turn CR into LF).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CR = re.compile(r"\r\n?")
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def render_feed(
    edition: Edition,
    base_url: str,
    sizes: dict[str, int],
    *,
    category: Category | None = None,
    cover: str | None = None,
    published: datetime.date | None = None,
    email: str | None = None,
) -> bytes:
    """The edition's RSS feed, with absolute URLs under ``base_url``.

    ``sizes`` maps output-relative paths to their size in bytes; every track's MP3 must be there
    (``enclosure length``). ``category`` is the Apple Podcasts category (and subcategory;
    default Society & Culture).
    ``cover`` is the cover image's output-relative path, ``published`` the guide's date and
    ``email`` its owner's address (each left out of the feed when None).
    """
    base = _base(base_url)
    feed_url = url(base, edition.feed)
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", one_line(edition.title))
    _text(channel, "link", url(base, edition.page))
    _text(channel, "description", _multiline(edition.description or "") or one_line(edition.title))
    _text(channel, "language", edition.language.tag)
    ET.SubElement(
        channel,
        f"{{{ATOM}}}link",
        {"href": feed_url, "rel": "self", "type": kind("feed").type},
    )
    if published:
        _text(channel, "pubDate", _date(published, max(t.number for t in edition.tracks)))
    author = one_line(edition.author or "") or one_line(edition.title)
    if cover:
        image = ET.SubElement(channel, "image")
        _text(image, "url", url(base, cover))
        _text(image, "title", one_line(edition.title))
        _text(image, "link", url(base, edition.page))
        ET.SubElement(channel, f"{{{ITUNES}}}image", {"href": url(base, cover)})
    _text(channel, f"{{{ITUNES}}}author", author)
    owner = ET.SubElement(channel, f"{{{ITUNES}}}owner")
    _text(owner, f"{{{ITUNES}}}name", author)
    if email:
        _text(owner, f"{{{ITUNES}}}email", email)
    category = category or Category()
    outer = ET.SubElement(channel, f"{{{ITUNES}}}category", {"text": category.name})
    if category.subcategory:
        ET.SubElement(outer, f"{{{ITUNES}}}category", {"text": category.subcategory})
    _text(channel, f"{{{ITUNES}}}explicit", "false")
    _text(channel, f"{{{ITUNES}}}type", "serial")
    _text(channel, f"{{{PODCAST}}}guid", podcast_guid(feed_url))
    for track in sorted(edition.tracks, key=lambda t: t.number):
        _item(channel, edition, track, base, sizes, published)
    ET.indent(rss, space="  ")
    body = ET.tostring(rss, encoding="unicode", short_empty_elements=True)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()


def _item(
    channel: ET.Element,
    edition: Edition,
    track: Track,
    base: str,
    sizes: dict[str, int],
    published: datetime.date | None,
) -> None:
    audio = edition.track_file(track, ".mp3")
    if audio not in sizes:
        raise InternalError(
            f"no size for {audio}, needed for the feed's enclosure length: "
            "the build renders the feed before it encodes that track"
        )
    item = ET.SubElement(channel, "item")
    _text(item, "title", one_line(track.title) or track.stem)
    if track.paragraphs and _multiline(track.paragraphs[0].text):
        _text(item, "description", _multiline(track.paragraphs[0].text))
    if published:
        _text(item, "pubDate", _date(published, track.number))
    ET.SubElement(
        item,
        "enclosure",
        {"url": url(base, audio), "length": str(sizes[audio]), "type": kind("mp3").type},
    )
    _text(item, "guid", episode_guid(edition, track), isPermaLink="false")
    _text(item, f"{{{ITUNES}}}duration", str(whole_seconds(track.duration_ms)))
    _text(item, f"{{{ITUNES}}}episode", str(track.number))
    _text(item, f"{{{ITUNES}}}episodeType", "full")
    tag = edition.language.tag
    ET.SubElement(
        item,
        f"{{{PODCAST}}}transcript",
        {
            "url": url(base, edition.path("captions", track)),
            "type": kind("captions").type,
            "language": tag,
            "rel": "captions",
        },
    )
    ET.SubElement(
        item,
        f"{{{PODCAST}}}transcript",
        {
            "url": url(base, edition.path("track_transcript", track)),
            "type": kind("track_transcript").type,
            "language": tag,
        },
    )
    ET.SubElement(
        item,
        f"{{{PODCAST}}}chapters",
        {
            "url": url(base, edition.path("chapters", track)),
            # the podcast namespace's own type for its chapters (served as plain JSON)
            "type": "application/json+chapters",
        },
    )


def _date(published: datetime.date, number: int) -> str:
    """Episode ``number``'s RFC 822 date: ``published`` at 12:00 UTC, plus a minute a track."""
    moment = datetime.datetime.combine(published, datetime.time(12), datetime.UTC)
    return format_datetime(moment + datetime.timedelta(minutes=number - 1), usegmt=True)


def episode_guid(edition: Edition, track: Track) -> str:
    """An item's guid: the same for a section in a language on every rebuild."""
    return f"{edition.guide_id}/{edition.language.tag}/{track.section_id}"


def podcast_guid(feed_url: str) -> str:
    """The podcast namespace's ``podcast:guid``: UUIDv5 of the feed URL without its scheme and
    trailing slashes."""
    parts = urlsplit(feed_url)
    bare = feed_url[len(parts.scheme) + 3 :] if parts.scheme else feed_url
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare.rstrip("/")))


def url(base: str, path: str) -> str:
    """The absolute URL of an output-relative path, each path segment percent-encoded."""
    return urljoin(base, "/".join(quote(segment, safe="") for segment in path.split("/")))


def _base(base_url: str) -> str:
    """The base URL, checked as the build checks it, percent-encoded where it must be, ending
    with a slash."""
    try:
        base_url = check_base_url(base_url)
    except ValueError as exc:
        raise BuildError(f"the base URL {exc}; give it with --base-url or base_url") from None
    # Percent-encode what a URL cannot hold (spaces, non-ASCII), leaving existing escapes alone.
    base = quote(base_url, safe=_URL_SAFE)
    return base if base.endswith("/") else base + "/"


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = text
    return element


def _multiline(text: str) -> str:
    """Text as XML can carry it: line breaks as LF, characters XML forbids removed."""
    return _NOT_XML.sub("", _CR.sub("\n", text)).strip()


@renders("feed")
def _feed(given: Inputs, track: None) -> bytes:  # noqa: ARG001 - the renderers' contract
    guide = given.guide
    return render_feed(
        given.edition, given.base_url, dict(given.sizes), category=guide.category,
        cover=given.cover.path, published=guide.published, email=guide.email,
    )  # fmt: skip
