"""The trial's study file (content/study/bemani2023.yml) as validated Python objects.

Plain Python, no Rasa imports: the action server, the spaCy pipeline builder and the tests all
read the file through `load_study()`. The loader checks the whole file before anything uses it
(required fields, numbers that are numbers, source keys that exist, groups/timepoints/outcomes
that are defined, synonyms claimed by one id only) and raises `StudyFileError` naming the file,
the path inside it (e.g. `pain_results.values.control.week22.sd`) and what is wrong. Nothing is
silently skipped: a broken file stops start-up instead of reaching a patient.

It also owns the names: `Study.resolve(kind, text)` maps any name or synonym to canonical ids, and
`Study.entity_patterns()` turns the same names into spaCy entity_ruler patterns.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STUDY_PATH = PROJECT_ROOT / "content" / "study" / "bemani2023.yml"
# Lets a deployment (or a test) point at another study file without editing the project.
STUDY_FILE_ENV = "STUDY_FILE"

ENTITY_KINDS = ("outcome", "group", "timepoint")
# Rasa treats a YAML file under data/ with any of these keys as training data.
MAX_FILE_BYTES = 2_000_000


class StudyFileError(ValueError):
    """The study file is missing, unreadable or has a wrong or inconsistent value."""


# ---------------------------------------------------------------------------------------------
# Data classes. Every figure and statement keeps its source keys and its path in the file, so
# answers can name the source and tests can trace any figure back to the file.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    citation: str
    url: Optional[str]


@dataclass(frozen=True)
class Statement:
    text: str
    sources: Tuple[str, ...]
    path: str


@dataclass(frozen=True)
class Number:
    value: float
    sources: Tuple[str, ...]
    path: str
    note: Optional[str] = None


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    sources: Tuple[str, ...]
    path: str  # path of the mapping; low/high live at `<path>.min`/`.max` or `.low`/`.high`
    low_key: str = "min"
    high_key: str = "max"


@dataclass(frozen=True)
class Citation:
    authors: Tuple[str, ...]
    title: str
    journal: str
    year: int
    volume: int
    issue: int
    article_number: int
    doi: str
    published: _dt.date
    sources: Tuple[str, ...]


@dataclass(frozen=True)
class Design:
    type: Statement
    arms: Number
    allocation_ratio: Statement
    blinding: Statement
    analysis: Statement


@dataclass(frozen=True)
class Registration:
    registry: str
    id: str
    registered: Optional[_dt.date]
    sources: Tuple[str, ...]


@dataclass(frozen=True)
class GroupParticipants:
    n: Number
    men: Number
    women: Number
    age_mean: Number
    age_sd: Number


@dataclass(frozen=True)
class Participants:
    randomised: Number
    age_range: Range
    per_group: Dict[str, GroupParticipants]


@dataclass(frozen=True)
class CriteriaVersion:
    version: str
    sources: Tuple[str, ...]
    criteria: Tuple[str, ...]


@dataclass(frozen=True)
class TreatmentVersion:
    version: str
    sources: Tuple[str, ...]
    summary: str
    components: Tuple[str, ...]


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    plain_label: str
    short_label: str
    synonyms: Tuple[str, ...]
    treatment: Tuple[TreatmentVersion, ...]


@dataclass(frozen=True)
class Timepoint:
    id: str
    label: str
    plain_label: str
    week: float
    description: str
    sources: Tuple[str, ...]
    synonyms: Tuple[str, ...]


@dataclass(frozen=True)
class AmbiguousName:
    id: str
    kind: str
    means: Tuple[str, ...]
    synonyms: Tuple[str, ...]


@dataclass(frozen=True)
class Scale:
    min: float
    max: float
    min_meaning: str
    max_meaning: str
    sources: Tuple[str, ...]
    path: str


@dataclass(frozen=True)
class Outcome:
    id: str
    label: str
    plain_label: str
    role: str  # "primary" | "secondary"
    role_sources: Tuple[str, ...]
    instrument: Optional[Statement]
    scale: Optional[Scale]
    group_means_reported: bool
    findings: Tuple[Statement, ...]
    synonyms: Tuple[str, ...]


@dataclass(frozen=True)
class MeanSD:
    group: str
    timepoint: str
    mean: float
    sd: float
    sources: Tuple[str, ...]
    path: str  # e.g. pain_results.values.control.week22 (mean at .mean, SD at .sd)


@dataclass(frozen=True)
class ReportedDifference:
    value: float
    ci_low: float
    ci_high: float
    sources: Tuple[str, ...]
    path: str


@dataclass(frozen=True)
class BetweenGroupResult:
    timepoint: str
    difference: Optional[ReportedDifference]
    statements: Tuple[Statement, ...]


@dataclass(frozen=True)
class BetweenGroup:
    outcome: str
    direction: Statement
    confidence_level: Number
    results: Dict[str, BetweenGroupResult]


@dataclass(frozen=True)
class EffectSize:
    outcome: str
    timepoint: str
    measure: str
    value: Number
    ci: Range  # low_key="low", high_key="high"
    ci_level: Number
    magnitude: Statement


@dataclass(frozen=True)
class PlannedTopics:
    status: str
    note: str
    sources: Tuple[str, ...]
    topics: Tuple[str, ...]


@dataclass(frozen=True)
class Sessions:
    per_week: Number
    weeks: Number
    total: Number
    applies_to: str


@dataclass(frozen=True)
class NamedStatement:
    id: str
    statement: Statement


@dataclass(frozen=True)
class UnreportedDetail:
    """A detail readers ask about that none of the sources reports (dropouts, funding, NNT...)."""

    id: str
    what: str  # "how many people dropped out", to say it is not reported
    names: Tuple[str, ...]  # the words people use for it, matched in the question
    note: Optional[str] = None  # why it matters or what the sources say instead


@dataclass(frozen=True)
class Computation:
    id: str
    description: str
    inputs: str


@dataclass
class Study:
    path: Path
    sha256: str
    raw: Dict[str, Any]
    study_id: str
    sources: Dict[str, Source]
    citation: Citation
    design: Design
    registrations: Tuple[Registration, ...]
    setting: Statement
    condition: Statement
    participants: Participants
    inclusion: Tuple[CriteriaVersion, ...]
    exclusion: Tuple[CriteriaVersion, ...]
    groups: Dict[str, Group]
    planned_topics: PlannedTopics
    sessions: Sessions
    timepoints: Dict[str, Timepoint]  # in time order
    ambiguous_names: Tuple[AmbiguousName, ...]
    outcomes: Dict[str, Outcome]
    results_outcome: str  # the outcome whose group means are in pain_results
    pain_results: Dict[str, Dict[str, MeanSD]]  # group -> timepoint -> mean/SD
    between_group: BetweenGroup
    effect_size: EffectSize
    limitations: Tuple[NamedStatement, ...]
    generalisability: Tuple[NamedStatement, ...]
    allowed_computations: Dict[str, Computation]
    not_reported: Tuple[UnreportedDetail, ...]
    _name_index: Dict[Tuple[str, str], Tuple[str, ...]] = field(default_factory=dict, repr=False)

    # -- names --------------------------------------------------------------------------------

    def resolve(self, kind: str, text: Optional[str]) -> List[str]:
        """Canonical ids for a name, synonym or id of one kind ("outcome", "group", "timepoint").

        Case, spaces and punctuation do not matter. An ambiguous name ("follow-up") or its id
        (`followup`) gives every id it may mean; an unknown name gives []. When the text is a
        longer phrase ("at 22 weeks please"), the longest known name inside it is used.
        """
        if kind not in ENTITY_KINDS:
            raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(ENTITY_KINDS)}")
        if not isinstance(text, str):
            return []
        key = normalise_name(text)
        if not key:
            return []
        exact = self._name_index.get((kind, key))
        if exact:
            return list(exact)
        padded = f" {key} "
        best: Tuple[str, ...] = ()
        best_len = 0
        for (index_kind, name), ids in self._name_index.items():
            if index_kind == kind and len(name) > best_len and f" {name} " in padded:
                best, best_len = ids, len(name)
        return list(best)

    def is_ambiguous(self, kind: str, text: Optional[str]) -> bool:
        return len(self.resolve(kind, text)) > 1

    def names(self, kind: str) -> List[Tuple[str, str]]:
        """(pattern id, name) pairs for one kind: every synonym, ambiguous ones too (ids not included)."""
        pairs: List[Tuple[str, str]] = []
        for item_id, item in self.items(kind).items():
            pairs.extend((item_id, name) for name in item.synonyms)
        for ambiguous in self.ambiguous_names:
            if ambiguous.kind == kind:
                pairs.extend((ambiguous.id, name) for name in ambiguous.synonyms)
        return pairs

    def entity_patterns(self) -> List[Dict[str, Any]]:
        """spaCy entity_ruler token patterns for every name and synonym, sorted and de-duplicated.

        Each pattern is {"label": kind, "pattern": [{"LOWER": token}, ...], "id": canonical id}
        (synonyms only: list an id under synonyms too if people say it, as "baseline" is);
        an ambiguous name gets the ambiguous id (e.g. `followup`), which resolve() expands.
        Tokens follow spaCy's English tokenizer (hyphens between letters or digits are tokens
        of their own: "follow-up" -> follow, -, up).
        """
        seen = set()
        patterns: List[Dict[str, Any]] = []
        for kind in ENTITY_KINDS:
            for pattern_id, name in self.names(kind):
                tokens = tuple(spacy_like_tokens(name))
                if not tokens or (kind, pattern_id, tokens) in seen:
                    continue
                seen.add((kind, pattern_id, tokens))
                patterns.append(
                    {
                        "label": kind,
                        "pattern": [{"LOWER": token} for token in tokens],
                        "id": pattern_id,
                    }
                )
        patterns.sort(key=lambda p: (p["label"], p["id"], [t["LOWER"] for t in p["pattern"]]))
        return patterns

    # -- small helpers used by the queries ----------------------------------------------------

    def source_labels(self, keys: Sequence[str]) -> List[str]:
        return [self.sources[key].label for key in keys]

    def unreported_in(self, text: str) -> Optional[UnreportedDetail]:
        """The unreported detail a question names ("who funded it?"), if any: whole words only."""
        words = " " + re.sub(r"[^a-z0-9:-]+", " ", text.lower().replace("’", "'")) + " "
        for detail in self.not_reported:
            if any(f" {name} " in words for name in detail.names):
                return detail
        return None

    def allows(self, computation_id: str) -> bool:
        return computation_id in self.allowed_computations

    def items(self, kind: str) -> Mapping[str, Any]:
        """The defined outcomes, groups or timepoints (by id) for an entity kind."""
        return {"outcome": self.outcomes, "group": self.groups, "timepoint": self.timepoints}[kind]


# ---------------------------------------------------------------------------------------------
# Names and tokens
# ---------------------------------------------------------------------------------------------


def normalise_name(text: str) -> str:
    """Lower case, punctuation and underscores as spaces, single spaces: "Follow-Up" -> "follow up"."""
    return " ".join(re.sub(r"[^\w]+|_", " ", text.lower()).split())


# Enough of spaCy's English tokenizer for names: "'s" suffixes, hyphens/slashes between letters or
# digits, other punctuation, and numbers with decimals each become tokens. The tests check every
# generated pattern against spacy.blank("en"), so a name this gets wrong fails a test.
_TOKEN = re.compile(r"'s\b|\d+(?:\.\d+)?|\w+|[^\w\s]")


def spacy_like_tokens(text: str) -> List[str]:
    return [token.lower() for token in _TOKEN.findall(text)]


# ---------------------------------------------------------------------------------------------
# Loading and validation
# ---------------------------------------------------------------------------------------------


class _Reader:
    """Reads values out of the parsed YAML, raising StudyFileError with the file and the path."""

    def __init__(self, file: Path):
        self.file = file
        self.source_keys: Tuple[str, ...] = ()

    def fail(self, path: str, problem: str) -> StudyFileError:
        where = f" at '{path}'" if path else ""
        return StudyFileError(f"{self.file}{where}: {problem}")

    def mapping(self, value: Any, path: str) -> Dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"expected a mapping, found {_kind_of(value)}")
        for key in value:
            if not isinstance(key, str):
                raise self.fail(path, f"keys must be text, found {key!r}")
        return value

    def get(self, parent: Dict[str, Any], key: str, path: str) -> Any:
        full = f"{path}.{key}" if path else key
        if key not in parent or parent[key] is None:
            raise self.fail(full, "required field is missing")
        return parent[key]

    def text(
        self, parent: Dict[str, Any], key: str, path: str, optional: bool = False
    ) -> Optional[str]:
        full = f"{path}.{key}" if path else key
        if optional and parent.get(key) is None:
            return None
        value = self.get(parent, key, path)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.fail(full, f"expected text, found {_kind_of(value)}")
        value = str(value).strip()
        if not value:
            raise self.fail(full, "must not be empty")
        return value

    def number(self, parent: Dict[str, Any], key: str, path: str) -> float:
        full = f"{path}.{key}" if path else key
        value = self.get(parent, key, path)
        # YAML reads yes/no as booleans, which are ints in Python: refuse them explicitly.
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(full, f"expected a number, found {_kind_of(value)} {value!r}")
        if value != value or value in (float("inf"), float("-inf")):
            raise self.fail(full, "expected a finite number")
        return value

    def boolean(self, parent: Dict[str, Any], key: str, path: str) -> bool:
        value = self.get(parent, key, path)
        if not isinstance(value, bool):
            raise self.fail(f"{path}.{key}", f"expected true or false, found {_kind_of(value)}")
        return value

    def date(
        self, parent: Dict[str, Any], key: str, path: str, optional: bool = False
    ) -> Optional[_dt.date]:
        full = f"{path}.{key}"
        if optional and parent.get(key) is None:
            return None
        value = self.get(parent, key, path)
        if isinstance(value, _dt.date):
            return value
        try:
            return _dt.date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(full, f"expected a date as YYYY-MM-DD, found {value!r}") from None

    def list(
        self, parent: Dict[str, Any], key: str, path: str, allow_empty: bool = False
    ) -> List[Any]:
        full = f"{path}.{key}" if path else key
        value = self.get(parent, key, path)
        if not isinstance(value, list):
            raise self.fail(full, f"expected a list, found {_kind_of(value)}")
        if not value and not allow_empty:
            raise self.fail(full, "must not be empty")
        return value

    def texts(
        self, parent: Dict[str, Any], key: str, path: str, allow_empty: bool = False
    ) -> Tuple[str, ...]:
        items = self.list(parent, key, path, allow_empty)
        full = f"{path}.{key}" if path else key
        result = []
        for i, item in enumerate(items):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                raise self.fail(f"{full}[{i}]", f"expected text, found {_kind_of(item)}")
            if not str(item).strip():
                raise self.fail(f"{full}[{i}]", "must not be empty")
            result.append(str(item).strip())
        return tuple(result)

    def sources(self, parent: Dict[str, Any], path: str, key: str = "source") -> Tuple[str, ...]:
        full = f"{path}.{key}"
        value = self.get(parent, key, path)
        keys = [value] if isinstance(value, str) else value
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            raise self.fail(
                full, f"expected a source key or a list of source keys, found {value!r}"
            )
        for source_key in keys:
            if source_key not in self.source_keys:
                known = ", ".join(self.source_keys)
                raise self.fail(
                    full, f"unknown source key {source_key!r} (defined in 'sources': {known})"
                )
        return tuple(keys)

    def statement(self, value: Any, path: str) -> Statement:
        mapping = self.mapping(value, path)
        return Statement(self.text(mapping, "text", path) or "", self.sources(mapping, path), path)

    def sourced_number(self, value: Any, path: str) -> Number:
        mapping = self.mapping(value, path)
        return Number(
            self.number(mapping, "value", path),
            self.sources(mapping, path),
            f"{path}.value",
            self.text(mapping, "note", path, optional=True),
        )

    def reference(self, value: Any, path: str, known: Mapping[str, Any], what: str) -> str:
        if not isinstance(value, str) or value not in known:
            raise self.fail(path, f"unknown {what} {value!r} (defined: {', '.join(known)})")
        return value


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    return {dict: "a mapping", list: "a list", str: "text", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _read_yaml(file: Path) -> Tuple[Any, str]:
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise StudyFileError(f"{file}: the study file does not exist") from None
    except OSError as error:
        raise StudyFileError(f"{file}: cannot read the study file ({error.strerror})") from None
    if len(data) > MAX_FILE_BYTES:
        raise StudyFileError(f"{file}: the study file is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise StudyFileError(f"{file}: not UTF-8 text (byte {error.start})") from None
    if "\x00" in text:
        raise StudyFileError(f"{file}: contains NUL bytes; not a text file")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise StudyFileError(f"{file}: not valid YAML{where}: {problem}") from None
    return raw, hashlib.sha256(data).hexdigest()


def load_study(path: Optional[os.PathLike] = None) -> Study:
    """Read and validate the study file; raise StudyFileError if anything is wrong.

    `path` defaults to $STUDY_FILE, then to content/study/bemani2023.yml in the project.
    """
    file = (
        Path(path)
        if path is not None
        else Path(os.environ.get(STUDY_FILE_ENV) or DEFAULT_STUDY_PATH)
    )
    raw, digest = _read_yaml(file)
    r = _Reader(file)
    if raw is None:
        raise r.fail("", "the study file is empty")
    root = r.mapping(raw, "")

    study_id = r.text(root, "study_id", "") or ""
    sources = _load_sources(r, root)
    r.source_keys = tuple(sources)

    groups = _load_groups(r, root)
    timepoints = _load_timepoints(r, root)
    outcomes = _load_outcomes(r, root)
    study = Study(
        path=file,
        sha256=digest,
        raw=root,
        study_id=study_id,
        sources=sources,
        citation=_load_citation(r, root),
        design=_load_design(r, root),
        registrations=_load_registrations(r, root),
        setting=r.statement(r.get(root, "setting", ""), "setting"),
        condition=r.statement(r.get(root, "condition", ""), "condition"),
        participants=_load_participants(r, root, groups),
        inclusion=_load_criteria(
            r, r.mapping(r.get(root, "eligibility", ""), "eligibility"), "inclusion"
        ),
        exclusion=_load_criteria(
            r, r.mapping(r.get(root, "eligibility", ""), "eligibility"), "exclusion"
        ),
        groups=groups,
        planned_topics=_load_planned_topics(r, root),
        sessions=_load_sessions(r, root),
        timepoints=timepoints,
        ambiguous_names=_load_ambiguous(r, root, timepoints, groups, outcomes),
        outcomes=outcomes,
        results_outcome=r.text(
            r.mapping(r.get(root, "pain_results", ""), "pain_results"), "outcome", "pain_results"
        )
        or "",
        pain_results=_load_pain_results(r, root, groups, timepoints, outcomes),
        between_group=_load_between_group(r, root, timepoints, outcomes),
        effect_size=_load_effect_size(r, root, timepoints, outcomes),
        limitations=_load_named_statements(r, root, "limitations"),
        generalisability=_load_named_statements(r, root, "generalisability"),
        allowed_computations=_load_computations(r, root),
        not_reported=_load_unreported(r, root),
    )
    study._name_index = _build_name_index(r, study)
    return study


@lru_cache(maxsize=1)
def get_study() -> Study:
    """The project's study file, loaded once per process (the action server calls this)."""
    return load_study()


