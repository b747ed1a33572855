"""Shared pytest fixtures.

- For the action server's unit tests: `domain` (the real domain, loaded through Rasa's
  Domain.load), `dispatcher` (a fresh CollectingDispatcher) and `tracker` (the one tracker
  builder, tests/support/doubles.py). Parametrised tables that need the domain while tests are
  collected import DOMAIN from there directly.
- For the end-to-end tests: the running assistant (tests/support/harness.py), its web page and a
  fresh conversation id per test.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path
from typing import Any, Callable, Dict, Iterator

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from backpain.clinic_config import clinic_config
from tests.support.doubles import DOMAIN, make_tracker
from tests.support.harness import Assistant, free_port


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    """domain.yml and data/responses/, as the action server receives them."""
    return DOMAIN


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture
def tracker() -> Callable[..., Tracker]:
    """Builds a tracker from slot values and the latest message (see make_tracker)."""
    return make_tracker


@dataclasses.dataclass(frozen=True)
class WebPage:
    """Where the end-to-end run's web page will be served, and the clinic settings that say so."""

    port: int
    clinic_config: Path

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="session")
def web_page(tmp_path_factory: pytest.TempPathFactory) -> WebPage:
    """The project's clinic settings, except that the page (and its charts) live on a free port."""
    port = free_port()
    settings = {
        **clinic_config().dict(),
        "web_origin": f"http://127.0.0.1:{port}",
        "public_base_url": f"http://127.0.0.1:{port}",
    }
    path = tmp_path_factory.mktemp("clinic") / "clinic.yml"
    path.write_text(yaml.safe_dump(settings))
    return WebPage(port=port, clinic_config=path)


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory, web_page: WebPage) -> Iterator[Assistant]:
    """The real action server and Rasa server with the latest trained model, for the whole run.
    CORS lets the test's web page talk to it, as `make run` does for the clinic's page."""
    running = Assistant(
        workdir=tmp_path_factory.mktemp("assistant"),
        extra_env={"CLINIC_CONFIG": str(web_page.clinic_config)},
        extra_args=["--cors", web_page.origin],
    ).start()
    yield running
    running.stop()


_senders = itertools.count()


@pytest.fixture
def sender(request: pytest.FixtureRequest) -> str:
    """A fresh conversation id per test, named after the test for readable logs."""
    return f"{request.node.name[:40]}-{next(_senders)}"
