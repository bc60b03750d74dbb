"""Quality floors on the labelled sets, and rules for the sets themselves."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.dialogue import Dialogue
from bot.evaluation import Labelled, Report, core_predictor, load_labelled, score
from bot.knowledge import KnowledgeBase

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def labelled() -> list[Labelled]:
    return load_labelled(DATA / "eval.yaml")


@pytest.fixture(scope="module")
def report(dialogue: Dialogue, labelled: list[Labelled]) -> Report:
    return score(labelled, core_predictor(dialogue))


def test_eval_set_has_the_required_shape(kb: KnowledgeBase, labelled: list[Labelled]) -> None:
    assert len(labelled) >= 250
    counts = Counter(q.expect for q in labelled)
    for entry_id in kb.entries:
        assert counts[entry_id] >= 4, entry_id
    assert set(counts) <= set(kb.entries) | {"fallback", "crisis", "smalltalk"}
    assert sum("typo" in q.tags for q in labelled) >= 25
    assert sum("long" in q.tags for q in labelled) >= 15
    assert counts["fallback"] >= 30
    assert counts["crisis"] >= 20
    assert counts["smalltalk"] >= 8


def test_eval_questions_are_not_copies_of_phrasings(
    kb: KnowledgeBase, labelled: list[Labelled]
) -> None:
    normalizer = kb.normalizer()
    phrasings = {
        tuple(sorted(normalizer.stems(q)))
        for e in kb.entries.values()
        for q in (*e.questions, e.title)
    }
    copies = [q.text for q in labelled if tuple(sorted(normalizer.stems(q.text))) in phrasings]
    assert copies == []


def test_floors_hold(report: Report) -> None:
    topic = report.bucket("topic")
    assert topic.rate(topic.top1) >= 0.92
    assert topic.rate(topic.confident_wrong) <= 0.04
    crisis = report.bucket("crisis")
    assert crisis.rate(crisis.hits) == 1.0
    out = report.bucket("out_of_scope")
    assert out.rate(out.hits) <= 0.05
    small = report.bucket("smalltalk")
    assert small.rate(small.hits) >= 0.9
