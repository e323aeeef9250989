"""Tags: the ID3v2.3 tag of every MP3 (titles, language, narrators, transcript, cover, chapters
under a table of contents, and the hash of the file's inputs), and what audioguide reads back."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mutagen.id3 import CTOCFlags, Frame, PictureType

from ..edition import Chapter
from ..errors import BuildError
from ._mutagen import id3_frame, read_id3_user_text, save_id3

INPUTS_TAG = "audioguide-inputs"


@dataclass(frozen=True)
class Picture:
    """An image tags carry: the guide's cover."""

    data: bytes
    mime: str  # "image/png" or "image/jpeg"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Tags:
    title: str
    album: str
    track: str | None  # "n/N"; None for a file that is the whole guide
    language: str  # ISO 639-2
    # What spoke it, the language's voice first: the narrators, where audiobook apps look for
    # them (composer).
    voices: tuple[str, ...]
    transcript: str
    chapters: tuple[Chapter, ...]
    inputs: str  # hash of everything the file was made from
    artist: str | None = None  # the guide's author; None: the album (the guide's title)
    cover: Picture | None = None
    date: str | None = None  # "2024-05-01": guide.yaml's published, the recording date

    def identity(self) -> dict[str, Any]:
        """The tags as JSON-able data for an inputs hash (the cover by its hash)."""
        fields = {name: getattr(self, name) for name in self.__dataclass_fields__}
        fields["chapters"] = [[c.start_ms, c.end_ms, c.title] for c in self.chapters]
        fields["cover"] = self.cover.sha256 if self.cover else None
        fields["voices"] = list(self.voices)
        return fields


# A CTOC counts its entries in one byte: more chapters than that are grouped under child CTOCs.
TOC_ENTRIES = 255


def write_tags(path: Path, tags: Tags) -> None:
    """ID3v2.3 tags, with one CHAP per chapter under an ordered top-level CTOC (through ordered
    child CTOCs of up to 255 entries each when there are more chapters than one CTOC holds);
    the CHAP frames are stored in time order (mutagen stores frames by size; players such as
    ffmpeg take CHAP frames in file order)."""

    def text(kind: str, value: str) -> Frame:
        return id3_frame(kind, encoding=3, text=[value])

    frames = [text("TIT2", tags.title), text("TALB", tags.album)]
    if tags.track:
        frames.append(text("TRCK", tags.track))
    frames += [text("TLAN", tags.language), text("TPE1", tags.artist or tags.album)]
    frames.append(id3_frame("TCOM", encoding=3, text=list(tags.voices)))  # ID3v2.3: joined by "/"
    frames.append(text("TCON", "Speech"))
    if tags.date:  # ID3v2.3 has no TDRC: mutagen writes it as TYER and TDAT
        frames.append(text("TDRC", tags.date))
    frames.append(id3_frame("USLT", encoding=3, lang=tags.language, desc="transcript",
                            text=tags.transcript))  # fmt: skip
    if tags.cover:
        frames.append(id3_frame("APIC", encoding=3, mime=tags.cover.mime, desc="cover",
                                type=PictureType.COVER_FRONT, data=tags.cover.data))  # fmt: skip
    chapter_ids = [f"ch{n}" for n in range(len(tags.chapters))]
    ids, level = chapter_ids, 0
    while len(ids) > TOC_ENTRIES:
        level += 1
        groups = [ids[start : start + TOC_ENTRIES] for start in range(0, len(ids), TOC_ENTRIES)]
        ids = [f"toc{level}-{n}" for n in range(len(groups))]
        for element_id, children in zip(ids, groups, strict=True):
            frames.append(id3_frame("CTOC", element_id=element_id, flags=CTOCFlags.ORDERED,
                                    child_element_ids=children, sub_frames=[]))  # fmt: skip
    frames.append(
        id3_frame(
            "CTOC",
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[text("TIT2", tags.album)],
        )
    )
    for element_id, chapter in zip(chapter_ids, tags.chapters, strict=True):
        frames.append(
            id3_frame(
                "CHAP",
                element_id=element_id,
                start_time=chapter.start_ms,
                end_time=chapter.end_ms,
                sub_frames=[text("TIT2", chapter.title)],
            )
        )
    frames.append(id3_frame("TXXX", encoding=3, desc=INPUTS_TAG, text=[tags.inputs]))
    save_id3(path, frames)
    _chapters_in_time_order(path)


def _syncsafe(data: bytes) -> int:
    """An ID3v2 size: 7 bits a byte.

    >>> _syncsafe(bytes([0, 0, 2, 1]))
    257
    """
    return sum(byte << (7 * n) for n, byte in enumerate(reversed(data)))


def tag_size(head: bytes) -> int:
    """How many bytes the ID3v2 tag whose first 10 bytes are ``head`` takes (its header and
    footer included); 0 when there is none."""
    if head[:3] != b"ID3":
        return 0
    return 10 + _syncsafe(head[6:10]) + (10 if head[5] & 0x10 else 0)


def _chapters_in_time_order(path: Path) -> None:
    """Rearrange the CHAP frames of the ID3v2.3 tag at the start of ``path`` into time order, in
    place: the other frames stay where they are, and the tag keeps its size."""
    with open(path, "r+b") as handle:
        head = handle.read(10)
        if head[:3] != b"ID3" or head[3] != 3 or head[5] != 0:  # v2.3, no flags: as mutagen writes
            raise BuildError(f"{path.name}: unexpected ID3 header after tagging")
        size = _syncsafe(head[6:10])
        body = handle.read(size)
        frames, at = [], 0
        while at + 10 <= len(body) and body[at : at + 4] != bytes(4):  # padding ends the frames
            end = at + 10 + int.from_bytes(body[at + 4 : at + 8], "big")
            frames.append(body[at:end])
            at = end

        def start(frame: bytes) -> int:  # CHAP: element id, NUL, start ms (4 bytes), ...
            after_id = frame.index(b"\0", 10) + 1
            return int.from_bytes(frame[after_id : after_id + 4], "big")

        slots = [n for n, frame in enumerate(frames) if frame[:4] == b"CHAP"]
        for n, frame in zip(slots, sorted((frames[n] for n in slots), key=start), strict=True):
            frames[n] = frame
        handle.seek(10)
        handle.write(b"".join(frames))


def read_inputs(path: Path) -> str | None:
    """The inputs hash a built MP3 was tagged with, or None."""
    return read_id3_user_text(path, INPUTS_TAG)
