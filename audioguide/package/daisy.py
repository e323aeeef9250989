"""A language's DAISY 2.02 book, full audio and full text (``<guide id>-<tag>-daisy.zip``), for
DAISY players and apps: Victor Reader Stream, Plextalk, Dolphin EasyReader, Thorium.

``ncc.html`` (the navigation centre: the book's title, linking to its own spoken clip, then one
heading per track and under it one per paragraph, so that a player's next and previous move by
section at level 1 and by paragraph at level 2), one SMIL 1.0 file per track (and one for the
title) with a ``par`` per sentence (its text in the track's XHTML 1.0 content document, its audio
a clip of the track's own MP3, times with at most three decimals), the content documents and the
MP3s (constant bit rate), all in one folder as players expect. No ``master.smil``: the
specification makes it optional, and players open a book by its ``ncc.html``.

Pure: the edition and its MP3s in, ``{file name: bytes}`` out; the same input gives the same
bytes.
"""

from __future__ import annotations

import datetime
import posixpath
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..edition import Edition, Track
from ..errors import InternalError
from ..published import renders
from .archive import Zip
from .books import (
    GENERATOR,
    block_html,
    clips,
    identifier,
    lang_attributes,
    narrators,
    sentence_id,
    track_audio,
    x,
)
from .times import decimal, hms

if TYPE_CHECKING:
    from .listener import Inputs

NCC = "ncc.html"
CSS = "daisy.css"
XHTML_DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
)
SMIL_DOCTYPE = (
    '<!DOCTYPE smil PUBLIC "-//W3C//DTD SMIL 1.0//EN" "http://www.w3.org/TR/REC-smil/SMIL10.dtd">'
)
STYLE = "body { font-family: serif; line-height: 1.5; margin: 1em; }\n"
# DAISY 2.02 names languages by ISO 639 code and, where it matters, ISO 3166 country.
_DAISY_LANGUAGE = {"zh-Hans": "zh-CN", "zh-Hant": "zh-TW"}
UNKNOWN = "Unknown"


def render_daisy(
    edition: Edition,
    audio: Mapping[str, bytes | Path],
    *,
    published: datetime.date | None = None,
    publisher: str | None = None,
) -> dict[str, bytes | Path]:
    """The book's files by name (one folder, no subfolders).

    ``audio`` maps each track's MP3 path (``edition.track_file(track, ".mp3")``) and the spoken
    title's (``edition.title_mp3``) to their bytes (or to the files that hold them).
    ``published`` and ``publisher`` are guide.yaml's (see :func:`_metadata` for what stands in
    for them when they are not given). Raises :class:`~audioguide.errors.InternalError` when an MP3
    is missing.
    """
    title = edition.title_clip
    if title is None or edition.title_mp3 not in audio:
        raise InternalError(
            f"{edition.title_mp3} is missing from the audio given for the DAISY book: the build "
            "makes the book before it speaks the title"
        )
    files: dict[str, bytes | Path] = {CSS: STYLE.encode(),
                                      f"{title.stem}.mp3": audio[edition.title_mp3]}  # fmt: skip
    elapsed = 0
    for track, mp3 in [(title, None), *track_audio(edition, audio, "DAISY book")]:
        if mp3 is not None:
            files[f"{track.stem}.mp3"] = mp3
        files[f"{track.stem}.html"] = _document(edition, track).encode()
        files[f"{track.stem}.smil"] = _smil(edition, track, elapsed).encode()
        elapsed += track.duration_ms
    body = _navigation(edition, title)
    meta = _metadata(edition, published, publisher, body, elapsed, len(files) + 1)
    files[NCC] = _html(edition, edition.title, _meta(meta), "\n".join(body) + "\n").encode()
    return dict(sorted(files.items()))


def language(edition: Edition) -> str:
    """The book's ``dc:language``: ``ko``, ``en``, ``zh-CN``."""
    return _DAISY_LANGUAGE.get(edition.language.tag, edition.language.tag)


def _navigation(edition: Edition, title: Track) -> list[str]:
    """The NCC's body: the title (its spoken clip), then a heading per track and, under it, one
    per paragraph (depth 2), each pointing at the first sentence it reads."""
    first = clips(title)[0].id
    found = [
        f'<h1 class="title" id="h0"{_lang(edition.title_lang, edition)}>'
        f'<a href="{title.stem}.smil#{_par(first)}">{x(edition.title)}</a></h1>'
    ]
    for track in edition.tracks:
        found.append(
            f'<h1 id="h{track.number}"{_lang(track.title_lang, edition)}>'
            f'<a href="{track.stem}.smil#{_par(clips(track)[0].id)}">{x(track.title)}</a></h1>'
        )
        for paragraph in track.paragraphs:
            if not paragraph.sentences:
                continue
            target = _par(sentence_id(paragraph, 1))
            found.append(
                f'<h2 id="h{track.number}-{paragraph.id}"{_lang(paragraph.lang, edition)}>'
                f'<a href="{track.stem}.smil#{target}">{x(paragraph.heading)}</a></h2>'
            )
    return found


