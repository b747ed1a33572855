"""A one-line progress display on stderr: the step, the time so far and live counts."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, total_steps: int, stream: TextIO = sys.stderr, quiet: bool = False):
        self.total, self.done = total_steps, 0
        self.stream, self.quiet = stream, quiet
        self.live = stream.isatty()
        self.started = time.monotonic()
        self.title = ""
        self._last_update = 0.0

    def _clock(self) -> str:
        seconds = int(time.monotonic() - self.started)
        return f"{seconds // 60}m{seconds % 60:02d}s"

    def _write(self, line: str, final: bool) -> None:
        if self.quiet:
            return
        if self.live:
            self.stream.write("\r\033[K" + line + ("\n" if final else ""))
        elif final:
            self.stream.write(line + "\n")
        self.stream.flush()

    def step(self, title: str) -> None:
        """Starts the next step."""
        self.done += 1
        self.title = title
        self._write(f"[{self.done}/{self.total} {self._clock()}] {title} ...", final=not self.live)

    def update(self, detail: str) -> None:
        """Live detail for the current step (on a terminal; otherwise every 10 s)."""
        now = time.monotonic()
        if not self.live and now - self._last_update < 10:
            return
        if self.live and now - self._last_update < 0.2:
            return
        self._last_update = now
        self._write(
            f"[{self.done}/{self.total} {self._clock()}] {self.title}: {detail}",
            final=not self.live,
        )

    def finish(self, detail: str) -> None:
        """Ends the current step with its result."""
        self._write(
            f"[{self.done}/{self.total} {self._clock()}] {self.title}: {detail}", final=True
        )

    def note(self, text: str) -> None:
        self._write(text, final=True)
