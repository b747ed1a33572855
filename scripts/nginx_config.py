#!/usr/bin/env python3
"""Write nginx's configuration for `make run-scaled` from deploy/nginx/backpain.conf.in.

    .venv/bin/python scripts/nginx_config.py --run-dir var/nginx --port 8080 \
        --upstream 127.0.0.1:5005 --upstream 127.0.0.1:5006 [--tls-cert C --tls-key K]

Writes <run-dir>/nginx.conf and <run-dir>/config.json (what the chat page reads at start, the
same as scripts/serve_web.py serves) and creates the folders nginx writes to. Then:

    nginx -p <run-dir> -c <run-dir>/nginx.conf

With --tls-cert and --tls-key nginx speaks HTTPS only, on the same port.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import re
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from backpain.clinic_config import ClinicConfigError, load_clinic_config
from scripts import serve_web

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NGINX_DIR = PROJECT_ROOT / "deploy" / "nginx"
TEMPLATE = NGINX_DIR / "backpain.conf.in"
# A person sends a message every few seconds at most; a page that resends after a restart sends
# a few at once. Both stay far below this; a flood does not.
DEFAULT_RATE_PER_SECOND = 5
DEFAULT_BURST = 10
# Passive health checks: one failure takes a server out for this long, then it is tried again.
MAX_FAILS = 1
FAIL_TIMEOUT_SECONDS = 10
PLACEHOLDER = re.compile(r"@([A-Z_]+)@")
UPSTREAM = re.compile(r"^[A-Za-z0-9.\-\[\]:]+:[0-9]{1,5}$")


def render(template: str, values: Dict[str, str]) -> str:
    """Replace every @NAME@; a placeholder without a value is an error, not left in the file."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"{TEMPLATE.name} names @{name}@, which has no value")
        return values[name]

    return PLACEHOLDER.sub(value, template)


def listen_lines(port: int, host: str, cert: Optional[Path], key: Optional[Path]) -> str:
    if cert is None:
        return f"    listen {host}:{port};"
    return "\n".join(
        [
            f"    listen {host}:{port} ssl;",
            f"    ssl_certificate {cert};",
            f"    ssl_certificate_key {key};",
            "    ssl_protocols TLSv1.2 TLSv1.3;",
            "    ssl_session_cache shared:tls:1m;",
        ]
    )


def upstream_lines(upstreams: Sequence[str]) -> str:
    return "\n".join(
        f"    server {address} max_fails={MAX_FAILS} fail_timeout={FAIL_TIMEOUT_SECONDS}s;"
        for address in upstreams
    )


def worker_user() -> Optional[pwd.struct_passwd]:
    """The user nginx's worker runs as when started by root (its built-in default), else None."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        return None


def page_config() -> Dict[str, object]:
    """The chat page's /config.json, as scripts/serve_web.py builds it."""
    args = serve_web.parse_args([])
    return serve_web.build_settings(args, load_clinic_config()).page_config()


def write_config(
    run_dir: Path,
    port: int,
    upstreams: Sequence[str],
    host: str = "127.0.0.1",
    tls_cert: Optional[Path] = None,
    tls_key: Optional[Path] = None,
    rate_per_second: int = DEFAULT_RATE_PER_SECOND,
    burst: int = DEFAULT_BURST,
    web_dir: Path = serve_web.DEFAULT_WEB_DIR,
    charts_dir: Path = serve_web.DEFAULT_CHARTS_DIR,
) -> Path:
    if not upstreams:
        raise ValueError("at least one Rasa server (--upstream host:port) is needed")
    for address in upstreams:
        if not UPSTREAM.match(address):
            raise ValueError(f"--upstream must be host:port, got {address!r}")
    if (tls_cert is None) != (tls_key is None):
        raise ValueError("--tls-cert and --tls-key go together")
    run_dir = run_dir.resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    # Started as root, nginx's master runs its worker as `nobody`, which must read config.json
    # and write the temporary files of large bodies and answers.
    run_dir.chmod(0o755)
    worker = worker_user()
    for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run_dir / folder).mkdir(exist_ok=True)
        if worker is not None:
            os.chown(run_dir / folder, worker.pw_uid, worker.pw_gid)
    (run_dir / "config.json").write_text(json.dumps(page_config()) + "\n", encoding="utf-8")
    text = render(
        TEMPLATE.read_text(encoding="utf-8"),
        {
            "RUN_DIR": str(run_dir),
            "LISTEN": listen_lines(
                port,
                host,
                tls_cert.resolve() if tls_cert else None,
                tls_key.resolve() if tls_key else None,
            ),
            "UPSTREAM_SERVERS": upstream_lines(upstreams),
            "RATE_PER_SECOND": str(rate_per_second),
            "BURST": str(burst),
            "WEB_DIR": str(Path(web_dir).resolve()),
            "CHARTS_DIR": str(Path(charts_dir).resolve()),
            "SECURITY_HEADERS": str(NGINX_DIR / "security_headers.conf"),
            "PROXY_SETTINGS": str(NGINX_DIR / "proxy.conf"),
        },
    )
    path = run_dir / "nginx.conf"
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--run-dir", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--upstream", action="append", default=[], help="a Rasa server host:port")
    parser.add_argument("--tls-cert", type=Path)
    parser.add_argument("--tls-key", type=Path)
    parser.add_argument("--rate", type=int, default=DEFAULT_RATE_PER_SECOND)
    parser.add_argument("--burst", type=int, default=DEFAULT_BURST)
    args = parser.parse_args(argv)
    upstreams: List[str] = args.upstream
    try:
        path = write_config(
            args.run_dir,
            args.port,
            upstreams,
            host=args.host,
            tls_cert=args.tls_cert,
            tls_key=args.tls_key,
            rate_per_second=args.rate,
            burst=args.burst,
        )
    except (ValueError, ClinicConfigError) as error:
        print(f"nginx_config: {error}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
