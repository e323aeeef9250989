"""What the files say of the guide as a publication, read from a real build the way listeners'
apps read them: who speaks (every voice, English fallbacks included), when it was published,
who published and who evaluated it, its podcast category, and the whole-guide MP3's captions.

One build of the fixture guide with guide.yaml's ``publisher``, ``published``, ``category``,
``subcategory`` and ``accessibility`` set and one Korean paragraph left untranslated (read by
the English voice), shared by the module; then the shipped guide as ``make guide`` builds it.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import feedparser
import pytest
import webvtt
from build_helpers import (
    BASE_URL,
    Built,
    Site,
    decoded_ms,
    set_translation,
    shared_shipped_build,
    unzipped_daisy,
)
from defusedxml import ElementTree as SafeET
from mutagen.id3 import ID3
from mutagen.mp4 import MP4
from readers import ffprobe, ffprobe_chapters, loudness, partytime
from test_books import daisy_problems
from test_books_validators import epubcheck, epubcheck_jar  # noqa: F401 - a fixture

from audioguide.output import Output
from audioguide.script import PODCAST_CATEGORIES as CATEGORIES

pytestmark = pytest.mark.slow  # real builds and Java: not in `make test-fast`

XHTML = {"h": "http://www.w3.org/1999/xhtml"}
OPF = {"opf": "http://www.idpf.org/2007/opf"}
GUIDE_YAML = """publisher: Example Press
published: 2024-05-01
category: society & culture
subcategory: documentary
accessibility:
  certified_by: Example Accessibility Lab
  credential: Example Certified
  report: https://example.org/report.html
