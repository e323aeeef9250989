"""Everything a language's listeners get besides the audio itself, as data: each track's captions,
chapters and transcript; the playlist, the whole transcript and the podcast feed; the zip of it
all; and the talking books (the EPUB, and the DAISY book as a folder and as a zip).

Pure: the edition and the paths of its audio in, ``{output-relative path: content}`` out, where
a content is the file's bytes, the :class:`~pathlib.Path` of an audio file to copy as it is, or
a :class:`~audioguide.package.archive.Zip` of such contents. The audio is never read here: the
build writes these (:meth:`audioguide.output.Output.publish`), streaming what is on disk.
"""

from __future__ import annotations

import datetime
import posixpath
from collections.abc import Mapping
from pathlib import Path

from ..catalogs import Translation
from ..edition import Edition
from ..languages import Language
from . import archive, captions, daisy, epub, feed, playlist, transcript
from .archive import Content, Zip
from .cover import Cover


def language_files(
    edition: Edition,
    translation: Translation,
    *,
    source: Language,
    base_url: str,
    cover: Cover,
    published: datetime.date | None,
    email: str | None,
    audio: Mapping[str, Path],
    sizes: Mapping[str, int],
) -> dict[str, Content]:
    """The edition's files but its audio, by output-relative path. ``audio`` gives the file of
    each track's MP3, the full-guide MP3 and the audiobook (by output-relative path), ``sizes``
    their sizes in bytes (for the feed's enclosures); ``source`` is the guide's source language,
    ``published``, ``email`` and ``cover`` as guide.yaml gives them."""
    files: dict[str, Content] = {}
    for track in edition.tracks:
        files[edition.track_file(track, ".vtt")] = captions.render_vtt(track)
        files[edition.track_file(track, ".chapters.json")] = captions.render_chapters(track)
        files[edition.track_file(track, ".txt")] = transcript.render_track_transcript(
            edition, track, translation, source
        )
    files[edition.playlist] = playlist.render_playlist(edition)
    files[edition.transcript] = transcript.render_transcript(edition, translation, source)
    files[edition.feed] = feed.render_feed(
        edition, base_url, dict(sizes), cover=cover.path, published=published, email=email
    )
    listened = {path: content for path, content in files.items() if isinstance(content, bytes)}
    files[edition.zip] = Zip(archive.zip_entries(edition, {**audio, **listened}, translation))

    # The talking books play the tracks' own MP3s.
    book = daisy.render_daisy(edition, audio, published=published)
    files.update({f"{edition.daisy_folder}/{name}": data for name, data in book.items()})
    name = posixpath.splitext(edition.daisy_zip)[0]
    files[edition.daisy_zip] = Zip({f"{name}/{file}": data for file, data in book.items()})
    entries = epub.epub_entries(edition, audio, translation, published=published, cover=cover)
    files[edition.epub] = Zip(entries, first=epub.MIMETYPE)
    return files
