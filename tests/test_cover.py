"""The cover art: ``cover:`` in guide.yaml, checked before anything is written, or a
plain generated one. Images are made here with Pillow and read back with Pillow."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from build_helpers import png
from PIL import Image

from audioguide.errors import ScriptError
from audioguide.package.cover import generated_cover, keep_cover, load_cover
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


GRAY = {
    # id: (format, mode, what Pillow reads back from the cover made of it)
    "gray-png": ("PNG", "L", "RGB"),
    "gray-alpha-png": ("PNG", "LA", "RGBA"),
    "palette-png": ("PNG", "P", "RGB"),
    "bilevel-png": ("PNG", "1", "RGB"),
    "gray-jpeg": ("JPEG", "L", "RGB"),
}


@pytest.mark.parametrize("case", GRAY)
def test_a_grayscale_or_palette_cover_is_converted_to_rgb_once_and_the_same_every_time(
    project, case
):
    kind, mode, becomes = GRAY[case]
    data = image((1400, 1400), kind, mode)
    with_cover(project.scripts, "art." + kind.lower(), data)
    guide = load_guide(project.scripts)

    cover = load_cover(guide)

    assert cover.data != data and cover.data == load_cover(guide).data
    assert cover.mime == f"image/{kind.lower()}"
    with Image.open(io.BytesIO(cover.data)) as shown:
        assert (shown.format, shown.mode, shown.size) == (kind, becomes, (1400, 1400))
        assert shown.convert("RGB").getpixel((700, 700)) == (0, 0, 0)  # the author's black


def test_a_gray_cover_reaches_no_file_in_gray(site) -> None:
    """The published cover, each MP3's APIC frame and the audiobook's covr atom: RGB."""
    from mutagen.id3 import ID3
    from mutagen.mp4 import MP4
    from readers import ffprobe

    with_cover(site.scripts, "art.png", image((1400, 1400), "PNG", "L"))

    site.build_ok()

    embedded = {
        "cover.png": (site.output / "cover.png").read_bytes(),
        "mp3": ID3(site.output / "ko" / "01-welcome.mp3").getall("APIC")[0].data,
        "m4b": bytes(MP4(site.output / "ko" / "test-guide-ko.m4b")["covr"][0]),
    }
    for where, data in embedded.items():
        with Image.open(io.BytesIO(data)) as shown:
            assert shown.mode == "RGB", where
    streams = ffprobe(site.output / "ko" / "test-guide-ko.m4b", "streams")["streams"]
    pictures = [s for s in streams if s.get("disposition", {}).get("attached_pic")]
    assert pictures and all("gray" not in s.get("pix_fmt", "") for s in pictures), pictures


@pytest.mark.parametrize("side", [10_000, 20_000])
def test_a_cover_of_too_many_pixels_is_one_line_and_no_pillow_warning(project, side):
    """Pillow warns on stderr of images over 89 million pixels (and refuses twice that)."""
    line = with_cover(project.scripts, "art.png", png(side, side, whole=False))
    command = [sys.executable, "-m", "audioguide", "build", "--engine", "espeak", "--no-cache",
               "--scripts", str(project.scripts), "--locales", str(project.locales),
               "--output", str(project.output)]  # fmt: skip

    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"audioguide: error: {project.scripts / 'guide.yaml'}:{line}: the cover 'art.png' has "
        "far more pixels than 3000x3000; podcast apps need a square PNG or JPEG image in RGB "
        "from 1400x1400 to 3000x3000 pixels"
    ]


def test_the_generated_cover_comes_from_the_cache_as_drawn(project, tmp_path):
    guide = load_guide(project.scripts)
    drawn = generated_cover(guide.id)
    cache = tmp_path / "cache"
    assert load_cover(guide, cache).data == drawn.data  # nothing kept yet: drawn
    keep_cover(guide, drawn, cache)
    (entry,) = (cache / "pictures").rglob("*.pic")

    assert load_cover(guide, cache).data == drawn.data
    assert entry.read_bytes().endswith(drawn.data)


def test_a_damaged_cached_cover_is_drawn_again_and_replaced(project, tmp_path, caplog):
    guide = load_guide(project.scripts)
    drawn = generated_cover(guide.id)
    cache = tmp_path / "cache"
    keep_cover(guide, drawn, cache)
    (entry,) = (cache / "pictures").rglob("*.pic")
    kept = entry.read_bytes()
    entry.write_bytes(kept[:-40] + bytes(40))  # the same size, other pixels

    with caplog.at_level("INFO", logger="audioguide"):
        cover = load_cover(guide, cache)

    assert cover.data == drawn.data
    assert any("was damaged" in record.getMessage() for record in caplog.records)
    keep_cover(guide, cover, cache)
    assert entry.read_bytes() == kept