def _load_sources(r: _Reader, root: Dict[str, Any]) -> Dict[str, Source]:
    mapping = r.mapping(r.get(root, "sources", ""), "sources")
    if not mapping:
        raise r.fail("sources", "must define at least one source")
    sources = {}
    for key, value in mapping.items():
        path = f"sources.{key}"
        item = r.mapping(value, path)
        sources[key] = Source(
            key=key,
            label=r.text(item, "label", path) or "",
            citation=r.text(item, "citation", path) or "",
            url=r.text(item, "url", path, optional=True),
        )
    return sources


def _load_citation(r: _Reader, root: Dict[str, Any]) -> Citation:
    path = "citation"
    item = r.mapping(r.get(root, path, ""), path)
    return Citation(
        authors=r.texts(item, "authors", path),
        title=r.text(item, "title", path) or "",
        journal=r.text(item, "journal", path) or "",
        year=int(r.number(item, "year", path)),
        volume=int(r.number(item, "volume", path)),
        issue=int(r.number(item, "issue", path)),
        article_number=int(r.number(item, "article_number", path)),
        doi=r.text(item, "doi", path) or "",
        published=r.date(item, "published", path),  # type: ignore[arg-type]
        sources=r.sources(item, path),
    )


def _load_design(r: _Reader, root: Dict[str, Any]) -> Design:
    item = r.mapping(r.get(root, "design", ""), "design")
    return Design(
        type=r.statement(r.get(item, "type", "design"), "design.type"),
        arms=r.sourced_number(r.get(item, "arms", "design"), "design.arms"),
        allocation_ratio=r.statement(
            r.get(item, "allocation_ratio", "design"), "design.allocation_ratio"
        ),
        blinding=r.statement(r.get(item, "blinding", "design"), "design.blinding"),
        analysis=r.statement(r.get(item, "analysis", "design"), "design.analysis"),
    )


