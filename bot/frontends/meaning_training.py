"""Training the crisis guard's meaning signal at build time (`elternlotse train-meaning`).

The labelled tuning sets are encoded once (the vectors are cached, keyed by the texts and the
encoder's model id), the threshold is chosen on cross-validated scores so that at most
`MAX_LOOKALIKE_ALARMS` of the look-alikes would raise an alarm, and the model fitted on all
examples is written to `knowledge/crisis_meaning.json`. The held-out sets (crisis_d, matcher_b,
blind19_*) are never read here.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from bot.content.cache import cache_dir
from bot.language.crisis import CrisisGuard
from bot.language.crisis_data import CrisisLevel
from bot.language.crisis_meaning import MeaningModel, Neighbours, fit
from bot.language.encoding import SentenceEncoder

if TYPE_CHECKING:
    from bot.language.encoding import Vectors

# Sets of crisis messages and look-alikes: their non-crisis messages are the look-alikes.
CRISIS_SETS = (
    "crisis_a.yaml",
    "crisis_b.yaml",
    "crisis_c.yaml",
    "crisis_e_tuning.yaml",
    "crisis_f_languages_tuning.yaml",
    "crisis_g_tuning.yaml",
    "crisis_h_short_tuning.yaml",
    "eval_crisis.yaml",
)
# Everyday questions (German and other languages): every one must get the normal answer.
EVERYDAY_SETS = (
    "eval.yaml",
    "eval_holdout.yaml",
    "matcher_a.yaml",
    "matcher_c_tuning.yaml",
    "languages_tuning.yaml",
)
# The goal is ≤ 3 % false alarms on look-alikes; 2.5 % on the tuning data leaves room.
MAX_LOOKALIKE_ALARMS = 0.025
MAX_EVERYDAY_ALARMS = 0.01
FOLDS = 5
# The neighbours' weight in the log-odds: cross-validated on the tuning sets (issue 19), 320 let
# recall in other languages rise from 0.62 (the regression alone) to 0.87–0.91 at 3 % false alarms;
# 20–160 lay between.
NEIGHBOUR_WEIGHT = 320.0
_BATCH = 64


class Kind(Enum):
    """What a training message is."""

    CRISIS = "crisis"
    LOOKALIKE = "lookalike"  # a non-crisis message of a crisis set (concern included)
    EVERYDAY = "everyday"


@dataclass(frozen=True)
class Example:
    """One labelled message, the file it came from and whether it is in German."""

    text: str
    kind: Kind
    source: str
    german: bool = True

    @property
    def crisis(self) -> bool:
        """Tell whether the message is a crisis."""
        return self.kind is Kind.CRISIS


def load_examples(
    directory: Path,
    names: Sequence[str] | None = None,
    german: Callable[[str], bool] = lambda _: True,
) -> list[Example]:
    """Read the training messages of the tuning sets in `directory` (all of them by default).

    `german` tells whether a message is in German (the bot's language detection decides, as
    at run time: the signal's threshold depends on it).
    """
    examples = []
    for name in names or (*CRISIS_SETS, *EVERYDAY_SETS):
        raw = yaml.safe_load((directory / name).read_text(encoding="utf-8"))
        for q in raw["questions"]:
            if q.get("expect") == "crisis":
                kind = Kind.CRISIS
            else:
                kind = Kind.LOOKALIKE if name in CRISIS_SETS else Kind.EVERYDAY
            text = str(q["text"])
            examples.append(Example(text, kind, name, german(text)))
    return examples


def data_key(examples: Sequence[Example], model_id: str) -> str:
    """Return the hash of the training texts and labels for one encoder model.

    The languages are not hashed: the detector derives them from the texts.
    """
    digest = hashlib.sha256(f"{model_id}\0".encode())
    for example in examples:
        digest.update(f"{example.kind.value}\0{example.text}\0".encode())
    return digest.hexdigest()


def encode_cached(
    texts: Sequence[str], encoder: SentenceEncoder, directory: Path | None = None
) -> Vectors:
    """Encode `texts`, reusing the vectors cached for exactly these texts and this model."""
    import numpy as np

    digest = hashlib.sha256(encoder.model_id.encode())
    for text in texts:
        digest.update(text.encode() + b"\0")
    path = (directory or cache_dir()) / f"meaning-training-{digest.hexdigest()[:24]}.npy"
    if path.exists():
        cached: Vectors = np.load(path, allow_pickle=False)
        if cached.shape[0] == len(texts):
            return cached
    parts = [encoder.encode(texts[i : i + _BATCH]) for i in range(0, len(texts), _BATCH)]
    vectors: Vectors = np.concatenate(parts).astype(np.float32)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    np.save(path, vectors, allow_pickle=False)
    return vectors


def out_of_fold_scores(vectors: Vectors, examples: Sequence[Example]) -> list[float]:
    """Return each example's score from a model fitted without its fold (deterministic folds).

    The score is the regression's log-odds plus the neighbours' term, both without the fold.
    """
    import numpy as np

    labels = [e.crisis for e in examples]
    # Every FOLDS-th example of each kind per fold: each fold holds every kind and file.
    fold = np.zeros(len(examples), dtype=int)
    seen: dict[tuple[Kind, str], int] = {}
    for i, example in enumerate(examples):
        key = (example.kind, example.source)
        fold[i] = seen.get(key, 0) % FOLDS
        seen[key] = seen.get(key, 0) + 1
    scores = np.zeros(len(examples))
    for k in range(FOLDS):
        train = fold != k
        chosen = [label for label, used in zip(labels, train, strict=True) if used]
        weights, bias = fit(vectors[train], chosen)
        scores[~train] = vectors[~train] @ np.asarray(weights) + bias
        crisis = np.asarray(labels) & train
        neighbours = Neighbours(vectors[crisis], vectors[train & ~crisis], NEIGHBOUR_WEIGHT)
        for row in np.flatnonzero(~train):
            scores[row] += neighbours.score(vectors[row])
    return [float(s) for s in scores]


def choose_threshold(
    scores: Sequence[float], examples: Sequence[Example], german: bool = True
) -> float:
    """Return the lowest threshold (0.1 steps) within the false-alarm budgets.

    Args:
        scores: Each example's cross-validated score.
        examples: The examples.
        german: Choose on the German examples (True) or on those in other languages.

    """
    pairs = [(s, e) for s, e in zip(scores, examples, strict=True) if e.german is german]
    lookalikes = [s for s, e in pairs if e.kind is Kind.LOOKALIKE]
    everyday = [s for s, e in pairs if e.kind is Kind.EVERYDAY]
    threshold = math.floor(min(scores) * 10) / 10
    while rate(lookalikes, threshold) > MAX_LOOKALIKE_ALARMS or (
        rate(everyday, threshold) > MAX_EVERYDAY_ALARMS
    ):
        threshold = round(threshold + 0.1, 1)
    return threshold


def rate(scores: Sequence[float], threshold: float) -> float:
    """Return the share of scores above `threshold` (0 for none)."""
    return sum(s > threshold for s in scores) / len(scores) if scores else 0.0


def train_meaning(
    examples: Sequence[Example], encoder: SentenceEncoder, directory: Path | None = None
) -> tuple[MeaningModel, list[float]]:
    """Encode, cross-validate, choose the threshold and fit the shipped model.

    Returns:
        The model and each example's cross-validated score (for the report).

    """
    vectors = encode_cached([e.text for e in examples], encoder, directory)
    scores = out_of_fold_scores(vectors, examples)
    import numpy as np

    german, other = choose_threshold(scores, examples), choose_threshold(scores, examples, False)
    labels = [e.crisis for e in examples]
    weights, bias = fit(vectors, labels)
    sources = tuple(dict.fromkeys(e.source for e in examples))
    key = data_key(examples, encoder.model_id)
    crisis = np.asarray(labels)
    # Stored as float16: the examples' vectors are then read exactly as the bot will read them.
    kept = vectors.astype(np.float16).astype(np.float32)
    neighbours = Neighbours(kept[crisis], kept[~crisis], NEIGHBOUR_WEIGHT)
    model = MeaningModel(
        encoder.model_id, tuple(weights), bias, german, other, key, sources, neighbours
    )
    return model, scores


def report_lines(
    examples: Sequence[Example], scores: Sequence[float], model: MeaningModel, guard: CrisisGuard
) -> list[str]:
    """Return a table per file, kind and language: alarms of the guard alone, and with meaning.

    The guard's figures are its shipped verdicts (its word model was trained on some of these
    sets); the signal's are cross-validated (each message scored by a model fitted without it).
    """
    rows: dict[tuple[str, Kind, str], list[tuple[bool, bool]]] = {}
    for example, score in zip(examples, scores, strict=True):
        guarded = guard.assess(example.text).level is CrisisLevel.CRISIS
        threshold = model.threshold if example.german else model.threshold_other
        language = "de" if example.german else "other"
        key = (example.source, example.kind, language)
        rows.setdefault(key, []).append((guarded, score > threshold))
    lines = [
        f"thresholds: German {model.threshold}, other languages {model.threshold_other} "
        f"(cross-validated, {FOLDS} folds)",
        f"{'file':32} {'kind':10} {'lang':5} {'n':>4} {'guard':>6} {'+meaning':>9} {'meaning':>8}",
    ]
    for (source, kind, language), marks in rows.items():
        before = sum(g for g, _ in marks)
        after = sum(g or m for g, m in marks)
        alone = sum(m for _, m in marks)
        counts = f"{len(marks):4} {before:6} {after:9} {alone:8}"
        lines.append(f"{source:32} {kind.value:10} {language:5} {counts}")
    return lines
