"""Audio: bring clips to one rate, join them, measure loudness, encode MP3, write ID3 tags.

Everything runs on the ffmpeg binary that ships in the imageio-ffmpeg wheel (there is no
ffprobe, so nothing here asks for one), on raw 16-bit mono PCM; MP3s are 44.1 kHz.

Loudness follows the spoken-podcast targets: -16 LUFS integrated (ITU-R BS.1770, measured in
this process by libloudness, and checked by ffmpeg's ebur128 in the tests), and a limiter whose
ceiling leaves the decoded MP3's true peak below -1.5 dBTP. Each track is encoded in one ffmpeg
pass.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import imageio_ffmpeg
from mutagen import MutagenError
from mutagen.id3 import CHAP, CTOC, ID3, TALB, TCON, TIT2, TLAN, TPE1, TRCK, TXXX, USLT, CTOCFlags
from mutagen.mp3 import MPEGInfo

from .clip import Clip
from .edition import Chapter
from .errors import BuildError


@cache
def ffmpeg() -> str:
    """The ffmpeg binary of the imageio-ffmpeg wheel. Found (and run once, to check it) on first
    use, not on import: a rebuild with nothing to do runs no ffmpeg at all."""
    return imageio_ffmpeg.get_ffmpeg_exe()


SAMPLE_RATE = 44_100
BYTES_PER_MS = SAMPLE_RATE * 2 / 1000
BITRATE = "64k"
TARGET_LUFS = -16.0
CEILING_DBFS = -2.5  # sample-peak ceiling; MP3 and inter-sample overshoot stay under -1.5 dBTP
ENCODER_LOSS_LU = 0.5  # 64 kbps MP3 measures about this much quieter than its source
INPUTS_TAG = "audioguide-inputs"


def to_rate(clip: Clip, rate: int = SAMPLE_RATE) -> bytes:
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


def silence(ms: int, rate: int = SAMPLE_RATE) -> bytes:
    return bytes(2 * round(ms * rate / 1000))


def duration_ms(pcm: bytes) -> float:
    return len(pcm) / BYTES_PER_MS


@dataclass(frozen=True)
class Loudness:
    integrated: float  # LUFS
    true_peak: float  # dBTP


def _run(args: list[str], data: bytes | None = None) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(args, input=data, capture_output=True, check=False)
    except OSError as exc:
        raise BuildError(f"cannot run ffmpeg ({exc.strerror}); reinstall imageio-ffmpeg") from None
    if result.returncode != 0:
        last = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        if not last and result.returncode < 0:  # stopped by a signal, e.g. a full disk's SIGXFSZ
            last = [signal.strsignal(-result.returncode) or f"signal {-result.returncode}"]
        raise BuildError(f"ffmpeg failed: {(last or ['?'])[0]}")
    return result


def measure(path: Path) -> Loudness:
    """Integrated loudness and true peak of an audio file as ffmpeg's ebur128 measures them
    (ITU-R BS.1770): the reference the tests hold the encoded MP3s to."""
    result = _run([ffmpeg(), "-hide_banner", "-nostats", "-i", str(path),
                   "-af", "ebur128=peak=true:framelog=quiet", "-f", "null", "-"])  # fmt: skip
    summary = result.stderr.decode("utf-8", "replace").rsplit("Summary:", 1)[-1]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if not integrated or not peak:
        raise BuildError("ffmpeg did not report loudness")
    return Loudness(float(integrated.group(1)), float(peak.group(1)))


def integrated_loudness(pcm: bytes, rate: int = SAMPLE_RATE) -> float:
    """The integrated loudness of 16-bit mono PCM in LUFS (ITU-R BS.1770), measured in this
    process by libloudness: about 8 ms for 25 s of speech, where an ffmpeg pass takes 60."""
    import loudness  # with numpy: only the workers that encode need them
    import numpy

    samples = numpy.frombuffer(pcm, dtype="<i2").astype(numpy.float32) / 32768
    if len(samples) < rate * 0.4:  # shorter than one gating block
        return float("-inf")
    return float(loudness.integrated_loudness(samples, rate))


def encode_normalised(pcm: bytes, path: Path, rate: int = SAMPLE_RATE) -> None:
    """Encode speech at ``rate`` as MP3 at -16 LUFS under a peak limiter, in one ffmpeg pass.

    The gain comes from the loudness measured here, before encoding. Limiting the peaks lowers
    loudness, so the pass also hands back the limited signal, which is measured too; a miss of
    more than 0.5 LU (rare) is encoded again with a corrected gain. MP3 encoding then lowers
    loudness by a steady ~0.5 LU, which is allowed for up front.
    """
    loudness = integrated_loudness(pcm, rate)
    if loudness < -60:  # silence or nearly: nothing to bring up
        _encode(pcm, rate, None, path)
        return
    # The limiter eats part of any added gain (about 40% for synthetic speech), so each pass
    # encodes with the gain expected to land on target and measures what it got; a miss is
    # corrected along the slope measured between passes (secant steps).
    target = TARGET_LUFS + ENCODER_LOSS_LU
    gain, slope, last = 0.0, 0.6, (0.0, loudness)
    for _ in range(4):
        gain = last[0] + (target - last[1]) / slope
        reached = integrated_loudness(_encode(pcm, rate, gain, path))
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


def _encode(pcm: bytes, rate: int, gain_db: float | None, path: Path) -> bytes:
    """Encode ``pcm`` (at ``rate``) to ``path`` at 44.1 kHz, with a gain and the limiter unless
    ``gain_db`` is None; return the 44.1 kHz PCM that was encoded (empty without a gain)."""
    source = ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0"]
    resample = f"aresample={SAMPLE_RATE}," if rate != SAMPLE_RATE else ""
    if gain_db is None:
        _run([ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", *source, *_MP3_OUT, str(path)],
             pcm)  # fmt: skip
        return b""
    graph = f"[0:a]{resample}{_limiter(gain_db)},asplit=2[out][pcm]"
    result = _run(
        [ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", *source, "-filter_complex", graph,
         "-map", "[out]", *_MP3_OUT, str(path),
         "-map", "[pcm]", "-f", "s16le", "-ac", "1", "-ar", str(SAMPLE_RATE), "pipe:1"],
        pcm,
    )  # fmt: skip
    return result.stdout


def encode_mp3(pcm: bytes, path: Path, rate: int = SAMPLE_RATE) -> None:
    """Encode PCM at ``rate`` as constant 64 kbps mono 44.1 kHz MP3, as it is."""
    _encode(pcm, rate, None, path)


_MP3_OUT = [
    # LAME's quality 7 is its fast mode: twice as fast as the default, and mono speech at
    # 64 kbps has little for the slower psychoacoustic search to gain.
    "-c:a", "libmp3lame", "-b:a", BITRATE, "-compression_level", "7",
    "-ar", str(SAMPLE_RATE), "-ac", "1",
    "-map_metadata", "-1", "-id3v2_version", "0", "-write_xing", "1",
    "-fflags", "+bitexact", "-flags:a", "+bitexact", "-f", "mp3",
]  # fmt: skip


def concat_mp3(sources: list[Path], path: Path) -> None:
    """Join MP3s made by :func:`encode_mp3` frame by frame, without re-encoding.

    No second generation of MP3 loss and the loudness of the parts; each part keeps its
    encoder padding, so part ``k`` starts at :func:`frame_starts` ``[k]`` in the joined file.
    """
    with tempfile.TemporaryDirectory(prefix="audioguide-concat-") as tmp:
        listing = Path(tmp) / "parts.txt"
        quoted = ("file '" + str(Path(p).resolve()).replace("'", "'\\''") + "'" for p in sources)
        listing.write_text("\n".join(quoted) + "\n", "utf-8")
        _run([ffmpeg(), "-hide_banner", "-loglevel", "fatal", "-y", "-f", "concat", "-safe", "0",
              "-i", str(listing), "-c", "copy", "-map_metadata", "-1", "-id3v2_version", "0",
              "-write_xing", "1", "-fflags", "+bitexact", "-f", "mp3", str(path)])  # fmt: skip


def frame_starts(sources: list[Path]) -> list[float]:
    """Where each MP3 starts, in ms, once joined by :func:`concat_mp3`.

    A joined part occupies all of its MPEG frames (1152 samples each), encoder padding included;
    the decoder trims only the first part's start and the last part's end.
    """
    starts, samples = [], 0
    for source in sources:
        starts.append(samples * 1000 / SAMPLE_RATE)
        try:
            with open(source, "rb") as handle:  # the stream only: its tags are not parsed
                length = MPEGInfo(handle).length
        except MutagenError:
            raise BuildError(f"{source} is not an MP3 file") from None
        samples += round(length * SAMPLE_RATE / 1152) * 1152
    return starts


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
class Tags:
    title: str
    album: str
    track: str  # "n/N"
    language: str  # ISO 639-2
    voice: str
    transcript: str
    chapters: tuple[Chapter, ...]
    inputs: str  # hash of everything the file was made from


# A CTOC counts its entries in one byte: more chapters than that are grouped under child CTOCs.
TOC_ENTRIES = 255


def write_tags(path: Path, tags: Tags) -> None:
    """ID3v2.3 tags, with one CHAP per chapter under an ordered top-level CTOC (through ordered
    child CTOCs of up to 255 entries each when there are more chapters than one CTOC holds)."""
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=[tags.title]))
    id3.add(TALB(encoding=3, text=[tags.album]))
    id3.add(TRCK(encoding=3, text=[tags.track]))
    id3.add(TLAN(encoding=3, text=[tags.language]))
    id3.add(TPE1(encoding=3, text=[tags.voice]))
    id3.add(TCON(encoding=3, text=["Speech"]))
    id3.add(USLT(encoding=3, lang=tags.language, desc="transcript", text=tags.transcript))
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


def read_inputs(path: Path) -> str | None:
    """The inputs hash a built MP3 was tagged with, or None."""
    try:
        # Only TXXX frames are parsed: the transcript and chapters stay raw bytes.
        frame = ID3(path, known_frames={"TXXX": TXXX}).get(f"TXXX:{INPUTS_TAG}")
    except Exception:  # missing file, no tag, damaged tag: all mean "build it again"
        return None
    return str(frame.text[0]) if frame else None
