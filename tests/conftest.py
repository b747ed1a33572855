"""Shared pytest fixtures: the running assistant for end-to-end tests (see tests/harness.py)."""
from __future__ import annotations

import itertools
from typing import Iterator

import pytest

from tests.harness import Assistant


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """The real action server and Rasa server with the latest trained model, for the whole run."""
    running = Assistant(workdir=tmp_path_factory.mktemp("assistant")).start()
    yield running
    running.stop()


_senders = itertools.count()


@pytest.fixture
def sender(request: pytest.FixtureRequest) -> str:
    """A fresh conversation id per test, named after the test for readable logs."""
    return f"{request.node.name[:40]}-{next(_senders)}"
