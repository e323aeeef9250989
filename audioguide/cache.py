"""Content-addressed store of synthesised clips and of finished tracks' timings.

A clip's key hashes everything that decides its sound: engine, engine version, voice settings,
language and the exact text spoken. So a rebuild with nothing changed synthesises nothing, an
edited paragraph re-synthesises only its own sentences, and an interrupted build resumes where it
stopped. Entries are written atomically, so a killed build never leaves a torn clip behind, and
several processes may share one cache.

Every entry carries a SHA-256 checksum of its content. An entry that fails it, or does not hold
what its kind must (a truncated or empty file, a sample rate of 0, timings of the wrong shape),
is *damaged*: it is read as missing, so the caller makes it again, and its path is added to
:attr:`Cache.damaged` for the build to tell.

Layout::

    <root>/clips/ab/abcdef....clip     header + word timings + 16-bit mono PCM
    <root>/tracks/ab/abcdef....json    a built track's timings, keyed by its inputs, and the size
                                       and SHA-256 of its AAC part
    <root>/tracks/ab/abcdef....aac     its normalised audio as AAC (ADTS), for the audiobook
    <root>/pictures/ab/abcdef....pic   header + an image made here (the generated cover)
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import struct
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .clip import Clip
from .files import write_atomic

DEFAULT_CACHE = Path(".audioguide-cache")  # where a build keeps its cache unless told
_MAGIC = b"AGC2"
_PICTURE = struct.Struct("<4s32s")  # magic, SHA-256 of the image's bytes
_PICTURE_MAGIC = b"AGP1"
_OLD_MAGICS = (b"AGC1",)  # written by earlier versions, without a checksum: made again quietly
# magic, sample rate, number of word timings, bytes of PCM, SHA-256 of everything after the head
_HEAD = struct.Struct("<4sIII32s")
_WORD = struct.Struct("<II")  # character offset, start ms
RATES = range(8_000, 192_001)  # sample rates a clip may have
# The most an entry may hold, read before trusting it: a sentence's clip of 16-bit mono PCM is
# ~50 KB a second at 24 kHz (256 MiB: over 40 minutes at 48 kHz); a record is timings as JSON;
# a picture is a cover. An entry beyond its bound is damaged (a 20 GB sparse file is one).
LIMITS = {"clips": 256 << 20, "tracks": 16 << 20, "pictures": 64 << 20}


@contextmanager
def opened(root: Path | None) -> Iterator[Path]:
    """The cache's folder (made if missing); with ``None`` (``--no-cache``), a temporary one
    that lives for the block only."""
    if root is not None:
        Path(root).mkdir(parents=True, exist_ok=True)
        yield Path(root)
        return
    with tempfile.TemporaryDirectory(prefix="audioguide-cache-") as tmp:
        yield Path(tmp)


def key(*parts: object) -> str:
    """A stable hash of JSON-able parts."""
    blob = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class Cache:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.damaged: list[Path] = []  # entries found damaged (and so ignored) since created

    def _path(self, kind: str, digest: str, suffix: str) -> Path:
        return self.root / kind / digest[:2] / f"{digest}{suffix}"

    def _read(self, path: Path) -> bytes | None:
        """The entry's bytes; None when there is none, or when it is damaged (noted)."""
        with self._opened(path) as handle:
            return None if handle is None else handle.read()

    @contextmanager
    def _opened(self, path: Path) -> Iterator[io.BufferedReader | None]:
        """The entry at ``path`` open for reading, or None when there is none or it is no
        regular file within its kind's size bound (noted as damaged): opened without following
        a link and without waiting on a pipe, then checked on the open file itself."""
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            fd = os.open(path, flags)
        except (FileNotFoundError, NotADirectoryError):
            yield None
            return
        except OSError:  # a link (ELOOP), a socket (ENXIO)
            self.damaged.append(path)
            yield None
            return
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > LIMITS[path.parent.parent.name]:
            os.close(fd)
            self.damaged.append(path)
            yield None
            return
        os.set_blocking(fd, True)
        with open(fd, "rb") as handle:
            yield handle

    def _write(self, path: Path, data: bytes) -> None:
        self.clear(path)
        write_atomic(path, data, durable=False)

    @staticmethod
    def clear(path: Path) -> None:
        """Remove what is at the entry's ``path`` when it is no regular file (a link, a pipe,
        a folder: under the cache's own names, so nobody else's), so a new entry can go there."""
        try:
            mode = os.lstat(path).st_mode
        except (FileNotFoundError, NotADirectoryError):
            mode = None
        if mode is not None and stat.S_ISDIR(mode):
            shutil.rmtree(path)
        elif mode is not None and not stat.S_ISREG(mode):
            path.unlink()

    # clips

    def get_clip(self, digest: str) -> Clip | None:
        """The clip stored under ``digest``; None when there is none or it is damaged."""
        path = self._path("clips", digest, ".clip")
        data = self._read(path)
        if data is None:
            return None
        if data[:4] in _OLD_MAGICS:
            return None
        clip = _clip(data)
        if clip is None:
            self.damaged.append(path)
        return clip

    def put_clip(self, digest: str, clip: Clip) -> None:
        words = b"".join(_WORD.pack(offset, ms) for offset, ms in clip.words)
        body = words + clip.pcm
        head = _HEAD.pack(
            _MAGIC, clip.sample_rate, len(clip.words), len(clip.pcm), hashlib.sha256(body).digest()
        )
        self._write(self._path("clips", digest, ".clip"), head + body)

    # track records

    def get_record(self, digest: str) -> dict[str, Any] | None:
        """The record stored under ``digest``; None when there is none or it is damaged. (What a
        record must hold is for the caller to check: :meth:`discard` one it cannot use.)"""
        path = self.record_path(digest)
        data = self._read(path)
        if data is None:
            return None
        try:
            entry = json.loads(data.decode("utf-8"))
            record = entry["record"]
            if isinstance(record, dict) and entry["sha256"] == _record_sum(record):
                return record
        except (ValueError, TypeError, KeyError):
            pass
        self.damaged.append(path)
        return None

    def put_record(self, digest: str, record: dict[str, Any]) -> None:
        entry = {"record": record, "sha256": _record_sum(record)}
        data = json.dumps(entry, ensure_ascii=False, sort_keys=True).encode("utf-8")
        self._write(self.record_path(digest), data)

    def record_path(self, digest: str) -> Path:
        return self._path("tracks", digest, ".json")

    def discard_record(self, digest: str) -> None:
        """Note a record that passed its checksum but does not fit what it is for as damaged."""
        self.damaged.append(self.record_path(digest))

    # a built track's audio for the audiobook (written before its record)

    def part_path(self, digest: str) -> Path:
        """Where the part is (or would be): the audiobook reads it from there, not into memory."""
        return self._path("tracks", digest, ".aac")

    def check_part(self, digest: str, size: int, sha256: str) -> bool:
        """Whether the part stored under ``digest`` is the one its record describes (``size``
        bytes with that SHA-256). A part that is there but is not is damaged; a missing one is
        just missing."""
        path = self.part_path(digest)
        with self._opened(path) as handle:
            if handle is None:
                return False
            if os.fstat(handle.fileno()).st_size == size:
                if hashlib.file_digest(handle, "sha256").hexdigest() == sha256:
                    return True
        self.damaged.append(path)
        return False

    # pictures

    def get_picture(self, digest: str) -> bytes | None:
        """The image stored under ``digest``; None when there is none or it is damaged."""
        path = self._path("pictures", digest, ".pic")
        data = self._read(path)
        if data is None:
            return None
        if len(data) > _PICTURE.size:
            magic, checksum = _PICTURE.unpack_from(data)
            image = data[_PICTURE.size :]
            if magic == _PICTURE_MAGIC and hashlib.sha256(image).digest() == checksum:
                return image
        self.damaged.append(path)
        return None

    def put_picture(self, digest: str, image: bytes) -> None:
        head = _PICTURE.pack(_PICTURE_MAGIC, hashlib.sha256(image).digest())
        self._write(self._path("pictures", digest, ".pic"), head + image)


def _clip(data: bytes) -> Clip | None:
    """The clip in ``data``, or None when it is not a whole, intact one."""
    if len(data) < _HEAD.size:
        return None
    magic, rate, count, length, checksum = _HEAD.unpack_from(data)
    body = data[_HEAD.size :]
    if (
        magic != _MAGIC
        or rate not in RATES
        or len(body) != count * _WORD.size + length
        or length % 2
        or hashlib.sha256(body).digest() != checksum
    ):
        return None
    words = tuple(_WORD.unpack_from(body, i * _WORD.size) for i in range(count))
    return Clip(pcm=body[count * _WORD.size :], sample_rate=rate, words=words)


def _record_sum(record: dict[str, Any]) -> str:
    return key(record)
