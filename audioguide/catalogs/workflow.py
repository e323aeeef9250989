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
import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo

from ..errors import AudioGuideError, CatalogError, LanguageError
from ..files import into_place, remove_temporary, write_atomic
from ..languages import Language, other_spellings, resolve, same_language
from ..lock import locked_folder
from ..script import GUIDE_FILE, Guide, load_guide
from ..strings import STRINGS
from .pofile import HEADER_ORDER, PoFile, header_msgstr, read_bytes, read_po, write_po
from .translation import Translation, placeholder_problem, usable

log = logging.getLogger("audioguide")

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


def extract_yaml(
    fileobj: BinaryIO,
    keywords: object,  # noqa: ARG001 - Babel's extractor signature
    comment_tags: object,  # noqa: ARG001
    options: object,  # noqa: ARG001
) -> Iterator[tuple[int, None, str, list[str]]]:
    """Babel extractor for section scripts (registered as the ``audioguide`` method).

    Reads the guide the file belongs to (the folder holding it and ``guide.yaml``) as every
    audioguide command does, within the same limits and with the same errors, and yields
    ``(lineno, funcname, message, comments)`` for the texts written in this file: a guide's
    title and description, a section's title and paragraphs, with the comments the template
    gives them. A file that is not one of the guide's yields nothing.
    """
    name = getattr(fileobj, "name", None)
    if not isinstance(name, str | bytes | os.PathLike):
        raise ValueError("the audioguide extractor reads a guide's files; give it one by name")
    path = Path(os.fsdecode(name))
    if not (path.parent / GUIDE_FILE).is_file():
        return
    for text in load_guide(path.parent).texts():
        if text.path.resolve() == path.resolve():
            yield text.line, None, text.value, list(text.comments)


def build_template(guide: Guide) -> Catalog:
    """The template: the guide's messages in guide order, then audioguide's own strings."""
    template = Catalog(domain=DOMAIN, fuzzy=False)
    for text in guide.texts():
        location = os.path.relpath(text.path, guide.path.parent)
        template.add(text.value, locations=[(location, text.line)], auto_comments=text.comments)
        _not_python_format(template[text.value])
    for string in STRINGS:
        template.add(string.msgid, auto_comments=[f"audioguide: {string.comment}"])
    for message in template:
        message.flags &= {"no-python-format"}  # no guessed format flags: placeholders are data
    return template


def _not_python_format(message: Message) -> None:
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
    old: bytes | None  # the file as it was read


def _template(guide: Guide, locales: Path) -> _Template:
    """The template, keeping the written one's creation date when nothing else changed."""
    path = locales / TEMPLATE
    catalog = build_template(guide)
    comments = [line.format(id=guide.id) for line in _HEADER]
    old = _read_or_none(path, locales)
    if old is not None:
        try:
            created = read_po(path, data=old).header_value("POT-Creation-Date")
        except CatalogError:  # made by audioguide: a damaged one is simply made again
            created = None
        if created:
            data = write_po(PoFile(catalog, _template_header(guide, created), comments))
            if data == old:
                return _Template(catalog, data, created, old)
    created = _now()
    data = write_po(PoFile(catalog, _template_header(guide, created), comments))
    return _Template(catalog, data, created, old)


def extract(guide: Guide, locales: Path) -> bool:
    """Write ``locales/audioguide.pot``; return whether it changed."""
    locales = Path(locales)
    with _locked(locales):
        template = _template(guide, locales)
        return _write(locales / TEMPLATE, template.data, template.old)


@contextmanager
def _locked(locales: Path) -> Iterator[None]:
    """Hold the locales folder's lock: a second ``extract``, ``update`` or ``compile`` waits
    with a notice instead of removing the first one's temporary files under it. An ``flock`` on
    the folder itself: nothing is added to the translators' folder, and the kernel releases it
    when its holder ends, however it ends."""
    locales.mkdir(parents=True, exist_ok=True)
    waiting = f"another audioguide command is writing the catalogs in {locales}; waiting for it"
    with locked_folder(locales, waiting + " to finish"):
        yield


# --- update ------------------------------------------------------------------------------


def update(
    guide: Guide, locales: Path, languages: Iterable[Language] | None = None
) -> dict[str, str]:
    """Merge the template into each language's catalog, creating missing ones.

    Returns ``{locale id: "created" | "updated" | "unchanged"}``.
    """
    locales = Path(locales)
    with _locked(locales):
        template = _template(guide, locales)
        merged = [
            _merged(guide, language, locales, template)
            for language in languages or guide.languages
            if language != guide.source_language
        ]
        # Every catalog is read and merged before any file is written: a bad one changes nothing.
        _write(locales / TEMPLATE, template.data, template.old)
        results = {}
        for language, path, old, data in merged:
            changed = _write(path, data, old)
            results[language.locale_id] = (
                "created" if old is None else "updated" if changed else "unchanged"
            )
    return results


