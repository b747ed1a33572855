#!/usr/bin/env python3
"""Serve the clinic chat page (web/) and generated charts (build/charts/) on one local address.

    .venv/bin/python scripts/serve_web.py [--host 127.0.0.1] [--port 8080]
                                          [--rasa-url http://localhost:5005]

Routes (GET and HEAD, except /webhook):
  /              web/index.html
  /<file>        a file in web/
  /charts/<file> a file in build/charts/ (charts the assistant links to)
  /config.json   what the page needs at start: where to send messages (/webhook), the clinic's
                 emergency number (config/clinic.yml) and the message length limit
  POST /webhook  the page's messages, passed on to Rasa's REST webhook and its answer passed back

The page talks only to this server. While the Rasa server restarts (it is unreachable, or does
not answer in time), POST /webhook answers 503 with a JSON error and `Retry-After` instead of a
dropped connection, and the page sends the message again (web/chat.js); a 503 of the REST channel
itself (the action server restarting) is passed on as it is.

Standard library plus pyyaml only (through backpain.clinic_config), so it runs without Rasa.
Requests are resolved inside their folder (no `..`, no symlinks out, no hidden files), folders
are never listed, and every answer carries an explicit content type and a strict
Content-Security-Policy that lets the page talk only to itself. The request log names paths and
statuses only: no message text.
"""

from __future__ import annotations

import argparse
import http.client
import json
import posixpath
import socket
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple
from urllib.parse import unquote, urlsplit

from backpain.clinic_config import ClinicConfig, ClinicConfigError, load_clinic_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_RASA_URL = "http://localhost:5005"
REST_WEBHOOK_PATH = "/webhooks/rest/webhook"
# The page refuses longer messages; the Rasa server enforces the same limit.
MAX_MESSAGE_CHARS = 2000
DEFAULT_WEB_DIR = PROJECT_ROOT / "web"
DEFAULT_CHARTS_DIR = PROJECT_ROOT / "build" / "charts"
CHARTS_PREFIX = "/charts/"
# Where the page posts its messages, on this server.
PAGE_WEBHOOK_PATH = "/webhook"
# A request body larger than this is refused (the REST channel's own limit is the same).
MAX_WEBHOOK_BODY_BYTES = 1_000_000
# Longer than the page waits (web/chat.js, 30 s), so the page's own timeout is what a person sees.
UPSTREAM_TIMEOUT_SECONDS = 35
RETRY_AFTER_SECONDS = 3
RESTARTING_ERROR = (
    "The assistant is restarting. Your message was not handled; please send it again in a few "
    "seconds."
)

CONTENT_TYPES: Dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
}
# Anything else is offered as a download, never sniffed and run as a page.
FALLBACK_CONTENT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class WebSettings:
    web_dir: Path
    charts_dir: Path
    rest_url: str
    emergency_number: str
    web_origin: str  # the origin Rasa's CORS allows (config/clinic.yml)
    crisis_line_text: str  # shown while the assistant restarts: help must not wait for it
    extra_image_origins: Tuple[str, ...]  # where chart links may point besides this server

    def page_config(self) -> Dict[str, object]:
        return {
            "rest_url": PAGE_WEBHOOK_PATH.lstrip("/"),  # relative: this server, wherever it is
            "emergency_number": self.emergency_number,
            "crisis_line_text": self.crisis_line_text,
            "max_message_chars": MAX_MESSAGE_CHARS,
        }

    def content_security_policy(self) -> str:
        image_sources = " ".join(["'self'", "data:", *self.extra_image_origins])
        return "; ".join(
            [
                "default-src 'none'",
                "script-src 'self'",
                "style-src 'self'",
                f"img-src {image_sources}",
                "connect-src 'self'",
                "base-uri 'none'",
                "form-action 'none'",
                "frame-ancestors 'none'",
            ]
        )


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def rest_webhook_url(rasa_url: str) -> str:
    """`--rasa-url` may be the server's base address or the full REST webhook address."""
    parts = urlsplit(rasa_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"--rasa-url must be an http:// or https:// address, got {rasa_url!r}")
    if parts.path in ("", "/"):
        return f"{parts.scheme}://{parts.netloc}{REST_WEBHOOK_PATH}"
    return rasa_url.strip()


def resolve_inside(root: Path, url_path: str) -> Optional[Path]:
    """The file `url_path` names inside `root`, or None when it is outside, hidden or not a file."""
    if "\x00" in url_path or "\\" in url_path:
        return None
    normalized = posixpath.normpath("/" + url_path.lstrip("/"))
    parts = [part for part in normalized.split("/") if part]
    if any(part.startswith(".") for part in parts):  # hidden files, and any `..` left over
        return None
    try:
        root_resolved = root.resolve(strict=True)
        candidate = root_resolved.joinpath(*parts).resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError, RuntimeError, OSError):
        return None
    if candidate != root_resolved and root_resolved not in candidate.parents:
        return None  # a symlink that leads out of the folder
    return candidate if candidate.is_file() else None


