"""``.po`` files: read as strictly as ``msgfmt -c``, written exactly as GNU gettext writes them.

Babel's :class:`~babel.messages.catalog.Catalog` is the data model; its reader is lenient (a
string without its closing quote loses a character, a deleted ``msgid`` line moves a translation
to the next message) and its writer wraps differently from gettext, so both directions are here,
as a pair over :class:`PoFile`:

- :func:`read_po` accepts only what GNU gettext accepts, and less: UTF-8 only, no plural forms,
  no message contexts, no control characters, no duplicate messages, no format flags but
  ``no-python-format``. Every refusal is one :class:`CatalogError` naming the file, the line and
  what to fix, and none quotes the file: what failed to parse may be anything (the first word of
  a secret, had the file been one).
- :func:`write_po` writes what ``msgcat`` writes for the same messages (``write-po.c``): strings
  wrapped at 79 columns where gettext wraps them (:mod:`.linebreak`), references wrapped,
  comments as they are, ``#|`` previous msgids, obsolete entries last. So ``msgcat`` and
  ``msgmerge`` leave our files byte for byte as they are, and their files come back unchanged
  from ``audioguide update``.
"""

from __future__ import annotations

import codecs
import gettext
import re
import string
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message

from ..errors import CatalogError
from ..files import read_input
from .linebreak import width_breaks

PAGE_WIDTH = 79
MAX_BYTES = 16 * 1024 * 1024  # a catalog larger than this is not one
HEADER_ORDER = (
    "Project-Id-Version", "Report-Msgid-Bugs-To", "POT-Creation-Date", "PO-Revision-Date",
    "Last-Translator", "Language-Team", "Language", "MIME-Version", "Content-Type",
    "Content-Transfer-Encoding", "Plural-Forms",
)  # fmt: skip
"""The header fields msgmerge knows, in its order: write them in this order and no others."""
# The formats GNU gettext knows (``#, <name>-format``): a flag is named in an error only when
# it is one of these, never when it is whatever else the file holds.
_FORMATS = frozenset(
    "c objc python python-brace java java-printf csharp javascript scheme lisp elisp librep "
    "ruby sh awk lua pascal smalltalk qt qt-plural kde kde-kuit boost tcl perl perl-brace php "
    "gcc-internal gfc-internal ycp".split()
)


@dataclass(frozen=True)
class PoFile:
    """A catalog as read or to be written: its messages as a Babel catalog, its header as
    written, and the translator comments above the header."""

    catalog: Catalog
    header: list[tuple[str, str]] = field(default_factory=list)  # (name, value), file order
    comments: list[str] = field(default_factory=list)  # translator comments above the header
    # The lines of messages read with both no-python-format and python-format, whose
    # python-format was dropped (``read_po(..., repair=True)``).
    repaired: list[int] = field(default_factory=list)
    header_lines: dict[str, int] = field(default_factory=dict)  # lowercase name -> its line

    def header_value(self, name: str) -> str | None:
        for key, value in self.header:
            if key.lower() == name.lower():
                return value
        return None


def header_msgstr(header: Iterable[tuple[str, str]]) -> str:
    """The header entry's msgstr for these fields, as gettext writes it (in a ``.po`` and in a
    ``.mo``)."""
    return "".join(f"{name}: {value}\n" for name, value in header)


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "comment", "keyword", "string"
    value: str
    line: int
    obsolete: bool
    previous: bool


_ESCAPES = {"n": "\n", "t": "\t", "b": "\b", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}
_ESCAPES.update({"\\": "\\", '"': '"'})
_NUMERIC_ESCAPE = re.compile(r"([0-7]{1,3})|x([0-9A-Fa-f]+)")
_WORD = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_OUTSIDE = "every line is a comment (#), msgid, msgstr or text in double quotes"


