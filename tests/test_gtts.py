"""The gTTS engine against recorded Google answers (the `responses` library; no network).

The MP3 in the answers is a real 0.5 s tone made with the bundled ffmpeg, and the engine decodes
it with the same real ffmpeg.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import subprocess
import urllib.parse
from array import array

import imageio_ffmpeg
import pytest
import requests
import responses
from responses.registries import OrderedRegistry

from audioguide.engines import Voice
from audioguide.engines.gtts import GttsEngine
from audioguide.errors import EngineError
from audioguide.languages import resolve

URL = re.compile(r"https://translate\.google\.com/_/TranslateWebserverUi/data/batchexecute.*")
SENTENCE = "Welcome to the old market of Seoul."


@pytest.fixture(scope="module")
def mp3(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A 0.5 s 440 Hz tone, 24 kHz mono MP3 (written to a file so LAME records its padding)."""
    path = tmp_path_factory.mktemp("mp3") / "tone.mp3"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=0.5:sample_rate=24000",
            "-ac", "1", "-c:a", "libmp3lame", "-b:a", "32k", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


def answer(mp3: bytes) -> str:
    """A batchexecute answer as Google sends it, with ``mp3`` as the audio."""
    audio = base64.b64encode(mp3).decode("ascii")
    line = '[["wrb.fr","jQ1olc","[\\"' + audio + '\\"]",null,null,null,"generic"]]\n'
    return ")]}'\n\n1\n" + line


def sent_text(call: responses.Call) -> tuple[str, str]:
    """(text, language) of one recorded request."""
    body = call.request.body
    body = body.decode() if isinstance(body, bytes) else body
    rpc = json.loads(urllib.parse.unquote(body.removeprefix("f.req=").rstrip("&")))
    text, lang, *_ = json.loads(rpc[0][0][1])
    return text, lang


@pytest.fixture
def http():
    with responses.RequestsMock(registry=OrderedRegistry) as mock:
        yield mock


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def engine(sleeps: list[float]) -> GttsEngine:
    return GttsEngine(sleep=sleeps.append)


def peak(pcm: bytes) -> int:
    return max(abs(s) for s in array("h", pcm))


def test_speaks_a_sentence_and_decodes_it(http, engine, sleeps, mp3):
    http.post(URL, body=answer(mp3))
    clip = engine.synthesize(SENTENCE, resolve("en"), Voice())
    assert clip.sample_rate == 24_000
    assert clip.duration_ms == pytest.approx(500, abs=60)
    assert peak(clip.pcm) > 3000  # the tone, not silence
    assert sent_text(http.calls[0]) == (SENTENCE, "en")
    assert sleeps == []


def test_every_request_has_a_timeout(http, engine, mp3):
    http.post(URL, body=answer(mp3))
    engine.synthesize(SENTENCE, resolve("en"), Voice())
    assert http.calls[0].request.req_kwargs["timeout"] == 10.0


def test_language_tld_and_slow_reach_google(http, engine, mp3):
    url = re.compile(r"https://translate\.google\.co\.kr/_/TranslateWebserverUi/data/batchexecute")
    http.post(url, body=answer(mp3))
    engine.synthesize(
        "你好，欢迎。", resolve("zh_Hans"), Voice(settings=(("slow", True), ("tld", "co.kr")))
    )
    body = urllib.parse.unquote(http.calls[0].request.body)
    assert sent_text(http.calls[0]) == ("你好，欢迎。", "zh-CN")
    assert '\\"zh-CN\\",true' in body  # the slow reading flag


def test_rate_limit_is_retried_with_growing_delays(http, engine, sleeps, mp3):
    http.post(URL, status=429)
    http.post(URL, status=429)
    http.post(URL, body=answer(mp3))
    clip = engine.synthesize(SENTENCE, resolve("en"), Voice())
    assert clip.duration_ms == pytest.approx(500, abs=60)
    assert len(http.calls) == 3
    assert len(sleeps) == 2
    assert sleeps[0] >= 1.0 and sleeps[0] <= 1.5  # backoff with jitter
    assert sleeps[1] >= 2.0 and sleeps[1] <= 3.0


