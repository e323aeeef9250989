"""``.po`` files: read as strictly as ``msgfmt -c``, written exactly as GNU gettext writes them.

Babel's :class:`~babel.messages.catalog.Catalog` is the data model; its reader is lenient (a
string without its closing quote loses a character, a deleted ``msgid`` line moves a translation
to the next message) and its writer wraps differently from gettext, so both directions are here:

- :func:`read_po` accepts only what GNU gettext accepts, and less: UTF-8 only, no plural forms,
  no control characters, no duplicate messages, no format flags but ``no-python-format``. Every
  refusal is one :class:`CatalogError` naming the file, the line and what to fix.
- :func:`po_bytes` writes what ``msgcat`` writes for the same messages (``write-po.c``): strings
  wrapped at 79 columns by the Unicode line breaking rules gettext uses, references wrapped,
  comments as they are, ``#|`` previous msgids, obsolete entries last. So ``msgcat`` and
  ``msgmerge`` leave our files byte for byte as they are, and their files come back unchanged
  from ``audioguide update``.
"""

from __future__ import annotations

import functools
import gettext
import re
import string
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from uniseg.linebreak import line_break

from ..errors import CatalogError
from ..files import read_input

PAGE_WIDTH = 79
MAX_BYTES = 16 * 1024 * 1024  # a catalog larger than this is not one
HEADER_ORDER = (
    "Project-Id-Version", "Report-Msgid-Bugs-To", "POT-Creation-Date", "PO-Revision-Date",
    "Last-Translator", "Language-Team", "Language", "MIME-Version", "Content-Type",
    "Content-Transfer-Encoding", "Plural-Forms",
)  # fmt: skip
"""The header fields msgmerge knows, in its order: write them in this order and no others."""