class _Reader:
    def __init__(self, text: str, path: Path):
        self.text = text
        self.path = path

    def fail(self, message: str, line: int | None) -> CatalogError:
        return CatalogError(message, self.path, line)

    def tokens(self) -> list[_Token]:
        tokens: list[_Token] = []
        lines = self.text.split("\n")
        for number, line in enumerate(lines, 1):
            last = number == len(lines)
            if line.rstrip("\r").endswith("\\"):
                raise self.fail(
                    "the line ends with a backslash, which joins it to the next line: "
                    "remove the backslash (a line break inside the text is written \\n)",
                    number,
                )
            pos, obsolete, previous = 0, False, False
            while pos < len(line):
                char = line[pos]
                if char in " \t\r\f\v":
                    pos += 1
                elif char == "#":
                    if line.startswith("#~", pos):
                        obsolete, pos = True, pos + 2
                        if line.startswith("|", pos):
                            previous, pos = True, pos + 1
                    elif line.startswith("#|", pos):
                        previous, pos = True, pos + 2
                    else:
                        tokens.append(_Token("comment", line[pos:], number, obsolete, previous))
                        break
                elif char == '"':
                    value, pos = self.string(line, pos + 1, number, last)
                    tokens.append(_Token("string", value, number, obsolete, previous))
                elif found := _WORD.match(line, pos):
                    tokens.append(self.keyword(found.group(), number, pos, obsolete, previous))
                    pos = found.end()
                elif char == "[":
                    raise self.fail(
                        'plural forms (msgstr[n]) are not used by audioguide; write msgstr "..."',
                        number,
                    )
                else:
                    raise self.fail(
                        f"a character outside the quotes at column {pos + 1}: {_OUTSIDE}",
                        number,
                    )
        return tokens

    def keyword(self, word: str, number: int, pos: int, obsolete: bool, previous: bool) -> _Token:
        if word == "msgid_plural":
            raise self.fail(
                "plural forms (msgid_plural, msgstr[n]) are not used by audioguide; "
                "remove this entry's msgid_plural and keep one msgstr",
                number,
            )
        if word == "msgctxt":
            raise self.fail(
                "message contexts (msgctxt) are not used by audioguide, which has one message "
                "per text: remove the msgctxt line (and its entry, if it repeats a msgid)",
                number,
            )
        if word == "domain":
            raise self.fail("a 'domain' line has no place here; remove it", number)
        if word not in ("msgid", "msgstr"):
            raise self.fail(
                f"a word outside the quotes at column {pos + 1}: {_OUTSIDE}; put the text "
                "inside the quotes",
                number,
            )
        return _Token("keyword", word, number, obsolete, previous)

    def string(self, line: str, pos: int, number: int, last: bool) -> tuple[str, int]:
        out: list[str] = []
        while pos < len(line):
            char = line[pos]
            if char == '"':
                return "".join(out), pos + 1
            if char != "\\":
                out.append(char)
                pos += 1
                continue
            pos += 1
            if pos == len(line):
                break
            escape = line[pos]
            if escape in _ESCAPES:
                out.append(_ESCAPES[escape])
                pos += 1
            elif found := _NUMERIC_ESCAPE.match(line, pos):
                code = int(found.group(1), 8) if found.group(1) else int(found.group(2), 16)
                if code >= 0x80:
                    raise self.fail(
                        f"the escape at column {pos} stands for a byte, not a character: "
                        "write the character itself",
                        number,
                    )
                out.append(chr(code))
                pos = found.end()
            else:
                raise self.fail(
                    f"an unknown escape at column {pos}: write \\\\ for a backslash, "
                    '\\" for a quote, \\n for a line break',
                    number,
                )
        where = "end of the file" if last else "end of the line"
        raise self.fail(
            f'{where} inside a quoted string: close the string with " '
            "(a line break inside the text is written \\n)",
            number,
        )


@dataclass
class _Entry:
    comments: list[_Token]
    obsolete: bool
    line: int  # the msgid keyword
    msgstr_line: int
    msgid: str = ""
    msgstr: str = ""
    msgstr_parts: list[tuple[str, int]] = field(default_factory=list)  # (string, its line)
    previous_msgid: str | None = None