def _load_registrations(r: _Reader, root: Dict[str, Any]) -> Tuple[Registration, ...]:
    registrations = []
    for i, value in enumerate(r.list(root, "registrations", "")):
        path = f"registrations[{i}]"
        item = r.mapping(value, path)
        registrations.append(
            Registration(
                registry=r.text(item, "registry", path) or "",
                id=r.text(item, "id", path) or "",
                registered=r.date(item, "registered", path, optional=True),
                sources=r.sources(item, path),
            )
        )
    return tuple(registrations)


def _load_range(
    r: _Reader, value: Any, path: str, low_key: str = "min", high_key: str = "max"
) -> Range:
    item = r.mapping(value, path)
    low, high = r.number(item, low_key, path), r.number(item, high_key, path)
    if low > high:
        raise r.fail(path, f"'{low_key}' ({low}) is greater than '{high_key}' ({high})")
    return Range(low, high, r.sources(item, path), path, low_key, high_key)


def _load_participants(r: _Reader, root: Dict[str, Any], groups: Dict[str, Group]) -> Participants:
    path = "participants"
    item = r.mapping(r.get(root, path, ""), path)
    randomised = r.sourced_number(r.get(item, "randomised", path), f"{path}.randomised")
    age_range = _load_range(r, r.get(item, "age_range", path), f"{path}.age_range")
    per_group_raw = r.mapping(r.get(item, "per_group", path), f"{path}.per_group")
    per_group: Dict[str, GroupParticipants] = {}
    for group_id, value in per_group_raw.items():
        group_path = f"{path}.per_group.{group_id}"
        r.reference(group_id, group_path, groups, "group")
        group_item = r.mapping(value, group_path)
        numbers = {
            name: r.sourced_number(r.get(group_item, name, group_path), f"{group_path}.{name}")
            for name in ("n", "men", "women", "age_mean", "age_sd")
        }
        if numbers["men"].value + numbers["women"].value != numbers["n"].value:
            raise r.fail(f"{group_path}.n", "men + women does not equal n")
        per_group[group_id] = GroupParticipants(**numbers)
    _require_every_group(r, per_group, groups, f"{path}.per_group")
    if sum(g.n.value for g in per_group.values()) != randomised.value:
        raise r.fail(f"{path}.randomised", "does not equal the sum of the groups' n")
    return Participants(randomised, age_range, per_group)


