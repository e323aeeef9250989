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

from .. import published
from ..edition import Edition
from ..errors import InternalError
from ..languages import Language

MANIFEST_VERSION = 4
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
    """The language's entry: what it is, then its files where the table of what a build
    publishes (:mod:`audioguide.published`) says the manifest lists them."""
    entry: dict[str, Any] = {
        "tag": edition.language.tag,
        "locale_id": edition.language.locale_id,
        "name": edition.language.name,
        "title": edition.title,
        "description": edition.description,
        "completeness": round(edition.completeness, 1),
        "engine": edition.engine,
        "voices": list(dict.fromkeys(voice for track in edition.tracks for voice in track.voices)),
        "voice": {
            "name": edition.tracks[0].voices[0],
            "understood": (any(m.understood for m in edition.quality) if edition.quality else None),
            "measured": [{"cer": m.cer, "judge": m.judge} for m in edition.quality],
        },
        "tracks": [],
    }
    for track in sorted(edition.tracks, key=lambda t: t.number):
        listed: dict[str, Any] = {
            "number": track.number,
            "section_id": track.section_id,
            "title": track.title,
        }
        for kind in published.KINDS:
            if kind.per == "track" and kind.manifest is not None:
                _place(listed, kind, kind.path(edition, track), files, track.duration_ms)
        listed |= {
            "voice": track.voices[0],
            "voices": list(track.voices),
            "fallbacks": list(track.fallbacks),
        }
        entry["tracks"].append(listed)
    for kind, of_track, path in published.of_edition(edition):
        if of_track is None and kind.manifest is not None:
            _place(entry, kind, path, files)
    return entry


def _place(
    entry: dict[str, Any],
    kind: published.Kind,
    path: str,
    files: dict[str, FileInfo],
    duration_ms: int | None = None,
) -> None:
    """List ``path`` in ``entry`` where ``kind`` says: its own key, a key of another file's
    object (``parent.key``), or the entry itself (``""``). A timed kind's duration is its
    file's, else ``duration_ms`` (a track's, from its timeline)."""
    listed = _file(path, files)
    if kind.timed:
        duration = files[path].duration_ms
        duration = duration if duration is not None else duration_ms
        if duration is None:
            raise InternalError(
                f"no duration for {path}; pass FileInfo(..., duration_ms=...) measured from the "
                "encoded file"
            )
        listed["duration_ms"] = duration
    parent, _, key = kind.manifest.rpartition(".") if kind.manifest else ("", "", "")
    into = entry[parent] if parent else entry
    if key:
        into[key] = listed
    else:
        into |= listed


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
    schema: dict[str, Any] = json.loads(text)  # a JSON object: the file is ours
    return schema
