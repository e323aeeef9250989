"""Section scripts: `guide.yaml` and `NN-<slug>.yaml` in `scripts/` -> a frozen :class:`Guide`.

YAML is only ever loaded with PyYAML's safe loader, within limits: a file of at most
:data:`MAX_FILE_BYTES`, nested at most :data:`MAX_DEPTH` deep, and at most :data:`MAX_VALUES`
values once aliases (``*name``) are expanded. Text may not hold control characters other than
newline and tab, nor lone surrogates. Only regular files inside the scripts folder are read.
Every value keeps the file and line it came from, so catalogs can point translators at it and
errors can point users at it; no error quotes a file that is not UTF-8 text.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload
from urllib.parse import urlsplit

import yaml

from .errors import LanguageError, ScriptError
from .files import read_input
from .languages import Language, resolve

GUIDE_FILE = "guide.yaml"
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Ids become file names ("<guide id>-<tag>-daisy.zip", "<NN>-<section id>.chapters.json"), and
# each is written first under a longer temporary name: 64 keeps every one far below the 255
# bytes a file name may have.
MAX_ID = 64
MAX_FILE_BYTES = 1024 * 1024  # a section of a megabyte is some fifteen hours of speech
MAX_DEPTH = 20  # nesting of lists and mappings; a guide needs three
MAX_VALUES = 100_000  # values in one file, aliases expanded ("billion laughs")


@dataclass(frozen=True)
class Text:
    """A translatable string, where it was written, and what translators are told beside it
    (the catalogs' ``#.`` lines: which part of the guide it is, and the section's note)."""

    value: str
    path: Path
    line: int
    comments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    id: str
    title: Text
    paragraphs: tuple[Text, ...]
    note: str | None
    path: Path
    line: int  # where the id is written
    position: int  # 1-based place in the guide

    @property
    def stem(self) -> str:
        """File name stem of everything made for this section: ``02-markets``."""
        return f"{self.position:02d}-{self.id}"


@dataclass(frozen=True)
class VoiceChoice:
    """A language's entry in ``guide.yaml``'s ``voices:`` mapping, as written: the engine's name,
    its voice, and its other settings, each with its line (the engine checks them: see
    :mod:`audioguide.speakers`)."""

    engine: str = "auto"  # "auto" or an engine's name
    voice: str | None = None  # the engine's voice: an espeak voice name, a Piper model, ...
    settings: tuple[tuple[str, object, int], ...] = ()  # (name, value, line), as written
    line: int | None = None  # of ``voice:``, or of the entry
    engine_line: int | None = None  # of ``engine:``, or of the entry
    entry_line: int | None = None  # of the language's key


@dataclass(frozen=True)
class Pauses:
    """Silence in milliseconds, from ``guide.yaml``'s ``pauses:`` mapping."""

    sentence: int = 400  # after each sentence
    paragraph: int = 1000  # after each paragraph (instead of the sentence pause)
    announcement: int = 800  # after the spoken track announcement


# The podcast categories Apple Podcasts offers, for ``category:`` and ``subcategory:`` and the
# feeds' ``itunes:category``: Apple's list (https://podcasters.apple.com/support/1691), 19
# categories, 15 with subcategories, written exactly as the feeds must write them; it is the list
# podcast-partytime, Podcast Index's parser, checks feeds against.
PODCAST_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing",
                 "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "Health & Fitness": ("Alternative Health", "Fitness", "Medicine", "Mental Health",
                         "Nutrition", "Sexuality"),
    "History": (),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": ("Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies",
                "Home & Garden", "Video Games"),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": ("Business News", "Daily News", "Entertainment News", "News Commentary", "Politics",
             "Sports News", "Tech News"),
    "Religion & Spirituality": ("Buddhism", "Christianity", "Hinduism", "Islam", "Judaism",
                                "Religion", "Spirituality"),
    "Science": ("Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics",
                "Natural Sciences", "Nature", "Physics", "Social Sciences"),
    "Society & Culture": ("Documentary", "Personal Journals", "Philosophy", "Places & Travel",
                          "Relationships"),
    "Sports": ("Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf",
               "Hockey", "Rugby", "Running", "Soccer", "Swimming", "Tennis", "Volleyball",
               "Wilderness", "Wrestling"),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}  # fmt: skip
