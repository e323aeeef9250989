"""The voice contract: text + language + voice settings in, a :class:`~audioguide.clip.Clip` out.

An engine is a subclass of :class:`Engine` registered under a name: built-in ones in
:data:`audioguide.engines.BUILT_IN`, third-party ones as an entry point in the
``audioguide.engines`` group (``tone = "audioguide_tone:ToneEngine"``). Everything that differs
between engines is the engine's own: its settings (:class:`Setting`), what it misreads
(:meth:`Engine.normalise`), how it takes phonemes (:meth:`Engine.spoken`). The pipeline only
asks the registry for an engine by the name guide.yaml or ``--engine`` gives.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from ..clip import Clip
from ..errors import EngineError
from ..languages import Language
from ..lexicon import Phonemes

__all__ = [
    "AUTO", "POORLY_UNDERSTOOD", "RATE", "Clip", "Engine", "Measured", "Setting", "Voice",
    "shorten",
]  # fmt: skip

AUTO = "auto"  # not an engine: gtts when Google answers, else espeak
# A voice whose speech an offline recogniser gets this wrong (character error rate, CER) is
# poorly understood: the build warns, and ``check-speech --check`` fails a language past it.
POORLY_UNDERSTOOD = 0.3


@dataclass(frozen=True)
class Setting:
    """A setting an engine takes under guide.yaml's ``voices.<lang>:``, beside ``engine`` and
    ``voice`` (which every engine has)."""

    name: str
    expected: str  # what a value must be, as an error says it: "true or false"
    check: Callable[[object], bool]
    default: object = None


@dataclass(frozen=True)
class Measured:
    """How well a voice is understood, as measured: the character error rate (CER, 0 best, 1
    nothing right) of an offline recogniser (``judge``) on the shipped guide's sentences as the
    voice speaks them (``audioguide check-speech`` measures it for any build)."""

    cer: float
    judge: str  # "Whisper base", "Vosk Korean"

    @property
    def understood(self) -> bool:
        return self.cer < POORLY_UNDERSTOOD


@dataclass(frozen=True)
class Voice:
    """The voice an engine is asked to speak with: guide.yaml's ``voices.<lang>:`` for it,
    checked (:meth:`Engine.check`), and every setting the engine declares, given or default."""

    engine: str = AUTO  # the engine's name
    voice: str | None = None  # the engine's voice: an espeak-ng voice name, a Piper model, ...
    settings: tuple[tuple[str, object], ...] = ()  # (name, value), sorted by name

    def get(self, name: str, default: object = None) -> object:
        """The value of setting ``name`` (``default`` when it has none)."""
        return dict(self.settings).get(name, default)

    def identity(self) -> dict[str, object]:
        """What decides the sound, for cache keys: the voice and every setting."""
        return {"voice": self.voice, **dict(self.settings)}


class Engine(ABC):
    r"""A voice engine. The pipeline makes one instance per process (``get_engine(name)``), takes
    it through these steps, and calls nothing else:

    1. ``available()`` -> ``bool``: whether it can speak now, answered within about a second and
       without raising (the network voice probes its server; an offline voice loads its library).
       ``auto`` and ``audioguide voices`` ask it.
    2. ``supports(language)`` -> ``bool``: whether it has a voice for the language at all.
    3. ``check(language, voice)`` -> ``Voice``: called once per language before the build writes
       anything. It validates the settings of ``guide.yaml``'s ``voices:`` for this engine (a
       ``voice:`` name the engine does not offer, a model file that is missing) and returns them
       as :meth:`synthesize` will get them (for example a model path made absolute). Raises
       :class:`EngineError` saying what is wrong and what to do, never anything else; a name it
       was given must never reach a native library unchecked.
    4. ``version(language, voice)`` -> ``str``: what identifies the sound it makes, part of every
       cache key (library version, model hash), so a new version never reuses old clips.
    5. ``describe(language, voice)`` -> ``str``: a short name of the voice for tags and the
       manifest.
    6. ``synthesize(text, language, voice)`` -> ``Clip``: speak one sentence (already split,
       normalised, lexicon applied; the pipeline never hands over an empty one). The clip has no
       silence added at its end. ``Clip.words`` holds (character offset in ``text``, ms) for
       each word the engine can time, else is empty. It may be called from several threads
       (``parallel = "thread"``) or worker processes (``parallel = "process"``), each with its
       own instance. Raises :class:`EngineError` naming the sentence (:func:`shorten`) and the
       fix; any other exception is a bug in the engine.

    What a sentence becomes before ``synthesize`` gets it is the engine's too:
    ``normalise(text, language)`` rewrites what the engine misreads (numbers, units: none by
    default), and ``spoken(parts)`` makes one text of the lexicon's parts (plain text and, for an
    engine with a ``phonemes`` alphabet, :class:`~audioguide.lexicon.Phonemes`).

    Class attributes tell the pipeline how to use it: ``parallel`` ("process" for CPU-bound
    engines or ones with process-global state; "thread" for ones that wait on the network);
    ``phonemes``: the PLS alphabet (``x-espeak``) of the phonemes :meth:`spoken` can put in the
    text, or None when only a lexicon's ``<alias>`` respellings apply to it; ``settings``: the
    :class:`Setting`\ s it takes in guide.yaml, checked before the build writes anything.
    ``synthesis_bound``: whether speaking takes far longer than encoding what was said (a
    neural voice): the build then hands out its sentences as jobs of their own, the longest
    first, before the tracks are joined from the cache, so that every core speaks to the end.
    ``voices(language)`` lists the ``voice:`` values it offers, for ``audioguide voices``.
    ``measured`` is data: what is known of how well its voice for a language (by locale id) is
    understood, each judge's figure (:class:`Measured`); the build warns when every figure says
    poorly understood, and the manifest records them.
    """

    name: ClassVar[str]
    parallel: ClassVar[str] = "process"
    synthesis_bound: ClassVar[bool] = False
    phonemes: ClassVar[str | None] = None
    settings: ClassVar[tuple[Setting, ...]] = ()
    measured: ClassVar[dict[str, tuple[Measured, ...]]] = {}

    def known_quality(self, language: Language) -> tuple[Measured, ...]:
        """What :attr:`measured` says of this engine's voice for ``language`` (its locale id,
        else its bare language code), each judge's figure; empty when nothing is known."""
        return self.measured.get(language.locale_id, self.measured.get(language.code, ()))

    @abstractmethod
    def available(self) -> bool:
        """Whether the engine can speak now (a quick check, about a second at most)."""

    @abstractmethod
    def supports(self, language: Language) -> bool:
        """Whether the engine has a voice for this language."""

    def check(self, language: Language, voice: Voice) -> Voice:
        """The settings as :meth:`synthesize` will get them; raises EngineError if unusable."""
        if not self.supports(language):
            raise EngineError(
                f"the {self.name} voice cannot speak {language.english_name} ({language.tag}); "
                f"choose another engine under voices: {language.locale_id}: in guide.yaml"
            )
        return voice

    @abstractmethod
    def version(self, language: Language, voice: Voice) -> str:
        """Identifies the voice's output; goes into every cache key."""

    def describe(self, language: Language, voice: Voice) -> str:
        """A short human-readable name of the voice, for tags and the manifest."""
        return f"{self.name} {language.tag}"

    def files(self, language: Language, voice: Voice) -> tuple[Path, ...]:
        """Files the voice is read from that no installed package holds (a model given by its
        path): a rebuild that finds one changed cannot take the build's stamp for granted."""
        return ()

    def voices(self, language: Language) -> tuple[str, ...]:
        """The ``voice:`` values this engine offers for ``language`` (empty: only its default)."""
        return ()

    def normalise(self, text: str, language: Language) -> str:
        """``text`` with what this engine misreads in ``language`` rewritten (nothing, here)."""
        return text

    def spoken(self, parts: Sequence[str | Phonemes]) -> str:
        """The one text ``synthesize`` is given for a sentence's parts: here the text parts
        joined (an engine with a ``phonemes`` alphabet puts its phonemes in its own way)."""
        if any(isinstance(part, Phonemes) for part in parts):
            raise EngineError(f"the {self.name} voice takes no phonemes")
        return "".join(parts)

    @abstractmethod
    def synthesize(self, text: str, language: Language, voice: Voice) -> Clip:
        """Speak one sentence. Raises EngineError (see the class docstring)."""


RATE = Setting(
    "rate",
    "words per minute from 80 to 450",
    lambda v: isinstance(v, int) and not isinstance(v, bool) and 80 <= v <= 450,
)  # voices.<lang>.rate, for espeak-ng and Piper (175 is normal)


def shorten(text: str, width: int = 40) -> str:
    """The start of a sentence for an error message: one line, at most ``width`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
