"""Readers that take the files as listeners' apps do, outside Python's own libraries.

- ``ffprobe`` (Debian's ffmpeg package; imageio-ffmpeg ships none) lists chapters the way
  ffmpeg-based players and converters take them: in the order the file stores them.
- ``podcast-partytime`` (npm), the feed parser of Podcast Index, knows the podcast namespace.

Without them the tests that need them skip and say what to install; with ``CI=true`` they fail
instead, since ``.ci/run`` installs both.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from build_helpers import need

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
