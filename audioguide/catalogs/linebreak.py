"""Where GNU gettext breaks a long string: the Unicode line breaking algorithm (UAX #14) as
libunistring 1.0 implements it, which is what ``msgcat`` and ``msgmerge`` use to wrap ``.po``
strings at 79 columns.

:func:`width_breaks` is ``u8_width_linebreaks``: given the characters of one string as they
are written (escapes already spelled out), the column it starts at and the page width, it says
before which characters a line break goes. The classes come from ``uniseg`` (the Unicode line
break property); the pair table and the handling of spaces, combining marks and joiners are
libunistring's.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence

from uniseg.linebreak import line_break

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


def width_breaks(
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
