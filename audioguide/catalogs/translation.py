"""The translations the build uses: guide messages, and audioguide's own strings filled in.

A tool string's placeholders are data: ``{name}`` fields from the fixed list in its msgid
(``audioguide/strings.py``). A translation that loses, adds or misspells one, or writes one
with a format spec, conversion, attribute or index, is not used: the source text is spoken with a
warning instead. Filling in never goes through ``str.format``: :func:`fill` replaces the plain
fields and nothing else, so a translation can never run code or allocate without bound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel.messages.catalog import Catalog, Message

from ..languages import Language

_FIELD = re.compile(r"\{([^{}]*)\}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def placeholders(text: str) -> set[str]:
    """The plain ``{name}`` fields in a text."""
    return {name for name in _FIELD.findall(text) if _NAME.fullmatch(name)}


def placeholder_problem(msgid: str, translated: str) -> str | None:
    """What is wrong with a translation's placeholders, or None: "loses {title}; adds {x}"."""
    wanted = placeholders(msgid)
    found = placeholders(translated)
    odd = [f"{{{inner}}}" for inner in _FIELD.findall(translated) if not _NAME.fullmatch(inner)]
    if "{" in _FIELD.sub("", translated) or "}" in _FIELD.sub("", translated):
        odd.append("a lone { or }")
    parts = [
        f"{verb} {', '.join('{' + name + '}' for name in sorted(names))}"
        for verb, names in (("loses", wanted - found), ("adds", found - wanted))
        if names
    ]
    if odd:
        parts.append(f"writes {', '.join(odd)} (only plain placeholders such as {{title}} work)")
    return "; ".join(parts) or None


def fill(template: str, **values: object) -> str:
    """Put the values into a template's plain ``{name}`` fields; nothing else is touched."""

    def value(found: re.Match[str]) -> str:
        name = found.group(1)
        return str(values[name]) if name in values else found.group(0)

    return _FIELD.sub(value, template)


def usable(message: Message | None) -> str | None:
    """A catalog message's translation if it can be used (not fuzzy, not blank), else None."""
    if message is None or message.fuzzy or not isinstance(message.string, str):
        return None
    return message.string if message.string.strip() else None


@dataclass(frozen=True)
class Translated:
    text: str
    fallback: bool  # spoken in the source language: untranslated, fuzzy or broken


class Translation:
    """One language's view of the guide's messages and audioguide's own strings."""

    def __init__(self, language: Language, catalog: Catalog | None, shipped: Catalog | None):
        self.language = language
        self._catalog = catalog
        self._shipped = shipped

    @property
    def catalog(self) -> Catalog | None:
        """The guide's catalog for this language (None for the source language)."""
        return self._catalog

    def __call__(self, msgid: str) -> Translated:
        """A guide message; falls back to the source text when untranslated or fuzzy."""
        if self._catalog is None:
            return Translated(msgid, False)
        text = usable(self._catalog.get(msgid))
        return Translated(text, False) if text is not None else Translated(msgid, True)

    def tool_template(self, msgid: str) -> Translated:
        """One of audioguide's own strings, not filled in. The guide's catalog wins over the
        translations shipped with audioguide; a translation whose placeholders are broken is
        not used, the source text is. ``fallback`` when the English text is all there is."""
        for catalog in (self._catalog, self._shipped):
            text = usable(catalog.get(msgid)) if catalog is not None else None
            if text is not None:
                if placeholder_problem(msgid, text) is not None:
                    break
                return Translated(text, False)
        return Translated(msgid, self.language.code != "en")

    def tool(self, msgid: str, **values: object) -> str:
        """One of audioguide's own strings, translated where possible, filled in."""
        return fill(self.tool_template(msgid).text, **values)
