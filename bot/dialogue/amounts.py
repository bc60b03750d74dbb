"""Direct amount questions, computed by the flows' calculators: no second table of figures.

„Wie viel Kindergeld für 3 Kinder?", „Mehrbedarf mit Kindern 2, 9 und 15",
„Unterhaltsvorschuss für eine 13-Jährige" get the amount for that family, with its legal basis
and the „Stand" of the yearly figures.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from bot.content.knowledge import Facet, KnowledgeBase
from bot.dialogue.model import Outcome, State
from bot.dialogue.views import Views
from bot.flows.children import Problem, Reading, read_children
from bot.flows.engine import FlowEngine
from bot.flows.placeholders import PLACEHOLDERS
from bot.language.matcher import Matcher
from bot.language.normalize import loose, words

# Numbers that are not ages: years („2026"), money („1.400 netto", „300 €").
_NOT_AGES = re.compile(
    r"\b\d{1,3}(?:\.\d{3})+\b|\b\d{3,}\b|\b\d+\s*(?:€|euro|eur|netto|brutto)\b", re.IGNORECASE
)
# A message this short that names children and a topic with a calculator wants the amount.
SHORT_WORDS = 10
_AGE_HINT = re.compile(r"(\d{1,2})\s*-?\s*jährig\w*|(\d{1,2})\s*-?\s*jahrig\w*", re.IGNORECASE)


class Amounts:
    """Answers „how much" questions about entries that have a calculator."""

    def __init__(
        self,
        kb: KnowledgeBase,
        views: Views,
        matcher: Matcher,
        engine: FlowEngine,
        clock: Callable[[], date],
    ) -> None:
        """Keep what an amount answer is computed and rendered with."""
        self._kb = kb
        self._views = views
        self._matcher = matcher
        self._engine = engine
        self._clock = clock
        self._asks_amount = kb.followups.facets.get(Facet.AMOUNT)

    def _amount_family(self, text: str) -> Reading | None:
        """Return the family of an amount question, or None when the text is no amount question.

        An amount question asks how much, or names a family in a few words: „Mehrbedarf mit
        Kindern 2, 9 und 15" asks for the amount without saying „wie viel". The children are
        read only where they decide it or are needed: reading them costs the most here.
        """
        if self._asks_how_much(text):
            return self._family(text)
        if len(words(text)) > SHORT_WORDS:
            return None
        family = self._family(text)
        return family if family.children else None

    def _asks_how_much(self, text: str) -> bool:
        """Tell whether the text asks how much (the amount facet's patterns)."""
        if self._asks_amount is None:
            return False
        folded = loose(" ".join(words(text)))
        return any(p.search(folded) for p in self._asks_amount.patterns)

    def _family(self, text: str) -> Reading:
        cleaned = _AGE_HINT.sub(lambda m: f" {m.group(1) or m.group(2)} Jahre ", text)
        return read_children(_NOT_AGES.sub(" ", cleaned), self._clock())

    def answer(self, state: State, text: str) -> Outcome | None:
        """Answer with the computed amount, or None when this is no amount question for a family."""
        family = self._amount_family(text)
        if family is None:
            return None
        ranked = self._matcher.rank_message(text, limit=1)
        floor = self._matcher.config.clarify_score
        if not ranked or ranked[0].id not in self._kb.amounts or ranked[0].score < floor:
            return None
        entry = self._kb.entries[ranked[0].id]
        calculator = self._kb.amounts[entry.id]
        answers: dict[str, Any]
        if family.problem is None:
            answers = {
                "alter": family.years,
                "alter_monate": [c.months for c in family.children],
            }
        elif calculator.count_is_enough and family.problem is Problem.NO_AGES and family.count:
            answers = {"alter": [0] * family.count}  # the amount does not depend on the ages
        else:
            return None
        params = self._engine.parameters(self._clock())
        amount = PLACEHOLDERS[calculator.placeholder].render(params, answers, self._kb.texts)
        return self._views.about_entry(
            state,
            entry,
            text=f"{amount}\n\n{self._kb.texts('amount_note')}",
            title=entry.title,
            footer=self._views.footer(entry, stand=params.stand),
            score=ranked[0].score,
        )
