"""``manifest.json``: every file with its size and hash, checked against its JSON Schema."""

from __future__ import annotations

import hashlib
import json
import re

import jsonschema
import pytest
from editions import (
    COVER,
    EN,
    HOSTILE,
    SITE,
    ZH,
    chinese,
    english,
    hostile,
    hostile_translation,
    korean,
    package_files,
    shipped,
)

from audioguide.edition import Edition
from audioguide.errors import InternalError
from audioguide.package.manifest import FileInfo, load_schema, render_manifest


def _listed(path: str, duration_ms: int | None = None) -> FileInfo:
    """A made-up size and hash for ``path``: each file its own, so a mix-up shows."""
    return FileInfo(len(path), hashlib.sha256(path.encode()).hexdigest(), duration_ms)


def _entry(path: str) -> dict:
    info = _listed(path)
    return {"file": path, "bytes": info.bytes, "sha256": info.sha256}


def test_the_manifest_lists_every_file_with_the_size_and_hash_it_is_given():
    editions = [english(), korean()]
    files = {path: _listed(path) for path in SITE}
    for edition in editions:
        for path in package_files(edition, shipped(edition.language)):
            files[path] = _listed(path)
        files[edition.full_guide] = _listed(edition.full_guide, 61_000)
        files[edition.audiobook] = _listed(edition.audiobook, 62_000)

    manifest = json.loads(render_manifest("test-guide", EN, editions, files, cover=COVER))

    assert (manifest["manifest_version"], manifest["guide_id"]) == (4, "test-guide")
    assert (manifest["source_language"], manifest["cover"]) == ("en", _entry(COVER))
    assert manifest["site"] == [_entry("assets/player.js"), _entry("index.html")]
    assert [language["tag"] for language in manifest["languages"]] == ["en", "ko"]
    ko, edition = manifest["languages"][1], editions[1]
    assert {key: ko[key] for key in ("tag", "locale_id", "title", "completeness", "engine")} == {
        "tag": "ko", "locale_id": "ko", "title": edition.title,
        "completeness": round(edition.completeness, 1), "engine": edition.engine,
    }  # fmt: skip
    # every voice that speaks: the English one too, which reads the untranslated third section
    assert ko["voices"] == ["gTTS (ko)", "espeak-ng 1.52 (en)"]
    assert ko["tracks"][2]["voices"] == ["gTTS (ko)", "espeak-ng 1.52 (en)"]
    track = edition.tracks[0]
    assert ko["tracks"][0] == {
        "number": 1,
        "section_id": track.section_id,
        "title": track.title,
        **_entry("ko/01-welcome.mp3"),
        "duration_ms": track.duration_ms,
        "voice": "gTTS (ko)",
        "voices": ["gTTS (ko)"],
        "captions": _entry("ko/01-welcome.vtt"),
        "srt": _entry("ko/01-welcome.srt"),
        "chapters": _entry("ko/01-welcome.chapters.json"),
        "transcript": _entry("ko/01-welcome.txt"),
        "fallbacks": list(track.fallbacks),
    }
    assert [entry["number"] for entry in ko["tracks"]] == [1, 2, 3]
    for key, path in [("page", edition.page), ("playlist", edition.playlist),
                      ("feed", edition.feed), ("transcript", edition.transcript),
                      ("zip", edition.zip), ("epub", edition.epub)]:  # fmt: skip
        assert ko[key] == _entry(path), key
    assert ko["full_guide"] == {
        **_entry(edition.full_guide), "duration_ms": 61_000,
        "captions": _entry(edition.full_guide_captions),
        "srt": _entry(edition.path("full_guide_srt")),
        "chapters": _entry(edition.full_guide_chapters),
    }  # fmt: skip
    assert ko["audiobook"] == {**_entry(edition.audiobook), "duration_ms": 62_000}
    assert ko["daisy"] == {**_entry(edition.daisy_zip), "title": _entry(edition.title_mp3)}
    assert _schema_error(manifest) is None


def _schema_error(manifest: dict) -> str | None:
    """Where ``manifest`` breaks the shipped schema (a JSON path), or None."""
    schema = load_schema()
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema).iter_errors(manifest)
    )
    return None if error is None else error.json_path


def _manifest_inputs(*editions: Edition) -> tuple[list[Edition], dict[str, FileInfo], dict]:
    raw: dict[str, bytes] = dict(SITE)
    for edition in editions:
        raw |= package_files(edition, shipped(edition.language))
    files = {path: FileInfo.of(data) for path, data in raw.items()}
    for edition in editions:
        total = sum(t.duration_ms for t in edition.tracks)
        files[edition.full_guide] = FileInfo.of(raw[edition.full_guide], total)
        files[edition.audiobook] = FileInfo.of(raw[edition.audiobook], total + 23)
    return list(editions), files, raw


def test_schema_is_a_valid_draft_2020_12_schema():
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_manifest_validates_and_matches_the_files():
    editions, files, raw = _manifest_inputs(english(), korean(), chinese())
    data = render_manifest("test-guide", EN, editions, files, cover=COVER)
    assert data == render_manifest("test-guide", EN, editions, files, cover=COVER)
    assert data.endswith(b"}\n") and "한국어".encode() in data
    manifest = json.loads(data)
    jsonschema.validate(manifest, load_schema(), cls=jsonschema.Draft202012Validator)
    assert manifest["guide_id"] == "test-guide" and manifest["source_language"] == "en"
    assert [lang["tag"] for lang in manifest["languages"]] == ["en", "ko", "zh-Hans"]
    ko = manifest["languages"][1]
    assert (ko["locale_id"], ko["name"], ko["title"]) == ("ko", "한국어", "테스트 가이드")
    assert ko["completeness"] == 71.4 and ko["engine"] == "gtts"
    assert ko["voices"] == ["gTTS (ko)", "espeak-ng 1.52 (en)"]
    assert manifest["languages"][2]["name"] == ZH.name
    assert ko["tracks"][2]["fallbacks"] == ["goodbye/title", "goodbye/p1"]
    assert ko["tracks"][2]["voices"] == ["gTTS (ko)", "espeak-ng 1.52 (en)"]
    assert ko["tracks"][2]["voice"] == "gTTS (ko)"

    def same(entry: dict) -> None:
        content = raw[entry["file"]]
        assert entry["bytes"] == len(content)
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()

    for language, edition in zip(manifest["languages"], editions, strict=True):
        for key in ("playlist", "feed", "transcript", "zip", "epub", "daisy", "full_guide"):
            same(language[key])
        same(language["full_guide"]["captions"])
        same(language["full_guide"]["chapters"])
        same(language["daisy"]["title"])
        assert language["full_guide"]["duration_ms"] == sum(t.duration_ms for t in edition.tracks)
        for entry, track in zip(language["tracks"], edition.tracks, strict=True):
            same(entry)
            same(entry["captions"])
            same(entry["chapters"])
            assert (entry["number"], entry["section_id"], entry["title"]) == (
                track.number,
                track.section_id,
                track.title,
            )
            assert entry["file"] == f"{edition.language.tag}/{track.stem}.mp3"
            assert entry["duration_ms"] == track.duration_ms
            assert (entry["voice"], entry["voices"]) == (track.voices[0], list(track.voices))


def test_manifest_lists_every_file_it_is_given_the_cover_pages_and_audiobooks():
    editions, files, raw = _manifest_inputs(english(), korean())
    manifest = json.loads(render_manifest("test-guide", EN, editions, files, cover=COVER))
    listed = [entry["file"] for entry in _all_files(manifest)]
    assert sorted(listed) == sorted(files)  # each exactly once
    assert manifest["cover"]["file"] == COVER
    assert [entry["file"] for entry in manifest["site"]] == ["assets/player.js", "index.html"]
    ko = manifest["languages"][1]
    assert ko["page"]["file"] == "ko/index.html"
    assert ko["audiobook"]["file"] == "ko/test-guide-ko.m4b"
    assert ko["audiobook"]["duration_ms"] == sum(t.duration_ms for t in editions[1].tracks) + 23
    assert ko["tracks"][0]["transcript"]["file"] == "ko/01-welcome.txt"
    for entry in _all_files(manifest):
        assert entry["sha256"] == hashlib.sha256(raw[entry["file"]]).hexdigest()
    no_duration = {**files, "ko/test-guide-ko.m4b": FileInfo(1, "0" * 64)}
    with pytest.raises(InternalError, match=re.escape("no duration for ko/test-guide-ko.m4b")):
        render_manifest("test-guide", EN, editions, no_duration, cover=COVER)