def _require_every_group(
    r: _Reader, found: Mapping[str, Any], groups: Mapping[str, Any], path: str
) -> None:
    missing = [group_id for group_id in groups if group_id not in found]
    if missing:
        raise r.fail(f"{path}.{missing[0]}", "required group is missing")


def _load_criteria(
    r: _Reader, eligibility: Dict[str, Any], key: str
) -> Tuple[CriteriaVersion, ...]:
    versions = []
    for i, value in enumerate(r.list(eligibility, key, "eligibility")):
        path = f"eligibility.{key}[{i}]"
        item = r.mapping(value, path)
        versions.append(
            CriteriaVersion(
                r.text(item, "version", path) or "",
                r.sources(item, path),
                r.texts(item, "criteria", path),
            )
        )
    return tuple(versions)


def _load_groups(r: _Reader, root: Dict[str, Any]) -> Dict[str, Group]:
    groups = {}
    for group_id, value in r.mapping(r.get(root, "groups", ""), "groups").items():
        path = f"groups.{group_id}"
        item = r.mapping(value, path)
        treatments = []
        for i, version in enumerate(r.list(item, "treatment", path)):
            version_path = f"{path}.treatment[{i}]"
            version_item = r.mapping(version, version_path)
            treatments.append(
                TreatmentVersion(
                    r.text(version_item, "version", version_path) or "",
                    r.sources(version_item, version_path),
                    r.text(version_item, "summary", version_path) or "",
                    r.texts(version_item, "components", version_path),
                )
            )
        groups[group_id] = Group(
            id=group_id,
            label=r.text(item, "label", path) or "",
            plain_label=r.text(item, "plain_label", path) or "",
            short_label=r.text(item, "short_label", path) or "",
            synonyms=r.texts(item, "synonyms", path),
            treatment=tuple(treatments),
        )
    if not groups:
        raise r.fail("groups", "must define at least one group")
    return groups


