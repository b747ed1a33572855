"""The study file loads, its figures are exact, names resolve, and every kind of broken file is refused
with an error naming the file, the path inside it and what is wrong."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable, Dict

import pytest
import yaml

from backpain.study import loading
from backpain.study.errors import StudyFileError
from backpain.study.loading import DEFAULT_STUDY_PATH, get_study, load_study
from backpain.study.names import normalise_name

RAW: Dict[str, Any] = yaml.safe_load(DEFAULT_STUDY_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def study():
    return load_study()


# -- the valid file ----------------------------------------------------------------------------


def test_pain_table_is_exact_with_sources(study):
    cell = study.pain_results["control"]["week22"]
    assert (cell.mean, cell.sd, cell.sources) == (3.86, 2.35, ("S",))
    assert study.pain_results["experimental"]["week6"].mean == 1.86
    assert list(study.timepoints) == ["baseline", "week6", "week10", "week22"]
    assert set(study.pain_results) == {"experimental", "control"}


def test_between_group_effect_size_and_design_keep_their_sources(study):
    week22 = study.between_group.results["week22"].difference
    assert (week22.value, week22.ci_low, week22.ci_high, week22.sources) == (
        -2.20,
        -3.25,
        -1.15,
        ("A",),
    )
    assert study.between_group.results["week6"].difference is None
    assert study.effect_size.value.value == -0.89 and study.effect_size.value.sources == ("A", "S")
    assert (study.effect_size.ci.low, study.effect_size.ci.high, study.effect_size.ci.sources) == (
        -1.38,
        -0.39,
        ("S",),
    )
    assert study.design.blinding.sources == ("P", "R") and study.design.analysis.sources == ("A",)
    assert study.participants.per_group["experimental"].age_mean.value == 34.57
    assert (
        study.registrations[0].id == "NCT04270422"
        and str(study.registrations[0].registered) == "2020-02-17"
    )
    assert study.sessions.total.value == 12
    assert study.planned_topics.status == "planned" and study.planned_topics.sources == ("P",)


def test_both_versions_of_disputed_facts_are_kept(study):
    assert [v.sources for v in study.inclusion] == [("S",), ("R",)]
    assert [v.sources for v in study.exclusion] == [("R",), ("S",)]
    for group in study.groups.values():
        assert [v.sources for v in group.treatment] == [("S",), ("R",)]


def test_secondary_outcomes_are_marked_without_group_means(study):
    assert [o.id for o in study.outcomes.values() if o.group_means_reported] == ["pain"]
    assert study.outcomes["pain"].scale.max == 10 and study.outcomes["pain"].scale.sources == ("R",)


def test_study_file_has_no_rasa_training_keys():
    assert not {"nlu", "responses", "stories", "rules"} & set(RAW)


def test_get_study_is_cached():
    assert get_study() is get_study()


def test_study_file_env_var_points_elsewhere(tmp_path, monkeypatch):
    copy_path = tmp_path / "other.yml"
    copy_path.write_text(DEFAULT_STUDY_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv(loading.STUDY_FILE_ENV, str(copy_path))
    assert load_study().path == copy_path


# -- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, text, expected",
    [
        ("group", "CBT group", ["experimental"]),
        ("group", "Usual  Physio", ["control"]),
        ("group", "standard physio", ["control"]),
        ("group", "treatment group", ["experimental"]),
        ("timepoint", "Post-Treatment", ["week6"]),
        ("timepoint", "post treatment", ["week6"]),
        ("timepoint", "six weeks", ["week6"]),
        ("timepoint", "five months", ["week22"]),
        ("timepoint", "ten weeks", ["week10"]),
        ("timepoint", "at the start", ["baseline"]),
        ("timepoint", "follow-up", ["week10", "week22"]),
        ("timepoint", "FOLLOW UP", ["week10", "week22"]),
        ("timepoint", "followup", ["week10", "week22"]),
        ("timepoint", "what about at 22 weeks?", ["week22"]),
        ("timepoint", "week22", ["week22"]),
        ("outcome", "Catastrophising", ["catastrophizing"]),
        ("outcome", "fear of movement", ["kinesiophobia"]),
        ("outcome", "Oswestry", ["disability"]),
        ("outcome", "EEG", ["brain_function"]),
        ("outcome", "quality_of_life", ["quality_of_life"]),
        ("outcome", "how much pain", ["pain"]),
        ("outcome", "blood pressure", []),
        ("outcome", "", []),
        ("outcome", "🙂🙂", []),
        ("outcome", None, []),
    ],
)
def test_resolve(study, kind, text, expected):
    assert study.resolve(kind, text) == expected


def test_resolve_rejects_unknown_kind(study):
    with pytest.raises(ValueError, match="unknown kind"):
        study.resolve("colour", "red")


def test_normalise_name():
    assert normalise_name("  Follow-Up!! ") == "follow up"


def test_entity_patterns_shape_and_ambiguous_id(study):
    patterns = study.entity_patterns()
    assert patterns == study.entity_patterns()  # deterministic: the pipeline's path hashes them
    assert {p["label"] for p in patterns} == {"outcome", "group", "timepoint"}
    follow_up = [
        p
        for p in patterns
        if p["pattern"] == [{"LOWER": "follow"}, {"LOWER": "-"}, {"LOWER": "up"}]
    ]
    assert follow_up == [
        {"label": "timepoint", "pattern": follow_up[0]["pattern"], "id": "followup"}
    ]
    assert study.resolve("timepoint", "followup") == ["week10", "week22"]
    ids = {p["id"] for p in patterns}
    assert {
        "experimental",
        "control",
        "baseline",
        "week6",
        "week10",
        "week22",
        "followup",
        "pain",
        "lumbar_rom",
    } <= ids


def test_every_synonym_is_found_by_spacy_entity_ruler(study):
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(study.entity_patterns())
    missed = []
    for kind in ("outcome", "group", "timepoint"):
        for pattern_id, name in study.names(kind):
            doc = nlp(f"Tell me about {name.upper() if len(name) > 3 else name} please.")
            found = [(ent.label_, ent.ent_id_) for ent in doc.ents]
            if (kind, pattern_id) not in found:
                missed.append((kind, pattern_id, name, found))
    assert missed == []


# -- broken files ------------------------------------------------------------------------------


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def broken(mutate: Callable[[Dict[str, Any]], None]) -> Dict[str, Any]:
    data = copy.deepcopy(RAW)
    mutate(data)
    return data


def cell(data):
    return data["pain_results"]["values"]["control"]["week22"]


BROKEN_FILES = {
    "missing section": (lambda d: d.pop("sources"), "'sources'", "required field is missing"),
    "missing figure": (
        lambda d: cell(d).pop("sd"),
        "'pain_results.values.control.week22.sd'",
        "required field is missing",
    ),
    "text for a number": (
        lambda d: cell(d).update(sd="2.35x"),
        "'pain_results.values.control.week22.sd'",
        "expected a number",
    ),
    "boolean for a number": (
        lambda d: cell(d).update(mean=True),
        "'pain_results.values.control.week22.mean'",
        "expected a number",
    ),
    "unknown source key": (
        lambda d: cell(d).update(source="Z"),
        "'pain_results.values.control.week22.source'",
        "unknown source key 'Z'",
    ),
    "unknown source in a list": (
        lambda d: d["design"]["blinding"].update(source=["P", "Q"]),
        "'design.blinding.source'",
        "unknown source key 'Q'",
    ),
    "empty source list": (
        lambda d: d["setting"].update(source=[]),
        "'setting.source'",
        "expected a source key",
    ),
    "unknown group": (
        lambda d: d["pain_results"]["values"].update(
            placebo=copy.deepcopy(d["pain_results"]["values"]["control"])
        ),
        "'pain_results.values.placebo'",
        "unknown group 'placebo'",
    ),
    "unknown timepoint": (
        lambda d: d["pain_results"]["values"]["control"].update(
            week12={"mean": 1.0, "sd": 1.0, "source": "S"}
        ),
        "'pain_results.values.control.week12'",
        "unknown timepoint 'week12'",
    ),
    "missing timepoint cell": (
        lambda d: d["pain_results"]["values"]["control"].pop("week22"),
        "'pain_results.values.control.week22'",
        "required timepoint is missing",
    ),
    "missing group row": (
        lambda d: d["pain_results"]["values"].pop("control"),
        "'pain_results.values.control'",
        "required group is missing",
    ),
    "unknown outcome": (
        lambda d: d["between_group"].update(outcome="mood"),
        "'between_group.outcome'",
        "unknown outcome 'mood'",
    ),
    "unknown effect-size timepoint": (
        lambda d: d["effect_size"].update(timepoint="week99"),
        "'effect_size.timepoint'",
        "unknown timepoint 'week99'",
    ),
    "unknown between-group timepoint": (
        lambda d: d["between_group"]["results"].update(
            week99=d["between_group"]["results"]["week6"]
        ),
        "'between_group.results.week99'",
        "unknown timepoint",
    ),
    "synonym claimed by two groups": (
        lambda d: d["groups"]["experimental"]["synonyms"].append("standard physio"),
        "'groups.control.synonyms'",
        "'standard physio' is claimed by both group 'experimental' (at 'groups.experimental.synonyms') and group 'control'",
    ),
    "synonym claimed by two kinds": (
        lambda d: d["outcomes"]["pain"]["synonyms"].append("baseline"),
        "'timepoints.baseline.synonyms'",
        "claimed by both outcome 'pain' (at 'outcomes.pain.synonyms') and timepoint 'baseline'; a name may belong to one kind only",
    ),
    "ambiguous name also claimed by one id": (
        lambda d: d["ambiguous_names"][0]["synonyms"].append("10 weeks"),
        "'ambiguous_names[0].synonyms'",
        "list it once under 'ambiguous_names'",
    ),
    "ambiguous name means an unknown id": (
        lambda d: d["ambiguous_names"][0].update(means=["week10", "week99"]),
        "'ambiguous_names[0].means[1]'",
        "unknown timepoint 'week99'",
    ),
    "ambiguous name means one id": (
        lambda d: d["ambiguous_names"][0].update(means=["week10", "week10"]),
        "'ambiguous_names[0].means'",
        "at least two different ids",
    ),
    "men and women do not add up": (
        lambda d: d["participants"]["per_group"]["control"]["men"].update(value=19),
        "'participants.per_group.control.n'",
        "men + women does not equal n",
    ),
    "difference outside its CI": (
        lambda d: d["between_group"]["results"]["week22"]["difference"].update(value=-4.0),
        "'between_group.results.week22.difference'",
        "not inside its confidence interval",
    ),
    "bad date": (
        lambda d: d["registrations"][0].update(registered="17/02/2020"),
        "'registrations[0].registered'",
        "expected a date as YYYY-MM-DD",
    ),
    "secondary outcome claims group means": (
        lambda d: d["outcomes"]["disability"].update(group_means_reported=True),
        "'outcomes.disability.group_means_reported'",
        "must be false",
    ),
    "sessions do not multiply": (
        lambda d: d["sessions"]["total"].update(value=13),
        "'sessions.total'",
        "per_week × weeks",
    ),
    "negative SD": (
        lambda d: cell(d).update(sd=-1.0),
        "'pain_results.values.control.week22.sd'",
        "cannot be negative",
    ),
    "protocol topics not labelled planned": (
        lambda d: d["planned_psychoeducation_topics"].update(status="delivered"),
        "'planned_psychoeducation_topics.status'",
        "must be 'planned'",
    ),
    "list where a mapping belongs": (
        lambda d: d.update(setting=["Tehran"]),
        "'setting'",
        "expected a mapping",
    ),
    "empty synonym": (
        lambda d: d["groups"]["control"]["synonyms"].append(""),
        "'groups.control.synonyms[",
        "must not be empty",
    ),
    "quoted number": (
        lambda d: cell(d).update(sd="3"),
        "'pain_results.values.control.week22.sd'",
        "expected a number, found text '3'",
    ),
    "number where text belongs": (
        lambda d: d["eligibility"]["inclusion"][0].update(version=2),
        "'eligibility.inclusion[0].version'",
        "expected text, found a number",
    ),
    "list of pairs where a mapping belongs": (
        lambda d: d["pain_results"]["values"].update(control=[["week22", cell(d)]]),
        "'pain_results.values.control'",
        "expected a mapping, found a list",
    ),
}


@pytest.mark.parametrize("name", list(BROKEN_FILES))
def test_broken_file_gives_a_clear_error(tmp_path, name):
    mutate, where, problem = BROKEN_FILES[name]
    path = write(tmp_path, broken(mutate))
    with pytest.raises(StudyFileError) as error:
        load_study(path)
    message = str(error.value)
    assert str(path) in message
    assert f"at {where}" in message
    assert problem in message


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"", "the study file is empty"),
        (b"sources: [unclosed\n", "not valid YAML (line"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not UTF-8 text"),
        (b"key: \x00 value\n", "NUL bytes"),
        (b"- just\n- a list\n", "expected a mapping, found a list"),
    ],
)
def test_unreadable_files_give_a_clear_error(tmp_path, content, problem):
    path = tmp_path / "bad.yml"
    path.write_bytes(content)
    with pytest.raises(StudyFileError) as error:
        load_study(path)
    assert str(path) in str(error.value) and problem in str(error.value)


def test_missing_file_gives_a_clear_error(tmp_path):
    with pytest.raises(StudyFileError, match="does not exist"):
        load_study(tmp_path / "nowhere.yml")


def test_huge_file_is_refused(tmp_path):
    path = tmp_path / "huge.yml"
    path.write_bytes(b"#" * (loading.MAX_FILE_BYTES + 1))
    with pytest.raises(StudyFileError, match="larger than"):
        load_study(path)
