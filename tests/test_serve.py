"""``audioguide serve``: loopback only, inside the output folder only, right types, ranges."""

from __future__ import annotations

import errno
import http.client
import os
import select
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager

import pytest
from build_helpers import need

from audioguide.errors import AudioGuideError
from audioguide.serve import make_server

SECRET = b"outside the output folder: never served"


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("serve")
    root = tmp_path / "output"
    (root / "en").mkdir(parents=True)
    (root / "assets").mkdir()
    files = {
        "index.html": b"<!DOCTYPE html><title>x</title>",
        "en/index.html": b"<!DOCTYPE html><title>en</title>",
        "en/01-markets.mp3": bytes(range(256)) * 40,  # 10240 bytes, each offset recognisable
        "en/01-markets.vtt": b"WEBVTT\n",
        "en/01-markets.chapters.json": b'{"version": "1.2.0", "chapters": []}',
        "en/feed.xml": b"<rss/>",
        "en/playlist.m3u8": b"#EXTM3U\n",
        "en/transcript.txt": "텍스트".encode(),
        "guide-en.zip": b"PK\x05\x06" + bytes(18),
        "manifest.json": b"{}",
        "assets/player.js": b"",
        "assets/player.css": b"",
        ".hidden": b"partial write",
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (root / "escape.txt").symlink_to(tmp_path / "secret.txt")
    (root / "escape-dir").symlink_to(tmp_path)
    (root / "inside.mp3").symlink_to(root / "en" / "01-markets.mp3")
    return root


@pytest.fixture(scope="module")
def server(output):
    server = make_server(output, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def request(server, path, headers=None, method="GET"):
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        skip_host = "Host" in (headers or {})
        connection.putrequest(method, path, skip_host=skip_host, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_binds_to_loopback_only(server):
    assert server.server_address[0] == "127.0.0.1"
    assert server.socket.getsockname()[0] == "127.0.0.1"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/index.html", "text/html; charset=utf-8"),
        ("/en/01-markets.mp3", "audio/mpeg"),
        ("/en/01-markets.vtt", "text/vtt"),
        ("/en/feed.xml", "application/rss+xml"),
        ("/en/01-markets.chapters.json", "application/json"),
        ("/manifest.json", "application/json"),
        ("/en/transcript.txt", "text/plain; charset=utf-8"),
        ("/en/playlist.m3u8", "audio/x-mpegurl"),
        ("/guide-en.zip", "application/zip"),
        ("/assets/player.js", "text/javascript"),
        ("/assets/player.css", "text/css"),
    ],
)
def test_content_types(server, output, path, expected):
    status, headers, body = request(server, path)
    assert status == 200
    assert headers["Content-Type"].startswith(expected)
    assert body == (output / path.lstrip("/")).read_bytes()
    assert headers["Content-Length"] == str(len(body))
    assert headers["Accept-Ranges"] == "bytes"


def test_folder_serves_its_index_and_redirects_without_slash(server):
    status, headers, body = request(server, "/en/")
    assert status == 200 and body.startswith(b"<!DOCTYPE html><title>en")
    status, headers, _ = request(server, "/en")
    assert status == 301 and headers["Location"] == "/en/"
    status, _, body = request(server, "/")
    assert status == 200 and b"<title>x" in body


def test_range_request_returns_exact_bytes(server, output):
    data = (output / "en/01-markets.mp3").read_bytes()
    status, headers, body = request(server, "/en/01-markets.mp3", {"Range": "bytes=100-299"})
    assert status == 206
    assert body == data[100:300]
    assert headers["Content-Range"] == f"bytes 100-299/{len(data)}"
    assert headers["Content-Length"] == "200"


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=10000-", 10000, 10239),
        ("bytes=-40", 10200, 10239),
        ("bytes=10230-99999", 10230, 10239),
    ],
)
def test_open_and_suffix_ranges(server, output, header, start, end):
    data = (output / "en/01-markets.mp3").read_bytes()
    status, headers, body = request(server, "/en/01-markets.mp3", {"Range": header})
    assert status == 206
    assert body == data[start : end + 1]
    assert headers["Content-Range"] == f"bytes {start}-{end}/{len(data)}"


@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=99999-100000", "bytes=-0"])
def test_unsatisfiable_range_is_416(server, header):
    status, headers, body = request(server, "/en/01-markets.mp3", {"Range": header})
    assert status == 416
    assert headers["Content-Range"] == "bytes */10240"
    assert body == b""


