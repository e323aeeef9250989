"""The Kokoro engine, for real: Kokoro-82M v1.0 (int8 ONNX) joined from its PyPI parts, the voice
styles of the npm package kokoro-js (tests/kokoro_files.py), run with onnxruntime."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from build_helpers import (
    Site,
    assert_manifest_is_true,
    decoded_ms,
    new_site,
    summary,
    unzipped_daisy,
    windows,
)
from mutagen.id3 import ID3
from readers import loudness
from test_books import daisy_problems
from test_books_validators import epubcheck, epubcheck_jar  # noqa: F401 - a fixture

from audioguide.engines import Voice, auto_engine, get_engine, installed
from audioguide.engines.kokoro import KokoroEngine
from audioguide.errors import EngineError
from audioguide.languages import resolve

pytestmark = pytest.mark.slow  # a neural model on a CPU: not in `make test-fast`

MANDARIN, ENGLISH = resolve("zh_Hans"), resolve("en")
CHINESE_TEXT = "朝鲜的市场在改变这个国家的过程中正发挥重要作用，每年有5000人离开。"
ENGLISH_TEXT = "The old market opens at nine and sells fish, rice and ginseng to the whole town."


@pytest.fixture(scope="module")
def engine() -> KokoroEngine:
    return get_engine("kokoro")


def voice(kokoro_voice: dict[str, str], name: str = "zf_xiaobei", **more: object) -> Voice:
    settings = {"model": kokoro_voice["model"], "voices": kokoro_voice["voices"], "rate": None}
    return Voice(engine="kokoro", voice=name, settings=tuple(sorted((settings | more).items())))


def assert_speech(pcm: bytes, sample_rate: int) -> None:
    """Voiced most of the middle, and much louder than the quietest windows (pauses, ends)."""
    energy = windows(pcm, sample_rate)
    middle = energy[len(energy) // 5 : -len(energy) // 5]
    assert sum(rms > 500 for rms in middle) > 0.6 * len(middle)
    assert min(energy) < 0.1 * max(energy)


def test_kokoro_speaks_mandarin_at_a_natural_pace_with_numbers_read_as_words(engine, kokoro_voice):
    checked = engine.check(MANDARIN, voice(kokoro_voice))
    spoken = engine.normalise(CHINESE_TEXT, MANDARIN)
    assert "五千" in spoken  # the project's number reading, before misaki sees it
    clip = engine.synthesize(spoken, MANDARIN, checked)
    assert clip.sample_rate == 24_000 and clip.words == ()
    syllables = sum("\u4e00" <= ch <= "\u9fff" for ch in spoken)
    assert syllables / 6.5 < clip.duration_ms / 1000 < syllables / 2.5  # 2.5 to 6.5 a second
    assert_speech(clip.pcm, clip.sample_rate)
    assert engine.describe(MANDARIN, checked) == "Kokoro zf_xiaobei"


def test_kokoro_speaks_english_and_a_slower_rate_is_slower(engine, kokoro_voice):
    checked = engine.check(ENGLISH, voice(kokoro_voice, "af_heart"))
    clip = engine.synthesize(ENGLISH_TEXT, ENGLISH, checked)
    assert 16 / 4.5 < clip.duration_ms / 1000 < 16 / 2
    assert_speech(clip.pcm, clip.sample_rate)
    slow = engine.synthesize(ENGLISH_TEXT, ENGLISH, voice(kokoro_voice, "af_heart", rate=120))
    assert slow.duration_ms > 1.2 * clip.duration_ms


def test_the_mandarin_front_end_is_given_chaoxian_with_the_third_tone(engine, kokoro_voice):
    """朝鲜 by the shipped lexicon's alias: 鲜 with tone 3 (↓), not misaki's tone 1 (→)."""
    found = engine.check(MANDARIN, voice(kokoro_voice))
    from audioguide.engines.kokoro import resolve_voice
    from audioguide.lexicon import apply, load

    entries = load(Path(__file__).parent.parent / "locales", MANDARIN).entries(engine)
    parts, _ = apply("离开朝鲜的人", entries)
    phonemes = engine.phonemes_of(engine.spoken(parts), resolve_voice(MANDARIN, found))
    assert "ꭧʰau↗ɕjɛ↓n" in phonemes
    assert "ꭧʰau↗ɕjɛ→n" in engine.phonemes_of("离开朝鲜的人", resolve_voice(MANDARIN, found))


def test_the_same_sentence_gives_the_same_bytes_in_another_process(engine, kokoro_voice):
    here = engine.synthesize(CHINESE_TEXT, MANDARIN, engine.check(MANDARIN, voice(kokoro_voice)))
    script = textwrap.dedent(f"""
        import hashlib
        from audioguide.engines import Voice, get_engine
        from audioguide.languages import resolve
        engine, zh = get_engine("kokoro"), resolve("zh_Hans")
        settings = (("model", {kokoro_voice["model"]!r}), ("voices", {kokoro_voice["voices"]!r}))
        voice = engine.check(zh, Voice(engine="kokoro", voice="zf_xiaobei", settings=settings))
        print(hashlib.sha256(engine.synthesize({CHINESE_TEXT!r}, zh, voice).pcm).hexdigest())
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True
    )
    assert done.stdout.strip() == hashlib.sha256(here.pcm).hexdigest()