def _all_files(node) -> list[dict]:
    if isinstance(node, dict):
        found = [node] if "file" in node else []
        return found + [f for value in node.values() for f in _all_files(value)]
    if isinstance(node, list):
        return [f for value in node for f in _all_files(value)]
    return []


def test_manifest_keeps_hostile_titles_exactly():
    edition = hostile()
    translation = hostile_translation()
    files = {p: FileInfo.of(d, 1) for p, d in (package_files(edition, translation) | SITE).items()}
    manifest = json.loads(render_manifest("test-guide", EN, [edition], files, cover=COVER))
    assert manifest["languages"][0]["title"] == edition.title
    assert manifest["languages"][0]["description"] == HOSTILE
    assert manifest["languages"][0]["tracks"][0]["title"] == edition.tracks[0].title


def test_manifest_needs_every_file_and_the_full_guide_duration():
    editions, files, _ = _manifest_inputs(korean())
    without_zip = {p: info for p, info in files.items() if p != "test-guide-ko.zip"}
    with pytest.raises(InternalError, match=re.escape("test-guide-ko.zip")):
        render_manifest("test-guide", EN, editions, without_zip, cover=COVER)
    no_duration = {**files, "ko/00-full-guide.mp3": FileInfo(1, "0" * 64)}
    with pytest.raises(InternalError, match=re.escape("no duration for ko/00-full-guide.mp3")):
        render_manifest("test-guide", EN, editions, no_duration, cover=COVER)


def _valid_manifest() -> dict:
    editions, files, _ = _manifest_inputs(korean())
    return json.loads(render_manifest("test-guide", EN, editions, files, cover=COVER))


_GONE = object()


@pytest.mark.parametrize(
    ("where", "change", "error_at"),
    [
        ("tracks/1", {"sha256": "ABC"}, "$.languages[0].tracks[1].sha256"),
        ("tracks/0", {"captions": _GONE}, "$.languages[0].tracks[0]"),
        # A key the schema does not name is one more file: it must be one.
        ("tracks/0", {"extra": 1}, "$.languages[0].tracks[0].extra"),
        ("tracks/2", {"fallbacks": ["goodbye/p1", "x/y"]}, "$.languages[0].tracks[2].fallbacks[1]"),
        ("playlist", {"file": "../playlist.m3u8"}, "$.languages[0].playlist.file"),
        ("feed", {"file": "/ko/feed.xml"}, "$.languages[0].feed.file"),
        ("full_guide", {"duration_ms": _GONE}, "$.languages[0].full_guide"),
        ("", {"tag": "Korean"}, "$.languages[0].tag"),
        ("", {"completeness": 101}, "$.languages[0].completeness"),
        ("/", {"created": "2026-01-01"}, "$"),
        ("/", {"languages": []}, "$.languages"),
    ],
)
def test_a_broken_manifest_fails_with_the_place_it_breaks(where, change, error_at):
    manifest = _valid_manifest()
    assert _schema_error(manifest) is None
    target = manifest if where == "/" else manifest["languages"][0]
    for key in filter(None, where.strip("/").split("/")):
        target = target[int(key) if key.isdigit() else key]
    for key, value in change.items():
        if value is _GONE:
            del target[key]
        else:
            target[key] = value
    assert _schema_error(manifest) == error_at
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(manifest, load_schema(), cls=jsonschema.Draft202012Validator)
