"""The talking books: EPUB 3 with Media Overlays and DAISY 2.02, as a reading app or a DAISY
player would read them.

Every XML file is parsed with defusedxml (no DTDs fetched, no entities). The DAISY book is checked
against the DAISY 2.02 specification's required elements and counts by :func:`daisy_problems`,
which the validator tests also run on real builds and on broken books. EPUBCheck and Ace run in
``test_books_validators.py``.
"""

from __future__ import annotations

import datetime
import io
import itertools
import re
import zipfile
from collections.abc import Mapping

import pytest
from babel.messages.catalog import Catalog
from defusedxml import ElementTree as SafeET
from editions import (
    HOSTILE,
    KO,
    ZH,
    chinese,
    fake_mp3,
    hostile,
    korean,
    render_epub,
    shipped,
    timed_track,
)
from timelines import spoken_title

from audioguide import strings as S
from audioguide.catalogs import Translation
from audioguide.edition import Edition
from audioguide.errors import InternalError
from audioguide.package import books, times
from audioguide.package.cover import Cover
from audioguide.package.daisy import render_daisy
from audioguide.package.epub import ACTIVE_CLASS
from audioguide.script import Accessibility

XHTML = "http://www.w3.org/1999/xhtml"
OPF = "http://www.idpf.org/2007/opf"
SMIL3 = "http://www.w3.org/ns/SMIL"
EPUB_NS = "http://www.idpf.org/2007/ops"
DC = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NS = {"h": XHTML, "opf": OPF, "s": SMIL3, "dc": DC}


def audio_of(edition: Edition) -> dict[str, bytes]:
    audio = {edition.track_file(t, ".mp3"): fake_mp3(t.stem) for t in edition.tracks}
    return {**audio, edition.title_mp3: fake_mp3(edition.title_mp3)}


def epub_files(edition: Edition, **options) -> dict[str, bytes]:
    data = render_epub(edition, audio_of(edition), shipped(edition.language), **options)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def parse(data: bytes):
    return SafeET.fromstring(data)


def with_untranslated() -> Edition:
    """Korean, its second section's title and first paragraph still in English."""
    tracks = (
        timed_track(
            1, "welcome", "환영합니다", [["첫 문장입니다.", "둘째 문장."]], "1번 트랙. 환영합니다."
        ),
        timed_track(
            2,
            "numbers",
            "Numbers",
            [["Still in English.", "Two sentences."], ["번역된 문단."]],
            "2번 트랙. Numbers.",
            fallbacks=("numbers/title", "numbers/p1"),
            voices=("gTTS (ko)", "espeak-ng (en)"),
        ),
    )
    return Edition("test-guide", KO, "테스트 가이드", None, "Test Org", tracks, 80.0, "espeak",
                   title_clip=spoken_title("테스트 가이드", "ko"))  # fmt: skip


# --- EPUB: container and package ---------------------------------------------------------


def test_epub_starts_with_a_stored_mimetype_and_is_the_same_bytes_every_time():
    edition = with_untranslated()
    data = render_epub(edition, audio_of(edition), shipped(KO))

    assert data == render_epub(edition, audio_of(edition), shipped(KO))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        first = archive.infolist()[0]
        assert (first.filename, first.compress_type, first.extra) == ("mimetype", 0, b"")
        assert archive.read("mimetype") == b"application/epub+zip"
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
        container = parse(archive.read("META-INF/container.xml"))
    (rootfile,) = container.iter("{urn:oasis:names:tc:opendocument:xmlns:container}rootfile")
    assert rootfile.get("full-path") == "EPUB/package.opf"
    assert data[30:38] == b"mimetype"  # the name right after the first local header


def _metadata(files: dict[str, bytes]) -> tuple[object, dict[str, list[str]]]:
    package = parse(files["EPUB/package.opf"])
    properties: dict[str, list[str]] = {}
    for meta in package.iterfind("opf:metadata/opf:meta", NS):
        key = meta.get("property") + (f"@{meta.get('refines')}" if meta.get("refines") else "")
        properties.setdefault(key, []).append(meta.text)
    return package, properties


