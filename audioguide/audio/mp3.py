"""MP3 frames: what a track's MP3 holds (read from its Info frame), and the whole-guide file
made of the tracks' frames one after another."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import BuildError
from ..ffmpeg import decode, ffmpeg, run
from .pcm import mp3_out
from .tags import tag_size

# Layer III bit rates (kbit/s) by bitrate index: MPEG-1, and MPEG-2 and 2.5 (the lower rates).
_KBPS = {
    True: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    False: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
# Sample rates by the header's version bits (3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5) and rate index.
_RATES = {3: (44_100, 48_000, 32_000), 2: (22_050, 24_000, 16_000), 0: (11_025, 12_000, 8_000)}


def _frame(data: bytes, at: int) -> tuple[int, int, int]:
    """The Layer III frame whose header is at ``data[at]``: (its length in bytes, its sample
    rate, its samples). ValueError if there is none."""
    head = data[at : at + 4]
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0 or head[1] & 0x06 != 0x02:
        raise ValueError("no Layer III frame header")
    version, index, rate_index = (head[1] >> 3) & 3, head[2] >> 4, (head[2] >> 2) & 3
    if version == 1 or index in (0, 15) or rate_index == 3:
        raise ValueError("a reserved or free-format frame header")
    mpeg1 = version == 3
    rate, samples = _RATES[version][rate_index], 1152 if mpeg1 else 576
    return samples // 8 * _KBPS[mpeg1][index] * 1000 // rate + ((head[2] >> 1) & 1), rate, samples


@dataclass(frozen=True)
class Mp3Stream:
    """What an MP3 that :func:`.encode_normalised` made holds, read from its first frames: after
    the ID3 tag, an Info frame (Xing header and LAME tag) and ``frames`` frames of audio."""

    rate: int
    samples_per_frame: int  # 1152 (MPEG-1) or 576 (MPEG-2 and 2.5: 24 kHz and below)
    frames: int  # of audio, the Info frame not counted
    delay: int  # encoder delay and padding in samples, which decoders trim
    padding: int
    info: bytes  # the Info frame
    audio: int  # where the audio frames start, in bytes

    @property
    def xing(self) -> int:
        """Where the Xing header is in the Info frame: after the side information."""
        mono = self.info[3] >> 6 == 3
        return 4 + ((17 if mono else 32) if self.samples_per_frame == 1152 else (9 if mono else 17))

    @property
    def decoded(self) -> int:
        """Samples a decoder gives: the frames' without the encoder's delay and padding."""
        return self.frames * self.samples_per_frame - self.delay - self.padding


def mp3_stream(path: Path) -> Mp3Stream:
    """The head of an MP3 made by :func:`.encode_normalised` (the audio itself is not read)."""
    try:
        with open(path, "rb") as handle:
            start = tag_size(handle.read(10))
            handle.seek(start)
            first = handle.read(1500)
    except OSError as exc:
        raise BuildError(f"cannot read {path} ({exc.strerror})") from None
    try:
        length, rate, samples = _frame(first, 0)
    except ValueError:
        raise BuildError(f"{path} is not an MP3 file") from None
    stream = Mp3Stream(rate, samples, 0, 0, 0, first[:length], start + length)
    x = stream.xing
    info = stream.info
    if info[x : x + 4] not in (b"Info", b"Xing") or not info[x + 7] & 1 or len(info) < 190:
        raise BuildError(f"{path} has no Info frame: build it again")
    frames = int.from_bytes(info[x + 8 : x + 12], "big")
    delay_padding = int.from_bytes(info[x + 141 : x + 144], "big")
    return dataclasses.replace(
        stream, frames=frames, delay=delay_padding >> 12, padding=delay_padding & 0xFFF
    )


def joinable(streams: list[Mp3Stream]) -> bool:
    """Whether :func:`join_mp3` joins these MP3s frame by frame: they share a sample rate (else
    they are decoded and encoded once more, at the highest)."""
    return len({stream.rate for stream in streams}) == 1


def track_starts(streams: list[Mp3Stream]) -> list[float]:
    """Where each track's audio starts, in ms, in the file :func:`join_mp3` makes of them.
    Joined frame by frame, a track occupies all of its frames, its encoder's delay and padding
    included; the decoder trims only the first track's delay (and the last one's padding)."""
    rate, first, frames = max(stream.rate for stream in streams), streams[0], joinable(streams)
    starts, samples = [], 0
    for stream in streams:
        if frames:
            starts.append((samples + stream.delay - first.delay) * 1000 / rate)
            samples += stream.frames * stream.samples_per_frame
        else:  # decoded, then encoded again: each track lasts what it decodes to
            starts.append(samples * 1000 / rate)
            samples += round(stream.decoded * rate / stream.rate)
    return starts


def join_mp3(sources: list[Path], path: Path) -> None:
    """Join MP3s made by :func:`.encode_normalised` into one, frame by frame: no second
    generation of MP3 loss, and the loudness of the parts. The Info frame is the first part's,
    counting the joined frames (Xing header: frames, bytes, seek table; LAME tag: the first
    part's delay and the last one's padding, music length and CRCs).

    Tracks of different sample rates (one language spoken by voices of different rates) cannot
    share a stream: they are decoded at the highest and encoded once more.
    """
    streams = [mp3_stream(source) for source in sources]
    if not joinable(streams):
        rate = max(stream.rate for stream in streams)
        pcm = b"".join(decode(source, rate) for source in sources)
        run([ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-f", "s16le", "-ar",
             str(rate), "-ac", "1", "-i", "pipe:0", *mp3_out(rate), str(path)], pcm,
            making=path)  # fmt: skip
        return
    first, x = streams[0], streams[0].xing
    positions: list[int] = []  # of each audio frame, from the start of the Info frame
    crc = 0
    with open(path, "w+b") as out:
        out.write(first.info)  # counted once all frames are there
        for source, stream in zip(sources, streams, strict=True):
            with open(source, "rb") as handle:
                handle.seek(stream.audio)
                data = handle.read()
            at = 0
            for _ in range(stream.frames):
                try:
                    length = _frame(data, at)[0]
                except ValueError:
                    length = 0
                if length == 0 or at + length > len(data):
                    raise BuildError(f"{source} is damaged: build it again")
                positions.append(out.tell() + at)
                at += length
            out.write(data[:at])
            crc = _crc16(data[:at], crc)
        total = out.tell()
        info = bytearray(first.info)
        info[x : x + 4] = b"Info"  # constant bit rate
        info[x + 8 : x + 16] = len(positions).to_bytes(4, "big") + total.to_bytes(4, "big")
        if info[x + 7] & 4:  # the seek table: where each hundredth of the frames starts
            info[x + 16 : x + 116] = bytes(
                [0] + [min(255, 256 * positions[n * len(positions) // 100] // total)
                       for n in range(1, 100)]
            )  # fmt: skip
        delay_padding = (first.delay << 12) | streams[-1].padding
        info[x + 141 : x + 144] = delay_padding.to_bytes(3, "big")
        info[x + 148 : x + 154] = total.to_bytes(4, "big") + crc.to_bytes(2, "big")
        info[x + 154 : x + 156] = _crc16(bytes(info[:190])).to_bytes(2, "big")
        out.seek(0)
        out.write(info)


# CRC-16/ARC (the LAME tag's: polynomial 0x8005, reflected), a byte at a time by table, and many
# blocks at once with numpy: the joined audio is megabytes.
_CRC_BLOCK = 1024


@cache
def _crc_tables() -> tuple[list[int], Any, Any]:
    """The byte table, and the table of what ``_CRC_BLOCK`` zero bytes make of a CRC (by its low
    byte and its high byte: a CRC with no initial value is linear)."""
    import numpy

    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    array = numpy.array(table, dtype=numpy.uint16)
    crcs = numpy.concatenate([numpy.arange(256), numpy.arange(256) << 8]).astype(numpy.uint16)
    for _ in range(_CRC_BLOCK):
        crcs = array[crcs & 0xFF] ^ (crcs >> 8)
    return table, array, crcs


def _crc16(data: bytes, crc: int = 0) -> int:
    """CRC-16/ARC of ``data``, continuing from ``crc``."""
    import numpy

    table, array, zeros = _crc_tables()
    blocks = len(data) // _CRC_BLOCK
    if blocks:
        rows = numpy.frombuffer(data, dtype=numpy.uint8, count=blocks * _CRC_BLOCK)
        rows = rows.reshape(blocks, _CRC_BLOCK).astype(numpy.uint16)
        each = numpy.zeros(blocks, dtype=numpy.uint16)
        for column in range(_CRC_BLOCK):
            each = array[(each ^ rows[:, column]) & 0xFF] ^ (each >> 8)
        for value in each.tolist():
            crc = int(zeros[crc & 0xFF] ^ zeros[256 + (crc >> 8)]) ^ value
    for byte in data[blocks * _CRC_BLOCK :]:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc
