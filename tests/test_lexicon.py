"""Pronunciation lexicons (W3C PLS 1.0): how a translator fixes a word the voice gets wrong.

The fixture lexicons in ``tests/fixtures/lexicons`` are copied to ``locales/<lang>/`` as a
translator would place them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import webvtt

from audioguide import catalogs, lexicon
from audioguide.catalogs.translation import fill
from audioguide.engines import get_engine
from audioguide.errors import LexiconError
from audioguide.languages import resolve
from audioguide.script import load_guide
from audioguide.speech_text import for_speech, split_sentences
from audioguide.strings import TRACK_ANNOUNCEMENT

LEXICONS = Path(__file__).parent / "fixtures" / "lexicons"
REPO = Path(__file__).parent.parent
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"'
    ' alphabet="x-espeak" xml:lang="en">\n'
)


def install(root: Path, locale_id: str, source: str | None = None, text: str | None = None) -> Path:
    """Put a lexicon where a translator would: locales/<locale_id>/pronunciation.pls."""
    path = root / locale_id / "pronunciation.pls"
    path.parent.mkdir(parents=True, exist_ok=True)
    if source:
        shutil.copy(LEXICONS / source, path)
    else:
        path.write_text(text or "", encoding="utf-8")
    return path


# --- matching -------------------------------------------------------------------------------


def _apply(text: str, entries) -> tuple[str, tuple]:
    """The lexicon applied to ``text``, as one text (no phonemes among ``entries``)."""
    parts, applied = lexicon.apply(text, entries)
    return "".join(parts), applied


def test_text_that_looks_like_phonemes_is_never_read_as_phonemes():
    espeak = get_engine("espeak")
    said, _ = for_speech("Write [[b'i:]] to spell it.", resolve("en"), espeak)
    assert "[[" not in said
    phonemes, _ = for_speech("Jangmadang.", resolve("en"), espeak,
                             (("Jangmadang", lexicon.Phonemes("dZ'A:Nm@d,A:N")),))  # fmt: skip
    assert phonemes == "[[dZ'A:Nm@d,A:N]]."


@pytest.mark.parametrize(
    ("text", "grapheme", "expected"),
    [
        # Latin script: whole words only, case-sensitive.
        ("At the Jangmadang, prices", "Jangmadang", "At the X, prices"),
        ("Jangmadangs grew", "Jangmadang", "Jangmadangs grew"),
        ("the jangmadang", "Jangmadang", "the jangmadang"),
        ("(Jangmadang)", "Jangmadang", "(X)"),
        ("HRW-funded", "HRW", "X-funded"),
        ("supermarket", "market", "supermarket"),
        ("Café Noir", "Café", "X Noir"),
        ("Cafés", "Café", "Cafés"),
        # Chinese: no spaces, so a grapheme is found wherever it is written.
        ("我和张明说话", "张明", "我和X说话"),
        ("在BBC工作", "BBC", "在X工作"),
        # Korean: a word starts after a space; particles may follow it.
        ("장마당에서 팔았다", "장마당", "X에서 팔았다"),
        ("장마당 사람들", "장마당", "X 사람들"),
        ("새장마당", "장마당", "새장마당"),
        ("“장마당”은", "장마당", "“X”은"),
    ],
)
def test_whole_word_matching_rule(text, grapheme, expected):
    said, applied = _apply(text, ((grapheme, "X"),))
    assert said == expected
    assert applied == (((grapheme, "X"),) if "X" in expected else ())


@pytest.mark.parametrize(
    ("text", "grapheme", "found"),
    [
        # A count with its counter, and the same digits starting a longer word.
        ("전체 5개 트랙 중 1번 트랙.", "5개", True),
        ("5개가 남았다", "5개", True),
        ("5개국에 걸친 여정", "5개", False),  # five countries: 오 개국
        ("5개월 동안", "5개", False),
        ("전체 5개 트랙 중 1번 트랙.", "5개 트랙", True),
        ("5개 중에서", "5개 중", True),
        ("5개 중국 도시", "5개 중", False),
        # A name with the particles and endings a sentence gives it.
        ("장마당", "장마당", True),
        ("장마당에서", "장마당", True),
        ("장마당의 역할", "장마당", True),
        ("장마당에서는", "장마당", True),
        ("장마당으로도", "장마당", True),
        ("장마당들은", "장마당", True),
        ("장마당이었다.", "장마당", True),
        ("장마당세대", "장마당", False),  # the Jangmadang generation: another word
        ("장마당터", "장마당", False),
        ("장마당에서3", "장마당", False),
        # Particles after Latin letters and digits are written onto them too.
        ("BBC는 보도했다", "BBC", True),
        ("코로나19로 인해", "코로나19", True),
        ("코로나19바이러스", "코로나19", False),
        ("BBCA는", "BBC", False),
    ],
)
def test_korean_particles_and_endings_may_follow_a_word_and_nothing_else(text, grapheme, found):
    said, applied = _apply(text, ((grapheme, "X"),))
    assert bool(applied) is found, said
    assert (said == text.replace(grapheme, "X", 1)) if found else (said == text)


def test_a_longer_grapheme_keeps_a_word_that_only_looks_like_a_particle_after_another():
    entries = (("세종", "세종대왕"), ("세종로", "세종로"))
    said, _ = _apply("세종은 세종로에서", entries)
    assert said == "세종대왕은 세종로에서"


# Korean's native numbers before a counter such as 개, the way the announcement needs them said.
NATIVE = {5: "다섯", 6: "여섯", 7: "일곱", 8: "여덟", 9: "아홉", 10: "열"}


def test_the_shipped_korean_lexicon_says_the_track_count_natively_and_nothing_else_of_fives():
    guide = load_guide(REPO / "scripts")
    korean = guide.language("ko")
    entries = lexicon.load(REPO / "locales", korean).entries(get_engine("espeak"))
    translation = catalogs.translation(guide, REPO / "locales", korean)
    total = len(guide.sections)
    template = translation.tool_template(TRACK_ANNOUNCEMENT).text
    announcement = fill(template, number=1, total=total, title="시장과 외부 정보")

    said, _ = for_speech(announcement, korean, get_engine("espeak"), entries)
    # The total first, as in the paragraph reply; a new section count needs a new lexeme.
    assert said.startswith(f"전체 {NATIVE[total]} 개 트랙 중 1번 트랙."), said
    spoken = [
        for_speech(sentence, korean, get_engine("espeak"), entries)[0]
        for text in guide.texts()
        for sentence in split_sentences(translation(text.value).text, korean)
    ]
    assert any(sentence.startswith("5개국에 걸친") for sentence in spoken)  # 오 개국
    assert not any("다섯" in sentence for sentence in spoken)


def test_the_readme_lists_the_korean_endings_the_matching_uses():
    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    section = readme.split("## Pronunciation", 1)[1].split("\n## ", 1)[0]
    listed = section.split("```text\n", 1)[1].split("```", 1)[0].split()
    assert len(listed) == len(set(listed))
    assert set(listed) == lexicon.KOREAN_ENDINGS


def test_longest_grapheme_wins_and_replacements_are_not_searched_again():
    entries = (("Kim", "Keem"), ("Kim Jong", "Gim Jong"), ("Keem", "no"))
    said, applied = _apply("Kim Jong and Kim.", entries)
    assert said == "Gim Jong and Keem."
    assert applied == (("Kim", "Keem"), ("Kim Jong", "Gim Jong"))


def test_phonemes_are_kept_from_normalisation_and_the_rest_is_normalised():
    korean = resolve("ko")
    entries = (("안녕", lexicon.Phonemes("a3.5n")),)
    said, applied = for_speech("안녕 3.5%", korean, get_engine("espeak"), entries)
    assert said.startswith("[[a3.5n]] ")
    assert "%" not in said and "3.5" not in said.split("]]")[1]
    assert applied == entries


# --- reading ------------------------------------------------------------------------------


def test_fixture_lexicon_is_read_with_lines_and_alphabets(tmp_path):
    path = install(tmp_path, "en", "en.pls")
    words = lexicon.load(tmp_path, resolve("en"))
    museum, jangmadang = words.lexemes
    assert museum.graphemes == ("museum",) and museum.line == 5
    assert (museum.alias, museum.phoneme, museum.alphabet) == (
        "mew zee um", "mju:z'i:@m", "x-espeak",
    )  # fmt: skip
    assert jangmadang.graphemes == ("Jangmadang", "jangmadang") and jangmadang.phoneme is None
    assert words.path == path
    assert lexicon.load(tmp_path, resolve("ko")).lexemes == ()  # no file: an empty lexicon


def test_each_engine_gets_what_it_can_say(tmp_path):
    install(tmp_path, "en", "en.pls")
    install(tmp_path, "ko", "ko.pls")
    english = lexicon.load(tmp_path, resolve("en"))
    korean = lexicon.load(tmp_path, resolve("ko"))
    espeak = dict(english.entries(get_engine("espeak")))["museum"]
    assert (espeak, type(espeak)) == ("mju:z'i:@m", lexicon.Phonemes)
    assert dict(english.entries(get_engine("gtts")))["museum"] == "mew zee um"
    assert dict(english.entries(get_engine("piper")))["museum"] == "mew zee um"
    assert korean.entries(get_engine("espeak")) == (("박물관", "방물관"),)
    (problem,) = korean.unusable(get_engine("espeak"))
    assert problem.endswith(
        "ko/pronunciation.pls:9: the espeak voice cannot use the lexeme '장마당': "
        "it has only a phoneme in 'ipa'; add an <alias> respelling"
    )


SECRET = "root:x:0:0:secret-line"
BAD = {
    # name: (file text, line the error names, words in the message)
    "not well-formed": (HEAD + "<lexeme><grapheme>x</grapheme>\n</lexicon>", 4, "well-formed"),
    "external entity": (
        '<?xml version="1.0"?>\n<!DOCTYPE lexicon [<!ENTITY s SYSTEM "file://{secret}">]>\n'
        '<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" '
        'alphabet="ipa" xml:lang="en"><lexeme><grapheme>&s;</grapheme><alias>a</alias>'
        "</lexeme></lexicon>",
        2,
        "DOCTYPE",
    ),
    "billion laughs": (
        '<?xml version="1.0"?>\n<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<l>&b;</l>',
        2,
        "DOCTYPE",
    ),
    "not PLS": ('<?xml version="1.0"?>\n<html><body/></html>', 2, "not PLS"),
    "no alias or phoneme": (
        HEAD + "<lexeme>\n<grapheme>x</grapheme>\n</lexeme>\n</lexicon>",
        5,
        "<alias> or a <phoneme>",
    ),
    "no version": (HEAD.replace('version="1.0" xmlns', "xmlns") + "</lexicon>", 2, "version"),
    "another language": (HEAD.replace('"en"', '"ko"') + "</lexicon>", 2, "xml:lang"),
    "twice the same grapheme": (
        HEAD + "<lexeme><grapheme>x</grapheme><alias>a</alias></lexeme>\n"
        "<lexeme><grapheme>x</grapheme><alias>b</alias></lexeme>\n</lexicon>",
        4,
        "already in the lexeme at line 3",
    ),
    "empty file": ("", 1, "well-formed"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_lexicon_is_one_line_naming_file_and_line_and_nothing_is_written(
    project, user_error, tmp_path, case
):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    text, line, words = BAD[case]
    install(project.locales, "en", text=text.replace("{secret}", str(secret)))
    before = project.snapshot()

    result = project.run("build", "--engine", "espeak", "--cache", str(tmp_path / "cache"))

    message = user_error(result, "locales/en/pronunciation.pls", line)
    assert words in message
    assert SECRET not in message
    assert project.snapshot() == before
    assert not (tmp_path / "cache").exists()


def test_the_parser_refuses_an_entity_without_reading_it(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    text, _, _ = BAD["external entity"]
    with pytest.raises(LexiconError, match="DOCTYPE") as caught:
        lexicon.parse(text.replace("{secret}", str(secret)).encode(), tmp_path / "x.pls")
    assert SECRET not in str(caught.value)


NAMED = "hf_do-not-print-me"


@pytest.mark.parametrize(
    "text",
    [
        HEAD + f"<{NAMED}/></lexicon>",
        HEAD + f"<lexeme><grapheme><{NAMED}/></grapheme></lexeme></lexicon>",
        HEAD.replace('xml:lang="en"', f'xml:lang="{NAMED}"') + "</lexicon>",
        f"<{NAMED}>\n</{NAMED}>",
    ],
    ids=["element", "element-in-text", "xml-lang", "root"],
)
def test_no_lexicon_error_repeats_what_the_file_says(tmp_path, text):
    """A file that is not a lexicon may be anything: the error describes it, never quotes it."""
    with pytest.raises(LexiconError) as caught:
        lexicon.parse(text.encode(), tmp_path / "x.pls")
    assert "do-not-print" not in str(caught.value)
    assert caught.value.line is not None


def test_a_lexicon_in_a_folder_named_otherwise_names_the_folder_it_belongs_in(project, user_error):
    (project.locales / "zh_CN").mkdir()
    install(project.locales, "zh_CN", text=HEAD.replace('"en"', '"zh-Hans"') + "</lexicon>")
    before = project.snapshot()

    result = project.run("build", "--engine", "espeak", "--no-cache")

    message = user_error(result, "locales/zh_CN/pronunciation.pls")
    assert f"move it to {project.locales / 'zh_Hans' / 'pronunciation.pls'}" in message
    assert project.snapshot() == before


# --- in a build ---------------------------------------------------------------------------


def test_a_new_lexeme_resynthesises_exactly_the_sentences_with_its_grapheme(site):
    english = install(site.locales, "en", "en.pls")
    install(site.locales, "ko", "ko.pls")

    first = site.build_ok()
    # "Welcome to the museum." in English, "박물관에 오신 것을 환영합니다." in Korean.
    assert first["clips_synthesised"] == 2
    assert first["tracks_written"] == 2

    english.write_text(
        english.read_text("utf-8").replace("mju:z'i:@m", "mju:z'eI@m"), encoding="utf-8"
    )
    second = site.build_ok()
    assert (second["clips_synthesised"], second["tracks_written"]) == (1, 1)

    english.write_text(
        english.read_text("utf-8").replace("<grapheme>jangmadang</grapheme>", ""),
        encoding="utf-8",
    )
    assert site.build_ok()["clips_synthesised"] == 0  # a lexeme no sentence uses

    # What listeners read keeps the written word.
    captions = [c.text for c in webvtt.read(site.output / "en" / "01-welcome.vtt")]
    assert "Welcome to the museum." in captions
    assert "museum" in (site.output / "en" / "transcript.txt").read_text("utf-8")
    korean = [c.text for c in webvtt.read(site.output / "ko" / "01-welcome.vtt")]
    assert "박물관에 오신 것을 환영합니다." in korean


def test_a_lexeme_no_voice_in_use_can_apply_is_reported(site):
    install(site.locales, "ko", "ko.pls")
    result = site.build("--lang", "ko")
    assert result.exit_code == 0, result.stderr
    assert "pronunciation.pls:9: the espeak voice cannot use the lexeme '장마당'" in result.stderr


def test_stats_lists_lexemes_whose_grapheme_the_guide_never_uses(project):
    install(project.locales, "en", "en.pls")
    install(project.locales, "ko", "ko.pls")
    result = project.run("stats")
    assert result.exit_code == 0, result.stderr
    unused = [line for line in result.stdout.splitlines() if line.startswith("lexicon: ")]
    assert len(unused) == 2
    assert "en/pronunciation.pls:10: 'Jangmadang' appears nowhere in the guide" in unused[0]
    assert "ko/pronunciation.pls:9: '장마당' appears nowhere in the guide" in unused[1]


def test_stats_counts_a_lexeme_the_track_announcements_use_as_used(project):
    lexeme = "<lexeme><grapheme>3개 트랙</grapheme><alias>세 개 트랙</alias></lexeme>\n"
    install(project.locales, "ko", text=HEAD.replace('"en"', '"ko"') + lexeme + "</lexicon>")
    result = project.run("stats")
    assert result.exit_code == 0, result.stderr
    assert "lexicon: " not in result.stdout  # "전체 3개 트랙 중 1번 트랙." in each of three tracks


def test_say_speaks_a_word_with_the_lexicon_applied(project, tmp_path):
    install(project.locales, "ko", "ko.pls")
    out = tmp_path / "out.mp3"
    result = project.run("say", "--lang", "ko", "--engine", "espeak", "박물관에서", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "spoken: 방물관에서" in result.stdout
    from audioguide import audio

    seconds = len(audio.decode(out)) / 2 / audio.SAMPLE_RATE
    assert 0.4 < seconds < 4


def test_say_without_a_file_names_the_temporary_one(project):
    result = project.run("say", "--engine", "espeak", "Welcome.")
    assert result.exit_code == 0, result.stderr
    path = Path(result.stdout.strip().splitlines()[-1].removesuffix(": written"))
    try:
        assert path.name.startswith("audioguide-say-") and path.stat().st_size > 1000
    finally:
        path.unlink()


def test_the_readmes_example_lexicon_is_valid_and_does_what_it_says(tmp_path):
    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    example = readme.split("## Pronunciation", 1)[1].split("```xml\n", 1)[1].split("```", 1)[0]
    words = lexicon.parse(example.encode(), tmp_path / "x.pls", resolve("en"))
    entries = words.entries(get_engine("espeak"))
    parts, _ = lexicon.apply("At the Jangmadang, HRW said.", entries)
    assert get_engine("espeak").spoken(parts) == (
        "At the [[dZ'A:Nm@d,A:N]], Human Rights Watch said."
    )
