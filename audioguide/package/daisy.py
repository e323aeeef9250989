"""A language's DAISY 2.02 book, full audio and full text (``<tag>/daisy/`` and
``<guide id>-<tag>-daisy.zip``), for DAISY players and apps: Victor Reader Stream, Plextalk,
Dolphin EasyReader.

``ncc.html`` (the navigation centre: the book's title, then one heading per track, each linking
to the track's SMIL), one SMIL 1.0 file per track with a ``par`` per sentence (its text in the
track's XHTML 1.0 content document, its audio a clip of the track's own MP3, times with at most
three decimals), the content documents and the MP3s (constant bit rate), all in one folder as
players expect.

Pure: the edition and its MP3s in, ``{file name: bytes}`` out; the same input gives the same
bytes.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..edition import Edition, Track
from .books import (
    FIXED_DATE,
    GENERATOR,
    block_html,
    clips,
    identifier,
    lang_attributes,
    narrators,
    track_audio,
    x,
)
from .times import decimal, hms

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
    edition: Edition, audio: Mapping[str, bytes | Path], *, published: datetime.date | None = None
) -> dict[str, bytes | Path]:
    """The book's files by name (one folder, no subfolders).

    ``audio`` maps each track's MP3 path (``edition.track_file(track, ".mp3")``) to its bytes
    (or to the file that holds them);
    ``published`` dates it (``dc:date``; a fixed date without it). Raises
    :class:`~audioguide.errors.BuildError` when an MP3 is missing.
    """
    files: dict[str, bytes | Path] = {CSS: STYLE.encode()}
    elapsed = 0
    for track, mp3 in track_audio(edition, audio, "DAISY book"):
        files[f"{track.stem}.mp3"] = mp3
        files[f"{track.stem}.html"] = _document(edition, track).encode()
        files[f"{track.stem}.smil"] = _smil(edition, track, elapsed).encode()
        elapsed += track.duration_ms
    files[NCC] = _ncc(edition, published or FIXED_DATE, len(files) + 1).encode()
    return dict(sorted(files.items()))


def file_names(edition: Edition) -> list[str]:
    """The names of the files :func:`render_daisy` makes for ``edition``, sorted."""
    names = [CSS, NCC]
    for track in edition.tracks:
        names += [f"{track.stem}.mp3", f"{track.stem}.html", f"{track.stem}.smil"]
    return sorted(names)


def language(edition: Edition) -> str:
    """The book's ``dc:language``: ``ko``, ``en``, ``zh-CN``."""
    return _DAISY_LANGUAGE.get(edition.language.tag, edition.language.tag)


def _ncc(edition: Edition, date: datetime.date, files: int) -> str:
    total = sum(track.duration_ms for track in edition.tracks)
    author = edition.author.strip() if edition.author and edition.author.strip() else UNKNOWN
    first = edition.tracks[0]
    headings = [
        f'<h1 class="title" id="h0"><a href="{first.stem}.smil#{_par(clips(first)[0].id)}">'
        f"{x(edition.title)}</a></h1>"
    ]
    for track in edition.tracks:
        headings.append(
            f'<h1 id="h{track.number}"{_lang(track.title_lang, edition)}>'
            f'<a href="{track.stem}.smil#{_par(clips(track)[0].id)}">{x(track.title)}</a></h1>'
        )
    meta = [
        ("dc:title", edition.title),
        ("dc:creator", author),
        ("dc:date", date.isoformat(), "yyyy-mm-dd"),
        ("dc:format", "Daisy 2.02"),
        ("dc:identifier", identifier(edition)),
        ("dc:language", language(edition), "ISO 639"),
        ("dc:publisher", author),
        ("ncc:charset", "utf-8"),
        ("ncc:depth", "1"),
        ("ncc:files", str(files)),
        ("ncc:generator", GENERATOR),
        ("ncc:multimediaType", "audioFullText"),
        *(("ncc:narrator", voice) for voice in narrators(edition)),
        ("ncc:pageFront", "0"),
        ("ncc:pageNormal", "0"),
        ("ncc:pageSpecial", "0"),
        ("ncc:tocItems", str(len(headings))),
        ("ncc:totalTime", hms(total)),
    ]
    return _html(edition, edition.title, _meta(meta), "\n".join(headings) + "\n")


def _document(edition: Edition, track: Track) -> str:
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
