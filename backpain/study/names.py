"""The names people use for the trial's outcomes, groups and timepoints, and how they are matched.

Names are compared after `normalise_name()` (case, spaces and punctuation do not matter). The
index built here maps each normalised name to the ids it means; a name claimed by two ids, or by
two kinds, is a broken study file. `spacy_like_tokens()` splits a name the way spaCy's English
tokenizer does, for the entity_ruler patterns.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Tuple

from backpain.study.errors import file_error

if TYPE_CHECKING:
    from backpain.study.model import Study

ENTITY_KINDS = ("outcome", "group", "timepoint")

NameIndex = Dict[Tuple[str, str], Tuple[str, ...]]  # (kind, normalised name) -> ids


def normalise_name(text: str) -> str:
    """Lower case, punctuation and underscores as spaces, single spaces: "Follow-Up" -> "follow up"."""
    return " ".join(re.sub(r"[^\w]+|_", " ", text.lower()).split())


# Enough of spaCy's English tokenizer for names: "'s" suffixes, hyphens/slashes between letters or
# digits, other punctuation, and numbers with decimals each become tokens. The tests check every
# generated pattern against spacy.blank("en"), so a name this gets wrong fails a test.
_TOKEN = re.compile(r"'s\b|\d+(?:\.\d+)?|\w+|[^\w\s]")


def spacy_like_tokens(text: str) -> List[str]:
    return [token.lower() for token in _TOKEN.findall(text)]


def build_name_index(study: Study, file: Path) -> NameIndex:
    """Map (kind, normalised name) -> ids; a name claimed by two ids or two kinds is an error."""
    index: NameIndex = {}
    claimed_by: Dict[str, Tuple[str, str]] = {}  # normalised name -> (kind, pattern id)
    ambiguous_means = {a.id: a.means for a in study.ambiguous_names}
    for kind in ENTITY_KINDS:
        for pattern_id, name in study.names(kind):
            key = normalise_name(name)
            if not key:
                raise file_error(
                    file,
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
                raise file_error(
                    file,
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
                raise file_error(
                    file,
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
