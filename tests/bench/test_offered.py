"""The open loop's load as a fraction of the measured saturation (bench/offered.py), the plans
that use it, and the scaled comparison's table (bench/scaled_report.py), without servers."""

from __future__ import annotations

from typing import Any, Dict, Optional

import pytest

from bench import scaled_report, targets
from bench.offered import open_loop_plan, plan_with_people
from bench.plans import PLANS, SCALED_PLANS
from bench.run import main


def test_people_offer_the_fraction_of_saturation() -> None:
    plan = open_loop_plan(40.0, 0.5, interval=10, seconds=65, jitter=0.3)
    assert (plan.people, plan.offered_turns_per_second) == (200, 20.0)
    assert "200 people" in plan.describe() and "50% of 40 turns/s" in plan.describe()
    # The rate reported is the one the whole people offer, not the unrounded product.
    odd = open_loop_plan(37.9, 0.5, interval=10, seconds=65, jitter=0.3)
    assert odd.people == 190 and odd.offered_turns_per_second == 19.0
    assert open_loop_plan(40.0, 1.0, 10, 65, 0.3).people == 400  # at saturation
    assert open_loop_plan(0.05, 0.5, 10, 65, 0.3).people == 1  # never nobody


def test_a_slower_machine_gets_proportionally_fewer_people() -> None:
    fast = open_loop_plan(40.0, 0.5, 10, 65, 0.3)
    slow = open_loop_plan(20.0, 0.5, 10, 65, 0.3)
    assert slow.people * 2 == fast.people
    assert slow.offered_turns_per_second / slow.saturation == fast.fraction == 0.5


@pytest.mark.parametrize("fraction", [0, -0.5, 2.5])
def test_fraction_out_of_range_is_refused(fraction: float) -> None:
    with pytest.raises(ValueError, match="fraction"):
        open_loop_plan(40.0, fraction, 10, 65, 0.3)


@pytest.mark.parametrize("saturation", [0.0, -1.0])
def test_no_open_loop_without_a_measured_saturation(saturation: float) -> None:
    with pytest.raises(ValueError, match="saturation"):
        open_loop_plan(saturation, 0.5, 10, 65, 0.3)


def test_the_same_people_on_a_faster_set_up_are_a_smaller_fraction() -> None:
    scaled = open_loop_plan(60.0, 0.5, 10, 65, 0.3)
    same = plan_with_people(scaled, 200)
    assert same.people == 200 and same.offered_turns_per_second == 20.0
    assert same.fraction == pytest.approx(1 / 3, abs=0.001)


def test_every_plan_offers_a_fraction_not_a_number_of_people() -> None:
    for plan in [*PLANS.values(), *SCALED_PLANS.values()]:
        assert 0 < plan.open_fraction <= 1 and plan.open_interval > 0
    assert PLANS["full"].open_fraction == SCALED_PLANS["full"].open_fraction == 0.5


def test_command_line_refuses_a_fraction_out_of_range(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--fraction", "0"])
    assert exit_info.value.code == 2 and "fraction" in capsys.readouterr().err


def _setup(saturation: float, p95: float, offered: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    return {
        "description": "test",
        "closed_loop": [{"concurrency": 1, "turns_per_second": saturation, "errors": 0}],
        "saturation_turns_per_second": saturation,
        "open_loop": {
            "p50_ms": 10.0,
            "p95_ms": p95,
            "p99_ms": p95,
            "errors": 0,
            "offered": offered,
        },
        "open_loop_same_people": None,
        "memory_mb": {"peak": 1000.0},
    }


def test_open_loop_target_names_the_offered_load() -> None:
    offered = {"fraction": 0.5, "people": 190, "turns_per_second": 19.0}
    results = {"configs": {"ours": _setup(37.9, 120.0, offered)}}
    by_target = {t["target"]: t for t in targets.evaluate(results)}
    target = by_target["open loop: p95 ≤ 150 ms, no errors"]
    assert (
        target["met"] is True and "19 turns/s (190 people, 50% of saturation)" in target["measured"]
    )
    results = {"configs": {"ours": {**_setup(37.9, 120.0, None), "open_loop": None}}}
    assert {t["target"]: t["met"] for t in targets.evaluate(results)}[
        "open loop: p95 ≤ 150 ms, no errors"
    ] is None


def test_scaled_table_sets_two_servers_against_one() -> None:
    def offered(saturation: float) -> Dict[str, Any]:
        plan = open_loop_plan(saturation, 0.5, 10, 65, 0.3)
        return {**plan.__dict__, "turns_per_second": plan.offered_turns_per_second}

    results = {
        "mode": "full",
        "date": "2026-01-01 00:00 UTC",
        "machine": {"description": "test"},
        "model": "models/x.tar.gz",
        "setups": {
            "single": _setup(30.0, 100.0, offered(30.0)),
            "scaled": _setup(45.0, 80.0, offered(45.0)),
        },
    }
    results["setups"]["scaled"]["cpu_closed_loop"] = {
        "ms_per_turn": {"rasa-1": 20.0, "rasa-2": 22.0, "actions": 5.0, "postgresql": 3.0,
                        "redis": 1.0, "nginx": 1.5, "load generator": 4.0},
        "cores_busy": 1.9,
    }  # fmt: skip
    table = scaled_report.markdown(results)
    assert "| saturation (best closed-loop turns/s) | 30.0 | 45.0 | 1.50× |" in table
    # The Rasa servers' CPU per turn is summed, and so is the services'.
    assert "| closed loop: CPU ms per turn, Rasa server(s) | – | 42.0 | – |" in table
    assert "| closed loop: CPU ms per turn, PostgreSQL + Redis + nginx | – | 5.5 | – |" in table
    assert "| open loop: offered turns/s | 15.00 | 22.50 | 1.50× |" in table
    assert "| open loop: p95 | 100.0 ms | 80.0 ms | 0.80× |" in table
    assert "150 people, a turn every ~10 s, 15 turns/s offered = 50% of its own saturation" in table
