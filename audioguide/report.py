"""Where a build shows its progress: the interface, kept apart from the pipeline so that the
command line can name it without importing the pipeline."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .languages import Language


class Reporter:
    """Where the build shows its progress; the CLI gives a terminal-aware one. Notices and
    warnings are not reported here: they go to the ``audioguide`` logger."""

    def start(self, language: Language, total: int) -> None: ...

    def advance(self, language: Language, name: str, written: bool) -> None: ...
