"""Reading a YAML file safely, and the fields of its mappings with their lines.

YAML is only ever loaded with PyYAML's safe loader, within limits: a file of at most
:data:`MAX_FILE_BYTES`, nested at most :data:`MAX_DEPTH` deep, and at most :data:`MAX_VALUES`
values once aliases (``*name``) are expanded. Text may not hold control characters other than
newline and tab, nor lone surrogates. Only regular files inside the scripts folder are read.
No error quotes a file that is not UTF-8 text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast, overload

import yaml

from ..errors import ScriptError
from ..files import read_input
from .model import Text

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Ids become file names ("<guide id>-<tag>-daisy.zip", "<NN>-<section id>.chapters.json"), and
# each is written first under a longer temporary name: 64 keeps every one far below the 255
# bytes a file name may have.
MAX_ID = 64
MAX_FILE_BYTES = 1024 * 1024  # a section of a megabyte is some fifteen hours of speech
MAX_DEPTH = 20  # nesting of lists and mappings; a guide needs three
MAX_VALUES = 100_000  # values in one file, aliases expanded ("billion laughs")


class _TooDeep(yaml.YAMLError):
    def __init__(self, line: int | None):
        self.line = line


class _Loader(yaml.SafeLoader):
    """The safe loader (nothing that constructs Python objects), nesting at most MAX_DEPTH."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _TooDeep(self._next_line())
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def _next_line(self) -> int | None:
        """The line (from 1) where the parser's next event starts. (PyYAML's stubs leave
        ``peek_event`` unannotated; it returns that :class:`yaml.Event`.)"""
        peek = cast("Callable[[], yaml.Event]", self.peek_event)
        mark = peek().start_mark
        return mark.line + 1 if mark else None


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


def compose(path: Path, scripts: Path) -> yaml.Node:
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


class Fields:
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

    def value(self, node: yaml.Node) -> Any:
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
        value = self.value(node)
        if not isinstance(value, str):
            raise ScriptError(
                f"{what} must be text, not {kind(value)}; quote it if needed", self.path, line
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


def kind(value: Any) -> str:
    kinds = {dict: "a mapping", list: "a list", type(None): "empty", bool: "true/false"}
    kinds |= {int: "a number", float: "a number"}
    return kinds.get(type(value), "a date" if hasattr(value, "year") else "another kind of value")
