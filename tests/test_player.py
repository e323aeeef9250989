"""The web player's pages, read as HTML (the browser tests are in tests/browser/)."""

from __future__ import annotations

import dataclasses
import io
import itertools
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from timelines import make_track

from audioguide import strings as S
from audioguide.catalogs import Translation, placeholders
from audioguide.edition import Edition
from audioguide.languages import resolve
from audioguide.package.player import STEPS, _duration, _unit, render_site

LOCALES = Path(__file__).resolve().parents[1] / "audioguide" / "locales"
PLAYER_STRINGS = [value for name, value in vars(S).items() if name.startswith("PLAYER_")]
# The guide's own text per language (title, description, first track); SECOND adds a track.
TEXTS = {
    "en": ("The Other Side", "North Korea today.", [("Markets", ["Markets grew.", "News came."])]),
    "ko": (
        "다른 편의 이야기",
        "오늘의 북한.",
        [("장마당", ["장마당이 커졌습니다.", "소식이 왔습니다."])],
    ),
    "zh_Hans": ("故事的另一面", "今天的朝鲜。", [("市场", ["市场发展了。", "消息传了进来。"])]),
}


SECOND = {
    "en": ("Leaving", ["They left at night.", "The river was cold."]),
    "ko": ("떠나며", ["밤에 떠났습니다.", "강물은 차가웠습니다."]),
    "zh_Hans": ("离开", ["他们在夜里离开。", "河水很冷。"]),
}


def edition(locale_id: str, untranslated_second: bool = False) -> Edition:
    """Two tracks; with ``untranslated_second`` the second one is read in English."""
    title, description, tracks = TEXTS[locale_id]
    tracks = [*tracks, SECOND["en" if untranslated_second else locale_id]]
    built = []
    for number, (track_title, sentences) in enumerate(tracks, 1):
        untranslated = untranslated_second and number == 2
        built.append(
            make_track(
                number,
                f"s{number}",
                track_title,
                [(0, 1500, track_title)],
                [[(i * 1500, (i + 1) * 1500, text) for i, text in enumerate(sentences, 1)]],
                lang=resolve(locale_id).tag,
                duration_ms=63_400 if number == 1 else 4_500,
                untranslated=("title", "p1") if untranslated else (),
                headings=[track_title],
            )
        )
    return Edition(
        guide_id="guide",
        language=resolve(locale_id),
        title=title,
        description=description,
        author=None,
        tracks=tuple(built),
        completeness=50.0 if untranslated_second else 100.0,
        engine="test",
        has_audiobook=True,
    )


def shipped(locale_id: str) -> Catalog:
    path = LOCALES / locale_id / "LC_MESSAGES" / "audioguide.po"
    return read_po(io.BytesIO(path.read_bytes()), locale=locale_id)


def translations(catalogs: dict[str, Catalog | None] | None = None) -> dict[str, Translation]:
    catalogs = catalogs or {}
    result = {"en": Translation(resolve("en"), None, None)}
    for locale_id in ("ko", "zh_Hans"):
        language = resolve(locale_id)
        result[language.tag] = Translation(language, catalogs.get(locale_id), shipped(locale_id))
    return result


@pytest.fixture(scope="module")
def editions():
    return [edition("en"), edition("ko", untranslated_second=True), edition("zh_Hans")]


def sizes(editions) -> dict[str, int]:
    """A size for every file the pages offer: the whole guide 2.5 MB, the rest 830 kB."""
    result = {}
    for e in editions:
        paths = [e.full_guide, e.audiobook, e.transcript, e.playlist, e.feed, e.zip, e.epub]
        paths += [e.daisy_zip, e.full_guide_captions]
        paths += [e.track_file(t, s) for t in e.tracks for s in (".mp3", ".vtt", ".txt")]
        result |= {path: 830_000 for path in paths}
        result[e.full_guide] = 2_500_000
        result[e.track_file(e.tracks[0], ".vtt")] = 410
    return result


@pytest.fixture(scope="module")
def site(editions):
    return render_site(editions, translations(), sizes(editions))


def page(site, name) -> str:
    return site[name].decode("utf-8")