def test_epub_metadata_has_the_accessibility_set_in_the_books_language():
    files = epub_files(with_untranslated(), published=datetime.date(2024, 5, 1))
    package, meta = _metadata(files)

    assert package.findtext("opf:metadata/dc:title", namespaces=NS) == "테스트 가이드"
    assert package.findtext("opf:metadata/dc:language", namespaces=NS) == "ko"
    assert package.findtext("opf:metadata/dc:creator", namespaces=NS) == "Test Org"
    assert meta["dcterms:modified"] == ["2024-05-01T00:00:00Z"]
    assert meta["schema:accessMode"] == ["textual", "auditory"]
    assert meta["schema:accessModeSufficient"] == ["textual", "auditory", "textual,auditory"]
    assert {
        "synchronizedAudioText",
        "structuralNavigation",
        "readingOrder",
        "tableOfContents",
    } <= set(meta["schema:accessibilityFeature"])
    assert meta["schema:accessibilityHazard"] == ["none"]
    (summary,) = meta["schema:accessibilitySummary"]
    assert re.search(r"[가-힣]", summary), summary  # Korean, like the book
    assert meta["media:active-class"] == [ACTIVE_CLASS]
    assert meta["media:narrator"] == ["gTTS (ko)", "espeak-ng (en)"]
    assert f".{ACTIVE_CLASS}" in files["EPUB/style.css"].decode()


def test_an_epub_nobody_evaluated_claims_no_conformance_and_says_so():
    _, meta = _metadata(epub_files(with_untranslated()))

    assert "dcterms:conformsTo" not in meta and "a11y:certifiedBy" not in meta
    (summary,) = meta["schema:accessibilitySummary"]
    not_evaluated = shipped(KO).tool(S.BOOK_NOT_EVALUATED)
    assert re.search(r"[가-힣]", not_evaluated) and summary.endswith(not_evaluated), summary


