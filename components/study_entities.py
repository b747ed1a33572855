"""Outcome, group and timepoint entities from the project's spaCy pipeline, valued by id.

Rasa's SpacyEntityExtractor reports each entity with the text that matched ("usual physio").
The entity ruler in our pipeline is generated from the study file with each pattern's `id`
set to the canonical id ("control"), so this extractor reports that id as the value: the
synonyms live in one place (the study file) and the actions receive ids they can look up.

It is a subclass rather than SpacyEntityExtractor itself for a second reason: `rasa test nlu`
drops SpacyEntityExtractor's output as "pretrained", so its entity F1 could not be measured.
"""

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor

from backpain.durations import trial_time_in

STUDY_ENTITY_TYPES = ["outcome", "group", "timepoint"]


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False, model_from="SpacyNLP"
)
class StudyEntityExtractor(SpacyEntityExtractor):
    """Extracts the study's outcome/group/timepoint entities with canonical ids as values."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"dimensions": STUDY_ENTITY_TYPES}

    @staticmethod
    def _extract_entities(doc: Any) -> List[Dict[Text, Any]]:
        entities = StudyEntityExtractor._ruler_entities(doc)
        if not any(entity["entity"] == "timepoint" for entity in entities):
            # "at 52 weeks": a time the trial never measured, kept as words (backpain/durations.py);
            # the study answers say when follow-up ended and give the nearest measurement.
            found = trial_time_in(doc.text)
            if found:
                entities.append(
                    {
                        "entity": "timepoint",
                        "value": found.group(0),
                        "start": found.start(),
                        "end": found.end(),
                        "confidence": None,
                    }
                )
        return entities

    @staticmethod
    def _ruler_entities(doc: Any) -> List[Dict[Text, Any]]:
        return [
            {
                "entity": ent.label_,
                # ent_id_ is the pattern's id (the study file's canonical id).
                "value": ent.ent_id_ or ent.text,
                "start": ent.start_char,
                "end": ent.end_char,
                "confidence": None,
            }
            for ent in doc.ents
        ]
