"""Audio: bring clips to one rate, join them, measure loudness, encode MP3, write ID3 tags.

The M4B audiobook is AAC made from the same normalised PCM as the MP3s (never from the MP3s):
each track's AAC is kept as raw ADTS frames, and a language's audiobook joins them frame by frame
with a chapter per track.

Everything runs on the ffmpeg binary that ships in the imageio-ffmpeg wheel (there is no
ffprobe, so nothing here asks for one), on raw 16-bit mono PCM. MP3s are at the voices' own
rate (22.05 kHz for espeak-ng and Piper, 24 kHz for gTTS: MPEG-2 Layer III), so nothing is
resampled but a track that mixes voices of different rates, to the highest.

Loudness follows the spoken-podcast targets: -16 LUFS integrated (ITU-R BS.1770, measured in
this process by libloudness, and checked by ffmpeg's ebur128 in the tests), and a limiter whose
ceiling leaves the decoded MP3's true peak below -1.5 dBTP (the tests measure both with ffmpeg's
ebur128). Each track is encoded in one ffmpeg
pass.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import signal
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import imageio_ffmpeg
from mutagen.id3 import (
    APIC,
    CHAP,
    CTOC,
    ID3,
    TALB,
    TCOM,
    TCON,
    TDRC,
    TIT2,
    TLAN,
    TPE1,
    TRCK,
    TXXX,
    USLT,
    CTOCFlags,
    PictureType,
)
from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm

from .clip import Clip
from .edition import Chapter
from .errors import BuildError
from .files import final_path


@cache
def ffmpeg() -> str:
    """The ffmpeg binary of the imageio-ffmpeg wheel. Found (and run once, to check it) on first
    use, not on import: a rebuild with nothing to do runs no ffmpeg at all."""
    return imageio_ffmpeg.get_ffmpeg_exe()


# The rate :func:`decode` gives unless asked for another (what the tests measure at).
SAMPLE_RATE = 44_100
BYTES_PER_MS = SAMPLE_RATE * 2 / 1000
BITRATE = "64k"
TARGET_LUFS = -16.0
CEILING_DBFS = -2.5  # sample-peak ceiling; MP3 and inter-sample overshoot stay under -1.5 dBTP
ENCODER_LOSS_LU = 0.5  # 64 kbps MP3 measures about this much quieter than its source
INPUTS_TAG = "audioguide-inputs"


def joined_rate(clips: list[Clip]) -> int:
    """The rate clips are joined at: theirs, or the highest where they differ (the others are
    resampled up; nothing is ever resampled down)."""
    return max(clip.sample_rate for clip in clips)


def to_rate(clip: Clip, rate: int) -> bytes:
    """A clip's PCM at ``rate``."""
    if clip.sample_rate == rate:
        return clip.pcm
    # pydub looks for ffmpeg on PATH at import, and fails with a KeyError when there is no
    # PATH at all (`env -i`); the system's default search path is what a program started then
    # gets anyway.
    os.environ.setdefault("PATH", os.defpath)
    with warnings.catch_warnings():  # pydub warns at import when no ffmpeg is on PATH
        warnings.simplefilter("ignore", RuntimeWarning)
        from pydub import AudioSegment

    segment = AudioSegment(data=clip.pcm, sample_width=2, frame_rate=clip.sample_rate, channels=1)
    return segment.set_frame_rate(rate).raw_data


def silence(ms: int, rate: int) -> bytes:
    return bytes(2 * round(ms * rate / 1000))


def _run(
    args: list[str], data: bytes | None = None, making: Path | None = None
) -> subprocess.CompletedProcess:
    """Run ffmpeg; a failure is one :class:`BuildError` line, naming the file it was ``making``
    (the file a temporary one stands for)."""
    try:
        result = subprocess.run(args, input=data, capture_output=True, check=False)
    except OSError as exc:
        raise BuildError(f"cannot run ffmpeg ({exc.strerror}); reinstall imageio-ffmpeg") from None
    if result.returncode != 0:
        last = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        if not last and result.returncode < 0:  # stopped by a signal, e.g. a full disk's SIGXFSZ
            last = [signal.strsignal(-result.returncode) or f"signal {-result.returncode}"]
        what = f" making {final_path(making)}" if making is not None else ""
        raise BuildError(f"ffmpeg failed{what}: {(last or ['?'])[0]}")
    return result


