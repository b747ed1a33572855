"""Measure a fine-tuned all-MiniLM-L6-v2 against the safety classifier on the development sets.

Seventeen sessions named the same lever for issues 13 to 15: a model stronger than a logistic
regression over n-grams and frozen sentence embeddings. This script measures one, side by side
with the configured classifier, on texts neither was trained on:
- the six blind development safety sets (tests/dev/safety_dev*.yml), never the held-out sets;
- the genuine step answers and remarks of tests/dev/step_answers_dev.yml;
- the everyday messages of tests/dev/conversation_dev.yml and tests/dev/midscript_dev.yml.

The model is the encoder (backpain/encoder.py's own graph, its weights made trainable) with a
linear head over the normalised mean-pooled states, trained with class-balanced cross-entropy
on exactly the classifier's training examples (backpain/safety_training.py). Each model's
probabilities are compared at matched error rates, so no band has to be chosen first: the
asking threshold that keeps 99% of development risk messages, and what it asks of everyday
messages; the crisis threshold at a given look-alike alarm rate, and the explicit crisis it
reaches. The 50/50 average of the two models is reported as well.

It is a measurement, not part of `make train`: about 2 minutes per epoch on two cores.
    .venv/bin/python scripts/measure_finetuned_safety.py [--epochs 5] [--rate 6e-5]
Results in docs/safety.md (eighteenth session).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy as np
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from backpain.encoder import DEFAULT_FOLDER, DIMENSION, bert_layers, load_weights  # noqa: E402
from backpain.safety_classifier import LABEL_NONE, LABELS, load_classifier  # noqa: E402
from backpain.safety_training import configured_classifier, training_examples  # noqa: E402

DEV = PROJECT_ROOT / "tests" / "dev"
BATCH = 32
MAX_PIECES = 64  # 95% of training examples are under 30 word pieces
CRISIS = LABELS.index("crisis")
NONE = LABELS.index(LABEL_NONE)


# -- the texts measured ---------------------------------------------------------------------------


def evaluation_texts() -> Tuple[List[str], List[str]]:
    """(texts, group of each): dev risk, explicit crisis, look-alike, step answer, everyday."""
    texts: List[str] = []
    groups: List[str] = []

    def add(text: str, group: str) -> None:
        texts.append(str(text))
        groups.append(group)

    for path in sorted(DEV.glob("safety_dev*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in data.get("crisis") or []:
            add(entry["text"], "explicit" if entry.get("explicit") else "risk")
        for entry in data.get("red_flags") or []:
            add(entry["text"], "risk")
        for entry in data.get("look_alikes") or []:
            add(entry["text"], "look_alike")
    steps = yaml.safe_load((DEV / "step_answers_dev.yml").read_text(encoding="utf-8"))
    for entry in steps["answers"]:
        # Warning signs listed in the flare-up plan are meant to be asked about (issue 13).
        if entry["step"] != "flare_warning_signs":
            add(entry["text"], "step_answer")
    for entry in steps["not_answers"]:
        add(entry["text"], "everyday")
    conversation = yaml.safe_load((DEV / "conversation_dev.yml").read_text(encoding="utf-8"))
    for entries in conversation.values():
        for entry in entries or []:
            if isinstance(entry, dict) and "text" in entry and entry.get("expect") != "safety":
                add(entry["text"], "everyday")
    midscript = yaml.safe_load((DEV / "midscript_dev.yml").read_text(encoding="utf-8"))
    for entry in midscript["messages"]:
        if entry["kind"] not in ("red_flag", "crisis"):
            add(entry["text"], "everyday")
    return texts, groups


# -- comparison at matched error rates ------------------------------------------------------------


def compare(probabilities: np.ndarray, groups: Sequence[str]) -> Dict[str, float]:
    """The figures of one model (rows of LABELS probabilities, one per text)."""
    group = np.array(groups)
    risk = 1.0 - probabilities[:, NONE]
    crisis = probabilities[:, CRISIS]
    risky = np.isin(group, ["risk", "explicit"])
    figures: Dict[str, float] = {}
    ask = np.quantile(risk[risky], 0.01)  # keeps 99% of development risk messages
    for name in ("step_answer", "everyday", "look_alike"):
        figures[f"asked at 99% recall: {name}"] = float(np.mean(risk[group == name] >= ask))
    for alarms in (0.02, 0.05):
        threshold = np.quantile(crisis[group == "look_alike"], 1.0 - alarms)
        figures[f"explicit crisis at {alarms:.0%} look-alike crisis"] = float(
            np.mean(crisis[group == "explicit"] >= threshold)
        )
    return figures


# -- the fine-tuned model -------------------------------------------------------------------------


def fine_tune(texts: Sequence[str], labels: np.ndarray, epochs: int, rate: float, seed: int):  # noqa: ANN201
    """A predict(texts) -> probabilities function, after training on (texts, labels)."""
    import tensorflow as tf
    from tokenizers import Tokenizer

    tf.random.set_seed(seed)
    rng = np.random.default_rng(seed)
    weights = {
        name: tf.Variable(array)
        for name, array in load_weights(DEFAULT_FOLDER).items()
        if array.dtype == np.float32
    }
    encode = bert_layers(weights)
    head = tf.Variable(tf.random.normal([DIMENSION, len(LABELS)], stddev=0.02, seed=seed))
    head_bias = tf.Variable(tf.zeros([len(LABELS)]))
    trained = [
        variable
        for name, variable in weights.items()
        # Not the pooler, nor what the graph never reads (one token type, upstream's position ids).
        if name.startswith(("embeddings.", "encoder."))
        and not name.endswith(("token_type_embeddings.weight", "position_ids"))
    ] + [head, head_bias]
    counts = np.bincount(labels, minlength=len(LABELS))
    class_weights = tf.constant(len(labels) / (len(LABELS) * np.maximum(counts, 1)), tf.float32)
    batches_per_epoch = -(-len(texts) // BATCH)
    schedule = tf.keras.optimizers.schedules.PolynomialDecay(rate, epochs * batches_per_epoch, 0.0)
    optimizer = tf.keras.optimizers.Adam(schedule)

    def logits(ids, mask, training: bool):  # noqa: ANN001,ANN202
        hidden = encode(ids, mask)
        pooled = tf.reduce_sum(hidden * mask[:, :, None], 1) / tf.reduce_sum(mask, 1, keepdims=True)
        pooled = tf.math.l2_normalize(pooled, -1) * 10.0  # unit vectors, as upstream, scaled
        if training:
            pooled = tf.nn.dropout(pooled, 0.1)
        return tf.matmul(pooled, head) + head_bias

    signature = [tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([None, None], tf.float32)]

    @tf.function(input_signature=signature + [tf.TensorSpec([None], tf.int32)])
    def train_step(ids, mask, y):  # noqa: ANN001,ANN202
        with tf.GradientTape() as tape:
            losses = tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits(ids, mask, True))
            loss = tf.reduce_mean(losses * tf.gather(class_weights, y))
        gradients = tape.gradient(loss, trained)
        optimizer.apply_gradients(zip(gradients, trained))
        return loss

    @tf.function(input_signature=signature)
    def probabilities(ids, mask):  # noqa: ANN001,ANN202
        return tf.nn.softmax(logits(ids, mask, False))

    tokenizer = Tokenizer.from_file(str(DEFAULT_FOLDER / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_PIECES)
    tokenizer.no_padding()

    def padded(pieces: List[List[int]]) -> Tuple[np.ndarray, np.ndarray]:
        length = max(len(p) for p in pieces)
        ids = np.zeros((len(pieces), length), np.int32)
        mask = np.zeros((len(pieces), length), np.float32)
        for row, piece_ids in enumerate(pieces):
            ids[row, : len(piece_ids)] = piece_ids
            mask[row, : len(piece_ids)] = 1.0
        return ids, mask

    pieces = [encoding.ids for encoding in tokenizer.encode_batch(list(texts))]
    started = time.monotonic()
    for epoch in range(epochs):
        # Batches of similar length (little padding), in random order.
        order = sorted(
            rng.permutation(len(texts)), key=lambda i: len(pieces[i]) // 4 + rng.random()
        )
        batches = [order[start : start + BATCH] for start in range(0, len(order), BATCH)]
        rng.shuffle(batches)
        total = 0.0
        for members in batches:
            ids, mask = padded([pieces[i] for i in members])
            total += float(train_step(ids, mask, labels[members]))
        print(
            f"epoch {epoch + 1}/{epochs}: loss {total / len(batches):.4f} "
            f"({time.monotonic() - started:.0f} s)",
            flush=True,
        )

    def predict(new_texts: Sequence[str]) -> np.ndarray:
        new_pieces = [e.ids for e in tokenizer.encode_batch([str(t) for t in new_texts])]
        out = np.zeros((len(new_texts), len(LABELS)), np.float32)
        order = sorted(range(len(new_texts)), key=lambda i: len(new_pieces[i]))
        for start in range(0, len(order), BATCH):
            members = order[start : start + BATCH]
            out[members] = probabilities(*padded([new_pieces[i] for i in members])).numpy()
        return out

    return predict


def configured_probabilities(texts: Sequence[str]) -> np.ndarray:
    """The configured classifier's probabilities on each message's riskiest window."""
    classifier = load_classifier(str(configured_classifier()))
    rows = []
    for text in texts:
        verdict = classifier.assess(text)
        rows.append(
            [verdict.scores[label] for label in LABELS] if verdict else np.eye(len(LABELS))[NONE]
        )
    return np.array(rows, np.float32)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--rate", type=float, default=6e-5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    examples = training_examples()
    labels = np.array([LABELS.index(example.label) for example in examples], np.int32)
    texts, groups = evaluation_texts()
    print(f"{len(examples)} training examples; {len(texts)} development texts", flush=True)
    predict = fine_tune([e.text for e in examples], labels, args.epochs, args.rate, args.seed)
    models = {
        "configured classifier": configured_probabilities(texts),
        "fine-tuned": predict(texts),
    }
    models["average of the two"] = (models["configured classifier"] + models["fine-tuned"]) / 2
    results = {name: compare(probabilities, groups) for name, probabilities in models.items()}
    print("| figure | " + " | ".join(results) + " |")
    print("|---|" + "---:|" * len(results))
    for figure in next(iter(results.values())):
        print(f"| {figure} | " + " | ".join(f"{r[figure]:.3f}" for r in results.values()) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
