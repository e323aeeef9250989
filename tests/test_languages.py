"""Language ids: every common spelling resolves to one language, named as Babel names it."""

from __future__ import annotations

import re

import pytest
from babel import Locale, localedata

from audioguide.engines.espeak import default_voice as espeak_voice
from audioguide.engines.gtts import code as gtts_code
from audioguide.errors import AudioGuideError, LanguageError
from audioguide.languages import resolve


@pytest.mark.parametrize("given", ["zh_Hans", "zh-Hans", "zh_CN", "zh-CN", "zh", " zh-Hans "])
def test_spellings_of_simplified_chinese_are_one_language(given: str) -> None:
    language = resolve(given)

    assert language == resolve("zh_Hans")
    assert language.tag == "zh-Hans"
    assert language.locale_id == "zh_Hans"
    assert language.code == "zh"
    assert language.iso639_2 == "zho"
    # Chinese text puts a name's details in full-width brackets (CLDR's pattern for Chinese)
    assert language.name == "中文（简体）"
    assert str(language) == "zh-Hans"


def test_traditional_chinese_is_another_language() -> None:
    assert resolve("zh_TW").tag == "zh-Hant"
    assert resolve("zh_TW").name == "中文（繁體）"
    assert resolve("zh_TW") != resolve("zh_CN")


@pytest.mark.parametrize(
    ("given", "tag", "iso639_2", "name", "english_name"),
    [
        ("en", "en", "eng", "English", "English"),
        ("ko", "ko", "kor", "한국어", "Korean"),
    ],
)
def test_english_and_korean(given, tag, iso639_2, name, english_name) -> None:
    language = resolve(given)

    assert language.tag == tag
    assert language.locale_id == given
    assert language.iso639_2 == iso639_2
    assert language.name == name == Locale.parse(given).get_display_name(given)
    assert language.english_name == english_name


def test_each_engine_keeps_its_own_code_for_chinese() -> None:
    language = resolve("zh")

    assert gtts_code(language) == "zh-CN"
    assert espeak_voice(language) == "cmn"


@pytest.mark.parametrize("given", ["xx", "klingon", "tlh", "", "../x", "en_XX", "zz-ZZ"])
def test_unknown_language_id_raises_language_error(given: str) -> None:
    with pytest.raises(LanguageError) as caught:
        resolve(given)

    assert isinstance(caught.value, AudioGuideError)
    message = str(caught.value)
    assert "unknown language id" in message
    assert "zh_Hans" in message  # says what a valid id looks like
    assert "\n" not in message


@pytest.mark.parametrize(
    ("given", "three_letters"),
    [("uz", "uzb"), ("yue", "yue"), ("fil", "fil"), ("haw", "haw"), ("ast", "ast"), ("ckb", "ckb")],
)
def test_languages_beyond_the_common_ones_get_their_own_three_letter_code(
    given: str, three_letters: str
) -> None:
    assert resolve(given).iso639_2 == three_letters


def test_every_language_babel_knows_has_a_three_letter_code() -> None:
    """ID3's TLAN and USLT and the M4B's language take ISO 639-2/T codes (ISO 639-3 for the
    languages 639-2 lacks): none of Babel's locales may be tagged 'und'."""
    missing = []
    for identifier in localedata.locale_identifiers():
        try:
            language = resolve(identifier)
        except LanguageError:
            continue  # reported to the user, never tagged
        code = language.iso639_2
        if not (len(code) == 3 and code.isascii() and code.islower()) or code == "und":
            missing.append(f"{identifier}: {code}")
    assert missing == [], f"locales without a three-letter language code: {missing}"


def test_every_babel_locale_resolves_or_is_refused_in_one_line() -> None:
    for identifier in localedata.locale_identifiers():
        try:
            language = resolve(identifier)
        except LanguageError as exc:
            assert "\n" not in str(exc)
            continue
        assert re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})*", language.tag), identifier
        assert resolve(language.tag) == language  # the output folder's name gives it back


@pytest.mark.parametrize(("given", "plain"), [("de_DE@euro", "de_DE"), ("ko@x", "ko")])
def test_a_modifier_is_refused_naming_the_id_to_use(given: str, plain: str) -> None:
    with pytest.raises(LanguageError) as caught:
        resolve(given)

    assert f"use {plain!r}" in str(caught.value)
