"""Who speaks each language, and what they are given to read.

:func:`choose` picks each language's voice before anything is written: the engine guide.yaml or
``--engine`` names (``auto`` resolved by the registry), its settings checked by the engine, and
the lexicon entries the engine can apply. :func:`sentences` is the one way a text becomes what a
voice is given: split into sentences, the lexicon and the engine's own text rules applied,
sentences with nothing to say left out. The build, ``audioguide say`` and ``audioguide voices``
all go through here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from . import lexicon
from .engines import AUTO, auto_engine, get_engine
from .errors import EngineError, ScriptError
from .languages import Language
from .script import GUIDE_FILE, Guide, Voice
from .speech_text import for_speech, split_sentences

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Speaker:
    """A voice: an engine speaking one language with given settings."""

    engine: str
    language: Language
    voice: Voice
    version: str  # the engine's version, part of every clip's cache key
    description: str  # for tags and the manifest
    lexicon: tuple[tuple[str, str], ...] = ()  # (grapheme, what the engine is given instead)


def speaker(
    engine_name: str, language: Language, voice: Voice, lexicon: tuple[tuple[str, str], ...] = ()
) -> Speaker:
    """The speaker ``engine_name`` makes of ``voice`` (already checked) for ``language``."""
    engine = get_engine(engine_name)
    return Speaker(
        engine=engine_name,
        language=language,
        voice=voice,
        version=engine.version(language, voice),
        description=engine.describe(language, voice),
        lexicon=lexicon,
    )


def choose(
    guide: Guide,
    languages: list[Language],
    lexicons: dict[str, lexicon.Lexicon],
    override: str | None,
) -> dict[str, Speaker]:
    """Each language's speaker, by tag: the engine chosen (``override`` is ``--engine``), its
    settings checked by the engine, and the lexicon entries it can apply. Raises
    :class:`ScriptError` naming guide.yaml's line (or :class:`EngineError` naming the option)."""
    speakers = {}
    online: bool | None = None  # whether Google answers: asked once, and only for auto
    for language in languages:
        voice = guide.voice(language)
        name = override or voice.engine
        if name != voice.engine and name != _voice_owner(voice):
            voice = replace(voice, voice=None)  # guide.yaml's voice: is another engine's
        if name == AUTO:
            if online is None:
                online = get_engine("gtts").available()
                if not online:
                    log.info("gTTS is not reachable; speaking with the offline espeak-ng voice")
            name = auto_engine(language, online)
        engine = get_engine(name)
        try:
            voice = engine.check(language, voice)
        except EngineError as exc:
            if override:
                raise EngineError(f"{exc.message} (chosen with --engine {override})") from None
            where = guide.path / GUIDE_FILE
            raise ScriptError(exc.message, where, guide.voice_line(language)) from None
        words = lexicons[language.tag]
        for problem in words.unusable(engine):
            log.warning(problem)
        speakers[language.tag] = speaker(name, language, voice, words.entries(engine))
        log.debug(f"{language.tag}: spoken by {speakers[language.tag].description}")
    return speakers


def _voice_owner(voice: Voice) -> str:
    """The engine guide.yaml's ``voice:`` is meant for: the one it names (espeak for auto)."""
    return "espeak" if voice.engine == AUTO else voice.engine


def sentences(text: str, who: Speaker) -> list[tuple[str, str, tuple[tuple[str, str], ...]]]:
    """The sentences of ``text`` that have something to say: each as written, as ``who`` is
    given it, and the lexicon entries applied to it."""
    found = []
    for sentence in split_sentences(text, who.language):
        said, applied = for_speech(sentence, who.language, who.engine, who.lexicon)
        if any(ch.isalnum() for ch in said):
            found.append((sentence, said, applied))
    return found
