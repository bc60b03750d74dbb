"""Score the dialogue core on a labelled question file, beside a naive fuzzy baseline."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from bot.content.knowledge import KnowledgeBase
from bot.dialogue.core import Dialogue
from bot.dialogue.model import OutcomeKind

SPECIAL = {"fallback", "crisis", "smalltalk"}
ANSWERING = {OutcomeKind.ANSWER, OutcomeKind.FLOW, OutcomeKind.HANDOFF}


@dataclass(frozen=True)
class Labelled:
    """One labelled question."""

    text: str
    expect: str
    tags: tuple[str, ...] = ()

    @property
    def buckets(self) -> tuple[str, ...]:
        """Return the buckets this question is counted in."""
        if self.expect in {"fallback", "noquestion"}:
            return ("out_of_scope",)
        if self.expect in {"crisis", "smalltalk"}:
            return (self.expect,)
        return ("topic", *self.tags)


@dataclass(frozen=True)
class Prediction:
    """What a system did with one question: its kind and its ranked entry ids."""

    kind: str
    ranked: tuple[str, ...]


@dataclass
class Bucket:
    """Counts for one bucket."""

    n: int = 0
    top1: int = 0
    top3: int = 0
    answered: int = 0
    confident_wrong: int = 0
    answered_right: int = 0
    clarified: int = 0
    needless_clarify: int = 0  # a „Meinten Sie…?" whose first candidate was right
    hits: int = 0  # crisis recalled / smalltalk recognised / out-of-scope answered

    def rate(self, value: int) -> float:
        """Return value / n (0 when empty)."""
        return value / self.n if self.n else 0.0


@dataclass
class Report:
    """Per-bucket counts plus the questions that went wrong."""

    buckets: dict[str, Bucket] = field(default_factory=dict)
    misses: list[tuple[Labelled, Prediction]] = field(default_factory=list)
    false_crisis: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)

    def bucket(self, name: str) -> Bucket:
        """Return the bucket `name`, creating it empty."""
        return self.buckets.setdefault(name, Bucket())


def load_labelled(path: Path) -> list[Labelled]:
    """Read a labelled question file (`questions: [{text, expect, tags?}]`)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Labelled(str(q["text"]), str(q["expect"]), tuple(q.get("tags", ())))
        for q in raw["questions"]
    ]


def score(questions: Iterable[Labelled], predict: Callable[[str], Prediction]) -> Report:
    """Run `predict` over the questions and count per bucket."""
    report = Report()
    for question in questions:
        prediction = predict(question.text)
        if prediction.kind == "crisis" and question.expect != "crisis":
            report.false_crisis += 1
        missed = False
        for name in question.buckets:
            bucket = report.bucket(name)
            bucket.n += 1
            if name == "out_of_scope":
                answered = prediction.kind in {k.value for k in ANSWERING}
                bucket.hits += answered
                bucket.clarified += prediction.kind == OutcomeKind.CLARIFY.value
                missed = answered
            elif name in {"crisis", "smalltalk"}:
                hit = prediction.kind == name
                bucket.hits += hit
                missed = not hit
            else:
                ranked = prediction.ranked if prediction.kind != "crisis" else ()
                top1 = bool(ranked) and ranked[0] == question.expect
                bucket.top1 += top1
                bucket.top3 += question.expect in ranked[:3]
                if prediction.kind in {k.value for k in ANSWERING}:
                    bucket.answered += 1
                    bucket.confident_wrong += not top1
                    bucket.answered_right += top1
                if prediction.kind == OutcomeKind.CLARIFY.value:
                    bucket.clarified += 1
                    bucket.needless_clarify += top1
                if ranked and not top1 and name == "topic":
                    report.confusions[question.expect, ranked[0]] += 1
                missed = not top1
        if missed:
            report.misses.append((question, prediction))
    return report


def core_predictor(dialogue: Dialogue) -> Callable[[str], Prediction]:
    """Return a predictor backed by the real dialogue core."""

    def predict(text: str) -> Prediction:
        outcome = dialogue.ask(text)
        return Prediction(outcome.kind.value, outcome.candidates)

    return predict


def baseline_predictor(kb: KnowledgeBase) -> Callable[[str], Prediction]:
    """Return the naive baseline: rapidfuzz WRatio over all phrasings, always answering."""
    phrasings: list[str] = []
    owners: list[str] = []
    for entry in kb.entries.values():
        for question in entry.questions:
            phrasings.append(question)
            owners.append(entry.id)

    def predict(text: str) -> Prediction:
        found = process.extract(text, phrasings, scorer=fuzz.WRatio, limit=30)
        ranked = tuple(dict.fromkeys(owners[index] for _, _, index in found))
        return Prediction("answer", ranked[:3])

    return predict


ROWS: Sequence[tuple[str, str]] = (
    ("topic", "topic questions"),
    ("typo", "  with typos / no umlauts"),
    ("long", "  long messages"),
    ("out_of_scope", "out of scope"),
    ("crisis", "crisis"),
    ("smalltalk", "smalltalk"),
)


def _topic_line(label: str, c: Bucket, b: Bucket) -> str:
    return (
        f"{label:28} {c.n:>4}  {c.rate(c.top1):5.3f}/{b.rate(b.top1):5.3f}  "
        f"{c.rate(c.top3):5.3f}/{b.rate(b.top3):5.3f}  "
        f"{c.rate(c.confident_wrong):5.3f}/{b.rate(b.confident_wrong):5.3f}  "
        f"{c.rate(c.answered_right):5.3f}  {c.rate(c.needless_clarify):5.3f}"
    )


def format_report(core: Report, baseline: Report) -> str:
    """Render both reports side by side as a plain-text table, then the top confusions."""
    lines = [
        f"{'bucket':28} {'n':>4}  {'top-1':>11}  {'top-3':>11}  {'conf-wrong':>11}  "
        f"{'ans-right':>9}  {'needless-clar':>13}",
        f"{'':28} {'':>4}  {'bot / base':>11}  {'bot / base':>11}  {'bot / base':>11}",
    ]
    metrics = {"out_of_scope": "answered", "crisis": "recall", "smalltalk": "recognised"}
    for name, label in ROWS:
        c, b = core.bucket(name), baseline.bucket(name)
        if name in {"topic", "typo", "long"}:
            lines.append(_topic_line(label, c, b))
        else:
            lines.append(
                f"{label:28} {c.n:>4}  {'':11}  {'':11}  {'':11}  "
                f"{metrics[name]} {c.rate(c.hits):5.3f}/{b.rate(b.hits):5.3f}"
            )
    out = core.bucket("out_of_scope")
    lines.append(f"out of scope clarified (a fallback in disguise): {out.rate(out.clarified):5.3f}")
    lines.append(f"crisis false alarms on non-crisis questions: {core.false_crisis}")
    if core.confusions:
        lines.append("most confused topic pairs (expected → ranked first):")
        for (want, got), count in core.confusions.most_common(8):
            lines.append(f"  {count:3}  {want} → {got}")
    return "\n".join(lines)
