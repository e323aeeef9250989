"""ffmpeg: the binary of the imageio-ffmpeg wheel, run with one clear error, and audio decoded
with it to 16-bit mono PCM (the voices' MP3s and the audio stage's files alike).

There is no ffprobe in the wheel, so nothing here asks for one.
"""

from __future__ import annotations

import signal
import subprocess
from functools import cache
from pathlib import Path

import imageio_ffmpeg

from .errors import BuildError
from .files import final_path


@cache
def ffmpeg() -> str:
    """The ffmpeg binary of the imageio-ffmpeg wheel. Found (and run once, to check it) on first
    use, not on import: a rebuild with nothing to do runs no ffmpeg at all."""
    return str(imageio_ffmpeg.get_ffmpeg_exe())


# The rate :func:`decode` gives unless asked for another (what the tests measure at).
SAMPLE_RATE = 44_100
BYTES_PER_MS = SAMPLE_RATE * 2 / 1000


def run(
    args: list[str], data: bytes | None = None, making: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
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


def decode(source: Path | bytes, sample_rate: int = SAMPLE_RATE) -> bytes:
    """An audio file's samples (or those of encoded audio in memory, such as an MP3) as 16-bit
    mono PCM at ``sample_rate``. Raises BuildError when ffmpeg fails or finds no audio."""
    data = source if isinstance(source, bytes) else None
    where = "pipe:0" if data is not None else str(source)
    result = run([ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin", "-i", where,
                  "-f", "s16le", "-ac", "1", "-ar", str(sample_rate), "pipe:1"], data)  # fmt: skip
    if not result.stdout:
        raise BuildError("ffmpeg found no audio to decode")
    return result.stdout
