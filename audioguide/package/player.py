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
  its captions, text and downloads. The script replaces it with the player, the
  transcript and the track list, which are hidden until then;
- served over HTTPS (or from ``audioguide serve``), a page can save its language for listening
  offline: ``sw.js`` (copied to the top of the site) answers from the saved copy, and each
  language's ``app.webmanifest`` lets the guide be installed at that language's page.

Every text of the page comes from the gettext catalogs (:mod:`audioguide.strings`), and every text
from scripts and catalogs goes through Jinja2's autoescape.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from babel import Locale
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit

from .. import published
from .. import strings as S
from ..catalogs import Translation, fill, placeholders
from ..edition import ANNOUNCEMENT, Edition, Sentence
from .books import joiner
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

# Shortcuts: (action, the key it shows, its KeyboardEvent.code: the physical key, so they work
# whatever the layout or input method). They need Alt+Shift unless the listener chooses single
# keys (screen readers' browse-mode keys). Alt+Shift with these keys is taken by no major system
# or screen reader; the README's table says what each avoids: ChromeOS keeps Alt+Shift with
# L, M, N, P, S, I and A; Chrome keeps B, T and I; Control+Alt is VoiceOver's, AltGr on many
# Windows layouts and NVDA's (so it is not offered).
SHORTCUTS = (
    ("play", "K", "KeyK"),
    ("back", ",", "Comma"),
    ("forward", ".", "Period"),
    ("previous-paragraph", "U", "KeyU"),
    ("next-paragraph", "O", "KeyO"),
    ("previous", "Y", "KeyY"),
    ("next", "H", "KeyH"),
    ("mute", "V", "KeyV"),
    ("slower", "-", "Minus"),
    ("faster", "=", "Equal"),
    ("where", "W", "KeyW"),
)
MODIFIERS = (
    ("alt-shift", S.PLAYER_KEYS_ALT_SHIFT),
    ("none", S.PLAYER_KEYS_SINGLE),
)


# What player.js shows and says as things happen: name -> msgid. Each is written into the page
# in the language it is in (English where untranslated), with its placeholders left to fill.
MESSAGES = (
    ("play", S.PLAYER_PLAY),
    ("pause", S.PLAYER_PAUSE),
    ("paused", S.PLAYER_PAUSED),
    ("now", S.PLAYER_NOW_PLAYING),
    ("ready", S.PLAYER_READY),
    ("position", S.PLAYER_POSITION_VALUE),
    ("back", S.PLAYER_BACK),
    ("forward", S.PLAYER_FORWARD),
    ("paragraph", S.PLAYER_PARAGRAPH),
    ("place", S.PLAYER_PLACE),
    ("last", S.PLAYER_LAST_TRACK),
    ("end", S.PLAYER_END),
    ("matches", S.PLAYER_MATCHES),
    ("resume", S.PLAYER_RESUME),
    ("offline-space", S.OFFLINE_SPACE),
    ("offline-saving", S.OFFLINE_SAVING),
    ("offline-cancelled", S.OFFLINE_CANCELLED),
    ("offline-ready", S.OFFLINE_READY),
    ("offline-removed", S.OFFLINE_REMOVED),
    ("offline-no-space", S.OFFLINE_NO_SPACE),
    ("offline-refused", S.OFFLINE_REFUSED),
    ("offline-failed", S.OFFLINE_FAILED),
    ("offline-needs", S.OFFLINE_NEEDS_NETWORK),
)


WORKER = published.kind("service_worker").path()
# What the web app manifests ask browsers to paint around the guide (the light theme's).
APP_COLOURS = {"background_color": "#f6f4ef", "theme_color": "#1a5ba6"}


def site_files(tags: Sequence[str] = ()) -> list[str]:
    """The files of the site that belong to no language: the chooser, the service worker, the
    assets, and each language's web app manifest (of the languages ``tags``)."""
    manifests = [_app_manifest(tag) for tag in tags]
    return ["index.html", WORKER, *manifests, *(f"assets/{name}" for name in ASSETS)]


def _app_manifest(tag: str) -> str:
    return published.kind("web_manifest").format(tag=tag)


