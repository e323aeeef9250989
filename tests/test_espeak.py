"""The espeak-ng engine, for real: the library and data from the espeakng-loader wheel."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
from array import array
from importlib.metadata import version

import pytest

from audioguide.engines import BUILT_IN, Voice, engine_names, get_engine
from audioguide.engines.espeak import EspeakEngine
from audioguide.errors import EngineError
from audioguide.languages import resolve

SENTENCES = {
    # language: (sentence, plausible duration in seconds)
    "en": ("The old market opens at nine and sells fish, rice and ginseng.", (1.5, 8.0)),
    "ko": ("서울의 전통 시장은 아침 아홉 시에 문을 엽니다.", (1.0, 8.0)),
    "zh_Hans": ("首尔的传统市场每天早上九点开门。", (1.0, 8.0)),
}


@pytest.fixture(scope="module")
def engine() -> EspeakEngine:
    return EspeakEngine()


def rms(pcm: bytes) -> float:
    samples = array("h", pcm)
    return (sum(s * s for s in samples) / len(samples)) ** 0.5


@pytest.mark.parametrize("locale_id", SENTENCES)
def test_each_language_is_spoken(engine, locale_id):
    text, (shortest, longest) = SENTENCES[locale_id]
    language = resolve(locale_id)
    assert engine.supports(language)
    clip = engine.synthesize(text, language, Voice())
    assert clip.sample_rate == 22_050
    assert shortest * 1000 <= clip.duration_ms <= longest * 1000
    assert rms(clip.pcm) > 500  # speech, not silence


@pytest.mark.parametrize("locale_id", SENTENCES)
def test_word_timings_increase_within_the_clip(engine, locale_id):
    text, _ = SENTENCES[locale_id]
    clip = engine.synthesize(text, resolve(locale_id), Voice())
    offsets = [offset for offset, _ in clip.words]
    times = [ms for _, ms in clip.words]
    assert len(clip.words) >= 3
    assert offsets == sorted(set(offsets)) and offsets[0] == 0
    assert times == sorted(times) and times[-1] < clip.duration_ms
    assert len(set(times)) == len(times)


def test_word_offsets_are_character_offsets(engine):
    # espeak reports 1-based code point positions; accents, an emoji and a line break before
    # a word must not shift it.
    text = "The café in Zürich 🙂 serves crème brûlée,\r\nevery day."
    clip = engine.synthesize(text, resolve("en"), Voice())
    found = {text[offset:].split()[0].strip(",.") for offset, _ in clip.words}
    assert {"The", "café", "Zürich", "serves", "crème", "brûlée", "every", "day"} <= found


def test_faster_rate_gives_shorter_audio(engine):
    text, _ = SENTENCES["en"]
    normal = engine.synthesize(text, resolve("en"), Voice())
    fast = engine.synthesize(text, resolve("en"), Voice(settings=(("rate", 350),)))
    again = engine.synthesize(text, resolve("en"), Voice())
    assert fast.duration_ms < normal.duration_ms * 0.7
    # The rate does not stick to the next sentence.
    assert again.duration_ms == pytest.approx(normal.duration_ms, rel=0.01)


def test_a_named_voice_overrides_the_language(engine):
    text, _ = SENTENCES["en"]
    british = engine.synthesize(text, resolve("en"), Voice())
    american = engine.synthesize(text, resolve("en"), Voice(voice="en-us"))
    assert american.pcm != british.pcm
    assert engine.describe(resolve("en"), Voice(voice="en-us")) == "eSpeak NG en-us"


def test_unknown_voice_is_an_engine_error(engine):
    with pytest.raises(EngineError, match="no voice 'no-such-voice'"):
        engine.check(resolve("en"), Voice(voice="no-such-voice"))
    with pytest.raises(EngineError, match="no voice 'no-such-voice'"):
        engine.synthesize("Hello.", resolve("en"), Voice(voice="no-such-voice"))


@pytest.mark.parametrize("name", ["../voices/!v/m1", "/etc/passwd", "en+../../x", "en/../en"])
def test_a_voice_name_that_is_a_path_never_reaches_the_library(engine, name):
    # libespeak-ng follows a voice name as a file path; "../voices/!v/m1" crashes it.
    with pytest.raises(EngineError, match="no voice"):
        engine.check(resolve("en"), Voice(voice=name))
    with pytest.raises(EngineError, match="no voice"):
        engine.synthesize("Hello.", resolve("en"), Voice(voice=name))


def test_voices_and_variants_the_library_offers_are_accepted(engine):
    english = resolve("en")
    assert {"en", "en-us", "en-gb"} <= set(engine.voices(english))
    assert engine.check(english, Voice(voice="en+m3")) == Voice(voice="en+m3")
    assert engine.synthesize("Hello.", english, Voice(voice="en+f2")).duration_ms > 200


def test_inline_phonemes_are_spoken_as_given(engine):
    english = resolve("en")
    written = engine.synthesize("Jangmadang.", english, Voice())
    spelled = engine.synthesize(engine.inline_phonemes("dZ'A:Nm@d,A:N") + ".", english, Voice())
    other = engine.synthesize(engine.inline_phonemes("b'i:") + ".", english, Voice())
    assert engine.phonemes == "x-espeak"
    assert other.duration_ms < spelled.duration_ms * 0.7  # a short word, not the brackets read out
    assert written.pcm != spelled.pcm


def test_empty_text_is_an_engine_error(engine):
    with pytest.raises(EngineError, match="empty sentence"):
        engine.synthesize("  ", resolve("en"), Voice())


@pytest.mark.parametrize("locale_id", SENTENCES)
def test_a_sentence_sounds_the_same_whatever_came_before(engine, locale_id):
    """The synthesiser's state does not carry over: a cached clip and a fresh one are the same
    bytes, so builds are reproducible whatever the cache holds and however work is shared."""
    text, _ = SENTENCES[locale_id]
    language = resolve(locale_id)
    first = engine.synthesize(text, language, Voice())
    for before in ("Yes!", "A longer sentence, with a pause, comes first?", text):
        engine.synthesize(before, resolve("en"), Voice())
        assert engine.synthesize(text, language, Voice()) == first


def test_a_sentence_sounds_the_same_in_a_new_process(engine):
    text, _ = SENTENCES["ko"]
    engine.synthesize(SENTENCES["en"][0], resolve("en"), Voice())
    here = engine.synthesize(text, resolve("ko"), Voice()).pcm
    code = (
        "import sys, hashlib\n"
        "from audioguide.engines.espeak import EspeakEngine\n"
        "from audioguide.languages import resolve\n"
        "from audioguide.engines import Voice\n"
        f"clip = EspeakEngine().synthesize({text!r}, resolve('ko'), Voice())\n"
        "print(hashlib.sha256(clip.pcm).hexdigest())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == hashlib.sha256(here).hexdigest()


# (text, language, voice, rate): sentences in voices found through the library's search ("en",
# "cmn"), by their file's name ("ko"), in a file named in capitals ("en-us": gmw/en-US), with a
# variant, at another rate.
MIXED = [
    (SENTENCES["en"][0], "en", "", 0),
    (SENTENCES["ko"][0], "ko", "", 0),
    (SENTENCES["zh_Hans"][0], "zh_Hans", "", 0),
    (SENTENCES["en"][0], "en", "en-us", 0),
    (SENTENCES["en"][0], "en", "en+m3", 0),
    (SENTENCES["en"][0], "en", "", 260),
    ("Yes!", "en", "", 0),
]


def _mixed_voice(name: str, rate: int) -> Voice:
    return Voice(voice=name, settings=(("rate", rate),) if rate else ())


def test_each_sentence_sounds_as_in_a_new_process_whatever_voices_came_before(engine):
    """The voices and rates of earlier sentences do not change a later one: each of them,
    spoken in any order in one process, is the same audio as in a process that speaks only it."""
    code = (
        "import sys, hashlib\n"
        "from audioguide.engines.espeak import EspeakEngine\n"
        "from audioguide.languages import resolve\n"
        "from audioguide.engines import Voice\n"
        "text, lang, name, rate = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])\n"
        "voice = Voice(voice=name, settings=(('rate', rate),) if rate else ())\n"
        "clip = EspeakEngine().synthesize(text, resolve(lang), voice)\n"
        "print(hashlib.sha256(clip.pcm).hexdigest(), clip.words)\n"
    )
    alone = []
    for text, lang, name, rate in MIXED:
        command = [sys.executable, "-c", code, text, lang, name, str(rate)]
        result = subprocess.run(command, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        alone.append(result.stdout.strip())
    order = [*range(len(MIXED)), *reversed(range(len(MIXED))), 3, 3, 0, 2, 0, 5, 1, 4]
    for index in order:
        text, lang, name, rate = MIXED[index]
        clip = engine.synthesize(text, resolve(lang), _mixed_voice(name, rate))
        assert f"{hashlib.sha256(clip.pcm).hexdigest()} {clip.words}" == alone[index], MIXED[index]


def test_two_threads_at_once_both_get_their_own_audio(engine):
    jobs = {
        "en": (SENTENCES["en"][0], resolve("en")),
        "zh": (SENTENCES["zh_Hans"][0], resolve("zh_Hans")),
    }
    expected = {key: engine.synthesize(text, lang, Voice()) for key, (text, lang) in jobs.items()}
    results: dict[str, list] = {key: [] for key in jobs}
    start = threading.Barrier(len(jobs))

    def work(key: str) -> None:
        text, language = jobs[key]
        start.wait()
        for _ in range(10):
            results[key].append(engine.synthesize(text, language, Voice()))

    threads = [threading.Thread(target=work, args=(key,)) for key in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for key in jobs:
        assert len(results[key]) == 10
        assert all(clip == expected[key] for clip in results[key])
    assert expected["en"].pcm != expected["zh"].pcm


def test_version_names_library_and_loader(engine):
    text = engine.version(resolve("en"), Voice())
    assert text.startswith("espeak-ng 1.52")
    assert f"espeakng-loader {version('espeakng-loader')}" in text
    assert engine.available()


def test_registered_and_cached():
    assert BUILT_IN["espeak"] == "audioguide.engines.espeak:EspeakEngine"
    assert engine_names()[:4] == ("gtts", "espeak", "piper", "kokoro")
    assert type(get_engine("espeak")) is EspeakEngine
    assert get_engine("espeak") is get_engine("espeak")
    with pytest.raises(EngineError, match="unknown voice engine 'festival'"):
        get_engine("festival")


FRESH_PROCESS = """
import locale, os, sys, tempfile
import espeakng_loader
deep = os.path.join(tempfile.mkdtemp(), *["d" * 60] * 3, "espeak-ng-data")
os.makedirs(os.path.dirname(deep))
os.symlink(espeakng_loader.get_data_path(), deep)
espeakng_loader.get_data_path = lambda: deep
locale.setlocale(locale.LC_CTYPE, "C")
from audioguide.engines.espeak import EspeakEngine
from audioguide.languages import resolve
from audioguide.engines import Voice
clip = EspeakEngine().synthesize("안녕하세요, 반갑습니다.", resolve("ko"), Voice())
print(len(deep), round(clip.duration_ms), locale.setlocale(locale.LC_CTYPE))
"""


def test_long_data_path_works_and_the_locale_is_left_alone():
    # espeak-ng's data path buffer is 160 bytes, and espeak_Initialize sets LC_CTYPE: both
    # happen once per process, so this runs in a new one.
    result = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS], capture_output=True, text=True, check=True
    )
    length, duration_ms, ctype = result.stdout.split()
    assert int(length) > 160
    assert int(duration_ms) > 500
    assert ctype == "C"
