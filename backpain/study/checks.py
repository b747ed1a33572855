"""Checks across fields and sections of the study file, after the schema has accepted its shape.

The schema (`schema.py`) knows each field on its own; these checks know how the sections fit
together: every source key is defined under `sources`, every group/timepoint/outcome a section
names is defined, the pain table has every group at every timepoint, counts add up, intervals
contain their estimates, and the earliest timepoint is the baseline. The first problem found
raises StudyFileError with the file, the path inside it and what is wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, Mapping, Sequence

from backpain.study.errors import StudyFileError, file_error
from backpain.study.file_model import FileModel, SourceKeys
from backpain.study.schema import ConfidenceInterval, Range, StudyFile


def check_study_file(document: StudyFile, raw: Mapping[str, Any], file: Path) -> None:
    """Raise StudyFileError for the first inconsistency in a schema-valid study file."""
    checker = _Checker(document, raw, file)
    checker.source_keys()
    checker.ranges()
    checker.timepoints()
    checker.outcomes()
    checker.participants()
    checker.sessions()
    checker.ambiguous_names()
    checker.pain_results()
    checker.between_group()
    checker.effect_size()
    checker.computations()


class _Checker:
    def __init__(self, document: StudyFile, raw: Mapping[str, Any], file: Path):
        self.doc = document
        self.raw = raw
        self.file = file
        self.known: Dict[str, Mapping[str, Any]] = {
            "group": document.groups,
            "timepoint": document.timepoints,
            "outcome": document.outcomes,
        }

    def fail(self, path: str, problem: str) -> StudyFileError:
        return file_error(self.file, path, problem)

    def reference(self, value: str, path: str, kind: str) -> None:
        known = self.known[kind]
        if value not in known:
            raise self.fail(path, f"unknown {kind} {value!r} (defined: {', '.join(known)})")

    def every_group(self, found: Mapping[str, Any], path: str) -> None:
        missing = [group_id for group_id in self.doc.groups if group_id not in found]
        if missing:
            raise self.fail(f"{path}.{missing[0]}", "required group is missing")

    # -- the checks, roughly in the order of the file ---------------------------------------

    def source_keys(self) -> None:
        defined = tuple(self.doc.sources)
        for model in _models(self.doc):
            for name, field in model.__fields__.items():
                if field.type_ is not SourceKeys:
                    continue
                for key in getattr(model, name):
                    if key not in defined:
                        raise self.fail(
                            model.field_path(name),
                            f"unknown source key {key!r} (defined in 'sources': {', '.join(defined)})",
                        )

    def ranges(self) -> None:
        for model in _models(self.doc):
            if isinstance(model, Range):
                low_key, high_key, low, high = "min", "max", model.min, model.max
            elif isinstance(model, ConfidenceInterval):
                low_key, high_key, low, high = "low", "high", model.low, model.high
            else:
                continue
            if low > high:
                raise self.fail(
                    model.path, f"'{low_key}' ({low}) is greater than '{high_key}' ({high})"
                )

    def timepoints(self) -> None:
        earliest = min(self.doc.timepoints.values(), key=lambda t: t.week)
        if earliest.week != 0:
            raise self.fail(
                earliest.field_path("week"), "the earliest timepoint must be the baseline, week 0"
            )

    def outcomes(self) -> None:
        if not any(o.role == "primary" for o in self.doc.outcomes.values()):
            raise self.fail("outcomes", "no outcome has role 'primary'")

    def participants(self) -> None:
        participants = self.doc.participants
        for group_id, counts in participants.per_group.items():
            self.reference(group_id, counts.path, "group")
            if counts.men.value + counts.women.value != counts.n.value:
                raise self.fail(counts.field_path("n"), "men + women does not equal n")
        self.every_group(participants.per_group, participants.field_path("per_group"))
        total = sum(counts.n.value for counts in participants.per_group.values())
        if total != participants.randomised.value:
            raise self.fail(
                participants.field_path("randomised"), "does not equal the sum of the groups' n"
            )

    def sessions(self) -> None:
        sessions = self.doc.sessions
        if sessions.per_week.value * sessions.weeks.value != sessions.total.value:
            raise self.fail(sessions.field_path("total"), "does not equal per_week × weeks")

    def ambiguous_names(self) -> None:
        for name in self.doc.ambiguous_names:
            if name.id in self.known[name.kind]:
                raise self.fail(
                    name.field_path("id"),
                    f"{name.id!r} is already a {name.kind} id; an ambiguous name needs its own id",
                )
            for index, target in enumerate(name.means):
                self.reference(target, f"{name.field_path('means')}[{index}]", name.kind)
            if len(set(name.means)) < 2:
                raise self.fail(
                    name.field_path("means"),
                    "an ambiguous name must mean at least two different ids",
                )

    def pain_results(self) -> None:
        results = self.doc.pain_results
        outcome = results.outcome
        self.reference(outcome, results.field_path("outcome"), "outcome")
        for outcome_id, defined in self.doc.outcomes.items():
            if defined.group_means_reported != (outcome_id == outcome):
                raise self.fail(
                    defined.field_path("group_means_reported"),
                    f"must be {'true' if outcome_id == outcome else 'false'}: only {outcome!r} has group means in pain_results",
                )
        values_path = results.field_path("values")
        for group_id, row in results.values.items():
            group_path = f"{values_path}.{group_id}"
            self.reference(group_id, group_path, "group")
            for timepoint_id in row:
                self.reference(timepoint_id, f"{group_path}.{timepoint_id}", "timepoint")
            missing = [t for t in self.doc.timepoints if t not in row]
            if missing:
                raise self.fail(f"{group_path}.{missing[0]}", "required timepoint is missing")
        self.every_group(results.values, values_path)

    def between_group(self) -> None:
        between = self.doc.between_group
        for timepoint_id, result in between.results.items():
            self.reference(timepoint_id, result.path, "timepoint")
            difference = result.difference
            if difference and not difference.ci_low <= difference.value <= difference.ci_high:
                raise self.fail(difference.path, "the value is not inside its confidence interval")
        self.reference(between.outcome, between.field_path("outcome"), "outcome")

    def effect_size(self) -> None:
        effect = self.doc.effect_size
        self.reference(effect.outcome, effect.field_path("outcome"), "outcome")
        self.reference(effect.timepoint, effect.field_path("timepoint"), "timepoint")

    def computations(self) -> None:
        for computation in self.doc.allowed_computations:
            if computation.inputs not in self.raw:
                raise self.fail(
                    computation.field_path("inputs"),
                    f"names {computation.inputs!r}, which is not a section of the file",
                )


def _models(node: Any) -> Iterator[FileModel]:
    """Every mapping of the file under `node`, parents before children, in file order."""
    if isinstance(node, FileModel):
        yield node
        for name in node.__fields__:
            yield from _models(getattr(node, name))
    elif isinstance(node, dict):
        for child in node.values():
            yield from _models(child)
    elif isinstance(node, Sequence) and not isinstance(node, str):
        for child in node:
            yield from _models(child)
