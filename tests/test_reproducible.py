"""Same input, same bytes: two cold builds, one worker against two, into fresh
output folders, give the same files. Each sentence's audio depends only on its inputs, so
neither the cache nor the order in which workers take the tracks shows in the output."""

from __future__ import annotations

import hashlib

import pytest
from build_helpers import BASE_URL, new_site, run

pytestmark = pytest.mark.slow  # real builds in processes, browsers, Java: not in `make test-fast`


def test_cold_builds_with_one_or_two_workers_are_byte_identical(tmp_path):
    site = new_site(tmp_path / "guide")
    digests = []
    for jobs in ("1", "2"):
        output = tmp_path / f"output-{jobs}"
        command = site.command("--base-url", BASE_URL, "--jobs", jobs, cache=False)
        command[command.index(str(site.output))] = str(output)
        result = run(command, cwd=site.root)
        assert result.returncode == 0, result.stderr
        files = sorted(p.relative_to(output) for p in output.rglob("*") if p.is_file())
        digests.append(
            {str(path): hashlib.sha256((output / path).read_bytes()).hexdigest() for path in files}
        )
    assert digests[0] == digests[1]
    assert "manifest.json" in digests[0]
