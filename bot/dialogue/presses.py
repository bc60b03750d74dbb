"""Button presses of the dialogue (all but the flows'): one small handler per kind of press."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from bot.callbacks import ButtonData, EventPress, Press, Reason
from bot.content.knowledge import Entry, EntryKind, KnowledgeBase
from bot.dialogue.model import (
    Action,
    ChangeSubscription,
    DeleteUser,
    EventChoice,
    OpenCase,
    Outcome,
    OutcomeKind,
    Placement,
    RateCase,
    RecordUnanswered,
    Reply,
    RequestHandoff,
    State,
    Vote,
    VoteReason,
    button,
)
from bot.dialogue.views import Views

HANDOFF_ENTRY = "beratung-kontakt"
PressHandler = Callable[[State, tuple[str, ...]], Outcome | None]
_REASONS = (
    (Reason.WRONG_TOPIC, "reason_wrong_topic"),
    (Reason.TOO_VAGUE, "reason_too_vague"),
    (Reason.OUTDATED, "reason_outdated"),
    (Reason.SKIP, "reason_skip"),
)


class Presses:
    """Routes a decoded press to its handler; a handler returns None for a stale press."""

    def __init__(
        self,
        kb: KnowledgeBase,
        views: Views,
        flows_menu: Callable[[State], Outcome],
        counselling: bool = False,
    ):
        """Keep the knowledge base, the views and the flows' menu.

        Args:
            kb: The knowledge base.
            views: Builds the replies.
            flows_menu: The list of flows.
            counselling: Whether counsellors take over in a forum group (config `counselling:`).

        """
        self.kb = kb
        self.views = views
        self.texts = kb.texts
        self._flows_menu = flows_menu
        self.counselling = counselling
        self.table: Mapping[Press, PressHandler] = {
            Press.ENTRY: self.entry,
            Press.CATEGORY: lambda state, args: self.views.category(state, args[0]),
            Press.MENU: lambda state, _: self.views.menu(state),
            Press.BACK: lambda state, _: self.views.menu(
                state, placement=Placement.REPLACE_PRESSED
            ),
            Press.FLOWS: self.flows,
            Press.NONE_OF_THESE: self.none_of_these,
            Press.FEEDBACK: self.feedback,
            Press.REASON: self.reason,
            Press.HANDOFF: self.handoff,
            Press.DELETE: self.delete,
            Press.CASE: self.case,
            Press.CASE_RATE: self.rate,
            Press.CASE_COMMENT: self.comment,
            Press.EVENT: self.event,
            Press.SUBSCRIBE: lambda state, args: Outcome(
                OutcomeKind.INFO, (), state, (ChangeSubscription(args[0]),)
            ),
        }

    def handle(self, state: State, pressed: ButtonData) -> Outcome | None:
        """Run the handler of a press; None when it is stale (unknown entry, category …)."""
        handler = self.table.get(pressed.press)
        return handler(state, pressed.args) if handler is not None else None

    def entry(self, state: State, args: tuple[str, ...]) -> Outcome | None:
        """Answer the entry the button names."""
        entry = self.kb.entries.get(args[0])
        return self.answer(state, entry) if entry is not None else None

    def answer(
        self, state: State, entry: Entry, score: float = 100.0, ids: tuple[str, ...] = ()
    ) -> Outcome:
        """Answer an entry; with counsellors, the hand-over entry leads to the consent step."""
        if entry.kind is EntryKind.HANDOFF and self.counselling:
            outcome = self.handoff(state)
            return replace(outcome, entry_id=entry.id, score=score, candidates=ids or (entry.id,))
        return self.views.answer(state, entry, score, ids)

    def flows(self, state: State, args: tuple[str, ...]) -> Outcome:
        """List the flows in place of the topic menu."""
        outcome = self._flows_menu(state)
        replies = tuple(replace(r, placement=Placement.REPLACE_PRESSED) for r in outcome.replies)
        return replace(outcome, replies=replies)

    def none_of_these(self, state: State, args: tuple[str, ...]) -> Outcome:
        """None of the offered topics fit: record the question and offer a counsellor."""
        actions: tuple[Action, ...] = ()
        key = "clarify_none_reply_unsaved"  # an older question: nothing to keep, so no promise
        if state.pending_question:
            actions = (RecordUnanswered(state.pending_question),)
            key = "clarify_none_reply"
        reply = Reply(self.texts(key), buttons=self.views.service_rows())
        new_state = replace(state, pending_question=None)
        return Outcome(OutcomeKind.FALLBACK, (reply,), new_state, actions)

    def feedback(self, state: State, args: tuple[str, ...]) -> Outcome | None:
        """Record a 👍/👎 and take the vote buttons off the answer; after 👎 ask why."""
        entry = self.kb.entries.get(args[0])
        if entry is None:
            return None
        helpful = args[1] == "+"
        tidied = self.views.answer_rows(entry, feedback=False)
        if helpful:
            reply = Reply(self.texts("feedback_thanks_up"))
        else:
            rows = tuple(
                (button(self.texts(key), Press.REASON, entry.id, r.value),) for r, key in _REASONS
            )
            reply = Reply(self.texts("feedback_ask_down"), buttons=rows)
        return Outcome(
            OutcomeKind.INFO,
            (reply,),
            state,
            (Vote(entry.id, helpful),),
            pressed_keyboard=tidied,
        )

    def reason(self, state: State, args: tuple[str, ...]) -> Outcome | None:
        """Record why an answer did not help."""
        if args[0] not in self.kb.entries:
            return None
        action = VoteReason(args[0], Reason(args[1]))
        reply = Reply(self.texts("feedback_thanks_down"), buttons=self.views.service_rows())
        return Outcome(OutcomeKind.INFO, (reply,), state, (action,))

    def handoff(self, state: State, args: tuple[str, ...] = ()) -> Outcome:
        """Offer a counsellor: the consent step, or the contact entry when there is no group."""
        if not self.counselling:
            outcome = self.views.answer(state, self.kb.entries[HANDOFF_ENTRY])
            return replace(outcome, actions=(RequestHandoff(),))
        entry = self.kb.entries.get(state.last_entry or "")
        topic = f" („{entry.title}“)" if entry else ""
        rows = (
            (button(self.texts("button_case_send"), Press.CASE, "s"),),
            (button(self.texts("button_case_send_name"), Press.CASE, "n"),),
            (button(self.texts("button_case_cancel"), Press.CASE, "x"),),
        )
        reply = Reply(self.texts("case_consent", topic=topic), buttons=rows)
        return Outcome(OutcomeKind.HANDOFF, (reply,), state, (RequestHandoff(),))

    def case(self, state: State, args: tuple[str, ...]) -> Outcome:
        """Send the request (with or without the first name) or drop it."""
        if args[0] == "x" or not self.counselling:
            return self.views.info(state, self.texts("case_cancelled"))
        entry = self.kb.entries.get(state.last_entry or "")
        action = OpenCase(show_first_name=args[0] == "n", category=entry.title if entry else None)
        # She left her flow for a person: no reminder of it during or after the case (D12).
        left = replace(state, flow=None, flow_paused=False)
        return Outcome(OutcomeKind.INFO, (), left, (action,), pressed_keyboard=())

    def rate(self, state: State, args: tuple[str, ...]) -> Outcome:
        """Record the parent's rating of an ended case and offer an optional comment."""
        action = RateCase(int(args[0]), int(args[1]))
        offer = button(self.texts("button_case_comment"), Press.CASE_COMMENT, args[0])
        reply = Reply(self.texts("case_rated"), buttons=((offer,),))
        return Outcome(OutcomeKind.INFO, (reply,), state, (action,), pressed_keyboard=())

    def comment(self, state: State, args: tuple[str, ...]) -> Outcome:
        """Ask for the comment: the next text message is it."""
        reply = Reply(self.texts("case_comment_ask"), takes_text=True)
        new_state = replace(state, comment_case=int(args[0]))
        return Outcome(OutcomeKind.INFO, (reply,), new_state, pressed_keyboard=())

    def event(self, state: State, args: tuple[str, ...]) -> Outcome:
        """Ask for the question in advance, or let the use case act on the event's button."""
        event_id, press = int(args[0]), EventPress(args[1])
        if press is EventPress.ASK:
            reply = Reply(self.texts("event_question_ask"), takes_text=True)
            return Outcome(OutcomeKind.INFO, (reply,), replace(state, question_event=event_id))
        return Outcome(OutcomeKind.INFO, (), state, (EventChoice(event_id, press),))

    def delete(self, state: State, args: tuple[str, ...]) -> Outcome:
        """Delete after the parent confirmed; otherwise say nothing was deleted."""
        # The question loses its buttons either way: an old „Ja" must not delete again (D32).
        if args[0] != "y":
            cancelled = self.views.info(state, self.texts("delete_cancelled"))
            return replace(cancelled, pressed_keyboard=())
        reply = Reply(self.texts("delete_done"), buttons=self.views.service_rows()[1:])
        return Outcome(OutcomeKind.INFO, (reply,), State(), (DeleteUser(),), pressed_keyboard=())