def test_the_cache_key_holds_the_models_and_the_styles_sha256(engine, kokoro_voice, tmp_path):
    model = Path(kokoro_voice["model"])
    style = Path(kokoro_voice["voices"]) / "zf_xiaobei.bin"
    version = engine.version(MANDARIN, engine.check(MANDARIN, voice(kokoro_voice)))
    assert f"model sha256 {hashlib.sha256(model.read_bytes()).hexdigest()}" in version
    assert f"style sha256 {hashlib.sha256(style.read_bytes()).hexdigest()}" in version
    # Another model (one byte differs) at another path: another version, so no clip is reused.
    other = tmp_path / "kokoro-other.onnx"
    shutil.copy(model, other)
    with open(other, "r+b") as handle:
        handle.seek(-1, 2)
        last = handle.read(1)
        handle.seek(-1, 2)
        handle.write(bytes([last[0] ^ 1]))
    changed = engine.version(
        MANDARIN, engine.check(MANDARIN, voice(kokoro_voice, model=str(other)))
    )
    assert changed != version and "model sha256" in changed


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("zf_nobody", "no Kokoro voice 'zf_nobody' for Chinese (Simplified) in"),
        ("af_heart", "no Kokoro voice 'af_heart' for Chinese (Simplified)"),
        ("../voices/zf_xiaobei", "is not a Kokoro voice name"),
    ],
)
def test_a_voice_kokoro_does_not_have_is_refused_listing_those_it_has(
    engine, kokoro_voice, name, words
):
    with pytest.raises(EngineError, match=re.escape(words)) as failed:
        engine.check(MANDARIN, voice(kokoro_voice, name))
    if "is not a" not in words:
        assert "zf_xiaobei" in str(failed.value)


def test_a_missing_model_and_an_uninstalled_package_are_refused(engine, kokoro_voice):
    with pytest.raises(EngineError, match=r"there is no Kokoro model 'models/kokoro\.onnx'"):
        engine.check(MANDARIN, voice(kokoro_voice, model="models/kokoro.onnx"))
    with pytest.raises(EngineError, match="no installed Python package of that name ships one"):
        engine.check(MANDARIN, voice(kokoro_voice, model="json"))


def _set_voices(site: Site, voices: dict[str, dict[str, str]]) -> None:
    guide = site.scripts / "guide.yaml"
    guide.write_text(
        guide.read_text("utf-8") + f"voices: {json.dumps(voices, ensure_ascii=False)}\n", "utf-8"
    )