@dataclass(frozen=True)
class PoFile:
    """A read catalog: its messages as a Babel catalog, and its header as written."""

    catalog: Catalog
    header: list[tuple[str, str]] = field(default_factory=list)  # (name, value), file order
    comments: list[str] = field(default_factory=list)  # translator comments above the header

    def header_value(self, name: str) -> str | None:
        for key, value in self.header:
            if key.lower() == name.lower():
                return value
        return None


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
                    word = found.group()
                    if word == "msgid_plural":
                        raise self.fail(
                            "plural forms (msgid_plural, msgstr[n]) are not used by audioguide; "
                            "remove this entry's msgid_plural and keep one msgstr",
                            number,
                        )
                    if word == "domain":
                        raise self.fail("a 'domain' line has no place here; remove it", number)
                    if word not in ("msgctxt", "msgid", "msgstr"):
                        raise self.fail(
                            f"unknown keyword {word!r}: every line is a comment (#), msgid, msgstr "
                            "or text in double quotes; put the text inside the quotes",
                            number,
                        )
                    tokens.append(_Token("keyword", word, number, obsolete, previous))
                    pos = found.end()
                elif char == "[":
                    raise self.fail(
                        'plural forms (msgstr[n]) are not used by audioguide; write msgstr "..."',
                        number,
                    )
                else:
                    raise self.fail(
                        f"unexpected {char!r} outside the quotes: every line is a comment (#), "
                        "msgid, msgstr or text in double quotes",
                        number,
                    )
        return tokens

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
                        f"the escape \\{found.group()} stands for a byte, not a character: "
                        "write the character itself",
                        number,
                    )
                out.append(chr(code))
                pos = found.end()
            else:
                raise self.fail(
                    f"unknown escape \\{escape} in a string: write \\\\ for a backslash, "
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
    msgctxt: str | None = None
    msgid: str = ""
    msgstr: str = ""
    previous_msgctxt: str | None = None
    previous_msgid: str | None = None


def _parse(reader: _Reader) -> list[_Entry]:
    tokens = reader.tokens()
    entries: list[_Entry] = []
    comments: list[_Token] = []
    i = 0

    def strings(at: int, what: str) -> tuple[str, int]:
        parts = []
        while at < len(tokens) and tokens[at].kind == "string":
            check_kind(tokens[at], tokens[at - 1].obsolete, tokens[at - 1].previous)
            parts.append(tokens[at])
            at += 1
        if not parts:
            line = tokens[at].line if at < len(tokens) else tokens[at - 1].line
            raise reader.fail(f'{what} has no text after it: write {what} ""', line)
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
        for name in ("msgctxt", "msgid"):  # #| msgctxt, #| msgid
            if i < len(tokens) and tokens[i].previous and tokens[i].kind == "keyword":
                if tokens[i].value != name:
                    continue
                check_kind(tokens[i], obsolete, True)
                value, i = strings(i + 1, f"#| {name}")
                setattr(entry, f"previous_{name}", value)
        if i < len(tokens) and tokens[i].previous:
            raise reader.fail(
                'a #| line must be #| msgid "..." (or its continuation) and come right '
                "before the msgid",
                tokens[i].line,
            )
        if i < len(tokens) and tokens[i].kind == "keyword" and tokens[i].value == "msgctxt":
            check_kind(tokens[i], obsolete, False)
            entry.msgctxt, i = strings(i + 1, "msgctxt")
        if i >= len(tokens) or tokens[i].kind != "keyword" or tokens[i].value != "msgid":
            line = tokens[i].line if i < len(tokens) else tokens[-1].line
            what = tokens[i].value if i < len(tokens) and tokens[i].kind == "keyword" else None
            raise reader.fail(
                "msgstr with no msgid before it: restore the msgid line of this entry"
                if what == "msgstr"
                else 'expected msgid here: an entry is msgid "..." then msgstr "..."',
                line,
            )
        check_kind(tokens[i], obsolete, False)
        entry.line = tokens[i].line
        entry.msgid, i = strings(i + 1, "msgid")
        if i >= len(tokens) or tokens[i].kind != "keyword" or tokens[i].value != "msgstr":
            raise reader.fail(
                'this msgid has no msgstr: add msgstr "" after it (or restore the missing line)',
                entry.line,
            )
        check_kind(tokens[i], obsolete, False)
        entry.msgstr_line = tokens[i].line
        entry.msgstr, i = strings(i + 1, "msgstr")
        entries.append(entry)
    return entries


def read_po(
    path: Path, locale: str | None = None, domain: str | None = None, data: bytes | None = None
) -> PoFile:
    """Read one ``.po`` or ``.pot`` file (or ``data``, its content), refusing anything GNU
    gettext would refuse."""
    path = Path(path)
    try:
        raw = read_input(path, MAX_BYTES) if data is None else data
    except ValueError as exc:  # a pipe, a device, too big
        raise CatalogError(f"{exc}; give a .po text file", path) from None
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
    reader = _Reader(text, path)
    entries = _parse(reader)

    po = PoFile(Catalog(locale=locale, domain=domain, fuzzy=False))
    seen: dict[tuple[str | None, str], int] = {}
    for entry in entries:
        key = (entry.msgctxt, entry.msgid)
        if key in seen:
            raise CatalogError(
                f"the same msgid is already on line {seen[key]}: keep one of the two entries "
                "(merge their translations by hand)",
                path,
                entry.line,
            )
        seen[key] = entry.line
        for value, line in (
            (entry.msgctxt, entry.line),
            (entry.msgid, entry.line),
            (entry.msgstr, entry.msgstr_line),
            (entry.previous_msgid, entry.line),
        ):
            _check_characters(value, path, line)
        if entry.msgid == "" and entry.msgctxt is None and not entry.obsolete:
            _header(po, entry, path)
            continue
        _add(po, entry, path)
    _check_plural_forms(po, path, seen.get((None, ""), 1))
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
    for line in entry.msgstr.split("\n"):
        name, colon, value = line.partition(":")
        if colon and name.strip():
            po.header.append((name.strip(), value.strip()))
    po.catalog.fuzzy = "fuzzy" in _flags(found["#,"], path, entry.line)
    content_type = po.header_value("Content-Type") or ""
    charset = re.search(r"charset=([^\s;]*)", content_type)
    if charset and charset.group(1).lower() not in ("utf-8", "utf8"):
        raise CatalogError(
            f"declares charset={charset.group(1)}; audioguide's catalogs are UTF-8: convert the "
            "file to UTF-8 (e.g. msgconv --to-code=UTF-8) and set charset=UTF-8",
            path,
            entry.line,
        )


def _flags(texts: Iterable[str], path: Path, line: int) -> set[str]:
    flags = set()
    for text in texts:
        for flag in (part.strip() for part in text.split(",")):
            if flag in ("fuzzy", "no-python-format", "python-brace-format"):
                flags.add(flag)
            elif flag.endswith("-format") and not flag.startswith("no-"):
                raise CatalogError(
                    f"the flag {flag!r} makes gettext check the text as a format string, which "
                    "audioguide's messages are not: remove it from the #, line",
                    path,
                    line,
                )
    return flags


def _add(po: PoFile, entry: _Entry, path: Path) -> None:
    found = _comments(entry.comments)
    flags = _flags(found["#,"], path, entry.line)
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
        context=entry.msgctxt,
    )
    message.flags = flags  # Babel guesses python-format from the text; the file decides
    if entry.obsolete:
        po.catalog.obsolete[_key(message)] = message
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


