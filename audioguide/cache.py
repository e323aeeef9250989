"""Content-addressed store of synthesised clips and of finished tracks' timings.

A clip's key hashes everything that decides its sound: engine, engine version, voice settings,
language and the exact text spoken. So a rebuild with nothing changed synthesises nothing, an
edited paragraph re-synthesises only its own sentences, and an interrupted build resumes where it
stopped. Entries are written atomically, so a killed build never leaves a torn clip behind, and
several processes may share one cache.

Layout::

    <root>/clips/ab/abcdef....clip     header + 16-bit mono PCM
    <root>/tracks/ab/abcdef....json    a built track's timings, keyed by its inputs
    <root>/tracks/ab/abcdef....aac     its normalised audio as AAC (ADTS), for the audiobook
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

from .clip import Clip
from .files import write_atomic

_MAGIC = b"AGC1"
_HEAD = struct.Struct("<4sII")  # magic, sample rate, number of word timings
_WORD = struct.Struct("<II")  # character offset, start ms


def key(*parts: object) -> str:
    """A stable hash of JSON-able parts."""
    blob = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class Cache:
    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, kind: str, digest: str, suffix: str) -> Path:
        return self.root / kind / digest[:2] / f"{digest}{suffix}"

    # clips

    def get_clip(self, digest: str) -> Clip | None:
        try:
            data = self._path("clips", digest, ".clip").read_bytes()
        except FileNotFoundError:
            return None
        magic, rate, count = _HEAD.unpack_from(data)
        if magic != _MAGIC:
            return None
        start = _HEAD.size + count * _WORD.size
        words = tuple(_WORD.unpack_from(data, _HEAD.size + i * _WORD.size) for i in range(count))
        return Clip(pcm=data[start:], sample_rate=rate, words=words)

    def put_clip(self, digest: str, clip: Clip) -> None:
        head = _HEAD.pack(_MAGIC, clip.sample_rate, len(clip.words))
        words = b"".join(_WORD.pack(offset, ms) for offset, ms in clip.words)
        write_atomic(self._path("clips", digest, ".clip"), head + words + clip.pcm, durable=False)

    # track records

    def get_record(self, digest: str) -> dict | None:
        try:
            return json.loads(self._path("tracks", digest, ".json").read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def put_record(self, digest: str, record: dict) -> None:
        data = json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8")
        write_atomic(self._path("tracks", digest, ".json"), data, durable=False)

    # a built track's audio for the audiobook (written before its record)

    def part_path(self, digest: str) -> Path:
        """Where the part is (or would be): the audiobook reads it from there, not into memory."""
        return self._path("tracks", digest, ".aac")

    def has_part(self, digest: str) -> bool:
        return self.part_path(digest).is_file()
