"""The safety screen as a Rasa NLU component: last in the pipeline, it overrides the intent.

Safety must not depend on a classifier's luck. After DIET and the FallbackClassifier have
guessed, this component runs the deterministic screen (components/safety_patterns.py, patterns
in data/safety/red_flags.yml) over the message's full text. On a match it sets the intent to
the escalation kind (`red_flag_emergency`, `red_flag_urgent`, `crisis` or `red_flag_unclear`)
with confidence 1.0, keeps the classifier's ranking below it, and adds
`safety: {kind, category[, confirm]}` to the parse data. The safety rules then fire at any
point, forms included. When nothing matches but the text holds a look-alike ("dying to know",
"no numbness") and the classifier guessed an escalation, the guess becomes a confirming
question (`red_flag_unclear`) instead of an escalation.

Structure mirrors rasa/nlu/classifiers/fallback_classifier.py. Config (config.yml):
    - name: components.safety_screen.SafetyScreen
      patterns_file: data/safety/red_flags.yml   # optional; relative to the project root
      override_unclear: true                     # unclear matches also become red_flag_unclear
      question_look_alikes: true                 # downgrade a classifier's look-alike escalation
A broken pattern file stops the server at start-up with an error naming the file and entry.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.safety_patterns import (
    ESCALATION_KINDS,
    KIND_UNCLEAR,
    PROJECT_ROOT,
    SEVERITY,
    SafetyMatch,
    SafetyPatterns,
    load_safety_patterns,
)

# The parse-data key the actions read (tracker.latest_message["safety"]).
SAFETY_KEY = "safety"
# Set by components/input_limits.py on over-long messages: the untrimmed text.
FULL_TEXT_KEY = "full_text"
PATTERNS_FILE_KEY = "patterns_file"
OVERRIDE_UNCLEAR_KEY = "override_unclear"
QUESTION_LOOK_ALIKES_KEY = "question_look_alikes"
# Below this confidence, a classifier's escalation that no pattern confirms becomes a
# confirming question: "I bent to load the dishwasher and was fine" must not send someone to
# hospital, and a true red flag the patterns missed still gets asked about (a yes escalates).
CONFIRM_BELOW_CONFIDENCE_KEY = "confirm_below_confidence"

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyScreen(GraphComponent, IntentClassifier):
    """Overrides the intent when a message shows a red flag or crisis language."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """None: the screen reads only the text, so it also works without a classifier."""
        return []

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            PATTERNS_FILE_KEY: None,
            OVERRIDE_UNCLEAR_KEY: True,
            QUESTION_LOOK_ALIKES_KEY: True,
            CONFIRM_BELOW_CONFIDENCE_KEY: 0.9,
        }

    def __init__(self, config: Dict[Text, Any], patterns: SafetyPatterns) -> None:
        self.component_config = config
        self._patterns = patterns

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyScreen:
        return cls(config, load_safety_patterns(_patterns_path(config.get(PATTERNS_FILE_KEY))))

    def process(self, messages: List[Message]) -> List[Message]:
        """Screens each message and overrides its intent on a match (see module docstring)."""
        for message in messages:
            text = message.get(FULL_TEXT_KEY) or message.get(TEXT) or ""
            try:
                assessment = self._patterns.assess(text)
            except Exception:  # never lose the message: keep the classifier's answer
                logger.exception("The safety screen failed on a message; the classifier's intent is kept.")
                continue
            if assessment.match is not None:
                self._apply_match(message, assessment.match)
            elif assessment.look_alike and self.component_config[QUESTION_LOOK_ALIKES_KEY]:
                self._question_look_alike(message, assessment.look_alike)
            else:
                self._question_unconfirmed_guess(message)
        return messages

    def _question_unconfirmed_guess(self, message: Message) -> None:
        classified = _intent_name(message)
        confidence = float((message.get(INTENT) or {}).get("confidence") or 0.0)
        if classified not in ESCALATION_KINDS or confidence >= self.component_config[CONFIRM_BELOW_CONFIDENCE_KEY]:
            return
        logger.debug(f"Safety screen: unconfirmed '{classified}' at {confidence:.2f}; asking instead of escalating.")
        _override_intent(message, KIND_UNCLEAR)
        check = SafetyMatch(KIND_UNCLEAR, "unconfirmed_classifier_guess", confirm_kind=classified)
        message.set(SAFETY_KEY, check.as_dict(), add_to_output=True)

    def _apply_match(self, message: Message, match: SafetyMatch) -> None:
        if match.kind == KIND_UNCLEAR and not self.component_config[OVERRIDE_UNCLEAR_KEY]:
            return
        classified = _intent_name(message)
        confidence = float((message.get(INTENT) or {}).get("confidence") or 0.0)
        if (
            SEVERITY.get(classified or "", -1) > SEVERITY[match.kind]
            and confidence >= self.component_config[CONFIRM_BELOW_CONFIDENCE_KEY]
        ):
            # The classifier is sure of a stronger escalation (e.g. crisis over an unclear
            # match): keep it; a weaker screen result must not soften an escalation. An unsure
            # classifier does not outrank a pattern ("peeing myself" is a red flag, not crisis).
            return
        logger.debug(f"Safety screen: '{match.kind}' ({match.category}) overrides intent '{classified}'.")
        _override_intent(message, match.kind)
        message.set(SAFETY_KEY, match.as_dict(), add_to_output=True)

    def _question_look_alike(self, message: Message, look_alike: str) -> None:
        classified = _intent_name(message)
        if classified not in ESCALATION_KINDS:
            return
        logger.debug(f"Safety screen: '{classified}' looks like '{look_alike}'; asking instead of escalating.")
        _override_intent(message, KIND_UNCLEAR)
        check = SafetyMatch(KIND_UNCLEAR, f"look_alike_{look_alike}", confirm_kind=classified)
        message.set(SAFETY_KEY, check.as_dict(), add_to_output=True)


def _patterns_path(configured: Optional[Text]) -> Optional[Path]:
    if not configured:
        return None  # load_safety_patterns' default
    path = Path(configured)
    return path if path.is_absolute() else PROJECT_ROOT / path


def _intent_name(message: Message) -> Optional[Text]:
    intent = message.get(INTENT) or {}
    return intent.get(INTENT_NAME_KEY)


def _override_intent(message: Message, intent_name: Text) -> None:
    """The new intent at confidence 1.0 on top; the original intent stays in the ranking."""
    original = message.get(INTENT)
    override = {INTENT_NAME_KEY: intent_name, PREDICTED_CONFIDENCE_KEY: 1.0}
    ranking = [dict(entry) for entry in (message.get(INTENT_RANKING_KEY) or [])]
    if original and original.get(INTENT_NAME_KEY) and all(
        entry.get(INTENT_NAME_KEY) != original.get(INTENT_NAME_KEY) for entry in ranking
    ):
        ranking.insert(0, dict(original))
    ranking = [override] + [entry for entry in ranking if entry.get(INTENT_NAME_KEY) != intent_name]
    message.set(INTENT, override, add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
