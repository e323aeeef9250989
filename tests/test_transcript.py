"""The plain-text transcripts, of the whole edition and of each track."""

from __future__ import annotations

import dataclasses
import re

from editions import EN, KO, ZH, chinese, hostile, hostile_translation, korean, shipped, timed_track

from audioguide.package.captions import one_line
from audioguide.package.transcript import render_transcript


def test_transcript_marks_untranslated_title_and_paragraph_in_the_language():
    text = render_transcript(korean(), shipped(KO), EN).decode("utf-8")
    mark = "(아직 번역되지 않아 영어로 읽습니다.)"
    assert text.startswith(
        "테스트 가이드\n\n테스트를 위해 만든 짧은 가이드입니다.\n\n1. 환영합니다\n\n"
    )
    assert f"\n3. Goodbye {mark}\n\n{mark}\nThank you for listening.\n" in text
    assert text.count(mark) == 2 and text.endswith("\n") and not text.endswith("\n\n")


def test_transcript_chinese_names_the_source_language_in_chinese():
    edition = chinese()
    goodbye = timed_track(
        3, "goodbye", "再见", [["感谢您的收听。"]], "第3节，共3节。再见。",
        fallbacks=("goodbye/p1",), lang=ZH,
    )  # fmt: skip
    edition = dataclasses.replace(edition, tracks=(*edition.tracks[:2], goodbye))
    text = render_transcript(edition, shipped(ZH), EN).decode("utf-8")
    assert "\n\n（尚未翻译，以英语朗读。）\n感谢您的收听。\n" in text
    assert "\n\n2. 数字\n\n约百分之八十的游客在新冠疫情之后再次到访。\n\n" in text


def test_transcript_leaves_out_the_spoken_announcement_the_heading_stands_for():
    edition = korean()
    assert edition.tracks[0].transcript.startswith("1번 트랙, 전체 3개 중. 환영합니다.\n\n")
    text = render_transcript(edition, shipped(KO), EN)
    assert "전체 3개 중".encode() not in text


def test_transcript_marks_an_untranslated_paragraph_that_holds_a_blank_line():
    edition = korean()
    goodbye = edition.tracks[2]
    paragraph = dataclasses.replace(goodbye.blocks[1], text="Thank\n\nyou for listening.")
    split = dataclasses.replace(goodbye, blocks=(goodbye.blocks[0], paragraph))
    text = render_transcript(dataclasses.replace(edition, tracks=(split,)), shipped(KO), EN)
    assert text.decode().endswith("읽습니다.)\nThank\n\nyou for listening.\n")


def test_transcript_hostile_headings_stay_on_one_line():
    edition = hostile()
    text = render_transcript(edition, hostile_translation(), EN).decode("utf-8")
    headings = [line for line in text.split("\n") if re.match(r"^\d+\. ", line)]
    assert headings == [f"1. {one_line(edition.tracks[0].title)}", "2. #EXTINF:0,evil.mp3"]
