"""A language's talking book for reading apps: EPUB 3.3 with Media Overlays
(``<tag>/<guide id>-<tag>.epub``).

One XHTML content document per track (its title, the spoken announcement and every paragraph,
each sentence an element with an id and, where it is read in another language, ``xml:lang`` and
``lang``), and one SMIL 3.0 overlay per track that plays the track's own MP3 clip by clip while
the reading app highlights the sentence (``media:active-class``). The package document carries
the EPUB Accessibility 1.1 metadata. Reading apps: Thorium Reader, Apple Books, Readest.

Pure: the edition, its MP3s and a few strings in, the bytes of the book out. The same input gives
the same bytes (no clock, fixed zip dates, sorted entries; see :mod:`.archive`).
"""

from __future__ import annotations

import datetime
import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale

from .. import strings as S
from ..catalogs import Translation
from ..edition import Edition, Track
from ..published import renders
from ..script import Accessibility
from .archive import Zip
from .books import (
    FIXED_DATE,
    block_html,
    clips,
    identifier,
    lang_attributes,
    narrators,
    track_audio,
    x,
)
from .cover import Cover
from .times import clock, decimal

if TYPE_CHECKING:
    from .listener import Inputs

ACTIVE_CLASS = "-epub-media-overlay-active"
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
ROOT = "EPUB"

CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""

STYLE = f"""body {{ font-family: serif; line-height: 1.5; margin: 1em; }}
h1 {{ font-size: 1.5em; line-height: 1.25; }}
.announcement {{ font-style: italic; }}
/* Chinese, Japanese and Korean type has no italics: the announcement stands apart by weight. */
.announcement:lang(ko), .announcement:lang(zh), .announcement:lang(ja) {{
  font-style: normal;
  font-weight: bold;
}}
.{ACTIVE_CLASS}, .{ACTIVE_CLASS} * {{
  background-color: #fff3a0;
  color: #000;
  outline: 2px solid #7a5c00;
}}
"""


MIMETYPE = "mimetype"  # the entry an EPUB's zip must start with, stored


def epub_entries(
    edition: Edition,
    audio: Mapping[str, bytes | Path],
    translation: Translation,
    *,
    published: datetime.date | None = None,
    cover: Cover | None = None,
    accessibility: Accessibility | None = None,
) -> dict[str, bytes | Path]:
    """The files of the EPUB, by name: for a build to stream them into the zip (with
    ``first=MIMETYPE``) without holding the audio in memory.

    ``audio`` maps each track's MP3 path (``edition.track_file(track, ".mp3")``) to its bytes
    (or to the file that holds them); ``translation`` gives the book's own words (table of
    contents, accessibility summary) in its language; ``published`` dates it
    (``dcterms:modified``; a fixed date without it). ``accessibility`` names who evaluated the
    book: only then does it claim conformance. Raises :class:`~audioguide.errors.InternalError`
    when an MP3 is missing.
    """
    package = _package(edition, translation, published, cover, accessibility)
    files: dict[str, bytes | Path] = {
        MIMETYPE: b"application/epub+zip",
        "META-INF/container.xml": CONTAINER.encode(),
        f"{ROOT}/package.opf": package.encode(),
        f"{ROOT}/nav.xhtml": _nav(edition, translation).encode(),
        f"{ROOT}/style.css": STYLE.encode(),
    }
    for track, mp3 in track_audio(edition, audio, "EPUB"):
        files[f"{ROOT}/{track.stem}.xhtml"] = _document(edition, track).encode()
        files[f"{ROOT}/{track.stem}.smil"] = _overlay(track).encode()
        files[f"{ROOT}/audio/{track.stem}.mp3"] = mp3
    if cover is not None:
        files[f"{ROOT}/{_cover_name(cover)}"] = cover.data
    return files


# --- package document -------------------------------------------------------------------


