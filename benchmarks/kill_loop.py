"""`python benchmarks/kill_loop.py [ROUNDS]`: kill -9 cold builds of the shipped guide at random
moments, and check that the build after each finishes and leaves a manifest that is true.

Each round copies `scripts/` and `locales/` into a fresh folder, starts a cold build (espeak,
its own cache), kills the build process alone with SIGKILL at a random moment of its run
(its workers must die with it), checks that no process of it is left, then builds again and
checks every file the manifest lists (size and SHA-256). Prints one line per round.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def command(work: Path) -> list[str]:
    return [sys.executable, "-m", "audioguide", "build", "--engine", "espeak", "--quiet",
            "--scripts", str(work / "scripts"), "--locales", str(work / "locales"),
            "--output", str(work / "output"), "--cache", str(work / "cache")]  # fmt: skip


def session(leader: int) -> list[int]:
    """Live processes of the session ``leader`` started."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if fields[0] != "Z" and int(fields[3]) == leader:
                found.append(int(entry.name))
    return found


def listed(data: object) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    if isinstance(data, dict):
        if "file" in data:
            found[data["file"]] = (data["bytes"], data["sha256"])
        for value in data.values():
            found |= listed(value)
    elif isinstance(data, list):
        for value in data:
            found |= listed(value)
    return found


def verify(output: Path) -> int:
    """The number of files the manifest lists, each checked; exits on the first that differs."""
    files = listed(json.loads((output / "manifest.json").read_text("utf-8")))
    for path, (size, sha256) in files.items():
        data = (output / path).read_bytes()
        if (len(data), hashlib.sha256(data).hexdigest()) != (size, sha256):
            sys.exit(f"{path}: not as the manifest lists it")
    return len(files)


def main(rounds: int) -> None:
    random.seed(os.environ.get("SEED", "kill-loop"))
    # One uninterrupted cold build first: how long a normal one takes here, now.
    with tempfile.TemporaryDirectory(prefix="audioguide-kill-") as tmp:
        work = Path(tmp)
        for name in ("scripts", "locales"):
            shutil.copytree(ROOT / name, work / name)
        started = time.monotonic()
        subprocess.run(command(work), check=True, stdout=subprocess.DEVNULL)
        normal = time.monotonic() - started
    print(f"a cold build takes {normal:.1f} s here")
    for n in range(1, rounds + 1):
        with tempfile.TemporaryDirectory(prefix="audioguide-kill-") as tmp:
            work = Path(tmp)
            for name in ("scripts", "locales"):
                shutil.copytree(ROOT / name, work / name)
            moment = random.uniform(0.3, normal * 0.9)
            build = subprocess.Popen(command(work), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
            time.sleep(moment)
            finished = build.poll() is not None
            os.kill(build.pid, signal.SIGKILL)
            build.wait()
            deadline = time.monotonic() + 10
            while session(build.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            left = session(build.pid)
            started = time.monotonic()
            after = subprocess.run(command(work), capture_output=True, text=True,
                                   timeout=max(120, normal * 5))  # fmt: skip
            took = time.monotonic() - started
            if left or after.returncode != 0:
                sys.exit(f"round {n}: {len(left)} processes left; next build: {after.stderr}")
            count = verify(work / "output")
            state = "it had finished" if finished else "killed"
            print(
                f"round {n:2d}: killed at {moment:4.1f} s ({state}), no process left; the "
                f"next build took {took:4.1f} s; {count} files as the manifest lists them"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
