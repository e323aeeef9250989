"""The web player: ``output/index.html`` (choose a language) and ``output/<tag>/index.html``.

:func:`render_site` turns the built editions into the bytes of a small static site; the build
writes them. The pages work from ``file://`` and from ``audioguide serve`` alike, and ask for
nothing outside the output folder:

- each cue of each track is written into the page itself (as buttons of the transcript), since
  browsers refuse to load captions or fetch JSON on ``file://`` pages;
- the captions are still attached to the ``<audio>`` as ``<track kind="captions">``;
- one small script and one style sheet, shipped in ``package/static``, are copied to
  ``assets/``; a Content-Security-Policy forbids inline script and any other host;
- without the script, the page is a plain list: each track with the browser's own controls,
  its captions, transcript and downloads. The script replaces it with the player, the
  transcript and the track list, which are hidden until then.

Every text of the page comes from the gettext catalogs (:mod:`audioguide.strings`), and every text
from scripts and catalogs goes through Jinja2's autoescape.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from babel import Locale
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit

from .. import strings as S
from ..catalogs import Translation, fill, placeholders
from ..edition import Edition, Sentence
from .times import decimal, iso_duration, whole_seconds

if TYPE_CHECKING:
    from jinja2 import Environment

_HERE = Path(__file__).parent
ASSETS = ("player.js", "player.css")
RATES = ("0.75", "1", "1.25", "1.5", "1.75", "2")

# No inline script or style, nothing from another host. (frame-ancestors is ignored in a meta
# tag, so it is not given.)
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self'; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)

STEPS = (5, 10, 15, 30, 60)  # seconds the back and forward buttons skip; 10 unless chosen

# Shortcuts: action -> the key it shows (player.js maps KeyboardEvent.code, the physical key, so
# they work whatever the layout or input method). They need Alt+Shift unless the listener
# chooses other modifiers or single keys: single letters are screen readers' browse-mode keys.
SHORTCUTS = (
    ("play", "K"),
    ("back", "J"),
    ("forward", "L"),
    ("previous-paragraph", "U"),
    ("next-paragraph", "O"),
    ("previous", "P"),
    ("next", "N"),
    ("mute", "M"),
    ("slower", ","),
    ("faster", "."),
    ("where", "W"),
)
MODIFIERS = (
    ("alt-shift", S.PLAYER_KEYS_ALT_SHIFT),
    ("control-alt", S.PLAYER_KEYS_CONTROL_ALT),
    ("none", S.PLAYER_KEYS_SINGLE),
)


# What player.js shows and says as things happen: name -> msgid. Each is written into the page
# in the language it is in (English where untranslated), with its placeholders left to fill.
MESSAGES = (
    ("play", S.PLAYER_PLAY),
    ("pause", S.PLAYER_PAUSE),
    ("paused", S.PLAYER_PAUSED),
    ("position", S.PLAYER_POSITION_VALUE),
    ("back", S.PLAYER_BACK),
    ("forward", S.PLAYER_FORWARD),
    ("paragraph", S.PLAYER_PARAGRAPH),
    ("place", S.PLAYER_PLACE),
    ("last", S.PLAYER_LAST_TRACK),
    ("end", S.PLAYER_END),
    ("matches", S.PLAYER_MATCHES),
    ("resume", S.PLAYER_RESUME),
)


@dataclass(frozen=True)
class Download:
    """One row of the player's download list. Another file for listeners is one more row."""

    path: Callable[[Edition], str | None]  # the file, relative to the output folder (None: none)
    name: str  # msgid: what it is
    format: str  # its format, as listeners know it: "MP3", "ZIP"
    hint: str  # msgid: what it is for
    type: str  # media type
    download: bool = True  # False: the browser may open it (a feed)


