"""``audioguide serve``: preview the built guide in a browser, on this computer only.

A small threaded HTTP server over the output folder:

- it listens on 127.0.0.1 alone, and answers only requests addressed to a loopback name (so a
  web page cannot reach it through DNS rebinding);
- it serves regular files inside the output folder and nothing else: no ``..``, no encoded
  traversal, no hidden files, no symlink that leads outside, no directory listings;
- it gives each file its proper media type and honours HTTP ``Range`` requests (``206`` with
  ``Content-Range``, ``416`` when unsatisfiable), which browsers need to seek in audio;
- a file replaced while it is served (a rebuild renames new files over old ones) is sent whole,
  with its own length and ``ETag``: both come from the open file, never from its name;
- it logs nothing per request;
- slow clients cannot starve the others: a request head (request line and headers) must
  arrive in full within a deadline however it trickles in, a connection that stays idle is
  closed after a timeout, and at most a fixed number of connections are served at once (each
  has a thread), and fewer from any one client address. When all are taken, a new connection
  wins over one that is only waiting for a request (idle between requests, or with its head
  still trickling in): the one that has waited longest is closed to make room, and only when
  every connection is busy answering is the new one turned away with ``503``. Every client of
  a preview is 127.0.0.1, so without this a few clients that reconnect as fast as they are
  cut off would hold every slot, and the browser would get nothing but ``503``.
"""

from __future__ import annotations

import errno
import io
import os
import re
import socket
import sys
import threading
import time
from collections import Counter
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

from . import published
from .errors import AudioGuideError
from .package.player import CSP  # pages are previewed under the policy of their meta tag

HOST = "127.0.0.1"
_LOOPBACK_NAMES = {"127.0.0.1", "localhost", "[::1]"}
_CHUNK = 64 * 1024
TIMEOUT = 15.0  # seconds a connection may sit idle (or a client may not read)
HEAD_TIMEOUT = 10.0  # seconds a request head may take to arrive, all of it
MAX_CONNECTIONS = 32  # connections served at once
# A browser opens six per host: two browsers and a podcast app fit, and yet no one address
# ever holds more than half the slots.
MAX_PER_CLIENT = 16

# The media types of files a page may link to that the build does not publish; those it
# publishes are served as the table of what a build publishes says (audioguide.published).
# Chapters (``*.chapters.json``) are plain JSON there: "application/json+chapters", which feeds
# declare for them, is no registered type, and a browser would offer to download it instead of
# showing it; podcast apps read the type from the feed, not from this preview.
OTHER_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".m3u": "audio/x-mpegurl",
    ".xml": "application/xml",
    ".md": "text/markdown; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".ico": "image/x-icon",
}

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_MAX_DIGITS = 18  # a longer byte position is past the end of any file


def content_type(path: Path) -> str:
    found = published.media_type(path.name.lower())
    return found or OTHER_TYPES.get(path.suffix.lower(), "application/octet-stream")