def _key(message: Message) -> str | tuple[str, str]:
    msgid = str(message.id)  # plurals are refused on reading
    return msgid if message.context is None else (msgid, message.context)


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


def po_bytes(
    catalog: Catalog, header: Sequence[tuple[str, str]], comments: Sequence[str] = ()
) -> bytes:
    """The catalog as GNU gettext would write it (``msgcat``'s layout, 79 columns)."""
    out: list[str] = []
    msgstr = "".join(f"{name}: {value}\n" for name, value in header)
    out += _comment_lines("#", comments)
    out += _wrap("", "msgid", "")
    out += _wrap("", "msgstr", msgstr)
    for message in catalog:
        if message.id == "" and message.context is None:
            continue
        out.append("")
        out += _message(message, obsolete=False)
    for message in catalog.obsolete.values():
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
    if message.context is not None:
        out += _wrap(prefix, "msgctxt", message.context)
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
            breaks = _width_breaks(chars, width, start, overrides)
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


# Line breaking as libunistring 1.0 does it (u8_possible_linebreaks, u8_width_linebreaks): the
# UAX #14 pair table below (D: break, I: break only after a space, P: never), spaces, combining
# marks and zero-width joiners handled around it.
_CLASSES = (
    "WJ GL B2 BA BB HY CL CP EX IN NS OP QU IS NU PO PR SY AL H2 H3 ID JL JV JT HL RI EB EM OPW CPW"
)
_TABLE = """
WJ PIIIIIPPPIIIIPIIIPIIIIIIIIIIIIP
GL PIIIIIPPPIIIIPIIIPIIIIIIIIIIIIP
B2 PIPIDIPPPIIDIPDDDPDDDDDDDDDDDDP
BA PDDIDIPPPIIDIPDDDPDDDDDDDDDDDDP
BB PIIIIIPPPIIIIPIIIPIIIIIIIIIIIIP
HY PDDIDIPPPIIDIPIDDPDDDDDDDDDDDDP
CL PIDIDIPPPIPDIPDIIPDDDDDDDDDDDDP
CP PIDIDIPPPIIDIPIIIPIDDDDDDIDDDDP
EX PIDIDIPPPIIDIPDDDPDDDDDDDDDDDDP
IN PIDIDIPPPIIDIPDDDPDDDDDDDDDDDDP
NS PIDIDIPPPIIDIPDDDPDDDDDDDDDDDDP
OP PPPPPPPPPPPPPPPPPPPPPPPPPPPPPPP
QU PIIIIIPPPIIPIPIIIPIIIIIIIIIIIPP
IS PIDIDIPPPIIDIPIDDPDDDDDDDDDDDDP
NU PIDIDIPPPIIIIPIIIPIDDDDDDIDDDDP
PO PIDIDIPPPIIIIPIDDPIDDDDDDIDDDIP
PR PIDIDIPPPIIIIPIDDPIIIIIIIIDIIIP
SY PIDIDIPPPIIDIPIDDPDDDDDDDIDDDDP
AL PIDIDIPPPIIIIPIIIPIDDDDDDIDDDDP
H2 PIDIDIPPPIIDIPDIDPDDDDDIIDDDDDP
H3 PIDIDIPPPIIDIPDIDPDDDDDDIDDDDDP
ID PIDIDIPPPIIDIPDIDPDDDDDDDDDDDDP
JL PIDIDIPPPIIDIPDIDPDIIDIIDDDDDDP
JV PIDIDIPPPIIDIPDIDPDDDDDIIDDDDDP
JT PIDIDIPPPIIDIPDIDPDDDDDDIDDDDDP
HL PIDIDIPPPIIIIPIIIPIDDDDDDIDDDDP
RI PIDIDIPPPIIDIPDDDPDDDDDDDDIDDDP
EB PIDIDIPPPIIDIPDIDPDDDDDDDDDDIDP
EM PIDIDIPPPIIDIPDIDPDDDDDDDDDDDDP
OPW PPPPPPPPPPPPPPPPPPPPPPPPPPPPPPP
CPW PIDIDIPPPIPDIPDIIPDDDDDDDDDDDDP
"""
_PAIRS = {
    (row.split()[0], after): rule
    for row in _TABLE.strip().splitlines()
    for after, rule in zip(_CLASSES.split(), row.split()[1], strict=True)
}
_RESOLVE = {
    "AI": "AL", "CB": "ID", "SA": "AL", "XX": "AL", "SG": "AL", "CJ": "NS", "NL": "BK",
    "CR": "BK", "LF": "BK", "AK": "AL", "AP": "AL", "AS": "AL", "VF": "AL", "VI": "AL",
}  # fmt: skip


