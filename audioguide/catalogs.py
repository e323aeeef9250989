"""Gettext catalogs on Babel's own API: extract -> update -> translate -> compile, plus stats.

``locales/audioguide.pot`` is the template; ``locales/<locale id>/LC_MESSAGES/audioguide.po`` is
one language. A message's ``msgid`` is the exact source text, so identical text is one message.
Every write leaves a file alone when its content would not change, and a translator's work is
never dropped: changed messages become fuzzy with their previous text, removed ones obsolete.
"""

from __future__ import annotations

import copy
import io
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, denormalize, read_po, write_po

from .errors import CatalogError
from .files import read_input, write_atomic
from .languages import Language
from .script import Guide, forbidden_character
from .strings import STRINGS

DOMAIN = "audioguide"
TEMPLATE = f"{DOMAIN}.pot"
_PACKAGE_LOCALES = Path(__file__).parent / "locales"
_HEADER = """\
# Translations of the audio guide PROJECT.
# Edit the msgstr lines; leave msgid as it is. Placeholders such as {title}
# must stay in the translation, in any order.
#"""
MAX_CATALOG_BYTES = 16 * 1024 * 1024
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


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


def build_template(guide: Guide, creation_date: datetime | None = None) -> Catalog:
    """The template: the guide's messages in guide order, then audioguide's own strings."""
    template = _new_catalog(guide, None, creation_date)
    for path in guide.files():
        location = os.path.relpath(path, guide.path.parent)
        with open(path, "rb") as handle:
            for lineno, _, message, comments in extract_yaml(handle, (), (), {}):
                template.add(message, locations=[(location, lineno)], auto_comments=comments)
                _not_python_format(template[message])
    for string in STRINGS:
        template.add(string.msgid, auto_comments=[f"audioguide: {string.comment}"])
    return template


def _not_python_format(message) -> None:
    """Guide text is never %-formatted: "80% of" is a percentage, not a ``% o`` placeholder.

    Babel guesses ``python-format`` from the text alone (python-babel/babel#1268), which makes
    msgfmt, Poedit and Weblate reject a correct translation; ``no-python-format`` tells them.
    """
    if "python-format" in message.flags or "no-python-format" in message.flags:
        message.flags.discard("python-format")
        message.flags.add("no-python-format")


def extract(guide: Guide, locales: Path) -> bool:
    """Write ``locales/audioguide.pot``; return whether it changed."""
    path = Path(locales) / TEMPLATE
    template = _template_as_written(guide, path)
    return write_atomic(path, _po_bytes(template))


def _template_as_written(guide: Guide, path: Path) -> Catalog:
    """The template, keeping the written one's creation date when nothing else changed."""
    template = build_template(guide)
    if path.is_file():
        try:
            old = _read(path, None)
        except CatalogError:
            return template
        created = old.creation_date if isinstance(old.creation_date, datetime) else None
        again = build_template(guide, created)
        if _po_bytes(again) == path.read_bytes():
            return again
    return template


# --- update ------------------------------------------------------------------------------


def update(guide: Guide, locales: Path, languages: Iterable[Language] | None = None) -> dict:
    """Merge the template into each language's catalog, creating missing ones.

    Returns ``{locale id: "created" | "updated" | "unchanged"}``.
    """
    locales = Path(locales)
    template = _template_as_written(guide, locales / TEMPLATE)
    merged = []
    for language in languages or guide.languages:
        if language == guide.source_language:
            continue
        path = catalog_path(locales, language)
        exists = path.is_file()
        catalog = _read(path, language) if exists else _new_catalog(guide, language)
        _revive_obsolete(catalog, template)
        previous = {m.id: m.previous_id for m in catalog if m.id and m.previous_id}
        # Catalog.update adds the template's own Message objects for new messages; a copy
        # keeps one language's tool strings from landing in the next language's catalog.
        catalog.update(copy.deepcopy(template))
        for message in catalog:  # Catalog.update clones messages, which re-adds python-format
            if "no-python-format" in message.flags:
                _not_python_format(message)
            if message.fuzzy and not message.previous_id and message.id in previous:
                message.previous_id = previous[message.id]  # still to review: keep what changed
        _fill_tool_strings(catalog, language)
        merged.append((language, path, exists, catalog))
    # Every catalog is read before any file is written: an unreadable one changes nothing.
    write_atomic(locales / TEMPLATE, _po_bytes(template))
    results = {}
    for language, path, exists, catalog in merged:
        changed = write_atomic(path, _po_bytes(catalog))
        results[language.locale_id] = (
            "created" if not exists else "updated" if changed else "unchanged"
        )
    return results