def _merged(
    guide: Guide, language: Language, locales: Path, template: _Template
) -> tuple[Language, Path, bytes | None, bytes]:
    """(language, its catalog, the bytes read from it, the bytes to write there)."""
    path = catalog_path(locales, language)
    old = _read_or_none(path, locales)  # read once: compared again just before writing
    if old is None:
        _not_elsewhere(locales, language)
        po = PoFile(Catalog(locale=language.locale_id, domain=DOMAIN))
    else:
        _tell_elsewhere(locales, language)
        po = read(path, language, old, locales, repair=True)
    if po.repaired:
        log.info(
            f"{path}: removed python-format beside no-python-format on line(s) "
            f"{', '.join(map(str, po.repaired))} (pybabel update adds it, and msgfmt -c then "
            "refuses the translation)"
        )
    _merge(po.catalog, template.catalog, _shipped_catalog(language))
    header = _catalog_header(guide, language, template.created, po if old is not None else None)
    comments = po.comments or [line.format(id=guide.id) for line in _HEADER]
    return language, path, old, write_po(PoFile(po.catalog, header, comments))


def _read_or_none(path: Path, locales: Path) -> bytes | None:
    """The bytes of a catalog in the locales folder, or None when there is none."""
    if not os.path.lexists(path):
        return None
    return read_bytes(path, inside=locales)


def _write(path: Path, data: bytes, old: bytes | None) -> bool:
    """Replace ``path`` with ``data`` only if it still holds what was read (``old``): its hash
    is compared just before the new file takes its place."""
    remove_temporary(path.parent)  # what a killed command left
    if old == data:
        return False

    def digest(content: bytes | None) -> str | None:
        return hashlib.sha256(content).hexdigest() if content is not None else None

    with into_place(path) as temporary:
        temporary.write_bytes(data)
        now = path.read_bytes() if path.is_file() else None
        if digest(now) != digest(old):
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
    for message in catalog.obsolete.values():
        # As msgmerge keeps an obsolete entry: the translator's comments, flags and #~| msgid,
        # not the #. and #: lines, which described where the message was.
        message.auto_comments = []
        message.locations = []
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
        # The translator's team once the catalog has one; contact: only fills a missing one.
        "Language-Team": kept("Language-Team") or guide.contact,
        # The translator's spelling of the language (ko_KR in ko/) stays; read() refused any
        # other language.
        "Language": kept("Language") or language.locale_id,
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
    """Write each language's ``.mo`` file next to its ``.po``; return the ones written.

    As ``msgfmt`` does: the catalog's own header entry (unless it is fuzzy) without its
    ``POT-Creation-Date``, then every translation that is not fuzzy; a blank one is left out,
    as the build leaves it unused.
    """
    locales = Path(locales)
    written = []
    # Every catalog first, so a missing or unreadable one leaves every .mo as it was.
    loaded = [(catalog_path(locales, lang), _load(locales, lang)) for lang in guide.languages[1:]]
    with _locked(locales):
        for path, po in loaded:
            # msgfmt leaves out the template's date, so a new template alone changes no .mo.
            header = [(name, value) for name, value in po.header if name != "POT-Creation-Date"]
            compiled = _Compiled(None if po.catalog.fuzzy else header_msgstr(header))
            for message in po.catalog:
                if message.id and usable(message) is not None:
                    compiled[message.id] = copy.copy(message)
            buffer = io.BytesIO()
            write_mo(buffer, compiled, use_fuzzy=False)
            if write_atomic(path.with_suffix(".mo"), buffer.getvalue()):
                written.append(path.with_suffix(".mo"))
    return written


class _Compiled(Catalog):
    """A catalog whose header entry is the ``.po`` file's own (Babel's would be made up from
    its attributes: ``PROJECT VERSION``, ``FULL NAME``, the time of compiling), or none."""

    def __init__(self, header: str | None):
        super().__init__(domain=DOMAIN, fuzzy=False)
        self.header = header

    def __iter__(self) -> Iterator[Message]:
        messages = super().__iter__()
        next(messages)  # Babel's own header
        if self.header is not None:
            yield Message("", self.header)
        yield from messages


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
class CatalogProblem:
    """What keeps a language from being spoken wholly in its own voice: the build warns, and
    refuses under ``--strict``."""

    message: str  # what is wrong
    fix: str  # what to do about it
    fallback: str  # what the build does instead
    path: Path
    line: int | None = None


