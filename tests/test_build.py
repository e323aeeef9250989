"""``audioguide build`` end to end: the sentence cache, the summary, untranslated text, voices.

Each test rebuilds a copy of the session build (the fixture guide, espeak, real ffmpeg) and
looks at what a user sees: the summary, which files changed (bytes and modification times),
the manifest, captions and transcripts.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import requests
import responses
import webvtt
from build_helpers import (
    BASE_URL,
    SUMMARY_KEYS,
    TAGS,
    Built,
    Site,
    changed,
    cli_runner,
    environment,
    other_warnings,
    run,
    set_translation,
    summary,
    tree,
)

from audioguide.cli import main

EDITED_SOURCE = "This guide has three short parts. Each part is one track."
EDITED = "이 가이드는 세 부분입니다. 부분마다 트랙이 하나 있습니다."  # two sentences


def _language(site: Site, tag: str) -> dict:
    (language,) = [lang for lang in site.manifest()["languages"] if lang["tag"] == tag]
    return language


def test_first_build_synthesises_every_sentence_once(built: Built):
    # every sentence of 9 tracks and the 3 spoken titles, none shared
    assert built.summary["clips_synthesised"] == 35
    assert built.summary["clips_cached"] == 0
    assert (built.summary["tracks_written"], built.summary["tracks_unchanged"]) == (9, 0)
    manifest_ms = sum(
        t["duration_ms"] for lang in built.site.manifest()["languages"] for t in lang["tracks"]
    )
    assert built.summary["audio_seconds"] == pytest.approx(manifest_ms / 1000, abs=0.01)
    assert "warning" not in "\n".join(other_warnings(built.stderr.splitlines()))


def test_rebuild_with_nothing_changed_touches_nothing(site: Site):
    before = tree(site.output)
    result = site.build("--base-url", BASE_URL)
    assert result.exit_code == 0, result.stderr
    report = summary(result.stdout)
    assert report["clips_synthesised"] == 0
    assert (report["tracks_written"], report["tracks_unchanged"]) == (0, 9)
    assert changed(before, tree(site.output)) == set()


def test_summary_line_without_json(site: Site):
    result = site.cli("build", "--engine", "espeak", "--cache", str(site.cache),
                      "--base-url", BASE_URL)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert re.fullmatch(
        r"0 clips synthesised, 0 from cache; 0 tracks written, 9 unchanged; "
        r"[\d.]+ s of audio in [\d.]+ s\n",
        result.stdout,
    ), result.stdout


def test_json_prints_only_the_summary_object(site: Site):
    result = site.build("--base-url", BASE_URL, "--quiet")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) == SUMMARY_KEYS
    counts = {key: value for key, value in data.items() if key.startswith(("clips", "tracks"))}
    assert len(counts) == 4 and all(isinstance(value, int) for value in counts.values())
    assert data["audio_seconds"] > 0 and data["wall_seconds"] > 0
    # Published at a real address: nothing to warn about but the espeak voices' quality.
    assert other_warnings(data["warnings"]) == []
    # --quiet: no progress lines, only those warnings
    assert other_warnings(result.stderr.splitlines()) == []


def test_one_edited_paragraph_resynthesises_only_its_sentences(site: Site):
    before = tree(site.output)
    set_translation(site.po("ko"), EDITED_SOURCE, EDITED)
    result = site.build("--base-url", BASE_URL)
    assert result.exit_code == 0, result.stderr
    report = summary(result.stdout)
    assert report["clips_synthesised"] == 2  # the two sentences of the new paragraph
    assert report["tracks_written"] == 1
    assert report["tracks_unchanged"] == 8

    after = tree(site.output)
    mp3s = {path for path in changed(before, after) if path.endswith(".mp3")}
    # The talking books carry the new track too.
    assert mp3s == {"ko/01-welcome.mp3", "ko/00-full-guide.mp3"}
    assert {"ko/test-guide-ko.epub", "test-guide-ko-daisy.zip"} <= changed(before, after)
    with zipfile.ZipFile(site.output / "test-guide-ko-daisy.zip") as archive:
        zipped = archive.read("test-guide-ko-daisy/01-welcome.mp3")
    assert zipped == (site.output / "ko/01-welcome.mp3").read_bytes()
    assert "test-guide-ko.zip" in changed(before, after)  # its fingerprint no longer matches
    with zipfile.ZipFile(site.output / "test-guide-ko.zip") as archive:
        zipped = archive.read("test-guide-ko/01-welcome.mp3")
    assert zipped == (site.output / "ko/01-welcome.mp3").read_bytes()
    # Nothing of the other languages moved, not even a modification time.
    untouched = [p for p in after if not p.startswith("ko/") and "/" in p]
    untouched += ["test-guide-en.zip", "test-guide-zh-Hans.zip"]
    untouched += ["test-guide-en-daisy.zip", "test-guide-zh-Hans-daisy.zip"]
    assert {p: before[p] for p in untouched} == {p: after[p] for p in untouched}
    # The new text is what the track says.
    captions = webvtt.read(site.output / "ko" / "01-welcome.vtt").captions
    assert [c.text for c in captions[-2:]] == [
        "이 가이드는 세 부분입니다.",
        "부분마다 트랙이 하나 있습니다.",
    ]


def test_no_cache_synthesises_everything_and_keeps_nothing(built: Built, site: Site, tmp_path):
    """As a user runs it: a subprocess in the guide's folder, with its own temporary folder."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    result = run(
        site.command("--base-url", BASE_URL, cache=False),
        cwd=site.root,
        env=environment(TMPDIR=str(temporary)),
    )
    assert result.returncode == 0, result.stderr
    report = summary(result.stdout)
    assert report["clips_synthesised"] == built.summary["clips_synthesised"]
    assert report["clips_cached"] == 0
    assert report["tracks_written"] == 9
    assert not (site.root / ".audioguide-cache").exists()
    assert list(temporary.iterdir()) == []
    # The same files again, byte for byte: a sentence's audio depends only on its inputs.
    assert (site.output / "manifest.json").read_bytes() == (
        built.site.output / "manifest.json"
    ).read_bytes()


