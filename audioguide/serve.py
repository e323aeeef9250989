"""``audioguide serve``: preview the built guide in a browser, on this computer only.

A small threaded HTTP server over the output folder:

- it listens on 127.0.0.1 alone, and answers only requests addressed to a loopback name (so a
  web page cannot reach it through DNS rebinding);
- it serves regular files inside the output folder and nothing else: no ``..``, no encoded
  traversal, no hidden files, no symlink that leads outside, no directory listings;
- it gives each file its proper content type and honours HTTP ``Range`` requests (``206`` with
  ``Content-Range``, ``416`` when unsatisfiable), which browsers need to seek in audio;
- it logs nothing per request.
"""

from __future__ import annotations

import errno
import re
import sys
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import AudioGuideError
from .package.player import CSP  # pages are previewed under the policy of their meta tag

HOST = "127.0.0.1"
_LOOPBACK_NAMES = {"127.0.0.1", "localhost", "[::1]"}
_CHUNK = 64 * 1024

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".mp3": "audio/mpeg",
    ".vtt": "text/vtt; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".m3u8": "audio/x-mpegurl",
    ".m3u": "audio/x-mpegurl",
    ".xml": "application/xml",
    ".zip": "application/zip",
    ".md": "text/markdown; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
FEEDS = {"feed.xml"}  # served as application/rss+xml

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def content_type(path: Path) -> str:
    if path.name in FEEDS:
        return "application/rss+xml; charset=utf-8"
    return CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


def make_server(output: Path, port: int = 8000) -> ThreadingHTTPServer:
    """A server for ``output`` on ``127.0.0.1:port`` (``0`` picks a free port), not yet running.

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
    root: Path

    def handle_error(self, request, client_address) -> None:
        # A browser that stops reading an audio stream is normal; anything else gets one line.
        kind = sys.exc_info()[0]
        if kind is not None and issubclass(kind, ConnectionError):
            return
        print(f"audioguide serve: error while answering {client_address[0]}", file=sys.stderr)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "audioguide"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._answer(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
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
                self._redirect(raw + "/")
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

    def _send_file(self, path: Path, handle, body: bool) -> None:
        stat = path.stat()
        size = stat.st_size
        etag = f'"{size:x}-{stat.st_mtime_ns:x}"'
        modified = formatdate(stat.st_mtime, usegmt=True)
        start, end = 0, size - 1
        status = HTTPStatus.OK
        wanted = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if wanted and (if_range is None or if_range in (etag, modified)):
            chosen = _byte_range(wanted, size)
            if chosen == "unsatisfiable":
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


def _byte_range(header: str, size: int) -> tuple[int, int] | str | None:
    """``(first, last)`` byte for a single ``bytes=`` range; ``"unsatisfiable"``; or ``None``
    for a header to ignore (malformed, or several ranges: the whole file is sent then)."""
    match = _RANGE.fullmatch(header.strip())
    if not match or match.group(1) == match.group(2) == "":
        return None
    first, last = match.groups()
    if first == "":  # the last N bytes
        count = int(last)
        if count == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - count), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        return "unsatisfiable"
    return start, min(end, size - 1)


def _copy(source, target, length: int) -> None:
    left = length
    while left > 0:
        chunk = source.read(min(_CHUNK, left))
        if not chunk:
            break
        target.write(chunk)
        left -= len(chunk)


__all__ = ["make_server", "serve", "content_type", "CONTENT_TYPES", "HOST"]