def test_malformed_or_multiple_ranges_get_the_whole_file(server, output):
    data = (output / "en/01-markets.mp3").read_bytes()
    for header in ("bytes=5-1", "items=0-1", "bytes=0-1,5-9"):
        status, _, body = request(server, "/en/01-markets.mp3", {"Range": header})
        assert (status, body) == (200, data), header


def test_head_sends_headers_only(server):
    status, headers, body = request(server, "/en/01-markets.mp3", method="HEAD")
    assert status == 200 and body == b"" and headers["Content-Length"] == "10240"


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/en/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/en/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/etc/passwd",
        "/escape.txt",
        "/escape-dir/secret.txt",
        "/.hidden",
        "/en/%00.mp3",
        "/%ff",
    ],
)
def test_nothing_outside_output_is_served(server, path):
    status, _, body = request(server, path)
    assert status in (400, 403, 404), path
    assert SECRET not in body
    assert b"root:" not in body and b"partial write" not in body


def test_raw_traversal_over_a_socket(server):
    """Bypass http.client's own normalisation: send the request line byte for byte."""
    host, port = server.server_address[:2]
    for target in (b"/../secret.txt", b"/../../../../etc/passwd", b"..//secret.txt"):
        with socket.create_connection((host, port), timeout=10) as sock:
            sock.sendall(b"GET " + target + b" HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert answer.split(b" ")[1] in (b"400", b"403", b"404"), target
        assert SECRET not in answer and b"root:" not in answer


def test_symlink_inside_the_output_is_served(server, output):
    status, _, body = request(server, "/inside.mp3")
    assert status == 200 and body == (output / "en/01-markets.mp3").read_bytes()


def test_foreign_host_name_is_refused(server):
    """A page that rebinds its own host name to 127.0.0.1 gets nothing (DNS rebinding)."""
    status, _, body = request(server, "/index.html", {"Host": "evil.example:8000"})
    assert status == 403 and b"<title>x" not in body
    status, _, _ = request(server, "/index.html", {"Host": "localhost:8000"})
    assert status == 200


def test_only_get_and_head(server):
    status, _, _ = request(server, "/index.html", method="POST")
    assert status in (405, 501)


def test_missing_output_is_a_clear_error(tmp_path):
    with pytest.raises(AudioGuideError, match="audioguide build"):
        make_server(tmp_path / "nothing", 0)


def test_busy_port_is_a_clear_error(server, output):
    port = server.server_address[1]
    with pytest.raises(AudioGuideError, match="--port"):
        make_server(output, port)


def test_serve_prints_url_and_stops_on_ctrl_c(output, capsys, monkeypatch):
    from audioguide import serve as serve_module

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(serve_module._Server, "serve_forever", interrupted)
    serve_module.serve(output, 0)
    printed = capsys.readouterr().out
    assert "http://127.0.0.1:" in printed and os.fspath(output) in printed


def raw_request(server, request_line: bytes, timeout: float = 10) -> bytes:
    """Send ``request_line`` byte for byte (no client normalisation); the whole answer."""
    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(request_line + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize(
    "target", [b"//en", b"///en", b"http://127.0.0.1//en", b"http://127.0.0.1///en"]
)
def test_redirect_never_leads_to_another_host(server, target):
    """``Location: //en/`` would send the browser to the host named "en"."""
    answer = raw_request(server, b"GET " + target + b" HTTP/1.1")

    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    assert head.split(" ")[1] == "301", head
    assert "\r\nlocation: /en/\r\n" in head + "\r\n", head


@pytest.mark.parametrize(
    "header",
    [
        "bytes=" + "9" * 5000 + "-",
        "bytes=" + "1" * 40 + "-" + "2" * 40,
        "bytes=99999999999999999999-",
    ],
)
def test_absurd_range_numbers_get_416(server, header):
    status, headers, _body = request(server, "/en/01-markets.mp3", {"Range": header})

    assert status == 416
    assert headers["Content-Range"] == "bytes */10240"


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=-" + "9" * 5000, 0, 10239), ("bytes=10-" + "9" * 5000, 10, 10239)],
)
def test_huge_range_ends_mean_the_end_of_the_file(server, output, header, start, end):
    data = (output / "en/01-markets.mp3").read_bytes()

    status, _headers, body = request(server, "/en/01-markets.mp3", {"Range": header})

    assert status == 206
    assert body == data[start : end + 1]


@contextmanager
def running(output, **options):
    """A server with ``options`` on a free port, for one test; it and every thread it started
    are gone when the block ends (close the test's sockets inside it)."""
    before = set(threading.enumerate())
    server = make_server(output, 0, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        for each in set(threading.enumerate()) - before:
            each.join(10)
            assert not each.is_alive(), f"{each.name} outlived the server"


def connect(server, source: str = "127.0.0.1") -> socket.socket:
    """A client connection from ``source`` (any 127.x.y.z: Linux routes all of 127/8 to lo)."""
    try:
        return socket.create_connection(
            server.server_address[:2], timeout=10, source_address=(source, 0)
        )
    except OSError as exc:
        if exc.errno == errno.EADDRNOTAVAIL:  # only 127.0.0.1 is configured on macOS
            need(False, f"the client address {source} on the loopback interface")
        raise


def closed_by_server(sock: socket.socket, wait: float) -> bool:
    """Whether the server closes ``sock`` (or resets it) within ``wait`` seconds."""
    ready, _, _ = select.select([sock], [], [], wait)
    if not ready:
        return False
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True


def test_an_idle_connection_is_closed_after_the_timeout(output):
    with running(output, timeout=0.5) as server, connect(server) as idle:
        idle.sendall(b"GET /index.html HTTP/1.1\r\n")  # and then nothing more
        assert idle.recv(1024) == b""  # closed by the server, well before our 10 s


def test_idle_connections_do_not_make_a_thread_each(output):
    limit = 8
    with running(output, max_connections=limit) as server:
        before = threading.active_count()
        idle = []
        try:
            for _ in range(5 * limit):
                idle.append(connect(server))
            assert threading.active_count() <= before + limit

            # Each new one took the place of the one idle longest: all but the newest closed.
            for sock in idle[:-limit]:
                try:
                    answer = sock.recv(1024)
                except ConnectionResetError:
                    answer = b""
                assert answer.startswith(b"HTTP/1.1 503 ") or answer == b"", answer
            for sock in idle:
                sock.close()
            status, body = 0, b""
            for _ in range(100):  # once the idle ones are gone, requests are answered again
                status, _, body = request(server, "/index.html")
                if status == 200:
                    break
                threading.Event().wait(0.05)
            assert status == 200 and b"<title>x" in body
        finally:
            for sock in idle:
                sock.close()


# --- slow clients, files replaced while served, the media types of a real build ----------------


def test_a_head_sent_line_by_line_is_cut_off_at_its_deadline(output):
    """Every line arrives well within the idle timeout, but the whole head has a deadline; then
    the slot it held serves others again."""
    options = {"timeout": 5, "head_timeout": 0.5, "max_connections": 1}
    with running(output, **options) as server, connect(server) as slow:
        slow.sendall(b"GET /index.html HTTP/1.1\r\n")
        cut_off = False
        for _ in range(40):  # a header line every 0.1 s, for up to 4 s
            try:
                slow.sendall(b"X-Slow: 1\r\n")
            except (BrokenPipeError, ConnectionResetError):
                cut_off = True
                break
            if closed_by_server(slow, 0.1):
                cut_off = True
                break
        assert cut_off, "a client trickling its head held its connection for 4 s"
        status, _, body = request(server, "/index.html")
        assert status == 200 and b"<title>x" in body


def test_a_slow_client_cannot_lock_out_another(output):
    """One address opening every slot with heads it never finishes gets its share, no more:
    the others are turned away at once, and another client is still served."""
    with running(output, max_connections=8, max_per_client=4) as server:
        slow = [connect(server, "127.0.0.2") for _ in range(8)]
        try:
            for sock in slow:
                sock.sendall(b"GET /index.html HTTP/1.1\r\n")  # and nothing more
            status, _, body = request(server, "/index.html")
            assert status == 200 and b"<title>x" in body

            # Its oldest connections made room for its newer ones: closed, never answered.
            turned_away = select.select(slow, [], [], 1)[0]
            assert len(turned_away) >= 4
            for sock in turned_away:
                try:
                    answer = sock.recv(1024)
                except ConnectionResetError:
                    answer = b""
                assert answer == b"" or answer.startswith(b"HTTP/1.1 503 "), answer
        finally:
            for sock in slow:
                sock.close()


def test_clients_that_reconnect_at_once_cannot_starve_the_browser(output):
    """Sixteen clients, all 127.0.0.1 as every client of a preview is, trickle request heads
    and reconnect as soon as they are cut off; the person at the browser is still answered
    every time: a new connection wins over one that only waits for its head."""
    stop = threading.Event()
    with running(output, max_connections=8, max_per_client=8, head_timeout=2) as server:

        def crawl() -> None:
            for _ in range(500):  # bounded: a test never loops for ever
                try:
                    with connect(server) as sock:
                        sock.sendall(b"GET /index.html HTTP/1.1\r\n")
                        for _ in range(100):  # a header line every 0.05 s, until cut off
                            if stop.is_set():
                                return
                            sock.sendall(b"X-Slow: 1\r\n")
                            if closed_by_server(sock, 0.05):
                                break
                except OSError:  # cut off while sending: connect again
                    pass
                if stop.is_set():
                    return

        crawlers = [threading.Thread(target=crawl, daemon=True) for _ in range(16)]
        for thread in crawlers:
            thread.start()
        try:
            threading.Event().wait(0.5)  # every slot taken by now
            statuses = []
            for _ in range(40):
                statuses.append(request(server, "/index.html")[0])
                threading.Event().wait(0.02)
        finally:
            stop.set()
            for thread in crawlers:
                thread.join(10)
        assert statuses == [200] * 40, statuses


def test_a_kept_alive_connection_may_wait_longer_than_a_head_takes(output):
    """Between requests a kept-alive connection is idle, not slow: the idle timeout applies."""
    with running(output, timeout=5, head_timeout=0.3) as server:
        connection = http.client.HTTPConnection(*server.server_address[:2], timeout=10)
        try:
            connection.request("GET", "/index.html")
            response = connection.getresponse()
            assert response.status == 200 and b"<title>x" in response.read()
            threading.Event().wait(1)  # over the head deadline, under the idle timeout
            connection.request("GET", "/en/")
            response = connection.getresponse()
            assert response.status == 200 and b"<title>en" in response.read()
        finally:
            connection.close()


# Another process, as a rebuild is: a thread would share the server's interpreter lock.
REPLACER = """
import os, shutil, sys
versions, target = sys.argv[1:-1], sys.argv[-1]
while True:
    for version in versions:
        shutil.copyfile(version, target + ".next")
        os.replace(target + ".next", target)
"""


def test_a_file_replaced_while_served_is_sent_whole_with_its_own_length(tmp_path):
    """Rebuilds replace files by renaming over them: each answer is one version, whole, with
    that version's Content-Length."""
    root = tmp_path / "output"
    root.mkdir()
    versions = [b"a" * 3000, b"b" * 70000]
    for n, data in enumerate(versions):
        (tmp_path / f"v{n}").write_bytes(data)
    target = root / "track.mp3"
    target.write_bytes(versions[0])
    wrong = []
    with running(root) as server:
        command = [sys.executable, "-c", REPLACER, tmp_path / "v0", tmp_path / "v1", target]
        replacer = subprocess.Popen(command)
        connection = http.client.HTTPConnection(*server.server_address[:2], timeout=5)
        try:
            for _ in range(2000):
                if len(wrong) >= 5:
                    break  # enough to tell (each short body waits for the client's timeout)
                connection.request("GET", "/track.mp3")
                response = connection.getresponse()
                length = response.getheader("Content-Length")
                try:
                    body = response.read()
                except (http.client.IncompleteRead, TimeoutError) as exc:
                    body = getattr(exc, "partial", b"")
                    connection.close()
                if body not in versions or length != str(len(body)):
                    wrong.append((length, len(body)))
        finally:
            connection.close()
            replacer.kill()
            replacer.wait(10)
    assert not wrong, f"answers that were not one whole version (length, got): {wrong}"


PUBLISHED_TYPES = [
    ("cover.jpg", "image/jpeg"),
    ("book.m4b", "audio/mp4"),
    ("book.epub", "application/epub+zip"),
    ("book-daisy.zip", "application/zip"),
    ("en/index.html", "text/html"),
    ("assets/player.css", "text/css"),
]


@pytest.mark.parametrize(("name", "expected"), PUBLISHED_TYPES)
def test_published_files_have_their_media_type(tmp_path, name, expected):
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_bytes(b"\0" * 16)
    with running(tmp_path) as server:
        status, headers, _ = request(server, "/" + name, method="HEAD")
    assert status == 200
    assert headers["Content-Type"].split(";")[0] == expected


def test_every_file_of_a_real_build_has_a_media_type(built):
    output = built.site.output
    published = sorted(
        path.relative_to(output).as_posix()
        for path in output.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    )
    kinds = {"cover.png", "en/test-guide-en.m4b", "en/test-guide-en.epub",
             "test-guide-en-daisy.zip"}  # fmt: skip
    assert kinds <= set(published), "not a whole build"
    untyped = []
    with running(output) as server:
        for name in published:
            status, headers, _ = request(server, "/" + name, method="HEAD")
            assert status == 200, name
            if headers["Content-Type"] == "application/octet-stream":
                untyped.append(name)
    assert not untyped, f"served without a media type: {untyped}"
