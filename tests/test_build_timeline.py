"""One timeline from scripts to every output, seen in real builds.

Each test changes a copy of the session build (the fixture guide, espeak, real ffmpeg), builds
it again and reads what listeners get: the player page, captions, transcript and manifest.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

import webvtt
from build_helpers import BASE_URL, Site, set_translation, summary, tree

WELCOME = "Welcome to the museum."
PARTS = "This guide has three short parts. Each part is one track."
# A translation holding a blank line: two paragraphs for the translator, one message.
PARTS_KO = "이 가이드는 세 부분입니다.\n\n부분마다 트랙이 하나 있습니다."


class _Cues(HTMLParser):
    """The transcript buttons of a player page: (text, lang attribute or None)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.cues: list[tuple[str, str | None]] = []
        self._lang: str | None = None
        self._open = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "button" and "cue" in (attributes.get("class") or "").split():
            self._open, self._lang = True, attributes.get("lang")
            self.cues.append(("", self._lang))

    def handle_endtag(self, tag):
        if tag == "button":
            self._open = False

    def handle_data(self, data):
        if self._open:
            text, lang = self.cues[-1]
            self.cues[-1] = (text + data, lang)


def _cues(site: Site, tag: str) -> list[tuple[str, str | None]]:
    return _Cues((site.output / tag / "index.html").read_text("utf-8")).cues


def _captions(site: Site, path: str) -> list[str]:
    return [caption.text for caption in webvtt.read(site.output / path).captions]


def _language(site: Site, tag: str) -> dict:
    (language,) = [lang for lang in site.manifest()["languages"] if lang["tag"] == tag]
    return language


def test_untranslated_sentence_on_the_korean_page_is_marked_english(site: Site):
    set_translation(site.po("ko"), WELCOME, "")
    result = site.build("--base-url", BASE_URL)
    assert result.exit_code == 0, result.stderr
    cues = _cues(site, "ko")
    assert (WELCOME, "en") in cues
    # Everything else on the page is Korean, and so carries no lang of its own.
    assert [cue for cue in cues if cue[1] is not None] == [(WELCOME, "en")]
    assert ("이 가이드는 짧은 세 부분으로 되어 있습니다.", None) in cues


def test_translation_with_a_blank_line_beside_an_untranslated_paragraph_builds(site: Site):
    set_translation(site.po("ko"), WELCOME, "")
    set_translation(site.po("ko"), PARTS, PARTS_KO)
    before = tree(site.output)
    result = site.build("--base-url", BASE_URL)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert summary(result.stdout)["tracks_written"] == 1
    changed = {path for path in tree(site.output) if tree(site.output)[path] != before.get(path)}
    assert "ko/01-welcome.mp3" in changed

    assert _captions(site, "ko/01-welcome.vtt")[-3:] == [
        WELCOME,
        "이 가이드는 세 부분입니다.",
        "부분마다 트랙이 하나 있습니다.",
    ]
    transcript = (site.output / "ko" / "transcript.txt").read_text("utf-8")
    mark = "(아직 번역되지 않아 영어로 읽습니다.)"
    assert f"{mark}\n{WELCOME}\n\n{PARTS_KO}\n\n" in transcript
    assert transcript.count(mark) == 1
    assert _language(site, "ko")["tracks"][0]["fallbacks"] == ["welcome/p1"]
    cues = _cues(site, "ko")
    assert (WELCOME, "en") in cues and ("부분마다 트랙이 하나 있습니다.", None) in cues


def test_a_yaml_literal_block_with_blank_lines_is_one_paragraph(site: Site):
    (site.scripts / "03-goodbye.yaml").write_text(
        "id: goodbye\ntitle: Goodbye\nparagraphs:\n"
        "  - |\n    Thank you for listening.\n\n    Please come back soon.\n",
        encoding="utf-8",
    )
    result = site.build("--base-url", BASE_URL)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert _captions(site, "en/03-goodbye.vtt")[-2:] == [
        "Thank you for listening.",
        "Please come back soon.",
    ]
    transcript = (site.output / "en" / "transcript.txt").read_text("utf-8")
    assert "Thank you for listening.\n\nPlease come back soon.\n" in transcript
    # Untranslated in Korean (its source changed): read in English, marked once, one chapter.
    ko = _language(site, "ko")["tracks"][2]
    assert ko["fallbacks"] == ["goodbye/p1"]
    chapters = json.loads((site.output / ko["chapters"]["file"]).read_text("utf-8"))
    assert [c["title"] for c in chapters["chapters"]] == ["Thank you for listening. Please come…"]
    assert ("Please come back soon.", "en") in _cues(site, "ko")


def test_no_op_rebuild_renders_the_same_timeline_from_the_cache(site: Site):
    """Everything read from the timeline comes back, byte for byte, without synthesis: the
    languages of untranslated sentences, the fallbacks and the times."""
    set_translation(site.po("ko"), WELCOME, "")
    assert site.build_ok("--base-url", BASE_URL)["tracks_written"] == 1
    rendered = {
        path: data
        for path, (data, _) in tree(site.output).items()
        if not path.endswith((".mp3", ".zip")) and not path.startswith(".")
    }
    for path in rendered:
        (site.output / path).unlink()
    report = site.build_ok("--base-url", BASE_URL)
    assert (report["clips_synthesised"], report["clips_cached"]) == (0, 0)
    assert (report["tracks_written"], report["tracks_unchanged"]) == (0, 9)
    assert {path: (site.output / path).read_bytes() for path in rendered} == rendered


class _Headings(HTMLParser):
    """The lang attribute of the page's <h1>, and of each choice on the language index."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.langs: dict[str, str | None] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "h1":
            self.langs["h1"] = attributes.get("lang")


def test_a_translation_the_same_as_the_source_is_not_marked_untranslated(site: Site):
    """Whether a text is untranslated comes from the catalog, never from comparing texts: a
    title kept as it is (a name) is Korean on the Korean page; an empty one is English."""
    set_translation(site.po("ko"), "The Test Guide", "The Test Guide")
    set_translation(site.po("ko"), "Welcome to the museum.", WELCOME)
    site.build_ok("--base-url", BASE_URL)
    html = (site.output / "ko" / "index.html").read_text("utf-8")
    assert _Headings(html).langs["h1"] is None
    assert (WELCOME, None) in _cues(site, "ko")
    assert _language(site, "ko")["tracks"][0]["fallbacks"] == []

    set_translation(site.po("ko"), "The Test Guide", "")
    site.build_ok("--base-url", BASE_URL)
    html = (site.output / "ko" / "index.html").read_text("utf-8")
    assert _Headings(html).langs["h1"] == "en"


def test_the_timeline_round_trips_through_the_build_record(built):
    """What lets ``build --lang ko`` keep the other languages' players: each language's
    timeline, recorded beside the output, reads back as the very edition it was."""
    from audioguide import edition

    record = json.loads((built.site.output / ".audioguide-build.json").read_text("utf-8"))
    assert sorted(record["editions"]) == ["en", "ko", "zh-Hans"]
    ko = edition.from_record(record["editions"]["ko"])
    assert edition.to_record(ko) == record["editions"]["ko"]
    assert ko.language.tag == "ko" and len(ko.tracks) == 3
    assert [s.lang for s in ko.tracks[0].sentences] == ["ko"] * len(ko.tracks[0].sentences)
    captions = _captions(built.site, "ko/01-welcome.vtt")
    assert [s.text for s in ko.tracks[0].sentences] == captions