DOWNLOADS = (
    Download(lambda e: e.full_guide, S.FULL_GUIDE, "MP3", S.PLAYER_FULL_GUIDE_HINT, "audio/mpeg"),
    Download(lambda e: e.full_guide_captions, S.PLAYER_FULL_GUIDE_CAPTIONS, "WebVTT",
             S.PLAYER_FULL_GUIDE_CAPTIONS_HINT, "text/vtt"),
    Download(lambda e: e.audiobook, S.PLAYER_AUDIOBOOK, "M4B", S.PLAYER_AUDIOBOOK_HINT,
             "audio/mp4"),
    Download(lambda e: e.transcript, S.PLAYER_TRANSCRIPT, "TXT", S.PLAYER_TRANSCRIPT_HINT,
             "text/plain"),
    Download(lambda e: e.playlist, S.PLAYER_PLAYLIST, "M3U", S.PLAYER_PLAYLIST_HINT,
             "audio/x-mpegurl"),
    Download(lambda e: e.feed, S.PLAYER_FEED, "RSS", S.PLAYER_FEED_HINT, "application/rss+xml",
             download=False),
    Download(lambda e: e.zip, S.PLAYER_ZIP, "ZIP", S.PLAYER_ZIP_HINT, "application/zip"),
    Download(lambda e: e.epub, S.PLAYER_TALKING_BOOK, "EPUB 3", S.PLAYER_EPUB_HINT,
             "application/epub+zip"),
    Download(lambda e: e.daisy_zip, S.PLAYER_TALKING_BOOK, "DAISY 2.02", S.PLAYER_DAISY_HINT,
             "application/zip"),
)  # fmt: skip


def site_files() -> list[str]:
    """The files of the site that belong to no language: the chooser and the assets."""
    return ["index.html", *(f"assets/{name}" for name in ASSETS)]


def render_site(
    editions: Sequence[Edition],
    translations: dict[str, Translation],
    sizes: Mapping[str, int],
    cover: str | None = None,
) -> dict[str, bytes]:
    """The whole site as ``{relative path: bytes}``; ``editions[0]`` is the source language.

    ``translations`` is keyed by BCP 47 tag; a missing one gives the English strings. ``sizes``
    gives the size in bytes of every file the pages offer for download, by output-relative
    path; a missing one raises ``KeyError``. ``cover`` is the cover image's output-relative
    path, shown beside the title. The same input always gives the same bytes.

    Templates are compiled in memory, never read back from a cache on disk: Jinja2's bytecode
    cache unpickles what it finds, so a planted file there would run as code.
    """
    if not editions:
        raise ValueError("render_site needs at least one edition")
    env = _environment()
    source = editions[0]
    site: dict[str, bytes] = {}
    for name in ASSETS:
        site[f"assets/{name}"] = (_HERE / "static" / name).read_bytes()
    texts = {e.language.tag: _Texts(translations.get(e.language.tag)) for e in editions}
    site["index.html"] = _render(
        env,
        "index.html",
        lang=source.language.tag,
        dir=_direction(source.language.locale_id),
        t=texts[source.language.tag],
        source=source,
        choices=[_choice(e) for e in editions],
        also=_also(editions, texts, S.PLAYER_CHOOSE_LANGUAGE),
        alternates=_alternates(editions, ""),
        cover=_href(cover, "") if cover else None,
    )
    for edition in editions:
        site[edition.page] = _render(
            env,
            "guide.html",
            **_guide_context(edition, source, editions, texts[edition.language.tag], sizes),
            cover=_href(cover, edition.folder) if cover else None,
        )
    return dict(sorted(site.items()))


# --- the language page ---------------------------------------------------------------------


@dataclass(frozen=True)
class _CueView:
    start: str  # seconds, "12.345"
    end: str
    text: str
    lang: str | None  # set when the cue is spoken in another language than the page
    block: str  # "announcement", "p1", ...


@dataclass(frozen=True)
class _TrackView:
    number: int
    title: str
    title_lang: str | None
    duration: str  # in words, in the page's language
    duration_iso: str  # ISO 8601, for <time datetime>
    seconds: int  # whole seconds, rounded as the words are: the slider and readout say the same
    mp3: str
    mp3_text: str  # "Audio (MP3), 1.2 MB"
    vtt: str
    vtt_text: str
    txt: str
    txt_text: str  # "Transcript, TXT, 2 kB"
    chapters: str  # where each paragraph starts, seconds separated by spaces
    cues: tuple[_CueView, ...]
    fallbacks: bool  # some of it is read in the source language


@dataclass(frozen=True)
class _Link:
    href: str
    text: str
    hint: str
    type: str
    download: bool


