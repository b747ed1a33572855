"""nginx in front of two Rasa servers on one PostgreSQL and one Redis (`make run-scaled`).

nginx runs from Debian's package with the repository's configuration (deploy/nginx/, rendered by
scripts/nginx_config.py), in the foreground, from a temporary folder of its own. Three nginx
instances share the two Rasa servers: the main one, one with a low rate limit (all the tests'
requests come from 127.0.0.1, so the limit is tested apart from the conversations) and one with
TLS on a throw-away self-signed certificate. The last test kills one Rasa server mid-run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import pytest

from tests.support.nginx import Nginx
from tests.support.scaled import ScaledDeployment, two_rasa_servers

pytestmark = pytest.mark.e2e

REQUEST_TIMEOUT_SECONDS = 90
CONVERSATIONS = 6
TURNS = 8
KILL_AFTER_TURNS = 12  # of CONVERSATIONS * TURNS: the kill comes mid-run
MAX_ATTEMPTS = 40  # resends of one message (1 s apart) before the test gives up on it
LIMITED_RATE, LIMITED_BURST = 1, 3


@dataclass
class Answer:
    status: int
    headers: Dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


def request(
    url: str,
    body: Optional[bytes] = None,
    context: Optional[ssl.SSLContext] = None,
    timeout: float = REQUEST_TIMEOUT_SECONDS,
) -> Answer:
    req = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=context) as response:
            return Answer(
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read(),
            )
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def message_body(sender: str, text: str, message_id: str = "", attempt: int = 1) -> bytes:
    body: Dict[str, object] = {"sender": sender, "message": text}
    if message_id:
        body["metadata"] = {"message_id": message_id, "attempt": attempt}
    return json.dumps(body).encode()


@dataclass
class Deployment(ScaledDeployment):
    nginx: Nginx = None  # type: ignore[assignment]
    limited: Nginx = None  # type: ignore[assignment]
    tls: Nginx = None  # type: ignore[assignment]
    certificate: Path = None  # type: ignore[assignment]

    def addresses(self) -> List[str]:
        return [f"127.0.0.1:{server.rasa_port}" for server in self.servers]


def self_signed_certificate(folder: Path) -> Tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def require_nginx() -> None:
    if shutil.which("nginx"):
        return
    reason = "nginx not installed: scripts/install_system_packages.sh installs Debian's nginx"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    require_nginx()
    with two_rasa_servers(tmp_path_factory, "nginx") as scaled:
        addresses = [f"127.0.0.1:{server.rasa_port}" for server in scaled.servers]
        certificate = self_signed_certificate(tmp_path_factory.mktemp("tls"))
        proxies: List[Nginx] = []
        try:
            for proxy in (
                Nginx(addresses),
                Nginx(addresses, rate=LIMITED_RATE, burst=LIMITED_BURST),
                Nginx(addresses, tls=certificate),
            ):
                proxies.append(proxy)  # stopped below even if it fails to start
                proxy.start()
            yield Deployment(
                scaled.postgres,
                scaled.redis,
                scaled.servers,
                nginx=proxies[0],
                limited=proxies[1],
                tls=proxies[2],
                certificate=certificate[0],
            )
        finally:
            for proxy in proxies:
                proxy.stop()


def test_conversations_spread_over_both_servers(deployment: Deployment, sender: str) -> None:
    for number in range(6):
        answer = request(
            f"{deployment.nginx.url}/webhooks/rest/webhook",
            message_body(f"{sender}-{number}", "hello"),
        )
        assert answer.status == 200 and answer.json(), answer
    answered_by = [entry["tried"][-1] for entry in deployment.nginx.webhook_log_of(6)]
    assert len(answered_by) == 6
    for address in deployment.addresses():
        assert answered_by.count(address) >= 2, (address, answered_by)


def test_page_charts_and_page_webhook_are_served_by_nginx(
    deployment: Deployment, sender: str
) -> None:
    page = request(f"{deployment.nginx.url}/")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert b"<html" in page.body.lower()
    config = request(f"{deployment.nginx.url}/config.json")
    assert config.status == 200 and config.json()["rest_url"] == "webhook"
    chart = request(f"{deployment.nginx.url}/charts/pain_over_time.png")
    assert chart.status == 200 and chart.headers["content-type"] == "image/png"
    assert chart.body.startswith(b"\x89PNG")
    for hidden in ("/.git/config", "/charts/", "/../README.md"):
        assert request(f"{deployment.nginx.url}{hidden}").status in (400, 403, 404), hidden
    reply = request(f"{deployment.nginx.url}/webhook", message_body(sender, "hello"))
    assert reply.status == 200 and reply.json()


@pytest.mark.parametrize("path", ["/", "/config.json", "/webhooks/rest/", "/no-such-file"])
def test_security_headers_on_every_answer(deployment: Deployment, path: str) -> None:
    answer = request(f"{deployment.nginx.url}{path}")
    csp = answer.headers.get("content-security-policy", "")
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp, csp
    assert "frame-ancestors 'none'" in csp
    assert not re.search(r"https?://|\*", csp), csp  # no origin but the page's own
    assert answer.headers.get("x-content-type-options") == "nosniff"
    assert answer.headers.get("x-frame-options") == "DENY"
    assert "nginx/" not in answer.headers.get("server", "")  # no version given away


def test_body_over_the_cap_is_refused_before_rasa(deployment: Deployment, sender: str) -> None:
    big = message_body(sender, "x" * 1_100_000)
    answer = request(f"{deployment.nginx.url}/webhooks/rest/webhook", big)
    assert answer.status == 413
    # nginx writes the access-log line as it finishes the request, which can be just after the
    # answer reached us: wait for the 413's own line rather than read the last one.
    deadline = time.monotonic() + 10
    while not [e for e in deployment.nginx.webhook_log() if e["status"] == "413"]:
        assert time.monotonic() < deadline, deployment.nginx.webhook_log()
        time.sleep(0.1)
    refused = [e for e in deployment.nginx.webhook_log() if e["status"] == "413"]
    assert [entry["tried"] for entry in refused] == [["-"]]  # no Rasa server saw it


def test_rate_limit_answers_429_in_json_past_its_threshold(deployment: Deployment) -> None:
    url = f"{deployment.limited.url}/webhooks/rest/"
    answers = [request(url) for _ in range(LIMITED_BURST + 12)]
    statuses = [answer.status for answer in answers]
    # The burst is let through at once; the rate refills one request a second, far slower than
    # these requests come, so the rest is refused.
    assert statuses[: LIMITED_BURST + 1] == [200] * (LIMITED_BURST + 1), statuses
    refused = [answer for answer in answers if answer.status == 429]
    assert len(refused) >= 8, statuses
    assert set(statuses) == {200, 429}, statuses
    assert refused[0].headers["content-type"].startswith("application/json")
    assert "too many" in refused[0].json()["error"].lower()
    assert refused[0].headers.get("retry-after") == "1"
    assert "frame-ancestors 'none'" in refused[0].headers["content-security-policy"]
    # The REST channel itself (POST) is limited too.
    post = request(
        f"{deployment.limited.url}/webhooks/rest/webhook", message_body("limited", "hello")
    )
    assert post.status == 429 and post.json()["error"]


def test_tls_with_a_throw_away_certificate(deployment: Deployment, sender: str) -> None:
    context = ssl.create_default_context(cafile=str(deployment.certificate))
    assert deployment.tls.url.startswith("https://")
    answer = request(
        f"{deployment.tls.url}/webhooks/rest/webhook", message_body(sender, "hello"), context
    )
    assert answer.status == 200 and answer.json()
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    # Without trusting the certificate, the connection is refused: it is really TLS.
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        request(f"{deployment.tls.url}/", context=ssl.create_default_context())
    # Plain HTTP on the TLS port gets nginx's 400, not the assistant.
    plain = request(f"http://127.0.0.1:{deployment.tls.port}/config.json")
    assert plain.status == 400


def test_a_server_killed_mid_run_loses_no_conversation_or_turn(deployment: Deployment) -> None:
    """Runs last: one Rasa server is killed (SIGKILL) while conversations go on through nginx."""
    survivor, victim = deployment.servers
    url = f"{deployment.nginx.url}/webhooks/rest/webhook"
    senders = [f"kill-{number:02d}-{time.time_ns()}" for number in range(CONVERSATIONS)]
    failures: List[str] = []
    lock = threading.Lock()
    done = {"turns": 0, "at_kill": None, "resent": 0, "log_at_kill": 0}
    resent_after: Counter = Counter()  # the statuses that made the client send a message again

    def text(sender: str, turn: int) -> str:
        return f"hello, message {turn} from {sender}"

    def kill_if_due() -> None:
        with lock:
            done["turns"] += 1
            if done["turns"] != KILL_AFTER_TURNS:
                return
            done["at_kill"] = done["turns"]
        os.kill(victim.rasa_server.pid, signal.SIGKILL)
        victim.rasa_server.wait()
        with lock:
            done["log_at_kill"] = len(deployment.nginx.webhook_log())

    def converse(sender: str) -> None:
        for turn in range(TURNS):
            message_id = f"{sender}-{turn}"
            for attempt in range(1, MAX_ATTEMPTS + 1):
                try:
                    answer = request(
                        url, message_body(sender, text(sender, turn), message_id, attempt)
                    )
                except OSError as error:
                    answer = Answer(0, {}, str(error).encode())
                if answer.status == 200 and answer.json():
                    break
                # The page's rule (web/chat.js): 502/503/504 mean "send it again, same id".
                if answer.status not in (0, 502, 503, 504):
                    with lock:
                        failures.append(
                            f"{sender} turn {turn}: {answer.status} {answer.body[:200]!r}"
                        )
                    return
                with lock:
                    done["resent"] += 1
                    resent_after[answer.status] += 1
                time.sleep(1)
            else:
                with lock:
                    failures.append(f"{sender} turn {turn}: no answer in {MAX_ATTEMPTS} attempts")
                return
            kill_if_due()

    log_lines_before = len(deployment.nginx.webhook_log())
    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        list(pool.map(converse, senders))

    assert not failures, failures
    assert done["at_kill"] == KILL_AFTER_TURNS < CONVERSATIONS * TURNS
    assert victim.rasa_server.poll() is not None  # it really is dead
    # Every message stored once, in order, whichever server took it: no turn lost, and none
    # handled twice, not even the one in flight on the killed server while it held the
    # conversation's lock (the resends take turns on its claim: channels/message_claims.py).
    for sender in senders:
        stored = deployment.user_messages(sender)
        assert stored == [text(sender, t) for t in range(TURNS)], (sender, stored)
    print(f"resends after the kill: {done['resent']}, after {dict(resent_after)}")  # pytest -rP

    entries = deployment.nginx.webhook_log()[log_lines_before : done["log_at_kill"]]
    dead = f"127.0.0.1:{victim.rasa_port}"
    alive = f"127.0.0.1:{survivor.rasa_port}"
    assert any(entry["tried"] == [dead] for entry in entries)  # it took turns before the kill
    # After the kill no message ends at the dead server with an answer: nginx routes around it
    # (a message in flight to it when it died may end there as a 502, which the client resent).
    after_kill = deployment.nginx.webhook_log()[done["log_at_kill"] :]
    assert after_kill, "no turn came after the kill"
    assert all(e["tried"][-1] == alive or e["status"] == "502" for e in after_kill), after_kill
    assert any(e["tried"][-1] == alive and e["status"] == "200" for e in after_kill)
    after = [
        request(url, message_body(f"after-kill-{n}-{time.time_ns()}", "hello")) for n in range(4)
    ]
    assert [answer.status for answer in after] == [200] * 4
    assert [entry["tried"][-1] for entry in deployment.nginx.webhook_log()[-4:]] == [alive] * 4
