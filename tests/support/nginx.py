"""nginx from Debian's package in front of Rasa servers, with the repository's configuration
(deploy/nginx/, rendered by scripts/nginx_config.py), in the foreground from a temporary folder
of its own: for tests/e2e/test_nginx_scale_out.py and the benchmark's scaled mode (bench/setups.py).

The rate limit defaults far above the repository's 5 a second per address, since every request of
a test or a benchmark comes from 127.0.0.1.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from scripts.nginx_config import write_config
from tests.support.harness import free_port
from tests.support.services import _wait_for_port


@dataclass
class Nginx:
    upstreams: Sequence[str]
    rate: int = 1000
    burst: int = 1000
    tls: Optional[Tuple[Path, Path]] = None
    port: int = field(default_factory=free_port)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="rasa-test-nginx-")))
    process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.root / "nginx-access.log"

    def start(self) -> "Nginx":
        config = write_config(
            self.root,
            self.port,
            self.upstreams,
            tls_cert=self.tls[0] if self.tls else None,
            tls_key=self.tls[1] if self.tls else None,
            rate_per_second=self.rate,
            burst=self.burst,
        )
        self.process = subprocess.Popen(
            ["nginx", "-p", str(self.root), "-c", str(config)],
            stdout=(self.root / "stdout.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        _wait_for_port(self.port, "nginx", self.root / "nginx-error.log")
        return self

    def stop(self) -> None:
        try:
            if self.process is not None and self.process.poll() is None:
                self.process.terminate()  # the master stops its worker
                self.process.wait(timeout=20)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def webhook_log_of(self, count: int, seconds: float = 10) -> List[Dict[str, str]]:
        """The webhook log once it has `count` lines: nginx writes a request's line as it
        finishes it, which can be just after the answer reached the client."""
        deadline = time.monotonic() + seconds
        while len(entries := self.webhook_log()) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return entries

    def webhook_log(self) -> List[Dict[str, str]]:
        """The REST webhook's lines of the access log: status and the servers tried, in order."""
        entries = []
        for line in self.access_log.read_text().splitlines():
            match = re.search(
                r'"POST /webhooks/rest/webhook [^"]*" (\d+) upstream=(.*) upstream_', line
            )
            if match:
                tried = [address.strip() for address in match.group(2).split(",")]
                entries.append({"status": match.group(1), "tried": tried})
        return entries