DEFAULT_CATEGORY = "Society & Culture"


@dataclass(frozen=True)
class Category:
    """The podcast category from ``guide.yaml``'s ``category:`` and ``subcategory:``, as Apple
    Podcasts spells them (:data:`PODCAST_CATEGORIES`)."""

    name: str = DEFAULT_CATEGORY
    subcategory: str | None = None


@dataclass(frozen=True)
class Accessibility:
    """Who evaluated the books' accessibility, from ``guide.yaml``'s ``accessibility:``: only then
    do the EPUBs claim conformance (EPUB Accessibility 1.1, WCAG 2.2 Level AA)."""

    certified_by: str  # the person or organisation that evaluated them
    credential: str | None = None  # a credential of theirs, such as a badge or certification
    report: str | None = None  # where their report can be read (an http(s) URL)


@dataclass(frozen=True)
class Guide:
    id: str
    title: Text
    description: Text | None
    source_language: Language
    languages: tuple[Language, ...]  # source language first
    author: str | None
    base_url: str | None
    published: datetime.date | None  # when the guide was published: feeds, books (reproducible)
    cover: (
        Text | None
    )  # the cover image's path, relative to the scripts folder (checked by cover.py)
    email: str | None  # the owner's address, for podcast directories (itunes:owner)
    voices: tuple[tuple[str, VoiceChoice], ...]  # (locale id, its entry), sorted
    pauses: Pauses
    sections: tuple[Section, ...]
    path: Path  # the scripts folder
    contact: str | None = None  # where translators report problems: the catalogs' header
    publisher: str | None = None  # who publishes the guide: the DAISY books' dc:publisher
    category: Category = Category()  # the feeds' podcast category
    audiobook: bool = False  # also an M4B audiobook per language (its AAC costs build time)
    accessibility: Accessibility | None = None  # who evaluated the books, if anyone
    base_url_line: int | None = None  # where guide.yaml gives base_url (a placeholder is warned of)

    def language(self, given: str) -> Language:
        """One of the guide's languages, given in any spelling; a clear error for any other."""
        language = resolve(given)
        if language not in self.languages:
            declared = ", ".join(lang.locale_id for lang in self.languages)
            raise LanguageError(
                f"the guide has no language {language.locale_id} (it has {declared}); "
                "add it to languages: in guide.yaml first",
                self.path / GUIDE_FILE,
            )
        return language

    def to_build(self, wanted: tuple[str, ...]) -> list[Language]:
        """The languages a build of ``wanted`` (any spellings; none: all) makes, in guide order:
        always the source language too, whose voice reads what is untranslated."""
        chosen = [self.language(given) for given in wanted] or list(self.languages)
        return [lang for lang in self.languages if lang in chosen or lang == self.source_language]

    def voice(self, language: Language) -> VoiceChoice:
        """The language's ``voices:`` entry (the defaults when it has none)."""
        return dict(self.voices).get(language.locale_id, VoiceChoice())

    def texts(self) -> Iterator[Text]:
        """Every translatable string of the guide, in order."""
        yield self.title
        if self.description:
            yield self.description
        for section in self.sections:
            yield section.title
            yield from section.paragraphs

    def files(self) -> tuple[Path, ...]:
        """guide.yaml, then each section's file, in guide order."""
        return (self.path / GUIDE_FILE, *(section.path for section in self.sections))


# --- reading YAML with line numbers -------------------------------------------------------


class _TooDeep(yaml.YAMLError):
    def __init__(self, line: int):
        self.line = line


