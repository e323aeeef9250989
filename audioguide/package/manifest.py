"""``output/manifest.json``: every file of the build, with sizes, hashes and durations.

Each language lists its player page, tracks (MP3, captions, chapters, transcript), full-guide
file (with its captions and chapters), audiobook, playlist, transcript, feed, zip and talking
books (the EPUB; the DAISY zip, with the spoken title it plays); ``cover``
names the cover image, and ``site`` every other file the build wrote (the language chooser, the
player's assets, the service worker and each language's web app manifest). Not listed: the
manifest itself (it cannot hold its own hash), the build's lock file ``.audioguide.lock``, its
record ``.audioguide-build.json``, its stamp ``.audioguide-stamp.json``, and files the build did
not write.

The manifest follows ``manifest.schema.json`` (JSON Schema draft 2020-12), shipped beside this
module for whoever reads manifests; the tests check what :func:`render_manifest` makes against it
(a build does not: it would load jsonschema for a check that cannot fail). It holds no
timestamps: the same build gives the same bytes.
"""

from __future__ import annotations

import builtins
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..edition import Edition
from ..errors import InternalError
from ..languages import Language

MANIFEST_VERSION = 3
SCHEMA_FILE = "manifest.schema.json"


@dataclass(frozen=True)
class FileInfo:
    """What the manifest says about one written file. ``duration_ms`` only for audio (the
    full-guide file needs it)."""

    bytes: int
    sha256: str
    duration_ms: int | None = None

    @classmethod
    def of(cls, data: builtins.bytes, duration_ms: int | None = None) -> FileInfo:
        """The size and SHA-256 of ``data``."""
        return cls(len(data), hashlib.sha256(data).hexdigest(), duration_ms)

    @classmethod
    def of_file(cls, path: Path, duration_ms: int | None = None) -> FileInfo:
        """The size and SHA-256 of the file at ``path``, read a piece at a time."""
        with open(path, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256")
        return cls(path.stat().st_size, digest.hexdigest(), duration_ms)


def render_manifest(
    guide_id: str,
    source_language: Language,
    editions: Sequence[Edition],
    files: dict[str, FileInfo],
    *,
    cover: str,
) -> bytes:
    """The manifest as UTF-8 JSON (indent 2, trailing newline), languages in the order given.

    ``files`` maps every output-relative path the build wrote to its :class:`FileInfo`; the
    full-guide file's and the audiobook's must carry ``duration_ms``. ``cover`` is the cover
    image's path. Files no language names are listed under ``site``. Raises
    :class:`~audioguide.errors.InternalError` when a file is missing: the build gives every one.
    """
    data = {
        "manifest_version": MANIFEST_VERSION,
        "guide_id": guide_id,
        "source_language": source_language.tag,
        "cover": _file(cover, files),
        "languages": [_language(edition, files) for edition in editions],
    }
    named = {entry["file"] for entry in _entries(data)}
    data["site"] = [_file(path, files) for path in sorted(files) if path not in named]
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _language(edition: Edition, files: dict[str, FileInfo]) -> dict[str, Any]:
    tracks = sorted(edition.tracks, key=lambda t: t.number)
    return {
        "tag": edition.language.tag,
        "locale_id": edition.language.locale_id,
        "name": edition.language.name,
        "title": edition.title,
        "description": edition.description,
        "completeness": round(edition.completeness, 1),
        "engine": edition.engine,
        "voices": list(dict.fromkeys(voice for track in tracks for voice in track.voices)),
        "page": _file(edition.page, files),
        "tracks": [
            {
                "number": track.number,
                "section_id": track.section_id,
                "title": track.title,
                **_file(edition.track_file(track, ".mp3"), files),
                "duration_ms": track.duration_ms,
                "voice": track.voices[0],
                "voices": list(track.voices),
                "captions": _file(edition.track_file(track, ".vtt"), files),
                "chapters": _file(edition.track_file(track, ".chapters.json"), files),
                "transcript": _file(edition.track_file(track, ".txt"), files),
                "fallbacks": list(track.fallbacks),
            }
            for track in tracks
        ],
        "playlist": _file(edition.playlist, files),
        "feed": _file(edition.feed, files),
        "transcript": _file(edition.transcript, files),
        "zip": _file(edition.zip, files),
        "epub": _file(edition.epub, files),
        "daisy": {**_file(edition.daisy_zip, files), "title": _file(edition.title_mp3, files)},
        "full_guide": {
            **_audio(edition.full_guide, files),
            "captions": _file(edition.full_guide_captions, files),
            "chapters": _file(edition.full_guide_chapters, files),
        },
        **({"audiobook": _audio(edition.audiobook, files)} if edition.audiobook else {}),
    }


def _audio(path: str, files: dict[str, FileInfo]) -> dict[str, Any]:
    entry = _file(path, files)
    duration = files[path].duration_ms
    if duration is None:
        raise InternalError(
            f"no duration for {path}; pass FileInfo(..., duration_ms=...) measured from the "
            "encoded file"
        )
    return {**entry, "duration_ms": duration}


def _entries(node: Any) -> list[dict[str, Any]]:
    """Every ``{"file": ...}`` object in ``node``, however deep."""
    if isinstance(node, dict):
        found = [node] if "file" in node else []
        return found + [entry for value in node.values() for entry in _entries(value)]
    if isinstance(node, list):
        return [entry for value in node for entry in _entries(value)]
    return []


def _file(path: str, files: dict[str, FileInfo]) -> dict[str, Any]:
    if path not in files:
        raise InternalError(
            f"{path} is not among the files given to the manifest: the build "
            "writes the manifest before that file"
        )
    info = files[path]
    return {"file": path, "bytes": info.bytes, "sha256": info.sha256}


def load_schema() -> dict[str, Any]:
    """The manifest's JSON Schema (a fresh copy)."""
    text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)
