"""The study file (content/study/bemani2023.yml) declared once, as typed pydantic models.

Each model is one mapping of the file; its fields are the file's keys (an alias where the Python
name differs, e.g. `source` is read into `sources`). The types are strict: "3" is not a number,
5 is not text, "yes" is not true or false, a list is not a mapping. What one field can check on
its own is checked here (required, non-empty, a standard deviation is not negative); checks that
look across fields or sections (source keys that exist, sums that add up, ids that are defined)
are plain code in `checks.py`.

The validated objects are the ones the answers read: every figure and statement keeps its source
keys and, once `file_model.locate()` has run, its path in the file (and the id it is listed
under), so an answer can name where any figure came from. The field types and the base model
are in `file_model.py`.
"""

from __future__ import annotations

from typing import Any, Dict, Literal, Optional, Tuple

from pydantic import Field, StrictBool, StrictInt, StrictStr, validator

from backpain.study.file_model import FileModel, IsoDate, Real, SourceKeys, Text, non_empty

# -- figures and statements --------------------------------------------------------------------


class Statement(FileModel):
    text: Text
    sources: SourceKeys = Field(alias="source")


class Number(FileModel):
    """A figure with its sources (`{value: 35, source: A, note: ...}`)."""

    value: Real
    sources: SourceKeys = Field(alias="source")
    note: Optional[Text] = None

    @property
    def path(self) -> str:
        """The path of the number itself (`<mapping>.value`), as answers record it."""
        return f"{self._path}.value"


class Range(FileModel):
    min: Real
    max: Real
    sources: SourceKeys = Field(alias="source")


class Scale(Range):
    min_meaning: Text
    max_meaning: Text


class ConfidenceInterval(FileModel):
    low: Real
    high: Real
    level: Real
    sources: SourceKeys = Field(alias="source")


class MeanSD(FileModel):
    mean: Real
    sd: Real
    sources: SourceKeys = Field(alias="source")

    @validator("sd")
    def _sd_not_negative(cls, sd: Any) -> Any:
        if sd < 0:
            raise ValueError("a standard deviation cannot be negative")
        return sd


class ReportedDifference(FileModel):
    value: Real
    ci_low: Real
    ci_high: Real
    sources: SourceKeys = Field(alias="source")


class NamedStatement(Statement):
    id: Text


# -- sections ----------------------------------------------------------------------------------


class Source(FileModel):
    label: Text
    citation: Text
    url: Optional[Text] = None

    @property
    def key(self) -> str:
        return self._key


class Citation(FileModel):
    authors: Tuple[Text, ...]
    title: Text
    journal: Text
    year: StrictInt
    volume: StrictInt
    issue: StrictInt
    article_number: StrictInt
    doi: Text
    published: IsoDate
    sources: SourceKeys = Field(alias="source")

    _authors_given = non_empty("authors")


class Design(FileModel):
    type: Statement
    arms: Number
    allocation_ratio: Statement
    blinding: Statement
    analysis: Statement


class Registration(FileModel):
    registry: Text
    id: Text
    registered: Optional[IsoDate] = None
    sources: SourceKeys = Field(alias="source")


class GroupParticipants(FileModel):
    n: Number
    men: Number
    women: Number
    age_mean: Number
    age_sd: Number


class Participants(FileModel):
    randomised: Number
    age_range: Range
    per_group: Dict[StrictStr, GroupParticipants]


class CriteriaVersion(FileModel):
    version: Text
    sources: SourceKeys = Field(alias="source")
    criteria: Tuple[Text, ...]

    _criteria_given = non_empty("criteria")


class Eligibility(FileModel):
    inclusion: Tuple[CriteriaVersion, ...]
    exclusion: Tuple[CriteriaVersion, ...]

    _versions_given = non_empty("inclusion", "exclusion")


class TreatmentVersion(FileModel):
    version: Text
    sources: SourceKeys = Field(alias="source")
    summary: Text
    components: Tuple[Text, ...]

    _components_given = non_empty("components")


class Group(FileModel):
    label: Text
    plain_label: Text
    short_label: Text
    synonyms: Tuple[Text, ...]
    treatment: Tuple[TreatmentVersion, ...]

    _lists_given = non_empty("synonyms", "treatment")

    @property
    def id(self) -> str:
        return self._key


class Timepoint(FileModel):
    label: Text
    plain_label: Text
    week: Real
    description: Text
    sources: SourceKeys = Field(alias="source")
    synonyms: Tuple[Text, ...]

    _synonyms_given = non_empty("synonyms")

    @property
    def id(self) -> str:
        return self._key