def test_an_evaluated_epub_names_who_evaluated_it_with_their_credential_and_report():
    evaluated = Accessibility("Example Lab", "Certified Checker", "https://example.org/r?id=1&x")
    files = epub_files(with_untranslated(), accessibility=evaluated)
    package, meta = _metadata(files)

    assert meta["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert meta["a11y:certifiedBy"] == ["Example Lab"]
    (certifier,) = package.iterfind("opf:metadata/opf:meta[@property='a11y:certifiedBy']", NS)
    refined = f"#{certifier.get('id')}"
    assert meta[f"a11y:certifierCredential@{refined}"] == ["Certified Checker"]
    (report,) = package.iterfind("opf:metadata/opf:link[@rel='a11y:certifierReport']", NS)
    assert (report.get("refines"), report.get("href")) == (refined, evaluated.report)
    (summary,) = meta["schema:accessibilitySummary"]
    assert summary == shipped(KO).tool(S.BOOK_ACCESSIBILITY_SUMMARY)


def test_epub_identifier_is_stable_per_guide_and_language_and_unpublished_books_have_a_fixed_date():
    def identifier(edition: Edition) -> str:
        package, _ = _metadata(epub_files(edition))
        return package.findtext("opf:metadata/dc:identifier", namespaces=NS)

    ko = identifier(with_untranslated())
    assert ko.startswith("urn:uuid:") and ko == identifier(with_untranslated())
    assert ko != identifier(chinese())
    _, meta = _metadata(epub_files(with_untranslated()))
    assert meta["dcterms:modified"] == [f"{books.FIXED_DATE.isoformat()}T00:00:00Z"]
    package, _ = _metadata(epub_files(with_untranslated()))
    assert package.find("opf:metadata/dc:date", NS) is None  # no publication date made up
    package, _ = _metadata(epub_files(with_untranslated(), published=datetime.date(2024, 5, 1)))
    assert package.findtext("opf:metadata/dc:date", namespaces=NS) == "2024-05-01"


def test_overlay_durations_are_the_tracks_and_add_up_to_the_book():
    edition = with_untranslated()
    package, meta = _metadata(epub_files(edition))

    items = {item.get("id"): item for item in package.iterfind("opf:manifest/opf:item", NS)}
    total = 0
    for track in edition.tracks:
        document = next(i for i in items.values() if i.get("href") == f"{track.stem}.xhtml")
        overlay = document.get("media-overlay")
        assert items[overlay].get("media-type") == "application/smil+xml"
        assert meta[f"media:duration@#{overlay}"] == [times.clock(track.duration_ms)]
        total += track.duration_ms
    assert meta["media:duration"] == [times.clock(total)]


def test_a_cover_is_packed_and_marked_when_given():
    cover = Cover(b"\x89PNG\r\n\x1a\n not really", "image/png", "cover.png")
    files = epub_files(with_untranslated(), cover=cover)

    package, _ = _metadata(files)
    (item,) = [i for i in package.iterfind("opf:manifest/opf:item", NS) if i.get("properties")
               == "cover-image"]  # fmt: skip
    assert (item.get("href"), item.get("media-type")) == ("cover.png", "image/png")
    assert files["EPUB/cover.png"] == cover.data
    assert not any("cover" in name for name in epub_files(with_untranslated()))


def test_a_missing_mp3_is_a_build_error():
    edition = with_untranslated()
    audio = audio_of(edition)
    del audio[edition.track_file(edition.tracks[1], ".mp3")]
    with pytest.raises(InternalError, match=re.escape("02-numbers.mp3")):
        render_epub(edition, audio, shipped(KO))
    with pytest.raises(InternalError, match=re.escape("02-numbers.mp3")):
        render_daisy(edition, audio)


# --- EPUB: text and overlays -------------------------------------------------------------


def test_each_section_has_its_title_announcement_and_every_sentence_with_an_id_and_language():
    edition = with_untranslated()
    files = epub_files(edition)

    for track in edition.tracks:
        page = parse(files[f"EPUB/{track.stem}.xhtml"])
        assert page.get(XML_LANG) == "ko" and page.get("lang") == "ko"
        assert page.findtext("h:head/h:title", namespaces=NS) == track.title
        assert page.findtext(".//h:h1", namespaces=NS) == track.title
        by_id = {e.get("id"): e for e in page.iter() if e.get("id")}
        for block in track.blocks:
            paragraph = by_id[block.id]
            for n, sentence in enumerate(block.sentences, 1):
                span = by_id[books.sentence_id(block, n)]
                assert span.text == sentence.text
                # the language a screen reader must switch to, from the nearest ancestor
                lang = span.get(XML_LANG) or paragraph.get(XML_LANG) or "ko"
                assert lang == sentence.lang
                assert span.get("lang", lang) == span.get(XML_LANG, lang)
    numbers = parse(files["EPUB/02-numbers.xhtml"])
    assert numbers.find(".//h:h1", NS).get(XML_LANG) == "en"
    assert numbers.find(".//h:p[@id='p1']", NS).get("lang") == "en"
    assert numbers.find(".//h:p[@id='p2']", NS).get("lang") is None


def test_each_overlay_plays_the_tracks_mp3_sentence_by_sentence_from_the_real_timings():
    edition = with_untranslated()
    files = epub_files(edition)

    for track in edition.tracks:
        smil = parse(files[f"EPUB/{track.stem}.smil"])
        assert smil.get("version") == "3.0"
        (seq,) = smil.iterfind("s:body/s:seq", NS)
        assert seq.get(f"{{{EPUB_NS}}}textref") == f"{track.stem}.xhtml"
        pars = seq.findall("s:par", NS)
        assert len(pars) == len(track.sentences)
        page = parse(files[f"EPUB/{track.stem}.xhtml"])
        ids = {e.get("id") for e in page.iter()}
        previous_end = 0
        for par, sentence in zip(pars, track.sentences, strict=True):
            text, audio = par.find("s:text", NS), par.find("s:audio", NS)
            document, _, target = text.get("src").partition("#")
            assert document == f"{track.stem}.xhtml" and target in ids
            assert audio.get("src") == f"audio/{track.stem}.mp3"
            assert f"EPUB/audio/{track.stem}.mp3" in files
            begin, end = (_seconds(audio.get(key)) for key in ("clipBegin", "clipEnd"))
            # back to back: each clip from its sentence's start until the next one's
            assert begin == previous_end
            assert begin <= sentence.start_ms < sentence.end_ms <= end
            previous_end = end
        assert previous_end == track.duration_ms


def _seconds(value: str) -> int:
    found = re.fullmatch(r"(\d+)\.(\d{3})s", value)
    assert found, value
    return int(found.group(1)) * 1000 + int(found.group(2))


def test_nav_lists_every_section_with_toc_and_landmarks():
    edition = with_untranslated()
    nav = parse(epub_files(edition)["EPUB/nav.xhtml"])

    navs = {n.get(f"{{{EPUB_NS}}}type"): n for n in nav.iterfind(".//h:nav", NS)}
    assert set(navs) == {"toc", "landmarks"}
    assert navs["toc"].get("role") == "doc-toc"
    links = navs["toc"].findall(".//h:a", NS)
    assert [(a.get("href"), a.text) for a in links] == [
        (f"{t.stem}.xhtml", t.title) for t in edition.tracks
    ]
    assert links[1].get("lang") == "en"  # the untranslated title
    landmarks = {a.get(f"{{{EPUB_NS}}}type") for a in navs["landmarks"].iterfind(".//h:a", NS)}
    assert landmarks == {"toc", "bodymatter"}
    assert navs["toc"].findtext("h:h1", namespaces=NS) == "차례"


def test_hostile_text_is_escaped_in_every_xml_file_of_both_books():
    edition = hostile()  # HOSTILE in titles, sentences, headings, author and description
    catalog = Catalog(locale="ko")
    catalog.add(S.BOOK_CONTENTS, HOSTILE)
    catalog.add(S.BOOK_ACCESSIBILITY_SUMMARY, HOSTILE)
    catalog.add(S.BOOK_NOT_EVALUATED, HOSTILE)
    translation = Translation(KO, None, catalog)
    data = render_epub(edition, audio_of(edition), translation)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files |= {f"daisy/{k}": v for k, v in render_daisy(edition, audio_of(edition)).items()}

    for name, data in files.items():
        if name.endswith((".xhtml", ".smil", ".opf", ".html", ".xml")):
            tree = parse(data)  # raises on anything that broke the XML
            assert not [e for e in tree.iter() if e.tag.rpartition("}")[2] == "script"], name
    # The texts come back as written, less what XML cannot hold (and, in attributes, with
    # line breaks as spaces).
    package, meta = _metadata(files)
    assert _words(package.findtext("opf:metadata/dc:title", namespaces=NS)) == _words(edition.title)
    assert _words(meta["schema:accessibilitySummary"][0]) == _words(f"{HOSTILE} {HOSTILE}")
    ncc = parse(files["daisy/ncc.html"])
    title = ncc.find(".//h:meta[@name='dc:title']", NS).get("content")
    assert _words(title) == _words(edition.title)
    page = parse(files[f"EPUB/{edition.tracks[0].stem}.xhtml"])
    assert _words(page.findtext(".//h:h1", namespaces=NS)) == _words(edition.tracks[0].title)


def _words(text: str) -> str:
    return " ".join(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text).split())


