"""Browser tests of the web player: Debian's Chromium through selenium, axe-core from npm.

The site under test comes from ``guide_site.py`` (editions made there, real MP3s from ffmpeg) and
is served by :func:`audioguide.serve.make_server` on a loopback port.

Without chromium, chromedriver or axe-core the tests skip and say what to install; with
``CI=true`` they fail instead, since CI installs them (``.ci/run``).
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from build_helpers import need
from guide_site import build_site, hostile_site, make_editions, shipped_translations

from audioguide.edition import Edition
from audioguide.serve import make_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"


# --- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def tools():
    """Chromium, its driver and selenium; skip (or fail under CI=true) without them."""
    need(
        Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file(),
        "Chromium not found: apt-get install chromium chromium-driver",
    )
    try:
        import selenium  # noqa: F401
    except ImportError:
        need(False, "selenium not installed: pip install -e '.[test]'")


@pytest.fixture(scope="session")
def editions() -> list[Edition]:
    return make_editions()


@pytest.fixture(scope="session")
def site(tmp_path_factory, editions) -> Path:
    output = tmp_path_factory.mktemp("output")
    build_site(output, editions, shipped_translations(editions))
    return output


@pytest.fixture(scope="session")
def hostile(tmp_path_factory, editions) -> Path:
    output = tmp_path_factory.mktemp("hostile")
    build_site(output, *hostile_site(editions))
    return output


def _serve(output: Path):
    server = make_server(output, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture(scope="session")
def base_url(site):
    server, thread = _serve(site)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="session")
def hostile_url(hostile):
    server, thread = _serve(hostile)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="session")
def driver(tools, tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-quic", "--disable-dev-shm-usage", "--mute-audio",
        "--autoplay-policy=no-user-gesture-required", "--window-size=1280,900",
        "--hide-scrollbars", "--force-device-scale-factor=1",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):  # fmt: skip
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    browser.set_page_load_timeout(30)
    yield browser
    browser.quit()


@pytest.fixture
def open_page(driver):
    """Open a page with a clean slate: default window size, nothing remembered."""

    def go(url: str, width: int = 1280, height: int = 900):
        driver.set_window_size(width, height)
        driver.get(url)
        driver.execute_script("try { localStorage.clear(); } catch (e) {}")
        driver.get(url)
        return driver

    return go


@pytest.fixture(scope="session")
def axe_source(tools) -> str:
    need(AXE.is_file(), "axe-core not found: npm install --no-save axe-core@4 (at the repo root)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