class _Loader(yaml.SafeLoader):
    """The safe loader (nothing that constructs Python objects), nesting at most MAX_DEPTH."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def check_base_url(value: str) -> str:
    """``value`` as the base of the feeds' links: an absolute http(s) URL, ending with "/".
    Raises :class:`ValueError` saying what is wrong (``--base-url`` and ``base_url`` both)."""
    problem = "must be an absolute http:// or https:// URL, such as https://example.org/guide/"
    if forbidden_character(value) is not None or any(ch in value for ch in "\n\r\t"):
        raise ValueError(f"{problem}, on one line, without control characters")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - checks the port number
    except ValueError:
        raise ValueError(problem) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(problem)
    if any(ch.isspace() for ch in parts.netloc):
        raise ValueError(f"{problem}; its host name has a space")
    if parts.query or parts.fragment:
        raise ValueError(f"{problem}, without ?query or #fragment")
    # The scheme in lower case: "HTTPS://" is the same URL, and what feed readers expect.
    return parts._replace(scheme=parts.scheme.lower()).geturl().rstrip("/") + "/"


def _visible(char: str) -> bool:
    """Whether ``char`` shows as something: not a space, nor a format character (Cf: zero-width
    spaces and joiners, the byte-order mark, direction marks)."""
    return not char.isspace() and unicodedata.category(char) != "Cf"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def forbidden_character(text: str) -> str | None:
    """The first character text may not hold (control characters but newline and tab, lone
    surrogates), named as "U+0007 (BELL)", or None."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    char = found.group()
    name = unicodedata.name(char, "a control character" if char < "\ud800" else "a lone surrogate")
    return f"U+{ord(char):04X} ({name})"


