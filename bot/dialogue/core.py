"""The dialogue core: (state, event) → replies, new state and actions. Pure; no I/O."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from bot.config import Config
from bot.content.knowledge import KnowledgeBase
from bot.dialogue.callbacks import Press, decode
from bot.dialogue.model import (
    Event,
    EventKind,
    Outcome,
    OutcomeKind,
    RecordUnanswered,
    Reply,
    State,
    button,
)
from bot.dialogue.presses import Presses
from bot.dialogue.views import Views
from bot.flows.steps import FlowSteps
from bot.language.crisis import CrisisGuard
from bot.language.matcher import Matcher, Verdict, documents_from
from bot.language.normalize import clean_input, words
from bot.language.redact import redact
from bot.language.smalltalk import Smalltalk

PRIVACY_ENTRY = "datenschutz"
_FLOW_PRESSES = {Press.FLOW_START, Press.FLOW_OPTION, Press.FLOW_CONTROL}


class Dialogue:
    """Decides every reply of the bot; front ends only render and perform actions."""

    def __init__(
        self, kb: KnowledgeBase, config: Config, clock: Callable[[], date] = date.today
    ) -> None:
        """Build matcher, crisis guard, smalltalk and flows from the knowledge base.

        Args:
            kb: The validated knowledge base.
            config: Limits and matcher bands.
            clock: Today's date, for ages from birth dates and the year's figures.

        """
        self.kb = kb
        self.config = config
        self.texts = kb.texts
        normalizer = kb.normalizer()
        self.matcher = Matcher(documents_from(kb.entries.values()), normalizer, config.matcher)
        known = frozenset(w for e in kb.entries.values() for q in e.questions for w in words(q))
        self.crisis = CrisisGuard(kb.crisis, known_words=known)
        self.smalltalk = Smalltalk(kb.smalltalk)
        self.flows = FlowSteps(
            kb,
            clock,
            answer=lambda state, entry_id: self.views.answer(state, kb.entries[entry_id]),
            service_rows=lambda: self.views.service_rows(),
        )
        self.views = Views(
            kb, lambda entry_id: [self.flows.start_button(f) for f in self.flows.offers(entry_id)]
        )
        self.presses = Presses(kb, self.views, self.flows.menu)

    def handle(self, state: State, event: Event) -> Outcome:
        """Decide the bot's reaction to one event.

        Args:
            state: The parent's state before the event.
            event: What the parent did.

        Returns:
            Replies to send, the new state and the actions to perform.

        """
        outcome = self._handle(state, event)
        in_flow = outcome.state.flow is not None
        if in_flow and outcome.kind not in {OutcomeKind.FLOW, OutcomeKind.CRISIS}:
            resume = self.flows.resume_reply(outcome.state)
            if resume is not None:
                outcome = replace(outcome, replies=(*outcome.replies, resume))
        return outcome

    def _handle(self, state: State, event: Event) -> Outcome:
        t, views = self.texts, self.views
        match event.kind:
            case EventKind.START:
                return views.menu(State(), f"{t('welcome')}\n\n{t('privacy_note')}")
            case EventKind.HELP:
                return views.info(state, t("help"), views.service_rows())
            case EventKind.TOPICS:
                return views.menu(state)
            case EventKind.PRIVACY:
                return views.answer(state, self.kb.entries[PRIVACY_ENTRY])
            case EventKind.DELETE:
                yes = button(t("button_delete_yes"), Press.DELETE, "y")
                no = button(t("button_delete_no"), Press.DELETE, "n")
                return views.info(state, t("delete_confirm"), ((yes, no),))
            case EventKind.NON_TEXT:
                return views.info(state, t("non_text"), views.service_rows()[1:])
            case EventKind.BUTTON:
                return self.press(state, event.text)
            case EventKind.TEXT:
                return self.text(state, event.text)
        raise AssertionError(f"unhandled event kind {event.kind}")  # pragma: no cover

    def stale(self, state: State) -> Outcome:
        """React to a button that is stale, unknown or forged: say so and show the menu."""
        return self.views.stale(state)

    def press(self, state: State, data: str) -> Outcome:
        """React to a button press; anything not understood is treated as stale."""
        pressed = decode(data)
        if pressed is None:
            return self.stale(state)
        if pressed.press in _FLOW_PRESSES:
            outcome = self.flows.press(state, pressed)
        else:
            outcome = self.presses.handle(state, pressed)
        return outcome if outcome is not None else self.stale(state)

    def text(self, state: State, raw: str) -> Outcome:
        """Answer a free-text message: crisis guard, flow step, smalltalk, then the FAQ."""
        limit = self.config.max_message_chars
        text = clean_input(raw, limit)
        prefix: tuple[Reply, ...] = ()
        if len(raw.strip()) > limit:
            prefix = (Reply(self.texts("truncated_note", limit=limit)),)
        if text and self.crisis.check(text) is not None:
            data = self.kb.crisis
            reply = Reply(data.text, title=data.title, buttons=self.views.service_rows()[:1])
            return Outcome(OutcomeKind.CRISIS, (*prefix, reply), state)
        # Inside a flow an input step validates everything typed, even an empty message.
        outcome = (
            self.flows.text(state, text) or self._unmatched(state, text) or self._faq(state, text)
        )
        return replace(outcome, replies=(*prefix, *outcome.replies))

    def _unmatched(self, state: State, text: str) -> Outcome | None:
        """Answer text that is empty, has no words or is smalltalk; None for a real question."""
        rows = self.views.service_rows()[1:]
        if not text:
            return self.views.info(state, self.texts("empty_input"), rows)
        if not words(text):
            has_letters = any(unicodedata.category(ch).startswith("L") for ch in text)
            key = "other_language" if has_letters else "no_words"
            return replace(self.views.info(state, self.texts(key), rows), kind=OutcomeKind.FALLBACK)
        intent = self.smalltalk.match(text)
        if intent is not None:
            return Outcome(OutcomeKind.SMALLTALK, (Reply(intent.reply, buttons=rows),), state)
        return None

    def _faq(self, state: State, text: str) -> Outcome:
        """Match the FAQ: answer, ask „Meinten Sie…?", or fall back honestly."""
        ranked = self.matcher.rank(text, limit=max(self.config.matcher.max_candidates, 3))
        decision = self.matcher.decide_ranked(ranked)
        ids = tuple(c.id for c in decision.candidates)
        best = decision.best
        score = best.score if best else 0.0
        if decision.verdict is Verdict.ANSWER and best is not None:
            return self.views.answer(state, self.kb.entries[best.id], score, ids)
        if decision.verdict is Verdict.CLARIFY:
            rows = tuple((button(self.kb.entries[i].title, Press.ENTRY, i),) for i in ids)
            rows += ((button(self.texts("button_none"), Press.NONE_OF_THESE),),)
            reply = Reply(self.texts("clarify_intro"), buttons=rows)
            new_state = replace(state, pending_question=redact(text))
            return Outcome(OutcomeKind.CLARIFY, (reply,), new_state, score=score, candidates=ids)
        reply = Reply(self.texts("fallback"), buttons=self.views.service_rows())
        return Outcome(
            OutcomeKind.FALLBACK,
            (reply,),
            replace(state, pending_question=None),
            (RecordUnanswered(redact(text)),),
            score=score,
            candidates=ids,
        )

    def ask(self, text: str) -> Outcome:
        """Classify one question statelessly (for `elternlotse ask` and evaluation)."""
        return self.text(State(), text)