def _guide_context(
    edition: Edition,
    source: Edition,
    editions: Sequence[Edition],
    t: _Texts,
    sizes: Mapping[str, int],
) -> dict:
    language = edition.language
    locale = Locale.parse(language.locale_id)
    translated = language != source.language

    def other(tag: str) -> str | None:
        """``tag`` when it is not the page's language (an untranslated text's)."""
        return tag if tag != language.tag else None

    def link(name: str, format: str, path: str) -> str:
        return t(S.PLAYER_DOWNLOAD, name=name, format=format, size=_size(sizes[path], locale))

    tracks = []
    for track in edition.tracks:
        title_lang = track.title_lang if track.title_lang != language.tag else None
        mp3, vtt = edition.track_file(track, ".mp3"), edition.track_file(track, ".vtt")
        txt = edition.track_file(track, ".txt")
        tracks.append(
            _TrackView(
                number=track.number,
                title=track.title,
                title_lang=title_lang,
                duration=_duration(track.duration_ms, locale),
                duration_iso=iso_duration(track.duration_ms),
                seconds=whole_seconds(track.duration_ms),
                mp3=_href(mp3, edition.folder),
                mp3_text=link(t(S.PLAYER_AUDIO), "MP3", mp3),
                vtt=_href(vtt, edition.folder),
                vtt_text=link(t(S.PLAYER_CAPTIONS), "WebVTT", vtt),
                txt=_href(txt, edition.folder),
                txt_text=link(t(S.PLAYER_TRANSCRIPT), "TXT", txt),
                chapters=" ".join(decimal(chapter.start_ms) for chapter in track.chapters),
                cues=tuple(
                    _cue(sentence, block.id, language.tag)
                    for block in track.blocks
                    for sentence in block.sentences
                ),
                fallbacks=translated and bool(track.fallbacks),
            )
        )
    # Said only where something is really read in the source language (completeness also
    # counts strings that are never spoken).
    fallback_note = None
    if translated and any(tr.fallbacks or tr.title_lang for tr in tracks):
        fallback_note = t(S.PLAYER_FALLBACK_NOTE, language=_language_name(source, locale))
    downloads = [
        _Link(
            _href(path, edition.folder),
            link(t(row.name), row.format, path),
            t(row.hint),
            row.type,
            row.download,
        )
        for row in DOWNLOADS
        if (path := row.path(edition)) is not None
    ]
    rates = [(rate, t(S.PLAYER_RATE, rate=format_decimal(rate, locale=locale))) for rate in RATES]
    steps = [(step, _unit(step, "duration-second", locale)) for step in STEPS]
    return {
        "lang": language.tag,
        "dir": _direction(language.locale_id),
        "t": t,
        "edition": edition,
        "language_name": language.name,
        "title_lang": other(edition.title_lang),
        "description_lang": other(edition.description_lang),
        "author_lang": other(source.language.tag),  # a name, never translated
        "fallback_note": fallback_note,
        "untranslated": t(S.UNTRANSLATED, language=_language_name(source, locale)),
        "tracks": tracks,
        "downloads": downloads,
        "rates": rates,
        "steps": steps,
        "messages": [(name, t.template(msgid), t.lang(msgid)) for name, msgid in MESSAGES],
        "shortcuts": SHORTCUTS,
        "modifiers": [(value, t(msgid)) for value, msgid in MODIFIERS],
        "languages": [(e.language, _href(e.page, edition.folder), e is edition) for e in editions],
        "home": _href("index.html", edition.folder),
        "alternates": _alternates(editions, edition.folder),
    }


def _cue(sentence: Sentence, block: str, page_lang: str) -> _CueView:
    lang = sentence.lang if sentence.lang != page_lang else None
    start, end = decimal(sentence.start_ms), decimal(sentence.end_ms)
    return _CueView(start, end, sentence.text, lang, block)


# --- the language chooser ------------------------------------------------------------------


@dataclass(frozen=True)
class _Choice:
    tag: str
    dir: str
    name: str
    title: str
    title_lang: str | None
    href: str


def _choice(edition: Edition) -> _Choice:
    untranslated = edition.title_lang != edition.language.tag
    return _Choice(
        tag=edition.language.tag,
        dir=_direction(edition.language.locale_id),
        name=edition.language.name,
        title=edition.title,
        title_lang=edition.title_lang if untranslated else None,
        href=_href(edition.page, ""),
    )