def _parse(reader: _Reader) -> list[_Entry]:
    tokens = reader.tokens()
    entries: list[_Entry] = []
    comments: list[_Token] = []
    i = 0

    def strings(at: int, what: str, into: list[tuple[str, int]] | None = None) -> tuple[str, int]:
        parts = []
        while at < len(tokens) and tokens[at].kind == "string":
            check_kind(tokens[at], tokens[at - 1].obsolete, tokens[at - 1].previous)
            parts.append(tokens[at])
            at += 1
        if not parts:
            line = tokens[at].line if at < len(tokens) else tokens[at - 1].line
            raise reader.fail(f'{what} has no text after it: write {what} ""', line)
        if into is not None:
            into += [(t.value, t.line) for t in parts]
        return "".join(t.value for t in parts), at

    def check_kind(token: _Token, obsolete: bool, previous: bool) -> None:
        if token.obsolete != obsolete:
            raise reader.fail(
                "an entry is partly obsolete (#~) and partly not: mark all of its lines #~ or none",
                token.line,
            )
        if token.previous != previous:
            raise reader.fail(
                "a #| line (the previous msgid) must come right before the entry's msgid",
                token.line,
            )

    def expect(at: int, keyword: str) -> bool:
        return at < len(tokens) and tokens[at].kind == "keyword" and tokens[at].value == keyword

    while i < len(tokens):
        token = tokens[i]
        if token.kind == "comment":
            comments.append(token)
            i += 1
            continue
        if token.kind == "string":
            raise reader.fail(
                "text in quotes with no msgid or msgstr before it: restore the missing "
                "msgid/msgstr line or remove the text",
                token.line,
            )
        obsolete = token.obsolete
        entry = _Entry(comments, obsolete, token.line, token.line)
        comments = []
        if token.previous:  # #| msgid
            if not expect(i, "msgid"):
                raise reader.fail(
                    'a #| line must be #| msgid "..." (or its continuation) and come right '
                    "before the msgid",
                    token.line,
                )
            entry.previous_msgid, i = strings(i + 1, "#| msgid")
            if i < len(tokens) and tokens[i].previous:
                raise reader.fail(
                    'a #| line must be #| msgid "..." (or its continuation) and come right '
                    "before the msgid",
                    tokens[i].line,
                )
        if not expect(i, "msgid"):
            line = tokens[i].line if i < len(tokens) else tokens[-1].line
            raise reader.fail(
                "msgstr with no msgid before it: restore the msgid line of this entry"
                if expect(i, "msgstr")
                else 'expected msgid here: an entry is msgid "..." then msgstr "..."',
                line,
            )
        check_kind(tokens[i], obsolete, False)
        entry.line = tokens[i].line
        entry.msgid, i = strings(i + 1, "msgid")
        if not expect(i, "msgstr"):
            raise reader.fail(
                'this msgid has no msgstr: add msgstr "" after it (or restore the missing line)',
                entry.line,
            )
        check_kind(tokens[i], obsolete, False)
        entry.msgstr_line = tokens[i].line
        entry.msgstr, i = strings(i + 1, "msgstr", entry.msgstr_parts)
        entries.append(entry)
    return entries


def read_bytes(path: Path, inside: Path | None = None) -> bytes:
    """A catalog file's bytes: a regular file of at most :data:`MAX_BYTES`, and inside the
    folder ``inside`` when it is given (not reached through a symbolic link from elsewhere)."""
    try:
        return read_input(path, MAX_BYTES, inside=inside)
    except ValueError as exc:  # a pipe, a device, too big, outside the folder
        raise CatalogError(f"{exc}; give a .po text file", path) from None
    except OSError as exc:
        raise CatalogError(f"cannot read the catalog ({exc.strerror})", path) from None


