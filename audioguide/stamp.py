"""What a build is asked to do, what it tells, and the stamp that lets a rebuild with nothing
changed end at once.

A build that ends well leaves ``output/.audioguide-stamp.json``: a hash of everything it was
made from (every file under the scripts and locales folders, its options, audioguide's version
and code, the Python and packages installed, the engines' own files), and the size and
modification time of every file it wrote and of the cache entries it used. The next
``audioguide build`` computes the same hash and stats the same files, with nothing of the
pipeline imported; when all agree there is nothing to do, and it says what the build said.
Anything else (an input, an option, a package, a published file deleted or resized, a stamp
that cannot be read) falls through to the real build, which finds for itself what to redo.

The stamp is only a shortcut: nothing trusts it but this check, and a build that does not
leave one (``--no-cache``, ``--verify``, voices chosen by ``auto``, a plug-in engine) is not
slower for it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import stat
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .cache import DEFAULT_CACHE
from .files import write_atomic

STAMP = ".audioguide-stamp.json"
_VERSION = 1
_PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Options:
    engine: str | None = None  # overrides guide.yaml's voices: "auto" or an engine's name
    jobs: int = 4
    cache: Path | None = DEFAULT_CACHE  # None: --no-cache
    strict: bool = False  # untranslated or fuzzy messages are an error
    languages: tuple[str, ...] = ()  # only these (default: all of the guide's)
    base_url: str | None = None
    verify: bool = False  # read every published file again; make again what differs
    audiobook: bool | None = None  # an M4B audiobook per language (None: as guide.yaml says)
    scheduler: str | None = None  # a Dask scheduler's address: render on its cluster


@dataclass(frozen=True)
class Summary:
    clips_synthesised: int
    clips_cached: int
    tracks_written: int
    tracks_unchanged: int
    audio_seconds: float
    wall_seconds: float

    def line(self) -> str:
        return (
            f"{self.clips_synthesised} clips synthesised, {self.clips_cached} from cache; "
            f"{self.tracks_written} tracks written, {self.tracks_unchanged} unchanged; "
            f"{self.audio_seconds:.1f} s of audio in {self.wall_seconds:.1f} s"
        )


@dataclass(frozen=True)
class Stamped:
    """What a rebuild with nothing changed would tell: each track (language tag, file name),
    the seconds of audio, the warnings of its checks."""

    tracks: tuple[tuple[str, str], ...]
    audio_seconds: float
    warnings: tuple[str, ...]


def key(scripts: Path, locales: Path, output: Path, options: Options) -> str | None:
    """The hash of everything a build of ``output`` with ``options`` is made from; None when
    no stamp may stand for it (``--no-cache``, ``--verify``)."""
    if options.cache is None or options.verify:
        return None
    digest = hashlib.sha256()
    asked = dataclasses.asdict(options) | {"jobs": None}  # the number of workers changes nothing
    asked["cache"] = str(Path(options.cache).absolute())
    head = {
        "stamp": _VERSION,
        "version": __version__,
        "python": [sys.executable, sys.version],
        "cwd": os.getcwd(),  # paths in guide.yaml (a Piper model) are relative to it
        "folders": [str(Path(p).absolute()) for p in (scripts, locales, output)],
        "options": asked,
        "code": _stats(_tree(_PACKAGE, skip="__pycache__")),
        "installed": _stats(p for p in map(Path, sys.path) if p.name.endswith("-packages")),
    }
    digest.update(json.dumps(head, sort_keys=True, default=str).encode("utf-8"))
    for folder in (scripts, locales):
        for path in _tree(Path(folder)):
            try:
                data = path.read_bytes()
            except OSError:
                return None
            name = os.fsencode(path.relative_to(folder))
            digest.update(b"%d:%s%d:" % (len(name), name, len(data)))
            digest.update(data)
    return digest.hexdigest()


def check(output: Path, key: str | None) -> Stamped | None:
    """What the build stamped in ``output``, when the stamp is for ``key`` and every file it
    names is as it was then; else None."""
    if key is None:
        return None
    try:
        stamp = json.loads((Path(output) / STAMP).read_bytes())
        if stamp["version"] != _VERSION or stamp["key"] != key:
            return None
        files = stamp["files"]
        if _stats(Path(output) / path for path in files) != stamp["stats"]:
            return None
        if _stats(map(Path, stamp["others"])) != stamp["other_stats"]:
            return None
        return Stamped(
            tracks=tuple((str(tag), str(name)) for tag, name in stamp["tracks"]),
            audio_seconds=float(stamp["audio_seconds"]),
            warnings=tuple(str(text) for text in stamp["warnings"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write(
    output: Path, key: str | None, files: Iterable[str], others: Iterable[Path], told: Stamped
) -> None:
    """Stamp ``output`` (after a build for ``key`` that ended well): ``files`` are the paths
    it wrote (relative to ``output``), ``others`` the files outside it that the build relied on
    (cache entries, voice models). Without a key, an earlier stamp is removed."""
    path = Path(output) / STAMP
    if key is None:
        path.unlink(missing_ok=True)
        return
    names, paths = sorted(set(files)), sorted({str(Path(p).absolute()) for p in others})
    stats, other_stats = _stats(Path(output) / name for name in names), _stats(map(Path, paths))
    if None in stats or None in other_stats:  # not all there: no stamp
        path.unlink(missing_ok=True)
        return
    stamp = {
        "version": _VERSION,
        "key": key,
        "files": names,
        "stats": stats,
        "others": paths,
        "other_stats": other_stats,
        "tracks": [list(track) for track in told.tracks],
        "audio_seconds": told.audio_seconds,
        "warnings": list(told.warnings),
    }
    data = json.dumps(stamp, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    write_atomic(path, data.encode("utf-8") + b"\n", durable=False)


def _stats(paths: Iterable[Path]) -> list[list[int] | None]:
    """Size, modification time and inode of each path (following links); None where absent."""
    found: list[list[int] | None] = []
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            found.append(None)
            continue
        found.append([st.st_size, st.st_mtime_ns, st.st_ino])
    return found


def _tree(root: Path, skip: str = "") -> list[Path]:
    """The regular files under ``root`` (links followed, each folder once), in a stable order."""
    found: list[Path] = []
    seen: set[tuple[int, int]] = set()
    todo = [root]
    while todo:
        folder = todo.pop()
        try:
            st = folder.stat()
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir():
                    if entry.name != skip:
                        todo.append(Path(entry.path))
                elif entry.is_file() and stat.S_ISREG(entry.stat().st_mode):
                    found.append(Path(entry.path))
            except OSError:
                continue
    return sorted(found)
