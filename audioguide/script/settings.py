"""guide.yaml's fields, declared once in :data:`SETTINGS`, and :func:`load_guide`, which reads
them top to bottom into a :class:`~.model.Guide`.

Each field is declared with its name, the reader that checks a value given for it (its return
type is the field's type), the value it has when guide.yaml leaves it out, and what it is for.
A reader gets guide.yaml's fields, with the values of those above it, and the field's name; like
everything here it raises :class:`ScriptError` naming the file and line.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from ..errors import LanguageError, ScriptError
from ..languages import Language, resolve
from .model import (
    DEFAULT_CATEGORY,
    GUIDE_FILE,
    PODCAST_CATEGORIES,
    Accessibility,
    Category,
    Guide,
    Pauses,
    Section,
    Text,
    VoiceChoice,
)
from .sections import load_sections, told
from .yaml_reader import Fields, compose, forbidden_character, kind

REQUIRED = object()  # the default of a field guide.yaml must give

_ENGINE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


class _GuideFields(Fields):
    """guide.yaml's fields, with the values of those read so far: a field may depend on the
    fields above it in :data:`SETTINGS`."""

    values: dict[str, Any]


@dataclass(frozen=True)
class Setting:
    """One field of guide.yaml."""

    name: str
    read: Callable[[_GuideFields, str], Any]  # the value given, checked
    default: Any  # when guide.yaml leaves it out: REQUIRED, or a function of the fields above
    doc: str  # what it is for; the README's guide.yaml example says the same


# --- the readers: one per kind of value, and one for each field with more to check --------


def _string(fields: _GuideFields, name: str) -> str:
    return fields.string(name)


def _text(fields: _GuideFields, name: str) -> Text:
    return fields.text(name)


def _translated(where: str) -> Callable[[_GuideFields, str], Text]:
    """A reader of text that is translated, with ``where`` told to translators beside it."""
    return lambda fields, name: told(fields.text(name), where)


def _identifier(fields: _GuideFields, name: str) -> str:
    return fields.identifier(name)


def _true_or_false(fields: _GuideFields, name: str) -> bool:
    value = fields.value(fields.nodes[name])
    if not isinstance(value, bool):
        raise ScriptError(f"{name} must be true or false, not {kind(value)}", fields.path,
                          fields.line_of(name))  # fmt: skip
    return value


def _date(fields: _GuideFields, name: str) -> datetime.date:
    value = fields.value(fields.nodes[name])
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date) or not 1990 <= value.year <= 9999:
        raise ScriptError(
            f"{name} must be a date such as 2024-05-01, not {value!r}",
            fields.path,
            fields.line_of(name),
        )
    return value


def _resolve(fields: Fields, given: str, line: int) -> Language:
    try:
        return resolve(given)
    except LanguageError as exc:
        raise ScriptError(exc.message, fields.path, line) from None


def _language(fields: _GuideFields, name: str) -> Language:
    return _resolve(fields, fields.string(name), fields.line_of(name))


def _languages(fields: _GuideFields, name: str) -> tuple[Language, ...]:
    """The source language first, then the others listed, each once."""
    node = fields.nodes[name]
    if not isinstance(node, yaml.SequenceNode):
        raise ScriptError("'languages' must be a list", fields.path, node.start_mark.line + 1)
    languages = [fields.values["source_language"]]
    for item in node.value:
        given = fields.value(item)
        if not isinstance(given, str):
            raise ScriptError(
                f"language ids are text, not {kind(given)}", fields.path, item.start_mark.line + 1
            )
        language = _resolve(fields, given, item.start_mark.line + 1)
        if language not in languages:
            languages.append(language)
    return tuple(languages)


def _sections(fields: _GuideFields, name: str) -> tuple[Section, ...]:
    """The section files listed, plain names of files in the scripts folder."""
    node = fields.nodes[name]
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise ScriptError(
            "'sections' must be a non-empty list of file names",
            fields.path,
            node.start_mark.line + 1,
        )
    paths = []
    for item in node.value:
        given = fields.value(item)
        line = item.start_mark.line + 1
        if not isinstance(given, str) or "/" in given or "\\" in given or given.startswith("."):
            raise ScriptError(
                f"sections lists {given!r}; give plain file names in the scripts folder",
                fields.path,
                line,
            )
        path = fields.path.parent / given
        if not path.exists():
            raise ScriptError(f"sections lists {given!r}, which does not exist", fields.path, line)
        paths.append(path)
    return load_sections(paths)


def _every_section(fields: _GuideFields) -> tuple[Section, ...]:
    """Every other ``*.yaml`` file in the scripts folder, by name."""
    scripts = fields.path.parent
    paths = sorted(p for p in scripts.glob("*.yaml") if p.name != GUIDE_FILE)
    if not paths:
        raise ScriptError(
            "the guide has no sections; add files such as 01-intro.yaml beside guide.yaml",
            scripts,
        )
    return load_sections(paths)


def _voices(fields: _GuideFields, name: str) -> tuple[tuple[str, VoiceChoice], ...]:
    """Each language's ``voices:`` entry, by locale id, sorted: what is given, where. Which
    engines there are and what settings each takes is the engines' to say (at build time,
    before anything is written)."""
    node = fields.nodes[name]
    outer = Fields(fields.path, node, tuple(_all_keys(node)), "voices")
    pairs = node.value if isinstance(node, yaml.MappingNode) else []
    keys = {k.value: k.start_mark.line + 1 for k, _ in pairs if isinstance(k, yaml.ScalarNode)}
    voices = {}
    for given, value_node in outer.nodes.items():
        language = _resolve(outer, str(given), outer.line_of(given))
        entry = Fields(fields.path, value_node, tuple(_all_keys(value_node)), f"voices.{given}")
        settings = {key: entry.value(n) for key, n in entry.nodes.items()}
        engine = settings.pop("engine", "auto")
        voice = settings.pop("voice", None)
        if not (isinstance(engine, str) and _ENGINE_NAME.fullmatch(engine)):
            raise ScriptError(f"voices.{given}.engine must be an engine's name, such as espeak, "
                              f"not {engine!r}", fields.path, entry.line_of("engine"))  # fmt: skip
        if voice is not None and not (isinstance(voice, str) and voice.strip()):
            raise ScriptError(f"voices.{given}.voice must be a voice name, not {voice!r}",
                              fields.path, entry.line_of("voice"))  # fmt: skip
        for key, value in settings.items():
            if isinstance(value, (dict, list)) or value is None:
                raise ScriptError(f"voices.{given}.{key} must be one value, not {kind(value)}",
                                  fields.path, entry.line_of(key))  # fmt: skip
        voices[language.locale_id] = VoiceChoice(
            engine=engine,
            voice=voice,
            settings=tuple(
                (key, value, entry.line_of(key)) for key, value in sorted(settings.items())
            ),
            line=entry.line_of("voice") if voice is not None else entry.line,
            engine_line=entry.line_of("engine"),
            entry_line=keys.get(given),
        )
    for locale_id, choice in sorted(voices.items()):
        if resolve(locale_id) not in fields.values["languages"]:
            declared = ", ".join(lang.locale_id for lang in fields.values["languages"])
            raise ScriptError(
                f"voices has an entry for {locale_id}, which is not one of the guide's languages "
                f"({declared}); add it to languages or remove the entry",
                fields.path, choice.entry_line,
            )  # fmt: skip
    return tuple(sorted(voices.items()))


def _all_keys(node: yaml.Node) -> list[str]:
    if not isinstance(node, yaml.MappingNode):
        return []
    return [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]


def _base_url(fields: _GuideFields, name: str) -> str:
    given = fields.string(name)
    try:
        return check_base_url(given)
    except ValueError as exc:
        raise ScriptError(f"base_url {exc}", fields.path, fields.line_of(name)) from None


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


def placeholder(url: str) -> bool:
    """Whether ``url``'s host is one reserved for examples (RFC 2606, RFC 6761), such as
    example.org: an address to replace before publishing."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host in ("example.org", "example.com", "example.net", "localhost"):
        return True
    return host.endswith((".example.org", ".example.com", ".example.net", ".example",
                          ".invalid", ".test", ".localhost"))  # fmt: skip


