"""Sentence splitting (speech_text), gTTS chunks (engines.gtts) and what espeak-ng misreads
(engines.espeak_rules): pure functions over text."""

from __future__ import annotations

import re

import pytest

from audioguide.engines import get_engine
from audioguide.engines.espeak_rules import chinese_number
from audioguide.engines.gtts import chunk_for_gtts
from audioguide.languages import resolve
from audioguide.speech_text import split_sentences

EN, KO, ZH = resolve("en"), resolve("ko"), resolve("zh_Hans")


def normalize_for_speech(text: str, language, engine: str) -> str:
    """What the engine's own rules make of ``text`` before it speaks it."""
    return get_engine(engine).normalise(text, language)


def split(text: str, language=EN) -> list[str]:
    sentences = split_sentences(text, language)
    # Nothing but whitespace is lost, and the sentences are in order.
    assert re.sub(r"\s", "", "".join(sentences)) == re.sub(r"\s", "", text)
    position = 0
    for sentence in sentences:
        position = text.index(sentence, position) + len(sentence)
    return sentences


# --- split_sentences ----------------------------------------------------------------------------


def test_english_sentences_keep_numbers_and_abbreviations_whole():
    text = (
        "The U.S. market opened in 1988. It sells 5,000 items, e.g. rice and fish! "
        "Prices rose 3.5 percent since COVID-19. Mr. Kim and Dr. Lee run it, i.e. the family. "
        "Really?! Yes."
    )
    assert split(text) == [
        "The U.S. market opened in 1988.",
        "It sells 5,000 items, e.g. rice and fish!",
        "Prices rose 3.5 percent since COVID-19.",
        "Mr. Kim and Dr. Lee run it, i.e. the family.",
        "Really?!",
        "Yes.",
    ]


def test_closing_quotes_stay_with_their_sentence():
    text = "“Where is it?” he asked. She said “Over there.” Then she left… The end"
    assert split(text) == [
        "“Where is it?” he asked.",
        "She said “Over there.”",
        "Then she left…",
        "The end",
    ]


def test_chinese_sentence_ends_with_closing_quotes_and_no_spaces():
    text = "他说：“欢迎来到市场。”我们走吧！真的吗？「是的。」太好了!我们走"
    assert split(text, ZH) == [
        "他说：“欢迎来到市场。”",
        "我们走吧！",
        "真的吗？",
        "「是的。」",
        "太好了!",
        "我们走",
    ]


def test_korean_sentence_ends_with_closing_quotes():
    text = "그가 “어서 오세요.”라고 말했다. 시장은 1988년에 열렸습니다! 「정말요?」 네."
    assert split(text, KO) == [
        "그가 “어서 오세요.”라고 말했다.",
        "시장은 1988년에 열렸습니다!",
        "「정말요?」",
        "네.",
    ]


def test_blank_line_ends_a_sentence():
    assert split("Opening hours\n\nThe market opens at 9. Welcome") == [
        "Opening hours",
        "The market opens at 9.",
        "Welcome",
    ]


def test_text_without_sentence_end():
    assert split("Just a phrase") == ["Just a phrase"]
    assert split("   ") == []


# --- chunk_for_gtts -----------------------------------------------------------------------------

LONG_ZH = (
    "首尔的传统市场历史悠久，早在朝鲜王朝时期就已经是重要的商业中心，商人们从全国各地带来各种各样的商品，"
    "包括丝绸、瓷器、人参和海产品；市场里总是熙熙攘攘，热闹非凡，吸引了无数来自世界各地的游客前来参观和购物，"
    "直到今天依然如此。"
)


def test_long_chinese_sentence_is_cut_at_clause_boundaries():
    assert len(LONG_ZH) > 100
    chunks = chunk_for_gtts(LONG_ZH)
    assert len(chunks) >= 2
    assert all(len(chunk) <= 100 for chunk in chunks)
    assert all(chunk[-1] in "，、；：" for chunk in chunks[:-1])
    assert "".join(chunks) == LONG_ZH


