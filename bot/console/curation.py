"""The curator loop: what parents asked that the bot could not answer, and what staff make of it.

A group of questions becomes a new phrasing of an entry (the bot answers it from then on), goes
on the „new entry needed" list, or is ignored.

Questions are grouped by similarity of their words (rapidfuzz ratio of the sorted word sets,
greedy, largest group first, in a worker thread); each group shows the bot's candidates for its
most frequent question. The texts are the redacted, unlinked ones the bot kept; a decided
question leaves the list.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Protocol

from rapidfuzz import fuzz, process

from bot.console.model import ConsoleRole, Session
from bot.console.ports import CurationStore, LoginStore
from bot.content.knowledge import KnowledgeBase
from bot.dialogue.core import Dialogue
from bot.language.normalize import fold

SIMILAR = (
    70.0  # similarity (0–100) of two questions' sorted word sets from which they are one group
)
MOST_GROUPS = 200
MAX_QUESTION = 300  # characters of a question staff may decide on (as a phrasing's limit)
EARLIEST = date(2000, 1, 1)  # older than any stored question
TOO_LONG = f"Eine Frage ist zu lang (höchstens {MAX_QUESTION} Zeichen)."
PHRASING_BY_EDITORS = (
    "Als Formulierung übernehmen Redakteurinnen und Redakteure eine Frage mit „Hinzufügen“."
)
WAIT_SECONDS = 1.5  # a page waits this long for the grouping, then shows its progress


class Decision(Enum):
    """What staff made of a question."""

    PHRASING = "phrasing"  # added to an entry as a new phrasing
    NEW_ENTRY = "new_entry"  # needs an entry of its own (the to-do list)
    IGNORE = "ignore"


class Editor(Protocol):
    """Changes the knowledge files (an adapter; blocking, run in a worker thread)."""

    def add_question(self, entry_id: str, question: str) -> KnowledgeBase | list[str]:
        """Add a phrasing; return the new knowledge base or the problems (`file:line: …`)."""


@dataclass(frozen=True)
class Group:
    """Questions that say the same, with how often each was asked and the bot's candidates."""

    questions: tuple[tuple[str, int], ...]  # text, times asked; the most frequent first
    candidates: tuple[str, ...]  # entry ids the bot would offer for the first question

    @property
    def size(self) -> int:
        """Return how often the group's questions were asked in all."""
        return sum(n for _, n in self.questions)


@dataclass(frozen=True)
class Downvoted:
    """An entry that got 👎 in the period, with the reasons parents gave."""

    entry_id: str
    count: int
    reasons: tuple[tuple[str, int], ...]


