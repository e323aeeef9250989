"""What a translator or author asks of the voices without building the guide.

- :func:`survey`: the engines and voices available now for each of the guide's languages, and
  what ``auto`` would pick (``audioguide voices``);
- :func:`say`: one word or sentence spoken with the language's voice and lexicon
  (``audioguide say``);
- :func:`unused_lexemes`: lexemes whose grapheme occurs nowhere in the guide
  (``audioguide stats``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import audio, catalogs, lexicon, speech
from .engines import auto_engine, engine_names, get_engine
from .errors import AudioGuideError, BuildError, EngineError, OptionError
from .files import refuse_special, write_atomic
from .languages import Language
from .script import Guide
from .speakers import choose, sentences
from .strings import TRACK_ANNOUNCEMENT

SAY_PAUSE_MS = 400  # between the sentences of `audioguide say`


@dataclass(frozen=True)
class EngineVoices:
    engine: str
    state: str  # "available", "reachable", "not reachable", "not installed", or why not
    voices: tuple[str, ...]  # what voice: may name for the language (empty: none or default)
    speaks: bool  # whether it can speak the language now


@dataclass(frozen=True)
class LanguageVoices:
    language: Language
    engines: tuple[EngineVoices, ...]
    configured: str  # guide.yaml's engine for the language (or auto)
    auto: str  # the engine auto picks now


def survey(guide: Guide, languages: list[Language]) -> list[LanguageVoices]:
    """Every engine's state and voices for each language (asks gTTS's server once)."""
    states: dict[str, str] = {}
    for name in engine_names():
        try:
            engine = get_engine(name)
        except EngineError as exc:
            states[name] = exc.message
            continue
        up = engine.available()
        if engine.parallel == "thread":  # a network voice
            states[name] = "reachable" if up else "not reachable"
        else:
            states[name] = "available" if up else "not installed"
    usable = {"available", "reachable"}
    found = []
    for language in languages:
        rows = []
        for name in engine_names():
            if states[name] not in usable:
                rows.append(EngineVoices(name, states[name], (), False))
                continue
            engine = get_engine(name)
            speaks = engine.supports(language)
            rows.append(EngineVoices(name, states[name], engine.voices(language), speaks))
        found.append(
            LanguageVoices(
                language=language,
                engines=tuple(rows),
                configured=guide.voice(language).engine,
                auto=auto_engine(language, states.get("gtts") == "reachable"),
            )
        )
    return found


def say(
    guide: Guide,
    locales: Path,
    language: Language,
    text: str,
    engine: str | None,
    path: Path,
) -> list[str]:
    """Speak ``text`` as the guide's voice for ``language`` would, its lexicon applied, into the
    MP3 ``path`` (loudness-normalised like a track). Returns what the voice was given, per
    sentence."""
    check_target(path, guide.path, locales)
    words = {language.tag: lexicon.load(locales, language)}
    who = choose(guide, [language], words, engine)[language.tag]
    spoken = [said for _, said, _ in sentences(text, who)]
    if not spoken:
        raise AudioGuideError(f"{text!r} has no words to speak; give a word or a sentence")
    clips = [speech.synthesise(said, who) for said in spoken]
    joined = speech.join(clips, [*[SAY_PAUSE_MS] * (len(clips) - 1), 0], lead_ms=0)
    with tempfile.TemporaryDirectory(prefix="audioguide-say-") as folder:
        mp3 = Path(folder) / "say.mp3"
        audio.encode_normalised(joined.pieces, mp3)
        write_atomic(path, mp3.read_bytes())
    return spoken


def _is_mp3(head: bytes) -> bool:
    """Whether a file's first bytes are those of an MP3 (ID3 tags or an MPEG audio frame)."""
    return head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


def check_target(
    path: Path,
    scripts: Path,
    locales: Path,
    kind: str = "an MP3",
    replaceable: Callable[[bytes], bool] = _is_mp3,
    made_later: Path | None = None,
    option: str = "-o",
) -> None:
    """``-o``: a new (or empty) file, or one to replace (an MP3, or what ``replaceable`` accepts
    from the file's first bytes), in a folder that exists (or is ``made_later``) and is none of
    the guide's own (a script or catalog is never overwritten). ``kind`` names what it is for
    errors, with its article ("an MP3"); ``option``, the option that gave the path."""
    where = Path(path).resolve()
    if not where.parent.is_dir() and not (
        made_later is not None and where.parent == Path(made_later).resolve()
    ):
        raise OptionError(
            f"{option} {path}: the folder {path.parent} does not exist; create it first"
        )
    for folder in (scripts, locales):
        if where.is_relative_to(Path(folder).resolve()):
            raise OptionError(
                f"{option} {path} is inside the guide's folder {folder}; write the "
                f"{kind.split(' ', 1)[1]} elsewhere"
            )
    try:
        refuse_special(path)
    except BuildError as exc:
        raise OptionError(f"{option} {exc.message}") from None
    if where.is_file():
        with open(where, "rb") as handle:
            head = handle.read(1024)
        if head and not replaceable(head):  # an empty file holds nothing to lose
            raise OptionError(
                f"{option} {path} is already there and is not {kind}; give the name of a new file"
            )


def unused_lexemes(guide: Guide, locales: Path) -> list[str]:
    """One line per lexeme (in any language) whose graphemes occur nowhere the guide speaks:
    its texts and each track's announcement."""
    lines = []
    for language in guide.languages:
        words = lexicon.load(locales, language)
        if not words.lexemes:
            continue
        try:
            translation = catalogs.translation(guide, locales, language)
        except AudioGuideError:
            continue  # stats reports a catalog it cannot read
        texts = [translation(text.value).text for text in guide.texts()]
        announcement = translation.tool_template(TRACK_ANNOUNCEMENT).text
        texts += [
            catalogs.fill(announcement, number=s.position, total=len(guide.sections), title="")
            for s in guide.sections
        ]
        lines += words.unused(texts)
    return lines
