"""The cover art (issue 10 §2): ``cover:`` in guide.yaml, checked before anything is written, or a
plain generated one. Images are made here with Pillow and read back with Pillow."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from audioguide.errors import ScriptError
from audioguide.package.cover import generated_cover, load_cover
from audioguide.script import load_guide


def image(size: tuple[int, int], kind: str = "PNG", mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "#336699" if mode == "RGB" else 0).save(buffer, format=kind)
    return buffer.getvalue()


def with_cover(scripts: Path, name: str, data: bytes | None) -> int:
    """Give the guide ``cover: <name>`` (and the file, unless None); return the line of it."""
    guide = scripts / "guide.yaml"
    text = guide.read_text("utf-8").rstrip("\n") + "\n"
    guide.write_text(text + f"cover: {name}\n", "utf-8")
    if data is not None:
        (scripts / name).write_bytes(data)
    return text.count("\n") + 1


def test_generated_cover_is_a_square_png_podcast_apps_take_and_the_same_every_time():
    cover = generated_cover("test-guide")
    assert (cover.mime, cover.path) == ("image/png", "cover.png")
    with Image.open(io.BytesIO(cover.data)) as shown:
        assert shown.format == "PNG" and shown.mode == "RGB"
        assert shown.size[0] == shown.size[1] and 1400 <= shown.size[0] <= 3000
        assert len(shown.getcolors(1 << 16) or []) > 1  # not a blank square
    assert generated_cover("test-guide").data == cover.data


@pytest.mark.parametrize(
    ("name", "kind", "mime", "path"),
    [("art.png", "PNG", "image/png", "cover.png"), ("art.jpg", "JPEG", "image/jpeg", "cover.jpg")],
)
def test_a_given_cover_is_used_as_it_is(project, name, kind, mime, path):
    data = image((1400, 1400), kind)
    with_cover(project.scripts, name, data)
    cover = load_cover(load_guide(project.scripts))
    assert (cover.data, cover.mime, cover.path) == (data, mime, path)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (image((1000, 1000)), "1000x1000 pixels, not from 1400 to 3000"),
        (image((3200, 3200), "JPEG"), "3200x3200 pixels, not from 1400 to 3000"),
        (image((1400, 1500)), "1400x1500 pixels, not square"),
        (image((1400, 1400), "GIF", "P"), "is GIF, not PNG or JPEG"),
        (image((1400, 1400), "JPEG", "CMYK"), "is in CMYK colour, not RGB"),
        (b"GIF89a not an image at all", "not a readable PNG or JPEG"),
        (image((1400, 1400))[:200], "not a readable PNG or JPEG"),  # cut short
        (None, "cannot read the cover"),
    ],
    ids=["small", "large", "oblong", "gif", "cmyk", "garbage", "truncated", "missing"],
)
def test_a_bad_cover_stops_the_build_before_it_writes(project, user_error, data, says):
    line = with_cover(project.scripts, "art.png", data)
    with pytest.raises(ScriptError, match=says):
        load_cover(load_guide(project.scripts))
    before = project.snapshot()
    result = project.run("build", "--engine", "espeak", "--no-cache")
    message = user_error(result, "scripts/guide.yaml", line)
    assert says in message and "art.png" in message
    assert project.snapshot() == before
