"""Every number in every answer the study queries can give is traced back to the study file.

The grid: every query kind × outcome (and none) × group (and none) × timepoint (and none, and the
ambiguous "follow-up") × audience (patient, trainee, none), plus every design topic. A number in
an answer's text (or button titles) passes only if it is
  - "about N" where N is the whole-number rounding of a reported figure the answer recorded,
  - a reported figure the answer recorded (its recorded path in the file holds that value),
  - a computed figure on a line labelled as computed, whose inputs are file figures and whose
    value the formula reproduces, or
  - a number written inside one of the file's own statements (criteria, dates, identifiers).
The last tests prove the check fails on an invented figure.
"""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path
from typing import Any, Iterator, List, Set

import pytest
import yaml

from backpain.study.answer import COMPUTED_MARKERS, MINUS, Answer, Figure, round_half_up
from backpain.study.chart import answer_chart
from backpain.study.comparison_answers import answer_comparison, answer_effect_size
from backpain.study.design_answers import DESIGN_TOPICS, answer_design
from backpain.study.figure_answers import answer_change, answer_figure
from backpain.study.loading import DEFAULT_STUDY_PATH, load_study
from backpain.study.queries import QUERY_KINDS, answer_follow_up

RAW = yaml.safe_load(DEFAULT_STUDY_PATH.read_text(encoding="utf-8"))
# A number not inside a word or identifier ("NCT04270422", "week22" hold no figures); a minus
# sign (−) or hyphen directly before it makes it negative; en-dash ranges stay positive.
NUMBER = re.compile(
    rf"(?:(?<![\w.])(?P<sign>[{MINUS}-]))?(?<![\w.])(?P<digits>\d+(?:\.\d+)?)(?!\w)"
)
TOLERANCE = 1e-9


def numbers_in(text: str) -> Iterator[re.Match]:
    return NUMBER.finditer(text)


def value_of(match: re.Match) -> float:
    value = float(match.group("digits"))
    return -value if match.group("sign") else value


def numbers_in_file_text(node: Any) -> Set[float]:
    """Numbers written inside the file's text values (not its numeric figures)."""
    found: Set[float] = set()
    if isinstance(node, dict):
        for value in node.values():
            found |= numbers_in_file_text(value)
    elif isinstance(node, list):
        for value in node:
            found |= numbers_in_file_text(value)
    elif isinstance(node, str):
        found |= {value_of(m) for m in numbers_in(node)}
    return found


FILE_TEXT_NUMBERS = numbers_in_file_text(RAW)


def lookup(path: str) -> Any:
    node: Any = RAW
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        node = node[int(part[1:-1])] if part.startswith("[") else node[part]
    return node


def recompute(figure: Figure) -> float:
    values = [v for _, v in figure.inputs]
    if figure.formula == "difference":
        return values[0] - values[1]
    if figure.formula == "percent_change":
        return (values[0] - values[1]) / values[1] * 100
    raise AssertionError(f"unknown formula {figure.formula!r}")


def same(a: float, b: float) -> bool:
    return abs(a - b) < TOLERANCE


def provenance_problems(answer: Answer) -> List[str]:
    problems: List[str] = []
    reported = [f for f in answer.figures if f.kind == "reported"]
    computed = [f for f in answer.figures if f.kind == "computed"]
    for figure in reported:
        try:
            in_file = lookup(figure.path)
        except (KeyError, IndexError, TypeError):
            problems.append(
                f"reported figure {figure.value} names a path not in the file: {figure.path!r}"
            )
            continue
        if (
            isinstance(in_file, bool)
            or not isinstance(in_file, (int, float))
            or not same(in_file, figure.value)
        ):
            problems.append(
                f"reported figure {figure.value} but the file has {in_file!r} at {figure.path!r}"
            )
    for figure in computed:
        for path, value in figure.inputs:
            if not same(lookup(path), value):
                problems.append(
                    f"computed figure {figure.value} uses {value}, but the file has {lookup(path)} at {path!r}"
                )
        if abs(recompute(figure) - figure.value) > 0.5 * 10**-figure.decimals + TOLERANCE:
            problems.append(
                f"computed figure {figure.value} does not follow from its inputs ({figure.formula})"
            )

    lines = answer.text.splitlines() + [button["title"] for button in answer.buttons]
    for line in lines:
        labelled_computed = any(marker in line.lower() for marker in COMPUTED_MARKERS)
        for match in numbers_in(line):
            value = value_of(match)
            if line[: match.start()].endswith("about "):
                # Whole numbers, or one decimal where two whole numbers would read the same (issue 15).
                decimals = len(match.group(0).partition(".")[2])
                rounded = (
                    (lambda v: round_half_up(v))
                    if decimals == 0
                    else (lambda v: round(v, decimals))
                )
                if not any(same(abs(rounded(f.value)), abs(value)) for f in reported):
                    problems.append(
                        f"'about {match.group(0)}' is not the rounding of a reported figure: {line!r}"
                    )
                continue
            if any(
                same(value, f.value) or (f.shown_unsigned and same(abs(value), abs(f.value)))
                for f in reported
            ):
                continue
            if labelled_computed and any(
                same(value, round(f.value, f.decimals))
                or (f.shown_unsigned and same(abs(value), abs(round(f.value, f.decimals))))
                for f in computed
            ):
                continue
            if any(same(value, n) for n in FILE_TEXT_NUMBERS):
                continue
            problems.append(f"number {match.group(0)} has no source in the study file: {line!r}")
    return problems