class Page(HTMLParser):
    """Elements, attributes and text nodes of a page, with the language each is in."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.texts: list[tuple[str, str]] = []  # (text, lang)
        self.values: list[tuple[str, str, str]] = []  # (attribute, value, lang)
        self._langs: list[tuple[str, str]] = []
        self._tags: list[str] = []
        self.feed(text)

    VOID = frozenset({"meta", "link", "input", "br", "img", "source", "track", "path", "hr"})

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        lang = attributes.get("lang", self._langs[-1][1] if self._langs else "")
        for name in ("aria-label", "title", "alt", "data-play", "data-pause", "data-position",
                     "data-announce", "label", "content"):  # fmt: skip
            if name in attributes:
                self.values.append((name, attributes[name], lang))
        if tag not in self.VOID:
            self._tags.append(tag)
            self._langs.append((tag, lang))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        while self._tags:
            self._langs.pop()
            if self._tags.pop() == tag:
                break

    def handle_data(self, data):
        if data.strip() and not (self._tags and self._tags[-1] in ("script", "style", "title")):
            self.texts.append((data.strip(), self._langs[-1][1] if self._langs else ""))

    def all(self, tag):
        return [attrs for name, attrs in self.elements if name == tag]


# --- the site ----------------------------------------------------------------------------


def test_site_files(site):
    assert sorted(site) == [
        "assets/player.css",
        "assets/player.js",
        "en/index.html",
        "index.html",
        "ko/index.html",
        "zh-Hans/index.html",
    ]
    assert all(isinstance(data, bytes) for data in site.values())


def test_same_input_same_bytes(editions, site):
    assert render_site(editions, translations(), sizes(editions)) == site


def test_render_needs_an_edition():
    with pytest.raises(ValueError):
        render_site([], {}, {})


def test_language_chooser(site):
    html = page(site, "index.html")
    parsed = Page(html)
    assert parsed.all("html")[0]["lang"] == "en"
    links = {a["hreflang"]: a for a in parsed.all("a") if "hreflang" in a}
    assert {tag: a["href"] for tag, a in links.items()} == {
        "en": "en/index.html",
        "ko": "ko/index.html",
        "zh-Hans": "zh-Hans/index.html",
    }
    assert all(a["lang"] == tag for tag, a in links.items())
    # Each language in its own name, marked with its own language.
    assert ("한국어", "ko") in parsed.texts
    assert ("中文（简体）", "zh-Hans") in parsed.texts
    assert ("English", "en") in parsed.texts
    assert ("다른 편의 이야기", "ko") in parsed.texts
    assert len(parsed.all("h1")) == 1
    # "Choose a language" in every language, each marked with its language.
    assert ("Choose a language", "en") in parsed.texts
    assert ("언어 선택", "ko") in parsed.texts and ("选择语言", "zh-Hans") in parsed.texts


@pytest.mark.parametrize("tag", ["en", "ko", "zh-Hans"])
def test_language_page_structure(site, tag):
    html = page(site, f"{tag}/index.html")
    parsed = Page(html)
    assert parsed.all("html")[0]["lang"] == tag
    assert len(parsed.all("h1")) == 1
    assert parsed.all("a")[0]["href"] == "#player"  # the skip link comes first
    (audio,) = [a for a in parsed.all("audio") if a.get("id") == "audio"]
    assert "autoplay" not in audio and "controls" not in audio and audio["preload"] == "none"
    track = parsed.all("track")[-1]  # the player's
    assert track["kind"] == "captions" and track["srclang"] == tag
    assert track["src"] == "01-s1.vtt" and track["label"]
    assert [b.get("data-action") for b in parsed.all("button") if "data-action" in b] == [
        "previous", "previous-paragraph", "back", "play", "forward", "next-paragraph", "next",
        "mute", "where",
    ]  # fmt: skip
    assert all(b.get("type") == "button" for b in parsed.all("button"))
    assert any(a.get("role") == "status" for _, a in parsed.elements)
    other = {a["hreflang"]: a["lang"] for a in parsed.all("a") if "hreflang" in a}
    assert other == {"en": "en", "ko": "ko", "zh-Hans": "zh-Hans"}
    alternates = {link["hreflang"] for link in parsed.all("link") if link.get("rel") == "alternate"}
    assert alternates == {"en", "ko", "zh-Hans", "x-default"}
    # Headings in order: h1, then h2s, h3s only below an h2.
    levels = [int(name[1]) for name, _ in parsed.elements if re.fullmatch(r"h[1-6]", name)]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels))


@pytest.mark.parametrize("tag", ["en", "ko", "zh-Hans"])
def test_without_the_script_a_plain_list_plays_every_track(site, editions, tag):
    """The page before player.js runs: an <audio> with its captions for every track, beside its
    title, transcript and downloads; every part that needs the script is hidden."""
    (edition,) = [e for e in editions if e.language.tag == tag]
    parsed = Page(page(site, f"{tag}/index.html"))
    plain = [a for a in parsed.all("audio") if "controls" in a]
    assert [a["src"] for a in plain] == [f"{t.stem}.mp3" for t in edition.tracks]
    assert all(a["preload"] == "none" and "autoplay" not in a for a in plain)
    captions = [t["src"] for t in parsed.all("track")][: len(edition.tracks)]
    assert captions == [f"{t.stem}.vtt" for t in edition.tracks]
    for track, audio in zip(edition.tracks, plain, strict=True):
        (heading,) = [h for h in parsed.all("h3") if h.get("id") == audio["aria-labelledby"]]
        (txt,) = [a for a in parsed.all("a") if a.get("id") == f"plain-txt-{track.number}"]
        assert txt["href"] == f"{track.stem}.txt"
        assert txt["aria-labelledby"].split() == [txt["id"], heading["id"]]
    hidden = {a["id"] for _, a in parsed.elements if "hidden" in a and "id" in a}
    assert {"enhanced", "transcript", "tracks"} <= hidden  # buttons that need the script


def test_links_point_at_the_files_of_the_build(site, editions):
    for edition in editions:
        parsed = Page(page(site, edition.page))
        hrefs = {a["href"] for a in parsed.all("a") if not a["href"].startswith("#")}
        expected = {"../index.html", "index.html", "../en/index.html", "../zh-Hans/index.html"}
        expected |= {"../ko/index.html"}
        for track in edition.tracks:
            expected |= {f"{track.stem}.mp3", f"{track.stem}.vtt", f"{track.stem}.txt"}
        expected |= {"00-full-guide.mp3", "00-full-guide.vtt", "transcript.txt", "playlist.m3u8"}
        expected |= {"feed.xml"}
        tag = edition.language.tag
        expected |= {f"../guide-{tag}.zip", f"guide-{tag}.epub", f"../guide-{tag}-daisy.zip"}
        expected |= {f"guide-{tag}.m4b"}
        expected.discard(f"../{edition.language.tag}/index.html")
        assert hrefs == expected


def test_transcript_cues_are_in_the_page(site, editions):
    ko = editions[1]
    html = page(site, "ko/index.html")
    cues = [a for a in Page(html).all("button") if "cue" in a.get("class", "")]
    assert [(c["data-start"], c["data-end"]) for c in cues] == [
        (f"{cue.start_ms / 1000:.3f}", f"{cue.end_ms / 1000:.3f}")
        for track in ko.tracks
        for cue in track.sentences
    ]
    for track in ko.tracks:
        for cue in track.sentences:
            assert f">{cue.text}</button>" in html


def test_untranslated_parts_carry_the_source_language(site):
    parsed = Page(page(site, "ko/index.html"))
    assert ("Leaving", "en") in [(t, lang) for t, lang in parsed.texts]
    assert ("They left at night.", "en") in parsed.texts
    assert ("장마당이 커졌습니다.", "ko") in parsed.texts
    assert ("이 가이드의 일부는 아직 번역되지 않아 영어로 읽습니다.", "ko") in parsed.texts
    assert ("6초 · (아직 번역되지 않아 영어로 읽습니다.)", "ko") not in parsed.texts
    assert any(text.endswith("(아직 번역되지 않아 영어로 읽습니다.)") for text, _ in parsed.texts)
    zh = Page(page(site, "zh-Hans/index.html"))
    assert [text for text, lang in zh.texts if lang == "en"] == ["English"]  # the language link


def test_no_untranslated_note_when_everything_spoken_is_translated(editions):
    """Completeness also counts strings never spoken: it alone does not make the note."""
    zh = Edition(**{**vars(editions[2]), "completeness": 30.0})
    html = render_site([editions[0], zh], translations(), sizes(editions))[
        "zh-Hans/index.html"
    ].decode()
    assert "尚未翻译" not in html


def test_durations_are_written_for_the_language(site):
    assert "1 minute, 3 seconds" in page(site, "en/index.html")
    assert "1분 3초" in page(site, "ko/index.html")
    assert "1分钟3秒钟" in page(site, "zh-Hans/index.html")
    assert 'datetime="PT1M3S"' in page(site, "ko/index.html")


@pytest.mark.parametrize(
    ("ms", "locale", "expected"),
    [
        (3_723_000, "en", "1 hour, 2 minutes, 3 seconds"),
        (3_723_000, "ko", "1시간 2분 3초"),
        (120_000, "zh_Hans", "2分钟"),
        (400, "en", "1 second"),  # a sound is never "0 seconds": as the playlist rounds
        (0, "en", "0 seconds"),
        (1_000, "en", "1 second"),
    ],
)
def test_duration_words(ms, locale, expected):
    assert _duration(ms, Locale.parse(locale)) == expected


# --- strings -------------------------------------------------------------------------------


def test_player_strings_are_registered_with_comments():
    registered = {s.msgid: s.comment for s in S.STRINGS}
    assert len(PLAYER_STRINGS) >= 30
    for msgid in PLAYER_STRINGS:
        assert registered.get(msgid), msgid


@pytest.mark.parametrize("locale_id", ["ko", "zh_Hans"])
def test_shipped_catalogs_translate_the_player(locale_id):
    catalog = shipped(locale_id)
    for msgid in [*PLAYER_STRINGS, S.TRACK_ANNOUNCEMENT, S.FULL_GUIDE]:
        message = catalog.get(msgid)
        assert message is not None and message.string and not message.fuzzy, msgid
        assert placeholders(message.string) == placeholders(msgid), msgid
        assert message.string != msgid or msgid in {"MP3"}, msgid


@pytest.mark.parametrize(
    ("tag", "locale_id", "labels"),
    [
        ("ko", "ko", ["재생", "일시 정지", "이전 트랙", "다음 트랙", "10초 뒤로", "스크립트"]),
        ("zh-Hans", "zh_Hans", ["播放", "暂停", "上一节", "下一节", "后退 10 秒", "文字稿"]),
        ("en", "en", ["Play", "Pause", "Previous track", "Next track", "Transcript", "Speed"]),
    ],
)  # fmt: skip
def test_labels_in_the_page_language(site, tag, locale_id, labels):
    html = page(site, f"{tag}/index.html")
    for label in labels:
        assert label in html, label
    if tag != "en":
        catalog = shipped(locale_id)
        for msgid in PLAYER_STRINGS:
            if "{" not in msgid and msgid != S.PLAYER_CHOOSE_LANGUAGE:
                assert catalog.get(msgid).string in html, msgid


def test_every_text_of_the_page_comes_from_the_catalog(editions):
    """With every msgstr wrapped in ⟦⟧, any text left bare is guide text or a hard-coded string."""
    catalog = Catalog(locale="ko", domain="audioguide")
    for string in S.STRINGS:
        catalog.add(string.msgid, "⟦" + string.msgid + "⟧")
    site = render_site(editions, translations({"ko": catalog}), sizes(editions))
    parsed = Page(page(site, "ko/index.html"))
    ko = editions[1]
    guide_texts = {ko.title, ko.description}
    for track in ko.tracks:
        guide_texts |= {track.title, *(cue.text for cue in track.sentences)}
    names = {e.language.name for e in editions}
    names |= {_duration(t.duration_ms, Locale.parse("ko")) for t in ko.tracks}  # Babel's
    names |= {_unit(seconds, "duration-second", Locale.parse("ko")) for seconds in STEPS}
    allowed = re.compile(r"[\d:./×,\s]*|[A-Z]|(· )?⟦.*⟧")
    bare = [
        text
        for text, _ in parsed.texts
        if text not in guide_texts and text not in names and not allowed.fullmatch(text)
    ]
    assert bare == []
    for name, value, _ in parsed.values:
        if name in ("data-play", "data-pause", "data-position", "aria-label"):
            assert value.startswith("⟦"), (name, value)


# --- security ------------------------------------------------------------------------------

HOSTILE = {
    "Play": "<img src=x onerror=alert(1)>",
    "Pause": '"><script>alert(2)</script>',
    "Transcript": "]]></style></script>\u202e<svg onload=alert(3)>",
    "Tracks": "' onmouseover='alert(4)",
    "Speed": "{broken",
    "Track {number} of {total}. {title}.": "<b>{title}</b>",
    "{rate}×": '{rate}"><i>',
}


@pytest.fixture(scope="module")
def hostile_site(editions):
    catalog = Catalog(locale="ko", domain="audioguide")
    for msgid, msgstr in HOSTILE.items():
        catalog.add(msgid, msgstr)
    ko = editions[1]
    nasty = "<script>alert(5)</script> & \"quotes\" 'apostrophes' ]]> \u202b"
    first = ko.tracks[0]
    intro = first.announcement
    said = dataclasses.replace(intro.sentences[0], text=nasty, end_ms=1000)
    intro = dataclasses.replace(intro, sentences=(said, *intro.sentences[1:]))
    first = dataclasses.replace(first, title=nasty, blocks=(intro, *first.blocks[1:]))
    ko = dataclasses.replace(ko, title=nasty, description=nasty, tracks=(first, *ko.tracks[1:]))
    return render_site(
        [editions[0], ko, editions[2]], translations({"ko": catalog}), sizes(editions)
    )


def test_hostile_translations_are_text(hostile_site):
    html = page(hostile_site, "ko/index.html")
    parsed = Page(html)
    assert [name for name, _ in parsed.elements if name in ("img", "i", "b", "style")] == []
    assert [a["src"] for a in parsed.all("script")] == ["../assets/player.js"]
    assert len([name for name, _ in parsed.elements if name == "svg"]) == 9  # the icons
    for _, attributes in parsed.elements:
        assert not any(name.startswith("on") for name in attributes), attributes
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(5)&lt;/script&gt; &amp; &#34;quotes&#34;" in html
    texts = [text for text, _ in parsed.texts]
    assert "<img src=x onerror=alert(1)>" in texts
    assert "]]></style></script>\u202e<svg onload=alert(3)>" in texts
    assert '"><script>alert(2)</script>' in texts  # the "Pause" message, for the script
    # A translation with a broken placeholder is not used: the source text stands in for it.
    assert "Speed" in texts and "{broken" not in html


def test_hostile_text_also_escaped_in_the_chooser(hostile_site):
    html = page(hostile_site, "index.html")
    assert "<script>alert" not in html and "&lt;script&gt;alert(5)" in html


def test_content_security_policy(site):
    for name in ("index.html", "en/index.html", "ko/index.html", "zh-Hans/index.html"):
        parsed = Page(page(site, name))
        (meta,) = [
            m for m in parsed.all("meta") if m.get("http-equiv") == "Content-Security-Policy"
        ]
        policy = dict(
            (part.split()[0], part.split()[1:]) for part in meta["content"].split(";") if part
        )
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["media-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert not any("unsafe" in v for values in policy.values() for v in values)
        # No inline script or style for the policy to forbid.
        assert all("src" in s for s in parsed.all("script"))
        assert parsed.all("style") == []
        assert not any("style" in attrs for _, attrs in parsed.elements)


def test_nothing_from_other_hosts(site):
    for name, data in site.items():
        text = data.decode("utf-8")
        assert not re.search(r"(?i)\b(?:https?|ftp|wss?):", text), name
        assert not re.search(r"(?i)(?:src|href)=\"//", text), name
        assert "@import" not in text and "url(" not in text, name


def test_script_never_writes_html():
    script = (
        Path(__file__).resolve().parents[1] / "audioguide/package/static/player.js"
    ).read_text()
    for risky in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                  "new Function", "fetch(", "XMLHttpRequest"):  # fmt: skip
        assert risky not in script, risky


# --- downloads, times, languages of parts --------------------------------------


@pytest.mark.parametrize(
    ("tag", "whole", "captions"),
    [
        ("en", "The whole guide, MP3, 2.5 MB", "Captions, WebVTT, 1 kB"),
        ("ko", "가이드 전체 (MP3, 2.5MB)", "자막 (WebVTT, 1kB)"),
        ("zh-Hans", "完整导览（MP3，2.5 MB）", "字幕（WebVTT，1 kB）"),
    ],
)
def test_every_download_names_its_format_and_size(site, tag, whole, captions):
    parsed = Page(page(site, f"{tag}/index.html"))
    texts = [text for text, _ in parsed.texts]
    assert whole in texts
    assert captions in texts  # a 410-byte file is "1 kB", never "0 kB"
    links = [a for a in parsed.all("a") if a.get("download") is not None or "type" in a]
    # Three files per track, in the plain list and in the track list; nine for the whole guide.
    assert len(links) == 2 * 3 * 2 + 9
    for text in ("MP3", "WebVTT", "M4B", "TXT", "M3U", "RSS", "ZIP", "EPUB 3", "DAISY 2.02"):
        assert any(f"{text}" in t and ("830" in t or "2.5" in t) for t in texts), text


def test_a_download_without_a_size_is_a_mistake(editions):
    known = sizes(editions)
    del known[editions[1].zip]
    with pytest.raises(KeyError, match=re.escape("guide-ko.zip")):
        render_site(editions, translations(), known)


def test_the_downloads_are_a_table_others_can_extend(editions, monkeypatch):
    from audioguide.package import player

    row = player.Download(lambda e: f"{e.folder}/book.epub", S.PLAYER_TRANSCRIPT, "EPUB 3",
                          S.PLAYER_TRANSCRIPT_HINT, "application/epub+zip")  # fmt: skip
    monkeypatch.setattr(player, "DOWNLOADS", (*player.DOWNLOADS, row))
    known = sizes(editions) | {f"{e.folder}/book.epub": 1_234_567 for e in editions}
    parsed = Page(page(render_site(editions, translations(), known), "en/index.html"))
    assert "book.epub" in [a["href"] for a in parsed.all("a")]
    assert "Transcript, EPUB 3, 1.2 MB" in [text for text, _ in parsed.texts]


def test_times_are_rounded_alike_in_the_list_the_slider_and_the_script(editions):
    """63.6 s is "1 minute, 4 seconds" in the track list and 64 on the slider and readout."""
    en = editions[0]
    track = dataclasses.replace(en.tracks[0], duration_ms=63_600)
    longer = dataclasses.replace(en, tracks=(track, *en.tracks[1:]))
    parsed = Page(page(render_site([longer], translations(), sizes([longer])), "en/index.html"))
    assert "1 minute, 4 seconds" in [text for text, _ in parsed.texts]
    assert parsed.all("input")[0]["max"] == "64"
    (first,) = [li for li in parsed.all("li") if li.get("id") == "track-1"]
    assert first["data-seconds"] == "64"
    assert parsed.all("time")[0]["datetime"] == "PT1M4S"


def test_paragraph_starts_are_in_the_page(site, editions):
    parsed = Page(page(site, "en/index.html"))
    (cues,) = [div for div in parsed.all("div") if div.get("id") == "cues-1"]
    assert cues["data-chapters"] == "0.000"  # one paragraph: the announcement belongs to it
    blocks = [b["data-block"] for b in parsed.all("button") if "cue" in b.get("class", "")]
    assert blocks[:2] == ["announcement", "p1"]


def test_messages_for_the_script_carry_their_language(editions):
    """A message the catalog lacks is shown in English, and marked as English."""
    catalog = Catalog(locale="ko", domain="audioguide")
    catalog.add(S.PLAYER_END, "")  # untranslated in the guide's catalog ...
    shipped_ko = shipped("ko")
    del shipped_ko[S.PLAYER_END]  # ... and in the shipped one
    ko = editions[1]
    texts = translations()
    texts["ko"] = Translation(ko.language, catalog, shipped_ko)
    parsed = Page(page(render_site(editions, texts, sizes(editions)), "ko/index.html"))
    messages = {a["data-message"]: a.get("lang") for a in parsed.all("span") if "data-message" in a}
    assert messages["end"] == "en"
    assert ("End of the guide.", "en") in parsed.texts
    assert messages["last"] is None and ("마지막 트랙입니다.", "ko") in parsed.texts
    assert ("전체 {total} 중 {elapsed}", "ko") in parsed.texts  # filled in by the script
