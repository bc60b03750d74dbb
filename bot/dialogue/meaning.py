"""Decisions by meaning: the entries nearest to a message beside, or instead of, its words. Pure.

A question in another language is matched by meaning alone (its words are not German). A German
question is matched by its words; meaning only steps in where the words are unsure (issue 19,
item 4): when the entry nearest in meaning is also the words' best entry, two independent readings
agree, and the bot answers instead of asking „Meinten Sie …?" or giving up; when the words find
nothing usable, the entries near in meaning are offered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.config import EncoderConfig
from bot.language.matcher import Candidate, Decision, Verdict

# The entries nearest in meaning to a message, best first, as (entry id, cosine).
Nearest = Sequence[tuple[str, float]]


@dataclass(frozen=True)
class Meaning:
    """What the encoder made of a message: the nearest entries, and whether it is not German."""

    nearest: Nearest
    foreign: bool


def by_meaning(nearest: Nearest, bands: EncoderConfig, most: int) -> Decision | None:
    """Decide a question in another language by the entries nearest in meaning alone.

    Args:
        nearest: The nearest entries the knowledge base has, best first (the dialogue drops
            ids an older index may still name).
        bands: The cosine bands (`encoder:` in the config).
        most: How many entries a „Meinten Sie …?" offers at most.

    Returns:
        Answer when the best entry is near and clearly ahead of the second; clarify with the
        near ones when it is close; None when none is near enough (the words decide).

    """
    near = list(nearest)
    if not near or near[0][1] < bands.clarify_cosine:
        return None
    cosine = near[0][1]
    lead = cosine - near[1][1] if len(near) > 1 else 1.0
    if cosine >= bands.answer_cosine and lead >= bands.clear_lead:
        return Decision(Verdict.ANSWER, _candidates(near))
    close = [(i, c) for i, c in near if c >= bands.clarify_cosine]
    return Decision(Verdict.CLARIFY, _candidates(close[:most]))


def helped(decision: Decision, nearest: Nearest, bands: EncoderConfig, most: int) -> Decision:
    """Return the words' decision on a German question, helped by meaning where it is unsure.

    Args:
        decision: What the words decided.
        nearest: The entries nearest in meaning, best first.
        bands: `agree_cosine`, `agree_score` and `offer_cosine`.
        most: How many entries a „Meinten Sie …?" offers at most.

    Returns:
        The words' decision when meaning adds nothing; an answer with alternatives when words and
        meaning agree on the best entry; a „Meinten Sie …?" with the entries nearest in meaning
        (and the words' best) for a fallback near enough in meaning; a „Meinten Sie …?" between
        the words' best and meaning's best for a narrow answer that meaning clearly doubts.

    """
    if not nearest:
        return decision
    words = decision.candidates
    best_id, cosine = nearest[0]
    if decision.verdict in (Verdict.ANSWER, Verdict.ANSWER_WITH_ALTERNATIVES):
        return _doubted(decision, best_id, cosine, bands)
    if (
        words
        and words[0].id == best_id
        and words[0].score >= bands.agree_score
        and cosine >= bands.agree_cosine
    ):
        return Decision(Verdict.ANSWER_WITH_ALTERNATIVES, words)
    if decision.verdict is Verdict.FALLBACK and cosine >= bands.offer_cosine:
        ids = [best_id, *(c.id for c in words[:2]), *(i for i, _ in nearest[1:])]
        unique = list(dict.fromkeys(ids))[:most]
        scores = {c.id: c.score for c in words} | {i: round(c * 100, 1) for i, c in nearest}
        return Decision(Verdict.CLARIFY, tuple(Candidate(i, scores[i]) for i in unique))
    return decision


def _doubted(decision: Decision, best_id: str, cosine: float, bands: EncoderConfig) -> Decision:
    """Return a narrow answer of the words as a choice when meaning clearly prefers a runner-up.

    Only a runner-up among the words' first three: meaning alone is no better than the words
    in German, but where the two readings disagree and the words were not sure, asking costs
    one tap and a wrong answer costs trust.
    """
    words = decision.candidates
    runners_up = {c.id: c for c in words[1:3]}
    if words[0].score >= bands.doubt_below or cosine < bands.doubt_cosine:
        return decision
    if best_id not in runners_up:
        return decision
    return Decision(Verdict.CLARIFY, (words[0], runners_up[best_id]))


def _candidates(near: Sequence[tuple[str, float]]) -> tuple[Candidate, ...]:
    """Return the nearest entries as candidates scored 0–100 (cosine × 100)."""
    return tuple(Candidate(i, round(cosine * 100, 1)) for i, cosine in near)
