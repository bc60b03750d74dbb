"""The crisis guard's third signal: danger recognised by meaning, in any language the encoder knows.

The rules and the learned word model read German words; a crisis written in English, Turkish,
Ukrainian, Arabic or Russian passes them by. This signal is a logistic regression on the
sentence encoder's vector of the message plus how much nearer the message is to the crisis
examples than to the calm ones (the mean cosine of the three nearest of each), trained at build
time (`elternlotse train-meaning`) on the labelled tuning sets. The shipped model is a small
JSON file (one weight per dimension, a bias, the thresholds) and the examples' vectors beside
it (float16, checked by hash): the bot computes two dot products, never trains. The neighbours
lifted cross-validated recall in other languages from 0.62 to 0.87–0.91 at the same false alarms.

Like the learned word model it errs more often than a rule, so its alarm shows the hotlines
first and then the normal answer. Its vector is computed off the event loop (`AsyncEncoder`);
the pure dialogue only ever sees the verdict.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.language.encoding import AsyncEncoder, EncoderBusy, closest_mean

if TYPE_CHECKING:
    from bot.language.encoding import Vectors

logger = logging.getLogger(__name__)

# Raise when the file layout or the features change.
MEANING_FORMAT = 3
# A message's neighbours: the mean cosine of this many nearest crisis and calm examples.
NEIGHBOURS_K = 3
MEANING_SIGNAL = "bedeutung"
_EPOCHS = 1500
_LEARNING_RATE = 0.5
_L2 = 1e-3


@dataclass(frozen=True)
class MeaningVerdict:
    """What the signal says about one message: its log-odds of crisis and whether it fires.

    Attributes:
        score: The log-odds of crisis.
        threshold: Above it, a message in German is a crisis.
        threshold_other: Above it, a message in another language is a crisis (None: the same).

    """

    score: float
    threshold: float
    threshold_other: float | None = None

    def in_other_language(self) -> MeaningVerdict:
        """Return the verdict for a message not in German (its own threshold decides).

        Each language group has its own threshold, chosen by cross-validation on its own
        examples: German messages also have the rules and the word model, while elsewhere the
        signal is the only reader, so the two groups' scores spread differently.
        """
        if self.threshold_other is None:
            return self
        return MeaningVerdict(self.score, self.threshold_other)

    @property
    def fired(self) -> bool:
        """Tell whether the score is above the threshold."""
        return self.score > self.threshold

    def explain(self) -> dict[str, Any]:
        """Return the verdict as a JSON-compatible dict (for `elternlotse ask --json`)."""
        explained = {"score": round(self.score, 2), "threshold": self.threshold}
        if self.threshold_other is not None:
            explained["threshold_other_languages"] = self.threshold_other
        return {**explained, "fired": self.fired}


@dataclass(frozen=True)
class Neighbours:
    """The vectors of labelled examples: a message near crisis ones and far from calm ones.

    Attributes:
        crisis: One unit vector per crisis example (rows).
        calm: One per look-alike, concern or everyday example.
        weight: How much the difference of the two nearness values adds to the log-odds.

    """

    crisis: Vectors
    calm: Vectors
    weight: float

    def score(self, vector: Vectors) -> float:
        """Return weight × (nearness to crisis examples − nearness to calm ones)."""
        return self.weight * (_nearness(self.crisis, vector) - _nearness(self.calm, vector))


def _nearness(rows: Vectors, vector: Vectors) -> float:
    """Return the mean cosine of the `NEIGHBOURS_K` rows nearest to `vector`."""
    import numpy as np

    return closest_mean(np.asarray(rows @ vector, dtype=np.float64), NEIGHBOURS_K)


@dataclass(frozen=True)
class MeaningModel:
    """A logistic regression on a sentence vector, for one encoder model.

    Attributes:
        model_id: The encoder whose vectors it was trained on (`SentenceEncoder.model_id`);
            vectors of any other model must never be scored.
        weights: One weight per vector dimension.
        bias: The intercept.
        threshold: The log-odds above which a message in German is a crisis (chosen by
            cross-validation).
        threshold_other: The same for a message in another language.
        data_key: The hash of the training texts and labels (a stale model is visible).
        trained_on: Names of the files the examples came from.
        neighbours: The examples' vectors (None: the regression alone).

    """

    model_id: str
    weights: tuple[float, ...]
    bias: float
    threshold: float
    threshold_other: float
    data_key: str = ""
    trained_on: tuple[str, ...] = field(default=())
    neighbours: Neighbours | None = field(default=None, repr=False, compare=False)

    def score(self, vector: Vectors) -> float:
        """Return the log-odds that the message of this unit vector is a crisis."""
        import numpy as np

        linear = float(np.dot(np.asarray(self.weights, dtype=np.float32), vector) + self.bias)
        return linear + (self.neighbours.score(vector) if self.neighbours is not None else 0.0)

    def verdict(self, vector: Vectors) -> MeaningVerdict:
        """Return the signal's verdict on the message of this vector."""
        return MeaningVerdict(round(self.score(vector), 4), self.threshold, self.threshold_other)

    def to_json(self, neighbours: Mapping[str, Any] | None = None) -> str:
        """Serialise (rounded weights, one key per line, so the file stays small and diffs).

        `neighbours` describes the examples' vector file (`save_meaning_model` writes both).
        """
        return json.dumps(
            {
                "format": MEANING_FORMAT,
                "model_id": self.model_id,
                "data_key": self.data_key,
                "trained_on": list(self.trained_on),
                "threshold": self.threshold,
                "threshold_other": self.threshold_other,
                "bias": round(self.bias, 5),
                "weights": [round(w, 5) for w in self.weights],
                **({"neighbours": dict(neighbours)} if neighbours else {}),
            },
            ensure_ascii=False,
            indent=0,
        )

    @classmethod
    def from_json(
        cls, raw: Mapping[str, Any], neighbours: Neighbours | None = None
    ) -> MeaningModel:
        """Restore a model, refusing another format.

        Raises:
            ValueError: The data is not a model of this format.

        """
        if raw.get("format") != MEANING_FORMAT:
            raise ValueError(f"format must be {MEANING_FORMAT}")
        weights = raw.get("weights")
        if not isinstance(weights, list) or not all(isinstance(w, int | float) for w in weights):
            raise ValueError("weights must be a list of numbers")
        return cls(
            model_id=str(raw["model_id"]),
            weights=tuple(float(w) for w in weights),
            bias=float(raw["bias"]),
            threshold=float(raw["threshold"]),
            threshold_other=float(raw["threshold_other"]),
            data_key=str(raw.get("data_key", "")),
            trained_on=tuple(str(n) for n in raw.get("trained_on", ())),
            neighbours=neighbours,
        )