def _web_address(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    plain = not any(ch.isspace() for ch in value)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and plain


def _pauses(fields: _GuideFields, name: str) -> Pauses:
    settings = Fields(fields.path, fields.nodes[name], tuple(Pauses.__dataclass_fields__), name)
    given = {}
    for key, value_node in settings.nodes.items():
        value = settings.value(value_node)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10_000:
            raise ScriptError(
                f"pauses.{key} must be milliseconds from 0 to 10000, not {value!r}",
                fields.path,
                settings.line_of(key),
            )
        given[key] = value
    return Pauses(**given)


def _contact(fields: _GuideFields, name: str) -> str:
    contact = fields.string(name)
    if not contact.isprintable():
        raise ScriptError(
            "contact must be one line, e.g. Translators <team@example.org>",
            fields.path,
            fields.line_of(name),
        )
    return contact


def _email(fields: _GuideFields, name: str) -> str:
    email = fields.string(name)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise ScriptError(
            f"email {email!r} is not an email address such as guide@example.org",
            fields.path,
            fields.line_of(name),
        )
    return email


def _spelled(name: str, choices: tuple[str, ...] | list[str]) -> str | None:
    """``name`` as Apple spells it among ``choices`` (case and spaces aside), or None."""
    wanted = " ".join(name.split()).casefold()
    return next((choice for choice in choices if choice.casefold() == wanted), None)


def _category(fields: _GuideFields, name: str) -> str:
    """One of Apple Podcasts' categories, spelled as Apple spells it."""
    given = fields.string(name)
    category = _spelled(given, list(PODCAST_CATEGORIES))
    if category is None:
        raise ScriptError(f"category {given!r} is not one of Apple Podcasts' categories; give "
                          f"one of: {', '.join(PODCAST_CATEGORIES)}", fields.path,
                          fields.line_of(name))  # fmt: skip
    return category


def _subcategory(fields: _GuideFields, name: str) -> str:
    """One of the category's subcategories, spelled as Apple spells it."""
    given = fields.string(name)
    if not fields.has("category"):
        raise ScriptError("subcategory needs a category: add category: above it",
                          fields.path, fields.line_of(name))  # fmt: skip
    offered = PODCAST_CATEGORIES[fields.values["category"]]
    found = _spelled(given, offered)
    if found is None:
        raise ScriptError(f"subcategory {given!r} is not one of {fields.values['category']}'s "
                          f"subcategories ({', '.join(offered) or 'none'})", fields.path,
                          fields.line_of(name))  # fmt: skip
    return found


def _accessibility(fields: _GuideFields, name: str) -> Accessibility:
    names = ("certified_by", "credential", "report")
    entry = Fields(fields.path, fields.nodes[name], names, name)
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


# --- the table ----------------------------------------------------------------------------

# fmt: off
SETTINGS: tuple[Setting, ...] = (
    Setting("id", _identifier, REQUIRED,
            "lowercase letters, digits and single hyphens, at most 64: it names the files"),
    Setting("title", _translated("guide title"), REQUIRED, "the guide's title; translated"),
    Setting("description", _translated("guide description"), None,
            "one line about the guide; translated"),
    Setting("source_language", _language, lambda _: resolve("en"),
            "the language the scripts are written in (default en)"),
    Setting("languages", _languages, lambda fields: (fields.values["source_language"],),
            "the guide's languages, as Babel locale ids (zh, zh_CN, zh-Hans all mean zh_Hans)"),
    Setting("author", _string, None, "who wrote the guide"),
    Setting("sections", _sections, _every_section,
            "the section files, in order (default: every other *.yaml there, by name)"),
    Setting("voices", _voices, (),
            "per language: engine, voice, and the engine's settings (see speakers.py)"),
    Setting("base_url", _base_url, None, "where output/ is published: the feeds' links"),
    Setting("pauses", _pauses, Pauses(),
            "milliseconds of silence after a sentence, a paragraph, the track announcement"),
    Setting("published", _date, None,
            "the date feeds, tags and books carry (so builds stay reproducible)"),
    Setting("contact", _contact, None,
            "where translators report problems: the catalogs' header"),
    Setting("cover", _text, None,
            "a square PNG or JPEG, 1400-3000 px, in the scripts folder (cover.py checks it)"),
    Setting("email", _email, None,
            "the feeds' owner (itunes:owner), which podcast directories verify"),
    Setting("publisher", _string, None, "who publishes the guide: the DAISY books' dc:publisher"),
    Setting("category", _category, DEFAULT_CATEGORY,
            "the feeds' podcast category, one of Apple Podcasts'"),
    Setting("subcategory", _subcategory, None, "one of that category's subcategories"),
    Setting("accessibility", _accessibility, None,
            "who evaluated the books' accessibility: only then do the EPUBs claim conformance"),
    Setting("audiobook", _true_or_false, False,
            "also an M4B audiobook per language (its AAC costs build time)"),
)
# fmt: on


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
    names = tuple(setting.name for setting in SETTINGS)
    fields = _GuideFields(guide_path, compose(guide_path, scripts), names, GUIDE_FILE)
    values = fields.values = {}
    for setting in SETTINGS:
        if fields.has(setting.name):
            values[setting.name] = setting.read(fields, setting.name)
        elif setting.default is REQUIRED:
            raise ScriptError(f"missing required field {setting.name!r}", guide_path, fields.line)
        elif callable(setting.default):
            values[setting.name] = setting.default(fields)
        else:
            values[setting.name] = setting.default
    category = Category(values.pop("category"), values.pop("subcategory"))
    line = fields.line_of("base_url") if values["base_url"] is not None else None
    return Guide(**values, category=category, path=scripts, base_url_line=line)
