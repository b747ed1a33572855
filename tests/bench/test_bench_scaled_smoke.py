"""The scaled comparison's smoke run (`python -m bench --scaled`, bench/scaled.py) against the
assistant the end-to-end tests already run: "single" is that Rasa server, "scaled" is nginx in
front of the same server, so no PostgreSQL or second model is started (a few seconds, not a
minute). It checks the plan and the outputs' structure: the same closed loop for both, each open
loop at half its own saturation, the second also at the first's load. The real two-server set-up
is started by tests/e2e/test_nginx_scale_out.py with the same support code (bench/setups.py).
Timings are not asserted: timing is not a test."""

from __future__ import annotations

import json
import os
import shutil
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

from bench.plans import SCALED_PLANS
from bench.scaled import compare
from bench.scaled_report import JSON_NAME, MD_NAME
from bench.setups import Target, assistant_target, nginx_in_front
from tests.support.harness import Assistant

pytestmark = pytest.mark.e2e


@contextmanager
def nginx_over(assistant: Assistant) -> Iterator[Target]:
    """nginx in front of the test's Rasa server; no Rasa server of its own to warm up (the single
    set-up just did)."""
    with nginx_in_front([assistant.rasa_url]) as proxy:
        pids = assistant_target(assistant).pids
        yield Target("scaled", "nginx over the test's Rasa server", proxy.url, [], pids)


@pytest.fixture(scope="module")
def scaled_smoke(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Any]:
    if not shutil.which("nginx"):
        reason = "nginx not installed: scripts/install_system_packages.sh installs Debian's nginx"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {reason}", pytrace=False)
        pytest.skip(reason)
    out_dir = tmp_path_factory.mktemp("bench-scaled")
    setups = {
        "single": lambda: nullcontext(assistant_target(assistant)),
        "scaled": lambda: nginx_over(assistant),
    }
    compare(setups, SCALED_PLANS["smoke"], 0.5, assistant.model, out_dir, quiet=True)
    return {"dir": out_dir, "json": json.loads((out_dir / JSON_NAME).read_text(encoding="utf-8"))}


def test_both_set_ups_get_the_same_closed_loop(scaled_smoke: Dict[str, Any]) -> None:
    setups = scaled_smoke["json"]["setups"]
    assert list(setups) == ["single", "scaled"]
    for setup in setups.values():
        assert [run["concurrency"] for run in setup["closed_loop"]] == [1, 2]
        for run in setup["closed_loop"]:
            assert run["turns"] == 4 * run["concurrency"] and run["errors"] == 0
        assert setup["saturation_turns_per_second"] == max(
            run["turns_per_second"] for run in setup["closed_loop"]
        )
        assert setup["memory_mb"]["peak"] > 0
        cpu = setup["cpu_closed_loop"]
        assert cpu["turns"] == sum(run["turns"] for run in setup["closed_loop"])
        assert {"rasa", "actions", "load generator"} <= set(cpu["ms_per_turn"])
        assert all(ms >= 0 for ms in cpu["ms_per_turn"].values()) and cpu["cores_busy"] >= 0


def test_each_open_loop_offers_half_its_own_saturation(scaled_smoke: Dict[str, Any]) -> None:
    setups = scaled_smoke["json"]["setups"]
    for setup in setups.values():
        offered = setup["open_loop"]["offered"]
        assert offered["fraction"] == 0.5
        assert offered["saturation"] == setup["saturation_turns_per_second"]
        assert offered["people"] == max(1, round(0.5 * offered["saturation"] * offered["interval"]))
        assert setup["open_loop"]["errors"] == 0
    # Only the second set-up is also offered the first one's load, as many people.
    assert setups["single"]["open_loop_same_people"] is None
    same = setups["scaled"]["open_loop_same_people"]
    assert same["offered"]["people"] == setups["single"]["open_loop"]["offered"]["people"]
    assert same["concurrency"] == same["offered"]["people"] and same["errors"] == 0


def test_the_table_sets_the_two_side_by_side(scaled_smoke: Dict[str, Any]) -> None:
    table = (Path(scaled_smoke["dir"]) / MD_NAME).read_text(encoding="utf-8")
    assert "| metric | one Rasa server | two behind nginx | two ÷ one |" in table
    for row in ("saturation (best closed-loop turns/s)", "open loop: p95", "open loop: errors"):
        assert f"| {row} |" in table
    assert "of its own saturation" in table and "A smoke run" in table
