"""Readers that take the files as listeners' apps do, outside Python's own libraries.

- ``ffprobe`` (Debian's ffmpeg package; imageio-ffmpeg ships none) lists chapters the way
  ffmpeg-based players and converters take them: in the order the file stores them.
- ``podcast-partytime`` (npm), the feed parser of Podcast Index, knows the podcast namespace.

Without them the tests that need them skip and say what to install; with ``CI=true`` they fail
instead, since ``.ci/run`` installs both.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from build_helpers import need

from audioguide import audio

ROOT = Path(__file__).parent.parent
PARTYTIME = ROOT / "node_modules" / "podcast-partytime"


def ffprobe(path: Path, *what: str) -> dict:
    """``ffprobe -show_<what>`` of ``path`` as JSON."""
    exe = shutil.which("ffprobe")
    need(exe is not None, "ffprobe not found: apt-get install ffmpeg")
    shown = [f"-show_{name}" for name in what]
    result = subprocess.run(
        [exe, "-v", "error", "-of", "json", *shown, str(path)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return json.loads(result.stdout)


def ffprobe_chapters(path: Path) -> list[tuple[float, float, str]]:
    """(start s, end s, title) of each chapter, in the order ffprobe lists them."""
    return [
        (float(c["start_time"]), float(c["end_time"]), c.get("tags", {}).get("title", ""))
        for c in ffprobe(path, "chapters")["chapters"]
    ]


def partytime(feed: Path) -> dict:
    """The feed as podcast-partytime reads it."""
    need(shutil.which("node") is not None, "node not found: apt-get install nodejs")
    need(
        PARTYTIME.is_dir(),
        "podcast-partytime not found: npm install --no-save podcast-partytime@5 (at the repo root)",
    )
    result = subprocess.run(
        ["node", str(ROOT / "tests" / "partytime.js"), str(feed)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@dataclass(frozen=True)
class Loudness:
    integrated: float  # LUFS
    true_peak: float  # dBTP


def loudness(path: Path) -> Loudness:
    """Integrated loudness and true peak of an audio file as ffmpeg's ebur128 filter measures
    them (ITU-R BS.1770): the reference the tests hold the encoded audio to."""
    result = subprocess.run(
        [audio.ffmpeg(), "-hide_banner", "-nostats", "-i", str(path),
         "-af", "ebur128=peak=true:framelog=quiet", "-f", "null", "-"],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    summary = result.stderr.decode("utf-8", "replace").rsplit("Summary:", 1)[-1]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert integrated and peak, "ffmpeg did not report loudness"
    return Loudness(float(integrated.group(1)), float(peak.group(1)))