def _compose(path: Path, scripts: Path) -> yaml.Node:
    try:
        raw = read_input(path, MAX_FILE_BYTES, inside=scripts)
    except ValueError as exc:
        raise ScriptError(f"{exc}; give a YAML text file in the scripts folder", path) from None
    except OSError as exc:
        raise ScriptError(f"cannot read the file ({exc.strerror})", path) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScriptError("is not UTF-8 text; save it as UTF-8", path, line) from None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except _TooDeep as exc:
        raise ScriptError(
            f"lists and mappings are nested more than {MAX_DEPTH} deep; a guide needs three",
            path,
            exc.line,
        ) from None
    except yaml.reader.ReaderError as exc:  # NUL and other control bytes: UTF-16 or binary
        line = text[: exc.position].count("\n") + 1
        raise ScriptError(
            f"is not UTF-8 text (it holds character #x{exc.character:04x}); save it as UTF-8",
            path,
            line,
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "invalid YAML"
        raise ScriptError(
            f"YAML syntax error: {what}; fix the YAML", path, mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as exc:
        raise ScriptError(f"YAML error: {exc}", path) from None
    if node is None:
        raise ScriptError("is empty; it must be a YAML mapping of fields", path, 1)
    _count_values(node, path)
    _check_texts(node, path)
    return node


def _check_texts(node: yaml.Node, path: Path) -> None:
    """No control characters (but newline and tab) or lone surrogates in any text, keys
    included; escapes such as "\\0" or "\\uD800" in quoted YAML make them."""
    if isinstance(node, yaml.ScalarNode):
        found = forbidden_character(node.value)
        if found:
            raise ScriptError(
                f"the text holds {found}, which cannot be spoken or shown; remove it",
                path,
                node.start_mark.line + 1,
            )
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            _check_texts(child, path)
    elif isinstance(node, yaml.MappingNode):
        for pair in node.value:
            for part in pair:
                _check_texts(part, path)


def _count_values(root: yaml.Node, path: Path) -> None:
    """Refuse a document whose aliases (``*name``) expand to more than MAX_VALUES values: the
    composed graph shares the aliased nodes, but anything that walks the values does not."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        if id(node) not in sizes:
            children: list[yaml.Node] = []
            if isinstance(node, yaml.SequenceNode):
                children = node.value
            elif isinstance(node, yaml.MappingNode):
                children = [part for pair in node.value for part in pair]
            total = 1 + sum(size(child) for child in children)  # depth is at most MAX_DEPTH
            if total > MAX_VALUES:
                raise ScriptError(
                    f"holds more than {MAX_VALUES} values once its aliases (*name) are "
                    "expanded; write the values out instead",
                    path,
                    node.start_mark.line + 1,
                )
            sizes[id(node)] = total
        return sizes[id(node)]

    size(root)


class _Fields:
    """The fields of one YAML mapping, read with type checks and line numbers."""

    def __init__(self, path: Path, node: yaml.Node, allowed: tuple[str, ...], what: str):
        self.path = path
        self.line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            raise ScriptError(f"{what} must be a YAML mapping of fields", path, self.line)
        self.nodes: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            line = key_node.start_mark.line + 1
            if key not in allowed:
                raise ScriptError(
                    f"unknown field {key!r} in {what}; the fields are: {', '.join(allowed)}",
                    path,
                    line,
                )
            if key in self.nodes:
                raise ScriptError(f"field {key!r} is given twice", path, line)
            self.nodes[key] = value_node

    def line_of(self, key: str) -> int:
        node = self.nodes.get(key)
        return node.start_mark.line + 1 if node is not None else self.line

    def _value(self, node: yaml.Node) -> Any:
        loader = _Loader("")
        try:
            value = loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            raise ScriptError(
                f"unsupported YAML value ({exc.problem})", self.path, node.start_mark.line + 1
            ) from None
        except (ValueError, OverflowError):  # "2001-13-45" is read as a date, and fails
            raise ScriptError(
                "a value YAML reads as a date or number is not a valid one; quote it to make "
                "it text",
                self.path,
                node.start_mark.line + 1,
            ) from None
        return value

    def has(self, key: str) -> bool:
        return key in self.nodes

    @overload
    def text(self, key: str) -> Text: ...
    @overload
    def text(self, key: str, *, required: bool) -> Text | None: ...
    def text(self, key: str, *, required: bool = True) -> Text | None:
        if key not in self.nodes:
            if required:
                raise ScriptError(f"missing required field {key!r}", self.path, self.line)
            return None
        return self._text(self.nodes[key], f"field {key!r}")

    def _text(self, node: yaml.Node, what: str) -> Text:
        line = node.start_mark.line + 1
        value = self._value(node)
        if not isinstance(value, str):
            raise ScriptError(
                f"{what} must be text, not {_kind(value)}; quote it if needed", self.path, line
            )
        value = value.strip()
        if not value:
            raise ScriptError(f"{what} is empty; write the text or remove it", self.path, line)
        if not any(_visible(ch) for ch in value):
            raise ScriptError(
                f"{what} holds only invisible characters (such as U+200B ZERO WIDTH SPACE); "
                "write the text or remove it",
                self.path,
                line,
            )
        return Text(value, self.path, line)

    @overload
    def string(self, key: str) -> str: ...
    @overload
    def string(self, key: str, *, required: bool) -> str | None: ...
    def string(self, key: str, *, required: bool = True) -> str | None:
        text = self.text(key, required=required)
        return text.value if text else None

    def identifier(self, key: str) -> str:
        value = self.string(key)
        if len(value) > MAX_ID:
            raise ScriptError(
                f"{key} is {len(value)} characters long; ids become file names, so give one of "
                f"at most {MAX_ID}",
                self.path,
                self.line_of(key),
            )
        if not ID_PATTERN.fullmatch(value):
            raise ScriptError(
                f"{key} {value!r} may use only lowercase letters a-z, digits and single hyphens",
                self.path,
                self.line_of(key),
            )
        return value

    def texts(self, key: str) -> tuple[Text, ...]:
        node = self.nodes.get(key)
        if node is None:
            raise ScriptError(f"missing required field {key!r}", self.path, self.line)
        if not isinstance(node, yaml.SequenceNode):
            raise ScriptError(f"{key!r} must be a list", self.path, node.start_mark.line + 1)
        if not node.value:
            raise ScriptError(f"{key!r} is an empty list", self.path, node.start_mark.line + 1)
        return tuple(
            self._text(item, f"{key} item {number}") for number, item in enumerate(node.value, 1)
        )

    def mapping(self, key: str) -> yaml.Node | None:
        return self.nodes.get(key)


def _kind(value: Any) -> str:
    kinds = {dict: "a mapping", list: "a list", type(None): "empty", bool: "true/false"}
    kinds |= {int: "a number", float: "a number"}
    return kinds.get(type(value), "a date" if hasattr(value, "year") else "another kind of value")


def _language(fields: _Fields, key: str, given: str, line: int | None = None) -> Language:
    try:
        return resolve(given)
    except LanguageError as exc:
        raise ScriptError(exc.message, fields.path, line or fields.line_of(key)) from None


# --- the guide ----------------------------------------------------------------------------

_GUIDE_FIELDS = (
    "id", "title", "description", "source_language", "languages", "author", "sections",
    "voices", "base_url", "pauses", "published", "contact", "cover", "email", "publisher",
    "category", "subcategory", "accessibility", "audiobook",
)  # fmt: skip
_SECTION_FIELDS = ("id", "title", "paragraphs", "note")
_ENGINE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


def load_guide(scripts: Path) -> Guide:
    """Read and check a guide folder. Raises :class:`ScriptError` naming file and line."""
    scripts = Path(scripts)
    guide_path = scripts / GUIDE_FILE
    if not scripts.is_dir():
        raise ScriptError("is not a folder; give the folder holding guide.yaml", scripts)
    if not guide_path.exists():  # anything but a regular file is refused when read
        found = sorted(p.name for p in scripts.glob("*.yaml"))
        hint = "the folder is empty" if not found else f"found only {', '.join(found)}"
        raise ScriptError(
            f"no {GUIDE_FILE} ({hint}); create one with id, title, languages", scripts
        )
    fields = _Fields(guide_path, _compose(guide_path, scripts), _GUIDE_FIELDS, "guide.yaml")

    source = _language(
        fields, "source_language", fields.string("source_language", required=False) or "en"
    )
    languages = [source]
    if fields.has("languages"):
        node = fields.nodes["languages"]
        if not isinstance(node, yaml.SequenceNode):
            raise ScriptError("'languages' must be a list", guide_path, node.start_mark.line + 1)
        for item in node.value:
            given = fields._value(item)
            if not isinstance(given, str):
                raise ScriptError(
                    f"language ids are text, not {_kind(given)}",
                    guide_path,
                    item.start_mark.line + 1,
                )
            language = _language(fields, "languages", given, item.start_mark.line + 1)
            if language not in languages:
                languages.append(language)

    section_paths = _section_paths(fields, scripts)
    sections: list[Section] = []
    seen: dict[str, Path] = {}
    for position, path in enumerate(section_paths, 1):
        section = _load_section(path, position)
        if section.id in seen:
            raise ScriptError(
                f"section id {section.id!r} is already used by {seen[section.id].name}; "
                "give each section its own id",
                path,
                section.line,
            )
        seen[section.id] = path
        sections.append(section)

    base_url = fields.string("base_url", required=False)
    email = fields.string("email", required=False)
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise ScriptError(
            f"email {email!r} is not an email address such as guide@example.org",
            guide_path,
            fields.line_of("email"),
        )
    if base_url is not None:
        try:
            base_url = check_base_url(base_url)
        except ValueError as exc:
            raise ScriptError(f"base_url {exc}", guide_path, fields.line_of("base_url")) from None
    contact = fields.string("contact", required=False)
    if contact and not contact.isprintable():
        raise ScriptError(
            "contact must be one line, e.g. Translators <team@example.org>",
            guide_path,
            fields.line_of("contact"),
        )
    description = fields.text("description", required=False)
    voices = _voices(fields)
    for locale_id, choice in voices:
        if resolve(locale_id) not in languages:
            declared = ", ".join(lang.locale_id for lang in languages)
            raise ScriptError(
                f"voices has an entry for {locale_id}, which is not one of the guide's languages "
                f"({declared}); add it to languages or remove the entry",
                guide_path, choice.entry_line,
            )  # fmt: skip
    return Guide(
        id=fields.identifier("id"),
        title=_told(fields.text("title"), "guide title"),
        description=_told(description, "guide description") if description else None,
        source_language=source,
        languages=tuple(languages),
        author=fields.string("author", required=False),
        base_url=base_url,
        published=_published(fields),
        cover=fields.text("cover", required=False),
        email=email,
        voices=voices,
        pauses=_pauses(fields),
        sections=tuple(sections),
        path=scripts,
        contact=contact,
        publisher=fields.string("publisher", required=False),
        category=_category(fields),
        accessibility=_accessibility(fields),
        audiobook=_audiobook(fields),
        base_url_line=fields.line_of("base_url") if base_url is not None else None,
    )


def _audiobook(fields: _Fields) -> bool:
    node = fields.mapping("audiobook")
    if node is None:
        return False
    value = fields._value(node)
    if not isinstance(value, bool):
        raise ScriptError(f"audiobook must be true or false, not {_kind(value)}", fields.path,
                          fields.line_of("audiobook"))  # fmt: skip
    return value


def _published(fields: _Fields) -> datetime.date | None:
    node = fields.mapping("published")
    if node is None:
        return None
    value = fields._value(node)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date) or not 1990 <= value.year <= 9999:
        raise ScriptError(
            f"published must be a date such as 2024-05-01, not {value!r}",
            fields.path,
            fields.line_of("published"),
        )
    return value


def _spelled(name: str, choices: tuple[str, ...] | list[str]) -> str | None:
    """``name`` as Apple spells it among ``choices`` (case and spaces aside), or None."""
    wanted = " ".join(name.split()).casefold()
    return next((choice for choice in choices if choice.casefold() == wanted), None)


def _category(fields: _Fields) -> Category:
    """``category:`` and ``subcategory:``, checked against Apple's list and spelled as it is."""
    given = fields.string("category", required=False)
    sub = fields.string("subcategory", required=False)
    if given is None:
        if sub is not None:
            raise ScriptError("subcategory needs a category: add category: above it",
                              fields.path, fields.line_of("subcategory"))  # fmt: skip
        return Category()
    name = _spelled(given, list(PODCAST_CATEGORIES))
    if name is None:
        raise ScriptError(f"category {given!r} is not one of Apple Podcasts' categories; give "
                          f"one of: {', '.join(PODCAST_CATEGORIES)}", fields.path,
                          fields.line_of("category"))  # fmt: skip
    if sub is None:
        return Category(name)
    found = _spelled(sub, PODCAST_CATEGORIES[name])
    if found is None:
        offered = ", ".join(PODCAST_CATEGORIES[name]) or "none"
        raise ScriptError(f"subcategory {sub!r} is not one of {name}'s subcategories ({offered})",
                          fields.path, fields.line_of("subcategory"))  # fmt: skip
    return Category(name, found)


def _accessibility(fields: _Fields) -> Accessibility | None:
    """``accessibility: {certified_by: ..., credential: ..., report: URL}``."""
    node = fields.mapping("accessibility")
    if node is None:
        return None
    names = ("certified_by", "credential", "report")
    entry = _Fields(fields.path, node, names, "accessibility")
    report = entry.string("report", required=False)
    if report is not None and not _web_address(report):
        raise ScriptError(f"accessibility.report {report!r} must be the http:// or https:// "
                          "address of the evaluation report", fields.path,
                          entry.line_of("report"))  # fmt: skip
    return Accessibility(
        certified_by=entry.string("certified_by"),
        credential=entry.string("credential", required=False),
        report=report,
    )


def _web_address(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    plain = not any(ch.isspace() for ch in value)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and plain


def placeholder(url: str) -> bool:
    """Whether ``url``'s host is one reserved for examples (RFC 2606, RFC 6761), such as
    example.org: an address to replace before publishing."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host in ("example.org", "example.com", "example.net", "localhost"):
        return True
    return host.endswith((".example.org", ".example.com", ".example.net", ".example",
                          ".invalid", ".test", ".localhost"))  # fmt: skip


def _section_paths(fields: _Fields, scripts: Path) -> list[Path]:
    if not fields.has("sections"):
        paths = sorted(p for p in scripts.glob("*.yaml") if p.name != GUIDE_FILE)
        if not paths:
            raise ScriptError(
                "the guide has no sections; add files such as 01-intro.yaml beside guide.yaml",
                scripts,
            )
        return paths
    node = fields.nodes["sections"]
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise ScriptError(
            "'sections' must be a non-empty list of file names",
            fields.path,
            node.start_mark.line + 1,
        )
    paths = []
    for item in node.value:
        name = fields._value(item)
        line = item.start_mark.line + 1
        if not isinstance(name, str) or "/" in name or "\\" in name or name.startswith("."):
            raise ScriptError(
                f"sections lists {name!r}; give plain file names in the scripts folder",
                fields.path,
                line,
            )
        path = scripts / name
        if not path.exists():
            raise ScriptError(f"sections lists {name!r}, which does not exist", fields.path, line)
        paths.append(path)
    return paths


def _load_section(path: Path, position: int) -> Section:
    fields = _Fields(path, _compose(path, path.parent), _SECTION_FIELDS, "a section script")
    section_id = fields.identifier("id")
    note = fields.string("note", required=False)
    where = f"section {section_id}"
    return Section(
        id=section_id,
        title=_told(fields.text("title"), f"{where}: title", note),
        paragraphs=tuple(
            _told(text, f"{where}: paragraph {number}", note)
            for number, text in enumerate(fields.texts("paragraphs"), 1)
        ),
        note=note,
        path=path,
        line=fields.line_of("id"),
        position=position,
    )


def _told(text: Text, where: str, note: str | None = None) -> Text:
    """``text`` with what translators are told beside it: where it belongs, and the note."""
    return dataclasses.replace(text, comments=(where, note) if note else (where,))


def _voices(fields: _Fields) -> tuple[tuple[str, VoiceChoice], ...]:
    """Each language's ``voices:`` entry, by locale id, sorted: what is given, where. Which
    engines there are and what settings each takes is the engines' to say (at build time,
    before anything is written)."""
    node = fields.mapping("voices")
    if node is None:
        return ()
    outer = _Fields(fields.path, node, tuple(_all_keys(node)), "voices")
    pairs = node.value if isinstance(node, yaml.MappingNode) else []
    keys = {k.value: k.start_mark.line + 1 for k, _ in pairs if isinstance(k, yaml.ScalarNode)}
    voices = {}
    for given, value_node in outer.nodes.items():
        language = _language(outer, given, str(given))
        entry = _Fields(fields.path, value_node, tuple(_all_keys(value_node)), f"voices.{given}")
        values = {key: entry._value(n) for key, n in entry.nodes.items()}
        engine = values.pop("engine", "auto")
        voice = values.pop("voice", None)
        if not (isinstance(engine, str) and _ENGINE_NAME.fullmatch(engine)):
            raise ScriptError(f"voices.{given}.engine must be an engine's name, such as espeak, "
                              f"not {engine!r}", fields.path, entry.line_of("engine"))  # fmt: skip
        if voice is not None and not (isinstance(voice, str) and voice.strip()):
            raise ScriptError(f"voices.{given}.voice must be a voice name, not {voice!r}",
                              fields.path, entry.line_of("voice"))  # fmt: skip
        for key, value in values.items():
            if isinstance(value, (dict, list)) or value is None:
                raise ScriptError(f"voices.{given}.{key} must be one value, not {_kind(value)}",
                                  fields.path, entry.line_of(key))  # fmt: skip
        voices[language.locale_id] = VoiceChoice(
            engine=engine,
            voice=voice,
            settings=tuple(
                (key, value, entry.line_of(key)) for key, value in sorted(values.items())
            ),
            line=entry.line_of("voice") if voice is not None else entry.line,
            engine_line=entry.line_of("engine"),
            entry_line=keys.get(given),
        )
    return tuple(sorted(voices.items()))


def _pauses(fields: _Fields) -> Pauses:
    node = fields.mapping("pauses")
    if node is None:
        return Pauses()
    names = tuple(Pauses.__dataclass_fields__)
    settings = _Fields(fields.path, node, names, "pauses")
    values = {}
    for key, value_node in settings.nodes.items():
        value = settings._value(value_node)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10_000:
            raise ScriptError(
                f"pauses.{key} must be milliseconds from 0 to 10000, not {value!r}",
                fields.path,
                settings.line_of(key),
            )
        values[key] = value
    return Pauses(**values)


def _all_keys(node: yaml.Node) -> list[str]:
    if not isinstance(node, yaml.MappingNode):
        return []
    return [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
