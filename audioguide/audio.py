"""Audio: bring clips to one rate, join them, measure loudness, encode MP3, write ID3 tags.

Everything runs on the ffmpeg binary that ships in the imageio-ffmpeg wheel (there is no
ffprobe, so nothing here asks for one), on raw 16-bit mono PCM at 44.1 kHz.

Loudness follows the spoken-podcast targets: -16 LUFS integrated (ITU-R BS.1770, measured by
ffmpeg's ebur128), and a limiter whose ceiling leaves the decoded MP3's true peak below -1.5 dBTP.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg
from mutagen.id3 import CHAP, CTOC, ID3, TALB, TCON, TIT2, TLAN, TPE1, TRCK, TXXX, USLT, CTOCFlags
from mutagen.mp3 import MP3

from .clip import Clip
from .edition import Chapter
from .errors import BuildError

# pydub looks for ffmpeg on PATH at import, and fails with a KeyError when there is no PATH at
# all (`env -i`); the system's default search path is what a program started then gets anyway.
os.environ.setdefault("PATH", os.defpath)
with warnings.catch_warnings():  # pydub warns at import when no ffmpeg is on PATH
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
AudioSegment.converter = FFMPEG

SAMPLE_RATE = 44_100
BYTES_PER_MS = SAMPLE_RATE * 2 / 1000
BITRATE = "64k"
TARGET_LUFS = -16.0
CEILING_DBFS = -2.5  # sample-peak ceiling; MP3 and inter-sample overshoot stay under -1.5 dBTP
ENCODER_LOSS_LU = 0.5  # 64 kbps MP3 measures about this much quieter than its source
INPUTS_TAG = "audioguide-inputs"


def to_rate(clip: Clip) -> bytes:
    """A clip's PCM at the common sample rate."""
    if clip.sample_rate == SAMPLE_RATE:
        return clip.pcm
    segment = AudioSegment(data=clip.pcm, sample_width=2, frame_rate=clip.sample_rate, channels=1)
    return segment.set_frame_rate(SAMPLE_RATE).raw_data


def silence(ms: int) -> bytes:
    return bytes(2 * round(ms * SAMPLE_RATE / 1000))


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


_PCM_IN = ["-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", "1", "-i", "pipe:0"]


def measure(pcm: bytes | None = None, path: Path | None = None, true_peak=True) -> Loudness:
    """Integrated loudness and true peak of PCM (or of any audio file), per ITU-R BS.1770.

    Without ``true_peak`` the peak is not measured (reported as 0.0) and it runs faster.
    """
    source = _PCM_IN if path is None else ["-i", str(path)]
    scan = "ebur128=peak=true:framelog=quiet" if true_peak else "ebur128=framelog=quiet"
    result = _run(
        [FFMPEG, "-hide_banner", "-nostats", *source, "-af", scan, "-f", "null", "-"], pcm
    )
    if not true_peak:
        return Loudness(_integrated(result.stderr), 0.0)
    summary = result.stderr.decode("utf-8", "replace").rsplit("Summary:", 1)[-1]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if not integrated or not peak:
        raise BuildError("ffmpeg did not report loudness")
    return Loudness(float(integrated.group(1)), float(peak.group(1)))


def encode_normalised(pcm: bytes, path: Path) -> None:
    """Encode speech as MP3 at -16 LUFS under a peak limiter.

    Limiting the peaks lowers loudness, so the gain is corrected from measurements of the
    limited signal until it lands within 0.5 LU; MP3 encoding then lowers loudness by a steady
    ~0.5 LU, which is allowed for up front.
    """
    loudness = measure(pcm, true_peak=False).integrated
    if loudness < -60:  # silence or nearly: nothing to bring up
        encode_mp3(pcm, path)
        return
    # The limiter eats part of any added gain (about 40% for synthetic speech), so each pass
    # encodes with the gain expected to land on target and measures what it got; a miss is
    # corrected along the slope measured between passes (secant steps).
    target = TARGET_LUFS + ENCODER_LOSS_LU
    gain, slope, last = 0.0, 0.6, (0.0, loudness)
    for _ in range(4):
        gain = last[0] + (target - last[1]) / slope
        reached = _limit(pcm, gain, path)
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


def _limit(pcm: bytes, gain_db: float, path: Path) -> float:
    """Encode ``pcm`` to ``path`` with a gain and the limiter; return its loudness before MP3."""
    graph = f"[0:a]{_limiter(gain_db)},asplit=2[out][m];[m]ebur128=framelog=quiet[loud]"
    result = _run(
        [FFMPEG, "-hide_banner", "-nostats", "-y", *_PCM_IN, "-filter_complex", graph,
         "-map", "[loud]", "-f", "null", "-", "-map", "[out]", *_MP3_OUT, str(path)],
        pcm,
    )  # fmt: skip
    return _integrated(result.stderr)


def _integrated(stderr: bytes) -> float:
    summary = stderr.decode("utf-8", "replace").rsplit("Summary:", 1)[-1]
    found = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    if not found:
        raise BuildError("ffmpeg did not report loudness")
    return float(found.group(1))


def encode_mp3(pcm: bytes, path: Path) -> None:
    """Encode PCM as constant 64 kbps mono 44.1 kHz MP3."""
    _run([FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *_PCM_IN, *_MP3_OUT, str(path)], pcm)


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
        _run([FFMPEG, "-hide_banner", "-loglevel", "fatal", "-y", "-f", "concat", "-safe", "0",
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
        info = MP3(source).info
        if info is None:
            raise BuildError(f"{source} is not an MP3 file")
        samples += round(info.length * SAMPLE_RATE / 1152) * 1152
    return starts


def decode(source: Path | bytes, sample_rate: int = SAMPLE_RATE) -> bytes:
    """An audio file's samples (or those of encoded audio in memory, such as an MP3) as 16-bit
    mono PCM at ``sample_rate``. Raises BuildError when ffmpeg fails or finds no audio."""
    data = source if isinstance(source, bytes) else None
    where = "pipe:0" if data is not None else str(source)
    result = _run([FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", "-i", where,
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
        frame = ID3(path).get(f"TXXX:{INPUTS_TAG}")
    except Exception:  # missing file, no tag, damaged tag: all mean "build it again"
        return None
    return str(frame.text[0]) if frame else None
