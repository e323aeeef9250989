"""Language ids: every common spelling resolves to one language, named as Babel names it."""

from __future__ import annotations

import pytest
from babel import Locale

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
    assert language.name == Locale.parse("zh_Hans").get_display_name("zh_Hans")
    assert language.name.startswith("中文")
    assert str(language) == "zh-Hans"


def test_traditional_chinese_is_another_language() -> None:
    assert resolve("zh_TW").tag == "zh-Hant"
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