def _load_timepoints(r: _Reader, root: Dict[str, Any]) -> Dict[str, Timepoint]:
    timepoints = []
    for timepoint_id, value in r.mapping(r.get(root, "timepoints", ""), "timepoints").items():
        path = f"timepoints.{timepoint_id}"
        item = r.mapping(value, path)
        timepoints.append(
            Timepoint(
                id=timepoint_id,
                label=r.text(item, "label", path) or "",
                plain_label=r.text(item, "plain_label", path) or "",
                week=r.number(item, "week", path),
                description=r.text(item, "description", path) or "",
                sources=r.sources(item, path),
                synonyms=r.texts(item, "synonyms", path),
            )
        )
    if not timepoints:
        raise r.fail("timepoints", "must define at least one timepoint")
    timepoints.sort(key=lambda t: t.week)
    if timepoints[0].week != 0:
        raise r.fail(
            f"timepoints.{timepoints[0].id}.week",
            "the earliest timepoint must be the baseline, week 0",
        )
    return {t.id: t for t in timepoints}


def _load_outcomes(r: _Reader, root: Dict[str, Any]) -> Dict[str, Outcome]:
    outcomes = {}
    for outcome_id, value in r.mapping(r.get(root, "outcomes", ""), "outcomes").items():
        path = f"outcomes.{outcome_id}"
        item = r.mapping(value, path)
        role = r.text(item, "role", path)
        if role not in ("primary", "secondary"):
            raise r.fail(f"{path}.role", f"expected 'primary' or 'secondary', found {role!r}")
        scale = None
        if item.get("scale") is not None:
            scale_path = f"{path}.scale"
            scale_item = r.mapping(item["scale"], scale_path)
            scale_range = _load_range(r, scale_item, scale_path)
            scale = Scale(
                scale_range.low,
                scale_range.high,
                r.text(scale_item, "min_meaning", scale_path) or "",
                r.text(scale_item, "max_meaning", scale_path) or "",
                scale_range.sources,
                scale_path,
            )
        instrument = (
            r.statement(item["instrument"], f"{path}.instrument")
            if item.get("instrument")
            else None
        )
        outcomes[outcome_id] = Outcome(
            id=outcome_id,
            label=r.text(item, "label", path) or "",
            plain_label=r.text(item, "plain_label", path) or "",
            role=role,
            role_sources=r.sources(item, path, "role_source"),
            instrument=instrument,
            scale=scale,
            group_means_reported=r.boolean(item, "group_means_reported", path),
            findings=tuple(
                r.statement(f, f"{path}.findings[{i}]")
                for i, f in enumerate(r.list(item, "findings", path, allow_empty=True))
            ),
            synonyms=r.texts(item, "synonyms", path),
        )
    if not any(o.role == "primary" for o in outcomes.values()):
        raise r.fail("outcomes", "no outcome has role 'primary'")
    return outcomes