def _metadata(
    edition: Edition,
    published: datetime.date | None,
    publisher: str | None,
    body: list[str],
    total_ms: int,
    files: int,
) -> list[tuple[str, ...]]:
    """The NCC's ``meta`` elements: nothing made up. ``dc:creator`` is the author, and left out
    without one (the specification asks for it where a creator is known). ``dc:date`` is
    ``published``, and left out without it: the specification wants one date in yyyy-mm-dd,
    which cannot say "unknown", and DAISY Pipeline's validator takes a missing date as a warning
    where a wrong one is an error. ``dc:publisher``, required exactly once, is ``publisher``, or
    "Unknown" as DAISY's own production tools write a name that is not known."""
    author = edition.author.strip() if edition.author and edition.author.strip() else None
    meta: list[tuple[str, ...]] = [("dc:title", edition.title)]
    if author:
        meta.append(("dc:creator", author))
    if published:
        meta.append(("dc:date", published.isoformat(), "yyyy-mm-dd"))
    meta += [
        ("dc:format", "Daisy 2.02"),
        ("dc:identifier", identifier(edition)),
        ("dc:language", language(edition), "ISO 639"),
        ("dc:publisher", publisher.strip() if publisher and publisher.strip() else UNKNOWN),
        ("ncc:charset", "utf-8"),
        ("ncc:depth", "2" if any(line.startswith("<h2") for line in body) else "1"),
        ("ncc:files", str(files)),
        ("ncc:generator", GENERATOR),
        ("ncc:multimediaType", "audioFullText"),
        *(("ncc:narrator", voice) for voice in narrators(edition)),
        ("ncc:pageFront", "0"),
        ("ncc:pageNormal", "0"),
        ("ncc:pageSpecial", "0"),
        ("ncc:tocItems", str(len(body))),
        ("ncc:totalTime", hms(total_ms)),
    ]
    return meta


def _document(edition: Edition, track: Track) -> str:
    if track is edition.title_clip:  # the title page: the spoken title is its heading
        body = block_html(track.blocks[0], edition.language.tag, tag="h1")
        return _html(edition, track.title, "", body + "\n")
    parts = [f'<h1 id="title"{_lang(track.title_lang, edition)}>{x(track.title)}</h1>']
    parts += [block_html(block, edition.language.tag) for block in track.blocks]
    return _html(edition, track.title, "", "\n".join(parts) + "\n")


def _smil(edition: Edition, track: Track, elapsed_ms: int) -> str:
    pars = [
        f'<par endsync="last" id="{_par(clip.id)}">'
        f'<text src="{track.stem}.html#{clip.id}" id="tx-{clip.id}"/>'
        f'<audio src="{track.stem}.mp3" clip-begin="npt={decimal(clip.begin_ms)}s" '
        f'clip-end="npt={decimal(clip.end_ms)}s" id="au-{clip.id}"/></par>'
        for clip in clips(track)
    ]
    meta = [
        ("dc:format", "Daisy 2.02"),
        ("dc:identifier", identifier(edition)),
        ("dc:title", track.title),
        ("ncc:generator", GENERATOR),
        ("ncc:timeInThisSmil", hms(track.duration_ms, decimals=True)),
        ("ncc:totalElapsedTime", hms(elapsed_ms, decimals=True)),
    ]
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{SMIL_DOCTYPE}\n<smil>\n<head>\n'
        + _meta(meta)
        + '<layout>\n<region id="txtView"/>\n</layout>\n</head>\n<body>\n'
        + f'<seq dur="{decimal(track.duration_ms)}s">\n'
        + "".join(f"{par}\n" for par in pars)
        + "</seq>\n</body>\n</smil>\n"
    )


def _html(edition: Edition, title: str, meta: str, body: str) -> str:
    lang = x(edition.language.tag)
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{XHTML_DOCTYPE}\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="{lang}" lang="{lang}">\n<head>\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>\n'
        f"<title>{x(title)}</title>\n{meta}"
        f'<link rel="stylesheet" type="text/css" href="{CSS}"/>\n</head>\n'
        f"<body>\n{body}</body>\n</html>\n"
    )


def _meta(items: Sequence[tuple[str, ...]]) -> str:
    lines = []
    for name, content, *scheme in items:
        extra = f' scheme="{x(scheme[0])}"' if scheme else ""
        lines.append(f'<meta name="{name}" content="{x(content)}"{extra}/>\n')
    return "".join(lines)


def _par(clip_id: str) -> str:
    return f"par-{clip_id}"


def _lang(lang: str, edition: Edition) -> str:
    return lang_attributes(lang, edition.language.tag)


@renders("daisy_zip")
def _daisy_zip(given: Inputs, track: None) -> Zip:  # noqa: ARG001 - the renderers' contract
    """The book's files in one folder named after the zip, as players take it unzipped."""
    edition, guide = given.edition, given.guide
    book = render_daisy(edition, given.audio, published=guide.published,
                        publisher=guide.publisher)  # fmt: skip
    name = posixpath.splitext(edition.daisy_zip)[0]
    return Zip({f"{name}/{file}": data for file, data in book.items()})