def test_chinese_sentences_are_joined_without_spaces():
    edition = chinese()
    page = parse(epub_files(edition)[f"EPUB/{edition.tracks[0].stem}.xhtml"])
    paragraph = page.find(".//h:p[@id='p1']", NS)
    text = "".join(paragraph.itertext())
    assert " " not in text and len(paragraph) >= 1


# --- DAISY 2.02 ----------------------------------------------------------------------------

# What the specification requires exactly once. dc:date too, but it cannot say "unknown": a
# book without a known date leaves it out, which DAISY Pipeline's validator takes as a warning
# (a date not in yyyy-mm-dd is an error); dc:creator is required where a creator is known.
REQUIRED_ONCE = (
    "dc:title", "dc:identifier", "dc:format", "dc:publisher", "ncc:charset",
    "ncc:pageFront", "ncc:pageNormal", "ncc:pageSpecial", "ncc:tocItems", "ncc:totalTime",
)  # fmt: skip
AT_MOST_ONCE = ("dc:date", "ncc:depth", "ncc:files", "ncc:multimediaType", "ncc:generator")
REQUIRED_SOME = ("dc:language",)
RECOMMENDED = ("ncc:multimediaType", "ncc:narrator", "ncc:generator", "ncc:depth", "ncc:files")
_NPT = re.compile(r"npt=(\d+)(?:\.(\d{1,3}))?s")


