"""What the dialogue shows: answers with their buttons, menus, info replies. Pure."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from bot.callbacks import Press
from bot.content.knowledge import Entry, EntryKind, KnowledgeBase
from bot.dialogue.model import (
    Button,
    CaseInProgress,
    Outcome,
    OutcomeKind,
    Placement,
    Reply,
    Rows,
    State,
    button,
)
from bot.flows.figures import fill

ENTRY_OUTCOME = {
    EntryKind.ANSWER: OutcomeKind.ANSWER,
    EntryKind.FLOW: OutcomeKind.FLOW,
    EntryKind.HANDOFF: OutcomeKind.HANDOFF,
}


class Views:
    """Builds replies from the knowledge base; knows nothing about the parent's state machine."""

    def __init__(
        self,
        kb: KnowledgeBase,
        flow_buttons: Callable[[str], Sequence[Button]],
        now: Callable[[], datetime],
        figures: Callable[[], Mapping[str, str]] = dict,
        counselling: bool = False,
    ) -> None:
        """Keep the knowledge base and a way to list the flow buttons an answer offers.

        Args:
            kb: The knowledge base.
            flow_buttons: Returns the "start this flow" buttons offered under an entry.
            now: The current time (answers remember when they were given).
            figures: The figures valid today, for placeholders like {kindergeld} in answers.
            counselling: Whether counsellors answer here (config `counselling:`); without them
                the person button leads to the counselling places and says so.

        """
        self.kb = kb
        self.texts = kb.texts
        self._flow_buttons = flow_buttons
        self._now = now
        self._figures = figures
        self.counselling = counselling
        # „📍 Stelle in meiner Nähe" for an entry; set by the dialogue when places can be found.
        self.local_row: Callable[[str], Rows] | None = None
        # „👥 Gruppen finden" for the menu (None) or an entry; set by the dialogue.
        self.groups_row: Callable[[str | None], Rows] = lambda _entry: ()

    def fill(self, text: str) -> str:
        """Put today's figures into a text that names them by placeholder."""
        return fill(text, self._figures())

    def menu_rows(self) -> Rows:
        """Return the topic menu: one button per category, then the flows."""
        rows = tuple((button(c.label, Press.CATEGORY, c.id),) for c in self.kb.categories)
        if self.kb.flows:
            rows += ((button(self.texts("button_flows"), Press.FLOWS),),)
        if self.local_row is not None:
            rows += ((button(self.texts("button_local_menu"), Press.LOCAL, "-"),),)
        return (*rows, *self.groups_row(None))

    def service_rows(self) -> Rows:
        """Return the "counsellor" and "all topics" rows shown under most replies.

        Without counselling the first button is labelled as what it does (it shows the
        counselling places), so it promises no chat here.
        """
        person = "button_handoff" if self.counselling else "button_find_counselling"
        return (
            (button(self.texts(person), Press.HANDOFF),),
            (button(self.texts("button_topics"), Press.MENU),),
        )

    def counsel_line(self, case: CaseInProgress | None = None) -> str:
        """Return the sentence about a person to talk to that is true for this bot and parent.

        Args:
            case: The parent's open case, if any: then her messages already reach the team,
                and nothing offers the hand-over again.

        """
        if case is not None and case.counsellor is not None:
            return self.texts("counsel_case_claimed", name=case.counsellor)
        if case is not None:
            return self.texts("counsel_case_waiting")
        return self.texts("counsel_offer" if self.counselling else "counsel_elsewhere")

    def connected_line(self, case: CaseInProgress) -> str:
        """Tell a parent with an open case that she is already connected (newcomer D12)."""
        if case.counsellor is not None:
            return self.texts("case_connected_claimed", name=case.counsellor)
        number = f" #{case.number}" if case.number is not None else ""
        return self.texts("case_connected_waiting", number=number)

    def back_row(self) -> tuple[Button, ...]:
        """Return the "back to the topics" row of a menu page (it replaces the page in place)."""
        return (button(self.texts("button_back"), Press.BACK),)

    def feedback_row(self, entry_id: str) -> tuple[Button, ...]:
        """Return the 👍/👎 row under an answer."""
        return (
            button(self.texts("button_helpful"), Press.FEEDBACK, entry_id, "+"),
            button(self.texts("button_not_helpful"), Press.FEEDBACK, entry_id, "-"),
        )

    def answer_rows(self, entry: Entry, *, feedback: bool = True) -> Rows:
        """Return the buttons under an answer: flows, related topics, feedback, service."""
        flows = tuple((b,) for b in self._flow_buttons(entry.id))
        related = tuple(
            (button(self.kb.entries[r].title, Press.ENTRY, r),) for r in entry.related[:3]
        )
        votes = (self.feedback_row(entry.id),) if feedback else ()
        offers_place = self.local_row is not None and entry.id in self.kb.local.offer_under
        local = self.local_row(entry.id) if self.local_row is not None and offers_place else ()
        groups = self.groups_row(entry.id)
        service = self.service_rows()
        if entry.kind is EntryKind.HANDOFF and not self.counselling:
            service = service[1:]  # the button would lead to this very entry again
        return (*flows, *local, *groups, *related, *votes, *service)

    def footer(self, entry: Entry, stand: str | None = None) -> str:
        """Return an entry's legal basis, sources and review date as one footer.

        Args:
            entry: The entry whose footer it is.
            stand: The „Stand" line of a calculation, shown instead of the entry's review date:
                an answer has one „Stand", and a computed amount's is that of its figures.

        """
        t = self.texts
        footer = []
        if entry.legal_basis:
            footer.append(f"{t('label_legal')}: {', '.join(entry.legal_basis)}")
        sources = "; ".join(f"{s.title} – {s.url}" for s in entry.sources)
        footer.append(f"{t('label_sources')}: {sources}")
        footer.append(stand or f"{t('label_reviewed')}: {entry.reviewed:%d.%m.%Y}")
        return "\n".join(footer)

    def answer_reply(self, entry: Entry) -> Reply:
        """Render an entry as a reply with its footer and buttons."""
        return Reply(
            text=self.fill(entry.answer),
            title=entry.title,
            footer=self.footer(entry),
            buttons=self.answer_rows(entry),
        )

    def answer(
        self, state: State, entry: Entry, score: float = 100.0, cands: Sequence[str] = ()
    ) -> Outcome:
        """Answer an entry and remember it as the last answered one."""
        return Outcome(
            kind=ENTRY_OUTCOME[entry.kind],
            replies=(self.answer_reply(entry),),
            state=self.remember(state, entry),
            entry_id=entry.id,
            score=score,
            candidates=tuple(cands) or (entry.id,),
        )

    def about_entry(
        self, state: State, entry: Entry, text: str, title: str, footer: str, score: float
    ) -> Outcome:
        """Answer with a text about an entry (a follow-up, an amount) under the entry's buttons."""
        reply = Reply(text=text, title=title, footer=footer, buttons=self.answer_rows(entry))
        return Outcome(
            OutcomeKind.ANSWER,
            (reply,),
            self.remember(state, entry),
            entry_id=entry.id,
            score=score,
            candidates=(entry.id,),
        )

    def remember(self, state: State, entry: Entry) -> State:
        """Return the state with `entry` as the context of the next follow-up question."""
        moment = self._now().astimezone(UTC).replace(second=0, microsecond=0)
        return replace(state, last_entry=entry.id, last_at=moment, pending_question=None)

    def alternatives(self, state: State, text: str, ids: Sequence[str]) -> Reply:
        """Offer runners-up under a tentative answer („Passt nicht? Meinten Sie …")."""
        rows = tuple((button(self.kb.entries[i].title, Press.ENTRY, i),) for i in ids)
        rows += ((button(self.texts("button_none"), Press.NONE_OF_THESE),),)
        return Reply(self.texts("alternatives_intro"), buttons=rows)

    def info(self, state: State, text: str, rows: Iterable[tuple[Button, ...]] = ()) -> Outcome:
        """Return a plain information reply with optional buttons."""
        return Outcome(OutcomeKind.INFO, (Reply(text, buttons=tuple(rows)),), state)

    def menu(
        self, state: State, text: str | None = None, placement: Placement = Placement.NEW
    ) -> Outcome:
        """Show the topic categories."""
        reply = Reply(
            text or self.texts("topics_intro"), buttons=self.menu_rows(), placement=placement
        )
        return Outcome(OutcomeKind.MENU, (reply,), state)

    def category(self, state: State, category_id: str) -> Outcome | None:
        """Show the entries of one category in place of the menu; None if it does not exist."""
        category = next((c for c in self.kb.categories if c.id == category_id), None)
        if category is None:
            return None
        rows = tuple(
            (button(e.title, Press.ENTRY, e.id),) for e in self.kb.in_category(category.id)
        ) + (self.back_row(),)
        text = self.texts("category_intro", category=category.label)
        reply = Reply(text, buttons=rows, placement=Placement.REPLACE_PRESSED)
        return Outcome(OutcomeKind.MENU, (reply,), state)

    def stale(self, state: State) -> Outcome:
        """Say that a button is stale, unknown or forged, and show the menu."""
        reply = Reply(self.texts("stale_button"), buttons=self.menu_rows())
        return Outcome(OutcomeKind.STALE, (reply,), state)
