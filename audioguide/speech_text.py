"""Text to be spoken: sentence splitting, and a sentence as a voice is given it.

Small pure functions over ``str``. The written transcript always keeps the original text; what
:func:`for_speech` returns is only ever handed to a voice.

- :func:`split_sentences` cuts a paragraph into sentences (CJK and Latin punctuation).
- :func:`for_speech` is what the pipeline calls (through :func:`audioguide.speakers.sentences`):
  the lexicon's entries, then the engine's own rules for what it misreads.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import lexicon
from .languages import Language

if TYPE_CHECKING:
    from .engines import Engine

# --- sentences ------------------------------------------------------------------------------

_CLOSERS = "\"'”’」』）)】》〉]"
# A run of sentence-ending punctuation and the quotes or brackets that close after it.
_END = re.compile(rf"(?:[。！？][。！？!?…]*|[.!?…]+)[{re.escape(_CLOSERS)}]*")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# Abbreviations after which a period never ends a sentence (compared in lower case).
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "e.g", "i.e", "cf", "approx"}
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Languages written without spaces, where ASCII ! and ? end a sentence right before the next word.
_NO_SPACES = frozenset({"zh", "ja"})


def split_sentences(text: str, language: Language) -> list[str]:
    """Split a paragraph into stripped sentences, in order, losing no characters but whitespace.

    ``。！？`` end a sentence wherever they stand; ASCII ``.!?…`` only before whitespace or the end
    of the text (so ``3.5``, ``5,000`` and ``COVID-19`` stay whole), not after an abbreviation
    such as ``Mr.`` or ``e.g.``, and not when the next word starts in lower case (``U.S. market``).
    Closing quotes and brackets stay with the sentence they close. A blank line ends a sentence.
    """
    sentences: list[str] = []
    for block in _PARAGRAPH_BREAK.split(text):
        start = 0
        for match in _END.finditer(block):
            if _ends_sentence(block, match, language):
                sentences.append(block[start : match.end()])
                start = match.end()
        sentences.append(block[start:])
    return [s.strip() for s in sentences if s.strip()]


def _ends_sentence(text: str, match: re.Match[str], language: Language) -> bool:
    marks = match.group()
    if marks[0] in "。！？":
        return True
    after = text[match.end() :]
    if after and not after[0].isspace():
        # "3.5", "U.S." inside a token; in Chinese "好!我们" still ends at the "!".
        return language.code in _NO_SPACES and marks[0] in "!?" and bool(_CJK.match(after))
    following = after.lstrip()[:1]
    if following.islower():  # "e.g. rice", "the U.S. market", "“Where?” he asked."
        return False
    if marks.startswith(".") and marks.rstrip(_CLOSERS) == ".":
        before = text[: match.start()].split()
        word = before[-1].lstrip(_CLOSERS + "(“‘「『（") if before else ""
        if word.lower() in _ABBREVIATIONS:
            return False
    return True


def for_speech(
    text: str, language: Language, engine: Engine, entries: lexicon.Entries = ()
) -> tuple[str, lexicon.Entries]:
    """What ``engine`` is given to read the sentence ``text``, and the lexicon entries that were
    applied to it. ``entries`` are (grapheme, replacement) pairs from the language's lexicon
    (:meth:`audioguide.lexicon.Lexicon.entries`); they apply to the written text, then the
    engine's own rules (:meth:`~audioguide.engines.Engine.normalise`) rewrite the text around
    the lexicon's phonemes, and the engine makes one text of it all."""
    parts, applied = lexicon.apply(text, entries)
    said = engine.spoken([
        part if isinstance(part, lexicon.Phonemes) else engine.normalise(part, language)
        for part in parts
    ])  # fmt: skip
    return said, applied