def daisy_problems(files: Mapping[str, bytes], audio_ms: Mapping[str, float]) -> list[str]:
    """What breaks the DAISY 2.02 rules in a book's ``{file name: bytes}``; ``audio_ms`` gives
    each MP3's length. Empty for a good book."""
    problems = []
    ncc = parse(files["ncc.html"])
    metas: dict[str, list[str]] = {}
    for meta in ncc.iterfind("h:head/h:meta", NS):
        if meta.get("name"):
            metas.setdefault(meta.get("name"), []).append(meta.get("content"))
    for name in REQUIRED_ONCE:
        if len(metas.get(name, [])) != 1:
            problems.append(f"ncc.html: {name} {len(metas.get(name, []))} times, not once")
    for name in AT_MOST_ONCE:
        if len(metas.get(name, [])) > 1:
            problems.append(f"ncc.html: {name} {len(metas[name])} times, not at most once")
    for name in REQUIRED_SOME + RECOMMENDED:
        if not metas.get(name):
            problems.append(f"ncc.html: no {name}")
    if not all(re.fullmatch(r"\d{4}-\d\d-\d\d", date) for date in metas.get("dc:date", [])):
        problems.append(f"ncc.html: dc:date {metas.get('dc:date')} is not yyyy-mm-dd")
    if metas.get("dc:format") != ["Daisy 2.02"]:
        problems.append(f"ncc.html: dc:format is {metas.get('dc:format')}")
    if metas.get("ncc:multimediaType") != ["audioFullText"]:
        problems.append(f"ncc.html: ncc:multimediaType is {metas.get('ncc:multimediaType')}")
    if any(metas.get(k) != ["0"] for k in ("ncc:pageFront", "ncc:pageNormal", "ncc:pageSpecial")):
        problems.append("ncc.html: page counts are not 0")
    body = list(ncc.find("h:body", NS))
    if not body or body[0].tag != f"{{{XHTML}}}h1" or body[0].get("class") != "title":
        problems.append('ncc.html: the body does not start with <h1 class="title">')
    headings = [e for e in body if re.fullmatch(r"h[1-6]", e.tag.rpartition("}")[2])]
    if metas.get("ncc:tocItems") != [str(len(body))]:  # every item of the body counts
        problems.append(f"ncc.html: ncc:tocItems {metas.get('ncc:tocItems')} != {len(body)}")
    deepest = max((int(e.tag.rpartition("}")[2][1]) for e in headings), default=0)
    if metas.get("ncc:depth") != [str(deepest)]:
        problems.append(f"ncc.html: ncc:depth {metas.get('ncc:depth')}, headings go {deepest} deep")
    levels = [int(e.tag.rpartition("}")[2][1]) for e in headings]
    if any(later > earlier + 1 for earlier, later in itertools.pairwise(levels)):
        problems.append("ncc.html: a heading skips a level")
    if metas.get("ncc:files") != [str(len(files))]:
        problems.append(f"ncc.html: ncc:files {metas.get('ncc:files')} != {len(files)}")

    smil_order = []
    for heading in headings:
        link = heading.find("h:a", NS)
        smil, _, target = (link.get("href") if link is not None else "").partition("#")
        if smil not in files or target not in _ids(files[smil]):
            problems.append(f"ncc.html: heading {heading.get('id')} links to nothing")
        elif smil not in smil_order:
            smil_order.append(smil)
    smils = sorted(name for name in files if name.endswith(".smil"))
    if smil_order != smils:
        problems.append(f"ncc.html: headings reach {smil_order}, not every SMIL {smils}")

    elapsed = 0.0
    for name in smil_order:
        smil = SafeET.fromstring(files[name])
        head = {m.get("name"): m.get("content") for m in smil.iterfind("head/meta")}
        if head.get("dc:format") != "Daisy 2.02":
            problems.append(f"{name}: dc:format is {head.get('dc:format')}")
        (seq,) = smil.iterfind("body/seq")
        if "fill" in seq.attrib:
            problems.append(f"{name}: fill on seq")
        duration = _npt_ms("npt=" + seq.get("dur", "?"), problems, name)
        if _hms_ms(head.get("ncc:timeInThisSmil", "")) != duration:
            problems.append(f"{name}: ncc:timeInThisSmil {head.get('ncc:timeInThisSmil')}")
        if _hms_ms(head.get("ncc:totalElapsedTime", "")) != elapsed:
            problems.append(f"{name}: ncc:totalElapsedTime {head.get('ncc:totalElapsedTime')}")
        clipped = 0.0
        for par in seq.iterfind("par"):
            if par.get("endsync") != "last":
                problems.append(f"{name}: par {par.get('id')} without endsync=last")
            text, audio = par.find("text"), par.find("audio")
            if text is None or audio is None:
                problems.append(f"{name}: par {par.get('id')} lacks text or audio")
                continue
            document, _, target = text.get("src", "").partition("#")
            if document not in files or target not in _ids(files[document]):
                problems.append(f"{name}: text {text.get('src')} points at nothing")
            begin = _npt_ms(audio.get("clip-begin", ""), problems, name)
            end = _npt_ms(audio.get("clip-end", ""), problems, name)
            source = audio.get("src")
            if source not in files:
                problems.append(f"{name}: audio {source} is not in the book")
            elif not 0 <= begin < end <= audio_ms[source] + 0.5:  # times are rounded to ms
                problems.append(f"{name}: clip {begin}..{end} ms outside {source}")
            clipped += end - begin
        if abs(clipped - duration) > 1:
            problems.append(f"{name}: clips last {clipped} ms, seq dur {duration} ms")
        elapsed += duration
    if abs(_hms_ms(metas.get("ncc:totalTime", ["?"])[0]) - elapsed) > 1000:
        problems.append(f"ncc.html: ncc:totalTime {metas.get('ncc:totalTime')} != {elapsed} ms")
    return problems