def integrated_loudness(pcm: bytes, rate: int) -> float:
    """The integrated loudness of 16-bit mono PCM in LUFS (ITU-R BS.1770), measured in this
    process by libloudness: about 8 ms for 25 s of speech, where an ffmpeg pass takes 60."""
    import loudness  # with numpy: only the workers that encode need them
    import numpy

    samples = numpy.frombuffer(pcm, dtype="<i2").astype(numpy.float32) / 32768
    if len(samples) < rate * 0.4:  # shorter than one gating block
        return float("-inf")
    return float(loudness.integrated_loudness(samples, rate))


def encode_normalised(pcm: bytes, path: Path, rate: int, aac: Path | None = None) -> None:
    """Encode speech at ``rate`` as MP3 (``path``, at the same rate: :func:`mp3_rate`), and AAC
    (``aac``, ADTS) if given, at -16 LUFS under a peak limiter, in one ffmpeg pass.

    The gain comes from the loudness measured here, before encoding. Limiting the peaks lowers
    loudness, so the pass also hands back the limited signal, which is measured too; a miss of
    more than 0.5 LU (rare) is encoded again with a corrected gain. MP3 encoding then lowers
    loudness by a steady ~0.5 LU, which is allowed for up front. Both encoders take the same
    limited audio in the same ffmpeg run, so the audiobook's AAC is never made from the MP3.
    """
    loudness = integrated_loudness(pcm, rate)
    rate_out = mp3_rate(rate)
    if loudness < -60:  # silence or nearly: nothing to bring up
        _encode(pcm, rate, None, path, aac)
        return
    # The limiter eats part of any added gain (about 40% for synthetic speech), so each pass
    # encodes with the gain expected to land on target and measures what it got; a miss is
    # corrected along the slope measured between passes (secant steps).
    target = TARGET_LUFS + ENCODER_LOSS_LU
    gain, slope, last = 0.0, 0.6, (0.0, loudness)
    for _ in range(4):
        gain = last[0] + (target - last[1]) / slope
        reached = integrated_loudness(_encode(pcm, rate, gain, path, aac), rate_out)
        if abs(reached - target) <= 0.5:
            return
        slope = max(0.1, min(1.0, (reached - last[1]) / (gain - last[0])))
        last = (gain, reached)


def _limiter(gain_db: float) -> str:
    """The ffmpeg filters for a gain followed by the peak limiter."""
    ceiling = 10 ** (CEILING_DBFS / 20)
    gain_db = max(-40.0, min(40.0, gain_db))
    return (
        f"volume={gain_db:.2f}dB,"
        f"alimiter=limit={ceiling:.4f}:level=false:latency=true:attack=5:release=60"
    )


def _encode(
    pcm: bytes, rate: int, gain_db: float | None, path: Path, aac: Path | None = None
) -> bytes:
    """Encode ``pcm`` (at ``rate``) to ``path`` (MP3, at :func:`mp3_rate`) and ``aac`` (ADTS, at
    :data:`AAC_RATE`) if given, with a gain and the limiter unless ``gain_db`` is None; return
    the PCM that was encoded as MP3 (empty without a gain)."""
    source = ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0"]
    out = mp3_rate(rate)
    resample = f"aresample={out}," if rate != out else ""
    also = [*_ADTS_OUT, str(aac)] if aac else []
    if gain_db is None:
        _run([ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", *source, *_mp3_out(out),
              str(path), *also], pcm, making=path)  # fmt: skip
        return b""
    outputs = ["[out]", "[pcm]", *(["[aac]"] if aac else [])]
    graph = f"[0:a]{resample}{_limiter(gain_db)},asplit={len(outputs)}{''.join(outputs)}"
    result = _run(
        [ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", *source, "-filter_complex", graph,
         "-map", "[out]", *_mp3_out(out), str(path),
         "-map", "[pcm]", "-f", "s16le", "-ac", "1", "-ar", str(out), "pipe:1",
         *(["-map", "[aac]", *also] if aac else [])],
        pcm,
        making=path,
    )  # fmt: skip
    return result.stdout


def _mp3_out(rate: int) -> list[str]:
    """ffmpeg's output options for a track's MP3 at ``rate``."""
    # LAME's quality 7 is its fast mode: twice as fast as the default, and mono speech at
    # 64 kbps has little for the slower psychoacoustic search to gain.
    return ["-c:a", "libmp3lame", "-b:a", BITRATE, "-compression_level", "7", "-ar", str(rate),
            "-ac", "1", "-map_metadata", "-1", "-id3v2_version", "0", "-write_xing", "1",
            "-fflags", "+bitexact", "-flags:a", "+bitexact", "-f", "mp3"]  # fmt: skip