def read_po(
    path: Path,
    locale: str | None = None,
    domain: str | None = None,
    data: bytes | None = None,
    inside: Path | None = None,
    repair: bool = False,
) -> PoFile:
    """Read one ``.po`` or ``.pot`` file (or ``data``, its content), refusing anything GNU
    gettext would refuse. ``inside``: see :func:`read_bytes`. ``repair``: drop the
    ``python-format`` that ``pybabel update`` writes beside ``no-python-format`` (noted in
    :attr:`PoFile.repaired`) instead of refusing the file."""
    path = Path(path)
    raw = read_bytes(path, inside) if data is None else data
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CatalogError(
            "is not UTF-8; convert the catalog to UTF-8 (e.g. msgconv --to-code=UTF-8) and set "
            "charset=UTF-8 in its header",
            path,
            line,
        ) from None
    if text.startswith("\ufeff"):
        raise CatalogError("starts with a byte order mark; save it as UTF-8 without BOM", path, 1)
    entries = _parse(_Reader(text, path))

    po = PoFile(Catalog(locale=locale, domain=domain, fuzzy=False))
    seen: dict[str, int] = {}
    for entry in entries:
        if entry.msgid in seen:
            raise CatalogError(
                f"the same msgid is already on line {seen[entry.msgid]}: keep one of the two "
                "entries (merge their translations by hand)",
                path,
                entry.line,
            )
        seen[entry.msgid] = entry.line
        for value, line in (
            (entry.msgid, entry.line),
            (entry.msgstr, entry.msgstr_line),
            (entry.previous_msgid, entry.line),
        ):
            _check_characters(value, path, line)
        if entry.msgid == "" and not entry.obsolete:
            _header(po, entry, path)
            continue
        _add(po, entry, path, repair)
    _check_plural_forms(po, path, seen.get("", 1))
    return po


def _check_characters(value: str | None, path: Path, line: int) -> None:
    for char in value or "":
        if unicodedata.category(char) in ("Cc", "Cs") and char not in "\n\t":
            raise CatalogError(
                f"control character U+{ord(char):04X} in the text: remove it "
                "(only line breaks \\n and tabs \\t are allowed)",
                path,
                line,
            )


def _comments(tokens: Sequence[_Token]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"#": [], "#.": [], "#:": [], "#,": []}
    for token in tokens:
        kind = token.value[:2] if token.value[1:2] in (".", ":", ",") else "#"
        text = token.value[len(kind) :]
        found[kind].append(text[1:] if text.startswith(" ") else text)
    return found


def _header(po: PoFile, entry: _Entry, path: Path) -> None:
    found = _comments(entry.comments)
    po.comments.extend(found["#"])
    starts = []  # (offset in the msgstr, line) of each string it is made of
    offset = 0
    for part, line in entry.msgstr_parts:
        starts.append((offset, line))
        offset += len(part)
    offset = 0
    for text in entry.msgstr.split("\n"):
        name, colon, value = text.partition(":")
        if colon and name.strip():
            po.header.append((name.strip(), value.strip()))
            line = max((n for start, n in starts if start <= offset), default=entry.msgstr_line)
            po.header_lines.setdefault(name.strip().lower(), line)
        offset += len(text) + 1
    flag_line = max((t.line for t in entry.comments if t.value.startswith("#,")), default=0)
    flags = _flags(found["#,"], path, flag_line or entry.line)
    if "python-format" in flags:
        _format_flag("python-format", path, flag_line)
    po.catalog.fuzzy = "fuzzy" in flags
    content_type = po.header_value("Content-Type") or ""
    charset = re.search(r"charset=([^\s;]*)", content_type)
    if charset and charset.group(1).lower() not in ("utf-8", "utf8"):
        try:
            named = f"charset={codecs.lookup(charset.group(1)).name}"
        except LookupError:
            named = "a charset Python does not know"
        raise CatalogError(
            f"declares {named}; audioguide's catalogs are UTF-8: convert the file to UTF-8 "
            "(e.g. msgconv --to-code=UTF-8) and set charset=UTF-8",
            path,
            entry.line,
        )


def _flags(texts: Iterable[str], path: Path, line: int) -> set[str]:
    flags = set()
    for text in texts:
        for flag in (part.strip() for part in text.split(",")):
            if flag in ("fuzzy", "no-python-format", "python-brace-format", "python-format"):
                flags.add(flag)
            elif flag.endswith("-format") and not flag.startswith("no-"):
                _format_flag(flag, path, line)
    return flags


def _format_flag(flag: str, path: Path, line: int) -> None:
    name = flag.removesuffix("-format")
    which = f"the flag {flag}" if name in _FORMATS else "a -format flag"
    raise CatalogError(
        f"{which} makes gettext check the text as a format string, which audioguide's "
        "messages are not: remove it from the #, line",
        path,
        line,
    )


def _add(po: PoFile, entry: _Entry, path: Path, repair: bool) -> None:
    found = _comments(entry.comments)
    flag_line = max((t.line for t in entry.comments if t.value.startswith("#,")), default=0)
    flags = _flags(found["#,"], path, flag_line or entry.line)
    if "python-format" in flags:
        if "no-python-format" not in flags:
            _format_flag("python-format", path, flag_line)
        if not repair:
            raise CatalogError(
                "the flags no-python-format and python-format contradict each other "
                "(pybabel update adds python-format to a text with a % sign), and gettext "
                "then refuses the translation: run `audioguide update`, which removes "
                "python-format, or remove it from the #, line",
                path,
                flag_line,
            )
        flags.discard("python-format")
        po.repaired.append(flag_line)
    if not entry.obsolete and entry.msgstr and "fuzzy" not in flags and entry.msgid:
        for where, test in (("begin", str.startswith), ("end", str.endswith)):
            if test(entry.msgid, "\n") != test(entry.msgstr, "\n"):
                raise CatalogError(
                    f"the msgid and the msgstr do not both {where} with a line break (\\n): "
                    "make the translation match",
                    path,
                    entry.msgstr_line,
                )
    if "python-brace-format" in flags:
        flags.discard("python-brace-format")  # checked here as gettext would, then not written
        if not entry.obsolete and entry.msgstr and "fuzzy" not in flags:
            _check_brace_format(entry, path)
    locations: list[tuple[str, int | None]] = []
    for text in found["#:"]:
        for reference in text.split():
            name, _, number = reference.rpartition(":")
            if name and number.isdigit():
                locations.append((name.removeprefix("./"), int(number)))
            else:
                locations.append((reference.removeprefix("./"), None))
    message = Message(
        entry.msgid,
        entry.msgstr,
        locations=locations,  # type: ignore[arg-type]  # Babel takes None for "no line" too
        auto_comments=found["#."],
        user_comments=found["#"],
        previous_id=[entry.previous_msgid] if entry.previous_msgid is not None else [],
        lineno=entry.line,
    )
    message.flags = flags  # Babel guesses python-format from the text; the file decides
    if entry.obsolete:
        po.catalog.obsolete[entry.msgid] = message
    else:
        po.catalog[entry.msgid] = message


def _check_brace_format(entry: _Entry, path: Path) -> None:
    """msgfmt's check of a message flagged ``python-brace-format``: the same fields."""

    def names(text: str) -> set[str] | None:
        try:
            fields = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError:
            return None
        return {re.split(r"[.\[]", name, maxsplit=1)[0] for name in fields}

    wanted, given = names(entry.msgid), names(entry.msgstr)
    if wanted is not None and given != wanted:
        raise CatalogError(
            "the translation's {placeholders} differ from the msgid's and the entry is flagged "
            "python-brace-format, so gettext refuses it: use exactly the msgid's placeholders",
            path,
            entry.msgstr_line,
        )


def _check_plural_forms(po: PoFile, path: Path, line: int) -> None:
    """What msgfmt checks in a Plural-Forms field that is there."""
    value = po.header_value("Plural-Forms")
    if value is None:
        return
    nplurals = re.search(r"nplurals\s*=\s*([^;\s]*)", value)
    if nplurals and not nplurals.group(1).isdigit():
        raise CatalogError(
            "the Plural-Forms header has an invalid nplurals value: "
            "write e.g. nplurals=1; plural=0;",
            path,
            line,
        )
    plural = re.search(r"plural\s*=([^;]*)", value.replace("nplurals", ""))
    if not (nplurals and plural):
        return
    try:
        function = gettext.c2py(plural.group(1).strip())
        largest = max(function(n) for n in range(1001))
    except (ValueError, ZeroDivisionError, RecursionError):
        raise CatalogError(
            "the Plural-Forms header has an invalid plural expression: "
            "write e.g. nplurals=1; plural=0;",
            path,
            line,
        ) from None
    if largest >= int(nplurals.group(1)):
        raise CatalogError(
            f"the Plural-Forms header says nplurals={nplurals.group(1)} but its plural "
            f"expression gives {largest}: correct the Plural-Forms line",
            path,
            line,
        )


