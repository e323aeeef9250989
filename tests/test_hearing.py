"""``audioguide check-speech``: a real recogniser (faster-whisper running the Whisper base model
from the test extra) hears small guides built with real voices, and tells a voice listeners
understand from one they do not."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml
from build_helpers import Site, cli_runner

from audioguide.cli import main
from audioguide.edition import Sentence
from audioguide.hearing import comparable, error_rate, looped, meant_texts, sentence_error

ZH_SENTENCES = "市场在朝鲜发挥着重要作用。很多家庭靠做小生意生活。"
KO_SENTENCES = "시장은 북한에서 큰 역할을 합니다. 많은 가족이 작은 장사로 살아갑니다."
ENGINE = {"engine": "espeak"}
EN_SENTENCES = "The markets play a big role in North Korea. Many families live by trading."


def small_guide(root: Path, language: str, paragraph: str, voice: dict | None = None) -> Site:
    """A one-section guide written in ``language`` itself (no catalogs to translate), spoken by
    ``voice`` (guide.yaml's ``voices:`` entry; default espeak)."""
    site = Site(root)
    site.scripts.mkdir(parents=True)
    site.locales.mkdir()
    guide = {
        "id": "heard",
        "title": "Heard",
        "source_language": language,
        "languages": [language],
        # (paths as text: a fixture may give them as Path objects)
        "voices": {language: {key: str(value) for key, value in (voice or ENGINE).items()}},
    }
    section = {"id": "markets", "title": "Markets", "paragraphs": [paragraph]}
    for name, data in (("guide.yaml", guide), ("01-markets.yaml", section)):
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (site.scripts / name).write_text(text, encoding="utf-8")
    return site


def built(site: Site) -> Site:
    result = site.cli("build", "--cache", str(site.cache), "--quiet")
    assert result.exit_code == 0, result.stdout + result.stderr
    return site


def check_speech(site: Site, model: Path, *args: str):
    return cli_runner().invoke(
        main,
        ["check-speech", "--model", str(model), "--output", str(site.output), *args],
        prog_name="audioguide",
        catch_exceptions=False,
    )


def judged(site: Site, model: Path) -> dict:
    result = check_speech(site, model, "--json", "--worst", "100")
    assert result.exit_code == 0, result.stdout + result.stderr
    (language,) = json.loads(result.stdout)
    return language


# --- making texts comparable (no recogniser) --------------------------------------------------


def test_numbers_are_compared_as_words_on_both_sides() -> None:
    assert comparable("In 2019, 5,000 people left.", "en") == comparable(
        "in two thousand and nineteen five thousand people left", "en"
    )
    assert comparable("5000人", "zh") == comparable("五千人", "zh") == comparable("五千人。", "zh")
    assert comparable("两千", "zh") == comparable("2000", "zh")
    assert comparable("3번", "ko") == comparable("삼번", "ko")


def test_traditional_chinese_is_compared_as_simplified() -> None:
    assert comparable("朝鮮的市場", "zh") == comparable("朝鲜的市场", "zh")


def test_a_recogniser_that_repeats_itself_is_caught_and_a_sentence_counts_at_most_once() -> None:
    assert looped(comparable("코코코코코코코코코코", "ko"))
    assert not looped(comparable("시장은 북한에서 큰 역할을 합니다", "ko"))
    assert error_rate("abc", "xyzxyzxyzxyz") == 1.0  # more wrong than said: capped at 1
    assert error_rate("abcd", "abcd") == 0.0


def test_a_lexicon_respelling_is_heard_as_the_word_it_respells() -> None:
    """潮显 gives the voice the tones of 朝鲜; a listener, and the recogniser, hear 朝鲜."""
    sentence = Sentence("逃离朝鲜的人们。", "逃离潮显的人们。", "zh-Hans", None, 0, 1000)
    heard = comparable("逃離朝鮮的人們", "zh")

    assert sentence_error(meant_texts(sentence, "zh"), heard) == (0.0, len(heard))
    # what the voice was given counts too: a reading the lexicon changed on purpose
    spelled = comparable("逃离潮显的人们", "zh")
    assert sentence_error(meant_texts(sentence, "zh"), spelled)[0] == 0.0


# --- hearing real builds ------------------------------------------------------------------------


@pytest.mark.slow
def test_a_voice_listeners_understand_passes_the_check(tmp_path, whisper_model) -> None:
    site = built(small_guide(tmp_path, "en", EN_SENTENCES))

    result = check_speech(site, whisper_model, "--check")

    assert result.exit_code == 0, result.stdout + result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("en: CER 0.") and "eSpeak NG en" in first, first
    cer = float(first.split()[2].rstrip(","))
    assert cer < 0.2, result.stdout
    assert "audioguide proof --lang en" in result.stdout


@pytest.mark.slow
def test_a_wrong_voice_is_flagged_with_its_worst_sentences_track_and_time(
    tmp_path, whisper_model
) -> None:
    # The English espeak voice reading Korean text: nothing a listener could follow.
    site = built(small_guide(tmp_path, "ko", KO_SENTENCES, {"engine": "espeak", "voice": "en"}))

    result = check_speech(site, whisper_model, "--check")

    assert result.exit_code == 1, result.stdout + result.stderr
    assert "past the limits: ko (CER" in result.stderr
    assert "01-markets.mp3 0:" in result.stdout  # where to hear it
    assert "audioguide proof --lang ko" in result.stdout
    language = judged(site, whisper_model)
    assert language["cer"] > 0.5, language
    worst = language["worst"][0]
    assert worst["file"] == "ko/01-markets.mp3" and worst["end_ms"] > worst["start_ms"]
    assert worst["meant"] in KO_SENTENCES or worst["block"] == "announcement"


@pytest.mark.slow
def test_espeak_mandarin_is_heard_clearly_worse_than_kokoro_mandarin(
    tmp_path, whisper_model, kokoro_voice
) -> None:
    espeak = built(small_guide(tmp_path / "espeak", "zh_Hans", ZH_SENTENCES))
    kokoro = built(small_guide(tmp_path / "kokoro", "zh_Hans", ZH_SENTENCES, kokoro_voice))

    heard_espeak, heard_kokoro = judged(espeak, whisper_model), judged(kokoro, whisper_model)

    assert heard_espeak["sentences"] == heard_kokoro["sentences"] >= 3
    assert heard_espeak["cer"] > heard_kokoro["cer"] + 0.3, (heard_espeak, heard_kokoro)
    assert heard_kokoro["cer"] < 0.3, heard_kokoro


def test_check_speech_without_a_model_or_a_build_says_what_to_do(tmp_path, user_error) -> None:
    result = cli_runner().invoke(
        main, ["check-speech", "--output", str(tmp_path / "none")], prog_name="audioguide"
    )
    assert "run `audioguide build` first" in user_error(result, "none")

    model = tmp_path / "no-model"
    model.mkdir()
    site = built(small_guide(tmp_path / "guide", "en", EN_SENTENCES))
    result = check_speech(site, model)
    assert "has no model.bin" in user_error(result, "--model", None)
    result = check_speech(site, model, "--lang", "ko")
    assert "--lang ko: not built" in user_error(result, "output")


def test_check_speech_without_the_recogniser_installed_says_what_to_install(
    tmp_path, monkeypatch, user_error
) -> None:
    site = built(small_guide(tmp_path, "en", EN_SENTENCES))
    monkeypatch.setitem(sys.modules, "faster_whisper", None)  # as if not installed

    result = check_speech(site, tmp_path)

    assert user_error(result, "check-speech", None).endswith("pip install 'audioguide[check]'")


# --- voices known to be poorly understood -------------------------------------------------------


def test_a_voice_known_to_be_poorly_understood_is_warned_about_once_and_recorded(
    tmp_path,
) -> None:
    korean = small_guide(tmp_path / "ko", "ko", KO_SENTENCES)
    english = small_guide(tmp_path / "en", "en", EN_SENTENCES)

    warned = korean.cli("build", "--cache", str(korean.cache), "--quiet")
    quiet = english.cli("build", "--cache", str(english.cache), "--quiet")

    assert warned.exit_code == 0 and quiet.exit_code == 0, warned.stderr + quiet.stderr
    lines = [line for line in warned.stderr.splitlines() if "poorly understood" in line]
    assert len(lines) == 1, warned.stderr
    assert lines[0].startswith("audioguide: warning: ko: eSpeak NG ko is poorly understood")
    assert "Whisper base 0.84" in lines[0] and "gTTS" in lines[0] and "Piper" in lines[0]
    assert "poorly understood" not in quiet.stderr
    (ko,) = korean.manifest()["languages"]
    assert ko["voice"] == {
        "name": "eSpeak NG ko",
        "understood": False,
        "measured": [{"cer": 0.84, "judge": "Whisper base"}, {"cer": 0.9, "judge": "Vosk Korean"}],
    }
    (en,) = english.manifest()["languages"]
    assert en["voice"]["understood"] is True
