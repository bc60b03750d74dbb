"""A small learned crisis detector that backs up the concept rules on unseen wording.

The rules in `knowledge/crisis.yaml` are precise but only know what someone wrote down; on sets
written blind they missed a third to a half of the crisis messages. This model is a logistic
regression over words, word pairs and character 5-grams of the folded text, trained on the
labelled sets in `tests/data` (`elternlotse train-crisis`). It is small, deterministic and pure
Python: a heavy machine-learning stack would be out of proportion for one linear model.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

from bot.language.normalize import loose, words

FEATURE_VERSION = 1
_NGRAM = 5
_EPOCHS = 15
_LEARNING_RATE = 0.3
_L2 = 1e-4
# Weights this close to zero carry no signal; dropping them keeps the shipped file small.
_PRUNE_BELOW = 0.05


def features(text: str) -> set[str]:
    """Return the features of a message: words, word pairs and character 5-grams."""
    tokens = loose(" ".join(words(text))).split()
    found = set(tokens)
    found.update(f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False))
    padded = f" {' '.join(tokens)} "
    found.update(padded[i : i + _NGRAM] for i in range(len(padded) - _NGRAM + 1))
    return found


@dataclass(frozen=True)
class CrisisModel:
    """Weights of a logistic regression and the score above which a message is a crisis."""

    weights: Mapping[str, float]
    bias: float
    threshold: float
    trained_on: tuple[str, ...] = field(default=())

    def score(self, text: str) -> float:
        """Return the log-odds that a message is a crisis."""
        # The lookups run in C; the same features are summed in the same order as ever.
        return self.bias + sum(map(self.weights.get, features(text), repeat(0.0)))

    def strongest(self, text: str, count: int = 3) -> list[str]:
        """Return the features that pushed a message most towards crisis (for explanations)."""
        found = sorted(
            ((self.weights.get(f, 0.0), f.strip()) for f in features(text)), reverse=True
        )
        strongest = dict.fromkeys(f for w, f in found if w > 0)
        return list(strongest)[:count]

    def to_json(self) -> str:
        """Serialise (sorted keys, rounded weights, so the file diffs well)."""
        return json.dumps(
            {
                "feature_version": FEATURE_VERSION,
                "bias": round(self.bias, 4),
                "threshold": self.threshold,
                "trained_on": list(self.trained_on),
                "weights": {k: round(v, 3) for k, v in sorted(self.weights.items())},
            },
            ensure_ascii=False,
            indent=0,
        )

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> CrisisModel:
        """Restore a model, refusing one made with other features.

        Raises:
            ValueError: The data is not a model of this feature version.

        """
        if raw.get("feature_version") != FEATURE_VERSION:
            raise ValueError(f"feature_version must be {FEATURE_VERSION}")
        weights = raw.get("weights")
        if not isinstance(weights, dict) or not all(
            isinstance(v, int | float) for v in weights.values()
        ):
            raise ValueError("weights must map features to numbers")
        return cls(
            weights={str(k): float(v) for k, v in weights.items()},
            bias=float(raw["bias"]),
            threshold=float(raw["threshold"]),
            trained_on=tuple(str(n) for n in raw.get("trained_on", ())),
        )


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def train(
    examples: Iterable[tuple[str, bool]],
    threshold: float,
    trained_on: Sequence[str] = (),
    seed: int = 1,
) -> CrisisModel:
    """Fit the model by stochastic gradient descent (deterministic for a given seed).

    Args:
        examples: (message, is crisis) pairs.
        threshold: The log-odds above which a message counts as a crisis.
        trained_on: Names of the files the examples came from, kept in the model.
        seed: Seed of the shuffling between epochs.

    """
    rows = [(sorted(features(text)), 1.0 if label else 0.0) for text, label in examples]
    shuffle = random.Random(seed)
    weights: dict[str, float] = {}
    bias = 0.0
    for _ in range(_EPOCHS):
        shuffle.shuffle(rows)
        for found, label in rows:
            error = _sigmoid(bias + sum(weights.get(f, 0.0) for f in found)) - label
            bias -= _LEARNING_RATE * error
            for f in found:
                old = weights.get(f, 0.0)
                weights[f] = old - _LEARNING_RATE * (error + _L2 * old)
    kept = {f: w for f, w in weights.items() if abs(w) >= _PRUNE_BELOW}
    return CrisisModel(kept, bias, threshold, tuple(trained_on))


def load_model(path: Path) -> CrisisModel:
    """Read a model file.

    Raises:
        OSError: The file cannot be read.
        ValueError: The file is not a valid model.

    """
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError("a crisis model is a JSON object")
    return CrisisModel.from_json(raw)