# --- writing -------------------------------------------------------------------------------


def write_po(po: PoFile) -> bytes:
    """The catalog as GNU gettext would write it (``msgcat``'s layout, 79 columns)."""
    out: list[str] = []
    out += _comment_lines("#", po.comments)
    out += _wrap("", "msgid", "")
    out += _wrap("", "msgstr", header_msgstr(po.header))
    for message in po.catalog:
        if message.id == "":
            continue
        out.append("")
        out += _message(message, obsolete=False)
    for message in po.catalog.obsolete.values():
        if message.string:  # gettext drops an obsolete entry without translation
            out.append("")
            out += _message(message, obsolete=True)
    return ("\n".join(out) + "\n").encode("utf-8")


def _comment_lines(mark: str, texts: Iterable[str]) -> list[str]:
    lines = []
    for text in texts:
        for part in text.split("\n"):
            lines.append(_no_continuation(f"{mark} {part}" if part else mark))
    return lines


def _no_continuation(line: str) -> str:
    """gettext joins a line ending in a backslash to the next one; a space keeps them apart."""
    return line + " " if line.endswith("\\") else line


def _message(message: Message, obsolete: bool) -> list[str]:
    out = _comment_lines("#", message.user_comments)
    out += _comment_lines("#.", message.auto_comments)
    if message.locations:
        line, column = "#:", 2
        for name, lineno in message.locations:
            reference = f"{name}:{lineno}" if lineno is not None else name
            if column > 2 and column + len(reference) + 1 > PAGE_WIDTH:
                out.append(line)
                line, column = "#:", 2
            line += " " + reference
            column += len(reference) + 1
        out.append(line)
    string = message.string if isinstance(message.string, str) else ""
    flags = (["fuzzy"] if message.fuzzy and string else []) + (
        ["no-python-format"] if "no-python-format" in message.flags else []
    )
    if flags:
        out.append("#, " + ", ".join(flags))
    prefix = "#~ " if obsolete else ""
    previous = "#~| " if obsolete else "#| "
    if message.previous_id:
        out += _wrap(previous, "msgid", str(message.previous_id[0]))
    out += _wrap(prefix, "msgid", str(message.id))
    out += _wrap(prefix, "msgstr", string)
    return out


_ESCAPED = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v"}
_ESCAPED.update({"\\": "\\", '"': '"'})


def _wrap(prefix: str, name: str, value: str) -> list[str]:
    """``write-po.c``'s ``wrap()``: one keyword and its string, broken into lines."""
    lines: list[str] = []
    after_break = len(prefix) + 1
    width = PAGE_WIDTH - 1 - after_break
    first = True
    portions = re.findall(r"[^\n]*\n|[^\n]+", value) or [""]
    for index, portion in enumerate(portions):
        chars: list[str] = []
        overrides: list[bool] = []  # True: no break before this character
        for char in portion:
            if char in _ESCAPED:
                chars += ["\\", _ESCAPED[char]]
                overrides += [False, True]
            else:
                chars.append(char)
                overrides.append(False)
        if portion.endswith("\n"):
            overrides[-2] = True  # never break right before the closing \n
        more = index < len(portions) - 1
        while True:
            start = len(prefix) + (len(name) + 1 if first else 0) + 1 - after_break
            breaks = width_breaks(chars, width, start, overrides)
            if first and chars and (more or start > width or any(breaks)):
                lines.append(f'{prefix}{name} ""')
                first = False
                continue
            break
        text = prefix + (f"{name} " if first else "") + '"'
        first = False
        for char, brk in zip(chars, breaks, strict=True):
            if brk:
                lines.append(text + '"')
                text = prefix + '"'
            text += char
        lines.append(text + '"')
    return lines