# --- MP3 frames: the whole-guide file is the tracks' frames one after another ----------------

# Layer III bit rates (kbit/s) by bitrate index: MPEG-1, and MPEG-2 and 2.5 (the lower rates).
_KBPS = {
    True: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    False: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
# Sample rates by the header's version bits (3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5) and rate index.
_RATES = {3: (44_100, 48_000, 32_000), 2: (22_050, 24_000, 16_000), 0: (11_025, 12_000, 8_000)}
MP3_RATES = tuple(sorted(rate for rates in _RATES.values() for rate in rates))


def mp3_rate(rate: int) -> int:
    """The MP3 sample rate for speech at ``rate``: the same, where MP3 has it (22.05 kHz for
    espeak-ng and Piper, 24 kHz for gTTS), else the next one up."""
    return next((mp3 for mp3 in MP3_RATES if mp3 >= rate), MP3_RATES[-1])


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
    """What an MP3 that :func:`encode_normalised` made holds, read from its first frames: after
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
    """The head of an MP3 made by :func:`encode_normalised` (the audio itself is not read)."""
    try:
        with open(path, "rb") as handle:
            head, start = handle.read(10), 0
            if head[:3] == b"ID3":
                start = 10 + _syncsafe(head[6:10])
                start += 10 if head[5] & 0x10 else 0  # a footer
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
    """Join MP3s made by :func:`encode_normalised` into one, frame by frame: no second
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
        _run([ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-f", "s16le", "-ar",
              str(rate), "-ac", "1", "-i", "pipe:0", *_mp3_out(rate), str(path)], pcm,
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


def decode(source: Path | bytes, sample_rate: int = SAMPLE_RATE) -> bytes:
    """An audio file's samples (or those of encoded audio in memory, such as an MP3) as 16-bit
    mono PCM at ``sample_rate``. Raises BuildError when ffmpeg fails or finds no audio."""
    data = source if isinstance(source, bytes) else None
    where = "pipe:0" if data is not None else str(source)
    result = _run([ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin", "-i", where,
                   "-f", "s16le", "-ac", "1", "-ar", str(sample_rate), "pipe:1"], data)  # fmt: skip
    if not result.stdout:
        raise BuildError("ffmpeg found no audio to decode")
    return result.stdout


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
    artist: str | None = None  # the guide's author or publisher; None: no artist tag
    cover: Picture | None = None
    date: str | None = None  # "2024-05-01": guide.yaml's published, the recording date

    def identity(self) -> dict:
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
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=[tags.title]))
    id3.add(TALB(encoding=3, text=[tags.album]))
    if tags.track:
        id3.add(TRCK(encoding=3, text=[tags.track]))
    id3.add(TLAN(encoding=3, text=[tags.language]))
    if tags.artist:  # never the title: audiobook and music apps list the artist as the author
        id3.add(TPE1(encoding=3, text=[tags.artist]))
    id3.add(TCOM(encoding=3, text=list(tags.voices)))  # ID3v2.3 writes them joined by "/"
    id3.add(TCON(encoding=3, text=["Speech"]))
    if tags.date:  # ID3v2.3 has no TDRC: mutagen writes it as TYER and TDAT
        id3.add(TDRC(encoding=3, text=[tags.date]))
    id3.add(USLT(encoding=3, lang=tags.language, desc="transcript", text=tags.transcript))
    if tags.cover:
        id3.add(APIC(encoding=3, mime=tags.cover.mime, type=PictureType.COVER_FRONT,
                     desc="cover", data=tags.cover.data))  # fmt: skip
    chapter_ids = [f"ch{n}" for n in range(len(tags.chapters))]
    ids, level = chapter_ids, 0
    while len(ids) > TOC_ENTRIES:
        level += 1
        groups = [ids[start : start + TOC_ENTRIES] for start in range(0, len(ids), TOC_ENTRIES)]
        ids = [f"toc{level}-{n}" for n in range(len(groups))]
        for element_id, children in zip(ids, groups, strict=True):
            id3.add(CTOC(element_id=element_id, flags=CTOCFlags.ORDERED,
                         child_element_ids=children, sub_frames=[]))  # fmt: skip
    id3.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=3, text=[tags.album])],
        )
    )
    for element_id, chapter in zip(chapter_ids, tags.chapters, strict=True):
        id3.add(
            CHAP(
                element_id=element_id,
                start_time=chapter.start_ms,
                end_time=chapter.end_ms,
                sub_frames=[TIT2(encoding=3, text=[chapter.title])],
            )
        )
    id3.add(TXXX(encoding=3, desc=INPUTS_TAG, text=[tags.inputs]))
    id3.save(path, v2_version=3)
    _chapters_in_time_order(path)


