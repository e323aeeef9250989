"""The per-language zip: reproducible, plain names, a README in its language."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from editions import (
    EN,
    HOSTILE,
    KO,
    chinese,
    english,
    hostile,
    hostile_translation,
    korean,
    package_files,
    shipped,
)

from audioguide.errors import InternalError
from audioguide.package.archive import render_zip, zip_entries
from audioguide.package.captions import one_line
from audioguide.strings import ZIP_README_AUDIOBOOK


def test_zip_is_reproducible_sorted_and_plain():
    entries = {
        "b/z.txt": "문서\n".encode() * 50,
        "a.mp3": b"\xff\xfb" * 300,
        "b/a.vtt": b"WEBVTT\n",
    }
    data = render_zip(entries)
    assert render_zip(dict(reversed(list(entries.items())))) == data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == sorted(entries)
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.external_attr >> 16 == 0o100644 and info.create_system == 3
            expected = (
                zipfile.ZIP_STORED if info.filename.endswith(".mp3") else zipfile.ZIP_DEFLATED
            )
            assert info.compress_type == expected
            assert archive.read(info) == entries[info.filename]


@pytest.mark.parametrize(
    "name",
    ["", "/etc/passwd", "../up.txt", "a/../b", "a//b", "./a", "a\\b", "C:/x", "a/", ".hidden"],
)
def test_zip_rejects_names_that_are_not_plain_relative_paths(name):
    with pytest.raises(InternalError, match="not a plain relative path"):
        render_zip({name: b"x"})


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (korean, ["테스트 가이드", "한국어 음성 해설 오디오 가이드, 트랙 3개."]),
        (chinese, ["测试导览", "中文（简体）语音导览，共3节。"]),
        (english, ["The Test Guide", "A narrated audio guide in English, 3 tracks."]),
    ],
)
def test_zip_holds_the_edition_in_one_folder_with_a_readme_in_its_language(make, words):
    edition = make()
    files = package_files(edition, shipped(edition.language))
    data = files[edition.zip]
    assert render_zip(zip_entries(edition, files, shipped(edition.language))) == data
    folder = f"test-guide-{edition.language.tag}/"
    stems = [t.stem for t in edition.tracks]
    endings = (".chapters.json", ".mp3", ".srt", ".vtt")
    expected = [f"{s}{suffix}" for s in stems for suffix in endings]
    expected += ["00-full-guide.mp3", "00-full-guide.vtt", "00-full-guide.srt"]
    expected += ["00-full-guide.chapters.json"]
    expected += ["README.txt", "playlist.m3u8", "transcript.txt"]
    expected += [f"test-guide-{edition.language.tag}.m4b"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == sorted(folder + name for name in expected)
        readme = archive.read(folder + "README.txt").decode("utf-8")
        for name in expected:
            if name != "README.txt":
                assert archive.read(folder + name) == files[f"{edition.language.tag}/{name}"]
    assert readme.startswith(words[0] + "\n\n") and words[1] in readme
    assert f"test-guide-{edition.language.tag}.m4b" in readme.splitlines()[-1]
    if edition.language != EN:  # the audiobook's line is translated too
        assert ZIP_README_AUDIOBOOK.split("{")[1] not in readme
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = archive.getinfo(f"{folder}test-guide-{edition.language.tag}.m4b")
        assert book.compress_type == zipfile.ZIP_STORED  # already compressed audio


def test_zip_entries_need_every_file():
    edition = korean()
    files = package_files(edition, shipped(KO))
    del files["ko/02-numbers.vtt"]
    with pytest.raises(InternalError, match=re.escape("ko/02-numbers.vtt")):
        zip_entries(edition, files, shipped(KO))


def test_zip_hostile_readme_is_plain_text():
    edition = hostile()
    translation = hostile_translation()
    entries = zip_entries(edition, package_files(edition, translation), translation)
    readme = entries["test-guide-ko/README.txt"].decode("utf-8")
    assert readme.startswith(one_line(edition.title) + "\n" + HOSTILE)
    with zipfile.ZipFile(io.BytesIO(render_zip(entries))) as archive:
        assert archive.read("test-guide-ko/README.txt").decode("utf-8") == readme
