"""What espeak-ng misreads, rewritten before it speaks: the few patterns found with
espeak_TextToPhonemes (espeak-ng 1.52) in each language, as small rules applied in order.

gTTS needs none of these (Google reads numbers, percentages, units and abbreviations
correctly); the written transcript always keeps the original text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..languages import Language

_DIGITS_ZH = "零一二三四五六七八九"
_DIGITS_KO = "영일이삼사오육칠팔구"
_GROUPS_ZH = ("", "万", "亿", "万亿")


def chinese_number(number: int) -> str:
    """Read a non-negative integer in Mandarin: 205 -> 二百零五, 12000 -> 一万二千."""
    if number < 0 or number >= 10**16:
        raise ValueError("chinese_number reads integers from 0 to 10**16 - 1")
    if number == 0:
        return _DIGITS_ZH[0]
    groups = []
    while number:
        number, group = divmod(number, 10_000)
        groups.append(group)
    out = ""
    zero_pending = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero_pending = bool(out)
            continue
        if out and (zero_pending or group < 1000):
            out += "零"
        out += _chinese_below_10000(group) + _GROUPS_ZH[index]
        zero_pending = False
    if out.startswith("一十"):  # 12 -> 十二, 120000 -> 十二万
        out = out[1:]
    if out[:2] in {"二千", "二万", "二亿"}:  # 2000 -> 两千
        out = "两" + out[1:]
    return out


def _chinese_below_10000(number: int) -> str:
    out = ""
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS_ZH[digit] + unit
    return out


def _chinese_decimal(text: str) -> str:
    """Read a decimal in Mandarin: 1,234.05 -> 一千二百三十四点零五."""
    whole, _, fraction = text.replace(",", "").partition(".")
    if len(whole) > 16 or (len(whole) > 1 and whole.startswith("0")):
        spoken = _chinese_digits(whole)  # a code or serial number: digit by digit
    else:
        spoken = chinese_number(int(whole))
    if fraction:
        spoken += "点" + "".join(_DIGITS_ZH[int(d)] for d in fraction)
    return spoken


_Replacement = str | Callable[[re.Match[str]], str]


@dataclass(frozen=True)
class _Rule:
    language: str  # Language.code
    pattern: re.Pattern[str]
    replacement: _Replacement


def _rule(language: str, pattern: str, replacement: _Replacement) -> _Rule:
    return _Rule(language, re.compile(pattern), replacement)


_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"  # 12, 5,000, 3.5
_UNIT_END = r"(?![A-Za-z])"
_RANGE = r"(?<![\d.,-])(\d+)\s?"  # the start of "2-3", "10 – 12", "2~3" (not a date or code)

# Applied in order.
_RULES: tuple[_Rule, ...] = (
    # English, espeak: "Mr." ends a clause (a pause mid-name); "2-3" is "two dash three";
    # "km" and "kg" are spelled out as letters.
    _rule("en", r"\b(Mr|Mrs|Ms|Dr|St)\.(?=\s)", r"\1"),
    _rule("en", r"\bProf\.(?=\s)", "Professor"),
    _rule("en", rf"{_RANGE}[-–]\s?(\d+)(?![\d-])", r"\1 to \2"),
    _rule("en", rf"(?<![\d.,])1\s?km{_UNIT_END}", "1 kilometre"),
    _rule("en", rf"({_NUMBER})\s?km{_UNIT_END}", r"\1 kilometres"),
    _rule("en", rf"(?<![\d.,])1\s?kg{_UNIT_END}", "1 kilogram"),
    _rule("en", rf"({_NUMBER})\s?kg{_UNIT_END}", r"\1 kilograms"),
    # Korean, espeak: "%", "km", "°C" switch to the English voice; "3.5" loses its 점.
    _rule("ko", rf"({_NUMBER})\s?°C", r"섭씨 \1도"),
    _rule("ko", rf"({_NUMBER})\s?%", r"\1퍼센트"),
    _rule("ko", rf"({_NUMBER})\s?km{_UNIT_END}", r"\1킬로미터"),
    _rule("ko", rf"({_NUMBER})\s?kg{_UNIT_END}", r"\1킬로그램"),
    _rule("ko", rf"{_RANGE}[-–~]\s?(\d+)(?![\d-])", r"\1에서 \2"),
    _rule(
        "ko",
        r"(?<![\d.])(\d+)\.(\d+)(?![\d.])",
        lambda m: m[1] + "점 " + "".join(_DIGITS_KO[int(d)] for d in m[2]),
    ),
    # Chinese, espeak: integers are misread (205 as 二百五, 1005 as 一千五, 10000 as 十千), years
    # are read as amounts, "%", "km" and "°C" switch to the English voice. Numbers become hanzi.
    _rule("zh", r"(?<!\d)(\d{4})\s?年", lambda m: _chinese_digits(m[1]) + "年"),
    _rule("zh", rf"({_NUMBER})\s?%", lambda m: "百分之" + _chinese_decimal(m[1])),
    _rule("zh", rf"({_NUMBER})\s?°C", r"\1摄氏度"),
    _rule("zh", rf"({_NUMBER})\s?km{_UNIT_END}", r"\1公里"),
    _rule("zh", rf"({_NUMBER})\s?kg{_UNIT_END}", r"\1公斤"),
    _rule("zh", rf"{_RANGE}[-–~]\s?(\d+)(?![\d-])", r"\1到\2"),
    _rule("zh", rf"(?<![\d.,]){_NUMBER}(?![\d])", lambda m: _chinese_decimal(m[0])),
)


def _chinese_digits(digits: str) -> str:
    return "".join(_DIGITS_ZH[int(d)] for d in digits)


def normalise(text: str, language: Language) -> str:
    """``text`` with what espeak-ng misreads in ``language`` rewritten (see ``_RULES``);
    everything else is returned unchanged. Word positions espeak reports refer to the result."""
    for rule in _RULES:
        if rule.language == language.code:
            text = rule.pattern.sub(rule.replacement, text)
    return text
