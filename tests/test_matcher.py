from __future__ import annotations

import pytest

from bot.config import MatcherConfig
from bot.dialogue.core import Dialogue
from bot.language.matcher import Candidate, Document, Matcher, Verdict
from bot.language.normalize import Normalizer


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kindergelt", "kindergeld"),
        ("beistandschaft", "beistandschaft"),
        ("unterhaltsvorschuss", "unterhaltsvorschuss"),
        ("UVG", "unterhaltsvorschuss"),
        ("stkl 2", "steuer-entlastungsbetrag"),
        ("mein ex zahlt seit monaten nix mehr was tun", "unterhalt-bleibt-aus"),
        ("sorgerecht", "sorgerecht"),
        ("kita platz", "kita-platz"),
        ("wieviel kindergeld 2026", "kindergeld"),
        ("umgangsrecht", "umgangsrecht"),
    ],
)
def test_short_and_colloquial_queries_rank_the_right_entry_first(
    dialogue: Dialogue, query: str, expected: str
) -> None:
    ranked = dialogue.matcher.rank(query)
    assert ranked[0].id == expected


@pytest.mark.parametrize(
    "query",
    [
        "Wie wird das Wetter morgen?",
        "Rezept für Lasagne",
        "Welches Auto soll ich kaufen?",
        "Hundesteuer",
        "Steuererklärung GmbH",
        "Reifenwechsel Winterreifen",
        "Bundesliga Ergebnisse",
    ],
)
def test_out_of_scope_questions_are_not_answered(dialogue: Dialogue, query: str) -> None:
    assert dialogue.matcher.decide(query).verdict is not Verdict.ANSWER


def test_scores_are_between_0_and_100(dialogue: Dialogue) -> None:
    for query in ("kindergeld", "xyz", "unterhalt kindergeld sorgerecht umgang wohngeld"):
        for candidate in dialogue.matcher.rank(query, limit=50):
            assert 0 < candidate.score <= 100


def _tiny() -> Matcher:
    docs = [
        Document(
            "apfel", "Äpfel", ["Wie lagere ich Äpfel?", "Äpfel im Keller lagern", "apfelsorten"]
        ),
        Document(
            "birne", "Birnen", ["Wie lagere ich Birnen?", "Birnen reifen lassen", "birnensorten"]
        ),
    ]
    return Matcher(docs, Normalizer({}, ["wie", "ich", "im"]), MatcherConfig())


def test_decision_bands() -> None:
    matcher = _tiny()
    config = MatcherConfig()
    assert matcher.decide("Äpfel im Keller lagern").verdict is Verdict.ANSWER
    assert matcher.decide("Fahrrad reparieren").verdict is Verdict.FALLBACK
    close = [Candidate("apfel", config.answer_score + 1), Candidate("birne", config.answer_score)]
    assert matcher.decide_ranked(close).verdict is Verdict.CLARIFY
    middling = [Candidate("apfel", (config.answer_score + config.clarify_score) / 2)]
    assert matcher.decide_ranked(middling).verdict is Verdict.ANSWER_WITH_ALTERNATIVES
    neck_and_neck = [Candidate("apfel", 55.0), Candidate("birne", 52.0)]
    assert matcher.decide_ranked(neck_and_neck).verdict is Verdict.CLARIFY
    mostly_unknown = [Candidate("apfel", config.unsure_below - 1)]
    assert matcher.decide_ranked(mostly_unknown, known_share=0.2).verdict is Verdict.FALLBACK
    assert matcher.decide_ranked(mostly_unknown, known_share=0.9).verdict is not Verdict.FALLBACK
    assert (
        matcher.decide_ranked([Candidate("apfel", config.clarify_score - 1)]).verdict
        is Verdict.FALLBACK
    )


def test_clarify_offers_at_most_the_configured_number_of_candidates() -> None:
    config = MatcherConfig(max_candidates=2)
    matcher = Matcher([], Normalizer({}, []), config)
    ranked = [Candidate(str(i), 55.0 - i) for i in range(5)]
    decision = matcher.decide_ranked(ranked)
    assert decision.verdict is Verdict.CLARIFY
    assert len(decision.candidates) == 2


def test_empty_index_and_empty_query() -> None:
    matcher = Matcher([], Normalizer({}, []), MatcherConfig())
    assert matcher.rank("kindergeld") == []
    assert _tiny().rank("") == []