def _build(site: Site, *args: str) -> dict:
    """A build with the voices guide.yaml gives (no --engine)."""
    result = site.cli("build", "--cache", str(site.cache), "--json", *args)
    assert result.exit_code == 0, result.stdout + result.stderr
    return summary(result.stdout)


def test_a_guide_spoken_by_kokoro_in_mandarin_and_english_builds_and_rebuilds_from_cache(
    tmp_path, kokoro_voice
):
    site = new_site(tmp_path / "site")
    _set_voices(site, {"zh_Hans": kokoro_voice, "en": kokoro_voice | {"voice": "af_heart"}})
    built = _build(site, "--lang", "zh_Hans", "--lang", "en")
    languages = {lang["tag"]: lang for lang in site.manifest()["languages"]}
    assert languages["zh-Hans"]["engine"] == "kokoro"
    assert languages["zh-Hans"]["voices"] == ["Kokoro zf_xiaobei"]
    assert languages["en"]["voices"] == ["Kokoro af_heart"]
    assert built["clips_synthesised"] > 0
    again = _build(site, "--lang", "zh_Hans", "--lang", "en")
    assert (again["clips_synthesised"], again["tracks_written"]) == (0, 0)


def test_a_voice_kokoro_does_not_have_in_guide_yaml_is_one_line_naming_it(
    tmp_path, kokoro_voice, user_error
):
    site = new_site(tmp_path / "site")
    _set_voices(
        site, {"zh_Hans": kokoro_voice | {"voice": "zf_nobody"}, "en": {"engine": "espeak"}}
    )
    result = site.cli("build", "--cache", str(site.cache), "--lang", "zh_Hans")
    message = user_error(result, "guide.yaml", r"\d+")
    assert "no Kokoro voice 'zf_nobody'" in message and "zf_xiaobei" in message
    assert not site.output.exists()


def _install_voice_package(root: Path, kokoro_voice: dict[str, str]) -> Path:
    """A Python package shipping the model and two voices, as pip would lay it out (a RECORD
    lists its files); returns the folder to put on sys.path."""
    package = root / "kokoro_test_voice"
    (package / "voices").mkdir(parents=True)
    (package / "kokoro-v1.0.int8.onnx").symlink_to(kokoro_voice["model"])
    for name in ("zf_xiaobei", "af_heart"):
        (package / "voices" / f"{name}.bin").symlink_to(
            Path(kokoro_voice["voices"]) / f"{name}.bin"
        )
    info = root / "kokoro_test_voice-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: kokoro-test-voice\nVersion: 1.0\n")
    files = [
        "kokoro_test_voice/kokoro-v1.0.int8.onnx",
        "kokoro_test_voice/voices/zf_xiaobei.bin",
        "kokoro_test_voice/voices/af_heart.bin",
        "kokoro_test_voice-1.0.dist-info/METADATA",
    ]
    (info / "RECORD").write_text("".join(f"{f},,\n" for f in files))
    return root


@pytest.fixture
def kokoro_installed(tmp_path, kokoro_voice, monkeypatch):
    monkeypatch.syspath_prepend(
        str(_install_voice_package(tmp_path / "site-packages", kokoro_voice))
    )
    installed.shipped.cache_clear()
    yield
    installed.shipped.cache_clear()


def test_auto_offline_picks_an_installed_kokoro_voice_and_says_so(
    kokoro_installed, engine, tmp_path
):
    assert engine.voices(MANDARIN) == ("zf_xiaobei",)
    assert auto_engine(MANDARIN, online=False) == "kokoro"
    assert auto_engine(ENGLISH, online=False) == "kokoro"
    assert auto_engine(resolve("ko"), online=False) == "espeak"  # Kokoro has no Korean
    # Without voice:, model: or voices:, the installed ones; found by package name too.
    checked = engine.check(MANDARIN, Voice(engine="kokoro"))
    assert checked.voice == "zf_xiaobei"
    named = Voice(engine="kokoro", settings=(("model", "kokoro_test_voice"),))
    assert engine.check(MANDARIN, named).get("model") == checked.get("model")

    site = new_site(tmp_path / "site")
    listing = site.cli("voices", "--lang", "zh_Hans")
    assert listing.exit_code == 0, listing.stderr
    assert "zf_xiaobei" in listing.stdout and "auto picks kokoro" in listing.stdout


