"""The benchmark's smoke mode (issue 9) against the running assistant: a tiny closed-loop run with
1 and 2 conversations and a 4-second open loop at half the saturation it found, then a check that
bench.json, bench.md and the plot are written with the structure `make bench` relies on. Timings
are not asserted: timing is not a test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest

from bench import report
from bench.accuracy import load_statistic_questions, mentions
from bench.loadgen import webhook_url
from bench.measure import percentile, tree_rss_mb
from bench.run import run_smoke
from bench.scenarios import load_scenarios
from tests.support.harness import Assistant

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def smoke(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Any]:
    out_dir = tmp_path_factory.mktemp("bench")
    run_smoke(assistant, out_dir)
    return {
        "dir": out_dir,
        "json": json.loads((out_dir / "bench.json").read_text(encoding="utf-8")),
    }


@pytest.mark.e2e
def test_smoke_run_writes_the_three_outputs(smoke: Dict[str, Any]) -> None:
    out_dir: Path = smoke["dir"]
    assert (out_dir / "bench_latency.png").read_bytes()[:8] == PNG_SIGNATURE
    table = (out_dir / "bench.md").read_text(encoding="utf-8")
    assert "| closed loop, 1 conv.: p95 |" in table and "## Targets (issue 9)" in table


@pytest.mark.e2e
def test_smoke_run_measures_every_turn_of_both_levels(smoke: Dict[str, Any]) -> None:
    ours = smoke["json"]["configs"]["ours"]
    assert [run["concurrency"] for run in ours["closed_loop"]] == [1, 2]
    for run in ours["closed_loop"]:
        assert run["turns"] == 4 * run["concurrency"]  # every conversation sent its few turns
        assert run["errors"] == 0 and run["empty_replies"] == 0
        assert 0 < run["p50_ms"] <= run["p95_ms"] <= run["p99_ms"] <= run["max_ms"]
        assert run["turns_per_second"] > 0
    assert ours["saturation_turns_per_second"] == max(
        run["turns_per_second"] for run in ours["closed_loop"]
    )
    memory = ours["memory_mb"]
    assert memory["rasa_peak"] >= memory["rasa_idle"] > 0 and memory["actions_peak"] > 0
    # The figures are stored rounded to 0.1 MiB, so compare the sum at the same precision
    # (1670.3 + 152.1 is 1822.3999... in floating point).
    assert memory["total_peak"] <= round(memory["rasa_peak"] + memory["actions_peak"], 1)


@pytest.mark.e2e
def test_smoke_run_asks_statistic_questions_and_keeps_the_figures_it_expected(
    smoke: Dict[str, Any],
) -> None:
    exact = smoke["json"]["configs"]["ours"]["accuracy"]["exact_statistics"]
    assert exact["asked"] == 2 == len(exact["answers"])
    assert exact["exact"] == sum(answer["exact"] for answer in exact["answers"])
    assert all(answer["expected"] and answer["reply"] for answer in exact["answers"])


@pytest.mark.e2e
def test_smoke_run_reports_targets_and_leaves_unmeasured_ones_open(smoke: Dict[str, Any]) -> None:
    results = smoke["json"]
    assert results["mode"] == "smoke" and "default" not in results["configs"]
    by_target = {t["target"]: t["met"] for t in results["targets"]}
    assert by_target["one conversation: p95 ≤ 60 ms"] in (True, False)
    assert by_target["open loop: p95 ≤ 150 ms, no errors"] in (True, False)
    assert results["ratios"] == {}


@pytest.mark.e2e
def test_smoke_open_loop_offers_half_the_saturation_it_measured(smoke: Dict[str, Any]) -> None:
    ours = smoke["json"]["configs"]["ours"]
    open_loop, offered = ours["open_loop"], ours["open_loop"]["offered"]
    assert (
        offered["fraction"] == 0.5 and offered["saturation"] == ours["saturation_turns_per_second"]
    )
    assert offered["people"] == max(1, round(0.5 * offered["saturation"] * offered["interval"]))
    assert open_loop["mode"] == "open" and open_loop["concurrency"] == offered["people"]
    assert open_loop["turns"] >= offered["people"]  # each person sent at least one turn
    assert open_loop["errors"] == 0 and open_loop["late_sends"] >= 0
    table = (smoke["dir"] / "bench.md").read_text(encoding="utf-8")
    assert f"{offered['people']} people, a turn every ~2 s" in table
    assert "= 50% of its own saturation" in table


# --- the pieces, without servers --------------------------------------------------------------


def test_percentile_is_nearest_rank() -> None:
    values = list(range(1, 101))
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (50, 95, 99)
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) is None


def test_exact_figure_must_stand_alone() -> None:
    assert mentions("pain was 3.86 (SD 2.35)", "3.86")
    assert mentions("a difference of -2.20 points", "\u22122.20")  # a hyphen for the minus sign
    assert not mentions("13.86", "3.86") and not mentions("3.861", "3.86")


def test_expected_figures_come_from_the_study_file() -> None:
    questions = load_statistic_questions()
    assert len(questions) >= 10
    assert all(any(ch.isdigit() for ch in q.expected) for q in questions)


def test_scenarios_missing_an_intent_are_skipped_not_run(tmp_path: Path) -> None:
    file = tmp_path / "scenarios.yml"
    file.write_text(
        "scenarios:\n"
        "  - {name: ready, requires: [greet], turns: [hi, bye]}\n"
        "  - {name: later, requires: [greet, not_written_yet], turns: [hi]}\n"
    )
    runnable, skipped = load_scenarios(file, available={"greet"})
    assert [s.name for s in runnable] == ["ready"] and skipped == ["later (needs not_written_yet)"]
    with pytest.raises(ValueError, match="no scenario can run"):
        load_scenarios(file, available=set())


def test_load_generator_refuses_other_hosts() -> None:
    assert webhook_url("http://127.0.0.1:5005").endswith("/webhooks/rest/webhook")
    with pytest.raises(ValueError, match="only talks to this machine"):
        webhook_url("http://example.com:5005")


def test_memory_of_a_finished_process_is_zero() -> None:
    assert tree_rss_mb(2**22 + 12345) == 0


def test_table_shows_ratio_when_both_configurations_ran() -> None:
    def config(p95: float) -> Dict[str, Any]:
        return {"closed_loop": [{"concurrency": 1, "p50_ms": 1.0, "p95_ms": p95, "p99_ms": p95}]}

    results = {
        "mode": "full",
        "date": "2026-01-01 00:00 UTC",
        "machine": {"description": "test"},
        "configs": {"ours": config(30.0), "default": config(60.0)},
    }
    results["ratios"] = report.ratios(results)
    assert results["ratios"]["closed loop, 1 conv.: p95"] == 0.5
    assert "| closed loop, 1 conv.: p95 | 30.0 ms | 60.0 ms | 0.50× |" in report.markdown(results)
