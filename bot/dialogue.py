"""The dialogue core: (state, event) → replies, new state and actions. Pure; no I/O."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date

from bot.callbacks import Press, Reason, decode
from bot.config import Config
from bot.crisis import CrisisGuard
from bot.flowsteps import FlowSteps
from bot.knowledge import Entry, EntryKind, KnowledgeBase
from bot.matcher import Matcher, Verdict, documents_from
from bot.model import (
    STATE_VERSION,
    Action,
    ActionKind,
    Button,
    Event,
    EventKind,
    Outcome,
    OutcomeKind,
    Reply,
    State,
    button,
)
from bot.normalize import clean_input, words
from bot.redact import redact
from bot.smalltalk import Smalltalk

__all__ = [
    "STATE_VERSION",
    "Action",
    "ActionKind",
    "Button",
    "Dialogue",
    "Event",
    "EventKind",
    "Outcome",
    "OutcomeKind",
    "Reply",
    "State",
]


_ENTRY_OUTCOME = {
    EntryKind.ANSWER: OutcomeKind.ANSWER,
    EntryKind.FLOW: OutcomeKind.FLOW,
    EntryKind.HANDOFF: OutcomeKind.HANDOFF,
}
HANDOFF_ENTRY = "beratung-kontakt"
PRIVACY_ENTRY = "datenschutz"


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
            answer=lambda state, entry_id: self._answer(state, kb.entries[entry_id]),
            service_rows=self._service_rows,
        )

    # -- buttons ---------------------------------------------------------------------------
    def _menu_rows(self) -> tuple[tuple[Button, ...], ...]:
        rows = tuple((button(c.label, Press.CATEGORY, c.id),) for c in self.kb.categories)
        if self.kb.flows:
            rows += ((button(self.texts("button_flows"), Press.FLOWS),),)
        return rows

    def _service_rows(self) -> tuple[tuple[Button, ...], ...]:
        return (
            (button(self.texts("button_handoff"), Press.HANDOFF),),
            (button(self.texts("button_topics"), Press.MENU),),
        )

    # -- replies ---------------------------------------------------------------------------
    def answer_reply(self, entry: Entry) -> Reply:
        """Render an entry as a reply with related topics, feedback and counsellor buttons."""
        t = self.texts
        footer = []
        if entry.legal_basis:
            footer.append(f"{t('label_legal')}: {', '.join(entry.legal_basis)}")
        sources = "; ".join(f"{s.title} – {s.url}" for s in entry.sources)
        footer.append(f"{t('label_sources')}: {sources}")
        footer.append(f"{t('label_reviewed')}: {entry.reviewed:%d.%m.%Y}")
        related = tuple(
            (button(self.kb.entries[r].title, Press.ENTRY, r),) for r in entry.related[:3]
        )
        feedback = (
            button(t("button_helpful"), Press.FEEDBACK, entry.id, "+"),
            button(t("button_not_helpful"), Press.FEEDBACK, entry.id, "-"),
        )
        flows = tuple((self.flows.start_button(f),) for f in self.flows.offers(entry.id))
        return Reply(
            text=entry.answer,
            title=entry.title,
            footer="\n".join(footer),
            buttons=(*flows, *related, feedback, *self._service_rows()),
        )

    def _answer(
        self, state: State, entry: Entry, score: float = 100.0, cands: Sequence[str] = ()
    ) -> Outcome:
        return Outcome(
            kind=_ENTRY_OUTCOME[entry.kind],
            replies=(self.answer_reply(entry),),
            state=replace(state, last_entry=entry.id, pending_question=None),
            entry_id=entry.id,
            score=score,
            candidates=tuple(cands) or (entry.id,),
        )

    def _info(self, state: State, text: str, rows: Iterable[tuple[Button, ...]] = ()) -> Outcome:
        return Outcome(OutcomeKind.INFO, (Reply(text, buttons=tuple(rows)),), state)

    def menu(self, state: State, text: str | None = None) -> Outcome:
        """Show the topic categories."""
        reply = Reply(text or self.texts("topics_intro"), buttons=self._menu_rows())
        return Outcome(OutcomeKind.MENU, (reply,), state)

    # -- events ----------------------------------------------------------------------------
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
        t = self.texts
        match event.kind:
            case EventKind.START:
                welcome = f"{t('welcome')}\n\n{t('privacy_note')}"
                return self.menu(State(), welcome)
            case EventKind.HELP:
                return self._info(state, t("help"), self._service_rows())
            case EventKind.TOPICS:
                return self.menu(state)
            case EventKind.PRIVACY:
                return self._answer(state, self.kb.entries[PRIVACY_ENTRY])
            case EventKind.DELETE:
                rows = (
                    (
                        button(t("button_delete_yes"), Press.DELETE, "y"),
                        button(t("button_delete_no"), Press.DELETE, "n"),
                    ),
                )
                return self._info(state, t("delete_confirm"), rows)
            case EventKind.NON_TEXT:
                return self._info(state, t("non_text"), self._service_rows()[1:])
            case EventKind.BUTTON:
                return self.press(state, event.text)
            case EventKind.TEXT:
                return self.text(state, event.text)
        raise AssertionError(f"unhandled event kind {event.kind}")  # pragma: no cover

    def stale(self, state: State) -> Outcome:
        """React to a button that is stale, unknown or forged: say so and show the menu."""
        reply = Reply(self.texts("stale_button"), buttons=self._menu_rows())
        return Outcome(OutcomeKind.STALE, (reply,), state)

    def press(self, state: State, data: str) -> Outcome:
        """React to a button press; anything not understood is treated as stale."""
        pressed = decode(data)
        if pressed is None:
            return self.stale(state)
        t = self.texts
        entries = self.kb.entries
        args = pressed.args
        if pressed.press in {Press.ENTRY, Press.FEEDBACK, Press.REASON} and args[0] not in entries:
            return self.stale(state)
        if pressed.press in {Press.FLOW_START, Press.FLOW_OPTION, Press.FLOW_CONTROL}:
            return self.flows.press(state, pressed) or self.stale(state)
        match pressed.press:
            case Press.ENTRY:
                return self._answer(state, entries[args[0]])
            case Press.CATEGORY:
                category = next((c for c in self.kb.categories if c.id == args[0]), None)
                if category is None:
                    return self.stale(state)
                rows = tuple(
                    (button(e.title, Press.ENTRY, e.id),) for e in self.kb.in_category(category.id)
                ) + ((button(t("button_back"), Press.MENU),),)
                text = t("category_intro", category=category.label)
                return Outcome(OutcomeKind.MENU, (Reply(text, buttons=rows),), state)
            case Press.MENU:
                return self.menu(state)
            case Press.FLOWS:
                return self.flows.menu(state)
            case Press.NONE_OF_THESE:
                actions: tuple[Action, ...] = ()
                if state.pending_question:
                    actions = (Action(ActionKind.UNANSWERED, value=state.pending_question),)
                new_state = replace(state, pending_question=None)
                reply = Reply(t("clarify_none_reply"), buttons=self._service_rows())
                return Outcome(OutcomeKind.FALLBACK, (reply,), new_state, actions)
            case Press.FEEDBACK:
                entry_id, sign = args
                action = Action(ActionKind.FEEDBACK, entry_id, "up" if sign == "+" else "down")
                if sign == "+":
                    return Outcome(
                        OutcomeKind.INFO, (Reply(t("feedback_thanks_up")),), state, (action,)
                    )
                reasons = (
                    (Reason.WRONG_TOPIC, "reason_wrong_topic"),
                    (Reason.TOO_VAGUE, "reason_too_vague"),
                    (Reason.OUTDATED, "reason_outdated"),
                    (Reason.SKIP, "reason_skip"),
                )
                rows = tuple(
                    (button(t(key), Press.REASON, entry_id, r.value),) for r, key in reasons
                )
                reply = Reply(t("feedback_ask_down"), buttons=rows)
                return Outcome(OutcomeKind.INFO, (reply,), state, (action,))
            case Press.REASON:
                entry_id, code = args
                action = Action(ActionKind.FEEDBACK_REASON, entry_id, Reason(code).name.lower())
                reply = Reply(t("feedback_thanks_down"), buttons=self._service_rows())
                return Outcome(OutcomeKind.INFO, (reply,), state, (action,))
            case Press.HANDOFF:
                outcome = self._answer(state, entries[HANDOFF_ENTRY])
                return replace(outcome, actions=(Action(ActionKind.HANDOFF),))
            case Press.DELETE:
                if args[0] == "y":
                    reply = Reply(t("delete_done"), buttons=self._service_rows()[1:])
                    action = Action(ActionKind.DELETE_USER)
                    return Outcome(OutcomeKind.INFO, (reply,), State(), (action,))
                return self._info(state, t("delete_cancelled"))
        raise AssertionError(f"unhandled button {pressed}")  # pragma: no cover

    def text(self, state: State, raw: str) -> Outcome:
        """Answer a free-text message: crisis guard, flow step, smalltalk, then the FAQ."""
        t = self.texts
        limit = self.config.max_message_chars
        text = clean_input(raw, limit)
        prefix: tuple[Reply, ...] = ()
        if len(raw.strip()) > limit:
            prefix = (Reply(t("truncated_note", limit=limit)),)
        if text and self.crisis.check(text) is not None:
            data = self.kb.crisis
            reply = Reply(data.text, title=data.title, buttons=self._service_rows()[:1])
            return Outcome(OutcomeKind.CRISIS, (*prefix, reply), state)
        # Inside a flow an input step validates everything typed, even an empty message.
        in_flow = self.flows.text(state, text)
        if in_flow is not None:
            return in_flow
        if not text:
            return self._info(state, t("empty_input"), self._service_rows()[1:])
        if not words(text):
            has_letters = any(unicodedata.category(ch).startswith("L") for ch in text)
            key = "other_language" if has_letters else "no_words"
            return replace(
                self._info(state, t(key), self._service_rows()[1:]), kind=OutcomeKind.FALLBACK
            )
        intent = self.smalltalk.match(text)
        if intent is not None:
            reply = Reply(intent.reply, buttons=self._service_rows()[1:])
            return Outcome(OutcomeKind.SMALLTALK, (reply,), state, entry_id=None)
        ranked = self.matcher.rank(text, limit=max(self.config.matcher.max_candidates, 3))
        decision = self.matcher.decide_ranked(ranked)
        ids = tuple(c.id for c in decision.candidates)
        best = decision.best
        score = best.score if best else 0.0
        if decision.verdict is Verdict.ANSWER and best is not None:
            outcome = self._answer(state, self.kb.entries[best.id], score, ids)
            return replace(outcome, replies=(*prefix, *outcome.replies))
        if decision.verdict is Verdict.CLARIFY:
            rows = tuple((button(self.kb.entries[i].title, Press.ENTRY, i),) for i in ids)
            rows += ((button(t("button_none"), Press.NONE_OF_THESE),),)
            new_state = replace(state, pending_question=redact(text))
            reply = Reply(t("clarify_intro"), buttons=rows)
            return Outcome(
                OutcomeKind.CLARIFY,
                (*prefix, reply),
                new_state,
                entry_id=None,
                score=score,
                candidates=ids,
            )
        reply = Reply(t("fallback"), buttons=self._service_rows())
        action = Action(ActionKind.UNANSWERED, value=redact(text))
        return Outcome(
            OutcomeKind.FALLBACK,
            (*prefix, reply),
            replace(state, pending_question=None),
            (action,),
            score=score,
            candidates=ids,
        )

    def ask(self, text: str) -> Outcome:
        """Classify one question statelessly (for `elternlotse ask` and evaluation)."""
        return self.text(State(), text)
