"""Fixtures of the chat page tests: a stub Rasa, the page server in front of it, chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest

from tests.support.web_stub import (
    CHART_FILE,
    TEST_EMERGENCY_NUMBER,
    ChatPage,
    PageProblems,
    StubRasa,
    launch_browser,
    require_chromium,
    running_stub,
    serve_web_page,
    write_chart,
    write_clinic_config,
)


@pytest.fixture(scope="module")
def stub_rasa() -> Iterator[StubRasa]:
    with running_stub() as stub:
        yield stub


@pytest.fixture(scope="module")
def site_files(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    root = tmp_path_factory.mktemp("web_site")
    charts = root / "charts"
    charts.mkdir()
    write_chart(charts / CHART_FILE)
    (charts / ".hidden.png").write_bytes(b"hidden")
    (charts / "nested").mkdir()
    (charts / "nested" / "inner.txt").write_text("inner", encoding="utf-8")
    secret = root / "secret.txt"
    secret.write_text("outside the charts folder", encoding="utf-8")
    (charts / "escape.txt").symlink_to(secret)
    clinic = write_clinic_config(root / "clinic.yml", TEST_EMERGENCY_NUMBER)
    return {"charts": charts, "clinic": clinic}


@pytest.fixture(scope="module")
def web_url(stub_rasa: StubRasa, site_files: Dict[str, Path]) -> Iterator[str]:
    with serve_web_page(
        stub_rasa.base_url,
        charts_dir=site_files["charts"],
        extra_env={"CLINIC_CONFIG": str(site_files["clinic"])},
    ) as url:
        stub_rasa.allowed_origin = url.rstrip("/")
        stub_rasa.chart_url = f"{url}charts/{CHART_FILE}"
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch_browser(playwright)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page_context(browser: Any) -> Iterator[Tuple[Any, PageProblems]]:
    context = browser.new_context(viewport={"width": 900, "height": 1000})
    page = context.new_page()
    problems = PageProblems()

    def on_dialog(dialog: Any) -> None:
        problems.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: problems.errors.append(str(error)))
    page.on(
        "console",
        lambda message: problems.errors.append(message.text) if message.type == "error" else None,
    )
    try:
        yield page, problems
    finally:
        context.close()


@pytest.fixture
def chat(page_context: Tuple[Any, PageProblems], web_url: str, stub_rasa: StubRasa) -> ChatPage:
    stub_rasa.reset()
    page, _ = page_context
    return ChatPage(page, web_url).open()


@pytest.fixture
def problems(page_context: Tuple[Any, PageProblems]) -> PageProblems:
    return page_context[1]
