"""The trial's study, as the answers use it: one `Study` built from the validated study file.

`Study` arranges what the file holds the way the answers ask for it: timepoints in time order,
the pain table as group -> timepoint -> mean/SD (timepoints in the same order), eligibility as
inclusion and exclusion. Its parts are the schema's own objects (`schema.py`), so every figure
and statement still carries its source keys and its path in the file.

It also owns the names: `Study.resolve(kind, text)` maps any name or synonym to canonical ids, and
`Study.entity_patterns()` turns the same names into spaCy entity_ruler patterns. Reading and
checking the file is `loading.load_study()`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from backpain.study.names import (
    ENTITY_KINDS,
    NameIndex,
    build_name_index,
    normalise_name,
    spacy_like_tokens,
)
from backpain.study.schema import (
    AmbiguousName,
    BetweenGroup,
    Citation,
    Computation,
    CriteriaVersion,
    Design,
    EffectSize,
    Group,
    MeanSD,
    NamedStatement,
    Outcome,
    Participants,
    PlannedTopics,
    Registration,
    Sessions,
    Source,
    Statement,
    StudyFile,
    Timepoint,
    UnreportedDetail,
)


@dataclass
class Study:
    """The checked study file, arranged for the answers (built by `Study.from_file`)."""

    path: Path
    sha256: str
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
    pain_results: Dict[str, Dict[str, MeanSD]]  # group -> timepoint (in time order) -> mean/SD
    between_group: BetweenGroup
    effect_size: EffectSize
    limitations: Tuple[NamedStatement, ...]
    generalisability: Tuple[NamedStatement, ...]
    allowed_computations: Tuple[Computation, ...]
    not_reported: Tuple[UnreportedDetail, ...]
    _name_index: NameIndex = field(default_factory=dict, repr=False)

    @classmethod
    def from_file(cls, document: StudyFile, path: Path, sha256: str) -> Study:
        """The study of a checked study file (see loading.load_study); its names are indexed here."""
        # sorted() is stable: timepoints of the same week keep the file's order.
        timepoints = dict(sorted(document.timepoints.items(), key=lambda item: item[1].week))
        study = cls(
            path=path,
            sha256=sha256,
            study_id=document.study_id,
            sources=document.sources,
            citation=document.citation,
            design=document.design,
            registrations=document.registrations,
            setting=document.setting,
            condition=document.condition,
            participants=document.participants,
            inclusion=document.eligibility.inclusion,
            exclusion=document.eligibility.exclusion,
            groups=document.groups,
            planned_topics=document.planned_psychoeducation_topics,
            sessions=document.sessions,
            timepoints=timepoints,
            ambiguous_names=document.ambiguous_names,
            outcomes=document.outcomes,
            results_outcome=document.pain_results.outcome,
            pain_results={
                group_id: {t: row[t] for t in timepoints}
                for group_id, row in document.pain_results.values.items()
            },
            between_group=document.between_group,
            effect_size=document.effect_size,
            limitations=document.limitations,
            generalisability=document.generalisability,
            allowed_computations=document.allowed_computations,
            not_reported=document.not_reported,
        )
        study._name_index = build_name_index(study, path)
        return study

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
        return any(c.id == computation_id for c in self.allowed_computations)

    def items(self, kind: str) -> Mapping[str, Any]:
        """The defined outcomes, groups or timepoints (by id) for an entity kind."""
        return {"outcome": self.outcomes, "group": self.groups, "timepoint": self.timepoints}[kind]