class AmbiguousName(FileModel):
    """A name that could mean several ids of one kind ("follow-up": week10 or week22)."""

    id: Text
    kind: Literal["timepoint", "group", "outcome"]
    means: Tuple[Text, ...]
    synonyms: Tuple[Text, ...]

    _lists_given = non_empty("means", "synonyms")


class Outcome(FileModel):
    label: Text
    plain_label: Text
    role: Literal["primary", "secondary"]
    role_sources: SourceKeys = Field(alias="role_source")
    instrument: Optional[Statement] = None
    scale: Optional[Scale] = None
    group_means_reported: StrictBool
    findings: Tuple[Statement, ...]  # may be empty, but must be there
    synonyms: Tuple[Text, ...]

    _synonyms_given = non_empty("synonyms")

    @property
    def id(self) -> str:
        return self._key


class PainResults(FileModel):
    """Mean and SD per group (outer key) and timepoint (inner key) for one outcome."""

    outcome: Text
    values: Dict[StrictStr, Dict[StrictStr, MeanSD]]


class BetweenGroupResult(FileModel):
    difference: Optional[ReportedDifference] = None
    statements: Tuple[Statement, ...]

    _statements_given = non_empty("statements")


class BetweenGroup(FileModel):
    outcome: Text
    direction: Statement
    confidence_level: Real
    results: Dict[StrictStr, BetweenGroupResult]  # by timepoint


class EffectSize(FileModel):
    outcome: Text
    timepoint: Text
    measure: Text
    value: Number
    ci: ConfidenceInterval
    magnitude: Statement


class PlannedTopics(FileModel):
    status: Text
    note: Text
    sources: SourceKeys = Field(alias="source")
    topics: Tuple[Text, ...]

    _topics_given = non_empty("topics")

    @validator("status")
    def _only_planned(cls, status: str) -> str:
        if status != "planned":
            raise ValueError(
                "must be 'planned': the protocol describes plans, not what was delivered"
            )
        return status


class Sessions(FileModel):
    per_week: Number
    weeks: Number
    total: Number
    applies_to: Text


class UnreportedDetail(FileModel):
    """A detail readers ask about that none of the sources reports (dropouts, funding, NNT...)."""

    id: Text
    what: Text  # "how many people dropped out", to say it is not reported
    names: Tuple[Text, ...]  # the words people use for it, matched in the question (lower case)
    note: Optional[Text] = None  # why it matters or what the sources say instead

    _names_given = non_empty("names")

    @validator("names")
    def _lower_case(cls, names: Tuple[str, ...]) -> Tuple[str, ...]:
        return tuple(name.lower() for name in names)


class Computation(FileModel):
    id: Text
    description: Text
    inputs: Text  # the section of the file it computes from


class StudyFile(FileModel):
    """The whole file. Keys it does not declare (e.g. `schema_version`) are ignored."""

    study_id: Text
    sources: Dict[StrictStr, Source]
    citation: Citation
    design: Design
    registrations: Tuple[Registration, ...]
    setting: Statement
    condition: Statement
    participants: Participants
    eligibility: Eligibility
    groups: Dict[StrictStr, Group]
    planned_psychoeducation_topics: PlannedTopics
    sessions: Sessions
    timepoints: Dict[StrictStr, Timepoint]
    ambiguous_names: Tuple[AmbiguousName, ...]  # may be empty
    outcomes: Dict[StrictStr, Outcome]
    pain_results: PainResults
    between_group: BetweenGroup
    effect_size: EffectSize
    limitations: Tuple[NamedStatement, ...]
    generalisability: Tuple[NamedStatement, ...]
    allowed_computations: Tuple[Computation, ...]  # may be empty
    not_reported: Tuple[UnreportedDetail, ...] = ()  # optional: a study file may list none

    _lists_given = non_empty("registrations", "limitations", "generalisability")

    @validator("not_reported", pre=True)
    def _none_listed(cls, value: Any) -> Any:
        return () if value is None else value

    @validator("sources")
    def _some_source(cls, sources: Dict[str, Source]) -> Dict[str, Source]:
        if not sources:
            raise ValueError("must define at least one source")
        return sources

    @validator("groups")
    def _some_group(cls, groups: Dict[str, Group]) -> Dict[str, Group]:
        if not groups:
            raise ValueError("must define at least one group")
        return groups

    @validator("timepoints")
    def _some_timepoint(cls, timepoints: Dict[str, Timepoint]) -> Dict[str, Timepoint]:
        if not timepoints:
            raise ValueError("must define at least one timepoint")
        return timepoints