class Curation:
    """Lists the open questions and carries out staff's decisions on them."""

    def __init__(
        self,
        store: CurationStore,
        audit: LoginStore,
        dialogue: Dialogue,
        editor: Editor,
        now: Callable[[], datetime],
        lock: asyncio.Lock | None = None,
    ) -> None:
        """Keep the store, the live dialogue (reloaded after a change) and the file editor.

        `lock` is the one every writer of the knowledge files holds (see `KnowledgeUpkeep`).
        """
        self._store = store
        self._audit = audit
        self._dialogue = dialogue
        self._editor = editor
        self._now = now
        self._lock = lock or asyncio.Lock()
        self._jobs: dict[tuple[date, date, int], _Grouping] = {}

    async def open_questions(self, first: date, last: date) -> list[Group] | float:
        """Return the undecided unanswered questions of a period, grouped, largest first.

        Grouping runs in a worker thread (the bot keeps answering parents meanwhile); when it
        takes longer than a moment, the share done so far (0–1) is returned instead, and the
        page shows it and asks again. The result is kept until the questions change.
        """
        decided = await self._store.decisions()
        asked = Counter(
            text
            for text, _ in await self._store.unanswered_between(first, last)
            if text not in decided
        )
        key = (first, last, hash(frozenset(asked.items())))
        job = self._jobs.get(key)
        if job is None:
            job = _Grouping(asked)
            job.task = asyncio.ensure_future(asyncio.to_thread(job.run))
            self._jobs = {key: job}  # one period at a time is enough
        assert job.task is not None  # noqa: S101 - set just above or on an earlier call
        if not job.task.done():
            await asyncio.wait({job.task}, timeout=WAIT_SECONDS)
        if not job.task.done():
            return job.done / max(1, len(asked))
        return [
            Group(g, tuple(self._dialogue.ask(g[0][0]).candidates[:3]))
            for g in job.task.result()[:MOST_GROUPS]
        ]

    async def downvoted(self, first: date, last: date) -> list[Downvoted]:
        """Return the entries with 👎 in a period, most first, with their reasons."""
        votes = await self._store.downvotes_between(first, last)
        by_entry = Counter(entry for entry, _, _ in votes)
        return [
            Downvoted(
                entry,
                count,
                tuple(Counter(r for e, r, _ in votes if e == entry and r).most_common()),
            )
            for entry, count in by_entry.most_common()
        ]

    async def to_do(self) -> list[str]:
        """Return the questions staff marked „new entry needed"."""
        return sorted(
            q for q, (d, _) in (await self._store.decisions()).items() if d == "new_entry"
        )

    async def add_phrasing(
        self, session: Session, entry_id: str, questions: Sequence[str]
    ) -> list[str]:
        """Add a group's question to an entry as a phrasing; reload the bot; return problems.

        Only editors may; the first question is written, every one of the group is decided.
        """
        if session.role is not ConsoleRole.EDITOR:
            return ["Nur Redakteurinnen und Redakteure dürfen Antworten ändern."]
        if any(len(q) > MAX_QUESTION for q in questions):
            return [TOO_LONG]
        async with self._lock:  # write and reload as one, never interleaved with a Wissen save
            result = await asyncio.to_thread(self._editor.add_question, entry_id, questions[0])
            if isinstance(result, list):
                return result
            self._dialogue.reload(result)
        now = self._now()
        for question in questions:
            await self._store.decide(question, Decision.PHRASING.value, entry_id, now)
        await self._audit.audit(session.staff_id, session.role.value, "add_phrasing", entry_id, now)
        return []

    async def decide(
        self, session: Session, questions: Sequence[str], decision: Decision
    ) -> list[str]:
        """Mark a group „new entry needed" or „ignore"; return the problems (none: done).

        A phrasing is only ever added through `add_phrasing` (by editors, who write it into
        the entry); here only questions the bot really could not answer and nobody decided
        yet are marked, so no text of one's own lands on everyone's to-do list.
        """
        if decision is Decision.PHRASING:
            return [PHRASING_BY_EDITORS]
        if any(len(q) > MAX_QUESTION for q in questions):
            return [TOO_LONG]
        now = self._now()
        tomorrow = now.date() + timedelta(days=1)  # the local day may be ahead of UTC
        asked = {text for text, _ in await self._store.unanswered_between(EARLIEST, tomorrow)}
        decided = await self._store.decisions()
        open_ = [q for q in dict.fromkeys(questions) if q in asked and q not in decided]
        if not open_:
            return ["Diese Fragen sind nicht (mehr) offen."]
        for question in open_:
            await self._store.decide(question, decision.value, None, now)
        action, subject = f"question_{decision.value}", f"questions:{len(open_)}"
        await self._audit.audit(session.staff_id, session.role.value, action, subject, now)
        return []


Grouped = list[tuple[tuple[str, int], ...]]


class _Grouping:
    """One grouping run in a worker thread, with how many questions it has placed so far."""

    def __init__(self, asked: Counter[str]) -> None:
        self.asked = asked
        self.done = 0
        self.task: asyncio.Future[Grouped] | None = None

    def run(self) -> Grouped:
        return group_questions(self.asked, self._step)

    def _step(self) -> None:
        self.done += 1


def group_questions(asked: Counter[str], step: Callable[[], None] = lambda: None) -> Grouped:
    """Group questions by similar words, greedily, the most asked first; largest group first.

    Two questions are alike when their sets of folded words, sorted, are similar (rapidfuzz
    ratio ≥ SIMILAR): word order and repeats do not matter, and the comparison is one fast
    string ratio (10,000 questions in about a second, `bench/console.py`).
    """
    keys: list[str] = []
    members: list[list[tuple[str, int]]] = []
    for text, count in asked.most_common():
        key = " ".join(sorted(set(fold(text).split())))
        hit = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=SIMILAR)
        if hit is None:
            keys.append(key)
            members.append([(text, count)])
        else:
            members[hit[2]].append((text, count))
        step()
    groups = [tuple(m) for m in members]
    groups.sort(key=lambda g: -sum(n for _, n in g))
    return groups
