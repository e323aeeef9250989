"""Pronunciation lexicons: ``locales/<lang>/pronunciation.pls``, W3C PLS 1.0, owned by translators.

A lexicon says how to speak words a voice gets wrong. Each ``<lexeme>`` has one or more
``<grapheme>`` (the word as written in the guide) and an ``<alias>`` (a respelling, which every
engine can speak) and/or a ``<phoneme>`` (in the lexicon's ``alphabet``, or the phoneme's own;
an engine that takes phonemes in that alphabet, espeak with ``x-espeak``, speaks them as given
and ignores the alias). The lexicon changes only what voices are given: captions, transcripts,
the player and the books keep the written text.

Matching (:func:`apply`): graphemes are found as written, case-sensitive, left to right, the
longest first where several start at the same place; replaced text is not searched again. A
match must be a whole word: the character before it must not be a letter, digit or combining
mark, and neither may the character after it ("market" is not found in "supermarket"). Two
exceptions, for scripts that do not put spaces between all words:

- Chinese and Japanese: next to a Han or Kana character there is always a word edge, so 张明 is
  found in "我和张明说" and "BBC" in "在BBC工作".
- Korean writes particles and endings onto the word they follow. Where Hangul follows a
  grapheme, the Hangul up to the end of the word must be one of :data:`KOREAN_ENDINGS`,
  optionally after 들 (the plural). So 장마당 is found in "장마당에서" and "장마당들의", and BBC
  in "BBC는", but 장마당 is not found in "장마당세대", nor 5개 in "5개국" (five countries, said
  오 개국, where an alias 다섯 개 for 5개 would be wrong). A word starts after a space or
  punctuation, as elsewhere: 장마당 is not found in "새장마당".

Why a closed list, and not whole words only: a translator writes a word once, as a dictionary
does, and it is found with whatever particle the sentence gives it. With whole words, every
inflected form would need a lexeme of its own, each with the ending spelled into its alias (an
alias replaces its whole grapheme), and a form left out would be misread without a warning.
The list is closed so that a grapheme never runs on into another word, whose reading may differ
(5개국, 5개월). A form the list lacks, or a word whose start only looks like a particle (세종로,
Sejong Road: 로), gets a lexeme of its own: the longest grapheme wins.

Parsing uses defusedxml: a DOCTYPE or an entity is refused (no file or URL is ever read), and
anything not well-formed or not PLS is a :class:`LexiconError` naming the file and line. The file
is read as scripts are: a regular file inside the locales folder (not a symbolic link leading
elsewhere); errors describe what is wrong without quoting what failed to parse.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import NoReturn
from xml.sax import ContentHandler, InputSource, SAXException, SAXParseException
from xml.sax.handler import feature_namespaces
from xml.sax.xmlreader import AttributesNSImpl, Locator

from defusedxml import DefusedXmlException
from defusedxml.sax import make_parser

from .errors import LexiconError
from .files import read_input
from .languages import Language, other_spellings, resolve

FILE_NAME = "pronunciation.pls"
MAX_FILE_BYTES = 4 * 1024 * 1024
PLS = "http://www.w3.org/2005/01/pronunciation-lexicon"
XML = "http://www.w3.org/XML/1998/namespace"
_FIX = "see the README's section on pronunciation"
_ELEMENTS = frozenset(("lexicon", "lexeme", "grapheme", "phoneme", "alias", "example", "meta",
                       "metadata"))  # fmt: skip

_UNSPACED = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]"
)
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]+")


class Phonemes(str):
    """Phonemes to speak as they are, in the alphabet of the engine they are given to (a part of
    what :func:`apply` returns, beside plain text)."""

    __slots__ = ()


Entries = tuple[tuple[str, "str | Phonemes"], ...]  # (grapheme, what is said instead)
Parts = tuple["str | Phonemes", ...]  # a sentence as the engine gets it: text and phonemes


@dataclass(frozen=True)
class Lexeme:
    graphemes: tuple[str, ...]
    alias: str | None
    phoneme: str | None
    alphabet: str  # of the phoneme
    line: int

    def replacement(self, engine: object) -> str | Phonemes | None:
        """What ``engine`` (an :class:`~audioguide.engines.Engine`) is given instead: the
        phonemes when the engine takes phonemes in their alphabet, else the alias; None when
        neither applies."""
        alphabet = getattr(engine, "phonemes", None)
        if self.phoneme is not None and alphabet is not None and self.alphabet == alphabet:
            return Phonemes(self.phoneme)
        return self.alias


@dataclass(frozen=True)
class Lexicon:
    path: Path | None  # None: the language has no lexicon
    lexemes: tuple[Lexeme, ...] = ()

    def entries(self, engine: object) -> Entries:
        """(grapheme, what the engine is given instead) for every lexeme ``engine`` (an
        :class:`~audioguide.engines.Engine`, by its ``phonemes`` alphabet) can apply."""
        found = []
        for lexeme in self.lexemes:
            said = lexeme.replacement(engine)
            if said is not None:
                found += [(grapheme, said) for grapheme in lexeme.graphemes]
        return tuple(found)

    def unusable(self, engine: object) -> list[str]:
        """One line per lexeme that ``engine`` cannot apply (a phoneme it does not take, and no
        alias), naming file and line and what to do."""
        name = getattr(engine, "name", "?")
        return [
            f"{self.path}:{lexeme.line}: the {name} voice cannot use the lexeme "
            f"{lexeme.graphemes[0]!r}: it has only a phoneme in {lexeme.alphabet!r}; add an "
            "<alias> respelling"
            for lexeme in self.lexemes
            if lexeme.replacement(engine) is None
        ]

    def unused(self, texts: list[str]) -> list[str]:
        """One line per lexeme none of whose graphemes occurs (as a whole word) in ``texts``."""
        lines = []
        for lexeme in self.lexemes:
            entries = tuple((g, g) for g in lexeme.graphemes)
            if not any(apply(text, entries)[1] for text in texts):
                lines.append(
                    f"{self.path}:{lexeme.line}: {lexeme.graphemes[0]!r} appears nowhere in the "
                    "guide; check its spelling or remove the lexeme"
                )
        return lines


def path_for(locales: Path, language: Language) -> Path:
    return Path(locales) / language.locale_id / FILE_NAME


def load(locales: Path, language: Language) -> Lexicon:
    """The language's lexicon (an empty one when it has no file). Raises LexiconError."""
    path = path_for(locales, language)
    try:
        data = read_input(path, MAX_FILE_BYTES, inside=locales)
    except FileNotFoundError:
        for folder in other_spellings(locales, language):
            if (folder / FILE_NAME).exists():
                raise LexiconError(
                    f"is the {language.tag} lexicon in a folder audioguide does not read: move "
                    f"it to {path}",
                    folder / FILE_NAME,
                ) from None
        return Lexicon(None)
    except ValueError as exc:  # a pipe, a device, too big
        raise LexiconError(f"{exc}; give a PLS text file ({_FIX})", path) from None
    except OSError as exc:
        raise LexiconError(f"cannot read the lexicon ({exc.strerror})", path) from None
    return parse(data, path, language)


