"""The section scripts, ``NN-<slug>.yaml``: each one a :class:`~.model.Section`."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..errors import ScriptError
from .model import Section, Text
from .yaml_reader import Fields, compose

SECTION_FIELDS = ("id", "title", "paragraphs", "note")


def load_sections(paths: list[Path]) -> tuple[Section, ...]:
    """The sections in ``paths``, in that order; no two may have the same id."""
    sections: list[Section] = []
    seen: dict[str, Path] = {}
    for position, path in enumerate(paths, 1):
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
    return tuple(sections)


def _load_section(path: Path, position: int) -> Section:
    fields = Fields(path, compose(path, path.parent), SECTION_FIELDS, "a section script")
    section_id = fields.identifier("id")
    note = fields.string("note", required=False)
    where = f"section {section_id}"
    return Section(
        id=section_id,
        title=told(fields.text("title"), f"{where}: title", note),
        paragraphs=tuple(
            told(text, f"{where}: paragraph {number}", note)
            for number, text in enumerate(fields.texts("paragraphs"), 1)
        ),
        note=note,
        path=path,
        line=fields.line_of("id"),
        position=position,
    )


def told(text: Text, where: str, note: str | None = None) -> Text:
    """``text`` with what translators are told beside it: where it belongs, and the note."""
    return dataclasses.replace(text, comments=(where, note) if note else (where,))