@dataclass(frozen=True)
class Stats:
    language: Language
    source: Language  # the guide's, spoken where a translation is missing
    path: Path
    translated: int  # translations the build uses
    fuzzy: int
    untranslated: int
    broken: int  # translations whose placeholders are broken: not used, the source text is
    messages: tuple[Problem, ...]  # each untranslated, fuzzy or placeholder-broken message
    empty: bool = False  # the catalog has no messages at all

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated + self.broken

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    @property
    def complete(self) -> bool:
        return self.translated == self.total

    def problems(self) -> list[CatalogProblem]:
        """What the build warns about, or refuses under ``--strict``."""
        tag, english = self.language.tag, self.source.english_name
        problems = []
        if self.empty:
            problems.append(CatalogProblem(
                f"{tag}: the catalog has no messages (it is empty or only a header)",
                f"run `audioguide update --lang {tag}` and translate it",
                f"the whole {tag} guide is spoken and shown in {english}",
                self.path,
            ))  # fmt: skip
        elif self.fuzzy + self.untranslated:
            problems.append(CatalogProblem(
                f"{tag}: {self.fuzzy + self.untranslated} of {self.total} messages are "
                "untranslated or fuzzy",
                "translate them",
                f"until translated they are spoken and shown in {english} (see `audioguide "
                "stats`)",
                self.path,
            ))  # fmt: skip
        for broken in (p for p in self.messages if p.kind == "placeholders"):
            problems.append(CatalogProblem(
                f"{tag}: the translation {broken.detail}",
                "use exactly the placeholders of the msgid",
                f"that message is spoken and shown in {english}",
                broken.path,
                broken.line,
            ))  # fmt: skip
        return problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "language": self.language.locale_id,
            "catalog": str(self.path),
            "translated": self.translated,
            "fuzzy": self.fuzzy,
            "untranslated": self.untranslated,
            "broken": self.broken,
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
        counts = {"translated": 0, "fuzzy": 0, "untranslated": 0, "broken": 0}
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
                tool = msgid in _TOOL_MSGIDS
                problem = placeholder_problem(msgid, _msgstr(message)) if tool else None
                if problem:
                    counts["broken"] += 1
                    messages.append(Problem("placeholders", path, line, msgid, problem))
                else:
                    counts["translated"] += 1
        empty = not any(message.id for message in catalog)
        results.append(
            Stats(language, guide.source_language, path, messages=tuple(messages), empty=empty,
                  **counts)
        )  # fmt: skip
    return results


# --- reading -----------------------------------------------------------------------------


def load(locales: Path, language: Language) -> Catalog:
    """Read one language's catalog; a clear error when it is missing or unreadable."""
    return _load(locales, language).catalog


def _load(locales: Path, language: Language) -> PoFile:
    path = catalog_path(locales, language)
    if not os.path.lexists(path):
        _not_elsewhere(locales, language)
        raise CatalogError(
            f"no catalog for {language.tag} ({language.english_name}); "
            "run `audioguide update` to create it",
            path,
        )
    _tell_elsewhere(locales, language)
    return read(path, language, inside=locales)


def _not_elsewhere(locales: Path, language: Language) -> None:
    """Refuse a catalog under another spelling of the language's folder (``locales/zh_CN``
    for ``zh_Hans``), which would be silently ignored while a new one is made or missed."""
    for folder in other_spellings(locales, language):
        found = folder / "LC_MESSAGES" / f"{DOMAIN}.po"
        if os.path.lexists(found):
            raise CatalogError(
                f"is the {language.tag} catalog in a folder audioguide does not read: move it "
                f"to {catalog_path(locales, language)} (the folder is named by the locale id "
                f"{language.locale_id} that guide.yaml's language resolves to)",
                found,
            )


def _tell_elsewhere(locales: Path, language: Language) -> None:
    """Warn of a second catalog of the language under another spelling of its folder
    (``locales/zh_CN`` beside ``zh_Hans``), naming the one that is read."""
    for folder in other_spellings(locales, language):
        found = folder / "LC_MESSAGES" / f"{DOMAIN}.po"
        if os.path.lexists(found):
            log.warning(
                f"{found}: another {language.tag} catalog, which is not read: audioguide reads "
                f"{catalog_path(locales, language)} (named by the locale id {language.locale_id}"
                "); move what is only in the other into it, then remove the other"
            )


def read(
    path: Path,
    language: Language,
    data: bytes | None = None,
    inside: Path | None = None,
    repair: bool = False,
) -> PoFile:
    """Read a language's catalog, which must be of that language if its header says one."""
    po = read_po(
        path, locale=language.locale_id, domain=DOMAIN, data=data, inside=inside, repair=repair
    )
    given = po.header_value("Language")
    if given:
        try:
            same = same_language(resolve(given), language)
        except LanguageError:
            same = False
        if not same:
            raise CatalogError(
                f"its Language header names another language than {language.tag} "
                f"({language.english_name}), whose folder it is in: if this is the "
                f"{language.english_name} catalog, set Language: {language.locale_id}; if not, "
                "move it to its own language's folder",
                path,
                po.header_lines.get("language"),
            )
    return po


def readable_translations(
    guide: Guide, locales: Path, tags: Iterable[str]
) -> dict[str, Translation]:
    """The translations of the languages ``tags`` whose catalogs can be read now (for the pages
    of languages a build keeps from an earlier one), by tag."""
    found = {}
    for language in guide.languages:
        if language.tag in tags:
            try:
                found[language.tag] = translation(guide, locales, language)
            except AudioGuideError:
                pass
    return found


def translation(guide: Guide, locales: Path, language: Language) -> Translation:
    if language == guide.source_language:
        return Translation(language, None, _shipped_catalog(language))
    return Translation(language, load(locales, language), _shipped_catalog(language))