"""


@pytest.fixture(scope="module")
def published(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = built.site.copy(tmp_path_factory.mktemp("published") / "site")
    guide = site.scripts / "guide.yaml"
    guide.write_text(guide.read_text("utf-8") + GUIDE_YAML, "utf-8")
    set_translation(site.po("ko"), "Welcome to the museum.", "")
    site.build_ok("--base-url", BASE_URL)
    return site


def _language(site: Site, tag: str) -> dict:
    return next(lang for lang in site.manifest()["languages"] if lang["tag"] == tag)


def _ncc_meta(site: Site, tag: str) -> dict[str, list[str]]:
    with zipfile.ZipFile(site.output / f"test-guide-{tag}-daisy.zip") as book:
        ncc = SafeET.fromstring(book.read(f"test-guide-{tag}-daisy/ncc.html"))
    found: dict[str, list[str]] = {}
    for meta in ncc.iterfind("h:head/h:meta", XHTML):
        if meta.get("name"):
            found.setdefault(meta.get("name"), []).append(meta.get("content"))
    return found


def _opf(site: Site, tag: str):
    with zipfile.ZipFile(site.output / tag / f"test-guide-{tag}.epub") as book:
        return SafeET.fromstring(book.read("EPUB/package.opf"))


def _properties(package) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for meta in package.iterfind("opf:metadata/opf:meta", OPF):
        found.setdefault(meta.get("property"), []).append(meta.text)
    return found


# --- narrators ---------------------------------------------------------------------------------


def test_every_voice_that_speaks_is_credited_in_tags_books_and_manifest(published: Site):
    ko = _language(published, "ko")
    korean, english = "eSpeak NG ko", "eSpeak NG en"
    assert ko["voices"] == [korean, english]
    first, second = ko["tracks"][:2]
    assert (first["voice"], first["voices"]) == (korean, [korean, english])
    assert second["voices"] == [korean]  # no English in it

    def composers(path: Path) -> list[str]:  # ID3v2.3 keeps several names apart with "/"
        return str(ID3(path)["TCOM"].text[0]).split("/")

    assert composers(published.output / first["file"]) == [korean, english]
    assert ffprobe(published.output / first["file"], "format")["format"]["tags"]["composer"] == (
        f"{korean}/{english}"  # ID3v2.3 keeps several names apart with "/"
    )
    assert composers(published.output / second["file"]) == [korean]
    assert composers(published.output / ko["full_guide"]["file"]) == [korean, english]
    assert MP4(published.output / ko["audiobook"]["file"])["\xa9wrt"] == [korean, english]
    assert _properties(_opf(published, "ko"))["media:narrator"] == [korean, english]
    assert _ncc_meta(published, "ko")["ncc:narrator"] == [korean, english]


def test_a_guide_without_fallbacks_credits_its_one_voice(built: Built):
    ko = _language(built.site, "ko")
    assert ko["voices"] == ["eSpeak NG ko"]
    assert str(ID3(built.site.output / ko["tracks"][0]["file"])["TCOM"]) == "eSpeak NG ko"


# --- dates, languages -----------------------------------------------------------------------


def test_published_is_the_date_in_the_mp3_and_m4b_tags(published: Site, built: Built):
    ko = _language(published, "ko")
    for entry in (ko["tracks"][0], ko["full_guide"]):
        path = published.output / entry["file"]
        assert str(ID3(path)["TDRC"].text[0]) == "2024-05-01"  # ID3v2.3: TYER 2024, TDAT 0105
        assert ffprobe(path, "format")["format"]["tags"]["date"].startswith("2024")
    assert MP4(published.output / ko["audiobook"]["file"])["\xa9day"] == ["2024-05-01"]
    assert (
        ffprobe(published.output / ko["audiobook"]["file"], "format")["format"]["tags"]["date"]
        == "2024-05-01"
    )
    # Without published:, no date is made up.
    unpublished = ID3(built.site.output / _language(built.site, "ko")["tracks"][0]["file"])
    assert "TDRC" not in unpublished


@pytest.mark.parametrize(("tag", "code"), [("ko", "kor"), ("zh-Hans", "zho"), ("en", "eng")])
def test_every_track_of_the_m4b_is_in_the_editions_language(built: Built, tag, code):
    path = built.site.output / _language(built.site, tag)["audiobook"]["file"]
    streams = ffprobe(path, "streams")["streams"]
    kinds = {stream["codec_type"]: stream.get("tags", {}).get("language") for stream in streams
             if stream["codec_type"] in ("audio", "data")}  # fmt: skip
    assert kinds == {"audio": code, "data": code}  # the chapter track too, not "eng"
    assert len(ffprobe_chapters(path)) == 3


# --- the talking books: who made them, who evaluated them -----------------------------------------


def test_the_daisy_book_names_the_author_publisher_and_date_guide_yaml_gives(published: Site):
    meta = _ncc_meta(published, "ko")
    assert meta["dc:creator"] == ["Test Org"]
    assert meta["dc:publisher"] == ["Example Press"]
    assert meta["dc:date"] == ["2024-05-01"]


def test_the_daisy_book_without_published_gives_its_first_build_date_and_an_unknown_publisher(
    built: Built,
):
    """DAISY 2.02 requires dc:date and dc:publisher: without published: the date is the one
    the first build into the folder recorded (never a made-up one), and the publisher is said
    to be unknown in the book's own language."""
    meta = _ncc_meta(built.site, "ko")
    recorded = Output.read(built.site.output).built
    assert recorded is not None
    assert meta["dc:creator"] == ["Test Org"]
    assert meta["dc:date"] == [recorded.isoformat()]
    assert meta["dc:publisher"] == ["발행처 미상"]


