"""Follow-up questions in context: „Wo stelle ich den Antrag?" right after the Kindergeld answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.content.knowledge import Facet, FollowupRules, KnowledgeBase
from bot.dialogue.model import Outcome, OutcomeKind, Reply, State
from bot.dialogue.views import Views
from bot.language.matcher import Matcher, Verdict
from bot.language.normalize import loose, words

# Without context, a facet question the FAQ matches this surely is a question of its own.
CLEAR_ON_ITS_OWN = 90.0


class Followups:
    """Recognises short follow-up questions and answers them from the last answered entry."""

    def __init__(
        self, kb: KnowledgeBase, views: Views, matcher: Matcher, now: Callable[[], datetime]
    ) -> None:
        """Keep what the follow-up answers are built from.

        Args:
            kb: The knowledge base (entries with `followups`, the facet rules).
            views: Builds the replies.
            matcher: Tells whether a question names a topic of its own.
            now: The current time (old context is not used).

        """
        self._kb = kb
        self._rules: FollowupRules = kb.followups
        self._views = views
        self._matcher = matcher
        self._now = now

    def facet(self, text: str) -> tuple[Facet, str] | None:
        """Return the facet a short question asks about and the text without the facet words."""
        tokens = words(text)
        if not tokens or len(tokens) > self._rules.max_words:
            return None
        folded = loose(" ".join(tokens))
        generic = self._rules.generic
        for facet, rule in self._rules.facets.items():
            if any(pattern.search(folded) for pattern in rule.patterns):
                # Keep the words as typed: "UVG" is an abbreviation only in capitals.
                rest = [w for w in text.split() if loose(" ".join(words(w))) not in generic]
                return facet, " ".join(rest)
        return None

    def _names_a_topic(self, rest: str) -> bool:
        """Tell whether what is left besides the facet words points to an entry by itself."""
        if not rest:
            return False
        ranked = self._matcher.rank(rest, limit=1)
        return bool(ranked) and ranked[0].score >= self._matcher.config.clarify_score

    def answer(self, state: State, text: str) -> Outcome | None:
        """Answer a follow-up from the context, ask which topic is meant, or return None."""
        found = self.facet(text)
        if found is None:
            return None
        facet, rest = found
        if self._names_a_topic(rest):
            return None  # „Wie viel Kindergeld?" is a question of its own
        entry = self._kb.entries.get(state.last_entry or "")
        fresh = state.last_at is not None and self._now() - state.last_at <= timedelta(
            minutes=self._rules.max_age_minutes
        )
        if entry is None or not fresh:
            decision = self._matcher.decide(text)
            best = decision.best
            if decision.verdict is Verdict.ANSWER and best and best.score >= CLEAR_ON_ITS_OWN:
                return None  # „Welches Amt ist zuständig?" names its topic after all
            reply = Reply(self._views.texts("followup_context"), buttons=self._views.menu_rows())
            return Outcome(OutcomeKind.CLARIFY, (reply,), state)
        text_for_facet = entry.followups.get(facet)
        if text_for_facet is None:
            outcome = self._views.answer(state, entry)
            note = Reply(self._views.texts("followup_missing", title=entry.title))
            return Outcome(
                outcome.kind,
                (note, *outcome.replies),
                outcome.state,
                entry_id=entry.id,
                score=100.0,
                candidates=(entry.id,),
            )
        label = self._rules.facets[facet].label
        return self._views.about_entry(
            state,
            entry,
            text=self._views.fill(text_for_facet),
            title=f"{entry.title}: {label}",
            footer=self._views.footer(entry),
            score=100.0,
        )
