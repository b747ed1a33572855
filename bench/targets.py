"""The issue's targets, checked against a benchmark's results (reported, never enforced:
timing is not a test)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from bench.report import lookup

ONE_CONVERSATION_P95_MS = 60
OPEN_LOOP_P95_MS = (
    150  # issue 9 said 200 people; now at a fraction of saturation (bench/offered.py)
)
SATURATION_FACTOR = 1.5
TRAINING_SECONDS = 180
RSS_MIB = 1536  # 1.5 GiB, Rasa + action server together
INTENT_F1 = 0.95
ACCURACY_FIGURES = ("intent_f1", "response_selection_f1", "entity_f1", "exact_statistics.share")


def _target(target: str, measured: str, met: Optional[bool]) -> Dict[str, Any]:
    return {"target": target, "measured": measured, "met": met}


def _num(value: Any, fmt: str = "{:.1f}") -> str:
    return "–" if value is None else fmt.format(value)


def evaluate(results: Dict[str, Any]) -> List[Dict[str, Any]]:
    ours: Dict[str, Any] = results["configs"]["ours"]
    default: Optional[Dict[str, Any]] = results["configs"].get("default")
    targets = []

    p95 = lookup(ours, "closed_loop.1.p95_ms")
    targets.append(
        _target(
            f"one conversation: p95 ≤ {ONE_CONVERSATION_P95_MS} ms",
            f"{_num(p95)} ms",
            None if p95 is None else p95 <= ONE_CONVERSATION_P95_MS,
        )
    )

    open_loop = ours.get("open_loop") or {}
    offered = open_loop.get("offered") or {}
    label = f"open loop: p95 ≤ {OPEN_LOOP_P95_MS} ms, no errors"
    if offered:
        met = (
            open_loop["p95_ms"] is not None
            and open_loop["p95_ms"] <= OPEN_LOOP_P95_MS
            and open_loop["errors"] == 0
        )
        measured = (
            f"{_num(open_loop['p95_ms'])} ms, {open_loop['errors']} errors at "
            f"{offered['turns_per_second']:g} turns/s ({offered['people']} people, "
            f"{offered['fraction']:.0%} of saturation)"
        )
    else:
        met, measured = None, "not run"
    targets.append(_target(label, measured, met))

    ours_sat = ours.get("saturation_turns_per_second")
    default_sat = default.get("saturation_turns_per_second") if default else None
    if ours_sat and default_sat:
        targets.append(
            _target(
                f"saturation ≥ {SATURATION_FACTOR}× the default's turns/s",
                f"{ours_sat:.1f} vs {default_sat:.1f} turns/s ({ours_sat / default_sat:.2f}×)",
                ours_sat >= SATURATION_FACTOR * default_sat,
            )
        )
    else:
        targets.append(
            _target(f"saturation ≥ {SATURATION_FACTOR}× the default's turns/s", "not run", None)
        )

    seconds = lookup(ours, "training.seconds")
    targets.append(
        _target(
            f"training from scratch ≤ {TRAINING_SECONDS} s",
            f"{_num(seconds)} s",
            None if seconds is None else seconds <= TRAINING_SECONDS,
        )
    )

    rss = lookup(ours, "memory_mb.total_peak")
    targets.append(
        _target(
            f"Rasa + action server ≤ {RSS_MIB} MiB resident",
            f"{_num(rss, '{:.0f}')} MiB",
            None if rss is None else rss <= RSS_MIB,
        )
    )

    f1 = lookup(ours, "accuracy.intent_f1")
    targets.append(
        _target(
            f"intent F1 ≥ {INTENT_F1}", _num(f1, "{:.3f}"), None if f1 is None else f1 >= INTENT_F1
        )
    )

    share = lookup(ours, "accuracy.exact_statistics.share")
    targets.append(
        _target(
            "100% exact statistic answers",
            _num(share and share * 100, "{:.0f}%"),
            None if share is None else share == 1,
        )
    )

    if default:
        worse = []
        compared = 0
        for figure in ACCURACY_FIGURES:
            mine, theirs = lookup(ours, f"accuracy.{figure}"), lookup(default, f"accuracy.{figure}")
            if mine is None or theirs is None:
                continue
            compared += 1
            if mine < theirs:
                worse.append(f"{figure} {mine:.3f} < {theirs:.3f}")
        targets.append(
            _target(
                "no accuracy figure worse than the default's",
                "; ".join(worse) or f"{compared} figures compared, none worse",
                None if compared == 0 else not worse,
            )
        )
    return targets
