"""Everything a language's listeners get besides the audio itself, as data: each track's captions,
chapters and transcript; the playlist, the whole transcript and the podcast feed; the zip of it
all; and the talking books (the EPUB, and the DAISY book as a zip).

Pure: the edition and the paths of its audio in, ``{output-relative path: content}`` out, where
a content is the file's bytes, the :class:`~pathlib.Path` of an audio file to copy as it is, or
a :class:`~audioguide.package.archive.Zip` of such contents. The audio is never read here: the
build writes these (:meth:`audioguide.output.Output.publish`), streaming what is on disk.
"""

from __future__ import annotations

import datetime
import posixpath
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..catalogs import Translation
from ..edition import Chapter, Edition
from ..script import Guide
from ..strings import BOOK_UNKNOWN_PUBLISHER, FULL_GUIDE
from . import archive, captions, daisy, epub, feed, playlist, transcript
from .archive import Content, Zip
from .cover import Cover


def language_files(
    edition: Edition,
    translation: Translation,
    guide: Guide,
    *,
    base_url: str,
    cover: Cover,
    audio: Mapping[str, Path],
    sizes: Mapping[str, int],
    places: Sequence[Chapter],
    recorded: datetime.date | None = None,
) -> dict[str, Content]:
    """The edition's files but its audio, by output-relative path. ``audio`` gives the file of
    each track's MP3, the full-guide MP3, the audiobook and the spoken title (by output-relative
    path), ``sizes`` their sizes in bytes (for the feed's enclosures), ``places`` where the
    full-guide MP3 holds each track; ``guide`` gives the source language and what guide.yaml
    says of the guide's publication (date, publisher, owner, category, who evaluated it);
    ``recorded`` is the build's recorded date, the DAISY book's date without ``published:``."""
    files: dict[str, Content] = {}
    lang = edition.language.tag
    for track in edition.tracks:
        files[edition.track_file(track, ".vtt")] = captions.render_vtt(track, lang)
        files[edition.track_file(track, ".chapters.json")] = captions.render_chapters(track)
        files[edition.track_file(track, ".txt")] = transcript.render_track_transcript(
            edition, track, translation, guide.source_language
        )
    files[edition.full_guide_captions] = captions.render_full_vtt(edition, places)
    title = f"{edition.title}: {translation.tool(FULL_GUIDE)}"
    files[edition.full_guide_chapters] = captions.render_full_chapters(edition, title, places)
    files[edition.playlist] = playlist.render_playlist(edition)
    files[edition.transcript] = transcript.render_transcript(
        edition, translation, guide.source_language
    )
    files[edition.feed] = feed.render_feed(
        edition, base_url, dict(sizes), category=guide.category, cover=cover.path,
        published=guide.published, email=guide.email,
    )  # fmt: skip
    listened = {path: content for path, content in files.items() if isinstance(content, bytes)}
    files[edition.zip] = Zip(archive.zip_entries(edition, {**audio, **listened}, translation))

    # The talking books play the tracks' own MP3s.
    book = daisy.render_daisy(edition, audio, published=guide.published or recorded,
                              publisher=guide.publisher,
                              unknown=translation.tool(BOOK_UNKNOWN_PUBLISHER))  # fmt: skip
    name = posixpath.splitext(edition.daisy_zip)[0]
    files[edition.daisy_zip] = Zip({f"{name}/{file}": data for file, data in book.items()})
    entries = epub.epub_entries(edition, audio, translation, published=guide.published,
                                cover=cover, accessibility=guide.accessibility)  # fmt: skip
    files[edition.epub] = Zip(entries, first=epub.MIMETYPE)
    return files