def render_site(
    editions: Sequence[Edition],
    translations: dict[str, Translation],
    sizes: Mapping[str, int],
    cover: str | None = None,
    hashes: Mapping[str, str] | None = None,
) -> dict[str, bytes]:
    """The whole site as ``{relative path: bytes}``; ``editions[0]`` is the source language.

    ``translations`` is keyed by BCP 47 tag; a missing one gives the English strings. ``sizes``
    gives the size in bytes of every file the pages offer for download, by output-relative
    path; a missing one raises ``KeyError``. ``cover`` is the cover image's output-relative
    path, shown beside the title. ``hashes`` gives the SHA-256 of the files a listener saves
    for offline listening (tracks, captions, transcripts, the cover), by path: a saved copy
    fetches again only the files whose hash changed (without it, every file is fetched
    again). The same input always gives the same bytes.

    Templates are compiled in memory, never read back from a cache on disk: Jinja2's bytecode
    cache unpickles what it finds, so a planted file there would run as code.
    """
    if not editions:
        raise ValueError("render_site needs at least one edition")
    env = templates()
    source = editions[0]
    site: dict[str, bytes] = {}
    for name in ASSETS:
        site[f"assets/{name}"] = (_HERE / "static" / name).read_bytes()
    site[WORKER] = (_HERE / "static" / WORKER).read_bytes()
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
        app=_href(_app_manifest(source.language.tag), ""),
    )
    assets = {path: len(site[path]) for path in site if path.startswith("assets/")}
    for edition in editions:
        site[_app_manifest(edition.language.tag)] = _web_app(edition, cover)
        saved = _offline_files(edition, cover, {**sizes, **assets}, hashes or {})
        locale = Locale.parse(edition.language.locale_id)
        site[edition.page] = _render(
            env,
            "guide.html",
            **_guide_context(edition, source, editions, texts[edition.language.tag], sizes),
            cover=_href(cover, edition.folder) if cover else None,
            app="app.webmanifest",
            worker=_href(WORKER, edition.folder),
            offline_files=saved,
            offline_size=_size(sum(size for _, size, _ in saved), locale),
        )
    return dict(sorted(site.items()))


