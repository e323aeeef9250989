"""Times as the outputs write them, from the timeline's whole milliseconds.

One rounding for every figure in whole seconds (:func:`whole_seconds`: to the nearest, half up,
and never 0 for a sound), so the playlist, the feed, the player and the DAISY book all give a
track the same length; and each format's own notation.

>>> whole_seconds(1499), whole_seconds(1500), whole_seconds(1), whole_seconds(0)
(1, 2, 1, 0)
>>> decimal(4200), json_seconds(4200), json_seconds(3000)
('4.200', 4.2, 3)
>>> vtt(3_723_004), clock(3_723_004), hms(3_723_500), hms(3_723_004, decimals=True)
('01:02:03.004', '1:02:03.004', '01:02:04', '01:02:03.004')
>>> iso_duration(65_000), iso_duration(0)
('PT1M5S', 'PT0S')
"""

from __future__ import annotations


def whole_seconds(ms: int) -> int:
    """Milliseconds rounded to the nearest whole second (half up); never 0 for a sound."""
    return max((ms + 500) // 1000, 1 if ms > 0 else 0)


def decimal(ms: int) -> str:
    """``12.345``: seconds with three decimals (SMIL clip times, the player's cue times)."""
    return f"{ms // 1000}.{ms % 1000:03d}"


def json_seconds(ms: int) -> int | float:
    """Seconds as a JSON number, exact to the millisecond: ``4200 -> 4.2``, ``3000 -> 3``."""
    return ms // 1000 if ms % 1000 == 0 else ms / 1000


def vtt(ms: int) -> str:
    """A WebVTT timestamp, ``HH:MM:SS.mmm`` (hours grow past two digits if they must)."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def clock(ms: int) -> str:
    """``H:MM:SS.fff``: a SMIL 3.0 full clock value (an EPUB's ``media:duration``)."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def hms(ms: int, decimals: bool = False) -> str:
    """``hh:mm:ss`` in whole seconds, or ``hh:mm:ss.fff`` with ``decimals``: DAISY 2.02 clock
    values."""
    if not decimals:
        ms = whole_seconds(ms) * 1000
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    text = f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}"
    return f"{text}.{rest % 1000:03d}" if decimals else text


def iso_duration(ms: int) -> str:
    """An ISO 8601 duration in whole seconds, ``PT1H2M5S`` (for ``<time datetime>``)."""
    left = whole_seconds(ms)
    hours, left = divmod(left, 3600)
    minutes, seconds = divmod(left, 60)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return text + (f"{seconds}S" if seconds or text == "PT" else "")
