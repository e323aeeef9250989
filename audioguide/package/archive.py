"""A language's download (``<guide id>-<tag>.zip``), reproducible: the same entries give the same
bytes (with the same zlib).

Entries are sorted by name, dated 1980-01-01 00:00 (the earliest date a zip can hold), marked as
plain Unix files with mode 0644, deflated at a fixed level, except the audio (MP3, M4B), which is
stored as it is (already compressed). Inside the zip every file sits in a folder named after it
(``test-guide-ko/01-welcome.mp3``), so unzipping never spills files, and the playlist, which
names its tracks by bare file name, works from there.
"""

from __future__ import annotations

import io
import posixpath
import re
import shutil
import stat
import zipfile
from collections.abc import Mapping
from pathlib import Path

from ..catalogs import Translation
from ..edition import Edition
from ..errors import BuildError
from ..strings import ZIP_README, ZIP_README_AUDIOBOOK
from .captions import one_line

DATE_TIME = (1980, 1, 1, 0, 0, 0)
MODE = 0o644
COMPRESS_LEVEL = 9
STORED_SUFFIXES = (".mp3", ".m4b")
README = "README.txt"
_UNIX = 3  # ZipInfo.create_system: the mode in external_attr is a Unix one
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def render_zip(entries: Mapping[str, bytes | Path], *, first: str | None = None) -> bytes:
    """A zip of ``{relative name: content}``, byte for byte the same for the same entries.

    ``first`` names an entry written first and stored (an EPUB's ``mimetype``). A content may be
    a file's path: audio (stored) is copied in a piece at a time.

    Names are plain relative POSIX paths (``folder/file.ext``); an absolute name, a backslash, an
    empty, ``.`` or ``..`` segment raises :class:`~audioguide.errors.BuildError`.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries, key=lambda name: (name != first, name)):
            check_name(name)
            info = zipfile.ZipInfo(name, date_time=DATE_TIME)
            info.create_system = _UNIX
            info.external_attr = (stat.S_IFREG | MODE) << 16
            stored = name == first or name.lower().endswith(STORED_SUFFIXES)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            content = entries[name]
            if stored and isinstance(content, Path):  # as writestr does, without the copy
                info.file_size = content.stat().st_size
                with open(content, "rb") as source, archive.open(info, "w") as target:
                    shutil.copyfileobj(source, target)
            else:
                data = content.read_bytes() if isinstance(content, Path) else content
                archive.writestr(info, data, compresslevel=None if stored else COMPRESS_LEVEL)
    return buffer.getvalue()


def check_name(name: str) -> None:
    """Raise :class:`BuildError` unless ``name`` is a plain relative path of safe segments."""
    segments = name.split("/")
    if not all(_SEGMENT.fullmatch(segment) for segment in segments):
        raise BuildError(
            f"zip entry name {name!r} is not a plain relative path (letters, digits, '.', '_' "
            "and '-' in segments joined by '/'). Probable cause: a bug in the build; please "
            "report it"
        )


def zip_entries(
    edition: Edition, files: dict[str, bytes | Path], translation: Translation
) -> dict[str, bytes | Path]:
    """The entries of the edition's zip, taken from ``files`` (keyed by output-relative path).

    Each track's MP3, captions and chapters, the full-guide MP3, the audiobook, the playlist and
    the transcript, plus a README.txt in the edition's language; all in a folder named after the
    zip. A file missing from ``files`` raises :class:`~audioguide.errors.BuildError`.
    """
    wanted = [
        path
        for track in sorted(edition.tracks, key=lambda t: t.number)
        for path in (
            edition.track_file(track, ".mp3"),
            edition.track_file(track, ".vtt"),
            edition.track_file(track, ".chapters.json"),
        )
    ]
    wanted += [edition.full_guide, edition.audiobook, edition.playlist, edition.transcript]
    folder = posixpath.splitext(edition.zip)[0]
    entries: dict[str, bytes | Path] = {}
    for path in wanted:
        if path not in files:
            raise BuildError(
                f"{path} is missing from the files given for {edition.zip}. Probable cause: the "
                "build makes the zip before writing that file"
            )
        entries[f"{folder}/{posixpath.basename(path)}"] = files[path]
    readme = translation.tool(
        ZIP_README,
        title=one_line(edition.title),
        language=edition.language.name,
        count=len(edition.tracks),
    ) + translation.tool(ZIP_README_AUDIOBOOK, audiobook=posixpath.basename(edition.audiobook))
    entries[f"{folder}/{README}"] = readme.encode("utf-8")
    return entries
