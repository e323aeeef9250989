"""The voice contract: text + language + voice settings in, a :class:`~audioguide.clip.Clip` out.

An engine is a subclass of :class:`Engine` registered under a name: built-in ones in
:data:`audioguide.engines.BUILT_IN`, third-party ones as an entry point in the
``audioguide.engines`` group (``tone = "audioguide_tone:ToneEngine"``). The pipeline never names
an engine: the CLI's ``--engine`` choices, the check of ``guide.yaml`` and every voice code come
from the registry and from the engines themselves.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

from ..clip import Clip
from ..errors import EngineError
from ..languages import Language

if TYPE_CHECKING:
    from ..script import Voice

__all__ = ["Clip", "Engine", "shorten"]


class Engine(ABC):
    """A voice engine. The pipeline makes one instance per process (``get_engine(name)``), takes
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

    Two class attributes tell the pipeline how to use it: ``parallel`` ("process" for CPU-bound
    engines or ones with process-global state; "thread" for ones that wait on the network), and
    ``phonemes``: the PLS alphabet (``x-espeak``) of the phonemes :meth:`inline_phonemes` can put
    in the text, or None when only a lexicon's ``<alias>`` respellings apply to it.
    ``voices(language)`` lists the ``voice:`` values it offers, for ``audioguide voices``.
    """

    name: ClassVar[str]
    parallel: ClassVar[str] = "process"
    phonemes: ClassVar[str | None] = None

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

    def voices(self, language: Language) -> tuple[str, ...]:
        """The ``voice:`` values this engine offers for ``language`` (empty: only its default)."""
        return ()

    def inline_phonemes(self, phonemes: str) -> str:
        """Text that makes the engine say ``phonemes`` (in the ``phonemes`` alphabet)."""
        raise NotImplementedError(f"{self.name} takes no phonemes")

    @abstractmethod
    def synthesize(self, text: str, language: Language, voice: Voice) -> Clip:
        """Speak one sentence. Raises EngineError (see the class docstring)."""


def shorten(text: str, width: int = 40) -> str:
    """The start of a sentence for an error message: one line, at most ``width`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