def _load_ambiguous(
    r: _Reader, root: Dict[str, Any], timepoints: Mapping, groups: Mapping, outcomes: Mapping
) -> Tuple[AmbiguousName, ...]:
    known = {"timepoint": timepoints, "group": groups, "outcome": outcomes}
    names = []
    for i, value in enumerate(r.list(root, "ambiguous_names", "", allow_empty=True)):
        path = f"ambiguous_names[{i}]"
        item = r.mapping(value, path)
        kind = r.reference(r.get(item, "kind", path), f"{path}.kind", known, "kind")
        name_id = r.text(item, "id", path) or ""
        if name_id in known[kind]:
            raise r.fail(
                f"{path}.id",
                f"{name_id!r} is already a {kind} id; an ambiguous name needs its own id",
            )
        means = r.list(item, "means", path)
        for j, target in enumerate(means):
            r.reference(target, f"{path}.means[{j}]", known[kind], kind)
        if len(set(means)) < 2:
            raise r.fail(f"{path}.means", "an ambiguous name must mean at least two different ids")
        names.append(AmbiguousName(name_id, kind, tuple(means), r.texts(item, "synonyms", path)))
    return tuple(names)


def _load_pain_results(
    r: _Reader, root: Dict[str, Any], groups: Mapping, timepoints: Mapping, outcomes: Mapping
) -> Dict[str, Dict[str, MeanSD]]:
    path = "pain_results"
    item = r.mapping(r.get(root, path, ""), path)
    outcome = r.reference(r.get(item, "outcome", path), f"{path}.outcome", outcomes, "outcome")
    for outcome_id, defined in outcomes.items():
        if defined.group_means_reported != (outcome_id == outcome):
            raise r.fail(
                f"outcomes.{outcome_id}.group_means_reported",
                f"must be {'true' if outcome_id == outcome else 'false'}: only {outcome!r} has group means in pain_results",
            )
    values = r.mapping(r.get(item, "values", path), f"{path}.values")
    table: Dict[str, Dict[str, MeanSD]] = {}
    for group_id, per_time in values.items():
        group_path = f"{path}.values.{group_id}"
        r.reference(group_id, group_path, groups, "group")
        row: Dict[str, MeanSD] = {}
        for timepoint_id, cell in r.mapping(per_time, group_path).items():
            cell_path = f"{group_path}.{timepoint_id}"
            r.reference(timepoint_id, cell_path, timepoints, "timepoint")
            cell_item = r.mapping(cell, cell_path)
            sd = r.number(cell_item, "sd", cell_path)
            if sd < 0:
                raise r.fail(f"{cell_path}.sd", "a standard deviation cannot be negative")
            row[timepoint_id] = MeanSD(
                group_id,
                timepoint_id,
                r.number(cell_item, "mean", cell_path),
                sd,
                r.sources(cell_item, cell_path),
                cell_path,
            )
        missing = [t for t in timepoints if t not in row]
        if missing:
            raise r.fail(f"{group_path}.{missing[0]}", "required timepoint is missing")
        table[group_id] = {t: row[t] for t in timepoints}
    _require_every_group(r, table, groups, f"{path}.values")
    return table


