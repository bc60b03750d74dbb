"""The hand-over use cases: open, relay, claim, close, rate — behind the group and parent ports.

One forum topic per case in the counsellors' supergroup. The parent only ever talks to the bot
and sees the counsellor's pseudonym; counsellors never see the parent's Telegram identity unless
the parent chose to show the first name. No message content is stored: messages are copied.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.callbacks import Press
from bot.cases.canned import Lookup, entry_lines, look_up
from bot.cases.deliveries import GROUP_QUEUE, DeliveryKind, GroupDelivery
from bot.cases.figures import case_figures, figures_text
from bot.cases.model import Case, CaseStatus, InvalidTransition
from bot.cases.ports import (
    Card,
    CaseStore,
    GroupChannel,
    ParentChannel,
    ParentGone,
    TopicClosed,
    TopicGone,
)
from bot.config import CounsellingConfig
from bot.content.knowledge import KnowledgeBase
from bot.dialogue.model import Reply, Rows, button
from bot.events import MessageRef
from bot.hours import OfficeHours
from bot.outbox.dispatcher import Outbox
from bot.outbox.model import DeliveryFailed, OutboxItem, Priority, RetryLater
from bot.outbox.ports import OutboxStore
from bot.wording import Noun, on_day

logger = logging.getLogger(__name__)
WITHDRAW_NOTE_SECONDS = 10.0  # the longest a deletion waits for its note to the topic
NOTE_PREFIXES = ("//", "/notiz")
FIGURE_DAYS = 30
# The wording of the queue ahead of a new case: nobody, one person, more (plural text).
QUEUE_KEYS = {0: "case_queue_first", 1: "case_queue_one"}
ROLE = "counsellor"  # the role written to the audit table
# Writes one audit row: actor id, role, action, subject, time (never message content).
AuditLog = Callable[[int, str, str, str | None, datetime], Awaitable[None]]


class CaseStores(CaseStore, OutboxStore, Protocol):
    """The case metadata and the outbox that carries messages to the group."""


@dataclass(frozen=True)
class Notice:
    """What the person who pressed a case button is told in a pop-up (Telegram: 200 characters).

    Attributes:
        text: The words.
        alert: A refusal they must confirm, rather than a passing toast.

    """

    text: str
    alert: bool = False


@dataclass(frozen=True)
class GroupMessage:
    """Something a member of the counsellors' group did in a topic."""

    user_id: int
    topic_id: int
    text: str
    message: MessageRef