def _package(
    edition: Edition,
    translation: Translation,
    published: datetime.date | None,
    cover: Cover | None,
    accessibility: Accessibility | None,
) -> str:
    lang = edition.language.tag
    date = published or FIXED_DATE
    author = edition.author.strip() if edition.author and edition.author.strip() else None
    meta = [
        f'<dc:identifier id="uid">{x(identifier(edition))}</dc:identifier>',
        f"<dc:title>{x(edition.title)}</dc:title>",
        f"<dc:language>{x(lang)}</dc:language>",
    ]
    if author:
        meta.append(f"<dc:creator>{x(author)}</dc:creator>")
    if edition.description:
        meta.append(f"<dc:description>{x(edition.description)}</dc:description>")
    if published:
        meta.append(f"<dc:date>{published.isoformat()}</dc:date>")
    meta += [
        f'<meta property="dcterms:modified">{date.isoformat()}T00:00:00Z</meta>',
        '<meta property="schema:accessMode">textual</meta>',
        '<meta property="schema:accessMode">auditory</meta>',
        '<meta property="schema:accessModeSufficient">textual</meta>',
        '<meta property="schema:accessModeSufficient">auditory</meta>',
        '<meta property="schema:accessModeSufficient">textual,auditory</meta>',
        *(
            f'<meta property="schema:accessibilityFeature">{feature}</meta>'
            for feature in (
                "synchronizedAudioText",
                "structuralNavigation",
                "readingOrder",
                "tableOfContents",
            )
        ),
        '<meta property="schema:accessibilityHazard">none</meta>',
        f'<meta property="schema:accessibilitySummary">{x(_summary(translation, accessibility))}'
        "</meta>",
        *_conformance(accessibility),
    ]
    for track in edition.tracks:
        meta.append(
            f'<meta property="media:duration" refines="#mo{track.number}">'
            f"{clock(track.duration_ms)}</meta>"
        )
    total = sum(track.duration_ms for track in edition.tracks)
    meta.append(f'<meta property="media:duration">{clock(total)}</meta>')
    meta += [f'<meta property="media:narrator">{x(voice)}</meta>' for voice in narrators(edition)]
    meta.append(f'<meta property="media:active-class">{ACTIVE_CLASS}</meta>')

    items = [
        '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>',
        '<item id="css" href="style.css" media-type="text/css"/>',
    ]
    if cover is not None:
        items.append(
            f'<item id="cover" href="{_cover_name(cover)}" media-type="{x(cover.mime)}" '
            'properties="cover-image"/>'
        )
    for track in edition.tracks:
        n = track.number
        items += [
            f'<item id="t{n}" href="{track.stem}.xhtml" media-type="application/xhtml+xml" '
            f'media-overlay="mo{n}"/>',
            f'<item id="mo{n}" href="{track.stem}.smil" media-type="application/smil+xml"/>',
            f'<item id="a{n}" href="audio/{track.stem}.mp3" media-type="audio/mpeg"/>',
        ]
    # The contents page is in the spine (the landmarks point at it) but out of the reading order.
    spine = ['<itemref idref="nav" linear="no"/>']
    spine += [f'<itemref idref="t{track.number}"/>' for track in edition.tracks]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" '
        f'xml:lang="{x(lang)}" dir="{_direction(edition)}">\n'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        + _lines(meta)
        + "</metadata>\n<manifest>\n"
        + _lines(items)
        + "</manifest>\n<spine>\n"
        + _lines(spine)
        + "</spine>\n</package>\n"
    )


def _summary(translation: Translation, accessibility: Accessibility | None) -> str:
    """What the book offers, in its language; and, unless someone evaluated it, that no one
    has."""
    summary = translation.tool(S.BOOK_ACCESSIBILITY_SUMMARY)
    if accessibility is None:
        summary += " " + translation.tool(S.BOOK_NOT_EVALUATED)
    return summary


def _conformance(accessibility: Accessibility | None) -> list[str]:
    """The conformance claim and who made it (EPUB Accessibility 1.1), when someone did."""
    if accessibility is None:
        return []
    found = [
        f'<meta property="dcterms:conformsTo">{CONFORMS_TO}</meta>',
        f'<meta property="a11y:certifiedBy" id="certifier">{x(accessibility.certified_by)}</meta>',
    ]
    if accessibility.credential:
        found.append('<meta property="a11y:certifierCredential" refines="#certifier">'
                     f"{x(accessibility.credential)}</meta>")  # fmt: skip
    if accessibility.report:
        found.append(f'<link rel="a11y:certifierReport" refines="#certifier" '
                     f'href="{x(accessibility.report)}"/>')  # fmt: skip
    return found


