"""The safety screen as a Rasa NLU component: last in the pipeline, it overrides the intent.

Safety must not depend on the intent classifier's luck. After DIET and the FallbackClassifier
have guessed, this component runs the layered screen (backpain/safety_layers.py) over the
message's full text: the patterns (content/safety/red_flags.yml), the safety classifier trained
for this job alone (backpain/safety_classifier.py), and the risk-word net. On a decision it
sets the intent to the escalation kind (`crisis`, `red_flag_emergency`, `red_flag_urgent`,
`inflammatory_signs`, or `red_flag_unclear` for the confirming question) with confidence 1.0,
keeps the classifier's ranking below it, and adds `safety: {kind, category[, confirm], layer[,
answer_first]}` to the parse data. The safety rules then fire at any point, forms included.

Structure mirrors rasa/nlu/classifiers/fallback_classifier.py. Config (config.yml):
    - name: components.safety_screen.SafetyScreen
      patterns_file: content/safety/red_flags.yml        # optional; relative to the project root
      classifier: "build/safety/classifier-<hash>"       # written by `make pipeline`
      confirm_below_confidence: 0.9                      # DIET's own escalation guesses
A broken pattern file or a missing classifier stops the server at start-up with an error.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from backpain.paths import project_path
from backpain.safety_classifier import SafetyClassifier, load_classifier
from backpain.safety_layers import LAYER_PATTERN, screen_message
from backpain.safety_pattern_file import load_safety_patterns
from backpain.safety_patterns import SafetyPatterns
from components.intent_override import override_intent
from components.language_gate import OTHER_LANGUAGE_INTENT

# The parse-data key the actions read (tracker.latest_message["safety"]).
SAFETY_KEY = "safety"
# Set by components/input_limits.py on over-long messages: the untrimmed text.
FULL_TEXT_KEY = "full_text"
PATTERNS_FILE_KEY = "patterns_file"
CLASSIFIER_KEY = "classifier"
# Below this confidence, an escalation intent from DIET that no layer confirms becomes a
# confirming question: "I bent to load the dishwasher and was fine" must not send someone to
# hospital, and a true red flag the other layers missed still gets asked about.
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
        return {PATTERNS_FILE_KEY: None, CLASSIFIER_KEY: None, CONFIRM_BELOW_CONFIDENCE_KEY: 0.9}

    def __init__(
        self,
        config: Dict[Text, Any],
        patterns: SafetyPatterns,
        classifier: Optional[SafetyClassifier],
    ) -> None:
        self.component_config = config
        self._patterns = patterns
        self._classifier = classifier

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyScreen:
        patterns = load_safety_patterns(project_path(config.get(PATTERNS_FILE_KEY)))
        classifier_path = project_path(config.get(CLASSIFIER_KEY))
        classifier = load_classifier(str(classifier_path)) if classifier_path else None
        return cls(config, patterns, classifier)

    def process(self, messages: List[Message]) -> List[Message]:
        """Screens each message and overrides its intent on a decision (see the module docstring)."""
        for message in messages:
            text = message.get(FULL_TEXT_KEY) or message.get(TEXT) or ""
            intent = message.get(INTENT) or {}
            try:
                result = screen_message(
                    text,
                    self._patterns,
                    self._classifier,
                    intent=intent.get(INTENT_NAME_KEY),
                    confidence=float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0),
                    confirm_below=self.component_config[CONFIRM_BELOW_CONFIDENCE_KEY],
                )
            except Exception:  # never lose the message: keep the classifier's answer
                logger.exception(
                    "The safety screen failed on a message; the classifier's intent is kept."
                )
                continue
            if result.match is None:
                continue
            if (
                intent.get(INTENT_NAME_KEY) == OTHER_LANGUAGE_INTENT
                and result.layer != LAYER_PATTERN
            ):
                # The classifier and the net read English: on another language their guess is noise,
                # and the English-only notice already gives the emergency and crisis numbers.
                continue
            logger.debug(
                f"Safety screen ({result.layer}): '{result.match.kind}' ({result.match.category})."
            )
            override_intent(message, result.match.kind)
            decision = dict(result.match.as_dict(), layer=result.layer)
            if result.answer_first:
                decision["answer_first"] = result.answer_first
            message.set(SAFETY_KEY, decision, add_to_output=True)
        return messages
