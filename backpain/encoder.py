"""all-MiniLM-L6-v2 sentence embeddings in plain numpy: no torch, no download at run time.

The safety classifier (backpain/safety_classifier.py) and the dense featurizer for intents
both need what sparse word counts lack: that "swallow every tablet in the cupboard" and "take
all my pills" mean nearly the same. A pretrained sentence encoder gives that. This module runs
the 6-layer BERT of sentence-transformers/all-MiniLM-L6-v2 (mean pooling, L2-normalised, as
upstream) over weights that scripts/fetch_encoder.py fetched, verified by hash and converted.
Tokenisation is upstream's own tokenizer.json through Hugging Face `tokenizers`.

A short message costs about 2-5 ms on one core. Public API:
    load_encoder(folder=None) -> SentenceEncoder      (cached per folder)
    SentenceEncoder.embed(texts) -> (n, 384) float32  (unit vectors)
    SentenceEncoder.embed_words(words) -> (word vectors (n, 384), sentence vector (384,))
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from backpain.paths import PROJECT_ROOT

if TYPE_CHECKING:
    import tensorflow as tf

DEFAULT_FOLDER = PROJECT_ROOT / "build" / "encoder" / "minilm-l6-v2"
DIMENSION = 384
# Upstream was trained on at most 128 word pieces (longer input only adds cost); the safety
# classifier reads long messages in windows instead of relying on one truncated pass.
MAX_TOKENS = 128
_LAYERS = 6
_HEADS = 12
_LAYER_NORM_EPS = 1e-12
_BATCH = 32
_RECENT_TEXTS = 16  # single texts whose vectors are kept (see SentenceEncoder.__init__)


class EncoderMissing(RuntimeError):
    """The converted weights are not there: run `make pipeline` (scripts/fetch_encoder.py)."""


class SentenceEncoder:
    """A loaded all-MiniLM-L6-v2. Thread-safe: numpy releases the GIL and nothing is mutated."""

    def __init__(self, weights: Dict[str, np.ndarray], tokenizer_file: Path) -> None:
        from tokenizers import Tokenizer

        self._graph = _bert_graph(weights)
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        self._lock = threading.Lock()  # the Rust tokenizer's settings are shared state
        # One message is embedded by the safety classifier and by the step fit in turn: the
        # second reads the first's vector (a few recent texts; embeddings are not mutated).
        self._recent: "OrderedDict[str, np.ndarray]" = OrderedDict()

    # -- public --

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length sentence vectors, one row per text (empty text gives a zero row)."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        if len(texts) == 1:
            return self._embed_one(str(texts[0]))[None, :].copy()
        return self._embed_many(texts)

    def _embed_one(self, text: str) -> np.ndarray:
        with self._lock:
            cached = self._recent.get(text)
            if cached is not None:
                self._recent.move_to_end(text)
                return cached
        vector = self._embed_many([text])[0]
        with self._lock:
            self._recent[text] = vector
            while len(self._recent) > _RECENT_TEXTS:
                self._recent.popitem(last=False)
        return vector

    def _embed_many(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            encodings = self._tokenizer.encode_batch([str(t) for t in texts])
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        # Batches of similar length waste little on padding.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), _BATCH):
            members = order[start : start + _BATCH]
            length = max(len(encodings[i].ids) for i in members)
            ids = np.zeros((len(members), length), dtype=np.int32)
            mask = np.zeros((len(members), length), dtype=np.float32)
            for row, index in enumerate(members):
                piece_ids = encodings[index].ids
                ids[row, : len(piece_ids)] = piece_ids
                mask[row, : len(piece_ids)] = 1.0
            hidden = self._forward(ids, mask)
            summed = (hidden * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
            norms = np.linalg.norm(summed, axis=1, keepdims=True)
            out[members] = summed / np.where(norms > 0, norms, 1.0)
        return out

    def embed_words(self, words: Sequence[str]) -> Tuple[np.ndarray, np.ndarray]:
        """Contextual vectors for each given word (its pieces averaged) and the sentence vector."""
        if not words:
            return np.zeros((0, DIMENSION), np.float32), np.zeros(DIMENSION, np.float32)
        with self._lock:
            encoding = self._tokenizer.encode(list(words), is_pretokenized=True)
        hidden = self._hidden(np.array(encoding.ids, dtype=np.int64))
        word_vectors = np.zeros((len(words), DIMENSION), dtype=np.float32)
        counts = np.zeros(len(words), dtype=np.float32)
        for position, word_id in enumerate(encoding.word_ids):
            if word_id is not None:
                word_vectors[word_id] += hidden[position]
                counts[word_id] += 1
        seen = counts > 0
        word_vectors[seen] /= counts[seen, None]
        # A word cut off by truncation gets the sentence vector rather than zeros.
        sentence = self._pooled(hidden)
        word_vectors[~seen] = sentence
        return word_vectors, sentence

    # -- the network --

    def _hidden(self, ids: np.ndarray) -> np.ndarray:
        """The last layer's token states for one sequence."""
        mask = np.ones((1, len(ids)), dtype=np.float32)
        return self._forward(ids[None, :].astype(np.int32), mask)[0]

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return self._graph(ids, mask).numpy()

    @staticmethod
    def _pooled(hidden: np.ndarray) -> np.ndarray:
        mean = hidden.mean(0)
        norm = np.linalg.norm(mean)
        return mean / norm if norm > 0 else mean


