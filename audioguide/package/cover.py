"""The guide's cover art: ``cover:`` in ``guide.yaml``, or a plain one made here.

One image serves every language and every format that shows one: the feeds' ``itunes:image``,
each MP3 (an ID3 ``APIC`` frame), the M4B audiobooks, the player pages and the talking books.
:func:`load_cover` checks the author's image before the build writes anything and returns the
bytes, their MIME type and the path the build writes them to (``cover.png`` or ``cover.jpg`` in
the output folder).

Podcast directories ask for a square JPEG or PNG of 1400 to 3000 pixels a side in RGB colour;
that is what is accepted. A grayscale or palette image is converted to RGB once, here (a PNG
stays a PNG, a JPEG a JPEG, the same input always giving the same bytes), so no MP3 or M4B
embeds gray pixels that some apps show wrongly. The file is read as scripts are: a regular file
inside the scripts folder, not reached through ``..``, an absolute path or a symbolic link
leading elsewhere. Without ``cover:`` a plain cover is drawn: a colour chosen from the
guide's id and a few sound-wave arcs, no text (no font is sure to be on a fresh machine, and the
apps show the title beside the art anyway). The same guide id gives the same image; it is drawn
once and kept in the build's cache, which later builds take it from (checked against its
checksum: a damaged one is drawn again), without loading Pillow.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from .. import __version__, cache
from ..audio import Picture
from ..errors import ScriptError
from ..files import read_input
from ..script import GUIDE_FILE, Guide

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

MIN_SIDE = 1400
MAX_BYTES = 64 * 1024 * 1024  # room for an uncompressed 3000 px PNG
MAX_SIDE = 3000
JPEG_QUALITY = 95  # a converted JPEG is encoded again: close to the author's image
GENERATED_SIDE = 1400
DRAWING_VERSION = 1  # bump when the generated cover's drawing changes
FORMATS = {"PNG": ("image/png", "cover.png"), "JPEG": ("image/jpeg", "cover.jpg")}
# Dark, saturated backgrounds that white arcs stand out on.
_PALETTE = ((0x1F, 0x4E, 0x79), (0x7A, 0x2E, 0x3B), (0x2E, 0x5E, 0x3E), (0x4A, 0x3B, 0x7A),
            (0x8A, 0x4B, 0x08), (0x1E, 0x5F, 0x66))  # fmt: skip


@dataclass(frozen=True)
class Cover(Picture):
    path: str  # where the build writes it, relative to the output folder


def load_cover(guide: Guide, cache_root: Path | None = None) -> Cover:
    """The guide's cover: its ``cover:`` image, checked, or a generated one (kept in the cache
    at ``cache_root``, if given).

    Raises :class:`~audioguide.errors.ScriptError` naming ``guide.yaml`` and the line of
    ``cover:`` when the image is missing, outside the scripts folder, unreadable, not PNG or
    JPEG, not square, in neither RGB, grayscale nor a palette, or outside 1400-3000 pixels a
    side.
    """
    if guide.cover is None:
        return generated_cover(guide.id, cache_root)
    given = guide.cover
    where = (guide.path / GUIDE_FILE, given.line)
    relative = PurePath(given.value)
    if relative.is_absolute() or ".." in relative.parts:
        raise ScriptError(
            f"the cover {given.value!r} is not inside the scripts folder; put the image there "
            "and give its path from there, such as cover.jpg",
            *where,
        )
    try:
        data = read_input(guide.path / given.value, MAX_BYTES, inside=guide.path)
    except OSError as exc:
        raise ScriptError(
            f"cannot read the cover {given.value!r} ({exc.strerror}); give the path of a PNG or "
            "JPEG image, relative to the scripts folder",
            *where,
        ) from None
    except ValueError as exc:  # a pipe, a device, a folder, or far too large
        raise ScriptError(
            f"the cover {given.value!r} {exc}; give a PNG or JPEG file", *where
        ) from None
    from PIL import Image, UnidentifiedImageError

    rule = (
        f"podcast apps need a square PNG or JPEG image in RGB from {MIN_SIDE}x{MIN_SIDE} to "
        f"{MAX_SIDE}x{MAX_SIDE} pixels"
    )
    try:
        with warnings.catch_warnings():
            # Pillow warns of, then refuses, images of too many pixels to decode safely: one
            # error here, never a warning on stderr.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                problem = _problem(image)
                if problem:
                    raise ScriptError(f"the cover {given.value!r} {problem}; {rule}", *where)
                image.load()  # a truncated or damaged file fails here, not in a listener's app
                kind = str(image.format)
                data = _rgb(image, kind) or data
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ScriptError(
            f"the cover {given.value!r} has far more pixels than {MAX_SIDE}x{MAX_SIDE}; {rule}",
            *where,
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ScriptError(
            f"the cover {given.value!r} is not a readable PNG or JPEG image; export it again",
            *where,
        ) from None
    mime, path = FORMATS[kind]
    return Cover(data, mime, path)


def _problem(image: Image.Image) -> str | None:
    """What keeps an image from being the cover, or None."""
    kind, (width, height), mode = image.format, image.size, image.mode
    if kind is None or kind not in FORMATS:
        return f"is {kind or 'an unknown format'}, not PNG or JPEG"
    if width != height:
        return f"is {width}x{height} pixels, not square"
    if not MIN_SIDE <= width <= MAX_SIDE:
        return f"is {width}x{height} pixels, not from {MIN_SIDE} to {MAX_SIDE} a side"
    if mode not in _CONVERTED and mode not in ("RGB", "RGBA"):
        return f"is in {mode} colour, not RGB"
    return None


# Grayscale and palette images, and the RGB mode each becomes (keeping transparency, in PNG).
_CONVERTED = {"L": "RGB", "LA": "RGBA", "P": "RGB", "PA": "RGBA", "1": "RGB"}


def _rgb(image: Image.Image, kind: str) -> bytes | None:
    """The image encoded again in RGB if it is in grayscale or a palette, else None."""
    if image.mode not in _CONVERTED or kind not in FORMATS:
        return None
    target = _CONVERTED[image.mode]
    if image.mode == "P" and "transparency" in image.info:
        target = "RGBA"
    if kind == "JPEG":
        target = "RGB"
    buffer = io.BytesIO()
    options = {"quality": JPEG_QUALITY} if kind == "JPEG" else {}
    image.convert(target).save(buffer, format=kind, **options)
    return buffer.getvalue()


def generated_cover(guide_id: str, cache_root: Path | None = None) -> Cover:
    """A plain square PNG: a background colour picked by ``guide_id`` and white arcs; from the
    cache at ``cache_root`` when it holds it, else drawn (:func:`keep_cover` puts it there)."""
    mime, path = FORMATS["PNG"]
    data = _cached(guide_id, cache_root) if cache_root is not None else None
    return Cover(data or _drawn(guide_id), mime, path)


def keep_cover(guide: Guide, cover: Cover, cache_root: Path) -> None:
    """Keep a generated cover in the cache at ``cache_root``, unless it is there already. (Not
    done by :func:`load_cover`: a build that stops at bad input writes nothing at all.)"""
    if guide.cover is None:
        store, digest = cache.Cache(cache_root), _cover_key(guide.id)
        if store.get_picture(digest) is None:
            store.put_picture(digest, cover.data)


def _cached(guide_id: str, cache_root: Path) -> bytes | None:
    store = cache.Cache(cache_root)
    data = store.get_picture(_cover_key(guide_id))
    for damaged in store.damaged:
        log.info(f"the cache entry {damaged} was damaged; ignored it and drew the cover again")
    return data


def _cover_key(guide_id: str) -> str:
    """What the generated cover's bytes depend on: the guide's id, the drawing, Pillow's
    encoder."""
    import PIL

    return cache.key("cover", DRAWING_VERSION, __version__, PIL.__version__, guide_id)


def _drawn(guide_id: str) -> bytes:
    from PIL import Image, ImageDraw

    side = GENERATED_SIDE
    pick = hashlib.sha256(guide_id.encode("utf-8")).digest()[0] % len(_PALETTE)
    image = Image.new("RGB", (side, side), _PALETTE[pick])
    draw = ImageDraw.Draw(image)
    centre = (side * 0.36, side * 0.5)
    dot = side * 0.06
    draw.ellipse((centre[0] - dot, centre[1] - dot, centre[0] + dot, centre[1] + dot), "white")
    for ring in range(1, 4):  # sound spreading to the right
        radius = dot + ring * side * 0.12
        box = (centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius)
        draw.arc(box, -45, 45, fill="white", width=round(side * 0.035))
    buffer = io.BytesIO()
    # zlib's default level: optimize=True took twice as long (80 ms of every build, a no-op's
    # fifth) to save 7% of 14 kB.
    image.save(buffer, format="PNG")
    return buffer.getvalue()
