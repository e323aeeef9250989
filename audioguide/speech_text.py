"""Text to be spoken: sentence splitting, chunking for gTTS, and light per-engine normalisation.

Small pure functions over ``str``. The written transcript always keeps the original text; what
:func:`normalize_for_speech` returns is only ever handed to a voice.

- :func:`split_sentences` cuts a paragraph into sentences (CJK and Latin punctuation).
- :func:`chunk_for_gtts` cuts a long sentence into pieces of at most 100 characters, at a clause
  boundary where there is one.
- :func:`normalize_for_speech` rewrites the few things a given engine misreads (see ``_RULES``).
- :func:`for_speech` is what the pipeline calls: the lexicon's entries, then normalisation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from . import lexicon
from .languages import Language

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


# --- chunks for gTTS ---------------------------------------------------------------------------

# Clause boundaries: the cut goes right after the match. A comma or colon between digits
# (5,000 or 10:30) is not a boundary.
_CLAUSE = re.compile(r"(?:(?<!\d)[,;:](?!\d)|[,;:](?=\s)|[，、；：]|\s?[—–]\s?|\s-\s)")
_WORD_CHAR = re.compile(r"[0-9A-Za-z]")


def chunk_for_gtts(sentence: str, limit: int = 100) -> list[str]:
    """Cut a sentence into stripped pieces of at most ``limit`` characters.

    Each cut goes after the last clause boundary that fits (``,;:``, ``，、；：``, dashes), else at
    the last space that fits, else (CJK text without punctuation) hard at ``limit`` characters,
    moved back so that it does not cut a number or Latin word in two.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    chunks: list[str] = []
    rest = sentence.strip()
    while len(rest) > limit:
        cut = _cut_position(rest, limit)
        chunks.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    chunks.append(rest)
    # A piece of punctuation alone ("。" after a hard cut) has nothing to say; gTTS would return
    # no audio for it.
    return [c for c in chunks if _speakable(c)]