def _revive_obsolete(catalog: Catalog, template: Catalog) -> None:
    """A message that comes back keeps the translation it had before it was removed."""
    for msgid in list(catalog.obsolete):
        if msgid in template and msgid not in catalog:
            catalog[msgid] = catalog.obsolete.pop(msgid)


def _fill_tool_strings(catalog: Catalog, language: Language) -> None:
    shipped = _shipped_catalog(language)
    if shipped is None:
        return
    for string in STRINGS:
        message = catalog.get(string.msgid)
        ours = shipped.get(string.msgid)
        if message is None or not ours or not ours.string or ours.fuzzy:
            continue
        # A fuzzy guess (Babel matched a similar older string) loses to our exact translation.
        if not message.string or message.fuzzy:
            message.string = ours.string
            message.flags.discard("fuzzy")
            message.previous_id = []


def _shipped_catalog(language: Language) -> Catalog | None:
    """audioguide's own translations of its strings, for this language if it ships them."""
    for name in (language.locale_id, language.code):
        path = _PACKAGE_LOCALES / name / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.is_file():
            return _read(path, language)
    return None


# --- compile and stats -------------------------------------------------------------------


def compile_catalogs(guide: Guide, locales: Path) -> list[Path]:
    """Write each language's ``.mo`` file next to its ``.po``; return the ones written."""
    written = []
    # Load every catalog first, so a missing or unreadable one leaves every .mo as it was.
    loaded = [(catalog_path(locales, lang), load(locales, lang)) for lang in guide.languages[1:]]
    for path, catalog in loaded:
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        if write_atomic(path.with_suffix(".mo"), buffer.getvalue()):
            written.append(path.with_suffix(".mo"))
    return written


@dataclass(frozen=True)
class Stats:
    language: Language
    translated: int
    fuzzy: int
    untranslated: int
    problems: tuple[str, ...]  # placeholder mismatches, "path:line: ..." each

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    @property
    def complete(self) -> bool:
        return self.translated == self.total and not self.problems


def stats(guide: Guide, locales: Path, languages: Iterable[Language] | None = None) -> list[Stats]:
    """Translated, fuzzy and untranslated counts per language (default: every translated one),
    against the current scripts. Only those languages' catalogs are read."""
    wanted = [m.id for m in build_template(guide) if m.id and isinstance(m.id, str)]
    chosen = guide.languages[1:] if languages is None else languages
    results = []
    for language in [lang for lang in chosen if lang != guide.source_language]:
        path = catalog_path(locales, language)
        catalog = load(locales, language)
        counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
        problems = []
        for msgid in wanted:
            message = catalog.get(msgid)
            if message is None or not message.string:
                counts["untranslated"] += 1
                continue
            counts["fuzzy" if message.fuzzy else "translated"] += 1
            lost = placeholders(msgid) - placeholders(_string(message))
            added = placeholders(_string(message)) - placeholders(msgid)
            if lost or added:
                what = "; ".join(
                    f"{verb} {', '.join('{' + n + '}' for n in sorted(names))}"
                    for verb, names in (("loses", lost), ("adds", added))
                    if names
                )
                problems.append(f"{path}:{message.lineno}: the translation {what}")
        results.append(Stats(language, problems=tuple(problems), **counts))
    return results


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


# --- translation, for the build ----------------------------------------------------------


@dataclass(frozen=True)
class Translated:
    text: str
    fallback: bool  # spoken in the source language: untranslated or fuzzy


class Translation:
    """One language's view of the guide's messages and audioguide's own strings."""

    def __init__(self, language: Language, catalog: Catalog | None, shipped: Catalog | None):
        self.language = language
        self._catalog = catalog
        self._shipped = shipped

    def __call__(self, msgid: str) -> Translated:
        """A guide message; falls back to the source text when untranslated or fuzzy."""
        message = self._catalog.get(msgid) if self._catalog is not None else None
        if self._catalog is None or (message and message.string and not message.fuzzy):
            return Translated(_string(message) if message else msgid, False)
        return Translated(msgid, True)

    def tool_template(self, msgid: str) -> Translated:
        """One of audioguide's own strings, not filled in: the guide's catalog wins over the
        shipped one; a translation whose placeholders are broken is not used. ``fallback``
        when the English text is all there is."""
        for catalog in (self._catalog, self._shipped):
            message = catalog.get(msgid) if catalog is not None else None
            text = _string(message) if message else ""
            if message and text and not message.fuzzy and _fits(text, msgid):
                return Translated(text, False)
        return Translated(msgid, self.language.code != "en")

    def tool(self, msgid: str, **values: object) -> str:
        """One of audioguide's own strings, translated where possible, filled in."""
        return self.tool_template(msgid).text.format(**values)


