"""The translator's workflow: extract -> update -> (translate) -> stats / compile.

``locales/audioguide.pot`` is the template; ``locales/<locale id>/LC_MESSAGES/audioguide.po`` is
one language. A message's ``msgid`` is the exact source text, so identical text is one message.
Every command reads and checks every catalog it needs before it writes anything. Nothing a
translator wrote is dropped: a changed message becomes fuzzy and keeps, under ``#|``, the English
its translation was made for; a removed one is kept obsolete (``#~``); a file saved while
``update`` ran is left alone.
"""

from __future__ import annotations

import copy
import hashlib
import io
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo

from ..errors import CatalogError
from ..files import into_place, remove_temporary, write_atomic
from ..languages import Language
from ..script import Guide
from ..strings import STRINGS
from .pofile import HEADER_ORDER, PoFile, po_bytes, read_po
from .translation import Translation, placeholder_problem, usable

DOMAIN = "audioguide"
TEMPLATE = f"{DOMAIN}.pot"
PACKAGE_LOCALES = Path(__file__).parent.parent / "locales"
_HEADER = [
    "Translations of the audio guide {id}.",
    "Edit the msgstr lines; leave msgid as it is. Placeholders such as {{title}}",
    "must stay in the translation, in any order.",
    "",
]
_TOOL_MSGIDS_ORDER = tuple(string.msgid for string in STRINGS)
_TOOL_MSGIDS = frozenset(_TOOL_MSGIDS_ORDER)


def catalog_path(locales: Path, language: Language) -> Path:
    return Path(locales) / language.locale_id / "LC_MESSAGES" / f"{DOMAIN}.po"


# --- extraction --------------------------------------------------------------------------