def _web_app(edition: Edition, cover: str | None) -> bytes:
    """The language's web app manifest: the guide installed opens at this language's page."""
    app: dict[str, object] = {
        "name": edition.title,
        "short_name": edition.title,
        "lang": edition.language.tag,
        "dir": _direction(edition.language.locale_id),
        "id": "./index.html",
        "start_url": "./index.html",
        "scope": "../",
        "display": "standalone",
        **APP_COLOURS,
    }
    if edition.description:
        app["description"] = edition.description
    if cover:
        kind = "image/png" if cover.endswith(".png") else "image/jpeg"
        app["icons"] = [{"src": _href(cover, edition.folder), "type": kind, "sizes": "any"}]
    return (json.dumps(app, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _offline_files(
    edition: Edition, cover: str | None, sizes: Mapping[str, int], hashes: Mapping[str, str]
) -> list[tuple[str, int, str]]:
    """What "Save for offline listening" keeps, as ``(link from the page, bytes, SHA-256)``:
    the page and its assets (fetched again on every visit online), the cover, and each track's
    audio, captions and transcript."""
    paths = [f"assets/{name}" for name in ASSETS] + ([cover] if cover else [])
    for track in edition.tracks:
        paths += [edition.track_file(track, end) for end in (".mp3", ".vtt", ".txt")]
    found = [("index.html", 0, "")]
    found += [(_href(p, edition.folder), sizes.get(p, 0), hashes.get(p, "")) for p in paths]
    return found


# --- the language page ---------------------------------------------------------------------


@dataclass(frozen=True)
class _CueView:
    start: str  # seconds, "12.345"
    end: str
    text: str
    lang: str | None  # set when the cue is spoken in another language than the page
    block: str  # "announcement", "p1", ...


@dataclass(frozen=True)
class _Link:
    id: str  # the kind of file's name (audioguide.published)
    href: str
    text: str
    hint: str
    type: str
    download: bool


@dataclass(frozen=True)
class _TrackView:
    number: int
    title: str
    title_lang: str | None
    duration: str  # in words, in the page's language
    duration_iso: str  # ISO 8601, for <time datetime>
    seconds: int  # whole seconds, rounded as the words are: the slider and readout say the same
    mp3: str
    vtt: str
    files: tuple[_Link, ...]  # its files to download: "Audio (MP3), 1.2 MB", captions, text
    chapters: str  # where each paragraph starts, seconds separated by spaces
    cues: tuple[_CueView, ...]
    # The text as paragraphs of sentences, for the page without its script: each sentence
    # with what goes before the next one (a space, or nothing after "。").
    paragraphs: tuple[tuple[tuple[_CueView, str], ...], ...]
    fallbacks: bool  # some of it is read in the source language


def _guide_context(
    edition: Edition,
    source: Edition,
    editions: Sequence[Edition],
    t: _Texts,
    sizes: Mapping[str, int],
) -> dict[str, Any]:
    """The page's template variables (of many kinds: texts, views, the edition itself)."""
    language = edition.language
    locale = Locale.parse(language.locale_id)
    translated = language != source.language

    def other(tag: str) -> str | None:
        """``tag`` when it is not the page's language (an untranslated text's)."""
        return tag if tag != language.tag else None

    def link(kind: published.Kind, offer: published.Offer, path: str) -> _Link:
        size = _size(sizes[path], locale)
        text = t(S.PLAYER_DOWNLOAD, name=t(offer.name), format=offer.format, size=size)
        hint = t(offer.hint) if offer.hint else ""
        return _Link(kind.name, _href(path, edition.folder), text, hint, kind.type, offer.download)

    offered = [(kind, kind.offer) for kind in published.KINDS if kind.offer]

    tracks = []
    for track in edition.tracks:
        title_lang = track.title_lang if track.title_lang != language.tag else None
        mp3, vtt = edition.path("mp3", track), edition.path("captions", track)
        tracks.append(
            _TrackView(
                number=track.number,
                title=track.title,
                title_lang=title_lang,
                duration=_duration(track.duration_ms, locale),
                duration_iso=iso_duration(track.duration_ms),
                seconds=whole_seconds(track.duration_ms),
                mp3=_href(mp3, edition.folder),
                vtt=_href(vtt, edition.folder),
                files=tuple(
                    link(kind, offer, kind.path(edition, track))
                    for kind, offer in offered
                    if kind.per == "track"
                ),
                chapters=" ".join(decimal(chapter.start_ms) for chapter in track.chapters),
                cues=tuple(
                    _cue(sentence, block.id, language.tag)
                    for block in track.blocks
                    for sentence in block.sentences
                ),
                paragraphs=tuple(
                    tuple(
                        (
                            _cue(s, block.id, language.tag),
                            joiner(s.text) if n < len(block.sentences) else "",
                        )
                        for n, s in enumerate(block.sentences, 1)
                    )
                    for block in track.blocks
                    if block.sentences and block.id != ANNOUNCEMENT
                ),
                fallbacks=translated and bool(track.fallbacks),
            )
        )
    # Said only where something is really read in the source language (completeness also
    # counts strings that are never spoken).
    fallback_note = None
    if translated and any(tr.fallbacks or tr.title_lang for tr in tracks):
        fallback_note = t(S.PLAYER_FALLBACK_NOTE, language=_language_name(source, locale))
    downloads = [link(kind, kind.offer, path) for kind, track, path in published.of_edition(edition)
                 if kind.offer and track is None]  # fmt: skip
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
        "back_label": _keep_number(t(S.PLAYER_BACK, seconds=10)),
        "forward_label": _keep_number(t(S.PLAYER_FORWARD, seconds=10)),
        "transcript_hint": _sentences(t(S.PLAYER_TRANSCRIPT_HELP), t(S.PLAYER_TRANSCRIPT_KEYS)),
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


def _also(
    editions: Sequence[Edition], texts: dict[str, _Texts], msgid: str
) -> list[tuple[str, str]]:
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


def _sentences(*texts: str) -> str:
    """Sentences one after the other, as the language writes them: no space after "。"."""
    found = texts[0]
    for text in texts[1:]:
        found += joiner(found) + text
    return found


def _keep_number(label: str) -> str:
    """A button's label with a number kept on one line with the word after it ("10 秒",
    "10 seconds"): a narrow button wraps between words, never inside "10 / 秒"."""
    return re.sub(r"(\d) ", "\\1\u00a0", label)


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
    env = templates()
    for name in ("index.html", "guide.html"):
        env.get_template(name)


@cache
def templates() -> Environment:
    """The site's templates (autoescaped, strict, compiled once per process in memory): the
    player's pages, and those of the commands that show a guide, such as ``audioguide proof``."""
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