# -- the grid ----------------------------------------------------------------------------------

STUDY = load_study()
OUTCOMES = [None, *STUDY.outcomes]
GROUPS = [None, *STUDY.groups]
TIMEPOINTS = [None, *STUDY.timepoints, "followup"]
AUDIENCES = ["patient", "trainee", None]


def every_answer(study=STUDY, chart_dir: Path = None) -> Iterator[Answer]:
    for audience in AUDIENCES:
        for outcome, group, timepoint in itertools.product(OUTCOMES, GROUPS, TIMEPOINTS):
            yield answer_figure(outcome, group, timepoint, audience, study)
            yield answer_change(outcome, group, timepoint, audience, study)
            yield answer_comparison(outcome, timepoint, audience, study, group=group)
        yield answer_effect_size(audience, study)
        for topic in [*DESIGN_TOPICS, "not-a-topic"]:
            for group in GROUPS:
                yield answer_design(topic, audience, study, group=group)
        if chart_dir is not None:
            yield answer_chart(audience, study, output_path=chart_dir / "chart.png")
        previous = {
            "outcome": "pain",
            "group": "control",
            "timepoint": "week22",
            "topic": "treatments",
        }
        for kind in QUERY_KINDS:
            for new in (
                {"group": "experimental"},
                {"timepoint": "week10"},
                {"timepoint": "follow-up"},
            ):
                yield answer_follow_up(kind, previous, new, audience, study)


def test_every_number_in_every_answer_comes_from_the_study_file(tmp_path):
    problems = []
    count = 0
    for answer in every_answer(chart_dir=tmp_path):
        count += 1
        problems.extend(f"[{answer.kind}] {p}" for p in provenance_problems(answer))
    assert count > 1000
    assert problems == []


def test_grid_answers_actually_quote_figures():
    """Guard against a vacuous pass: the grid must contain exact, rounded and computed figures."""
    answers = list(every_answer())
    texts = "\n".join(a.text for a in answers)
    assert "3.86" in texts and "about 4" in texts and "−3.37" in texts and "−0.89" in texts
    assert sum(len(list(numbers_in(a.text))) for a in answers) > 3000


# -- the check itself catches invented figures -------------------------------------------------


def real_answer() -> Answer:
    return answer_figure("pain", "control", "week22", "trainee", STUDY)


def test_check_passes_a_real_answer():
    assert provenance_problems(real_answer()) == []


@pytest.mark.parametrize(
    "extra_line",
    [
        "Pain fell to 4.44 on average.",  # a figure nobody reported
        "That is about 9 out of 10.",  # a rounding of no recorded figure
        "A change of −3.50 points.",  # an unlabelled, unrecorded figure
        "The difference was 2.43 points.",  # a file figure this answer never read from the file
    ],
)
def test_check_catches_an_invented_figure_in_the_text(extra_line):
    answer = real_answer()
    answer.text += "\n" + extra_line
    assert provenance_problems(answer)


def test_check_catches_a_computed_figure_that_is_not_labelled():
    answer = answer_change("pain", "experimental", "week22", "trainee", STUDY)
    unlabelled = Answer(
        text="\n".join(
            line.replace("computed", "worked out").replace("calculation", "sum")
            for line in answer.text.splitlines()
        ),
        kind=answer.kind,
        figures=answer.figures,
    )
    assert any("−3.37" in p for p in provenance_problems(unlabelled))


def test_check_catches_a_wrong_computation():
    answer = answer_change("pain", "experimental", "week22", "trainee", STUDY)
    answer.figures = [
        Figure(f.value + 1, f.kind, f.path, f.sources, f.formula, f.inputs, f.decimals)
        if f.kind == "computed"
        else f
        for f in answer.figures
    ]
    assert any("does not follow" in p for p in provenance_problems(answer))


def test_check_catches_answers_built_from_an_altered_file(tmp_path):
    """Queries run on a study file with one invented mean: the check against the real file fails."""
    altered = tmp_path / "altered.yml"
    text = DEFAULT_STUDY_PATH.read_text(encoding="utf-8").replace(
        "week22: {mean: 3.86, sd: 2.35", "week22: {mean: 3.99, sd: 2.35"
    )
    assert "3.99" in text
    altered.write_text(text, encoding="utf-8")
    altered_study = load_study(altered)
    for audience in AUDIENCES:
        answer = answer_figure("pain", "control", "week22", audience, altered_study)
        assert any("3.99" in p for p in provenance_problems(answer)), audience
    change = answer_change("pain", "control", "week22", "patient", altered_study)
    assert provenance_problems(change)


def test_number_pattern_reads_signs_and_ranges():
    text = f"d {MINUS}0.89, CI {MINUS}1.38 to {MINUS}0.39, aged 18–50, NCT04270422, 95%, 2020-02-17, -2"
    values = [value_of(m) for m in numbers_in(text)]
    assert values == [-0.89, -1.38, -0.39, 18, 50, 95, 2020, 2, 17, -2]
    assert not math.isnan(values[0])