def _ids(data: bytes) -> set[str]:
    return {e.get("id") for e in parse(data).iter() if e.get("id")}


def _npt_ms(value: str, problems: list[str], name: str) -> float:
    found = _NPT.fullmatch(value)
    if not found:
        problems.append(f"{name}: {value!r} is not a clock value with at most 3 decimals")
        return float("nan")
    return int(found.group(1)) * 1000 + int((found.group(2) or "0").ljust(3, "0"))


def _hms_ms(value: str) -> float:
    found = re.fullmatch(r"(\d+):(\d\d):(\d\d)(?:\.(\d{1,3}))?", value)
    if not found:
        return float("nan")
    hours, minutes, seconds, fraction = found.groups()
    whole = (int(hours) * 60 + int(minutes)) * 60 + int(seconds)
    return whole * 1000 + int((fraction or "0").ljust(3, "0"))


def daisy_lengths(edition: Edition) -> dict[str, float]:
    lengths = {f"{t.stem}.mp3": t.duration_ms for t in edition.tracks}
    assert edition.title_clip is not None
    return {**lengths, "00-title.mp3": edition.title_clip.duration_ms}


@pytest.mark.parametrize("make", [with_untranslated, korean, chinese])
def test_daisy_book_follows_the_202_rules(make):
    edition = make()
    files = render_daisy(edition, audio_of(edition), published=datetime.date(2024, 5, 1))

    assert daisy_problems(files, daisy_lengths(edition)) == []
    ncc = parse(files["ncc.html"])
    meta = {m.get("name"): m.get("content") for m in ncc.iterfind("h:head/h:meta", NS)}
    assert meta["dc:date"] == "2024-05-01"
    assert meta["dc:language"] == {KO: "ko", ZH: "zh-CN"}.get(edition.language, "en")
    # the title, then each section and under it each paragraph
    items = 1 + sum(1 + len(track.paragraphs) for track in edition.tracks)
    assert meta["ncc:tocItems"] == str(items)
    assert render_daisy(edition, audio_of(edition), published=datetime.date(2024, 5, 1)) == files