def test_only_an_evaluated_epub_claims_conformance(published: Site, built: Built):
    evaluated = _opf(published, "ko")
    properties = _properties(evaluated)
    assert properties["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert properties["a11y:certifiedBy"] == ["Example Accessibility Lab"]
    assert properties["a11y:certifierCredential"] == ["Example Certified"]
    (report,) = evaluated.iterfind("opf:metadata/opf:link[@rel='a11y:certifierReport']", OPF)
    assert report.get("href") == "https://example.org/report.html"

    plain = _properties(_opf(built.site, "ko"))
    assert "dcterms:conformsTo" not in plain and "a11y:certifiedBy" not in plain
    (summary,) = plain["schema:accessibilitySummary"]
    assert summary.endswith("이 책이 접근성 표준에 맞는지 평가한 사람은 없습니다."), summary


def test_epubcheck_accepts_the_evaluated_book(published: Site, epubcheck_jar, tmp_path: Path):  # noqa: F811
    book = published.output / "ko" / "test-guide-ko.epub"
    assert epubcheck(epubcheck_jar, book, tmp_path) == []


# --- the DAISY book's navigation ---------------------------------------------------------------


def test_the_daisy_title_heading_plays_the_spoken_title(built: Built, tmp_path: Path):
    folder = unzipped_daisy(built.site.output / "test-guide-ko-daisy.zip", tmp_path)
    ncc = SafeET.fromstring((folder / "ncc.html").read_bytes())
    title = ncc.find("h:body/h:h1", XHTML)
    assert title.get("class") == "title"
    smil, _, par = title.find("h:a", XHTML).get("href").partition("#")
    assert smil != "01-welcome.smil"  # its own clip, not section 1's first sentence
    (clip,) = SafeET.fromstring((folder / smil).read_bytes()).iterfind("body/seq/par")
    assert clip.get("id") == par
    document, _, target = clip.find("text").get("src").partition("#")
    page = SafeET.fromstring((folder / document).read_bytes())
    spoken = next(e for e in page.iter() if e.get("id") == target)
    assert spoken.text == "테스트 가이드" == title.find("h:a", XHTML).text
    sound = folder / clip.find("audio").get("src")
    assert loudness(sound).integrated > -30  # speech, at the tracks' loudness, not silence
    lengths = {path.name: decoded_ms(path) for path in folder.glob("*.mp3")}
    files = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert daisy_problems(files, lengths) == []


def test_the_daisy_ncc_has_a_heading_per_paragraph_under_its_section(built: Built, tmp_path: Path):
    folder = unzipped_daisy(built.site.output / "test-guide-en-daisy.zip", tmp_path)
    ncc = SafeET.fromstring((folder / "ncc.html").read_bytes())
    body = list(ncc.find("h:body", XHTML))
    levels = [element.tag.rpartition("}")[2] for element in body]
    assert levels == ["h1", "h1", "h2", "h2", "h1", "h2", "h1", "h2"]  # title; 3 sections
    assert _ncc_meta(built.site, "en")["ncc:depth"] == ["2"]
    paragraphs = [
        "Welcome to the museum.",
        "This guide has three short parts.",
        "Around 80% of visitors came back after COVID-19.",
        "Thank you for listening.",
    ]
    for heading, first in zip([e for e in body if e.tag.endswith("h2")], paragraphs, strict=True):
        smil, _, par = heading.find("h:a", XHTML).get("href").partition("#")
        pars = {p.get("id"): p for p in SafeET.fromstring((folder / smil).read_bytes()).iter("par")}
        document, _, target = pars[par].find("text").get("src").partition("#")
        page = SafeET.fromstring((folder / document).read_bytes())
        assert next(e for e in page.iter() if e.get("id") == target).text == first


# --- the whole-guide MP3's captions and chapters ------------------------------------------------


def test_the_whole_guide_mp3_has_its_own_captions_and_chapters(built: Built):
    output = built.site.output
    ko = _language(built.site, "ko")
    full = ko["full_guide"]
    marks = ffprobe_chapters(output / full["file"])  # where the joined file holds each track
    cues = webvtt.read(str(output / full["captions"]["file"])).captions
    assert len(cues) == sum(
        len(webvtt.read(str(output / t["captions"]["file"])).captions) for t in ko["tracks"]
    )
    for track, (start, _, title) in zip(ko["tracks"], marks, strict=True):
        own = webvtt.read(str(output / track["captions"]["file"])).captions
        first = next(c for c in cues if c.text == own[0].text)
        assert title == track["title"]
        shift = first.start_time.in_milliseconds() - own[0].start_time.in_milliseconds()
        assert shift == pytest.approx(start * 1000, abs=1)
    chapters = json.loads((output / full["chapters"]["file"]).read_text("utf-8"))
    assert [(c["startTime"], c["endTime"], c["title"]) for c in chapters["chapters"]] == [
        (pytest.approx(start, abs=0.001), pytest.approx(end, abs=0.001), title)
        for start, end, title in marks
    ]
    with zipfile.ZipFile(output / ko["zip"]["file"]) as archive:
        names = archive.namelist()
    assert {"test-guide-ko/00-full-guide.vtt", "test-guide-ko/00-full-guide.chapters.json"} <= set(
        names
    )
    page = (output / "ko" / "index.html").read_text("utf-8")
    assert 'href="00-full-guide.vtt"' in page


def test_korean_captions_mark_the_english_they_fall_back_to(published: Site):
    text = (published.output / "ko" / "01-welcome.vtt").read_text("utf-8")
    assert "<lang en>Welcome to the museum.</lang>" in text
    assert "<lang" not in (published.output / "ko" / "02-numbers.vtt").read_text("utf-8")
    whole = (published.output / "ko" / "00-full-guide.vtt").read_text("utf-8")
    assert "<lang en>Welcome to the museum.</lang>" in whole


# --- feeds ---------------------------------------------------------------------------------------


def test_the_feed_carries_the_category_and_subcategory(published: Site, built: Built):
    feed = published.output / "ko" / "feed.xml"
    assert partytime(feed)["itunesCategory"] == ["Society & Culture > Documentary"]
    parsed = feedparser.parse(feed.read_bytes())
    assert [t["term"] for t in parsed.feed.tags] == ["Society & Culture", "Documentary"]
    assert partytime(built.site.output / "ko" / "feed.xml")["itunesCategory"] == [
        "Society & Culture"
    ]


def apple_problems(feed: Path) -> list[str]:
    """What Apple Podcasts' feed requirements find missing in ``feed``: the channel's title,
    description, language, artwork, a category of Apple's, explicit, and an owner with an email
    address; each episode's title, enclosure (an http(s) address on the web), guid and date."""
    channel = SafeET.fromstring(feed.read_bytes()).find("channel")
    itunes = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
    problems = [f"no {tag}" for tag in ("title", "description", "language")
                if not (channel.findtext(tag) or "").strip()]  # fmt: skip
    if channel.find(f"{itunes}image") is None:
        problems.append("no itunes:image")
    categories = channel.findall(f"{itunes}category")
    if not categories or categories[0].get("text") not in CATEGORIES:
        problems.append("no Apple category")
    if channel.findtext(f"{itunes}explicit") not in ("true", "false"):
        problems.append("no itunes:explicit")
    if not re.fullmatch(r"[^@\s]+@[^@\s]+", channel.findtext(f"{itunes}owner/{itunes}email") or ""):
        problems.append("no owner email")
    for item in channel.iterfind("item"):
        enclosure = item.find("enclosure")
        url = enclosure.get("url", "") if enclosure is not None else ""
        if not re.match(r"https?://", url) or re.match(r"https?://(127\.|localhost)", url):
            problems.append(f"{item.findtext('title')}: enclosure {url!r} is not on the web")
        for tag in ("title", "guid", "pubDate"):
            if not (item.findtext(tag) or "").strip():
                problems.append(f"{item.findtext('title')}: no {tag}")
    return problems


def test_the_shipped_guides_feeds_pass_apples_rules_and_the_build_warns_of_its_address(
    tmp_path_factory: pytest.TempPathFactory,
):
    shipped = shared_shipped_build(tmp_path_factory)
    for tag in ("en", "ko", "zh-Hans"):
        feed = shipped.site.output / tag / "feed.xml"
        assert apple_problems(feed) == [], tag
        assert partytime(feed)["itunesCategory"] == ["Society & Culture > Documentary"]
    warned = [line for line in shipped.stderr.splitlines() if "reserved for examples" in line]
    assert len(warned) == 1, shipped.stderr
    lines = (shipped.site.scripts / "guide.yaml").read_text("utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("base_url:"))
    assert f"scripts/guide.yaml:{line}: base_url https://example.org/" in warned[0]