def neighbours_file(path: Path) -> Path:
    """Return the file beside the model file `path` that holds the examples' vectors."""
    return path.with_name(f"{path.stem}_neighbours.npy")


def save_meaning_model(model: MeaningModel, path: Path) -> None:
    """Write the model as JSON and its examples' vectors (float16 .npy) beside it."""
    import io

    import numpy as np

    described: dict[str, Any] | None = None
    if model.neighbours is not None:
        rows = np.concatenate([model.neighbours.crisis, model.neighbours.calm]).astype(np.float16)
        buffer = io.BytesIO()
        np.save(buffer, rows, allow_pickle=False)
        data = buffer.getvalue()
        neighbours_file(path).write_bytes(data)
        described = {
            "file": neighbours_file(path).name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "crisis": len(model.neighbours.crisis),
            "calm": len(model.neighbours.calm),
            "weight": model.neighbours.weight,
        }
    path.write_text(model.to_json(described) + "\n", encoding="utf-8")


def load_meaning_model(path: Path) -> MeaningModel:
    """Read a model file and, where it names one, its examples' vectors (checked by hash).

    Raises:
        OSError: A file cannot be read.
        ValueError: A file is not a valid model, or the vectors are not the ones it names.

    """
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError("a meaning model is a JSON object")
    described = raw.get("neighbours")
    neighbours = _read_neighbours(path, described) if described is not None else None
    return MeaningModel.from_json(raw, neighbours)


def _read_neighbours(path: Path, described: Mapping[str, Any]) -> Neighbours:
    """Read the vectors the model file describes; refuse other or damaged ones."""
    import io

    import numpy as np

    data = path.with_name(str(described["file"])).read_bytes()
    if hashlib.sha256(data).hexdigest() != described["sha256"]:
        raise ValueError(f"{described['file']} is not the file the model was trained with")
    rows = np.load(io.BytesIO(data), allow_pickle=False).astype(np.float32)
    crisis, calm = int(described["crisis"]), int(described["calm"])
    if rows.ndim != 2 or len(rows) != crisis + calm:
        raise ValueError(f"{described['file']} holds {rows.shape}, not {crisis + calm} rows")
    return Neighbours(rows[:crisis], rows[crisis:], float(described["weight"]))


def fit(vectors: Vectors, labels: Sequence[bool]) -> tuple[list[float], float]:
    """Fit a logistic regression by full-batch gradient descent (deterministic).

    The vectors are standardised per dimension for the descent (a sentence encoder's unit
    vectors differ in small amounts); the scaling is folded back into the weights, so the model
    applies to raw vectors.

    Returns:
        The weights and the bias.

    """
    import numpy as np

    x = np.asarray(vectors, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / std
    # Both classes weigh the same, however many examples each has.
    positive = max(1.0, float(y.sum()))
    negative = max(1.0, float(len(y) - y.sum()))
    weight = np.where(y > 0, len(y) / (2 * positive), len(y) / (2 * negative))
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(_EPOCHS):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w + b, -30, 30)))
        error = (p - y) * weight
        w -= _LEARNING_RATE * (z.T @ error / len(y) + _L2 * w)
        b -= _LEARNING_RATE * float(error.mean())
    raw = w / std
    return [float(v) for v in raw], float(b - np.dot(raw, mean))


class CrisisMeaning:
    """The signal at run time: encodes a message in the encoder's worker thread, then scores it."""

    def __init__(self, encoder: AsyncEncoder, model: MeaningModel) -> None:
        """Pair an encoder with the model trained on its vectors.

        Raises:
            ValueError: The model was trained on another encoder's vectors.

        """
        if encoder.model_id != model.model_id:
            raise ValueError(f"model trained on {model.model_id}, not {encoder.model_id}")
        self._encoder = encoder
        self._model = model

    async def verdict(self, text: str) -> MeaningVerdict | None:
        """Return the verdict on a message, or None when the encoder is too busy to ask now."""
        if not text.strip():
            return None
        try:
            vectors = await self._encoder.encode([text])
        except EncoderBusy:
            # Rules and the word model still guard this message; the queue must stay bounded.
            logger.warning("crisis meaning skipped: encoder busy")
            return None
        return self._model.verdict(vectors[0])