def make_handler(settings: WebSettings) -> type:
    class ChatPageHandler(BaseHTTPRequestHandler):
        server_version = "ClinicChatPage"
        sys_version = ""

        def do_GET(self) -> None:  # noqa: N802 (http.server naming)
            self._answer(send_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(send_body=False)

        def _refuse_method(self) -> None:
            self._send(
                HTTPStatus.METHOD_NOT_ALLOWED,
                b"Method not allowed\n",
                ".txt",
                True,
                extra={"Allow": "GET, HEAD"},
            )

        do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method  # noqa: N815

        def do_POST(self) -> None:  # noqa: N802
            if self._request_path() != PAGE_WEBHOOK_PATH:
                self._refuse_method()
                return
            try:
                length = int(self.headers.get("Content-Length") or "0")
            except ValueError:
                length = -1
            if length < 0 or length > MAX_WEBHOOK_BODY_BYTES:
                body = json.dumps({"error": "The request body is missing or too large."})
                self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, body.encode(), ".json", True)
                return
            status, body, retry_after = forward_to_rasa(settings.rest_url, self.rfile.read(length))
            extra = {"Retry-After": retry_after} if retry_after else None
            self._send(status, body, ".json", True, extra=extra)

        def _answer(self, send_body: bool) -> None:
            path = self._request_path()
            if path is None:
                self._not_found(send_body)
                return
            if path == "/config.json":
                body = json.dumps(settings.page_config(), indent=2).encode("utf-8")
                self._send(HTTPStatus.OK, body, ".json", send_body)
                return
            if path.startswith(CHARTS_PREFIX):
                target = resolve_inside(settings.charts_dir, path[len(CHARTS_PREFIX) :])
            else:
                target = resolve_inside(settings.web_dir, "index.html" if path == "/" else path)
            if target is None:
                self._not_found(send_body)
                return
            try:
                body = target.read_bytes()
            except OSError:
                self._not_found(send_body)
                return
            self._send(HTTPStatus.OK, body, target.suffix.lower(), send_body)

        def _request_path(self) -> Optional[str]:
            """The decoded path, or None when it is not valid UTF-8 (no file can match it)."""
            try:
                return unquote(urlsplit(self.path).path, errors="strict")
            except (UnicodeDecodeError, ValueError):
                return None

        def _not_found(self, send_body: bool) -> None:
            self._send(HTTPStatus.NOT_FOUND, b"Not found\n", ".txt", send_body)

        def _send(
            self,
            status: HTTPStatus,
            body: bytes,
            suffix: str,
            send_body: bool,
            extra: Optional[Dict[str, str]] = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", CONTENT_TYPES.get(suffix, FALLBACK_CONTENT_TYPE))
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("Content-Security-Policy", settings.content_security_policy())
            # The page is small and changes with the project: always check for a newer copy.
            self.send_header("Cache-Control", "no-cache")
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            sys.stderr.write(f"serve_web: {self.address_string()} {format % args}\n")

    return ChatPageHandler


def forward_to_rasa(url: str, body: bytes) -> Tuple[int, bytes, Optional[str]]:
    """POST `body` to Rasa's REST webhook: its status, body and Retry-After, or a 503 of our own
    when it cannot be reached (restarting) or does not answer in time."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=UPSTREAM_TIMEOUT_SECONDS) as answer:
            return answer.status, answer.read(), None
    except urllib.error.HTTPError as error:  # Rasa answered, with an error status: pass it on
        return error.code, error.read(), error.headers.get("Retry-After")
    except (urllib.error.URLError, http.client.HTTPException, socket.timeout, OSError):
        unavailable = {"error": RESTARTING_ERROR, "retry_after": RETRY_AFTER_SECONDS}
        return (
            HTTPStatus.SERVICE_UNAVAILABLE,
            json.dumps(unavailable).encode("utf-8"),
            str(RETRY_AFTER_SECONDS),
        )


def make_server(host: str, port: int, settings: WebSettings) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_handler(settings))
    server.daemon_threads = True
    return server


def page_address(host: str, port: int) -> str:
    # The page must be opened on the origin Rasa's CORS allows (config/clinic.yml web_origin,
    # "http://localhost:8080" by default), so a loopback address is shown as localhost.
    shown = "localhost" if host in ("127.0.0.1", "localhost", "::1") else host
    return f"http://{shown}:{port}/"


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve the clinic chat page and charts.")
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port to listen on, 0 for any free port (default {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--rasa-url",
        default=DEFAULT_RASA_URL,
        help="the Rasa server's address, or its full REST webhook address "
        f"(default {DEFAULT_RASA_URL})",
    )
    parser.add_argument("--web-dir", type=Path, default=DEFAULT_WEB_DIR, help=argparse.SUPPRESS)
    parser.add_argument(
        "--charts-dir",
        type=Path,
        default=DEFAULT_CHARTS_DIR,
        help="folder served at /charts/ (default build/charts)",
    )
    return parser.parse_args(argv)


def build_settings(args: argparse.Namespace, clinic: ClinicConfig) -> WebSettings:
    public_origin = origin_of(clinic.public_base_url)
    return WebSettings(
        web_dir=args.web_dir,
        charts_dir=args.charts_dir,
        rest_url=rest_webhook_url(args.rasa_url),
        emergency_number=clinic.emergency_number,
        web_origin=clinic.web_origin,
        crisis_line_text=clinic.crisis_line_text,
        extra_image_origins=(public_origin,),
    )


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    try:
        settings = build_settings(args, load_clinic_config())
    except (ClinicConfigError, ValueError) as error:
        print(f"serve_web: {error}", file=sys.stderr)
        return 2
    if not (settings.web_dir / "index.html").is_file():
        print(f"serve_web: {settings.web_dir}/index.html not found", file=sys.stderr)
        return 2
    try:
        server = make_server(args.host, args.port, settings)
    except OSError as error:
        print(
            f"serve_web: cannot listen on {args.host}:{args.port} ({error.strerror})",
            file=sys.stderr,
        )
        return 2
    port = server.server_address[1]
    address = page_address(args.host, port)
    print(f"Clinic chat page: {address}  (talks to {settings.rest_url})", flush=True)
    if origin_of(address) != settings.web_origin:
        print(
            f"serve_web: note: config/clinic.yml web_origin is {settings.web_origin}; Rasa's CORS "
            f"allows only that origin, so the page at {origin_of(address)} may not reach it",
            file=sys.stderr,
            flush=True,
        )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