class Counselling:
    """Runs the cases between parents and the counsellors' forum group."""

    def __init__(
        self,
        config: CounsellingConfig,
        kb: KnowledgeBase,
        store: CaseStores,
        group: GroupChannel,
        parents: ParentChannel,
        zone: ZoneInfo,
        answer: Callable[[str], Reply | None],
        *,
        inline: bool = False,
        audit: AuditLog | None = None,
    ) -> None:
        """Wire the use cases to their ports.

        Args:
            config: Group, counsellors, office hours, timeouts.
            kb: The knowledge base (texts).
            store: Where case metadata is kept.
            group: The counsellors' forum group.
            parents: The parents' chats.
            zone: The time zone of office hours and the times shown.
            answer: Renders an FAQ entry by id, for canned replies (`/antwort <id>`).
            inline: Send to the group within each call instead of from the background
                (deterministic tests); either way every message passes the durable outbox.
            audit: Records counsellors' claims, closings, canned answers and case lists;
                None where no audit table exists (the in-memory store).

        """
        self.config = config
        self.texts = kb.texts
        self._kb = kb
        self.store = store
        self.group = group
        self.parents = parents
        self.zone = zone
        self.hours = OfficeHours(config.office_hours, config.state, zone, config.always_open)
        self._answer = answer
        self.outbox = Outbox(
            store, GROUP_QUEUE, self.deliver, inline=inline, given_up=self._given_up
        )
        self._audit = audit
        # Claiming and closing read, decide and write a case: one at a time, so two quick taps
        # cannot both claim, or close a case claimed in the same moment.
        self._deciding = asyncio.Lock()

    async def _audited(self, user_id: int, action: str, subject: str | None, now: datetime) -> None:
        if self._audit is not None:
            await self._audit(user_id, ROLE, action, subject, now)

    # -- names -----------------------------------------------------------------------------
    def _counsellor_name(self, case: Case) -> str:
        found = self.config.counsellor(case.counsellor_id or 0)
        return found.name if found else self.config.default_name

    def claimed_by(self, case: Case) -> str | None:
        """Return the pseudonym of the counsellor who claimed a case; None while nobody has."""
        return self._counsellor_name(case) if case.status is CaseStatus.CLAIMED else None

    def _topic_name(self, case: Case) -> str:
        category = case.category or "Allgemein"
        if case.status is CaseStatus.CLAIMED:
            name = self._counsellor_name(case)
            return self.texts(
                "group_topic_claimed", number=case.number, category=category, name=name
            )
        key = "group_topic_waiting" if case.status.is_open else "group_topic_closed"
        return self.texts(key, number=case.number, category=category)[:128]

    # -- opening ---------------------------------------------------------------------------
    async def open(
        self,
        parent_id: int,
        category: str | None,
        show_first_name: bool,
        first_name: str | None,
        language: str | None,
        now: datetime,
    ) -> tuple[Reply, ...]:
        """Open a case with its forum topic and tell the parent where it stands."""
        existing = await self.store.open_case_of(parent_id)
        if existing is not None:
            return (Reply(self.texts("case_already_open", number=existing.number)),)
        case = await self.store.open_case(parent_id, category, show_first_name, now)
        ahead = len(await self.store.open_cases()) - 1
        context = GroupDelivery(
            case.number,
            DeliveryKind.CONTEXT,
            first_name=first_name if show_first_name else None,
            language=language,
        )
        await self._send(case, context, urgent=True)  # ahead of any alert, and in order
        return (Reply(self._status_text(case, ahead, now)),)

    def _status_text(self, case: Case, ahead: int, now: datetime) -> str:
        # Nobody ahead is said as such: „vor Ihnen warten 0" read as a count, not as good news.
        key = QUEUE_KEYS.get(ahead, "case_queue_many")
        queue = self.texts(key, ahead=ahead)
        if self.hours.is_open(now):
            return self.texts("case_opened_open", number=case.number, queue=queue)
        opening = self.hours.next_opening(now)
        when = on_day(opening, now.astimezone(self.zone).date()) if opening else None
        when = when or "zu den nächsten Sprechzeiten"
        return self.texts("case_opened_closed", number=case.number, queue=queue, opening=when)

    async def _new_topic(self, case: Case, first_name: str | None, language: str | None) -> Case:
        """Create the case's topic, post its context, then remember the topic.

        The topic is remembered only once the context (with „Übernehmen") is in it: if posting
        fails, the retry creates a fresh topic rather than leaving one nobody can claim from.
        """
        topic_id = await self.group.create_topic(self._topic_name(case))
        case = replace(case, topic_id=topic_id)
        context = self.texts(
            "group_context",
            number=case.number,
            category=case.category or "Allgemein",
            opened=f"{case.opened_at.astimezone(self.zone):%d.%m.%Y %H:%M}",
            language=language or "unbekannt",
            first_name=first_name or "nicht freigegeben",
        )
        if case.status is CaseStatus.CLAIMED:  # a recreated topic: nothing left to claim
            context += "\n\n" + self.texts("group_card_claimed", name=self._counsellor_name(case))
        await self.group.post(topic_id, context, self._card_buttons(case))
        await self.store.set_topic(case.number, topic_id)
        return case

    def _card_buttons(self, case: Case) -> Rows:
        """Return the card's buttons: „Übernehmen" only while nobody has, „Schließen" always."""
        close = button(self.texts("button_case_close"), Press.CASE_CLOSE, str(case.number))
        if case.status is CaseStatus.CLAIMED:
            return ((close,),)
        return (
            (button(self.texts("button_case_claim"), Press.CASE_CLAIM, str(case.number)), close),
        )

    async def _send(self, case: Case, delivery: GroupDelivery, urgent: bool = False) -> None:
        """Write a delivery to the outbox; it is sent from there, in order, crisis first."""
        priority = Priority.URGENT if urgent else Priority.NORMAL
        await self.outbox.put(delivery.to_payload(), owner=case.parent_id, priority=priority)

    async def _post(self, case: Case, text: str, urgent: bool = False) -> None:
        await self._send(case, GroupDelivery(case.number, DeliveryKind.POST, text), urgent)

    async def deliver(self, item: OutboxItem) -> None:
        """Send one outbox item into its case's topic; a deleted topic is recreated first.

        Raises:
            DeliveryFailed: The topic could not be reached; permanent (with Telegram's reason)
                when the topic of a finished case is gone, so the row is never marked sent.

        """
        delivery = GroupDelivery.from_payload(item.payload)
        case = await self.store.case(delivery.case)
        if case is None:
            return  # deleted with the parent's data
        if delivery.kind is DeliveryKind.CLOSE and case.topic_id is None:
            return  # ended before its topic was made: nothing to close
        unsent = case.topic_id is None and delivery.kind is not DeliveryKind.CONTEXT
        if unsent and not case.status.is_open:
            # Its context never reached the group (given up, the case cancelled): what came
            # after it must not open a topic for a request the parent was told failed.
            raise DeliveryFailed("the case ended before it reached the group", permanent=True)
        try:
            if case.topic_id is None:
                case = await self._new_topic(case, delivery.first_name, delivery.language)
                await self._perform(case, delivery)
            else:
                await self._perform_or_repair(case, delivery)
        except (TopicGone, TopicClosed) as exc:
            # Nothing repairs the deleted topic of a finished case; anything else may pass.
            final = isinstance(exc, TopicGone) and not case.status.is_open
            raise DeliveryFailed(str(exc) or type(exc).__name__, permanent=final) from exc
        if delivery.receipt:
            await self._receipt(case, "case_comment_arrived")

    async def _perform_or_repair(self, case: Case, delivery: GroupDelivery) -> None:
        """Post or copy into the existing topic, reopening a closed one or recreating a deleted one.

        Raises:
            TopicGone: The topic of a finished case was deleted.
            TopicClosed: The topic stayed closed (the bot may not manage topics).

        """
        assert case.topic_id is not None  # noqa: S101 - the caller checked
        if delivery.reopen:
            await self._perform_reopened(case, delivery)
            return
        try:
            await self._perform(case, delivery)
        except TopicClosed:
            # Telegram refuses posts in a closed topic (400 TOPIC_CLOSED), e.g. one an admin
            # closed by hand: reopen, post, and close a finished case again.
            await self._perform_reopened(case, delivery)
        except TopicGone:
            if not case.status.is_open:
                raise
            await self._perform(await self._recreate_topic(case), delivery)

    async def _perform_reopened(self, case: Case, delivery: GroupDelivery) -> None:
        """Reopen a finished case's topic, post into it, and close it again (also on failure)."""
        assert case.topic_id is not None  # noqa: S101 - the caller checked
        await self.group.reopen_topic(case.topic_id)
        try:
            await self._perform(case, delivery)
        except Exception:
            await self._close_if_finished(case)
            raise
        # Not in a `finally`: a cancelled sender (the bot stopping) must make no Telegram
        # call; the outbox keeps the item, and the next start posts it and closes again.
        await self._close_if_finished(case)

    async def _receipt(self, case: Case, key: str) -> None:
        """Tell the parent what became of their comment (a blocked bot only costs the notice)."""
        try:
            await self.parents.send(case.parent_id, (Reply(self.texts(key, number=case.number)),))
        except ParentGone:
            logger.info("case #%d: the parent blocked the bot before the receipt", case.number)

    async def _given_up(self, item: OutboxItem, reason: str) -> None:
        """Tell the parent honestly what did not reach the team, and the team why."""
        delivery = GroupDelivery.from_payload(item.payload)
        case = await self.store.case(delivery.case)
        if case is None:
            return
        first = delivery.kind is DeliveryKind.CONTEXT and case.topic_id is None
        if delivery.receipt:
            await self._receipt(case, "case_comment_failed")
        elif first and case.status.is_open:
            await self._unreachable(case, reason)
        elif delivery.kind is DeliveryKind.COPY and case.status.is_open:
            await self._receipt(case, "case_message_failed")

    async def _unreachable(self, case: Case, reason: str) -> None:
        """End a request whose topic could not be made (the bot lost its rights, say).

        The parent was told „eingegangen": she now hears that it did not reach anyone, and the
        leads (or all counsellors) get a private alert with Telegram's reason (no personal data).
        """
        logger.error("case #%d never reached the group: %s", case.number, reason)
        await self._finish(case, CaseStatus.CANCELLED, datetime.now(UTC), close_now=True)
        await self._receipt(case, "case_unreachable")
        alert = (Reply(self.texts("team_group_unreachable", number=case.number, reason=reason)),)
        for user_id in sorted(self.config.leads or {c.id for c in self.config.counsellors}):
            try:
                await self.parents.send(user_id, alert)
            except ParentGone:  # never started a private chat with the bot, or blocked it
                logger.info("alert about case #%d not delivered to a counsellor", case.number)

    async def _recreate_topic(self, case: Case) -> Case:
        logger.info("topic of case #%d is gone; recreating it", case.number)
        case = await self._new_topic(case, None, None)
        assert case.topic_id is not None  # noqa: S101 - just created
        await self.group.post(case.topic_id, self.texts("group_topic_recreated"))
        return case

    async def _close_if_finished(self, case: Case) -> None:
        """Close the topic again if the case is finished (read anew: it may have closed since)."""
        assert case.topic_id is not None  # noqa: S101 - the caller checked
        now = await self.store.case(case.number) or case
        if not now.status.is_open:
            await self.group.close_topic(case.topic_id)

    async def _perform(self, case: Case, delivery: GroupDelivery) -> None:
        """Post or copy into the topic (a CONTEXT needs nothing once its topic exists)."""
        assert case.topic_id is not None  # noqa: S101 - callers create the topic first
        if delivery.kind is DeliveryKind.COPY and delivery.message is not None:
            await self.group.copy_in(case.topic_id, delivery.message)
        elif delivery.kind is DeliveryKind.POST and delivery.text is not None:
            await self.group.post(case.topic_id, delivery.text)
        elif delivery.kind is DeliveryKind.CLOSE:
            await self.group.close_topic(case.topic_id)

    # -- relaying --------------------------------------------------------------------------
    async def relay_from_parent(
        self, case: Case, message: MessageRef, crisis_concept: str | None, now: datetime
    ) -> None:
        """Copy a parent's message into the topic; a crisis also raises an alert there."""
        if crisis_concept is not None:
            alert = self.texts("group_crisis_alert", number=case.number, concept=crisis_concept)
            await self._post(case, alert, urgent=True)
        await self._send(case, GroupDelivery(case.number, DeliveryKind.COPY, message=message))
        await self.store.touch_case(case.number, now)

    async def on_group_message(self, event: GroupMessage, now: datetime) -> None:
        """Relay the assigned counsellor's message to the parent; notes and others stay."""
        case = await self.store.case_in_topic(event.topic_id)
        if case is None or not case.status.is_open or self.config.counsellor(event.user_id) is None:
            return
        if event.text.strip().startswith(NOTE_PREFIXES):
            return  # an internal note: never relayed
        if case.status is not CaseStatus.CLAIMED or case.counsellor_id != event.user_id:
            if case.status is CaseStatus.WAITING:
                await self._post(case, self.texts("group_not_claimed", number=case.number))
            return
        try:
            await self.parents.copy_out(case.parent_id, event.message)
        except ParentGone:
            await self._parent_gone(case, now)
            return
        await self.store.touch_case(case.number, now)

    async def _parent_gone(self, case: Case, now: datetime) -> None:
        await self._post(case, self.texts("group_parent_blocked", number=case.number))
        await self._finish(case, CaseStatus.CLOSED, now)

    # -- claiming and closing --------------------------------------------------------------
    def refusal(self, press: Press) -> Notice:
        """Return the pop-up for someone who is no counsellor here pressing a case button."""
        claim = press is Press.CASE_CLAIM
        key = "group_only_counsellors_claim" if claim else "group_only_counsellors_close"
        return Notice(self.texts(key), alert=True)

    async def claim(
        self, user_id: int, number: int, now: datetime, card: Card | None = None
    ) -> Notice | None:
        """Give a waiting case to the first counsellor who claims it; the parent hears the name.

        Args:
            user_id: Who pressed „Übernehmen".
            number: The case.
            now: The current time.
            card: The case card pressed under; it then says who claimed and loses „Übernehmen".

        Returns:
            The pop-up for whoever may not claim (not a counsellor, taken, ended), else None.

        """
        counsellor = self.config.counsellor(user_id)
        if counsellor is None:
            return self.refusal(Press.CASE_CLAIM)
        async with self._deciding:  # two quick taps: exactly one claim
            case = await self.store.case(number)
            if case is None or case.status is not CaseStatus.WAITING:
                return self._not_claimable(user_id, number, case)
            claimed = replace(
                case.moved(CaseStatus.CLAIMED, now), counsellor_id=user_id, claimed_at=now
            )
            await self.store.save_case(claimed)
        if claimed.topic_id is not None:
            await self.group.rename_topic(claimed.topic_id, self._topic_name(claimed))
        if card is not None:
            line = self.texts("group_card_claimed", name=counsellor.name)
            await self.group.edit(
                card.message_id, f"{card.text}\n\n{line}", self._card_buttons(claimed)
            )
        await self._post(claimed, self.texts("group_claimed", name=counsellor.name, number=number))
        await self._audited(user_id, "case_claimed", f"case:{number}", now)
        await self._tell_parent(
            claimed, (Reply(self.texts("case_claimed", name=counsellor.name)),), now
        )
        return None

    def _not_claimable(self, user_id: int, number: int, case: Case | None) -> Notice:
        """Say why a case cannot be claimed: it is someone's already, or it has ended."""
        if case is not None and case.status is CaseStatus.CLAIMED:
            if case.counsellor_id == user_id:
                return Notice(self.texts("group_claim_yours", number=number))
            name = self._counsellor_name(case)
            return Notice(self.texts("group_claim_taken", number=number, name=name), alert=True)
        return Notice(self.texts("group_case_over", number=number), alert=True)

    async def _tell_parent(self, case: Case, replies: tuple[Reply, ...], now: datetime) -> bool:
        try:
            await self.parents.send(case.parent_id, replies)
        except ParentGone:
            await self._parent_gone(case, now)
            return False
        return True

    async def _finish(
        self, case: Case, status: CaseStatus, now: datetime, *, close_now: bool = False
    ) -> Case:
        """End a case: store its status, rename its topic, and close the topic.

        The topic is closed through the outbox, after the closing line written before: closed
        at once, that line would be refused (TOPIC_CLOSED) and cost a reopen and a close, three
        of the group's 20 requests a minute. `close_now` closes at once, for a deletion whose
        outbox rows go with the parent's data.
        """
        case = await self.store.case(case.number) or case  # the topic may have been recreated
        try:
            done = case.moved(status, now)
        except InvalidTransition:
            return case
        await self.store.save_case(done)
        if done.topic_id is not None:
            await self.group.rename_topic(done.topic_id, self._topic_name(done))
            if close_now:
                await self.group.close_topic(done.topic_id)
        if not close_now:
            await self._send(done, GroupDelivery(done.number, DeliveryKind.CLOSE))
        return done

    def _rating_reply(self, case: Case, key: str) -> Reply:
        stars = tuple(
            button("⭐" * n, Press.CASE_RATE, str(case.number), str(n)) for n in range(1, 6)
        )
        return Reply(self.texts(key, number=case.number), buttons=(stars,))

    def _close_refusal(self, user_id: int, number: int, case: Case | None) -> Notice | None:
        """Say why someone may not close a case; None if they may.

        Only the counsellor who claimed a case, or a lead (`counselling.leads`), closes it; a case
        nobody claimed yet any counsellor may close (a mistaken or empty request).
        """
        if self.config.counsellor(user_id) is None:
            return self.refusal(Press.CASE_CLOSE)
        if case is None or not case.status.is_open:
            return Notice(self.texts("group_case_over", number=number), alert=True)
        mine = case.counsellor_id == user_id or user_id in self.config.leads
        if case.status is CaseStatus.CLAIMED and not mine:
            # Name the team lead only where one is configured: no promise nobody keeps.
            key = "group_close_not_yours_leads" if self.config.leads else "group_close_not_yours"
            name = self._counsellor_name(case)
            return Notice(self.texts(key, number=number, name=name), alert=True)
        return None

    async def ask_close(self, user_id: int, number: int, now: datetime) -> Notice | None:
        """Ask „Fall #2 wirklich schließen?" in the case's topic, for whoever may close it.

        Telegram shows a message in a group to every member (a pop-up carries no buttons), so
        the question is a message in the topic; its answer is checked against the same rule.

        Returns:
            The pop-up for whoever may not close the case, or when the question could not be
            posted; None once it is asked.

        """
        case = await self.store.case(number)
        refusal = self._close_refusal(user_id, number, case)
        if refusal is not None or case is None or case.topic_id is None:
            return refusal
        answers = (
            (
                button(self.texts("button_close_yes"), Press.CASE_CLOSE_ANSWER, str(number), "y"),
                button(self.texts("button_close_no"), Press.CASE_CLOSE_ANSWER, str(number), "n"),
            ),
        )
        question = self.texts("group_close_confirm", number=number)
        try:
            await self.group.post(case.topic_id, question, answers)
        except (TopicGone, TopicClosed, RetryLater, DeliveryFailed) as exc:
            logger.info("case #%d: close question not posted: %s", number, type(exc).__name__)
            return Notice(self.texts("group_close_question_failed", number=number), alert=True)
        return None

    async def answer_close(
        self, user_id: int, number: int, confirmed: bool, question: Card | None, now: datetime
    ) -> Notice | None:
        """Close the case on „Ja, schließen", or leave it open on „Abbrechen".

        Args:
            user_id: Who answered.
            number: The case.
            confirmed: „Ja, schließen" was pressed.
            question: The question's message: it loses its buttons, so it is answered once.
            now: The current time.

        Returns:
            The pop-up for whoever may not close the case (it may have ended meanwhile).

        """
        refusal = self._close_refusal(user_id, number, await self.store.case(number))
        if refusal is not None:
            return refusal
        if question is not None:
            kept = question.text if confirmed else self.texts("group_close_kept", number=number)
            await self.group.edit(question.message_id, kept)
        return await self.close_by_counsellor(user_id, number, now) if confirmed else None

    async def close_by_counsellor(self, user_id: int, number: int, now: datetime) -> Notice | None:
        """Close a case for its counsellor or a lead: the topic closes, the parent may rate.

        Returns:
            The pop-up for whoever may not close it; None once it is closed.

        """
        async with self._deciding:
            case = await self.store.case(number)
            refusal = self._close_refusal(user_id, number, case)
            if refusal is not None or case is None:
                return refusal
            await self._post(case, self.texts("group_closed", number=number))
            done = await self._finish(case, CaseStatus.CLOSED, now)
        await self._audited(user_id, "case_closed", f"case:{number}", now)
        # A case closed before anyone claimed it had no counselling: nothing to rate.
        closing = (
            self._rating_reply(done, "case_ended")
            if case.status is CaseStatus.CLAIMED
            else Reply(self.texts("case_closed_unclaimed", number=number))
        )
        await self._tell_parent(done, (closing,), now)
        return None

    async def close_in_topic(self, user_id: int, topic_id: int, now: datetime) -> None:
        """Ask to close the case of a topic (`/schliessen` written in it); a refusal is said there.

        A typed command has no pop-up, so whoever may not close the case reads why in the topic.
        """
        case = await self.store.case_in_topic(topic_id)
        if case is None or not case.status.is_open:
            return
        refusal = await self.ask_close(user_id, case.number, now)
        if refusal is not None:
            await self._post(case, refusal.text)

    async def end_by_parent(self, parent_id: int, now: datetime) -> tuple[Reply, ...]:
        """End the conversation for the parent (`/ende`); a waiting case is withdrawn.

        Decided under the same lock as claiming and closing: a claim in the same moment either
        comes first (then the parent ends a counselling and may rate it) or finds the case over.
        """
        async with self._deciding:
            case = await self.store.open_case_of(parent_id)
            if case is None:
                return (Reply(self.texts("case_no_open_case")),)
            if case.status is not CaseStatus.CLAIMED:
                # Nobody has counselled yet: the request is withdrawn, nothing to rate.
                await self._post(case, self.texts("group_parent_withdrew", number=case.number))
                await self._finish(case, CaseStatus.CANCELLED, now)
                return (Reply(self.texts("case_withdrawn", number=case.number)),)
            await self._post(case, self.texts("group_parent_ended", number=case.number))
            done = await self._finish(case, CaseStatus.CLOSED, now)
        return (self._rating_reply(done, "case_ended"),)

    async def withdraw(self, parent_id: int, now: datetime) -> None:
        """Close the parent's open case because they delete their data.

        The neutral note is posted directly, not through the outbox: the parent's outbox rows
        are deleted with everything else in the same moment.
        """
        case = await self.store.open_case_of(parent_id)
        if case is None:
            return
        if case.topic_id is not None:
            note = self.texts("group_parent_deleted", number=case.number)
            try:
                # Bounded: the parent waits for their deletion while this holds their lock.
                await asyncio.wait_for(self.group.post(case.topic_id, note), WITHDRAW_NOTE_SECONDS)
            except Exception as exc:  # noqa: BLE001 - the deletion must go ahead regardless
                logger.info("deletion note not posted: %s", type(exc).__name__)
        status = CaseStatus.CANCELLED if case.status is CaseStatus.WAITING else CaseStatus.CLOSED
        await self._finish(case, status, now, close_now=True)

    async def rate(self, parent_id: int, number: int, rating: int) -> None:
        """Store the parent's rating of their own ended case and pass it into its topic.

        Anything else is ignored. Only the first rating is posted: a changed one is stored (the
        figures count it) but not posted again, since every post into a closed topic costs a
        reopen, the post and a close — three of the group's 20 requests a minute, which taps
        on old stars could otherwise use up for everyone's cases.
        """
        case = await self.store.case(number)
        if case is None or case.parent_id != parent_id or case.status.is_open:
            return
        if case.counsellor_id is None:
            return  # nobody counselled (an old or forged button): no rating to keep
        await self.store.save_case(replace(case, rating=rating))
        if case.rating is None:
            stars = "⭐" * rating
            rating_line = self.texts("group_case_rating", number=number, stars=stars)
            await self._send(
                case, GroupDelivery(number, DeliveryKind.POST, rating_line, reopen=True)
            )

    async def comment(self, parent_id: int, number: int, text: str) -> None:
        """Pass the parent's rating comment into the case's topic (it is not stored).

        The parent hears „angekommen" only once it arrived, or honestly that it could not.
        """
        case = await self.store.case(number)
        if case is not None and case.parent_id == parent_id and not case.status.is_open:
            stars = "⭐" * case.rating if case.rating else "–"
            note = self.texts("group_case_comment", number=number, stars=stars, text=text)
            delivery = GroupDelivery(number, DeliveryKind.POST, note, receipt=True, reopen=True)
            await self._send(case, delivery)

    # -- the counsellors' commands and the timers -------------------------------------------
    async def canned(self, user_id: int, topic_id: int, query: str, now: datetime) -> None:
        """Send an FAQ answer to the parent of the topic's case (`/antwort <entry-id>`).

        Without an id the topics are listed in the topic; a word that is no id is looked up in
        ids and titles: the one entry it names is sent, several are listed to choose from.
        """
        case = await self.store.case_in_topic(topic_id)
        if case is None or not case.status.is_open or self.config.counsellor(user_id) is None:
            return
        entries = self._kb.entries.values()
        found = look_up(entries, query) if query.strip() else None
        if found is None or found.entry is None:
            await self._post(case, self._canned_choice(query, found))
            return
        if case.status is CaseStatus.WAITING:
            await self._post(case, self.texts("group_not_claimed", number=case.number))
            return
        if case.counsellor_id != user_id:  # a colleague's case: only its counsellor answers
            name = self._counsellor_name(case)
            refusal = self.texts("group_canned_not_yours", number=case.number, name=name)
            await self._post(case, refusal)
            return
        entry_id = found.entry.id
        reply = self._answer(entry_id)
        if reply is None:
            await self._post(case, self.texts("group_canned_unknown", entry=query))
            return
        if await self._tell_parent(case, (reply,), now):
            await self._post(case, self.texts("group_canned_sent", title=reply.title or entry_id))
            # The entry id is one of ours (found above), never typed content.
            await self._audited(user_id, "canned_answer", f"case:{case.number}:{entry_id}", now)

    def _canned_choice(self, query: str, found: Lookup | None) -> str:
        """Return the list of topics to choose from: all of them, those matching, or none."""
        if found is None:
            lines = entry_lines(list(self._kb.entries.values()), self._kb.categories)
            return self.texts("group_canned_list", lines=lines)
        if not found.matches:
            return self.texts("group_canned_unknown", entry=query)
        return self.texts("group_canned_found", word=query, lines=entry_lines(found.matches))

    async def open_cases_text(self, now: datetime, reader: int | None = None) -> str:
        """List the open cases with how long they have waited (`/faelle`).

        Args:
            now: The current time.
            reader: The counsellor who asked; the reading is audited (case metadata).

        """
        cases = await self.store.open_cases()
        if reader is not None:
            await self._audited(reader, "cases_listed", None, now)
        if not cases:
            return self.texts("group_no_open_cases")
        lines = [
            f"#{c.number} · {c.category or 'Allgemein'} · {self._counsellor_name(c)} · "
            f"seit {int((now - c.opened_at).total_seconds() // 60)} Min."
            for c in cases
        ]
        return self.texts("group_open_cases", lines="\n".join(lines))

    async def figures_text(self, now: datetime, days: int = FIGURE_DAYS) -> str:
        """Report the case figures of the last days (`/statistik`)."""
        cases = await self.store.cases_opened_since(now - timedelta(days=days))
        return figures_text(case_figures(cases, now, self.zone), days)

    async def _close_inactive(self, number: int, inactive: timedelta, now: datetime) -> None:
        """Close a case without messages for `inactive`, read anew under the deciding lock."""
        async with self._deciding:
            case = await self.store.case(number)
            if case is None or not case.status.is_open or now - case.last_activity_at < inactive:
                return  # claimed, ended or written to in the meantime
            await self._post(case, self.texts("group_closed_inactive", number=case.number))
            done = await self._finish(case, CaseStatus.AUTO_CLOSED, now)
        await self._tell_parent(
            done, (Reply(self.texts("case_closed_inactive", number=done.number)),), now
        )

    async def tick(self, now: datetime) -> None:
        """Retry the outbox, remind of unclaimed cases, close inactive ones (a repeating job)."""
        await self.outbox.resume()
        remind = timedelta(minutes=self.config.remind_unclaimed_after_minutes)
        inactive = timedelta(hours=self.config.close_inactive_after_hours)
        for case in await self.store.open_cases():
            if now - case.last_activity_at >= inactive:
                await self._close_inactive(case.number, inactive, now)
            elif case.status is CaseStatus.WAITING and now - case.last_activity_at >= remind:
                waited = Noun.MINUTE.count(int((now - case.opened_at).total_seconds() // 60))
                await self._post(
                    case, self.texts("group_reminder", number=case.number, waited=waited)
                )
                await self.store.touch_case(case.number, now)