def _string(message: Message) -> str:
    """A message's translation (catalogs are read without plural forms: see :func:`_read`)."""
    return message.string if isinstance(message.string, str) else ""


def _fits(translated: str, msgid: str) -> bool:
    """Whether a translation has exactly the msgid's placeholders and formats cleanly."""
    names = placeholders(msgid)
    if placeholders(translated) != names:
        return False
    try:
        translated.format(**dict.fromkeys(names, ""))
    except (KeyError, IndexError, ValueError):
        return False
    return True


def translation(guide: Guide, locales: Path, language: Language) -> Translation:
    if language == guide.source_language:
        return Translation(language, None, _shipped_catalog(language))
    return Translation(language, load(locales, language), _shipped_catalog(language))


# --- reading and writing -----------------------------------------------------------------


def load(locales: Path, language: Language) -> Catalog:
    """Read one language's catalog; a clear error when it is missing or unreadable."""
    path = catalog_path(locales, language)
    if not path.is_file():
        raise CatalogError(
            f"no catalog for {language.tag} ({language.english_name}); "
            "run `audioguide update` to create it",
            path,
        )
    return _read(path, language)


def _read(path: Path, language: Language | None) -> Catalog:
    try:
        raw = read_input(path, MAX_CATALOG_BYTES)
    except ValueError as exc:
        raise CatalogError(f"{exc}; give a .po text file", path) from None
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CatalogError("is not UTF-8; save the catalog as UTF-8", path, line) from None
    try:
        catalog = read_po(
            io.BytesIO(raw),
            locale=language.locale_id if language else None,
            domain=DOMAIN,
            abort_invalid=True,
            charset="utf-8",
        )
    except PoFileError as exc:
        problem = str(exc).split(" on ")[0].split(" at line")[0]
        raise CatalogError(
            f"not a valid .po file ({problem}); fix it in a .po editor such as Poedit",
            path,
            exc.lineno + 1 if exc.lineno is not None else None,  # Babel counts lines from 0
        ) from None
    except (ValueError, LookupError) as exc:  # LookupError: an unknown charset, IndexError
        raise CatalogError(f"not a valid .po file ({exc}); fix it in a .po editor", path) from None
    for message in catalog:
        if message.pluralizable:
            raise CatalogError(
                "a message has plural forms (msgid_plural), which audioguide never uses; "
                "remove its msgid_plural and msgstr[n] lines and give one msgstr",
                path,
                message.lineno,
            )
        found = forbidden_character(_string(message))
        if found:
            raise CatalogError(
                f"the translation holds {found}, which cannot be spoken or shown; remove it",
                path,
                message.lineno,
            )
    for message in catalog:
        if "no-python-format" in message.flags:
            _not_python_format(message)
        _previous_id(message)
    for message in catalog.obsolete.values():
        if "no-python-format" in message.flags:
            _not_python_format(message)
        _previous_id(message)
    return catalog


def _previous_id(message) -> None:
    """Babel's read_po takes ``#| msgid "..."`` (a fuzzy message's previous text) for a
    translator comment, and write_po would turn it into ``# | msgid``; make it previous_id again.

    Babel's write_po wraps a long previous msgid like a comment, so the lines are joined.
    """
    comments = message.user_comments
    start = len(comments)  # the #| lines come last, after the translator's own comments
    while start and comments[start - 1][:1] == "|":
        start -= 1
    while start < len(comments) and not re.match(r"\|\s*msgid\b", comments[start]):
        start += 1
    if start == len(comments):
        return
    lines = [comment[1:].strip() for comment in comments[start:]]
    message.user_comments = comments[:start]
    found = re.match(r'msgid\s+((?:"(?:[^"\\]|\\.)*"\s*)+)', " ".join(lines))
    if found:
        quoted = re.findall(r'"(?:[^"\\]|\\.)*"', found.group(1))
        message.previous_id = [denormalize("\n".join(quoted))]


def _new_catalog(
    guide: Guide, language: Language | None, creation_date: datetime | None = None
) -> Catalog:
    now = datetime.now(UTC).replace(microsecond=0)
    return Catalog(
        locale=language.locale_id if language else None,
        domain=DOMAIN,
        header_comment=_HEADER,
        project=guide.id,
        version="1.0",
        creation_date=creation_date or now,
        revision_date=now if language else None,
        language_team=f"{language.english_name} <LL@li.org>" if language else None,
        fuzzy=False,
    )


def _po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=76, include_previous=True)
    return buffer.getvalue()