def test_long_english_sentence_is_cut_after_a_comma_not_inside_a_number():
    text = (
        "Every morning about 5,000 traders set up their stalls along the river, selling fish, "
        "rice, ginseng and silk to visitors who come from all over the country."
    )
    chunks = chunk_for_gtts(text)
    assert all(len(chunk) <= 100 for chunk in chunks)
    assert chunks[0].endswith("fish, rice,")
    assert " ".join(chunks) == text


def test_without_clause_boundary_cut_at_last_space():
    text = " ".join(["market"] * 20)  # 139 characters
    chunks = chunk_for_gtts(text)
    assert [len(c) for c in chunks] == [97, 41]
    assert " ".join(chunks) == text


def test_cjk_without_punctuation_is_cut_hard_but_not_inside_a_number():
    text = "시" * 97 + "2024" + "시" * 20  # a cut at 100 would fall inside 2024
    chunks = chunk_for_gtts(text)
    assert [len(c) for c in chunks] == [97, 24]
    assert chunks[1].startswith("2024")


def test_short_sentence_is_one_chunk_and_punctuation_alone_is_dropped():
    assert chunk_for_gtts("Hello, world.") == ["Hello, world."]
    assert chunk_for_gtts("가" * 100 + "。") == ["가" * 100]


# --- normalize_for_speech -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Mr. Kim and Dr. Lee", "Mr Kim and Dr Lee"),  # "Mr." made espeak pause mid-name
        ("Prof. Han", "Professor Han"),
        ("a 2-3 hour walk", "a 2 to 3 hour walk"),  # espeak: "two dash three"
        ("10–12 stalls", "10 to 12 stalls"),
        ("12 km away, 1 km back, 2.1 km", "12 kilometres away, 1 kilometre back, 2.1 kilometres"),
        ("5 kg of rice", "5 kilograms of rice"),
        ("5,000 visitors, 3.5 percent, COVID-19, 2024-05-01", None),  # espeak reads these well
    ],
)
def test_english_for_espeak(text, spoken):
    assert normalize_for_speech(text, EN, "espeak") == (spoken or text)


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("상인의 80%가", "상인의 80퍼센트가"),
        ("12.5% 증가", "12점 오퍼센트 증가"),  # espeak drops 점 in "12.5"
        ("3.14", "3점 일사"),
        ("3.5km 거리", "3점 오킬로미터 거리"),
        ("20°C", "섭씨 20도"),
        ("2~3시간", "2에서 3시간"),
        ("약 5,000명, 코로나19, 1988년", None),  # read correctly as written
    ],
)
def test_korean_for_espeak(text, spoken):
    assert normalize_for_speech(text, KO, "espeak") == (spoken or text)


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("80%的摊位", "百分之八十的摊位"),
        ("85.5%", "百分之八十五点五"),
        ("1988年开业", "一九八八年开业"),  # a year is read digit by digit
        ("205人", "二百零五人"),  # espeak says 二百五
        ("约有5,000名游客", "约有五千名游客"),  # espeak says 五零零零
        ("10000名", "一万名"),  # espeak says 十千
        ("3.5公里", "三点五公里"),
        ("12 km", "十二公里"),
        ("20°C", "二十摄氏度"),
        ("2-3小时", "二到三小时"),
        ("007号", "零零七号"),
    ],
)
def test_chinese_for_espeak(text, spoken):
    assert normalize_for_speech(text, ZH, "espeak") == spoken


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (EN, "Mr. Kim walked 2-3 km."),
        (KO, "상인의 80%가 3.5km를 걸었다."),
        (ZH, "80%的摊位在1988年开业，约有5,000名游客。"),
    ],
)
def test_gtts_gets_the_text_as_written(language, text):
    assert normalize_for_speech(text, language, "gtts") == text


@pytest.mark.parametrize(
    ("number", "reading"),
    [
        (0, "零"), (10, "十"), (12, "十二"), (80, "八十"), (101, "一百零一"), (110, "一百一十"),
        (1005, "一千零五"), (2000, "两千"), (2024, "两千零二十四"), (10010, "一万零一十"),
        (12000, "一万二千"), (100010, "十万零一十"), (1234567, "一百二十三万四千五百六十七"),
        (100000000, "一亿"), (100000001, "一亿零一"),
    ],
)  # fmt: skip
def test_chinese_number(number, reading):
    assert chinese_number(number) == reading
