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
from dataclasses import dataclass
from pathlib import Path

from . import lexicon
from .engines import AUTO, Engine, Measured, Voice, auto_engine, choices, get_engine
from .errors import EngineError, ScriptError
from .languages import Language
from .script import GUIDE_FILE, Guide, VoiceChoice
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
    lexicon: lexicon.Entries = ()  # (grapheme, what the engine is given instead)
    quality: tuple[Measured, ...] = ()  # how well it is understood, as measured (none: unknown)

    @property
    def poorly_understood(self) -> bool:
        """Whether every measurement of this voice says listeners will not understand it."""
        return bool(self.quality) and not any(m.understood for m in self.quality)


def speaker(
    engine_name: str, language: Language, voice: Voice, lexicon: lexicon.Entries = ()
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
        quality=engine.known_quality(language),
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
    where = guide.path / GUIDE_FILE
    speakers = {}
    online: bool | None = None  # whether Google answers: asked once, and only for auto
    for language in languages:
        choice = guide.voice(language)
        if choice.engine not in choices():
            raise ScriptError(f"voices.{language.locale_id}.engine must be one of "
                              f"{', '.join(choices())}, not {choice.engine!r}", where,
                              choice.engine_line)  # fmt: skip
        name = override or choice.engine
        if name == AUTO:
            if online is None:
                online = get_engine("gtts").available()
                if not online:
                    log.info("gTTS is not reachable; speaking with the offline espeak-ng voice")
            name = auto_engine(language, online)
        engine = get_engine(name)
        # guide.yaml's voice: belongs to the engine it names (espeak's, for auto); another
        # engine (chosen with --engine, or by auto) takes the settings it has too.
        owner = "espeak" if choice.engine == AUTO else choice.engine
        voice = Voice(
            engine=name,
            voice=choice.voice if name == owner else None,
            settings=_settings(engine, choice, language, where, checked=name == choice.engine),
        )
        try:
            voice = engine.check(language, voice)
        except EngineError as exc:
            if override:
                raise EngineError(f"{exc.message} (chosen with --engine {override})") from None
            raise ScriptError(exc.message, where, choice.line) from None
        words = lexicons[language.tag]
        for problem in words.unusable(engine):
            log.warning(problem)
        speakers[language.tag] = speaker(name, language, voice, words.entries(engine))
        log.debug(f"{language.tag}: spoken by {speakers[language.tag].description}")
    return speakers


def warn_poorly_understood(speakers: dict[str, Speaker]) -> None:
    """One warning line for each voice known to be poorly understood, saying what to do."""
    for tag, who in speakers.items():
        if who.poorly_understood:
            figures = ", ".join(f"{m.judge} {m.cer:.2f}" for m in who.quality)
            name = who.language.english_name
            log.warning(
                f"{tag}: {who.description} is poorly understood by listeners (character error "
                f"rate of a speech recogniser: {figures}); speak {name} with gTTS (online) or "
                f"an offline neural voice (Piper, Kokoro or a plug-in) where one exists for it"
            )


def _settings(
    engine: Engine, choice: VoiceChoice, language: Language, where: Path, checked: bool
) -> tuple[tuple[str, object], ...]:
    """Every setting ``engine`` declares: as guide.yaml gives it, or its default. A setting the
    engine does not declare is refused when guide.yaml names that engine for the language
    (``checked``); otherwise it is left to the engine it was written for."""
    declared = {setting.name: setting for setting in engine.settings}
    values = {name: setting.default for name, setting in declared.items()}
    for key, value, line in choice.settings:
        setting = declared.get(key)
        given = f"voices.{language.locale_id}.{key}"
        if setting is None:
            if checked:
                known = ", ".join(["engine", "voice", *declared])
                raise ScriptError(f"{given} is not a setting of the {engine.name} voice (its "
                                  f"settings are {known}); remove it", where, line)  # fmt: skip
            continue
        if not setting.check(value):
            raise ScriptError(f"{given} must be {setting.expected}, not {value!r}", where, line)
        values[key] = value
    return tuple(sorted(values.items()))


def sentences(text: str, who: Speaker) -> list[tuple[str, str, lexicon.Entries]]:
    """The sentences of ``text`` that have something to say: each as written, as ``who`` is
    given it, and the lexicon entries applied to it."""
    found = []
    for sentence in split_sentences(text, who.language):
        said, applied = for_speech(sentence, who.language, get_engine(who.engine), who.lexicon)
        if any(ch.isalnum() for ch in said):
            found.append((sentence, said, applied))
    return found