def _load_between_group(
    r: _Reader, root: Dict[str, Any], timepoints: Mapping, outcomes: Mapping
) -> BetweenGroup:
    path = "between_group"
    item = r.mapping(r.get(root, path, ""), path)
    results = {}
    for timepoint_id, value in r.mapping(r.get(item, "results", path), f"{path}.results").items():
        result_path = f"{path}.results.{timepoint_id}"
        r.reference(timepoint_id, result_path, timepoints, "timepoint")
        result = r.mapping(value, result_path)
        difference = None
        if result.get("difference") is not None:
            diff_path = f"{result_path}.difference"
            diff = r.mapping(result["difference"], diff_path)
            low, high = r.number(diff, "ci_low", diff_path), r.number(diff, "ci_high", diff_path)
            estimate = r.number(diff, "value", diff_path)
            if not low <= estimate <= high:
                raise r.fail(diff_path, "the value is not inside its confidence interval")
            difference = ReportedDifference(
                estimate, low, high, r.sources(diff, diff_path), diff_path
            )
        statements = tuple(
            r.statement(s, f"{result_path}.statements[{i}]")
            for i, s in enumerate(r.list(result, "statements", result_path))
        )
        results[timepoint_id] = BetweenGroupResult(timepoint_id, difference, statements)
    level = r.number(item, "confidence_level", path)
    return BetweenGroup(
        outcome=r.reference(r.get(item, "outcome", path), f"{path}.outcome", outcomes, "outcome"),
        direction=r.statement(r.get(item, "direction", path), f"{path}.direction"),
        confidence_level=Number(level, (), f"{path}.confidence_level"),
        results=results,
    )


def _load_effect_size(
    r: _Reader, root: Dict[str, Any], timepoints: Mapping, outcomes: Mapping
) -> EffectSize:
    path = "effect_size"
    item = r.mapping(r.get(root, path, ""), path)
    ci_path = f"{path}.ci"
    ci_item = r.mapping(r.get(item, "ci", path), ci_path)
    return EffectSize(
        outcome=r.reference(r.get(item, "outcome", path), f"{path}.outcome", outcomes, "outcome"),
        timepoint=r.reference(
            r.get(item, "timepoint", path), f"{path}.timepoint", timepoints, "timepoint"
        ),
        measure=r.text(item, "measure", path) or "",
        value=r.sourced_number(r.get(item, "value", path), f"{path}.value"),
        ci=_load_range(r, ci_item, ci_path, "low", "high"),
        ci_level=Number(r.number(ci_item, "level", ci_path), (), f"{ci_path}.level"),
        magnitude=r.statement(r.get(item, "magnitude", path), f"{path}.magnitude"),
    )


def _load_planned_topics(r: _Reader, root: Dict[str, Any]) -> PlannedTopics:
    path = "planned_psychoeducation_topics"
    item = r.mapping(r.get(root, path, ""), path)
    status = r.text(item, "status", path)
    if status != "planned":
        raise r.fail(
            f"{path}.status",
            "must be 'planned': the protocol describes plans, not what was delivered",
        )
    return PlannedTopics(
        status,
        r.text(item, "note", path) or "",
        r.sources(item, path),
        r.texts(item, "topics", path),
    )


