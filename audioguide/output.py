"""The output folder's bookkeeping: which files are the build's, and a manifest that never lies.

An output folder may hold other files than the build's (a README, a web server's files, or
``--output ~``). The build keeps a record, ``.audioguide-build.json``, of every file it made and
of each language's timeline as last built; it only ever removes files named there (and its own
temporary files, see :mod:`audioguide.files`).

The record is written before the files it names (:meth:`Output.claim`), so a build killed at any
moment leaves no file it made unrecorded. ``manifest.json`` is kept true at every moment: before
the first change to a language's files, the manifest on disk drops that language
(:meth:`Output.withdraw`); the new manifest comes back once everything is written; files of
sections or languages that are gone are removed only after it no longer lists them.

A build of some languages (``build --lang ko``) keeps the others as they were built: their
timelines come from the record and their entries from the manifest (:meth:`Output.kept`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import edition as timeline
from .edition import Edition
from .errors import BuildError, OptionError
from .files import refuse_special, remove_temporary, write_atomic
from .package import daisy
from .package.manifest import MANIFEST_VERSION, FileInfo, validate_manifest

RECORD = ".audioguide-build.json"
MANIFEST = "manifest.json"
RECORD_VERSION = 1
_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")


@dataclass
class Output:
    """The output folder as the previous builds left it, and what this build has claimed."""

    root: Path
    owned: set[str] = field(default_factory=set)  # output-relative paths the builds made
    editions: dict[str, Edition] = field(default_factory=dict)  # by tag, as last built
    manifest: dict[str, Any] | None = None  # the manifest on disk, when it is one
    manifest_sha256: str | None = None  # of the manifest this build or the last one wrote

    @classmethod
    def read(cls, root: Path) -> Output:
        """What earlier builds left in ``root``: their record and their manifest. Anything
        unreadable there counts as absent (and names no file to remove)."""
        root = Path(root)
        found = cls(root)
        record = _json(root / RECORD)
        if not isinstance(record, dict) or record.get("version") != RECORD_VERSION:
            record = {}
        data = _read(root / MANIFEST)
        manifest = _json_of(data)
        if data is not None and manifest is not None:
            digest = hashlib.sha256(data).hexdigest()
            # The manifest the last build wrote (the record has its hash) was checked then;
            # any other is checked against the schema (loading it is a third of a no-op build).
            trusted = (
                isinstance(manifest, dict)
                and digest == record.get("manifest")
                and manifest.get("manifest_version") == MANIFEST_VERSION
            )
            if not trusted:
                try:
                    validate_manifest(manifest)
                except BuildError:  # not a manifest this version writes: leave it alone
                    manifest = None
            found.manifest_sha256 = digest if manifest is not None else None
        found.manifest = manifest
        if manifest is not None:
            found.owned |= {MANIFEST, *_files(manifest)}
        if record:
            paths = record.get("files")
            if isinstance(paths, list):
                found.owned |= {p for p in paths if isinstance(p, str)}
            editions = record.get("editions")
            for tag, data in editions.items() if isinstance(editions, dict) else ():
                try:
                    found.editions[tag] = timeline.from_record(data)
                except ValueError:
                    pass
        found.owned = {path for path in found.owned if _PATH.fullmatch(path)}
        return found

    # --- before writing ----------------------------------------------------------------------

    def check_ours(self, paths: Iterable[str]) -> None:
        """Refuse (:class:`OptionError`) to go on when one of ``paths``, which the build is
        about to write, is already there but was not made by a build (it is someone's own), or
        is not a regular file (a device, a pipe, a folder)."""
        for path in sorted(set(paths)):
            try:
                refuse_special(self.root / path)
            except BuildError as exc:
                raise OptionError(exc.message) from None
            if path not in self.owned and os.path.lexists(self.root / path):
                raise OptionError(
                    f"{self.root / path} is already there and was not made by audioguide (its "
                    f"record, {RECORD}, does not list it); move it away, or build into another "
                    "--output"
                )

    def remove_temporary_files(self) -> None:
        """Delete what interrupted writes left in the folders the build writes to."""
        for folder in {"", *(str(Path(path).parent) for path in self.owned)}:
            remove_temporary(self.root / folder)

    def claim(self, paths: Iterable[str]) -> None:
        """Record ``paths`` as the build's before writing them."""
        new = set(paths) - self.owned
        if new:
            self.owned |= new
            self._write_record(self.editions)

    def withdraw(self, tag: str) -> None:
        """Drop language ``tag`` from the manifest on disk before any of its files change."""
        if self.manifest is None:
            return
        languages = [lang for lang in self.manifest["languages"] if lang.get("tag") != tag]
        if len(languages) == len(self.manifest["languages"]):
            return
        if languages:
            self.manifest = {**self.manifest, "languages": languages}
            data = _dump(self.manifest)
            write_atomic(self.root / MANIFEST, data)
            self.manifest_sha256 = hashlib.sha256(data).hexdigest()
        else:
            self.manifest = None
            self.manifest_sha256 = None
            (self.root / MANIFEST).unlink(missing_ok=True)

    def listed(self) -> dict[str, FileInfo]:
        """The files the manifest on disk lists, with their sizes and hashes. A language is
        withdrawn before any of its files change, so what is listed is as the manifest says,
        unless something other than the build changed it."""
        return dict(_infos(self.manifest)) if self.manifest is not None else {}

    def differing(self) -> list[str]:
        """The files the manifest lists that are missing or whose size or SHA-256 differs from
        what it lists, read in full."""
        found = []
        for path, info in sorted(self.listed().items()):
            try:
                same = FileInfo.of_file(self.root / path) == FileInfo(info.bytes, info.sha256)
            except OSError:
                same = False
            if not same:
                found.append(path)
        return found

    def kept(self, tag: str, guide_id: str) -> tuple[Edition, dict[str, FileInfo]] | None:
        """Language ``tag`` as the last build left it, with its files as the manifest lists
        them; None unless it is whole: listed in the manifest, its timeline recorded, and
        every file there at the size listed."""
        edition = self.editions.get(tag)
        if self.manifest is None or edition is None or edition.guide_id != guide_id:
            return None
        listed = [lang for lang in self.manifest["languages"] if lang.get("tag") == tag]
        if len(listed) != 1 or self.manifest.get("guide_id") != guide_id:
            return None
        infos = dict(_infos(listed[0]))
        for path, info in infos.items():
            try:
                if (self.root / path).stat().st_size != info.bytes:
                    return None
            except OSError:
                return None
        return edition, infos

    # --- once everything is written ----------------------------------------------------------

    def finish(self, manifest: bytes, editions: Iterable[Edition], files: Iterable[str]) -> None:
        """Write the new manifest, then remove the files earlier builds made that this one no
        longer has (``files``: every output-relative path it has now), then the record."""
        write_atomic(self.root / MANIFEST, manifest)
        self.manifest_sha256 = hashlib.sha256(manifest).hexdigest()
        current = {*files, MANIFEST}
        root = self.root.resolve()
        folders = set()
        for path in sorted(self.owned - current):
            target = self.root / path
            if target.parent.resolve().is_relative_to(root) and not target.is_dir():
                target.unlink(missing_ok=True)
                folders.add(target.parent)
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            if folder.resolve() != root and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        self.owned = current
        self.editions = {edition.language.tag: edition for edition in editions}
        self._write_record(self.editions)

    def _write_record(self, editions: dict[str, Edition]) -> None:
        record = {
            "version": RECORD_VERSION,
            "manifest": self.manifest_sha256,
            "files": sorted(self.owned),
            "editions": {tag: timeline.to_record(e) for tag, e in sorted(editions.items())},
        }
        data = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        write_atomic(self.root / RECORD, (data + "\n").encode("utf-8"))


def _json(path: Path) -> Any:
    return _json_of(_read(path))


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _json_of(data: bytes | None) -> Any:
    try:
        return None if data is None else json.loads(data.decode("utf-8"))
    except ValueError:
        return None


def _dump(manifest: dict[str, Any]) -> bytes:
    """As :func:`audioguide.package.manifest.render_manifest` writes it."""
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _infos(data: Any) -> Iterable[tuple[str, FileInfo]]:
    """Every file a part of the manifest lists: ``{"file", "bytes", "sha256"}`` objects."""
    if isinstance(data, dict):
        if isinstance(data.get("file"), str):
            duration = data.get("duration_ms")
            yield data["file"], FileInfo(data["bytes"], data["sha256"], duration)
        for value in data.values():
            yield from _infos(value)
    elif isinstance(data, list):
        for value in data:
            yield from _infos(value)


def _files(manifest: dict[str, Any]) -> set[str]:
    return {path for path, _ in _infos(manifest)}


def files_of(edition: Edition) -> list[str]:
    """Every file a build writes for ``edition``: its page, its tracks' files, the files made
    of the whole guide, and the talking books (the DAISY folder's files too)."""
    found = [edition.page]
    for track in edition.tracks:
        found += [edition.track_file(track, end) for end in (".mp3", ".vtt", ".chapters.json",
                                                              ".txt")]  # fmt: skip
    found += [edition.full_guide, edition.audiobook, edition.playlist, edition.transcript,
              edition.feed, edition.zip, edition.epub, edition.daisy_zip]  # fmt: skip
    found += [f"{edition.daisy_folder}/{name}" for name in daisy.file_names(edition)]
    return found
