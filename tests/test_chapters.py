"""Podcasting 2.0 chapters JSON."""

from __future__ import annotations

import json

import pytest
from editions import chinese, hostile, korean

from audioguide.package.captions import render_chapters


@pytest.mark.parametrize("make", [korean, chinese, hostile])
def test_chapters_json_is_podcasting_2_chapters_with_the_track_times(make):
    for track in make().tracks:
        data = render_chapters(track)
        assert data.endswith(b"}\n")
        document = json.loads(data)
        assert list(document) == ["version", "title", "chapters"]
        assert document["version"] == "1.2.0" and document["title"] == track.title
        assert len(document["chapters"]) == len(track.chapters)
        for item, chapter in zip(document["chapters"], track.chapters, strict=True):
            assert list(item) == ["startTime", "endTime", "title"]
            assert round(item["startTime"] * 1000) == chapter.start_ms
            assert round(item["endTime"] * 1000) == chapter.end_ms
            assert item["title"] == chapter.title  # exact, hostile or not


def test_chapters_keep_text_unescaped_and_not_ascii_escaped():
    data = render_chapters(korean().tracks[0]).decode("utf-8")
    assert '"startTime": 0,' in data and "환영합니다 (2)" in data and "\\u" not in data