def _also(editions: Sequence[Edition], texts: dict[str, _Texts], msgid: str) -> list:
    """``msgid`` in each other language that translates it: ``[(tag, text)]``."""
    source = texts[editions[0].language.tag](msgid)
    pairs = [(e.language.tag, texts[e.language.tag](msgid)) for e in editions[1:]]
    return [(tag, text) for tag, text in pairs if text != source]


def _alternates(editions: Sequence[Edition], folder: str) -> list[tuple[str, str]]:
    links = [(e.language.tag, _href(e.page, folder)) for e in editions]
    return [*links, ("x-default", _href("index.html", folder))]


# --- texts ---------------------------------------------------------------------------------


class _Texts:
    """``t(msgid, **values)`` in the page's language (English where it has no usable one)."""

    def __init__(self, translation: Translation | None):
        self._translation = translation

    def __call__(self, msgid: str, **values: object) -> str:
        if self._translation is None:
            return fill(msgid, **values)
        return self._translation.tool(msgid, **values)

    def template(self, msgid: str) -> str:
        """The text with its placeholders left in, for the script to fill."""
        return self(msgid, **{name: "{" + name + "}" for name in placeholders(msgid)})

    def lang(self, msgid: str) -> str | None:
        """ "en" when the page shows this string in English for want of a translation."""
        if self._translation is None or not self._translation.tool_template(msgid).fallback:
            return None
        return "en"


def _direction(locale_id: str) -> str:
    return "rtl" if Locale.parse(locale_id).character_order == "right-to-left" else "ltr"


def _language_name(edition: Edition, locale: Locale) -> str:
    code = edition.language.locale_id
    try:
        return locale.languages.get(code) or Locale.parse(code).get_display_name(locale) or code
    except (ValueError, TypeError):
        return edition.language.english_name


# --- formatting ----------------------------------------------------------------------------

_UNITS = (("duration-hour", 3600), ("duration-minute", 60), ("duration-second", 1))


def _duration(ms: int, locale: Locale) -> str:
    """ "3 minutes, 5 seconds", "3분 5초", "3分钟5秒钟": whole seconds, in words."""
    left = whole_seconds(ms)
    parts: list[str] = []
    for unit, size in _UNITS:
        value, left = divmod(left, size)
        if value or (size == 1 and not parts):
            parts.append(_unit(value, unit, locale))
    return format_list(parts, style="unit", locale=locale)


def _unit(value: int, unit: str, locale: Locale) -> str:
    # Babel does not inherit CLDR's long unit forms from the short ones (ko, zh have only
    # "per" patterns under long), and then prints the unit's id: use the short form there.
    text = format_unit(value, unit, length="long", locale=locale)
    if unit in text:
        text = format_unit(value, unit, length="short", locale=locale)
    return text


_SIZES = (
    ("gigabyte", 10**9, "#,##0.#"),
    ("megabyte", 10**6, "#,##0.#"),
    ("kilobyte", 1000, "#,##0"),
)


def _size(size: int, locale: Locale) -> str:
    """A file size the way the language writes it: "830 kB", "2.5 MB" (decimal units)."""
    unit, scale, digits = next((row for row in _SIZES if size >= row[1]), _SIZES[-1])
    value = max(size / scale, 1) if size else 0  # a file with anything in it is never "0 kB"
    return format_unit(value, f"digital-{unit}", length="short", format=digits, locale=locale)


def _href(path: str, folder: str) -> str:
    """``path`` (relative to the output folder) as a link from a page in ``folder``."""
    return quote(posixpath.relpath(path, folder or "."), safe="/")


# --- templates -----------------------------------------------------------------------------


def prepare() -> None:
    """Compile the site's templates now (the build does it while its workers render, rather
    than after the last track)."""
    env = _environment()
    for name in ("index.html", "guide.html"):
        env.get_template(name)


@cache
def _environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(_HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["csp"] = CSP
    return env


def _render(env: Environment, name: str, **context: object) -> bytes:
    return env.get_template(name).render(**context).encode("utf-8")
