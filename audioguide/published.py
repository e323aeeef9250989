"""What a build publishes: every kind of file, declared once.

Each :class:`Kind` is one row: where its files go (a path pattern, per track, per edition or
per guide), the media type it is served with, whether the language's zip holds it, and where the
manifest lists it. Everything that needs to know an edition's files reads this table: the
edition's paths (:meth:`audioguide.edition.Edition.path`), the ledger (:mod:`audioguide.output`),
the zip, the manifest, ``serve``, the feed and the player's links. The files
are made by the stage the row names: the tracks' MP3s by :mod:`audioguide.tracks`, the
whole-guide joins by :mod:`audioguide.whole_guide`, the pages by
:mod:`audioguide.package.player`, and every other kind by the renderer registered under its
name with :func:`renders` (:mod:`audioguide.package.listener` calls them).

Adding a kind of file is a row here, its renderer, and its test.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from . import strings as S
from .errors import InternalError

if TYPE_CHECKING:
    from .edition import Edition, Track


@dataclass(frozen=True)
class Offer:
    """How the player's page offers a kind of file to listeners: what it is (a msgid of
    :mod:`audioguide.strings`), its format as listeners know it ("MP3", "SRT"), what it is for
    (a msgid; the edition's files have one), and whether the link downloads it (a feed opens)."""

    name: str
    format: str
    hint: str | None = None
    download: bool = True


@dataclass(frozen=True)
class Kind:
    """One kind of published file."""

    name: str
    per: Literal["track", "edition", "guide"]
    # Output-relative, with {tag} (the language's BCP 47 tag), {stem} (the track's file stem)
    # and {guide} (the guide's id).
    pattern: str
    media_type: str
    zipped: bool = False  # in the language's zip, in table order (a track's files together)
    # Where the manifest lists it: a key of its track's or its language's entry; "" is the
    # entry itself (a track is its MP3), "parent.key" nests it in another row's entry.
    manifest: str | None = None
    made_by: Literal["tracks", "joins", "package", "site"] = "package"
    only_if: str = ""  # an Edition attribute that must be true for the edition to have it
    timed: bool = False  # the manifest gives its duration
    offer: Offer | None = None  # a link on the player's page: the track's files, or Downloads

    @property
    def type(self) -> str:
        """The media type without its parameters, for a link's ``type``."""
        return self.media_type.split(";")[0]

    def path(self, edition: Edition | None = None, track: Track | None = None) -> str:
        """The output-relative path of ``edition``'s file of this kind (``track``'s)."""
        if self.per == "track" and track is None:
            raise InternalError(f"the {self.name} file is per track: name the track")
        return self.format(
            tag=edition.language.tag if edition else "",
            stem=track.stem if track else "",
            guide=edition.guide_id if edition else "",
        )

    def format(self, tag: str = "", stem: str = "", guide: str = "") -> str:
        """The path for these values of the pattern's fields (before there is an edition)."""
        return self.pattern.format(tag=tag, stem=stem, guide=guide)


_UTF8 = "; charset=utf-8"
# fmt: off
KINDS: tuple[Kind, ...] = (
    # Per track: the MP3 (the track's own entry in the manifest) and what goes with it.
    Kind("mp3", "track", "{tag}/{stem}.mp3", "audio/mpeg",
         zipped=True, manifest="", made_by="tracks", timed=True,
         offer=Offer(S.PLAYER_AUDIO, "MP3")),
    Kind("captions", "track", "{tag}/{stem}.vtt", "text/vtt" + _UTF8,
         zipped=True, manifest="captions", offer=Offer(S.PLAYER_CAPTIONS, "WebVTT")),
    Kind("srt", "track", "{tag}/{stem}.srt", "application/x-subrip",
         zipped=True, manifest="srt", offer=Offer(S.PLAYER_CAPTIONS, "SRT")),
    Kind("chapters", "track", "{tag}/{stem}.chapters.json", "application/json",
         zipped=True, manifest="chapters"),
    Kind("track_transcript", "track", "{tag}/{stem}.txt", "text/plain" + _UTF8,
         manifest="transcript", offer=Offer(S.PLAYER_TRANSCRIPT, "TXT")),
    # Per edition.
    Kind("page", "edition", "{tag}/index.html", "text/html" + _UTF8,
         manifest="page", made_by="site"),
    Kind("full_guide", "edition", "{tag}/00-full-guide.mp3", "audio/mpeg",
         zipped=True, manifest="full_guide", made_by="joins", timed=True,
         offer=Offer(S.FULL_GUIDE, "MP3", S.PLAYER_FULL_GUIDE_HINT)),
    Kind("full_guide_captions", "edition", "{tag}/00-full-guide.vtt", "text/vtt" + _UTF8,
         zipped=True, manifest="full_guide.captions",
         offer=Offer(S.PLAYER_FULL_GUIDE_CAPTIONS, "WebVTT", S.PLAYER_FULL_GUIDE_CAPTIONS_HINT)),
    Kind("full_guide_srt", "edition", "{tag}/00-full-guide.srt", "application/x-subrip",
         zipped=True, manifest="full_guide.srt",
         offer=Offer(S.PLAYER_FULL_GUIDE_CAPTIONS, "SRT", S.PLAYER_FULL_GUIDE_CAPTIONS_HINT)),
    Kind("full_guide_chapters", "edition", "{tag}/00-full-guide.chapters.json",
         "application/json", zipped=True, manifest="full_guide.chapters"),
    Kind("audiobook", "edition", "{tag}/{guide}-{tag}.m4b", "audio/mp4",
         zipped=True, manifest="audiobook", made_by="joins", only_if="has_audiobook",
         timed=True, offer=Offer(S.PLAYER_AUDIOBOOK, "M4B", S.PLAYER_AUDIOBOOK_HINT)),
    Kind("playlist", "edition", "{tag}/playlist.m3u8", "audio/x-mpegurl",
         zipped=True, manifest="playlist",
         offer=Offer(S.PLAYER_PLAYLIST, "M3U", S.PLAYER_PLAYLIST_HINT)),
    Kind("transcript", "edition", "{tag}/transcript.txt", "text/plain" + _UTF8,
         zipped=True, manifest="transcript",
         offer=Offer(S.PLAYER_TRANSCRIPT, "TXT", S.PLAYER_TRANSCRIPT_HINT)),
    Kind("feed", "edition", "{tag}/feed.xml", "application/rss+xml" + _UTF8, manifest="feed",
         offer=Offer(S.PLAYER_FEED, "RSS", S.PLAYER_FEED_HINT, download=False)),
    Kind("zip", "edition", "{guide}-{tag}.zip", "application/zip", manifest="zip",
         offer=Offer(S.PLAYER_ZIP, "ZIP", S.PLAYER_ZIP_HINT)),
    Kind("epub", "edition", "{tag}/{guide}-{tag}.epub", "application/epub+zip", manifest="epub",
         offer=Offer(S.PLAYER_TALKING_BOOK, "EPUB 3", S.PLAYER_EPUB_HINT)),
    Kind("daisy_zip", "edition", "{guide}-{tag}-daisy.zip", "application/zip", manifest="daisy",
         offer=Offer(S.PLAYER_TALKING_BOOK, "DAISY 2.02", S.PLAYER_DAISY_HINT)),
    # The guide's title spoken on its own, which the DAISY book plays first.
    Kind("title_mp3", "edition", "{tag}/daisy/00-title.mp3", "audio/mpeg",
         manifest="daisy.title", made_by="tracks"),
    # Per guide: the language chooser, the player's assets, the manifest.
    Kind("chooser", "guide", "index.html", "text/html" + _UTF8, made_by="site"),
    Kind("player_script", "guide", "assets/player.js", "text/javascript" + _UTF8, made_by="site"),
    Kind("player_style", "guide", "assets/player.css", "text/css" + _UTF8, made_by="site"),
    Kind("manifest", "guide", "manifest.json", "application/json", made_by="site"),
    # Offline listening: the service worker at the top of the site, so that it serves every
    # page, and a web app manifest per language (the site's files, not the language's).
    Kind("service_worker", "guide", "sw.js", "text/javascript" + _UTF8, made_by="site"),
    Kind("web_manifest", "guide", "{tag}/app.webmanifest", "application/manifest+json",
         made_by="site"),
)
# fmt: on
BY_NAME = {kind.name: kind for kind in KINDS}

# name -> function(inputs, track): the file's content (bytes, a Path to copy, or a Zip), given
# what a language's renderers get (audioguide.package.listener.Inputs) and the track (None for
# a file of the edition). Filled by @renders where each renderer is defined.
RENDERERS: dict[str, Callable[[Any, Any], Any]] = {}


def renders(name: str) -> Callable[[Callable[[Any, Any], Any]], Callable[[Any, Any], Any]]:
    """Register the decorated function as the renderer of the files of kind ``name``."""

    def register(function: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        if BY_NAME[name].made_by != "package" or name in RENDERERS:
            raise InternalError(f"a second renderer for {name}, or one for a file made elsewhere")
        RENDERERS[name] = function
        return function

    return register


def kind(name: str) -> Kind:
    """The row named ``name``."""
    return BY_NAME[name]


def of_edition(edition: Edition) -> Iterator[tuple[Kind, Track | None, str]]:
    """Every file of ``edition``: its kind, its track (None for the edition's own files) and its
    output-relative path; a track's files together, in track order, then the edition's."""
    for track in edition.tracks:
        for row in KINDS:
            if row.per == "track":
                yield row, track, row.path(edition, track)
    for row in KINDS:
        if row.per == "edition" and (not row.only_if or getattr(edition, row.only_if)):
            yield row, None, row.path(edition)


def files(edition: Edition) -> list[str]:
    """Every output-relative path a build writes for ``edition``."""
    return [path for _, _, path in of_edition(edition)]


def outside_folder(guide_id: str, tag: str) -> list[str]:
    """The files of language ``tag`` that are not in its folder (the zips beside it)."""
    return [
        row.format(tag=tag, guide=guide_id)
        for row in KINDS
        if row.per == "edition" and not row.pattern.startswith("{tag}/")
    ]


def track_kind(suffix: str) -> Kind:
    """The per-track kind whose files end in ``suffix`` (``".vtt"``)."""
    for row in KINDS:
        if row.per == "track" and row.pattern == "{tag}/{stem}" + suffix:
            return row
    raise InternalError(f"no kind of track file ends in {suffix!r}")


def media_type(name: str) -> str | None:
    """The media type of a published file named ``name``, or None for a name no kind of file
    has. A pattern with fields matches by its fixed ending (the longest wins: ``.chapters.json``
    over ``.json``), one without by the whole name."""
    best: tuple[int, str] | None = None
    for row in KINDS:
        base = posixpath.basename(row.pattern)
        ending = base.rpartition("}")[2]
        if (name.endswith(ending) if "}" in base else name == base) and (
            best is None or len(ending) > best[0]
        ):
            best = (len(ending), row.media_type)
    return best[1] if best else None