def _bert_graph(weights: Dict[str, np.ndarray]) -> Callable[[np.ndarray, np.ndarray], "tf.Tensor"]:
    """BERT's forward pass as one TensorFlow function over (batch, length) ids and mask.

    TensorFlow rather than numpy: Rasa already loads it, and its kernels use the processor's
    vector units where the OpenBLAS bundled with numpy 1.23 may not recognise the CPU
    (measured here: 0.64 ms against 1.7 ms for one layer's largest product).
    """
    import tensorflow as tf

    w = {name: tf.constant(array) for name, array in weights.items() if array.dtype == np.float32}
    return tf.function(
        bert_layers(w),
        input_signature=[
            tf.TensorSpec([None, None], tf.int32),
            tf.TensorSpec([None, None], tf.float32),
        ],
    )


def bert_layers(w: Mapping[str, Any]) -> Callable[[Any, Any], "tf.Tensor"]:
    """The last layer's token states for (ids, mask), over tensors or variables named as
    upstream's: constants here, trainable variables in scripts/measure_finetuned_safety.py."""
    import tensorflow as tf

    head_size = DIMENSION // _HEADS

    def layer_norm(x: "tf.Tensor", prefix: str) -> "tf.Tensor":
        mean, variance = tf.nn.moments(x, axes=[-1], keepdims=True)
        return (x - mean) * tf.math.rsqrt(variance + _LAYER_NORM_EPS) * w[prefix + ".weight"] + w[
            prefix + ".bias"
        ]

    def dense(x: "tf.Tensor", prefix: str) -> "tf.Tensor":
        return tf.matmul(x, w[prefix + ".weight"]) + w[prefix + ".bias"]

    def heads(x: "tf.Tensor", batch: "tf.Tensor", length: "tf.Tensor") -> "tf.Tensor":
        return tf.transpose(tf.reshape(x, [batch, length, _HEADS, head_size]), [0, 2, 1, 3])

    def forward(ids: "tf.Tensor", mask: "tf.Tensor") -> "tf.Tensor":
        batch, length = tf.shape(ids)[0], tf.shape(ids)[1]
        x = (
            tf.gather(w["embeddings.word_embeddings.weight"], ids)
            + w["embeddings.position_embeddings.weight"][:length][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = layer_norm(x, "embeddings.LayerNorm")
        # Padding positions get -10000 before the softmax, as BERT does.
        bias = (1.0 - mask)[:, None, None, :] * -10000.0
        for layer in range(_LAYERS):
            p = f"encoder.layer.{layer}."
            q = heads(dense(x, p + "attention.self.query"), batch, length)
            k = heads(dense(x, p + "attention.self.key"), batch, length)
            v = heads(dense(x, p + "attention.self.value"), batch, length)
            scores = tf.matmul(q, k, transpose_b=True) / float(np.sqrt(head_size)) + bias
            context = tf.matmul(tf.nn.softmax(scores, axis=-1), v)
            context = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch, length, DIMENSION])
            x = layer_norm(
                x + dense(context, p + "attention.output.dense"), p + "attention.output.LayerNorm"
            )
            inner = tf.nn.gelu(dense(x, p + "intermediate.dense"), approximate=False)
            x = layer_norm(x + dense(inner, p + "output.dense"), p + "output.LayerNorm")
        return x

    return forward


def load_weights(folder: Path) -> Dict[str, np.ndarray]:
    with np.load(folder / "weights.npz") as archive:
        return {name: archive[name] for name in archive.files}


@lru_cache(maxsize=2)
def _cached(folder: str) -> SentenceEncoder:
    path = Path(folder)
    if not (path / "weights.npz").exists() or not (path / "tokenizer.json").exists():
        raise EncoderMissing(
            f"{path}: the sentence encoder is missing; `make pipeline` fetches and converts it"
        )
    return SentenceEncoder(load_weights(path), path / "tokenizer.json")


def load_encoder(folder: Optional[Path | str] = None) -> SentenceEncoder:
    """The encoder in `folder` (default build/encoder/minilm-l6-v2), loaded once per process."""
    return _cached(str(Path(folder or DEFAULT_FOLDER).resolve()))


def cosine_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarities of unit rows."""
    return a @ b.T


__all__: List[str] = [
    "SentenceEncoder",
    "load_encoder",
    "EncoderMissing",
    "DIMENSION",
    "cosine_matrix",
    "bert_layers",
    "load_weights",
]