def test_server_errors_give_up_after_four_attempts(http, engine, sleeps):
    for _ in range(4):
        http.post(URL, status=503)
    with pytest.raises(EngineError) as error:
        engine.synthesize(SENTENCE, resolve("en"), Voice())
    message = str(error.value)
    assert "Welcome to the old market" in message and "503" in message
    assert "\n" not in message
    assert len(http.calls) == 4
    assert sleeps == sorted(sleeps) and len(sleeps) == 3


def test_timeout_is_retried(http, engine, sleeps, mp3):
    http.post(URL, body=requests.Timeout("read timed out"))
    http.post(URL, body=answer(mp3))
    clip = engine.synthesize(SENTENCE, resolve("ko"), Voice())
    assert clip.duration_ms == pytest.approx(500, abs=60)
    assert len(http.calls) == 2 and len(sleeps) == 1


@pytest.mark.parametrize(
    "body",
    [
        ")]}'\n\n1\n" + '[["wrb.fr","other",null,null,null,null,"generic"]]\n',  # no audio line
        ")]}'\n\n1\n" + '[["wrb.fr","jQ1olc",null,null,null,[3],"generic"]]\n',  # line, no audio
    ],
    ids=["no-audio-line", "audio-line-without-audio"],
)
def test_an_answer_without_audio_is_an_error_not_silence(http, engine, sleeps, body):
    http.post(URL, body=body)
    with pytest.raises(EngineError, match="gTTS returned no audio for 'Welcome to the old"):
        engine.synthesize(SENTENCE, resolve("en"), Voice())
    assert len(http.calls) == 1 and sleeps == []


def test_connection_refused_fails_at_once_and_engine_is_unavailable(http, engine, sleeps):
    http.post(URL, body=requests.ConnectionError("[Errno 111] Connection refused"))
    http.head("https://translate.google.com/", body=requests.ConnectionError("refused"))
    with pytest.raises(EngineError, match=re.escape("cannot reach translate.google.com")) as error:
        engine.synthesize(SENTENCE, resolve("en"), Voice())
    assert "Welcome to the old market" in str(error.value)
    assert len(http.calls) == 1 and sleeps == []
    assert engine.available() is False


def test_available_when_google_answers(http, engine):
    http.head("https://translate.google.com/", status=301)
    assert engine.available() is True


def test_forbidden_is_not_retried(http, engine, sleeps):
    http.post(URL, status=403)
    with pytest.raises(EngineError, match="403"):
        engine.synthesize(SENTENCE, resolve("en"), Voice())
    assert len(http.calls) == 1 and sleeps == []


def test_a_long_sentence_is_sent_in_pieces_of_at_most_100_characters(http, engine, mp3):
    text = (
        "The market opened in 1988, after many years of planning by the city and the merchants, "
        "and it still sells fish, rice and ginseng to visitors from all over the world every day."
    )
    http.post(URL, body=answer(mp3))
    http.post(URL, body=answer(mp3))
    clip = engine.synthesize(text, resolve("en"), Voice())
    pieces = [sent_text(call)[0] for call in http.calls]
    assert len(pieces) == 2 and all(len(p) <= 100 for p in pieces)
    assert pieces[0].endswith(",")  # cut at a clause boundary
    assert " ".join(pieces) == text
    assert clip.duration_ms == pytest.approx(1000, abs=120)


def test_a_language_google_cannot_speak_is_refused_without_a_request(http, engine):
    klingon = dataclasses.replace(resolve("en"), code="tlh", english_name="Klingon")
    assert not engine.supports(klingon)
    with pytest.raises(EngineError, match="Klingon"):
        engine.synthesize(SENTENCE, klingon, Voice())
    assert len(http.calls) == 0


def test_version_names_gtts():
    assert GttsEngine().version(resolve("en"), Voice()).startswith("gTTS 2.")
