"""Typed doors to mutagen, whose constructors and methods carry no annotations: the rest of the
audio package writes and reads tags through these, so only this module calls mutagen untyped
(pyproject.toml lets mypy allow it here, and nowhere else)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from mutagen.id3 import ID3, TXXX, Frame, Frames
from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm


def id3_frame(kind: str, **fields: object) -> Frame:
    """An ID3 frame of ``kind`` ("TIT2", "CHAP", ...) with mutagen's ``fields`` for it."""
    frame: Frame = Frames[kind](**fields)
    return frame


def save_id3(path: Path, frames: Iterable[Frame]) -> None:
    """A new ID3v2.3 tag of ``frames`` at the start of ``path``, in place of any there."""
    id3 = ID3()
    for frame in frames:
        id3.add(frame)
    id3.save(path, v2_version=3)


def read_id3_user_text(path: Path, description: str) -> str | None:
    """The first value of the TXXX frame ``description`` of the MP3 at ``path``, or None when
    there is none (or no readable tag). Only TXXX frames are parsed: the rest stay raw bytes."""
    try:
        frame = ID3(path, known_frames={"TXXX": TXXX}).get(f"TXXX:{description}")
    except Exception:  # missing file, no tag, damaged tag: all mean "none"
        return None
    return str(frame.text[0]) if frame else None


def mp4_cover(data: bytes, png: bool) -> MP4Cover:
    """A cover picture for an MP4's ``covr`` item: PNG, else JPEG."""
    kind = MP4Cover.FORMAT_PNG if png else MP4Cover.FORMAT_JPEG
    cover: MP4Cover = MP4Cover(data, imageformat=kind)
    return cover


def mp4_free_form(data: bytes) -> MP4FreeForm:
    """A value for an MP4's free-form (``----``) item."""
    value: MP4FreeForm = MP4FreeForm(data)
    return value


def save_mp4_tags(path: Path, items: Mapping[str, Sequence[object]]) -> None:
    """Add ``items`` (iTunes keys to their values) to the tags of the MP4 at ``path``."""
    mp4 = MP4(path)
    if mp4.tags is None:
        mp4.add_tags()
    for key, values in items.items():
        mp4[key] = list(values)
    mp4.save()


def read_mp4_free_form(path: Path, key: str) -> bytes | None:
    """The first value of the free-form item ``key`` of the MP4 at ``path``, or None when there
    is none (or the file cannot be read)."""
    try:
        tags = MP4(path).tags
        values = tags.get(key) if tags is not None else None
    except Exception:  # missing file, damaged file: both mean "none"
        return None
    return bytes(values[0]) if values else None
