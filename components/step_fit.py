"""How well a message reads as an answer to each script step, for the scripts' validators.

Adds `step_fit: {step: fit}` to the parse data (backpain/step_fit.py says what the fit is).
The NLU pipeline has no idea which step was asked; the validators do, and read the fit of that
step (actions/guided/validation.py). Scoring every step costs one sentence vector and a few
small products per message.

Config (config.yml):
    - name: components.step_fit.StepFitScorer
      examples_file: content/scripts/step_examples.yml   # optional; relative to the project root
A missing or broken examples file stops the server at start-up with an error; a failure on one
message leaves it without a fit, and the scripts then take the answer as before.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message

from backpain.encoder import load_encoder
from backpain.paths import project_path
from backpain.step_fit import (
    EXAMPLES_FILE,
    STEP_FIT_KEY,
    StepFit,
    load_step_examples,
)
from components.input_limits import full_text

EXAMPLES_FILE_KEY = "examples_file"

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class StepFitScorer(GraphComponent):
    """Scores each message against every step's example answers (see the module docstring)."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return []

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {EXAMPLES_FILE_KEY: None}

    def __init__(self, config: Dict[Text, Any], scorer: StepFit) -> None:
        self.component_config = config
        self._scorer = scorer

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> StepFitScorer:
        examples = load_step_examples(project_path(config.get(EXAMPLES_FILE_KEY), EXAMPLES_FILE))
        return cls(config, StepFit(examples, load_encoder()))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            try:
                fits = self._scorer.fits(str(full_text(message)))
            except Exception:  # the answer is then taken as before; never lose the message
                logger.exception("Scoring a message against the script steps failed.")
                continue
            if fits:
                message.set(STEP_FIT_KEY, fits, add_to_output=True)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
