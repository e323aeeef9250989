"""One table of languages: locale id <-> BCP 47 tag <-> ISO 639-2 <-> own name.

A language is given by the user in any common spelling (``zh_Hans``, ``zh-Hans``, ``zh_CN``,
``zh-CN``, ``zh``); :func:`resolve` turns it into one :class:`Language`. Catalogs live under the
locale id (``locales/zh_Hans``), outputs under the BCP 47 tag (``output/zh-Hans``). Each voice
engine keeps its own codes for a language (``audioguide.engines``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pycountry
from babel import Locale, UnknownLocaleError

from .errors import LanguageError

# A BCP 47 tag as Babel's parts make one: language, then script, region and variants.
_BCP47 = re.compile(
    r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?(-([0-9A-Za-z]{5,8}|[0-9][0-9A-Za-z]{3}))*"
)


def iso639_2(code: str) -> str:
    """The three-letter code of a Babel language code, as ID3 (TLAN, USLT) and MP4 tags want it:
    ISO 639-2/T, which ISO 639-3 (from the ``pycountry`` package) repeats for every language
    ISO 639-2 has, and extends to the ones it lacks (``yue``, ``ckb``); ``und`` (undetermined)
    for a code ISO 639-3 does not know.

    >>> [iso639_2(code) for code in ("ko", "zh", "uz", "yue", "fil", "haw", "ast", "ckb", "xx")]
    ['kor', 'zho', 'uzb', 'yue', 'fil', 'haw', 'ast', 'ckb', 'und']
    """
    field = "alpha_2" if len(code) == 2 else "alpha_3"
    found = pycountry.languages.get(**{field: code})
    return found.alpha_3 if found is not None else "und"


@dataclass(frozen=True)
class Language:
    """A language the guide is narrated in."""

    locale_id: str  # Babel/gettext id, the catalog folder: "zh_Hans"
    tag: str  # BCP 47, the output folder and every lang attribute: "zh-Hans"
    code: str  # the bare language: "zh"
    iso639_2: str  # ID3 language: "zho"
    name: str  # the language's own name: "中文（简体）"
    english_name: str  # "Chinese (Simplified)"

    def __str__(self) -> str:
        return self.tag


def resolve(given: str) -> Language:
    """Return the :class:`Language` for any common spelling of a language id.

    Raises :class:`LanguageError` when Babel does not know it.
    """
    return _resolve(str(given).strip().replace("-", "_"))


@cache
def _resolve(given: str) -> Language:
    try:
        locale = Locale.parse(given)
    except (ValueError, TypeError, UnknownLocaleError):
        raise LanguageError(
            f"unknown language id {given.replace('_', '-')!r}; use a Babel locale id "
            "such as en, ko, zh_Hans or pt_BR"
        ) from None
    if locale.modifier:
        plain = str(Locale(locale.language, locale.territory, locale.script, locale.variant))
        raise LanguageError(
            f"language id {given!r} has a modifier (@{locale.modifier}), which BCP 47 and the "
            f"output folders have no place for; use {plain!r}"
        )
    if locale.language == "zh":
        # Chinese is told apart by script; a region picks the script people write there.
        script = locale.script or ("Hant" if locale.territory in {"TW", "HK", "MO"} else "Hans")
        locale = Locale("zh", script=script)
    locale_id = str(locale)
    if not _BCP47.fullmatch(locale_id.replace("_", "-")):
        raise LanguageError(
            f"language id {given!r} makes no BCP 47 tag; use a Babel locale id such as en, ko, "
            "zh_Hans or pt_BR"
        )
    return Language(
        locale_id=locale_id,
        tag=locale_id.replace("_", "-"),
        code=locale.language,
        iso639_2=iso639_2(locale.language),
        name=_own_name(locale) or locale_id,
        english_name=locale.get_display_name("en") or locale_id,
    )


def _own_name(locale: Locale) -> str | None:
    """The language's name in itself. CLDR writes the details of a Chinese name in full-width
    brackets, 中文（简体）, and in the ASCII ones in every other language (localeDisplayPattern);
    Babel's display names use the ASCII ones throughout."""
    name = locale.get_display_name(locale)
    if name and locale.language in {"zh", "yue"}:
        name = name.replace(" (", "（").replace(")", "）").replace(", ", "，")
    return name


def same_language(one: Language, other: Language) -> bool:
    """Whether two languages are one, or one is a regional form of the other (``ko`` and
    ``ko_KR``); ``zh_Hans`` and ``zh_Hant`` are two.

    >>> same_language(resolve("zh_CN"), resolve("zh-Hans")), same_language(resolve("ko"),
    ...     resolve("ko_KR")), same_language(resolve("zh_Hans"), resolve("zh_Hant"))
    (True, True, False)
    """
    a, b = one.locale_id, other.locale_id
    return a == b or a.startswith(b + "_") or b.startswith(a + "_")


def other_spellings(folder: Path, language: Language) -> list[Path]:
    """The subfolders of ``folder`` named for ``language`` otherwise than by its locale id
    (``zh_CN``, ``zh-Hans`` or ``zh`` for ``zh_Hans``), where files for it are not looked for."""
    try:
        entries = sorted(Path(folder).iterdir())
    except OSError:
        return []
    found = []
    for entry in entries:
        if entry.name == language.locale_id or not entry.is_dir():
            continue
        try:
            named = resolve(entry.name)
        except LanguageError:
            continue
        if named == language:
            found.append(entry)
    return found