def parse(data: bytes, path: Path, language: Language | None = None) -> Lexicon:
    """Read PLS 1.0 from ``data``; ``language``, if given, must be the lexicon's xml:lang."""
    handler = _Handler(path)
    parser = make_parser()
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(handler)
    parser.forbid_dtd = True
    parser.forbid_entities = True
    parser.forbid_external = True
    source = InputSource()
    source.setByteStream(BytesIO(data))
    try:
        parser.parse(source)
    except SAXParseException as exc:
        message = exc.getMessage()
        raise LexiconError(
            f"is not well-formed XML ({message}); fix the XML ({_FIX})", path, exc.getLineNumber()
        ) from None
    except DefusedXmlException:
        raise LexiconError(
            "has a DOCTYPE or an entity, which lexicons may not have; remove it", path,
            handler.line(),
        ) from None  # fmt: skip
    except SAXException as exc:  # what the handler raised
        raise exc.getException() or LexiconError(str(exc), path) from None
    if handler.root_lang is None:
        raise LexiconError(f"is empty; write a PLS <lexicon> ({_FIX})", path, 1)
    if language is not None and handler.root_lang.code != language.code:
        raise LexiconError(
            f"has xml:lang {handler.root_lang.tag!r}, but lies in the folder of "
            f'{language.english_name}; set xml:lang="{language.tag}"',
            path,
            handler.root_line,
        )
    return Lexicon(path, tuple(handler.lexemes))


@dataclass
class _Reading:
    """A <lexeme> while its elements are read: the first <alias> and <phoneme> count (PLS), the
    phoneme in its own alphabet when it names one, else the lexicon's."""

    line: int | None
    alphabet: str
    graphemes: list[str] = field(default_factory=list)
    alias: str | None = None
    phoneme: str | None = None
    phoneme_alphabet: str | None = None  # of the <phoneme> being read, when it names one