# --- navigation and text ----------------------------------------------------------------


def _nav(edition: Edition, translation: Translation) -> str:
    contents = x(translation.tool(S.BOOK_CONTENTS))
    toc = [
        f'<li><a href="{track.stem}.xhtml"{_lang(track.title_lang, edition)}>'
        f"{x(track.title)}</a></li>"
        for track in edition.tracks
    ]
    first = edition.tracks[0]
    body = (
        f'<nav epub:type="toc" role="doc-toc" id="toc" aria-labelledby="toc-title">\n'
        f'<h1 id="toc-title">{contents}</h1>\n<ol>\n'
        + _lines(toc)
        + "</ol>\n</nav>\n"
        + '<nav epub:type="landmarks" id="landmarks" hidden="hidden">\n<ol>\n'
        + f'<li><a epub:type="toc" href="#toc">{contents}</a></li>\n'
        + f'<li><a epub:type="bodymatter" href="{first.stem}.xhtml"'
        + f"{_lang(first.title_lang, edition)}>{x(first.title)}</a></li>\n"
        + "</ol>\n</nav>\n"
    )
    return _xhtml(edition, edition.title, body)


def _document(edition: Edition, track: Track) -> str:
    parts = [
        f'<section epub:type="chapter" role="doc-chapter" aria-labelledby="title">\n'
        f'<h1 id="title"{_lang(track.title_lang, edition)}>{x(track.title)}</h1>'
    ]
    for block in track.blocks:
        css = "announcement" if block is track.announcement else ""
        parts.append(block_html(block, edition.language.tag, css))
    parts.append("</section>")
    return _xhtml(edition, track.title, "\n".join(parts) + "\n")


def _xhtml(edition: Edition, title: str, body: str) -> str:
    lang = x(edition.language.tag)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
        f'xml:lang="{lang}" lang="{lang}" dir="{_direction(edition)}">\n'
        f'<head>\n<meta charset="UTF-8"/>\n<title>{x(title)}</title>\n'
        '<link rel="stylesheet" type="text/css" href="style.css"/>\n</head>\n'
        f"<body>\n{body}</body>\n</html>\n"
    )


# --- overlays ---------------------------------------------------------------------------


def _overlay(track: Track) -> str:
    text = f"{track.stem}.xhtml"
    pars = [
        f'<par id="par-{clip.id}"><text src="{text}#{clip.id}"/>'
        f'<audio src="audio/{track.stem}.mp3" clipBegin="{decimal(clip.begin_ms)}s" '
        f'clipEnd="{decimal(clip.end_ms)}s"/></par>'
        for clip in clips(track)
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<smil xmlns="http://www.w3.org/ns/SMIL" xmlns:epub="http://www.idpf.org/2007/ops" '
        'version="3.0">\n<body>\n'
        f'<seq id="seq{track.number}" epub:textref="{text}" epub:type="chapter">\n'
        + _lines(pars)
        + "</seq>\n</body>\n</smil>\n"
    )


# --- helpers ----------------------------------------------------------------------------


def _lang(lang: str, edition: Edition) -> str:
    return lang_attributes(lang, edition.language.tag)


def _direction(edition: Edition) -> str:
    order = Locale.parse(edition.language.locale_id).character_order
    return "rtl" if order == "right-to-left" else "ltr"


def _lines(lines: list[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


def _cover_name(cover: Cover) -> str:
    """``cover.png`` or ``cover.jpg``: the name the build gives the cover, inside the book."""
    return posixpath.basename(cover.path)


@renders("epub")
def _epub(given: Inputs, track: None) -> Zip:  # noqa: ARG001 - the renderers' contract
    guide = given.guide
    entries = epub_entries(given.edition, given.audio, given.translation,
                           published=guide.published, cover=given.cover,
                           accessibility=guide.accessibility)  # fmt: skip
    return Zip(entries, first=MIMETYPE)
