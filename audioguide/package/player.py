"""The web player: ``output/index.html`` (choose a language) and ``output/<tag>/index.html``.

:func:`render_site` turns the built editions into the bytes of a small static site; the build
writes them. The pages work from ``file://`` and from ``audioguide serve`` alike, and ask for
nothing outside the output folder:

- each cue of each track is written into the page itself (as buttons of the transcript), since
  browsers refuse to load captions or fetch JSON on ``file://`` pages;
- the captions are still attached to the ``<audio>`` as ``<track kind="captions">``;
- one small script and one style sheet, shipped in ``package/static``, are copied to
  ``assets/``; a Content-Security-Policy forbids inline script and any other host.

Every text of the page comes from the gettext catalogs (:mod:`audioguide.strings`), and every text
from scripts and catalogs goes through Jinja2's autoescape.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from babel import Locale
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .. import strings as S
from ..catalogs import Translation
from ..edition import Edition, Sentence

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

# Single-key shortcuts: KeyboardEvent.code (the physical key, so they work whatever the input
# method) -> what the key shows.
SHORTCUTS = (
    ("play", ("K", "Space")),
    ("back", ("J",)),
    ("forward", ("L",)),
    ("previous", ("P",)),
    ("next", ("N",)),
    ("slower", (",",)),
    ("faster", (".",)),
)


def render_site(
    editions: Sequence[Edition], translations: dict[str, Translation]
) -> dict[str, bytes]:
    """The whole site as ``{relative path: bytes}``; ``editions[0]`` is the source language.

    ``translations`` is keyed by BCP 47 tag; a missing one gives the English strings. The same
    input always gives the same bytes.
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
        choices=[_choice(e, source) for e in editions],
        also=_also(editions, texts, S.PLAYER_CHOOSE_LANGUAGE),
        alternates=_alternates(editions, ""),
    )
    for edition in editions:
        site[edition.page] = _render(
            env,
            "guide.html",
            **_guide_context(edition, source, editions, texts[edition.language.tag]),
        )
    return dict(sorted(site.items()))


# --- the language page ---------------------------------------------------------------------


@dataclass(frozen=True)
class _CueView:
    start: str  # seconds, "12.345"
    end: str
    text: str
    lang: str | None  # set when the cue is spoken in another language than the page


@dataclass(frozen=True)
class _TrackView:
    number: int
    title: str
    title_lang: str | None
    duration: str  # in words, in the page's language
    duration_iso: str  # ISO 8601, for <time datetime>
    seconds: str
    whole_seconds: int  # rounded up, for the position slider
    mp3: str
    vtt: str
    announce: str
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
    edition: Edition, source: Edition, editions: Sequence[Edition], t: _Texts
) -> dict:
    language = edition.language
    locale = Locale.parse(language.locale_id)
    translated = language != source.language
    source_tag = source.language.tag

    def other(text: str, same_as: str | None) -> str | None:
        """The source language's tag when ``text`` is the untranslated source text."""
        return source_tag if translated and same_as is not None and text == same_as else None

    tracks = []
    total = len(edition.tracks)
    for track in edition.tracks:
        title_lang = track.title_lang if track.title_lang != language.tag else None
        tracks.append(
            _TrackView(
                number=track.number,
                title=track.title,
                title_lang=title_lang,
                duration=_duration(track.duration_ms, locale),
                duration_iso=_iso_duration(track.duration_ms),
                seconds=_seconds(track.duration_ms),
                whole_seconds=-(-track.duration_ms // 1000),
                mp3=_href(edition.track_file(track, ".mp3"), edition.folder),
                vtt=_href(edition.track_file(track, ".vtt"), edition.folder),
                announce=t(
                    S.TRACK_ANNOUNCEMENT, number=track.number, total=total, title=track.title
                ),
                cues=tuple(_cue(sentence, language.tag) for sentence in track.sentences),
                fallbacks=translated and bool(track.fallbacks),
            )
        )
    # Said only where something is really read in the source language (completeness also
    # counts strings that are never spoken).
    fallback_note = None
    if translated and any(tr.fallbacks or tr.title_lang for tr in tracks):
        fallback_note = t(S.PLAYER_FALLBACK_NOTE, language=_language_name(source, locale))
    downloads = [
        _Link(_href(edition.full_guide, edition.folder), t(S.FULL_GUIDE),
              t(S.PLAYER_FULL_GUIDE_HINT), "audio/mpeg", True),
        _Link(_href(edition.audiobook, edition.folder), t(S.PLAYER_AUDIOBOOK),
              t(S.PLAYER_AUDIOBOOK_HINT), "audio/mp4", True),
        _Link(_href(edition.transcript, edition.folder), t(S.PLAYER_TRANSCRIPT),
              t(S.PLAYER_TRANSCRIPT_HINT), "text/plain", True),
        _Link(_href(edition.playlist, edition.folder), t(S.PLAYER_PLAYLIST),
              t(S.PLAYER_PLAYLIST_HINT), "audio/x-mpegurl", True),
        _Link(_href(edition.feed, edition.folder), t(S.PLAYER_FEED),
              t(S.PLAYER_FEED_HINT), "application/rss+xml", False),
        _Link(_href(edition.zip, edition.folder), t(S.PLAYER_ZIP),
              t(S.PLAYER_ZIP_HINT), "application/zip", True),
    ]  # fmt: skip
    rates = [(rate, t(S.PLAYER_RATE, rate=format_decimal(rate, locale=locale))) for rate in RATES]
    return {
        "lang": language.tag,
        "dir": _direction(language.locale_id),
        "t": t,
        "edition": edition,
        "language_name": language.name,
        "title_lang": other(edition.title, source.title),
        "description_lang": other(edition.description or "", source.description),
        "author_lang": other(edition.author or "", source.author),
        "fallback_note": fallback_note,
        "untranslated": t(S.UNTRANSLATED, language=_language_name(source, locale)),
        "tracks": tracks,
        "downloads": downloads,
        "rates": rates,
        "shortcuts": SHORTCUTS,
        "languages": [(e.language, _href(e.page, edition.folder), e is edition) for e in editions],
        "home": _href("index.html", edition.folder),
        "alternates": _alternates(editions, edition.folder),
    }


def _cue(sentence: Sentence, page_lang: str) -> _CueView:
    lang = sentence.lang if sentence.lang != page_lang else None
    return _CueView(_seconds(sentence.start_ms), _seconds(sentence.end_ms), sentence.text, lang)


# --- the language chooser ------------------------------------------------------------------


@dataclass(frozen=True)
class _Choice:
    tag: str
    dir: str
    name: str
    title: str
    title_lang: str | None
    href: str


def _choice(edition: Edition, source: Edition) -> _Choice:
    untranslated = edition is not source and edition.title == source.title
    return _Choice(
        tag=edition.language.tag,
        dir=_direction(edition.language.locale_id),
        name=edition.language.name,
        title=edition.title,
        title_lang=source.language.tag if untranslated else None,
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
            return msgid.format(**values)
        return self._translation.tool(msgid, **values)


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
    left = max(0, round(ms / 1000))
    parts = []
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


def _iso_duration(ms: int) -> str:
    left = max(0, round(ms / 1000))
    hours, left = divmod(left, 3600)
    minutes, seconds = divmod(left, 60)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return text + (f"{seconds}S" if seconds or text == "PT" else "")


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.3f}"


def _href(path: str, folder: str) -> str:
    """``path`` (relative to the output folder) as a link from a page in ``folder``."""
    return quote(posixpath.relpath(path, folder or "."), safe="/")


# --- templates -----------------------------------------------------------------------------


def _environment() -> Environment:
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