def _syncsafe(data: bytes) -> int:
    """An ID3v2 size: 7 bits a byte."""
    return sum(byte << (7 * n) for n, byte in enumerate(reversed(data)))


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
    try:
        # Only TXXX frames are parsed: the transcript and chapters stay raw bytes.
        frame = ID3(path, known_frames={"TXXX": TXXX}).get(f"TXXX:{INPUTS_TAG}")
    except Exception:  # missing file, no tag, damaged tag: all mean "build it again"
        return None
    return str(frame.text[0]) if frame else None


# --- the M4B audiobook ---------------------------------------------------------------------

AAC_FRAME = 1024  # samples per AAC frame
# The voices speak at 22.05 kHz (espeak-ng, Piper) or 24 kHz (gTTS), so AAC at 22.05 kHz keeps
# what they say, and costs 40% less to encode than at 44.1 kHz (111 ms of CPU for 25 s of speech
# against 182, where the MP3 takes 92): the audiobook was most of a cold build's encoding.
AAC_RATE = 22_050
# ffmpeg's default AAC coder (twoloop) overshoots on this speech: limited to -2.5 dBFS, it came
# back at +0.4 dBTP, clipping. Its "fast" coder stays under -1.5 dBTP but spends more than it is
# asked for: a nominal 48k gives about 69 kbps on the shipped guide (64k gave 90), about as many
# bytes as the 64 kbps MP3s.
AAC_BITRATE = "48k"
_ADTS_OUT = ["-c:a", "aac", "-aac_coder", "fast", "-b:a", AAC_BITRATE, "-ar", str(AAC_RATE),
             "-ac", "1", "-fflags", "+bitexact", "-flags:a", "+bitexact", "-f", "adts"]  # fmt: skip


def encode_aac(pcm: bytes, path: Path, rate: int) -> None:
    """PCM at ``rate`` as AAC-LC in raw ADTS frames, ready to be joined to other parts frame by
    frame."""
    _run([ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-f", "s16le", "-ar", str(rate),
          "-ac", "1", "-i", "pipe:0", *_ADTS_OUT, str(path)], pcm, making=path)  # fmt: skip


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
        _run([ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-f", "aac", "-i", str(joined),
              "-i", str(metadata), "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1",
              "-c", "copy", "-metadata:s:a:0", f"language={tags.language}", "-brand", "M4B ",
              "-movflags", "+faststart", "-fflags", "+bitexact", "-f", "ipod",
              str(path)], making=path)  # fmt: skip
    _label_tracks(path, tags.language)
    mp4 = MP4(path)
    if mp4.tags is None:
        mp4.add_tags()
    mp4["\xa9nam"] = [tags.title]
    mp4["\xa9alb"] = [tags.album]
    if tags.artist:
        mp4["\xa9ART"] = [tags.artist]
        mp4["aART"] = [tags.artist]
    mp4["\xa9wrt"] = list(tags.voices)  # the narrators, where audiobook apps look for them
    if tags.date:
        mp4["\xa9day"] = [tags.date]
    mp4["\xa9gen"] = ["Audiobook"]
    mp4["stik"] = [2]  # media kind: audiobook
    mp4["\xa9lyr"] = [tags.transcript]
    if tags.cover:
        kind = MP4Cover.FORMAT_PNG if tags.cover.mime == "image/png" else MP4Cover.FORMAT_JPEG
        mp4["covr"] = [MP4Cover(tags.cover.data, imageformat=kind)]
    mp4[_M4B_INPUTS] = [MP4FreeForm(tags.inputs.encode("utf-8"))]
    mp4.save()


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
    try:
        tags = MP4(path).tags
        values = tags.get(_M4B_INPUTS) if tags is not None else None
    except Exception:  # missing file, damaged file: both mean "build it again"
        return None
    return bytes(values[0]).decode("utf-8") if values else None


def _ffmetadata(text: str) -> str:
    """A value for ffmpeg's metadata file: on one line, its special characters escaped."""
    text = " ".join(text.split())
    return re.sub(r"([=;#\\])", r"\\\1", text)
