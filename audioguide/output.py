"""The output folder's ledger: which files are the build's, what each holds, and a manifest that
never lies.

An output folder may hold other files than the build's (a README, a web server's files). The
build keeps a record, ``.audioguide-build.json``: every file it made, with its size, SHA-256
and duration; each language's timeline as last built; and which languages the manifest lists.
That record is the ledger: ``manifest.json`` is only ever written from it (never read back), and
the build only ever removes or overwrites files it names.

The record is written before the files it names (:meth:`Output.claim`), so a build killed at any
moment leaves no file it made unrecorded. ``manifest.json`` is kept true at every moment: before
the first change to a language's files, the manifest drops that language (:meth:`Output.withdraw`);
the new manifest comes once everything is written (:meth:`Output.finish`); files of sections or
languages that are gone are removed only after it no longer lists them.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import edition as timeline
from . import published
from .edition import Edition
from .errors import BuildError, OptionError
from .files import holds, into_place, refuse_special, remove_temporary, write_atomic
from .languages import Language, resolve
from .package import archive
from .package.archive import Content, Zip
from .package.manifest import FileInfo, render_manifest

log = logging.getLogger(__name__)
RECORD = ".audioguide-build.json"
MANIFEST = "manifest.json"
RECORD_VERSION = 2
_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")


@dataclass(frozen=True)
class Site:
    """What the manifest says of the guide as a whole: its id, source language and cover, and
    the files that belong to no language (the language chooser, the player's assets)."""

    guide_id: str
    source: Language
    cover: str
    files: tuple[str, ...]


@dataclass
class Output:
    """The output folder as the builds left it, and what this build has claimed."""

    root: Path
    files: dict[str, FileInfo | None] = field(default_factory=dict)  # None: being written
    editions: dict[str, Edition] = field(default_factory=dict)  # by tag, as last built
    listed: list[str] = field(default_factory=list)  # the tags the manifest lists, in order
    site: Site | None = None
    # The day the first build wrote into this folder, kept by every later one: the date the
    # DAISY books give when guide.yaml has no ``published:`` (see :func:`build_date`).
    built: datetime.date | None = None

    @classmethod
    def read(cls, root: Path) -> Output:
        """What earlier builds left in ``root``, from their record. Anything unreadable there
        counts as absent (and names no file to remove)."""
        root = Path(root)
        found = cls(root)
        try:
            record = json.loads((root / RECORD).read_bytes().decode("utf-8"))
            if record["version"] == 1:  # audioguide 0.2: the files it made, nothing trusted
                return cls(root, {path: None for path in record["files"] if _PATH.fullmatch(path)})
            if record["version"] != RECORD_VERSION:
                raise ValueError(f"record version {record['version']!r}")
            for path, info in record["files"].items():
                if _PATH.fullmatch(path):
                    found.files[path] = FileInfo(*info) if info is not None else None
            for tag, data in record["editions"].items():
                found.editions[tag] = timeline.from_record(data)
            if record.get("built"):
                found.built = datetime.date.fromisoformat(record["built"])
            site = record["site"]
            if site is not None:
                found.site = Site(site["guide_id"], resolve(site["source"]), site["cover"],
                                  tuple(site["files"]))  # fmt: skip
                found.listed = [tag for tag in record["listed"] if tag in found.editions]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls(root, dict.fromkeys(found.files))  # its files, but nothing trusted
        return found

    # --- before writing ----------------------------------------------------------------------

    def check_ours(self, paths: Iterable[str]) -> None:
        """Refuse (:class:`OptionError`) to go on when one of ``paths``, which the build is
        about to write, is already there but was not made by a build (it is someone's own), or
        is not a regular file (a device, a pipe, a folder)."""
        for path in sorted(set(paths)):
            for folder in reversed(Path(path).parents[:-1]):
                if (self.root / folder).is_symlink():
                    raise OptionError(
                        f"{self.root / folder} is a symbolic link; audioguide writes only inside "
                        "--output: replace it with a folder (or build into another --output)"
                    )
            try:
                refuse_special(self.root / path)
            except BuildError as exc:
                raise OptionError(exc.message) from None
            if path not in self.files and os.path.lexists(self.root / path):
                raise OptionError(
                    f"{self.root / path} is already there and was not made by audioguide (its "
                    f"record, {RECORD}, does not list it); move it away, or build into another "
                    "--output"
                )

    def remove_temporary_files(self) -> None:
        """Delete what interrupted writes left in the folders the build writes to."""
        for folder in {"", *(str(Path(path).parent) for path in self.files)}:
            remove_temporary(self.root / folder)

    def claim(self, paths: Iterable[str]) -> None:
        """Record ``paths`` as the build's before writing them."""
        new = set(paths) - self.files.keys()
        if new:
            self.files.update(dict.fromkeys(new))
            self._write_record()

    def withdraw(self, tag: str) -> None:
        """Drop language ``tag`` from the manifest before any of its files change."""
        if tag in self.listed:
            self.listed.remove(tag)
            self._write_manifest()
            self._write_record()

    def trusted(self, tag: str) -> dict[str, FileInfo]:
        """The files of language ``tag`` with their sizes and hashes as recorded, while the
        manifest lists it (a language is withdrawn before any of its files change)."""
        if tag not in self.listed:
            return {}
        found = {path: self.files.get(path) for path in published.files(self.editions[tag])}
        return {path: info for path, info in found.items() if info is not None}

    def kept(self, tag: str, guide_id: str) -> tuple[Edition, dict[str, FileInfo]] | None:
        """Language ``tag`` as the last build left it, with its files as recorded; None unless
        it is whole: listed in the manifest, of this guide, and every file there at the size
        recorded."""
        edition = self.editions.get(tag)
        if edition is None or edition.guide_id != guide_id or tag not in self.listed:
            return None
        infos = self.trusted(tag)
        if len(infos) != len(published.files(edition)):
            return None
        for path, info in infos.items():
            try:
                if (self.root / path).stat().st_size != info.bytes:
                    return None
            except OSError:
                return None
        return edition, infos

    def verify(self) -> None:
        """``build --verify``: every file the manifest lists is read again; a language's file
        that is not as recorded is removed (its language first leaves the manifest), so that
        the build makes it again. (The site's own files are always compared and rewritten.)"""
        for path, owners in [(path, self.languages_of(path)) for path in self.differing()]:
            log.info(f"{self.root / path} is not as the manifest lists it; making it again")
            for tag in owners:
                self.withdraw(tag)
                (self.root / path).unlink(missing_ok=True)

    def files_of_languages(self, guide_id: str, tags: Iterable[str]) -> list[str]:
        """The files earlier builds made for the languages ``tags`` (of guide ``guide_id``)."""
        tags = set(tags)
        beside = {path for tag in tags for path in published.outside_folder(guide_id, tag)}
        return [path for path in self.files if path.split("/")[0] in tags or path in beside]

    def differing(self) -> list[str]:
        """The files the manifest lists that are missing, or whose size or SHA-256 is not what
        the record says: read in full."""
        listed = [path for tag in self.listed for path in published.files(self.editions[tag])]
        if self.site is not None:
            listed += [self.site.cover, *self.site.files]
        found = []
        for path in sorted(set(listed)):
            info = self.files.get(path)
            try:
                same = info is not None and FileInfo.of_file(self.root / path) == FileInfo(
                    info.bytes, info.sha256
                )
            except OSError:
                same = False
            if not same:
                found.append(path)
        return found

    # --- writing -------------------------------------------------------------------------------

    def publish(
        self,
        contents: Mapping[str, Content],
        sources: Mapping[Path, FileInfo],
        tag: str | None = None,
        check: Callable[[list[Path]], None] | None = None,
    ) -> dict[str, FileInfo]:
        """Write ``contents`` (by output-relative path) where they differ from what is on disk,
        and return each one's size and hash. ``sources`` gives the size and hash of every file a
        content copies or zips (by its path). Before anything changes, the manifest stops
        listing what it changes: language ``tag``, whose files they are; or, for the site's
        files (``tag`` None), the language a changed page belongs to, and for any other file
        every language.

        Bytes are compared with the file; a copy is as it should be when the record lists it
        with its source's size and hash and the file has that size (else it is read); a zip
        when the fingerprint in its comment is that of its entries. ``check`` is given the
        files a content copies or zips before they are read (to make sure they are still what
        ``sources`` says)."""
        trusted = self.trusted(tag) if tag else {}
        keys = {
            path: archive.fingerprint(content.entries, {p: i.sha256 for p, i in sources.items()})
            for path, content in contents.items()
            if isinstance(content, Zip)
        }
        current = {
            path for path, content in contents.items()
            if self._current(path, content, trusted.get(path), sources, keys.get(path))
        }  # fmt: skip
        if check is not None:
            read = [content for path, content in contents.items() if path not in current]
            check(sorted({source for content in read for source in _sources(content)}))
        if len(current) < len(contents):
            self.claim(contents)
            for changed in contents.keys() - current:
                for owner in [tag] if tag else self._owners(changed):
                    self.withdraw(owner)
        infos = {}
        for path, content in contents.items():
            target = self.root / path
            if isinstance(content, bytes):
                if path not in current:
                    write_atomic(target, content)
                infos[path] = FileInfo.of(content)
            elif isinstance(content, Path):
                if path not in current:
                    with into_place(target) as tmp:
                        shutil.copyfile(content, tmp)
                infos[path] = sources[content]  # a copy is known by its source's size and hash
            else:
                if path not in current:
                    with into_place(target) as tmp, open(tmp, "wb") as handle:
                        archive.write_zip(handle, content.entries, keys[path], first=content.first)
                known = trusted.get(path) if path in current else None
                infos[path] = info_of(target, known)
        return infos

    def _current(
        self,
        path: str,
        content: Content,
        known: FileInfo | None,
        sources: Mapping[Path, FileInfo],
        key: bytes | None,
    ) -> bool:
        """Whether the file at ``path`` already holds ``content`` (see :meth:`publish`)."""
        target = self.root / path
        if isinstance(content, bytes):
            return holds(target, content)
        if isinstance(content, Zip):
            return archive.fingerprint_of(target) == key
        source = sources[content]
        try:
            if target.stat().st_size != source.bytes:
                return False
        except OSError:
            return False
        if known is not None and (known.bytes, known.sha256) == (source.bytes, source.sha256):
            return True
        return FileInfo.of_file(target).sha256 == source.sha256

    def languages_of(self, path: str) -> list[str]:
        """The listed languages whose file ``path`` is (none for the site's own files)."""
        return [tag for tag in self.listed if path in published.files(self.editions[tag])]

    def _owners(self, path: str) -> list[str]:
        """What stops being listed when ``path`` changes: its language; every language for a
        file of none (the manifest lists it beside all of them)."""
        return self.languages_of(path) or list(self.listed)

    def finish(
        self,
        site: Site,
        editions: Iterable[Edition],
        infos: dict[str, FileInfo],
        keep: Iterable[str] = (),
    ) -> None:
        """Write the new manifest (``editions`` in order, ``infos`` giving every file this build
        has now), then remove the files earlier builds made that this one no longer has, but
        those in ``keep`` (files of the guide's languages that this build left as they were,
        for a later build), then write the record."""
        self.site = site
        editions = list(editions)
        for edition in editions:
            self.editions[edition.language.tag] = edition
        self.listed = [edition.language.tag for edition in editions]
        kept = {path: self.files[path] for path in keep if path in self.files}
        kept[MANIFEST] = None  # the build's, though no manifest lists its own hash
        gone = self.files.keys() - infos.keys() - kept.keys()
        self.files = {**self.files, **infos}
        self._write_manifest()
        root = self.root.resolve()
        folders = set()
        for path in sorted(gone):
            target = self.root / path
            if target.parent.resolve().is_relative_to(root) and not target.is_dir():
                target.unlink(missing_ok=True)
                folders.add(target.parent)
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            if folder.resolve() != root and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        self.files = dict(sorted({**kept, **infos}.items()))
        self.editions = {tag: self.editions[tag] for tag in self.listed}
        self._write_record()

    # --- the two files of the ledger -----------------------------------------------------------

    def _write_manifest(self) -> None:
        if self.site is None or not self.listed:
            (self.root / MANIFEST).unlink(missing_ok=True)
            return
        editions = [self.editions[tag] for tag in self.listed]
        named = [self.site.cover, *self.site.files]
        named += [path for edition in editions for path in published.files(edition)]
        infos = {path: info for path in named if (info := self.files.get(path)) is not None}
        data = render_manifest(
            self.site.guide_id, self.site.source, editions, infos, cover=self.site.cover
        )
        write_atomic(self.root / MANIFEST, data)

    def _write_record(self) -> None:
        site = self.site
        record = {
            "version": RECORD_VERSION,
            "files": {
                path: None if info is None else [info.bytes, info.sha256, info.duration_ms]
                for path, info in sorted(self.files.items())
            },
            "editions": {tag: timeline.to_record(e) for tag, e in sorted(self.editions.items())},
            "listed": self.listed,
            "built": self.built.isoformat() if self.built else None,
            "site": None if site is None else {
                "guide_id": site.guide_id, "source": site.source.locale_id, "cover": site.cover,
                "files": list(site.files),
            },
        }  # fmt: skip
        data = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        write_atomic(self.root / RECORD, (data + "\n").encode("utf-8"))


def check_folder(output: Path, scripts: Path, locales: Path, cache: Path | None = None) -> None:
    """``--output`` and ``--cache`` are folders (or not there yet), each of its own: not the
    scripts or locales folder, not inside one, not holding one (the build would publish them,
    or write among them), and not each other."""
    mine = [("--output", Path(output), "build into a folder of its own, such as output")]
    if cache is not None:
        mine.append(("--cache", Path(cache), "keep the cache in a folder of its own, such as "
                     ".audioguide-cache"))  # fmt: skip
    for option, given, _ in mine:
        if given.exists() and not given.is_dir():
            raise OptionError(f"{option} {given} is a file, not a folder; give a folder (it is "
                              "made if missing)")  # fmt: skip
    others = [("--scripts", Path(scripts)), ("--locales", Path(locales))]
    for n, (option, given, fix) in enumerate(mine):
        where = given.resolve()
        for name, inputs in [*others, *[(o, g) for o, g, _ in mine[:n]]]:
            folder = inputs.resolve()
            if where == folder or where.is_relative_to(folder) or folder.is_relative_to(where):
                raise OptionError(f"{option} {given} overlaps the {name} folder {inputs}; {fix}")


def _sources(content: Content) -> list[Path]:
    """The files ``content`` copies or zips."""
    if isinstance(content, Path):
        return [content]
    if isinstance(content, Zip):
        return [entry for entry in content.entries.values() if isinstance(entry, Path)]
    return []


def info_of(path: Path, known: FileInfo | None, duration_ms: int | None = None) -> FileInfo:
    """The size and hash of ``path``: as recorded (``known``) when its size agrees, for a file
    the build found unchanged (by its inputs tag, fingerprint or bytes); otherwise read."""
    if known is not None and path.stat().st_size == known.bytes:
        return FileInfo(known.bytes, known.sha256, duration_ms)
    return FileInfo.of_file(path, duration_ms)


def build_date(folder: Output) -> datetime.date:
    """The date the build records for ``folder``: the one an earlier build recorded, else
    ``SOURCE_DATE_EPOCH``'s (the reproducible-builds convention: two builds made with it are the
    same bytes on any day), else today's (UTC)."""
    if folder.built is not None:
        return folder.built
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date()
    return datetime.datetime.now(datetime.UTC).date()