@pytest.fixture(scope="module")
def shipped_with_kokoro(kokoro_voice, tmp_path_factory) -> Site:
    """The shipped guide built with Kokoro for Mandarin and English (espeak for Korean)."""
    root = Path(__file__).parent.parent
    site = Site(tmp_path_factory.mktemp("shipped-kokoro"))
    shutil.copytree(root / "scripts", site.scripts)
    shutil.copytree(root / "locales", site.locales, ignore=shutil.ignore_patterns("*.mo"))
    text = (site.scripts / "guide.yaml").read_text("utf-8")
    assert "\nvoices:" not in text
    _set_voices(site, {"zh_Hans": kokoro_voice, "en": kokoro_voice | {"voice": "af_heart"},
                       "ko": {"engine": "espeak"}})  # fmt: skip
    _build(site)
    return site


def test_the_shipped_guide_built_with_kokoro_passes_the_track_checks(shipped_with_kokoro):
    site = shipped_with_kokoro
    files = assert_manifest_is_true(site)
    languages = {lang["tag"]: lang for lang in site.manifest()["languages"]}
    assert languages["zh-Hans"]["voices"] == ["Kokoro zf_xiaobei"]
    assert languages["en"]["voices"] == ["Kokoro af_heart"]
    for tag in ("en", "zh-Hans"):
        # The section tracks, as tests/test_tracks_audio.py checks them (the whole-guide MP3
        # is joined from them frame by frame, not encoded again).
        tracks = sorted((site.output / tag).glob("[0-9][0-9]-*.mp3"))[1:]
        assert len(tracks) >= 5 and all(not t.name.startswith("00-") for t in tracks), tag
        for track in tracks:
            measured = loudness(track)
            assert measured.integrated == pytest.approx(-16.0, abs=1.0), track.name
            assert measured.true_peak <= -1.5, track.name
            tags = ID3(track)
            assert tags["TIT2"].text[0] and tags["TLAN"].text, track.name
            captions = track.with_suffix(".vtt")
            assert captions.is_file() and f"{tag}/{captions.name}" in files
            ends = [line.split(" --> ")[1] for line in captions.read_text("utf-8").splitlines()
                    if " --> " in line]  # fmt: skip
            h, m, s = ends[-1].split(":")
            assert (int(h) * 3600 + int(m) * 60 + float(s)) * 1000 <= decoded_ms(track) + 50
        assert sorted(p.suffix for p in (site.output / tag).glob("*.epub")) == [".epub"]


def test_the_shipped_guide_built_with_kokoro_passes_the_book_checks(
    shipped_with_kokoro,
    epubcheck_jar,  # noqa: F811 - the fixture imported above
    tmp_path,
):
    output = shipped_with_kokoro.output
    manifest = json.loads((output / "manifest.json").read_text("utf-8"))
    for language in manifest["languages"]:
        if language["tag"] not in ("en", "zh-Hans"):
            continue
        folder = unzipped_daisy(output / language["daisy"]["file"], tmp_path / language["tag"])
        files = {path.name: path.read_bytes() for path in sorted(folder.iterdir())}
        lengths = {name: decoded_ms(folder / name) for name in files if name.endswith(".mp3")}
        assert daisy_problems(files, lengths) == [], folder
        (book,) = (output / language["tag"]).glob("*.epub")
        assert epubcheck(epubcheck_jar, book, tmp_path) == [], book.name
