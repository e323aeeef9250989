"""The one exception tree of audioguide.

AudioGuideError            anything the user can fix; the CLI prints it on one line, exit 2
 ├── ScriptError           a section script or guide.yaml is wrong (path and line)
 ├── CatalogError          a gettext catalog is missing, unreadable or incomplete
 ├── LanguageError         a language id Babel cannot parse, or one no voice speaks
 ├── LexiconError          a pronunciation lexicon is not well-formed PLS (path and line)
 ├── EngineError           a voice failed to synthesise (which sentence, and why)
 ├── OptionError           a command-line option has a value that cannot work
 └── BuildError            the build could not go on (locked output, ffmpeg failure, ...)

InternalError              a fault in audioguide itself, never the user's: the CLI says it is a
                           bug and where to report it, exit 3 (any other unexpected exception
                           is treated the same way)
"""

from __future__ import annotations

from pathlib import Path


class AudioGuideError(Exception):
    """An error the user can act on. ``str()`` is the whole one-line message."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class ScriptError(AudioGuideError):
    """A section script or guide.yaml is invalid."""


class CatalogError(AudioGuideError):
    """A gettext catalog is missing, unreadable, or incomplete."""


class LanguageError(AudioGuideError):
    """A language id is not understood."""


class LexiconError(AudioGuideError):
    """A pronunciation lexicon (``locales/<lang>/pronunciation.pls``) is not usable PLS."""


class EngineError(AudioGuideError):
    """A voice could not synthesise a piece of text."""


class OptionError(AudioGuideError):
    """A command-line option has a value that cannot work; the message names the option."""


class BuildError(AudioGuideError):
    """The build could not go on."""


# Where a bug is reported (the README: Commands, exit status 3).
REPORT_BUGS = "the audioguide issue tracker, with the command and its --verbose output"


class InternalError(Exception):
    """A fault in audioguide, not in the user's guide or setup: a broken promise between its
    own parts. Deliberately outside :class:`AudioGuideError`, so it never looks like bad input."""