def make_server(
    output: Path,
    port: int = 8000,
    *,
    timeout: float = TIMEOUT,
    head_timeout: float = HEAD_TIMEOUT,
    max_connections: int = MAX_CONNECTIONS,
    max_per_client: int = MAX_PER_CLIENT,
) -> ThreadingHTTPServer:
    """A server for ``output`` on ``127.0.0.1:port`` (``0`` picks a free port), not yet running.

    ``timeout`` closes a connection idle for that many seconds (between requests, or while the
    client does not read); ``head_timeout`` closes one whose request head is not complete that
    many seconds after the connection was accepted, or after the first byte of a later request
    on it. ``max_connections`` bounds the connections (and threads) served at once, and
    ``max_per_client`` those from one client address.

    Call ``serve_forever()`` on it (and ``shutdown()``/``server_close()`` to stop), or use
    :func:`serve`.
    """
    root = Path(output).resolve()
    if not root.is_dir():
        raise AudioGuideError(f"{output} is not a folder; run `audioguide build` first")
    try:
        server = _Server((HOST, port), _Handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise AudioGuideError(
                f"port {port} is already in use; choose another with --port"
            ) from None
        raise AudioGuideError(f"cannot listen on {HOST}:{port} ({exc.strerror})") from None
    server.root = root
    server.timeout_seconds = timeout
    server.head_timeout = head_timeout
    server.max_connections = max_connections
    server.max_per_client = max_per_client
    return server


def serve(output: Path, port: int = 8000) -> None:
    """Serve ``output`` on 127.0.0.1 until Ctrl-C, after printing its address."""
    server = make_server(output, port)
    url = f"http://{HOST}:{server.server_address[1]}/"
    print(f"Serving {output} at {url}  (press Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 64  # connections waiting to be accepted (socketserver's default: 5)
    root: Path
    timeout_seconds: float
    head_timeout: float
    max_connections: int
    max_per_client: int

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.served: Counter[str] = Counter()  # connections being served, by client address
        self.served_lock = threading.Lock()
        # The connections waiting for a request head (new, idle, or with a head trickling in):
        # since when, and from which client address.
        self.waiting: dict[socket.socket, tuple[float, str]] = {}

    def process_request(self, request: Any, client_address: Any) -> None:
        """A thread for the connection if a slot is free, and the client has not taken its
        share of them already, or if a connection that is only waiting can be closed to make
        room; else 503 at once."""
        client = client_address[0]
        with self.served_lock:
            admitted = (
                self.served.total() < self.max_connections
                and self.served[client] < self.max_per_client
            ) or self._make_room(client)
            if admitted:
                self.served[client] += 1
                self.waiting[request] = (time.monotonic(), client)
        if not admitted:
            try:
                request.sendall(_BUSY)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._done(client)
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.served_lock:
                self.waiting.pop(request, None)
            self._done(client_address[0])

    def _make_room(self, client: str) -> bool:
        """Close the connection that has waited longest for a request (of ``client``, when it
        has taken its share); whether there was one. Hold ``served_lock``. Its thread ends on
        its own, at once, and frees its slot then."""
        full = self.served.total() >= self.max_connections
        waiting = [
            (since, sock) for sock, (since, whose) in self.waiting.items()
            if full or whose == client
        ]  # fmt: skip
        if not waiting:
            return False
        _, oldest = min(waiting, key=lambda pair: pair[0])
        del self.waiting[oldest]
        try:
            oldest.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        return True

    def is_waiting(self, request: socket.socket, client: str, waiting: bool) -> None:
        """Note that the connection ``request`` (from ``client``) now waits for a request head,
        or now answers one (it may not be closed to make room then)."""
        with self.served_lock:
            if not waiting:
                self.waiting.pop(request, None)
            elif request not in self.waiting:
                self.waiting[request] = (time.monotonic(), client)

    def _done(self, client: str) -> None:
        with self.served_lock:
            self.served[client] -= 1
            if not self.served[client]:
                del self.served[client]

    def handle_error(self, request: Any, client_address: Any) -> None:  # noqa: ARG002
        # A browser that stops reading an audio stream is normal; anything else gets one line.
        kind = sys.exc_info()[0]
        if kind is not None and issubclass(kind, ConnectionError):
            return
        print(f"audioguide serve: error while answering {client_address[0]}", file=sys.stderr)


_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
    b"Connection: close\r\n\r\n"
)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    rfile: io.BufferedReader
    server_version = "audioguide"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: with Nagle's algorithm the body would wait
    # for the client's delayed ACK of the headers, some 40 ms on every kept-alive answer.
    disable_nagle_algorithm = True

    def setup(self) -> None:
        self.request.settimeout(self.server.timeout_seconds)
        super().setup()
        self.rfile.close()  # replaced by one that keeps the head's deadline
        self.reader = _Reader(self.connection, self.server.timeout_seconds)
        self.rfile = io.BufferedReader(self.reader)
        self.kept_alive = False

    def handle_one_request(self) -> None:
        """One request, whose head must arrive within ``head_timeout``: counted from the
        accept, or on a kept-alive connection (which may first sit idle for ``timeout``) from
        its first byte."""
        if self.kept_alive:
            self.server.is_waiting(self.request, self.client_address[0], True)
            try:
                self.rfile.peek(1)
            except OSError:  # idle too long, or gone
                self.close_connection = True
                return
        self.reader.deadline = time.monotonic() + self.server.head_timeout
        try:
            super().handle_one_request()  # reads the head, then answers (GET and HEAD read no body)
        finally:
            self.reader.deadline = None
        self.kept_alive = True

    def parse_request(self) -> bool:
        """Read the rest of the head; once it is in, the connection answers, and is not closed
        to make room for another."""
        whole = super().parse_request()
        self.server.is_waiting(self.request, self.client_address[0], False)
        return whole

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: no line per request

    # --- answering --------------------------------------------------------------------------

    def _answer(self, body: bool) -> None:
        if not self._host_allowed():
            self.send_error(HTTPStatus.FORBIDDEN, "Only loopback host names are served")
            return
        raw = urlsplit(self.path).path
        path, status = self._find(raw)
        if path is None:
            self.send_error(status)
            return
        if path.is_dir():
            if not raw.endswith("/"):
                # One leading slash: "//en/" would be another host's address to a browser.
                self._redirect("/" + raw.lstrip("/") + "/")
                return
            path, status = self._find(raw + "index.html")
            if path is None or not path.is_file():
                self.send_error(HTTPStatus.NOT_FOUND)
                return
        try:
            handle = open(path, "rb")
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        with handle:
            self._send_file(path, handle, body)

    def _host_allowed(self) -> bool:
        host = self.headers.get("Host")
        if not host:
            return True
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name.lower() in _LOOPBACK_NAMES

    def _find(self, raw: str) -> tuple[Path | None, HTTPStatus]:
        """The file or folder ``raw`` names inside the root, or why not."""
        try:
            text = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            return None, HTTPStatus.BAD_REQUEST
        if not text.startswith("/") or "\\" in text or "\0" in text:
            return None, HTTPStatus.BAD_REQUEST
        parts = [part for part in text.split("/") if part]
        if any(part == ".." for part in parts):
            return None, HTTPStatus.FORBIDDEN
        if any(part.startswith(".") for part in parts):
            return None, HTTPStatus.NOT_FOUND  # hidden files, partial writes
        root = self.server.root
        try:
            real = root.joinpath(*parts).resolve(strict=True)
        except (OSError, RuntimeError):
            return None, HTTPStatus.NOT_FOUND
        if not real.is_relative_to(root):
            return None, HTTPStatus.FORBIDDEN  # a symlink that leads outside
        if not (real.is_file() or real.is_dir()):
            return None, HTTPStatus.NOT_FOUND
        return real, HTTPStatus.OK

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send_file(self, path: Path, handle: BinaryIO, body: bool) -> None:
        stat = os.fstat(handle.fileno())  # the file being sent, even if renamed over since
        size = stat.st_size
        etag = f'"{size:x}-{stat.st_mtime_ns:x}"'
        modified = formatdate(stat.st_mtime, usegmt=True)
        start, end = 0, size - 1
        status = HTTPStatus.OK
        wanted = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if wanted and (if_range is None or if_range in (etag, modified)):
            chosen = _byte_range(wanted, size)
            if isinstance(chosen, str):  # "unsatisfiable"
                self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if chosen is not None:
                start, end = chosen
                status = HTTPStatus.PARTIAL_CONTENT
        length = max(0, end - start + 1)
        self.send_response(status)
        self.send_header("Content-Type", content_type(path))
        self.send_header("Content-Length", str(length))
        if status == HTTPStatus.PARTIAL_CONTENT:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", modified)
        self.send_header("ETag", etag)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        if path.suffix.lower() == ".html":
            self.send_header("Content-Security-Policy", CSP)
        self.end_headers()
        if not body or not length:
            return
        handle.seek(start)
        try:
            _copy(handle, self.wfile, length)
        except ConnectionError:
            self.close_connection = True


class _Reader(io.RawIOBase):
    """The bytes a client sends. While a request head is awaited (``deadline`` set), each wait
    is cut to the time left before the deadline, so a head trickled in a byte or a line at a
    time still ends on time (a socket timeout alone would restart at every byte)."""

    def __init__(self, connection: socket.socket, timeout: float) -> None:
        self.connection = connection
        self.timeout = timeout
        self.deadline: float | None = None  # time.monotonic() by which the head must be in

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        wait = self.timeout
        if self.deadline is not None:
            wait = min(wait, self.deadline - time.monotonic())
            if wait <= 0:
                raise TimeoutError("the request head took too long")
        self.connection.settimeout(wait)
        try:
            return self.connection.recv_into(buffer)
        finally:
            self.connection.settimeout(self.timeout)


def _byte_range(header: str, size: int) -> tuple[int, int] | str | None:
    """``(first, last)`` byte for a single ``bytes=`` range; ``"unsatisfiable"``; or ``None``
    for a header to ignore (malformed, or several ranges: the whole file is sent then)."""
    match = _RANGE.fullmatch(header.strip())
    if not match or match.group(1) == match.group(2) == "":
        return None
    first, last = (_position(text) for text in match.groups())
    if first is None:  # the last N bytes
        count = last or 0
        if count == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - count), size - 1
    if last is not None and last < first:
        return None
    if first >= size:
        return "unsatisfiable"
    return first, size - 1 if last is None else min(last, size - 1)


def _position(digits: str) -> int | None:
    """A byte position; one with too many digits to be a real one is taken as "very far"."""
    if not digits:
        return None
    return int(digits) if len(digits) <= _MAX_DIGITS else 10**_MAX_DIGITS


def _copy(source: BinaryIO, target: io.BufferedIOBase, length: int) -> None:
    left = length
    while left > 0:
        chunk = source.read(min(_CHUNK, left))
        if not chunk:
            break
        target.write(chunk)
        left -= len(chunk)


__all__ = ["HOST", "content_type", "make_server", "serve"]
