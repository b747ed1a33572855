"""Load generator for the REST channel: closed loop (N conversations, turns back to back) and
open loop (many people, each sending a turn about every `interval` seconds).

Loopback only and bounded: every run stops at its deadline or turn limit, every request has a
timeout, and the number of open connections is capped by the number of conversations.
A turn is one POST to /webhooks/rest/webhook; its latency is from sending to the full reply.
Each walk through a scenario is a new conversation (a new sender id), as a new visitor would be.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence
from urllib.parse import urlparse

import aiohttp

from bench.scenarios import Scenario

REQUEST_TIMEOUT_SECONDS = 30.0
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class Turn:
    started: float  # seconds since the run started
    latency: float  # seconds
    ok: bool  # HTTP 200 with a JSON list
    empty: bool  # ok, but the bot said nothing
    error: str = ""


@dataclass
class RunResult:
    mode: str  # "closed" | "open"
    concurrency: int  # conversations (closed) or people (open)
    elapsed: float  # seconds from the first send to the last reply
    turns: List[Turn] = field(default_factory=list)
    late_sends: int = 0  # open loop: a person's next turn was due before the reply came


Progress = Callable[[int, int], None]  # (turns done, errors so far)


def webhook_url(rasa_url: str) -> str:
    host = urlparse(rasa_url).hostname
    if host not in LOOPBACK_HOSTS:
        raise ValueError(f"the load generator only talks to this machine, not {host!r}")
    return f"{rasa_url.rstrip('/')}/webhooks/rest/webhook"


class _Recorder:
    def __init__(self, on_progress: Optional[Progress]):
        self.turns: List[Turn] = []
        self.errors = 0
        self.on_progress = on_progress
        self.t0 = time.perf_counter()

    def add(self, turn: Turn) -> None:
        self.turns.append(turn)
        self.errors += not turn.ok
        if self.on_progress:
            self.on_progress(len(self.turns), self.errors)


async def send_turn(
    session: aiohttp.ClientSession, url: str, sender: str, text: str, t0: float
) -> Turn:
    start = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            body = await response.json(content_type=None)
            latency = time.perf_counter() - start
            if response.status != 200 or not isinstance(body, list):
                return Turn(start - t0, latency, False, False, f"HTTP {response.status}")
            return Turn(start - t0, latency, True, not body)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        return Turn(start - t0, time.perf_counter() - start, False, False, type(error).__name__)


def _session(connections: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections + 2),
        timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS),
    )


class _Walker:
    """One person: walks the scenarios in turn, a new conversation for each walk."""

    def __init__(self, name: str, scenarios: Sequence[Scenario], first: int):
        self.name, self.scenarios = name, scenarios
        self.scenario_index, self.turn_index, self.walks = first % len(scenarios), 0, 0

    def next_turn(self) -> tuple[str, str]:
        scenario = self.scenarios[self.scenario_index]
        sender = f"{self.name}-w{self.walks}"
        text = scenario.turns[self.turn_index]
        self.turn_index += 1
        if self.turn_index == len(scenario.turns):
            self.turn_index, self.walks = 0, self.walks + 1
            self.scenario_index = (self.scenario_index + 1) % len(self.scenarios)
        return sender, text


async def closed_loop(
    rasa_url: str,
    scenarios: Sequence[Scenario],
    conversations: int,
    duration: float,
    max_turns_per_conversation: int,
    run_id: str,
    on_progress: Optional[Progress] = None,
) -> RunResult:
    """`conversations` senders, each sending its next turn as soon as the last one is answered,
    until `duration` seconds have passed or each has sent `max_turns_per_conversation` turns."""
    url = webhook_url(rasa_url)
    recorder = _Recorder(on_progress)
    deadline = recorder.t0 + duration

    async def conversation(index: int, session: aiohttp.ClientSession) -> None:
        walker = _Walker(f"{run_id}-c{conversations}-{index}", scenarios, first=index)
        for _ in range(max_turns_per_conversation):
            if time.perf_counter() >= deadline:
                return
            sender, text = walker.next_turn()
            recorder.add(await send_turn(session, url, sender, text, recorder.t0))

    async with _session(conversations) as session:
        await asyncio.gather(*(conversation(i, session) for i in range(conversations)))
    return RunResult("closed", conversations, time.perf_counter() - recorder.t0, recorder.turns)


async def open_loop(
    rasa_url: str,
    scenarios: Sequence[Scenario],
    people: int,
    duration: float,
    interval: float,
    jitter: float,
    run_id: str,
    seed: int = 9,
    on_progress: Optional[Progress] = None,
) -> RunResult:
    """`people` senders; each starts at a random moment in the first interval, then sends a turn
    every `interval` × uniform(1 − jitter, 1 + jitter) seconds, waiting for each reply (a person
    reads before typing). A reply slower than the gap sends the next turn at once (`late_sends`)."""
    url = webhook_url(rasa_url)
    recorder = _Recorder(on_progress)
    stop_at = recorder.t0 + duration
    rng = random.Random(seed)
    late = 0

    async def person(index: int, session: aiohttp.ClientSession, offset: float) -> None:
        nonlocal late
        walker = _Walker(f"{run_id}-p{index}", scenarios, first=index)
        due = recorder.t0 + offset
        while due < stop_at:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            sender, text = walker.next_turn()
            recorder.add(await send_turn(session, url, sender, text, recorder.t0))
            due += interval * rng.uniform(1 - jitter, 1 + jitter)
            if due < time.perf_counter():
                late += 1
                due = time.perf_counter()

    offsets = [rng.uniform(0, interval) for _ in range(people)]
    async with _session(people) as session:
        await asyncio.gather(*(person(i, session, offsets[i]) for i in range(people)))
    result = RunResult("open", people, time.perf_counter() - recorder.t0, recorder.turns)
    result.late_sends = late
    return result