def test_daisy_text_and_untranslated_language_match_the_epub():
    edition = with_untranslated()
    files = render_daisy(edition, audio_of(edition))

    page = parse(files["02-numbers.html"])
    assert page.find(".//h:p[@id='p1']", NS).get(XML_LANG) == "en"
    spans = {e.get("id"): e.text for e in page.iter() if e.get("id")}
    assert spans["p1-s1"] == "Still in English."
    assert files["02-numbers.mp3"] == fake_mp3("02-numbers")  # the track's MP3, as it is


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda f: f.update({"01-welcome.smil": f["01-welcome.smil"].replace(
            b'clip-end="npt=', b'clip-end="npt=1.2345', 1)}), "at most 3 decimals"),
        (lambda f: f.update({"01-welcome.smil": re.sub(
            rb'clip-end="npt=[0-9.]+s"', b'clip-end="npt=999.000s"', f["01-welcome.smil"],
            count=1)}), "outside 01-welcome.mp3"),
        (lambda f: f.update({"ncc.html": re.sub(
            rb'<meta name="ncc:totalTime"[^>]*>', b"", f["ncc.html"])}), "ncc:totalTime 0 times"),
        (lambda f: f.update({"ncc.html": f["ncc.html"].replace(
            b'name="ncc:tocItems" content="6"', b'name="ncc:tocItems" content="3"')}),
         "ncc:tocItems"),
        (lambda f: f.pop("02-numbers.smil"), "links to nothing"),
        (lambda f: f.update({"ncc.html": f["ncc.html"].replace(
            b'name="ncc:depth" content="2"', b'name="ncc:depth" content="1"')}), "ncc:depth"),
        (lambda f: f.update({"ncc.html": f["ncc.html"].replace(
            b'<meta name="ncc:charset"',
            b'<meta name="dc:date" content="2024"/><meta name="ncc:charset"')}),
         "not yyyy-mm-dd"),
    ],
    ids=["four-decimals", "clip-past-the-end", "no-total-time", "toc-count", "missing-smil",
         "depth", "date-without-day"],
)  # fmt: skip
def test_the_daisy_check_catches_a_broken_book(damage, expected):
    edition = with_untranslated()
    files = render_daisy(edition, audio_of(edition))
    assert daisy_problems(files, daisy_lengths(edition)) == []

    damage(files)

    assert any(expected in problem for problem in daisy_problems(files, daisy_lengths(edition)))
