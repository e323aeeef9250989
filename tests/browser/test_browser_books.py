"""What Chromium makes of the captions and the EPUB's pages: the language a fallback cue is
marked with, and how the spoken announcement is set in Korean, Chinese and English."""

from __future__ import annotations

import io
import threading
import zipfile
from pathlib import Path

import pytest
from editions import chinese, english, fake_mp3, korean, render_epub, shipped
from test_browser_player import wait
from timelines import make_track

from audioguide.package.captions import render_vtt
from audioguide.serve import make_server

pytestmark = pytest.mark.slow  # a browser: not in `make test-fast`

PAGE = """<!doctype html><html lang="ko"><title>captions</title>
<video><track kind="captions" src="captions.vtt" srclang="ko" default></video>"""


@pytest.fixture
def served(tmp_path: Path):
    server = make_server(tmp_path, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_chromium_reads_the_language_of_a_fallback_cue(open_page, served):
    folder, url = served
    track = make_track(
        1, "welcome", "환영합니다", [(250, 1200, "1번 트랙.")],
        [[(1600, 2800, "Welcome to the museum."), (3200, 4000, "Enjoy your visit.")],
         [(4400, 5200, "감사합니다.")]],
        lang="ko", duration_ms=5500, untranslated=["p1"],
    )  # fmt: skip
    (folder / "captions.vtt").write_bytes(render_vtt(track, "ko"))
    (folder / "page.html").write_text(PAGE, "utf-8")
    driver = open_page(url + "page.html")
    wait(driver, "return document.querySelector('video').textTracks[0].cues?.length === 4")

    cues = driver.execute_script(
        """return Array.from(document.querySelector('video').textTracks[0].cues, cue => {
             const marked = cue.getCueAsHTML().querySelector('[lang]');
             return [cue.text.replace(/<[^>]+>/g, ''), marked ? marked.lang : null];
           });"""
    )

    assert cues == [
        ["1번 트랙.", None],
        ["Welcome to the museum.", "en"],  # the untranslated paragraph, read in English
        ["Enjoy your visit.", "en"],
        ["감사합니다.", None],
    ]


@pytest.mark.parametrize(
    ("make", "style", "weight"),
    [(korean, "normal", "700"), (chinese, "normal", "700"), (english, "italic", "400")],
)
def test_the_announcement_is_set_apart_without_italics_in_cjk(open_page, served, make, style,
                                                              weight):  # fmt: skip
    folder, _ = served
    edition = make()
    audio = {edition.track_file(t, ".mp3"): fake_mp3(t.stem) for t in edition.tracks}
    data = render_epub(edition, audio, shipped(edition.language))
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        book.extractall(folder)
    # From the file, as a reading app opens it (the preview server does not serve .xhtml).
    driver = open_page((folder / "EPUB" / f"{edition.tracks[0].stem}.xhtml").as_uri())
    wait(driver, "return document.querySelector('.announcement') !== null")

    found = driver.execute_script(
        """const style = getComputedStyle(document.querySelector('.announcement'));
           return [style.fontStyle, style.fontWeight];"""
    )

    assert found == [style, weight]
