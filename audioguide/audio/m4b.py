"""The M4B audiobook: AAC made from the same normalised PCM as the MP3s (never from the MP3s;
:func:`.encode_normalised` writes both): each track's AAC is kept as raw ADTS frames, and a
language's audiobook joins them frame by frame with a chapter per track."""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import BuildError
from ..ffmpeg import ffmpeg, run
from ._mutagen import mp4_cover, mp4_free_form, read_mp4_free_form, save_mp4_tags
from .pcm import AAC_FRAME, AAC_RATE
from .tags import INPUTS_TAG, Tags


def adts_frames(data: bytes) -> int:
    """How many AAC frames an ADTS stream holds (each plays :data:`AAC_FRAME` samples)."""
    count = at = 0
    while at + 7 <= len(data):
        if data[at] != 0xFF or data[at + 1] & 0xF0 != 0xF0:
            raise BuildError("damaged AAC part: no ADTS frame header where one should be")
        at += ((data[at + 3] & 0x03) << 11) | (data[at + 4] << 3) | (data[at + 5] >> 5)
        count += 1
    return count


def aac_starts(frames: list[int]) -> list[int]:
    """Where each ADTS part of ``frames`` AAC frames starts, in samples, once joined, and (last)
    where they end: after all the previous parts' frames (encoder delay and padding included)."""
    starts, samples = [], 0
    for count in frames:
        starts.append(samples)
        samples += count * AAC_FRAME
    return [*starts, samples]


@dataclass(frozen=True)
class AudiobookChapter:
    start: int  # in samples
    end: int
    title: str


def make_m4b(
    parts: list[Path],
    path: Path,
    tags: Tags,
    chapters: list[AudiobookChapter],
    *,
    digests: list[str] | None = None,
) -> None:
    """Join ADTS part files into an M4B (AAC in MP4) with chapters, then tag it.

    ffmpeg writes the audio and the chapters (a QuickTime chapter track, which Apple's apps read,
    and a Nero ``chpl`` list, which most others read); mutagen writes the iTunes tags.
    ``digests``, if given, are the parts' SHA-256s: a part that does not match as it is copied
    raises :class:`ValueError` (it was damaged or replaced since it was checked).
    """
    lines = [";FFMETADATA1"]
    for chapter in chapters:
        lines += ["[CHAPTER]", f"TIMEBASE=1/{AAC_RATE}", f"START={chapter.start}",
                  f"END={chapter.end}", f"title={_ffmetadata(chapter.title)}"]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="audioguide-m4b-") as tmp:
        metadata = Path(tmp) / "chapters.txt"
        metadata.write_text("\n".join(lines) + "\n", "utf-8")
        joined = Path(tmp) / "joined.aac"  # frame after frame, through the disk: not in memory
        with open(joined, "wb") as out:
            for n, part in enumerate(parts):
                with open(part, "rb") as handle:
                    data = handle.read()
                if digests is not None and hashlib.sha256(data).hexdigest() != digests[n]:
                    raise ValueError(f"{part} is not the part its record describes")
                out.write(data)
        run([ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-f", "aac", "-i", str(joined),
              "-i", str(metadata), "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1",
              "-c", "copy", "-metadata:s:a:0", f"language={tags.language}", "-brand", "M4B ",
              "-movflags", "+faststart", "-fflags", "+bitexact", "-f", "ipod",
              str(path)], making=path)  # fmt: skip
    _label_tracks(path, tags.language)
    items: dict[str, list[object]] = {
        "\xa9nam": [tags.title],
        "\xa9alb": [tags.album],
        "\xa9ART": [tags.artist or tags.album],
        "aART": [tags.artist or tags.album],
        "\xa9wrt": list(tags.voices),  # the narrators, where audiobook apps look for them
    }
    if tags.date:
        items["\xa9day"] = [tags.date]
    items["\xa9gen"] = ["Audiobook"]
    items["stik"] = [2]  # media kind: audiobook
    items["\xa9lyr"] = [tags.transcript]
    if tags.cover:
        items["covr"] = [mp4_cover(tags.cover.data, png=tags.cover.mime == "image/png")]
    items[_M4B_INPUTS] = [mp4_free_form(tags.inputs.encode("utf-8"))]
    save_mp4_tags(path, items)


_M4B_INPUTS = f"----:org.audioguide:{INPUTS_TAG}"


def _label_tracks(path: Path, language: str) -> None:
    """Give every track of the MP4 at ``path`` the ISO 639-2 ``language``, in place: ffmpeg
    labels the audio as asked, but the chapter track it adds gets language code 0, which
    QuickTime reads as English."""
    packed = 0
    for char in language.encode("ascii"):
        packed = (packed << 5) | (char - 0x60)
    with open(path, "r+b") as handle:
        size, where = path.stat().st_size, 0
        while where + 8 <= size:  # the top-level boxes: only moov is read
            handle.seek(where)
            length, kind = int.from_bytes(handle.read(4), "big"), handle.read(4)
            if length == 1:
                length = int.from_bytes(handle.read(8), "big")
            if length < 8:
                raise BuildError(f"{path.name}: damaged MP4 box {kind!r} after joining")
            if kind == b"moov":
                handle.seek(where)
                moov = handle.read(length)
                for at in _mdhd_languages(moov, 8, len(moov), path):
                    handle.seek(where + at)
                    handle.write(packed.to_bytes(2, "big"))
            where += length


def _mdhd_languages(data: bytes, start: int, end: int, path: Path) -> list[int]:
    """Where the language of each track's ``mdhd`` box is in ``data`` (a moov box's bytes)."""
    found = []
    while start + 8 <= end:
        size, kind = int.from_bytes(data[start : start + 4], "big"), data[start + 4 : start + 8]
        body = start + 8
        if size == 1:  # a 64-bit size follows the type
            size, body = int.from_bytes(data[start + 8 : start + 16], "big"), start + 16
        if size < body - start or start + size > end:
            raise BuildError(f"{path.name}: damaged MP4 box {kind!r} after joining")
        if kind in (b"trak", b"mdia"):
            found += _mdhd_languages(data, body, start + size, path)
        elif kind == b"mdhd":  # version and flags, then times 4 bytes wide (8 in version 1)
            found.append(body + 4 + (28 if data[body] == 1 else 16))
        start += size
    return found


def read_m4b_inputs(path: Path) -> str | None:
    """The inputs hash a built M4B was tagged with, or None."""
    value = read_mp4_free_form(path, _M4B_INPUTS)
    return value.decode("utf-8") if value is not None else None


def _ffmetadata(text: str) -> str:
    """A value for ffmpeg's metadata file: on one line, its special characters escaped."""
    text = " ".join(text.split())
    return re.sub(r"([=;#\\])", r"\\\1", text)