def test_each_language_renders_its_longest_tracks_first(project: Site):
    """With one worker the tracks are written in the order they are rendered: language by
    language as in the guide, and within one the longest first, so that a long track is never
    what the last busy worker is still on while the others have nothing left."""
    (project.scripts / "03-goodbye.yaml").write_text(
        "id: goodbye\ntitle: Goodbye\nparagraphs:\n  - Thank you for listening. We hope that you"
        " enjoyed the museum, its rooms, its paintings and its gardens. The café on the ground"
        " floor is open until six, and the shop sells the guide as a book. Come back soon.\n",
        encoding="utf-8",
    )
    result = project.build("--base-url", BASE_URL, "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    written = re.findall(r"^(\S+)/(\S+\.mp3): written$", result.stderr, re.MULTILINE)
    languages = [lang["tag"] for lang in project.manifest()["languages"]]
    tags = [tag for tag, _ in written]
    assert tags == sorted(tags, key=languages.index)  # one language after the other
    for language in project.manifest()["languages"]:
        lengths = {track["file"].rsplit("/", 1)[-1]: track["duration_ms"]
                   for track in language["tracks"]}  # fmt: skip
        order = [name for tag, name in written if tag == language["tag"]]
        assert sorted(order) == sorted(lengths)
        assert order[0] == "03-goodbye.mp3"  # the last in the guide, and the longest
        assert lengths[order[0]] == max(lengths.values())


# --- untranslated text -------------------------------------------------------------


def test_untranslated_paragraph_is_spoken_in_english_and_marked(site: Site):
    set_translation(site.po("ko"), "Welcome to the museum.", "")
    result = site.build("--base-url", BASE_URL)
    assert result.exit_code == 0, result.stderr
    warnings = other_warnings([line for line in result.stderr.splitlines() if "warning" in line])
    assert len(warnings) == 1 and "ko" in warnings[0] and "English" in warnings[0], result.stderr
    assert summary(result.stdout)["tracks_written"] == 1

    track = _language(site, "ko")["tracks"][0]
    assert track["fallbacks"] == ["welcome/p1"]
    assert all(t["fallbacks"] == [] for t in _language(site, "ko")["tracks"][1:])
    assert _language(site, "ko")["completeness"] < 100
    cues = [c.text for c in webvtt.read(site.output / track["captions"]["file"]).captions]
    assert "Welcome to the museum." in cues
    assert "박물관에 오신 것을 환영합니다." not in cues

    transcript = (site.output / "ko" / "transcript.txt").read_text("utf-8")
    mark = "(아직 번역되지 않아 영어로 읽습니다.)"  # the shipped Korean mark, naming English
    assert f"{mark}\nWelcome to the museum." in transcript
    assert transcript.count(mark) == 1


def test_strict_refuses_untranslated_text_and_writes_nothing(site: Site, user_error):
    set_translation(site.po("ko"), "Welcome to the museum.", "")
    before = tree(site.root)
    fresh = site.root / "fresh-output"
    for output in (site.output, fresh):
        result = cli_runner().invoke(
            main,
            ["build", "--engine", "espeak", "--strict", "--cache", str(site.cache),
             "--scripts", str(site.scripts), "--locales", str(site.locales),
             "--output", str(output)],
            catch_exceptions=False,
        )  # fmt: skip
        message = user_error(result, "locales/ko/LC_MESSAGES/audioguide.po")
        assert "--strict" in message
    assert tree(site.root) == before
    assert not fresh.exists()


# --- the auto voice without Google ----------------------------------------------


def test_auto_falls_back_to_espeak_when_google_refuses(built: Built, tmp_path: Path):
    """gTTS's reachability check is refused (recorded), so every language is spoken by espeak.

    Built into a new output folder with the session's sentence cache: every clip comes from
    espeak's entries of the cache, so nothing is synthesised and nothing asks the network.
    """
    site = built.site.copy(tmp_path / "site")
    for path in site.output.iterdir():
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    with responses.RequestsMock() as google:
        google.head(
            "https://translate.google.com/",
            body=requests.ConnectionError("[Errno 111] Connection refused"),
        )
        result = site.build("--engine", "auto", "--base-url", BASE_URL)
        assert len(google.calls) == 1  # one quick check, not one per language
    assert result.exit_code == 0, result.stderr
    notices = [line for line in other_warnings(result.stderr.splitlines()) if "gTTS" in line]
    assert notices == [
        "audioguide: gTTS is not reachable; speaking with the offline espeak-ng voice"
    ]
    report = summary(result.stdout)
    assert (report["clips_synthesised"], report["tracks_written"]) == (0, 9)
    assert report["clips_cached"] == built.summary["clips_synthesised"]
    manifest = site.manifest()
    assert [lang["engine"] for lang in manifest["languages"]] == ["espeak"] * len(TAGS)
    assert manifest == built.site.manifest()


def test_without_audiobook_no_m4b_is_made_listed_or_linked(site: Site):
    """guide.yaml's ``audiobook: false`` (the default): no M4B, and nothing points to one; the
    one an earlier build made goes, and the tracks are encoded without their AAC."""
    guide = site.scripts / "guide.yaml"
    guide.write_text(guide.read_text("utf-8").replace("audiobook: true", "audiobook: false"))
    parts_before = set(site.cache.rglob("*.aac"))
    report = site.build_ok("--base-url", BASE_URL)
    assert report["tracks_written"] == 9
    assert not list(site.output.rglob("*.m4b"))
    assert set(site.cache.rglob("*.aac")) == parts_before  # no new AAC part
    for tag in TAGS:
        assert "audiobook" not in _language(site, tag)
        assert ".m4b" not in (site.output / tag / "index.html").read_text("utf-8")
        with zipfile.ZipFile(site.output / f"test-guide-{tag}.zip") as archive:
            assert not [name for name in archive.namelist() if name.endswith(".m4b")]
            (readme,) = [name for name in archive.namelist() if name.endswith("README.txt")]
            assert ".m4b" not in archive.read(readme).decode("utf-8")

    report = site.build_ok("--base-url", BASE_URL, "--audiobook")
    assert report["tracks_written"] == 9  # each track's AAC is made with it
    assert sorted(p.name for p in site.output.rglob("*.m4b")) == sorted(
        f"test-guide-{tag}.m4b" for tag in TAGS
    )
    assert all(_language(site, tag)["audiobook"]["duration_ms"] > 0 for tag in TAGS)


def test_no_audiobook_overrides_guide_yaml_for_one_build(site: Site):
    """The test guide says ``audiobook: true``; ``--no-audiobook`` builds without, and the next
    plain build makes the M4Bs again."""
    site.build_ok("--base-url", BASE_URL, "--no-audiobook")
    assert not list(site.output.rglob("*.m4b"))
    assert all("audiobook" not in _language(site, tag) for tag in TAGS)
    site.build_ok("--base-url", BASE_URL)
    assert len(list(site.output.rglob("*.m4b"))) == len(TAGS)