def extract_yaml(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extractor for section scripts (registered as the ``audioguide`` method).

    Yields ``(lineno, funcname, message, comments)`` for a guide's title and description and a
    section's title and paragraphs, with comments naming where each one belongs.
    """
    root = yaml.compose(fileobj.read().decode("utf-8"), Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return
    fields = {key.value: value for key, value in root.value if isinstance(key, yaml.ScalarNode)}

    def scalar(name: str) -> str | None:
        node = fields.get(name)
        if isinstance(node, yaml.ScalarNode) and isinstance(node.value, str):
            return node.value.strip() or None
        return None

    if "paragraphs" not in fields:  # guide.yaml
        for name in ("title", "description"):
            if scalar(name):
                yield fields[name].start_mark.line + 1, None, scalar(name), [f"guide {name}"]
        return
    where = f"section {scalar('id')}"
    note = [scalar("note")] if scalar("note") else []
    if scalar("title"):
        yield fields["title"].start_mark.line + 1, None, scalar("title"), [f"{where}: title", *note]
    paragraphs = fields["paragraphs"]
    if isinstance(paragraphs, yaml.SequenceNode):
        for number, node in enumerate(paragraphs.value, 1):
            if isinstance(node, yaml.ScalarNode) and node.value.strip():
                comments = [f"{where}: paragraph {number}", *note]
                yield node.start_mark.line + 1, None, node.value.strip(), comments


def build_template(guide: Guide) -> Catalog:
    """The template: the guide's messages in guide order, then audioguide's own strings."""
    template = Catalog(domain=DOMAIN, fuzzy=False)
    for path in guide.files():
        location = os.path.relpath(path, guide.path.parent)
        with open(path, "rb") as handle:
            for lineno, _, message, comments in extract_yaml(handle, (), (), {}):
                template.add(message, locations=[(location, lineno)], auto_comments=comments)
                _not_python_format(template[message])
    for string in STRINGS:
        template.add(string.msgid, auto_comments=[f"audioguide: {string.comment}"])
    for message in template:
        message.flags &= {"no-python-format"}  # no guessed format flags: placeholders are data
    return template


def _not_python_format(message) -> None:
    """Guide text is never %-formatted: "80% of" is a percentage, not a ``% o`` placeholder.

    Babel guesses ``python-format`` from the text alone (python-babel/babel#1268), which makes
    msgfmt, Poedit and Weblate check a correct translation as a format string;
    ``no-python-format`` tells them it is not.
    """
    if "python-format" in message.flags or "no-python-format" in message.flags:
        message.flags.discard("python-format")
        message.flags.add("no-python-format")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M+0000")


def _template_header(guide: Guide, created: str) -> list[tuple[str, str]]:
    fields = [("Project-Id-Version", guide.id)]
    if guide.contact:
        fields.append(("Report-Msgid-Bugs-To", guide.contact))
    fields.append(("POT-Creation-Date", created))
    return fields + _CONTENT


_CONTENT = [
    ("MIME-Version", "1.0"),
    ("Content-Type", "text/plain; charset=UTF-8"),
    ("Content-Transfer-Encoding", "8bit"),
]


@dataclass
class _Template:
    catalog: Catalog
    data: bytes  # as written
    created: str


def _template(guide: Guide, path: Path) -> _Template:
    """The template, keeping the written one's creation date when nothing else changed."""
    catalog = build_template(guide)
    comments = [line.format(id=guide.id) for line in _HEADER]
    if path.is_file():
        try:
            created = read_po(path).header_value("POT-Creation-Date")
        except CatalogError:
            created = None
        if created:
            data = po_bytes(catalog, _template_header(guide, created), comments)
            if data == path.read_bytes():
                return _Template(catalog, data, created)
    created = _now()
    data = po_bytes(catalog, _template_header(guide, created), comments)
    return _Template(catalog, data, created)


def extract(guide: Guide, locales: Path) -> bool:
    """Write ``locales/audioguide.pot``; return whether it changed."""
    path = Path(locales) / TEMPLATE
    remove_temporary(path.parent)  # what a killed extract or update left
    return write_atomic(path, _template(guide, path).data)


# --- update ------------------------------------------------------------------------------


def update(guide: Guide, locales: Path, languages: Iterable[Language] | None = None) -> dict:
    """Merge the template into each language's catalog, creating missing ones.

    Returns ``{locale id: "created" | "updated" | "unchanged"}``.
    """
    locales = Path(locales)
    template = _template(guide, locales / TEMPLATE)
    merged = []
    for language in languages or guide.languages:
        if language == guide.source_language:
            continue
        path = catalog_path(locales, language)
        old = _read_or_none(path)  # read once: the hash check before writing compares with it
        po = read(path, language, old) if old is not None else None
        catalog = po.catalog if po else Catalog(locale=language.locale_id, domain=DOMAIN)
        _merge(catalog, template.catalog, _shipped_catalog(language))
        header = _catalog_header(guide, language, template.created, po)
        comments = (
            po.comments if po and po.comments else [line.format(id=guide.id) for line in _HEADER]
        )
        merged.append((language, path, old, po_bytes(catalog, header, comments)))
    # Every catalog is read and merged before any file is written: a bad one changes nothing.
    _write(locales / TEMPLATE, template.data, _read_or_none(locales / TEMPLATE))
    results = {}
    for language, path, old, data in merged:
        changed = _write(path, data, old)
        results[language.locale_id] = (
            "created" if old is None else "updated" if changed else "unchanged"
        )
    return results


def _read_or_none(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def _write(path: Path, data: bytes, old: bytes | None) -> bool:
    """Replace ``path`` with ``data`` only if it still holds what was read (``old``): its hash
    is compared just before the new file takes its place."""
    remove_temporary(path.parent)  # what a killed update left
    if old == data:
        return False

    def digest(content: bytes | None) -> str | None:
        return hashlib.sha256(content).hexdigest() if content is not None else None

    with into_place(path) as temporary:
        temporary.write_bytes(data)
        if digest(_read_or_none(path)) != digest(old):
            raise CatalogError(
                "changed while `audioguide update` was running (saved in an editor?); it was "
                "left as it is: run `audioguide update` again",
                path,
            )
    return True


def _merge(catalog: Catalog, template: Catalog, shipped: Catalog | None) -> None:
    """``Catalog.update`` with what a translator expects of ``msgmerge``, and more."""
    _revive_obsolete(catalog, template)
    before: set[object] = {message.id for message in catalog if message.id}
    # The English each fuzzy translation was made for, kept until a translator confirms it.
    made_for = {m.id: m.previous_id for m in catalog if m.id and m.fuzzy and m.previous_id}
    # Catalog.update adds the template's own Message objects for new messages; a copy
    # keeps one language's tool strings from landing in the next language's catalog.
    catalog.update(copy.deepcopy(template))
    for message in catalog:
        if not message.id:
            continue
        message.string = message.string or ""
        message.flags &= {"fuzzy", "no-python-format"}  # Catalog.update re-guesses formats
        if message.fuzzy and message.previous_id:
            guessed_from = message.previous_id[0]
            message.previous_id = made_for.get(guessed_from, message.previous_id)
        elif message.fuzzy and message.id in made_for:
            message.previous_id = made_for[message.id]
        elif not message.fuzzy:
            message.previous_id = []
    _fill_tool_strings(catalog, shipped, before)


def _revive_obsolete(catalog: Catalog, template: Catalog) -> None:
    """A message that comes back keeps the translation it had before it was removed."""
    for msgid in list(catalog.obsolete):
        if msgid in template and msgid not in catalog:
            catalog[msgid] = catalog.obsolete.pop(msgid)


def _msgstr(message: Message) -> str:
    return message.string if isinstance(message.string, str) else ""  # plurals are refused


def _fill_tool_strings(catalog: Catalog, shipped: Catalog | None, before: set[object]) -> None:
    """Shipped translations of audioguide's strings fill the empty ones, nothing else.

    A fuzzy guess made by this very update (Babel matched an older wording of the string) gives
    way to the exact shipped translation; the guessed-from text stays, obsolete, under ``#~``.
    """
    if shipped is None:
        return
    for msgid in _TOOL_MSGIDS:
        message = catalog.get(msgid)
        ours = usable(shipped.get(msgid))
        if message is None or ours is None:
            continue
        theirs = _msgstr(message).strip()
        guess = message.fuzzy and msgid not in before and message.previous_id
        if theirs and not guess:
            continue  # the translator's, fuzzy or not
        if guess and theirs:
            old = message.previous_id[0]
            if old not in catalog and old not in catalog.obsolete:
                catalog.obsolete[old] = Message(old, message.string)
        message.string = ours
        message.flags.discard("fuzzy")
        message.previous_id = []


def _catalog_header(
    guide: Guide, language: Language, created: str, old: PoFile | None
) -> list[tuple[str, str]]:
    """gettext's header fields in msgmerge's order; no placeholder values, ever."""

    def kept(name: str) -> str | None:
        value = old.header_value(name) if old else None
        placeholder = value is not None and any(
            mark in value for mark in ("YEAR", "FULL NAME", "EMAIL@ADDRESS", "LL@li.org")
        )
        return value if value and not placeholder else None

    values = {
        "Project-Id-Version": guide.id,
        "Report-Msgid-Bugs-To": guide.contact,
        "POT-Creation-Date": created,
        "PO-Revision-Date": kept("PO-Revision-Date") or (None if old else _now()),
        "Last-Translator": kept("Last-Translator"),
        "Language-Team": guide.contact or kept("Language-Team"),
        "Language": language.locale_id,
        **dict(_CONTENT),
        "Plural-Forms": Catalog(locale=language.locale_id).plural_forms,
    }
    known = [(name, str(values[name])) for name in HEADER_ORDER if values.get(name)]
    ours = {name.lower() for name in HEADER_ORDER}
    others = [
        (name, value) for name, value in (old.header if old else []) if name.lower() not in ours
    ]
    return known + others  # an editor's own fields (X-Generator, ...) stay, after gettext's


def _shipped_catalog(language: Language) -> Catalog | None:
    """audioguide's own translations of its strings, for this language if it ships them."""
    for name in (language.locale_id, language.code):
        path = PACKAGE_LOCALES / name / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.is_file():
            return read(path, language).catalog
    return None


# --- compile and stats -------------------------------------------------------------------


def compile_catalogs(guide: Guide, locales: Path) -> list[Path]:
    """Write each language's ``.mo`` file next to its ``.po``; return the ones written."""
    written = []
    # Load every catalog first, so a missing or unreadable one leaves every .mo as it was.
    loaded = [(catalog_path(locales, lang), load(locales, lang)) for lang in guide.languages[1:]]
    for path, catalog in loaded:
        compiled = Catalog(locale=catalog.locale, domain=DOMAIN, fuzzy=False)
        compiled.mime_headers = [
            ("Content-Type", "text/plain; charset=UTF-8"),
            ("Language", str(catalog.locale)),
            ("Plural-Forms", catalog.plural_forms),
        ]
        for message in catalog:
            if message.id and usable(message) is not None:
                compiled[message.id] = copy.copy(message)
        buffer = io.BytesIO()
        write_mo(buffer, compiled, use_fuzzy=False)
        if write_atomic(path.with_suffix(".mo"), buffer.getvalue()):
            written.append(path.with_suffix(".mo"))
    return written


@dataclass(frozen=True)
class Problem:
    """One message that needs a translator: where it is and what is wrong."""

    kind: str  # "untranslated", "fuzzy" or "placeholders"
    path: Path
    line: int | None  # None: not in the catalog yet
    msgid: str
    detail: str = ""  # for "placeholders": "loses {title}"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        start = self.msgid if len(self.msgid) <= 50 else self.msgid[:49].rstrip() + "…"
        start = start.replace("\n", " ")
        if self.kind == "placeholders":
            return f'{where}: the translation {self.detail}: "{start}"'
        missing = "" if self.line else ", not in the catalog yet (run `audioguide update`)"
        return f'{where}: {self.kind}{missing}: "{start}"'


@dataclass(frozen=True)
class Stats:
    language: Language
    path: Path
    translated: int
    fuzzy: int
    untranslated: int
    messages: tuple[Problem, ...]  # each untranslated, fuzzy or placeholder-broken message
    empty: bool = False  # the catalog has no messages at all

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Translations whose placeholders are broken: not used, the source text is."""
        return tuple(p for p in self.messages if p.kind == "placeholders")

    @property
    def complete(self) -> bool:
        return self.translated == self.total and not self.problems

    def as_dict(self) -> dict:
        return {
            "language": self.language.locale_id,
            "catalog": str(self.path),
            "translated": self.translated,
            "fuzzy": self.fuzzy,
            "untranslated": self.untranslated,
            "total": self.total,
            "percent": round(self.percent, 1),
            "empty": self.empty,
            "messages": [
                {"kind": p.kind, "file": str(p.path), "line": p.line, "msgid": p.msgid,
                 "problem": p.detail or p.kind}
                for p in self.messages
            ],
        }  # fmt: skip


def stats(
    guide: Guide,
    locales: Path,
    languages: Iterable[Language] | None = None,
    loaded: Mapping[str, Catalog] | None = None,
) -> list[Stats]:
    """What is translated, fuzzy and untranslated per language, against the current scripts.

    ``loaded`` gives catalogs already read, by BCP 47 tag (the build's translations), so no
    catalog is read twice; the others are read from ``locales``.
    """
    wanted = list(dict.fromkeys([*(text.value for text in guide.texts()), *_TOOL_MSGIDS_ORDER]))
    results = []
    for language in languages or guide.languages[1:]:
        if language == guide.source_language:
            continue
        path = catalog_path(locales, language)
        catalog = (loaded or {}).get(language.tag)
        if catalog is None:
            catalog = load(locales, language)
        counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
        messages = []
        for msgid in wanted:
            message = catalog.get(msgid)
            line = message.lineno if message is not None else None
            if message is None or not _msgstr(message).strip():
                counts["untranslated"] += 1
                messages.append(Problem("untranslated", path, line, msgid))
            elif message.fuzzy:
                counts["fuzzy"] += 1
                messages.append(Problem("fuzzy", path, line, msgid))
            else:
                counts["translated"] += 1
                tool = msgid in _TOOL_MSGIDS
                problem = placeholder_problem(msgid, _msgstr(message)) if tool else None
                if problem:
                    messages.append(Problem("placeholders", path, line, msgid, problem))
        empty = not any(message.id for message in catalog)
        results.append(Stats(language, path, messages=tuple(messages), empty=empty, **counts))
    return results


# --- reading -----------------------------------------------------------------------------


def load(locales: Path, language: Language) -> Catalog:
    """Read one language's catalog; a clear error when it is missing or unreadable."""
    path = catalog_path(locales, language)
    if not path.is_file():
        raise CatalogError(
            f"no catalog for {language.tag} ({language.english_name}); "
            "run `audioguide update` to create it",
            path,
        )
    return read(path, language).catalog


def read(path: Path, language: Language, data: bytes | None = None) -> PoFile:
    return read_po(path, locale=language.locale_id, domain=DOMAIN, data=data)


def translation(guide: Guide, locales: Path, language: Language) -> Translation:
    if language == guide.source_language:
        return Translation(language, None, _shipped_catalog(language))
    return Translation(language, load(locales, language), _shipped_catalog(language))
