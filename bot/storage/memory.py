"""In-memory `Store` for tests and the console.

`tests/test_storage.py` holds it to the same contract as the SQLite store.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from bot.cases.model import Case, CaseStatus
from bot.conversation.ports import FeedbackSummary, UnansweredQuestion, UserInfo, VoteCount
from bot.groups.model import Membership, Stage
from bot.outbox.model import ItemStatus, OutboxItem, Priority
from bot.privacy.ports import GROUP_MEMBER_DAYS, Retention
from bot.storage.case_rows import CASE_COLUMNS, case_from_row, case_to_row
from bot.storage.codecs import day_key, decode_state, encode_state, timestamp_text, to_utc


@dataclass
class _User:
    language: str | None
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True)
class _Feedback:
    entry_id: str
    helpful: bool | None
    reason: str | None
    day: date


@dataclass(frozen=True)
class _Unanswered:
    text: str
    day: date


@dataclass
class _PeerGroup:
    chat_id: int | None = None  # None while only a pause is known (as in SQLite)
    link: str | None = None
    paused_at: datetime | None = None


class MemoryStore:
    """Keep everything in dicts; the reference implementation of `Store`.

    Nothing survives the process. States are stored as JSON text, exactly like the SQLite
    store, so a state that is not JSON-serialisable fails here too and callers never share
    mutable dicts with the store. Unlike `SqliteStore`, it can be used without `open()`.
    """

    def __init__(self) -> None:
        self._users: dict[int, _User] = {}
        self._states: dict[int, str] = {}
        self._feedback: list[_Feedback] = []
        self._unanswered: list[_Unanswered] = []
        self._counters: dict[str, dict[str, int]] = {}
        self._cases: dict[int, tuple[Any, ...]] = {}  # rows, as the SQLite store keeps them
        self._sequence = 0
        self._outbox: dict[int, tuple[OutboxItem, ItemStatus]] = {}
        self._members: dict[tuple[int, int], Membership] = {}  # by (chat id, user id)
        self._groups: dict[str, _PeerGroup] = {}

    async def open(self) -> None:
        """Open the store (nothing to do in memory)."""

    async def close(self) -> None:
        """Close the store (nothing to flush; the data stays until the object is dropped)."""

    async def touch_user(self, user_id: int, language: str | None, now: datetime) -> None:
        """Record that a user was seen (first seen is kept, last seen updated).

        A `language` of None keeps the language already known.
        """
        moment = to_utc(now)
        user = self._users.get(user_id)
        if user is None:
            self._users[user_id] = _User(language, moment, moment)
            return
        user.last_seen = moment
        if language is not None:
            user.language = language

    async def user_info(self, user_id: int) -> UserInfo | None:
        """Return what is stored about the user itself, or None if the user was never touched."""
        user = self._users.get(user_id)
        if user is None:
            return None
        return UserInfo(user.language, user.first_seen, user.last_seen)

    async def load_state(self, user_id: int) -> dict[str, Any] | None:
        """Return the user's saved dialogue state, or None."""
        text = self._states.get(user_id)
        return None if text is None else decode_state(text)

    async def save_state(self, user_id: int, state: dict[str, Any], now: datetime) -> None:
        """Save the user's dialogue state (a JSON-serialisable dict), replacing the old one."""
        to_utc(now)
        self._states[user_id] = encode_state(state)

    async def add_feedback(
        self, entry_id: str, helpful: bool | None, reason: str | None, now: datetime
    ) -> None:
        """Store a vote (helpful True/False) or a reason for a "not helpful" vote, unlinked."""
        self._feedback.append(_Feedback(entry_id, helpful, reason, to_utc(now).date()))

    async def add_unanswered(self, text: str, now: datetime) -> None:
        """Store a redacted question the bot could not answer, unlinked."""
        self._unanswered.append(_Unanswered(text, to_utc(now).date()))

    async def count(self, day: date, counter: str, amount: int = 1) -> None:
        """Add `amount` to the daily counter `counter` (e.g. "messages", "answer", "crisis")."""
        day_counters = self._counters.setdefault(day_key(day), {})
        day_counters[counter] = day_counters.get(counter, 0) + amount

    async def counters(self, day: date) -> dict[str, int]:
        """Return all counters of a day (an empty dict for a day without counts)."""
        return dict(self._counters.get(day_key(day), {}))

    async def counters_since(self, first: date) -> dict[date, dict[str, int]]:
        """Return the counters of every day from `first` on that has any, by day."""
        since = day_key(first)
        return {
            date.fromisoformat(day): dict(sorted(values.items()))
            for day, values in sorted(self._counters.items())
            if day >= since and values
        }

    async def votes_since(self, first: date) -> VoteCount:
        """Return the 👍 and 👎 votes on every answer from the (UTC) day `first` on."""
        votes = [row.helpful for row in self._feedback if row.day >= first]
        return VoteCount(votes.count(True), votes.count(False))

    async def unanswered_count_since(self, first: date) -> int:
        """Return how many unanswered questions were kept from the (UTC) day `first` on."""
        return sum(1 for question in self._unanswered if question.day >= first)

    async def feedback_summary(self) -> list[FeedbackSummary]:
        """Return votes per entry, most "not helpful" first, then by entry id.

        Only votes count; an entry that has reasons but no votes is left out.
        """
        votes: dict[str, list[int]] = {}
        for row in self._feedback:
            if row.helpful is None:
                continue
            tally = votes.setdefault(row.entry_id, [0, 0])
            tally[0 if row.helpful else 1] += 1
        summaries = [FeedbackSummary(entry, up, down) for entry, (up, down) in votes.items()]
        return sorted(summaries, key=lambda s: (-s.not_helpful, s.entry_id))

    async def unanswered(self, limit: int = 50) -> list[UnansweredQuestion]:
        """Return at most `limit` unanswered questions, newest first."""
        if limit <= 0:
            return []
        newest = self._unanswered[::-1]
        return [UnansweredQuestion(q.text, q.day) for q in newest[:limit]]

    async def open_case(
        self, parent_id: int, category: str | None, show_first_name: bool, now: datetime
    ) -> Case:
        """Create a case in status WAITING and return it with its number."""
        moment = to_utc(now)
        number = max(self._cases, default=0) + 1
        case = Case(number, parent_id, CaseStatus.WAITING, moment, moment, category=category,
                    show_first_name=show_first_name)  # fmt: skip
        self._cases[number] = case_to_row(case)
        return case_from_row(self._cases[number])

    async def save_case(self, case: Case) -> None:
        """Store a changed case (matched by number)."""
        if case.number in self._cases:
            topic = self._cases[case.number][4]
            self._cases[case.number] = case_to_row(replace(case, topic_id=topic))

    async def set_topic(self, number: int, topic_id: int) -> None:
        """Remember a case's forum topic (only that column)."""
        self._update_case(number, topic_id=topic_id)

    async def touch_case(self, number: int, now: datetime) -> None:
        """Record activity on a case (only that column)."""
        self._update_case(number, last_activity_at=to_utc(now))

    def _update_case(self, number: int, **changes: Any) -> None:
        if number in self._cases:
            found = case_from_row(self._cases[number])
            self._cases[number] = case_to_row(replace(found, **changes))

    async def case(self, number: int) -> Case | None:
        """Return a case by number."""
        row = self._cases.get(number)
        return case_from_row(row) if row else None

    def _all_cases(self) -> list[Case]:
        return [case_from_row(row) for _, row in sorted(self._cases.items())]

    async def open_case_of(self, parent_id: int) -> Case | None:
        """Return the parent's open case, if any."""
        found = [c for c in self._all_cases() if c.parent_id == parent_id and c.status.is_open]
        return found[-1] if found else None

    async def case_in_topic(self, topic_id: int) -> Case | None:
        """Return the newest case a forum topic belongs to."""
        found = [c for c in self._all_cases() if c.topic_id == topic_id]
        return found[-1] if found else None

    async def open_cases(self) -> list[Case]:
        """Return every open case, oldest first."""
        return [c for c in self._all_cases() if c.status.is_open]

    async def cases_opened_since(self, moment: datetime) -> list[Case]:
        """Return the cases opened at or after a moment, oldest first."""
        return [c for c in self._all_cases() if c.opened_at >= moment]

    async def enqueue(
        self,
        queue: str,
        priority: Priority,
        owner: int | None,
        payload: Mapping[str, Any],
        now: datetime,
    ) -> int:
        """Write a pending item and return its id."""
        item_id = max(self._outbox, default=0) + 1
        copied = json.loads(json.dumps(payload))  # JSON round trip, as SQLite stores it
        item = OutboxItem(item_id, queue, priority, owner, copied, 0, to_utc(now))
        self._outbox[item_id] = (item, ItemStatus.PENDING)
        return item_id

    async def next_pending(
        self, queue: str, skip: frozenset[int] = frozenset()
    ) -> OutboxItem | None:
        """Return the queue's pending item to send next (most urgent, then oldest)."""
        pending = [
            item
            for item, status in self._outbox.values()
            if item.queue == queue and status is ItemStatus.PENDING and item.id not in skip
        ]
        return min(pending, key=lambda item: (item.priority, item.id), default=None)

    async def mark_sent(self, item_id: int, now: datetime) -> None:
        """Mark an item sent and forget its payload."""
        if item_id in self._outbox:  # (deleted with its parent meanwhile)
            item, _ = self._outbox[item_id]
            self._outbox[item_id] = (replace(item, payload={}), ItemStatus.SENT)

    async def record_failure(
        self, item_id: int, give_up_after: int, error: str | None = None
    ) -> ItemStatus:
        """Count a failed attempt; after `give_up_after` of them the item is FAILED.

        The reason is kept by the SQLite store only (its `last_error` column).
        """
        if item_id not in self._outbox:
            return ItemStatus.FAILED
        item, status = self._outbox[item_id]
        item = replace(item, attempts=item.attempts + 1)
        if item.attempts >= give_up_after:
            item, status = replace(item, payload={}), ItemStatus.FAILED
        self._outbox[item_id] = (item, status)
        return status

    async def outbox_backlog(self, queue: str) -> int:
        """Return how many items of a queue are pending."""
        return sum(
            1
            for item, status in self._outbox.values()
            if item.queue == queue and status is ItemStatus.PENDING
        )

    async def save_membership(self, membership: Membership) -> None:
        """Store (or replace) one person's stage with one group."""
        since = to_utc(membership.since)
        self._members[membership.chat_id, membership.user_id] = replace(membership, since=since)

    async def membership(self, chat_id: int, user_id: int) -> Membership | None:
        """Return one person's stage with one group, if any."""
        return self._members.get((chat_id, user_id))

    async def drop_membership(self, chat_id: int, user_id: int) -> None:
        """Forget one person's stage with one group (nothing happens if there is none)."""
        self._members.pop((chat_id, user_id), None)

    async def memberships_since(self, stage: Stage, before: datetime) -> list[Membership]:
        """Return the memberships of a stage that began before `before`, oldest first."""
        moment = to_utc(before)
        found = [m for m in self._members.values() if m.stage is stage and m.since < moment]
        return sorted(found, key=lambda m: (m.since, m.chat_id, m.user_id))

    async def group_link(self, group_id: str, chat_id: int) -> str | None:
        """Return the join-request link stored for a group in this chat (not another chat's)."""
        group = self._groups.get(group_id)
        return group.link if group is not None and group.chat_id == chat_id else None

    async def save_group_link(self, group_id: str, chat_id: int, link: str) -> None:
        """Store a group's join-request link (replacing one of another chat); keeps a pause."""
        group = self._groups.setdefault(group_id, _PeerGroup())
        group.chat_id, group.link = chat_id, link

    async def paused_groups(self) -> frozenset[str]:
        """Return the ids of the groups that take no new members for now."""
        return frozenset(k for k, group in self._groups.items() if group.paused_at is not None)

    async def set_paused(self, group_id: str, paused: bool, now: datetime) -> None:
        """Pause a group or let it take new members again (a repeated pause keeps its time)."""
        moment = to_utc(now)
        group = self._groups.setdefault(group_id, _PeerGroup())
        group.paused_at = (group.paused_at or moment) if paused else None

    def _purge_members(self, before: datetime) -> int:
        """Delete the memberships that began before a moment; return how many."""
        old = [key for key, found in self._members.items() if found.since < before]
        for key in old:
            del self._members[key]
        return len(old)

    async def delete_user(self, user_id: int) -> None:
        """Delete everything stored about a user (daily counters hold no user and stay)."""
        self._outbox = {k: v for k, v in self._outbox.items() if v[0].owner != user_id}
        self._cases = {n: r for n, r in self._cases.items() if r[1] != user_id}
        self._users.pop(user_id, None)
        self._states.pop(user_id, None)
        self._members = {k: v for k, v in self._members.items() if k[1] != user_id}

    async def user_exists(self, user_id: int) -> bool:
        """Return whether anything about the user is stored."""
        return (
            user_id in self._users
            or user_id in self._states
            or any(row[1] == user_id for row in self._cases.values())
            or any(item.owner == user_id for item, _ in self._outbox.values())
            or any(user == user_id for _, user in self._members)
        )

    async def export_user(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Return every stored row about a user, by table, shaped like the SQLite rows."""
        user = self._users.get(user_id)
        users = [] if user is None else [{"user_id": user_id, **_user_columns(user)}]
        state = self._states.get(user_id)
        states = [] if state is None else [{"user_id": user_id, "state": state}]
        cases = [
            {
                k: v
                for k, v in zip(CASE_COLUMNS.split(", "), row, strict=True)
                if k != "counsellor_id"
            }
            for row in self._cases.values()
            if row[1] == user_id
        ]
        outbox = [
            {"id": item.id, "queue": item.queue, "status": status.value, "payload": item.payload}
            for item, status in self._outbox.values()
            if item.owner == user_id
        ]
        members = [
            _member_columns(found) for found in self._members.values() if found.user_id == user_id
        ]
        return {
            "users": users,
            "states": states,
            "cases": cases,
            "outbox": outbox,
            "group_members": members,
        }

    async def purge(self, retention: Retention, now: datetime) -> dict[str, int]:
        """Delete what is due under the retention periods; return rows deleted per kind."""
        moment = to_utc(now)
        logs_before = (moment - timedelta(days=retention.unanswered_days)).date()
        inactive = moment - timedelta(days=retention.inactive_days)
        cases_before = moment - timedelta(days=retention.closed_case_days)
        outbox_before = moment - timedelta(days=retention.outbox_days)
        counts = {"unanswered": len(self._unanswered), "feedback": len(self._feedback)}
        self._unanswered = [q for q in self._unanswered if q.day >= logs_before]
        self._feedback = [f for f in self._feedback if f.day >= logs_before]
        counts = {k: v - len(getattr(self, f"_{k}")) for k, v in counts.items()}
        stale = [u for u, info in self._users.items() if info.last_seen < inactive]
        counts["states"] = sum(self._states.pop(u, None) is not None for u in stale)
        for user in stale:
            del self._users[user]
        counts["users"] = len(stale)
        closed = [n for n, row in self._cases.items() if _closed_before(row, cases_before)]
        for number in closed:
            del self._cases[number]
        counts["cases"] = len(closed)
        done = [
            k
            for k, (item, status) in self._outbox.items()
            if status is not ItemStatus.PENDING and item.created_at < outbox_before
        ]
        for key in done:
            del self._outbox[key]
        counts["outbox"] = len(done)
        counts["group_members"] = self._purge_members(moment - timedelta(days=GROUP_MEMBER_DAYS))
        return counts


def _user_columns(user: _User) -> dict[str, Any]:
    return {
        "language": user.language,
        "first_seen": user.first_seen.isoformat(),
        "last_seen": user.last_seen.isoformat(),
    }


def _member_columns(membership: Membership) -> dict[str, Any]:
    return {
        "chat_id": membership.chat_id,
        "user_id": membership.user_id,
        "stage": membership.stage.value,
        "since": timestamp_text(membership.since),
    }


def _closed_before(row: tuple[Any, ...], moment: datetime) -> bool:
    """Return whether a case row (CASE_COLUMNS order) was closed before a moment."""
    closed_at = row[9]
    if closed_at is None:
        return False
    closed = closed_at if isinstance(closed_at, datetime) else datetime.fromisoformat(closed_at)
    return closed < moment
