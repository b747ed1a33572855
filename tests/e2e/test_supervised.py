"""`make run` stays up: each part killed with SIGKILL mid-conversation comes back by itself.

The assistant is started as `make run` starts it (scripts/supervise.sh: supervisord and its
three parts) on free ports. A person chats on the clinic page in chromium; between two of their
messages one part is killed (SIGKILL on the pid supervisord reports), and the next message is
sent at once, while the part is down. Each test shows:
- the part is back (answering, as a new process) within 60 s; the time is recorded in
  results/restart_times.json (the README's figures come from there);
- the page showed "The assistant is restarting, your message will be sent." and then delivered
  the message, whose answer is the one its place in the conversation calls for;
- the conversation holds every message of the person once, in order (the tracker's applied
  events; for the action server, its full event list too: the message was refused, not undone).
Then `make status` is run against the same stack, healthy and with a part stopped, the logs are
searched for what the person wrote, and Ctrl-C (SIGINT to supervisord) stops everything.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from backpain.clinic_config import clinic_config
from tests.support import browser
from tests.support.harness import PROJECT_ROOT
from tests.support.supervised import PARTS, SupervisedAssistant

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

RESTART_BOUND_SECONDS = 60
RESTART_TIMES = PROJECT_ROOT / "results" / "restart_times.json"
ROLE_BUTTON = "I'm a physio in training"
QUESTION = "What was pain in the control group at 22 weeks?"
FOLLOW_UP = "What did the study compare?"
NOTICE = "The assistant is restarting, your message will be sent."


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SupervisedAssistant]:
    running = SupervisedAssistant(workdir=tmp_path_factory.mktemp("supervised")).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    browser.require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = browser.launch_browser(playwright)
        try:
            yield launched
        finally:
            launched.close()


def record_restart(part: str, seconds: float) -> None:
    """Appends the measurement to results/restart_times.json (measurements, not a test)."""
    RESTART_TIMES.parent.mkdir(exist_ok=True)
    try:
        times = json.loads(RESTART_TIMES.read_text())
    except (OSError, ValueError):
        times = []
    times.append(
        {"part": part, "seconds": round(seconds, 1), "at": time.strftime("%Y-%m-%d %H:%M:%S")}
    )
    RESTART_TIMES.write_text(json.dumps(times, indent=1) + "\n")
    print(f"{part} back {seconds:.1f}s after SIGKILL")


@pytest.mark.parametrize("part", PARTS)
def test_a_killed_part_comes_back_and_the_conversation_goes_on(
    stack: SupervisedAssistant, chromium: Any, part: str
) -> None:
    context = chromium.new_context(viewport={"width": 900, "height": 1000})
    try:
        page = context.new_page()
        # A reply may wait for the Rasa server to load its model again.
        chat = browser.ChatPage(page, stack.page_url, reply_timeout_ms=180_000).open()
        assert any("education assistant" in m for m in chat.bot_messages())
        chat.click_button(ROLE_BUTTON)
        assert any("fuller picture" in m for m in chat.bot_messages())
        sender = page.evaluate("JSON.parse(localStorage.getItem('clinicChat.v1')).senderId")

        old_pid = stack.pid(part)
        killed_at = stack.kill(part)
        assert not stack.is_up(part)
        chat.input.fill(QUESTION)
        chat.input.press("Enter")  # while the part is down

        notice = page.locator("#restarting")
        notice.wait_for(state="visible", timeout=30_000)
        assert notice.inner_text().split("\n")[0] == NOTICE
        assert clinic_config().crisis_line_text in notice.inner_text()  # help does not wait
        assert page.locator(".from-user.pending .message-text").inner_text() == QUESTION
        seconds = stack.wait_until_back(part, killed_at, old_pid)
        record_restart(part, seconds)

        chat.wait_until_idle()  # the page sent it again by itself
        assert notice.is_hidden() and chat.error_text() == ""
        assert chat.user_messages() == [ROLE_BUTTON, QUESTION]
        assert any("3.86 (SD 2.35)" in m for m in chat.bot_messages())  # the answer for a trainee
        chat.send(FOLLOW_UP)
        assert chat.user_messages() == [ROLE_BUTTON, QUESTION, FOLLOW_UP]
        assert chat.error_text() == ""

        expected = ["/greet", "/declare_trainee", QUESTION, FOLLOW_UP]
        assert stack.user_texts(sender) == expected  # every message once, in order
        if part == "actions":  # refused while it was down: never stored, not even undone
            assert stack.user_texts(sender, "ALL") == expected
        assert stack.tracker(sender)["slots"]["audience"] == "trainee"
        assert seconds < RESTART_BOUND_SECONDS, f"{part} took {seconds:.1f}s to come back"
    finally:
        context.close()


def test_a_message_sent_again_is_answered_once(stack: SupervisedAssistant) -> None:
    """A repeat of a message Rasa already handled (the reply was lost on its way) is answered
    from the stored replies, not handled a second time."""
    from tests.support.harness import http_json

    url = f"{stack.page_url}webhook"
    message = {"sender": "repeat-check", "message": QUESTION, "metadata": {"message_id": "m-1"}}
    first = http_json("POST", url, {**message, "metadata": {"message_id": "m-1", "attempt": 1}})
    again = http_json("POST", url, {**message, "metadata": {"message_id": "m-1", "attempt": 2}})
    assert first and again == first
    assert stack.user_texts("repeat-check", "ALL") == [QUESTION]  # handled once


def test_make_status_healthy_and_with_a_part_stopped(stack: SupervisedAssistant) -> None:
    code, output = stack.status()
    assert code == 0, output
    for part in ("action server", "Rasa server", "page server", "tracker store (SQLite)"):
        assert any(line.startswith(part) and " up " in line for line in output.splitlines()), output
    assert "all parts up" in output

    assert stack.supervisorctl("stop", "actions").returncode == 0
    try:
        code, output = stack.status()
        assert code != 0, output  # make's own 2, for the script's 1
        assert any(
            line.startswith("action server") and "DOWN" in line for line in output.splitlines()
        ), output
        assert "1 part(s) down: action server" in output
    finally:
        assert stack.supervisorctl("start", "actions").returncode == 0
    assert stack.status()[0] == 0

    broken = stack.workdir / "no-store.yml"
    broken.write_text(
        "tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: /nonexistent/tracker.db\n"
    )
    code, output = stack.status(extra_env={"ENDPOINTS": str(broken)})
    assert code != 0 and "tracker store (SQLite)  DOWN" in output, output


def test_logs_hold_one_line_per_turn_and_no_message_text(stack: SupervisedAssistant) -> None:
    logs = {path.name: path.read_text(errors="replace") for path in stack.log_dir.glob("*.log")}
    assert set(logs) >= {"actions.log", "rasa.log", "web.log", "supervisord.log"}
    for name, text in logs.items():
        for secret in (QUESTION, FOLLOW_UP, "control group", "repeat-check"):
            assert secret not in text, f"{secret!r} in {name}"
    turns = [line for line in logs["rasa.log"].splitlines() if " turn conversation=" in line]
    outcomes = [line.split("outcome=")[1].split()[0] for line in turns]
    assert "answered" in outcomes and "unavailable" in outcomes and "repeated" in outcomes
    assert all(" ms=" in line for line in turns)
    # supervisord saw each kill and started the part again.
    supervisor_log = logs["supervisord.log"]
    for part in PARTS:
        assert f"exited: {part} (terminated by SIGKILL" in supervisor_log, supervisor_log[-3000:]


def test_ctrl_c_stops_every_part(stack: SupervisedAssistant) -> None:
    pids = [stack.pid(part) for part in PARTS]
    assert stack.stop() == 0
    for part in PARTS:
        assert not stack.is_up(part)
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists(), f"process {pid} outlived supervisord"