def _speakable(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _cut_position(text: str, limit: int) -> int:
    window = text[: limit + 1]  # a boundary may be the character right after the limit
    clauses = [
        m.end()
        for m in _CLAUSE.finditer(window)
        if len(text[: m.end()].rstrip()) <= limit and _speakable(text[: m.start()])
    ]
    if clauses:
        return clauses[-1]
    space = window.rfind(" ")
    if space > 0 and _speakable(text[:space]):
        return space
    cut = limit
    # Hard cut: step back to the start of a number or Latin word if one straddles the cut.
    while cut > 0 and _WORD_CHAR.match(text[cut - 1]) and _WORD_CHAR.match(text[cut]):
        cut -= 1
    return cut or limit


# --- normalisation -----------------------------------------------------------------------------

_DIGITS_ZH = "零一二三四五六七八九"
_DIGITS_KO = "영일이삼사오육칠팔구"
_GROUPS_ZH = ("", "万", "亿", "万亿")


def chinese_number(number: int) -> str:
    """Read a non-negative integer in Mandarin: 205 -> 二百零五, 12000 -> 一万二千."""
    if number < 0 or number >= 10**16:
        raise ValueError("chinese_number reads integers from 0 to 10**16 - 1")
    if number == 0:
        return _DIGITS_ZH[0]
    groups = []
    while number:
        number, group = divmod(number, 10_000)
        groups.append(group)
    out = ""
    zero_pending = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero_pending = bool(out)
            continue
        if out and (zero_pending or group < 1000):
            out += "零"
        out += _chinese_below_10000(group) + _GROUPS_ZH[index]
        zero_pending = False
    if out.startswith("一十"):  # 12 -> 十二, 120000 -> 十二万
        out = out[1:]
    if out[:2] in {"二千", "二万", "二亿"}:  # 2000 -> 两千
        out = "两" + out[1:]
    return out


def _chinese_below_10000(number: int) -> str:
    out = ""
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS_ZH[digit] + unit
    return out


def _chinese_decimal(text: str) -> str:
    """Read a decimal in Mandarin: 1,234.05 -> 一千二百三十四点零五."""
    whole, _, fraction = text.replace(",", "").partition(".")
    if len(whole) > 16 or (len(whole) > 1 and whole.startswith("0")):
        spoken = _chinese_digits(whole)  # a code or serial number: digit by digit
    else:
        spoken = chinese_number(int(whole))
    if fraction:
        spoken += "点" + "".join(_DIGITS_ZH[int(d)] for d in fraction)
    return spoken


_Replacement = str | Callable[[re.Match[str]], str]


@dataclass(frozen=True)
class _Rule:
    language: str  # Language.code
    engines: frozenset[str]
    pattern: re.Pattern[str]
    replacement: _Replacement


def _rule(language: str, engines: str, pattern: str, replacement: _Replacement) -> _Rule:
    return _Rule(language, frozenset(engines.split()), re.compile(pattern), replacement)


_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"  # 12, 5,000, 3.5
_UNIT_END = r"(?![A-Za-z])"
_RANGE = r"(?<![\d.,-])(\d+)\s?"  # the start of "2-3", "10 – 12", "2~3" (not a date or code)

# What each engine misreads, found with espeak_TextToPhonemes (espeak-ng 1.52). gTTS gets no
# rules: Google reads numbers, percentages, units and abbreviations correctly. Applied in order.
_RULES: tuple[_Rule, ...] = (
    # English, espeak: "Mr." ends a clause (a pause mid-name); "2-3" is "two dash three";
    # "km" and "kg" are spelled out as letters.
    _rule("en", "espeak", r"\b(Mr|Mrs|Ms|Dr|St)\.(?=\s)", r"\1"),
    _rule("en", "espeak", r"\bProf\.(?=\s)", "Professor"),
    _rule("en", "espeak", rf"{_RANGE}[-–]\s?(\d+)(?![\d-])", r"\1 to \2"),
    _rule("en", "espeak", rf"(?<![\d.,])1\s?km{_UNIT_END}", "1 kilometre"),
    _rule("en", "espeak", rf"({_NUMBER})\s?km{_UNIT_END}", r"\1 kilometres"),
    _rule("en", "espeak", rf"(?<![\d.,])1\s?kg{_UNIT_END}", "1 kilogram"),
    _rule("en", "espeak", rf"({_NUMBER})\s?kg{_UNIT_END}", r"\1 kilograms"),
    # Korean, espeak: "%", "km", "°C" switch to the English voice; "3.5" loses its 점.
    _rule("ko", "espeak", rf"({_NUMBER})\s?°C", r"섭씨 \1도"),
    _rule("ko", "espeak", rf"({_NUMBER})\s?%", r"\1퍼센트"),
    _rule("ko", "espeak", rf"({_NUMBER})\s?km{_UNIT_END}", r"\1킬로미터"),
    _rule("ko", "espeak", rf"({_NUMBER})\s?kg{_UNIT_END}", r"\1킬로그램"),
    _rule("ko", "espeak", rf"{_RANGE}[-–~]\s?(\d+)(?![\d-])", r"\1에서 \2"),
    _rule(
        "ko",
        "espeak",
        r"(?<![\d.])(\d+)\.(\d+)(?![\d.])",
        lambda m: m[1] + "점 " + "".join(_DIGITS_KO[int(d)] for d in m[2]),
    ),
    # Chinese, espeak: integers are misread (205 as 二百五, 1005 as 一千五, 10000 as 十千), years
    # are read as amounts, "%", "km" and "°C" switch to the English voice. Numbers become hanzi.
    _rule("zh", "espeak", r"(?<!\d)(\d{4})\s?年", lambda m: _chinese_digits(m[1]) + "年"),
    _rule("zh", "espeak", rf"({_NUMBER})\s?%", lambda m: "百分之" + _chinese_decimal(m[1])),
    _rule("zh", "espeak", rf"({_NUMBER})\s?°C", r"\1摄氏度"),
    _rule("zh", "espeak", rf"({_NUMBER})\s?km{_UNIT_END}", r"\1公里"),
    _rule("zh", "espeak", rf"({_NUMBER})\s?kg{_UNIT_END}", r"\1公斤"),
    _rule("zh", "espeak", rf"{_RANGE}[-–~]\s?(\d+)(?![\d-])", r"\1到\2"),
    _rule("zh", "espeak", rf"(?<![\d.,]){_NUMBER}(?![\d])", lambda m: _chinese_decimal(m[0])),
)


def _chinese_digits(digits: str) -> str:
    return "".join(_DIGITS_ZH[int(d)] for d in digits)


def normalize_for_speech(text: str, language: Language, engine: str) -> str:
    """Return what ``engine`` should be given to read ``text`` aloud in ``language``.

    Only the few patterns that engine misreads in that language are rewritten; everything else
    is returned unchanged. Word positions the engine reports refer to the returned text.
    """
    for rule in _RULES:
        if rule.language == language.code and engine in rule.engines:
            text = rule.pattern.sub(rule.replacement, text)
    return text


_PHONEMES = re.compile(r"(\[\[.*?\]\])")


def for_speech(
    text: str, language: Language, engine: str, entries: tuple[tuple[str, str], ...] = ()
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """What ``engine`` is given to read the sentence ``text``, and the lexicon entries that were
    applied to it. ``entries`` are (grapheme, replacement) pairs from the language's lexicon
    (:meth:`audioguide.lexicon.Lexicon.entries`); they apply to the written text, then
    :func:`normalize_for_speech` rewrites what lies outside inline phonemes (``[[...]]``)."""
    said, applied = lexicon.apply(text, entries)
    pieces = _PHONEMES.split(said)
    said = "".join(
        piece if n % 2 else normalize_for_speech(piece, language, engine)
        for n, piece in enumerate(pieces)
    )
    return said, applied
