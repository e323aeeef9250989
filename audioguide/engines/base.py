"""The voice interface: text + language + voice settings in, PCM audio out.

An engine is a class with a ``name``, a ``version()`` (part of every cache key, so a new engine
version never reuses old clips) and ``synthesize()``. Adding an engine means adding a module here
and a line to :data:`audioguide.engines.ENGINES`; the pipeline does not change.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from ..languages import Language
from ..script import Voice


@dataclass(frozen=True)
class Clip:
    """Synthesised speech: signed 16-bit little-endian mono PCM."""

    pcm: bytes
    sample_rate: int
    # (character offset in the text, start in ms) for each word, where the engine reports them
    words: tuple[tuple[int, int], ...] = ()

    @property
    def duration_ms(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate * 1000


class Engine(ABC):
    name: ClassVar[str]
    # How clips are made in parallel: "process" for engines with process-global state,
    # "thread" for engines that wait on the network.
    parallel: ClassVar[str] = "process"

    @abstractmethod
    def version(self) -> str:
        """Identifies the voice's output; goes into every cache key."""

    @abstractmethod
    def available(self, voice: Voice) -> bool:
        """Whether the engine can speak now with these settings (a quick check, about a
        second at most)."""

    @abstractmethod
    def supports(self, language: Language, voice: Voice) -> bool:
        """Whether the engine has a voice for this language."""

    @abstractmethod
    def synthesize(self, text: str, language: Language, voice: Voice) -> Clip:
        """Speak one sentence (at most ~100 characters for gTTS). Raises EngineError."""

    def describe(self, language: Language, voice: Voice) -> str:
        """A short human-readable name of the voice, for tags and the manifest."""
        return f"{self.name} {language.tag}"


def shorten(text: str, width: int = 40) -> str:
    """The start of a sentence for an error message: one line, at most ``width`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
