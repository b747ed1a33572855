"""The education topic selector (components/topic_selector.py, backpain/topic_ranker.py):
trained on the `explain/<topic>` examples, kept in the model archive, and writing the parse
data in the ResponseSelector's shape, which Rasa's `utter_explain` and `rasa test nlu` read."""

from __future__ import annotations

from pathlib import Path
from typing import List

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from backpain.clarify import education_selection
from backpain.topic_ranker import TopicRanker
from components.topic_selector import TopicSelector

EXAMPLES = {
    "explain/pacing": [
        "what is pacing",
        "how do I pace my activities",
        "doing a bit less on good days so I don't crash",
        "boom and bust with housework",
    ],
    "explain/sleep": [
        "my back keeps me awake at night",
        "how can I sleep better with back pain",
        "I wake up every time I turn over in bed",
        "tips for sleeping with a sore back",
    ],
    "explain/flare_ups": [
        "what do I do in a flare up",
        "my pain has suddenly got much worse for a few days",
        "how to cope with a bad flare",
        "is a setback normal",
    ],
}


def training_data() -> TrainingData:
    messages: List[Message] = [
        Message(data={TEXT: text, INTENT: "explain", INTENT_RESPONSE_KEY: key})
        for key, texts in EXAMPLES.items()
        for text in texts
    ]
    messages.append(Message(data={TEXT: "hello there", INTENT: "greet"}))
    responses = {f"utter_{key}": [{"text": f"About {key}."}] for key in EXAMPLES}
    return TrainingData(training_examples=messages, responses=responses)


def new_selector(tmp_path: Path, **config: object) -> TopicSelector:
    return TopicSelector.create(
        {**TopicSelector.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("topic_selector"),
        ExecutionContext(graph_schema=None),  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> TopicSelector:
    selector = new_selector(tmp_path_factory.mktemp("storage"), ranking_length=2)
    selector.train(training_data())
    return selector


def test_a_new_phrasing_gets_its_topic_in_the_response_selectors_shape(
    trained: TopicSelector,
) -> None:
    message = trained.process([Message(data={TEXT: "I can't get to sleep because of my back"})])[0]
    selectors = message.get("response_selector")
    assert selectors["all_retrieval_intents"] == ["explain"]
    selected = education_selection(selectors)
    response = selected["response"]
    assert response["intent_response_key"] == "explain/sleep"
    assert response["utter_action"] == "utter_explain/sleep"
    assert response["responses"] == [{"text": "About explain/sleep."}]
    assert 0.34 < response["confidence"] <= 1.0
    # The ranking is cut to `ranking_length`, likeliest first, and starts with the pick.
    ranking = selected["ranking"]
    assert len(ranking) == 2
    assert ranking[0] == {
        "confidence": response["confidence"],
        "intent_response_key": "explain/sleep",
    }
    assert ranking[0]["confidence"] >= ranking[1]["confidence"]


def test_an_empty_message_is_left_without_a_pick(trained: TopicSelector) -> None:
    message = trained.process([Message(data={TEXT: ""})])[0]
    assert message.get("response_selector") is None


def test_the_trained_ranker_loads_from_the_model_archive_with_the_same_scores(
    tmp_path: Path,
) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("topic_selector")
    context = ExecutionContext(graph_schema=None)  # type: ignore[arg-type]
    config = TopicSelector.get_default_config()
    TopicSelector.create(config, storage, resource, context).train(training_data())
    loaded = TopicSelector.load(config, storage, resource, context)
    text = "should I do less on a good day"
    first = TopicSelector.create(config, storage, resource, context)
    first.train(training_data())
    a = first.process([Message(data={TEXT: text})])[0].get("response_selector")
    b = loaded.process([Message(data={TEXT: text})])[0].get("response_selector")
    assert a == b
    assert education_selection(a)["response"]["intent_response_key"] == "explain/pacing"


def test_a_model_without_a_ranker_loads_and_leaves_messages_alone(tmp_path: Path) -> None:
    context = ExecutionContext(graph_schema=None)  # type: ignore[arg-type]
    selector = TopicSelector.load(
        TopicSelector.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("never_trained"),
        context,
    )
    message = selector.process([Message(data={TEXT: "what is pacing"})])[0]
    assert message.get("response_selector") is None


def test_training_without_two_topics_leaves_no_ranker(tmp_path: Path) -> None:
    data = TrainingData(
        training_examples=[
            Message(
                data={
                    TEXT: "what is pacing",
                    INTENT: "explain",
                    INTENT_RESPONSE_KEY: "explain/pacing",
                }
            )
        ]
    )
    selector = new_selector(tmp_path)
    selector.train(data)
    assert (
        selector.process([Message(data={TEXT: "what is pacing"})])[0].get("response_selector")
        is None
    )


def test_the_ranker_is_deterministic_and_its_probabilities_sum_to_one() -> None:
    texts = [text for texts in EXAMPLES.values() for text in texts]
    topics = [key for key, texts in EXAMPLES.items() for _ in texts]
    first = TopicRanker.train(texts, topics).rank("a flare up after gardening")
    second = TopicRanker.train(texts, topics).rank("a flare up after gardening")
    assert first == second
    assert first[0][0] == "explain/flare_ups"
    assert np.isclose(sum(score for _, score in first), 1.0)


def test_the_ranker_refuses_a_single_topic() -> None:
    with pytest.raises(ValueError, match="two topics"):
        TopicRanker.train(["what is pacing", "how do I pace"], ["explain/pacing"] * 2)