@functools.lru_cache(maxsize=4096)
def _class(char: str) -> str:
    name = str(line_break(char)).rsplit(".", 1)[-1]
    if name in ("OP", "CP") and unicodedata.east_asian_width(char) in ("W", "F", "H"):
        return name + "W"  # East Asian brackets: no exception of UAX #14's rule LB30
    return _RESOLVE.get(name, name)


def _possible_breaks(chars: Sequence[str]) -> list[str]:
    """Before each character: 'B' a break is possible, 'M' mandatory, '-' none."""
    result = ["-"] * len(chars)
    last = "BK"  # the class of the last character that is not a space
    space = False  # spaces since then
    joiner = False  # the character before was a zero-width joiner
    hebrew = False  # last is a hyphen after a Hebrew letter (rule LB21a)
    for index, char in enumerate(chars):
        prop = _class(char[0])
        after_joiner, joiner = joiner, prop == "ZWJ"
        if prop == "BK":
            result[index], last, space = "M", "BK", False
        elif prop == "SP":
            space = True
        elif prop == "ZW":
            last, space = "ZW", False
        elif prop in ("CM", "ZWJ"):
            if last == "BK":
                last, space = "AL", False
            elif last == "ZW" or space:
                result[index], last, space = "B", "AL", False
        else:
            if after_joiner or last == "BK" or (hebrew and not space):
                pass
            elif last == "ZW":
                result[index] = "B"
            else:
                rule = _PAIRS[(last, prop)]
                if rule == "D" or (rule == "I" and space):
                    result[index] = "B"
            hebrew = last == "HL" and prop in ("HY", "BA") and not space
            last, space = prop, False
    return result


def _char_width(char: str) -> int:
    code = ord(char)
    if code < 0x20 or 0x7F <= code < 0xA0:
        return 0  # control characters are ignored
    if code == 0x200B or 0x1160 <= code < 0x1200:
        return 0
    if unicodedata.category(char) in ("Mn", "Me", "Cf") and code != 0xAD:
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _width_breaks(
    chars: Sequence[str], width: int, start: int, overrides: Sequence[bool]
) -> list[bool]:
    """Where a line break goes before each character (``u8_width_linebreaks``)."""
    possible = _possible_breaks(chars)
    for index, no_break in enumerate(overrides):
        if no_break:
            possible[index] = "-"
    breaks = [False] * len(chars)
    last: int | None = None
    column, piece = start, 0
    for index, char in enumerate(chars):
        kind = possible[index]
        if kind in ("B", "M") and last is not None and column + piece > width:
            breaks[last] = True
            column = 0
        if kind == "M":
            last, column, piece = None, 0, 0
            continue
        if kind == "B":
            last = index
            column += piece
            piece = 0
        piece += _char_width(char)
    if last is not None and column + piece > width:
        breaks[last] = True
    return breaks
