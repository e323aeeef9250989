"""A language's download (``<guide id>-<tag>.zip``), reproducible: the same entries give the same
bytes (with the same zlib).

Entries are sorted by name, dated 1980-01-01 00:00 (the earliest date a zip can hold), marked as
plain Unix files with mode 0644, deflated at a fixed level, except files that are compressed
already (MP3s, images, books), which are stored as they are. Inside the zip every file sits in a
folder named after it (``test-guide-ko/01-welcome.mp3``), so unzipping never spills files, and
the playlist, which names its tracks by bare file name, works from there.

An entry's content is bytes or the path of a file, which is copied in pieces: :func:`write_zip`
streams the zip to a file without holding the audio in memory. The zip's comment is the
:func:`fingerprint` of its entries, so a rebuild can tell that a zip is current without making
it again.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import shutil
import stat
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from .. import published
from ..catalogs import Translation
from ..edition import Edition
from ..errors import InternalError
from ..published import renders
from ..strings import ZIP_README, ZIP_README_AUDIOBOOK
from .captions import one_line

if TYPE_CHECKING:
    from .listener import Inputs

DATE_TIME = (1980, 1, 1, 0, 0, 0)
MODE = 0o644
COMPRESS_LEVEL = 9
# Compressed already: deflating them costs time and saves nothing.
STORED_SUFFIXES = (".mp3", ".m4a", ".m4b", ".ogg", ".opus", ".epub", ".zip", ".png", ".jpg",
                   ".jpeg", ".webp", ".gif")  # fmt: skip
_CHUNK = 1 << 20
README = "README.txt"
_UNIX = 3  # ZipInfo.create_system: the mode in external_attr is a Unix one
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Zip:
    """A zip to write: its entries by name (bytes, or the :class:`Path` of a file copied in a
    piece at a time), and the entry written first and stored, if any (an EPUB's ``mimetype``)."""

    entries: Mapping[str, bytes | Path]
    first: str | None = None


Content = bytes | Path | Zip  # a file to publish: its bytes, a file to copy, or a zip


def render_zip(entries: dict[str, bytes | Path], *, first: str | None = None) -> bytes:
    """A zip of ``{relative name: content}``, byte for byte the same for the same entries.

    ``first`` names an entry written first and stored (an EPUB's ``mimetype``). A content may be
    a file's path: audio (stored) is copied in a piece at a time.

    Names are plain relative POSIX paths (``folder/file.ext``); an absolute name, a backslash, an
    empty, ``.`` or ``..`` segment raises :class:`~audioguide.errors.InternalError`.
    """
    buffer = io.BytesIO()
    write_zip(buffer, entries, first=first)
    return buffer.getvalue()


def fingerprint(entries: Mapping[str, bytes | Path], digests: Mapping[Path, str]) -> bytes:
    """What decides a zip's bytes: how it is written, and each entry's name and SHA-256
    (``digests`` gives those of the file entries)."""
    recipe = hashlib.sha256(repr((DATE_TIME, MODE, COMPRESS_LEVEL, STORED_SUFFIXES)).encode())
    for name in sorted(entries):
        content = entries[name]
        if isinstance(content, Path):
            digest = digests[content]
        else:
            digest = hashlib.sha256(content).hexdigest()
        recipe.update(f"{name}\0{digest}\n".encode())
    return recipe.hexdigest().encode("ascii")


def fingerprint_of(path: Path) -> bytes | None:
    """The fingerprint in the comment of the zip at ``path``; None if there is no readable zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.comment
    except (OSError, zipfile.BadZipFile):
        return None


def write_zip(
    handle: BinaryIO,
    entries: Mapping[str, bytes | Path],
    comment: bytes = b"",
    *,
    first: str | None = None,
) -> None:
    """Write the zip :func:`render_zip` makes into ``handle`` (seekable), reading each file
    entry in pieces of 1 MB; ``comment`` is its :func:`fingerprint`."""
    for name in entries:
        check_name(name)
    with zipfile.ZipFile(handle, "w") as archive:
        archive.comment = comment
        for name in sorted(entries, key=lambda name: (name != first, name)):
            content = entries[name]
            info = zipfile.ZipInfo(name, date_time=DATE_TIME)
            info.create_system = _UNIX
            info.external_attr = (stat.S_IFREG | MODE) << 16
            stored = name == first or name.lower().endswith(STORED_SUFFIXES)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            if stored and isinstance(content, Path):
                info.file_size = content.stat().st_size
                with archive.open(info, "w") as entry, open(content, "rb") as source:
                    shutil.copyfileobj(source, entry, _CHUNK)
            else:
                data = content.read_bytes() if isinstance(content, Path) else content
                archive.writestr(info, data, compresslevel=None if stored else COMPRESS_LEVEL)


def check_name(name: str) -> None:
    """Raise :class:`~audioguide.errors.InternalError` unless ``name`` is a plain relative path
    of safe segments."""
    segments = name.split("/")
    if not all(_SEGMENT.fullmatch(segment) for segment in segments):
        raise InternalError(
            f"zip entry name {name!r} is not a plain relative path (letters, digits, '.', '_' "
            "and '-' in segments joined by '/')"
        )


def zip_entries(
    edition: Edition, files: dict[str, bytes | Path], translation: Translation
) -> dict[str, bytes | Path]:
    """The entries of the edition's zip, taken from ``files`` (keyed by output-relative path).

    The files of the kinds the zip holds (:data:`audioguide.published.KINDS`: each track's
    audio, captions and chapters, the whole-guide files, the playlist and the transcript), plus
    a README.txt in the edition's language; all in a folder named after the zip. A file missing
    from ``files`` raises :class:`~audioguide.errors.InternalError`.
    """
    wanted = [path for kind, _, path in published.of_edition(edition) if kind.zipped]
    folder = posixpath.splitext(edition.zip)[0]
    entries: dict[str, bytes | Path] = {}
    for path in wanted:
        if path not in files:
            raise InternalError(
                f"{path} is missing from the files given for {edition.zip}: the "
                "build makes the zip before writing that file"
            )
        entries[f"{folder}/{posixpath.basename(path)}"] = files[path]
    readme = translation.tool(
        ZIP_README,
        title=one_line(edition.title),
        language=edition.language.name,
        count=len(edition.tracks),
    )
    if edition.audiobook:
        book = posixpath.basename(edition.audiobook)
        readme += translation.tool(ZIP_README_AUDIOBOOK, audiobook=book)
    entries[f"{folder}/{README}"] = readme.encode("utf-8")
    return entries


@renders("zip")
def _zip(given: Inputs, track: None) -> Zip:  # noqa: ARG001 - the renderers' contract
    listened = {path: data for path, data in given.made.items() if isinstance(data, bytes)}
    return Zip(zip_entries(given.edition, {**given.audio, **listened}, given.translation))