class _Handler(ContentHandler):
    """Builds lexemes from SAX events, checking the PLS structure as it goes."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path
        self.locator: Locator | None = None
        self.stack: list[str] = []
        self.alphabet = ""
        self.root_lang: Language | None = None
        self.root_line = 1
        self.lexemes: list[Lexeme] = []
        self.seen: dict[str, int | None] = {}
        self.text: list[str] = []
        self.lexeme: _Reading | None = None

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def line(self) -> int | None:
        return self.locator.getLineNumber() if self.locator else None

    def fail(self, message: str) -> NoReturn:
        raise SAXException("", LexiconError(message, self.path, self.line()))

    def startElementNS(
        self, name: tuple[str | None, str], _qname: str | None, attrs: AttributesNSImpl
    ) -> None:
        namespace, local = name
        parent = self.stack[-1] if self.stack else None
        allowed = {
            None: {"lexicon"},
            "lexicon": {"lexeme", "meta", "metadata"},
            "lexeme": {"grapheme", "phoneme", "alias", "example"},
        }
        if parent in {"meta", "metadata", "grapheme", "phoneme", "alias", "example"}:
            if parent in {"meta", "metadata"}:
                self.stack.append(parent)  # anything goes inside metadata
                return
            self.fail(f"an element inside <{parent}>: PLS text elements hold only text ({_FIX})")
        if namespace != PLS or local not in allowed[parent]:
            where = f"in <{parent}>" if parent else "as the root"
            expected = ", ".join(f"<{e}>" for e in sorted(allowed[parent]))
            # Named only when it is a PLS element: the file's own names are not repeated.
            found = f"<{local}>" if local in _ELEMENTS else "an element"
            self.fail(
                f"{found} {where} is not PLS 1.0 (expected {expected} in the namespace {PLS})"
            )
        if local == "lexicon":
            self._lexicon(attrs)
        elif local == "lexeme":
            self.lexeme = _Reading(line=self.line(), alphabet=self.alphabet)
        elif local == "phoneme" and attrs.get((None, "alphabet")):
            assert self.lexeme is not None
            self.lexeme.phoneme_alphabet = attrs.get((None, "alphabet"))
        self.stack.append(local)
        self.text = []

    def _lexicon(self, attrs: AttributesNSImpl) -> None:
        if attrs.get((None, "version")) != "1.0":
            self.fail('the <lexicon> needs version="1.0" (PLS 1.0)')
        self.alphabet = attrs.get((None, "alphabet")) or ""
        if not self.alphabet:
            self.fail('the <lexicon> needs an alphabet, such as alphabet="x-espeak" or "ipa"')
        given = attrs.get((XML, "lang"))
        if not given:
            self.fail('the <lexicon> needs xml:lang, such as xml:lang="ko"')
        try:
            self.root_lang = resolve(given)
        except Exception:
            self.fail("the xml:lang is not a language id; use one such as ko or zh-Hans")
        self.root_line = self.line() or 1

    def characters(self, content: str) -> None:
        self.text.append(content)

    def endElementNS(self, _name: tuple[str | None, str], _qname: str | None) -> None:
        local = self.stack.pop()
        text = unicodedata.normalize("NFC", " ".join("".join(self.text).split()))
        self.text = []
        lexeme = self.lexeme
        if local in {"grapheme", "alias", "phoneme"} and not text:
            self.fail(f"<{local}> is empty; write its text or remove it")
        if lexeme is None:
            return
        if local == "grapheme":
            if text in self.seen:
                self.fail(f"the grapheme {text!r} is already in the lexeme at line "
                          f"{self.seen[text]}; keep one of them")  # fmt: skip
            self.seen[text] = lexeme.line
            lexeme.graphemes.append(text)
        elif local == "alias" and lexeme.alias is None:  # PLS: the first one
            lexeme.alias = text
        elif local == "phoneme" and lexeme.phoneme is None:
            lexeme.phoneme = text
            lexeme.alphabet = lexeme.phoneme_alphabet or lexeme.alphabet
        elif local == "lexeme":
            if not lexeme.graphemes:
                self.fail("a <lexeme> needs a <grapheme>: the word as the guide writes it")
            if lexeme.alias is None and lexeme.phoneme is None:
                self.fail("a <lexeme> needs an <alias> or a <phoneme>: how to say the word")
            self.lexemes.append(
                Lexeme(
                    graphemes=tuple(lexeme.graphemes),
                    alias=lexeme.alias,
                    phoneme=lexeme.phoneme,
                    alphabet=lexeme.alphabet,
                    line=lexeme.line or 1,
                )
            )
            self.lexeme = None


# --- applying ------------------------------------------------------------------------------

# What Korean writes onto a word after it: case particles, particles of focus, a few usual
# stacks of two, and the copula's common forms. Listed whole, as written; the README lists the
# same (a test compares them).
KOREAN_ENDINGS = frozenset(
    """
    이 가 께서 을 를 은 는 의 에 에서 에게 에게서 께 한테 한테서 으로 로 으로서 로서 으로써 로써
    으로부터 로부터 와 과 하고 이랑 랑 까지 부터 처럼 보다 만큼 마다
    도 만 조차 마저 뿐 뿐만 밖에 이나 나 이라도 라도
    에는 에도 에만 에서는 에서도 에서만 에서의 에서부터 에게는 에게도 에게만 에게서는
    으로는 으로도 으로만 으로의 로는 로도 로만 로의 으로서의 로서의 으로부터의 로부터의
    와는 과는 와도 과도 와의 과의 까지는 까지도 까지만 까지의 부터는 부터도 부터의
    만은 만을 만이 만의 만도 보다는 보다도
    이다 입니다 이에요 예요 이었다 였다 이었습니다 였습니다 이며 이고 이라고 라고 이라는 라는 이지만
    """.split()
)
_PLURAL = "들"  # may come before any of them


def _word(ch: str) -> bool:
    return ch.isalnum() or unicodedata.category(ch).startswith("M")


def _edge(text: str, index: int) -> bool:
    """Whether a word may end right before ``text[index]``."""
    return index == len(text) or not _word(text[index]) or bool(_UNSPACED.match(text[index]))


def _starts_word(text: str, start: int, grapheme: str) -> bool:
    if start == 0:
        return True
    before = text[start - 1]
    return not _word(before) or bool(_UNSPACED.match(before) or _UNSPACED.match(grapheme[0]))


def _ends_word(text: str, end: int, grapheme: str) -> bool:
    if _edge(text, end) or _UNSPACED.match(grapheme[-1]):
        return True
    hangul = _HANGUL.match(text, end)  # a Korean ending, or the rest of a longer word
    if hangul is None or not _edge(text, hangul.end()):
        return False
    ending = hangul.group().removeprefix(_PLURAL)
    return not ending or ending in KOREAN_ENDINGS


def apply(text: str, entries: Entries) -> tuple[Parts, Entries]:
    """``text`` with each (grapheme, replacement) of ``entries`` applied as the module says, as
    parts (text, merged where it follows text, and :class:`Phonemes`), and the entries that were
    applied, sorted.

    >>> apply("Jangmadang, not Jangmadangs.", (("Jangmadang", "Jahng-mah-dahng"),))[0]
    ('Jahng-mah-dahng, not Jangmadangs.',)
    >>> apply("At the Jangmadang.", (("Jangmadang", Phonemes("dZ'A:Nm@d,A:N")),))[0]
    ('At the ', "dZ'A:Nm@d,A:N", '.')
    >>> apply("5개국 중 5개", (("5개", "다섯 개"),))[0]
    ('5개국 중 다섯 개',)
    >>> apply("장마당에서 새장마당", (("장마당", "X"),))[0]
    ('X에서 새장마당',)
    """
    if not entries:
        return (text,) if text else (), ()
    by_first: dict[str, list[tuple[str, str | Phonemes]]] = {}
    for grapheme, said in sorted(entries, key=lambda e: -len(e[0])):
        by_first.setdefault(grapheme[0], []).append((grapheme, said))
    parts: list[str | Phonemes] = []
    applied: set[tuple[str, str | Phonemes]] = set()

    def add(part: str | Phonemes) -> None:
        if parts and not isinstance(part, Phonemes) and not isinstance(parts[-1], Phonemes):
            parts[-1] += part
        elif part:
            parts.append(part)

    index = 0
    while index < len(text):
        for grapheme, said in by_first.get(text[index], ()):
            end = index + len(grapheme)
            if (
                text.startswith(grapheme, index)
                and _starts_word(text, index, grapheme)
                and _ends_word(text, end, grapheme)
            ):
                add(said)
                applied.add((grapheme, said))
                index = end
                break
        else:
            add(text[index])
            index += 1
    return tuple(parts), tuple(sorted(applied))