def _load_sessions(r: _Reader, root: Dict[str, Any]) -> Sessions:
    path = "sessions"
    item = r.mapping(r.get(root, path, ""), path)
    numbers = {
        name: r.sourced_number(r.get(item, name, path), f"{path}.{name}")
        for name in ("per_week", "weeks", "total")
    }
    if numbers["per_week"].value * numbers["weeks"].value != numbers["total"].value:
        raise r.fail(f"{path}.total", "does not equal per_week × weeks")
    return Sessions(applies_to=r.text(item, "applies_to", path) or "", **numbers)


def _load_named_statements(
    r: _Reader, root: Dict[str, Any], key: str
) -> Tuple[NamedStatement, ...]:
    items = []
    for i, value in enumerate(r.list(root, key, "")):
        path = f"{key}[{i}]"
        item = r.mapping(value, path)
        items.append(NamedStatement(r.text(item, "id", path) or "", r.statement(item, path)))
    return tuple(items)


def _load_unreported(r: _Reader, root: Dict[str, Any]) -> Tuple[UnreportedDetail, ...]:
    details: List[UnreportedDetail] = []
    if root.get("not_reported") is None:  # optional: a study file may list none
        return ()
    for i, value in enumerate(r.list(root, "not_reported", "", allow_empty=True)):
        path = f"not_reported[{i}]"
        item = r.mapping(value, path)
        names = tuple(name.lower() for name in r.texts(item, "names", path))
        details.append(
            UnreportedDetail(
                r.text(item, "id", path) or "",
                r.text(item, "what", path) or "",
                names,
                r.text(item, "note", path, optional=True),
            )
        )
    return tuple(details)


def _load_computations(r: _Reader, root: Dict[str, Any]) -> Dict[str, Computation]:
    computations = {}
    for i, value in enumerate(r.list(root, "allowed_computations", "", allow_empty=True)):
        path = f"allowed_computations[{i}]"
        item = r.mapping(value, path)
        computation = Computation(
            r.text(item, "id", path) or "",
            r.text(item, "description", path) or "",
            r.text(item, "inputs", path) or "",
        )
        if computation.inputs not in root:
            raise r.fail(
                f"{path}.inputs",
                f"names {computation.inputs!r}, which is not a section of the file",
            )
        computations[computation.id] = computation
    return computations


def _build_name_index(r: _Reader, study: Study) -> Dict[Tuple[str, str], Tuple[str, ...]]:
    """Map (kind, normalised name) -> ids; a name claimed by two ids or two kinds is an error."""
    index: Dict[Tuple[str, str], Tuple[str, ...]] = {}
    claimed_by: Dict[str, Tuple[str, str]] = {}  # normalised name -> (kind, pattern id)
    ambiguous_means = {a.id: a.means for a in study.ambiguous_names}
    for kind in ENTITY_KINDS:
        for pattern_id, name in study.names(kind):
            key = normalise_name(name)
            if not key:
                raise r.fail(
                    _name_path(study, kind, pattern_id),
                    f"the name {name!r} has no letters or digits",
                )
            previous = claimed_by.get(key)
            if previous and previous != (kind, pattern_id):
                other_kind, other_id = previous
                hint = (
                    "list it once under 'ambiguous_names' instead"
                    if other_kind == kind
                    else "a name may belong to one kind only"
                )
                raise r.fail(
                    _name_path(study, kind, pattern_id),
                    f"the name {name!r} is claimed by both {other_kind} {other_id!r} "
                    f"(at '{_name_path(study, other_kind, other_id)}') and {kind} {pattern_id!r}; {hint}",
                )
            claimed_by[key] = (kind, pattern_id)
            index[(kind, key)] = ambiguous_means.get(pattern_id, (pattern_id,))
        # Ids resolve to themselves (entity values arrive as ids); a synonym may not shadow one.
        for pattern_id in [
            *study.items(kind),
            *(a.id for a in study.ambiguous_names if a.kind == kind),
        ]:
            key = normalise_name(pattern_id)
            if claimed_by.get(key, (kind, pattern_id)) != (kind, pattern_id):
                other_kind, other_id = claimed_by[key]
                raise r.fail(
                    _name_path(study, other_kind, other_id),
                    f"the name {pattern_id!r} is the id of {kind} {pattern_id!r}; it cannot also name {other_kind} {other_id!r}",
                )
            index[(kind, key)] = ambiguous_means.get(pattern_id, (pattern_id,))
    return index


def _name_path(study: Study, kind: str, pattern_id: str) -> str:
    for i, ambiguous in enumerate(study.ambiguous_names):
        if ambiguous.id == pattern_id and ambiguous.kind == kind:
            return f"ambiguous_names[{i}].synonyms"
    return f"{kind}s.{pattern_id}.synonyms"
