"""Keeping the FAQ entries right: which are due for review, how parents rate them, and edits.

Staff see every entry with its review date (one older than twelve months is overdue and comes
first), its 👍/👎 and the yearly figures. Editors change an entry's questions, answer, related
entries, legal basis and sources: first as a preview (the unified diff of its file and the
answer as a parent would get it), then for real. The file edit is a port (`EntryEditor`): it
validates the changed file in a copy of the knowledge base, as `elternlotse check` does, and
only a valid file replaces the old one; the live dialogue then answers from it.
"""

from __future__ import annotations

import asyncio
import difflib
import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

from bot.console.model import ConsoleRole, Session
from bot.content.knowledge import Entry, KnowledgeBase
from bot.dialogue.core import Dialogue
from bot.dialogue.model import Reply
from bot.flows.figures import figure_values

REVIEW_MONTHS = 12
EDITORS_ONLY = "Nur Redakteurinnen und Redakteure dürfen Einträge ändern."


@dataclass(frozen=True)
class EntryChange:
    """The fields of an entry an editor may change, as they are to be written."""

    questions: tuple[str, ...]
    answer: str
    related: tuple[str, ...]
    legal_basis: tuple[str, ...]
    sources: tuple[tuple[str, str], ...]  # (title, url)


@dataclass(frozen=True)
class EntryEdit:
    """A change applied to an entry's file: its text before and after, and the check's result."""

    before: str
    after: str
    result: KnowledgeBase | list[str]  # the knowledge base with the change, or `file:line: …`
    conflict: bool = False  # the file is no longer the version the form was made from


class EntryEditor(Protocol):
    """Changes an entry's YAML file (an adapter; blocking, run in a worker thread)."""

    def change_entry(
        self, entry_id: str, change: EntryChange, *, save: bool, expected: str | None = None
    ) -> EntryEdit:
        """Apply a change in a validated copy; with `save` replace the file when it is valid.

        With `expected` (a `version_of` the file as the form showed it) a file that changed
        meanwhile is not written: the edit comes back with `conflict`.
        """

    def version(self, entry_id: str) -> str | None:
        """Return the `version_of` an entry's file as it is now; None without such a file."""


class Votes(Protocol):
    """The 👍 and 👎 one entry got."""

    @property
    def entry_id(self) -> str:
        """Return the entry's id."""

    @property
    def helpful(self) -> int:
        """Return the number of 👍."""

    @property
    def not_helpful(self) -> int:
        """Return the number of 👎."""


class VoteStore(Protocol):
    """The votes on answers (the SQLite store keeps them unlinked)."""

    async def feedback_summary(self) -> Sequence[Votes]:
        """Return the votes per entry."""


class Auditor(Protocol):
    """Writes a change made in the console to the audit table (`ConsoleAccess`)."""

    async def audit(self, session: Session, action: str, subject: str | None) -> None:
        """Record who did what to which subject."""


@dataclass(frozen=True)
class EntryRow:
    """One line of the overview."""

    entry_id: str
    title: str
    category: str
    reviewed: date
    overdue: bool
    helpful: int
    not_helpful: int

    @property
    def rate(self) -> int | None:
        """Return the share of 👍 among the votes in percent; None without votes."""
        votes = self.helpful + self.not_helpful
        return round(100 * self.helpful / votes) if votes else None


@dataclass(frozen=True)
class YearFigures:
    """One yearly figures file as the answers use it: placeholder and formatted value."""

    valid_from: date
    reviewed: date
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Proposal:
    """What a preview or a save came to."""

    diff: str  # unified diff of the entry's file ("" when nothing changes)
    preview: Reply | None  # the changed answer as a parent gets it; None when invalid
    problems: tuple[str, ...] = ()
    saved: bool = False
    conflict: bool = False  # someone else saved the entry since the form was loaded


def version_of(text: str) -> str:
    """Return the version of a file's text that an edit form carries (its SHA-256)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def review_due(today: date) -> date:
    """Return the day before which a review is overdue: twelve months before today."""
    year, month = divmod(today.year * 12 + today.month - 1 - REVIEW_MONTHS, 12)
    month += 1
    day = today.day
    while True:  # 29 February → 28 February in a year without it
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


class KnowledgeUpkeep:
    """Lists the entries with their review dates and votes; previews and saves edits."""

    def __init__(
        self,
        store: VoteStore,
        auditor: Auditor,
        dialogue: Dialogue,
        editor: EntryEditor,
        lock: asyncio.Lock | None = None,
    ) -> None:
        """Keep the votes, the audit, the live dialogue (reloaded after a save) and the editor.

        `lock` is shared by every writer of the knowledge files (the curation too): a write and
        the reload after it happen as one, so the bot never ends on an older knowledge base.
        """
        self._store = store
        self._auditor = auditor
        self._dialogue = dialogue
        self._editor = editor
        self._lock = lock or asyncio.Lock()

    async def overview(self, today: date) -> list[EntryRow]:
        """Return every entry: the overdue ones first (oldest review first), then by category."""
        kb = self._dialogue.kb
        labels = {c.id: c.label for c in kb.categories}
        votes = {v.entry_id: v for v in await self._store.feedback_summary()}
        due = review_due(today)
        rows = [
            EntryRow(
                e.id,
                e.title,
                labels.get(e.category, e.category),
                e.reviewed,
                e.reviewed < due,
                votes[e.id].helpful if e.id in votes else 0,
                votes[e.id].not_helpful if e.id in votes else 0,
            )
            for e in kb.entries.values()
        ]
        return sorted(
            rows,
            key=lambda r: (
                not r.overdue,
                r.reviewed if r.overdue else date.min,
                r.category,
                r.title,
            ),
        )

    def figures(self) -> list[YearFigures]:
        """Return the yearly figures the answers fill in, one table per year file."""
        return [
            YearFigures(p.valid_from, p.reviewed, tuple(figure_values(p).items()))
            for p in sorted(self._dialogue.kb.calculators, key=lambda p: p.valid_from)
        ]

    def entry(self, entry_id: str) -> Entry | None:
        """Return a live entry, or None."""
        return self._dialogue.kb.entries.get(entry_id)

    def entries(self) -> list[Entry]:
        """Return the live entries by title."""
        return sorted(self._dialogue.kb.entries.values(), key=lambda e: e.title)

    def category_label(self, category_id: str) -> str:
        """Return a category's label as parents see it in the menu."""
        labels = {c.id: c.label for c in self._dialogue.kb.categories}
        return labels.get(category_id, category_id)

    def reply(self, entry: Entry) -> Reply:
        """Return the reply a parent gets for an entry: title, filled text, footer, buttons."""
        known = self._dialogue.kb.entries
        shown = replace(entry, related=tuple(r for r in entry.related if r in known))
        return self._dialogue.views.answer_reply(shown)

    async def propose(self, session: Session, entry_id: str, change: EntryChange) -> Proposal:
        """Show what a change would do: the diff and the answer as a parent gets it."""
        if session.role is not ConsoleRole.EDITOR:
            return Proposal("", None, (EDITORS_ONLY,))
        edit = await asyncio.to_thread(self._editor.change_entry, entry_id, change, save=False)
        return self._proposal(entry_id, edit)

    def version(self, entry_id: str) -> str:
        """Return the version of an entry's file that an edit form carries ("" without one)."""
        return self._editor.version(entry_id) or ""

    async def save(
        self, session: Session, entry_id: str, change: EntryChange, version: str
    ) -> Proposal:
        """Write a change when it is valid; the live dialogue answers from it at once.

        Args:
            session: Who saves (only editors may).
            entry_id: The entry.
            change: The fields as the form sent them.
            version: The file's version when the form was loaded; a file saved meanwhile by
                someone else is not overwritten (the proposal says `conflict`).

        """
        if session.role is not ConsoleRole.EDITOR:
            return Proposal("", None, (EDITORS_ONLY,))
        async with self._lock:
            edit = await asyncio.to_thread(
                self._editor.change_entry, entry_id, change, save=True, expected=version
            )
            proposal = self._proposal(entry_id, edit)
            if edit.conflict:
                return replace(proposal, conflict=True)
            if isinstance(edit.result, KnowledgeBase):
                self._dialogue.reload(edit.result)
        if isinstance(edit.result, KnowledgeBase):
            await self._auditor.audit(session, "edit_entry", entry_id)
            return replace(proposal, saved=True)
        return proposal

    def _proposal(self, entry_id: str, edit: EntryEdit) -> Proposal:
        diff = unified_diff(edit.before, edit.after, f"faq/{entry_id}.yaml")
        if isinstance(edit.result, list):
            return Proposal(diff, None, tuple(edit.result))
        return Proposal(diff, self.reply(edit.result.entries[entry_id]))


def unified_diff(before: str, after: str, name: str) -> str:
    """Return the unified diff of two versions of a file ("" when they are the same)."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"{name} (bisher)",
        tofile=f"{name} (neu)",
    )
    return "".join(lines)


def parse_change(
    questions: str, answer: str, related: str, legal_basis: str, sources: str
) -> EntryChange | list[str]:
    """Read the form's fields: one question, id, legal basis, `title | url` source per line.

    Returns:
        The change, or what is wrong with the form (the file's own rules are checked later,
        with `file:line` problems).

    """
    fields = {
        "Fragen": questions,
        "Antwort": answer,
        "Verwandte Einträge": related,
        "Rechtsgrundlage": legal_basis,
        "Quellen": sources,
    }
    # Every line break becomes \n: a lone \r would be written raw into the YAML file, where
    # it ends the line and the rest becomes a key of its own (a field the form does not offer).
    fields = {
        label: value.replace("\r\n", "\n").replace("\r", "\n") for label, value in fields.items()
    }
    problems = [p for label, value in fields.items() if (p := _control_problem(label, value))]
    if problems:
        return problems
    questions, answer, related, legal_basis, sources = fields.values()
    parsed: list[tuple[str, str]] = []
    for number, line in enumerate(_lines(sources), start=1):
        title, bar, url = line.partition("|")
        if not bar or not title.strip() or not url.strip():
            problems.append(f"Quellen, Zeile {number}: bitte als „Titel | https://…“ angeben.")
        else:
            parsed.append((" ".join(title.split()), url.strip()))
    if problems:
        return problems
    text = "\n".join(line.rstrip() for line in answer.split("\n"))
    return EntryChange(
        questions=tuple(" ".join(q.split()) for q in _lines(questions)),
        answer=text.strip(),
        related=tuple(r for line in _lines(related) for r in line.replace(",", " ").split()),
        legal_basis=tuple(_lines(legal_basis)),
        sources=tuple(parsed),
    )


def _control_problem(label: str, text: str) -> str | None:
    """Return why a field cannot be saved when it holds a control character, else None.

    Tab and line feed are text; any other control character (or a Unicode line or paragraph
    separator, which YAML readers may take as a line break) is invisible in the form and the
    diff, and could change the file's structure.
    """
    for char in text:
        if char in "\n\t":
            continue
        if unicodedata.category(char) in {"Cc", "Zl", "Zp"}:
            return (
                f"{label}: enthält ein unsichtbares Steuerzeichen (U+{ord(char):04X}), das "
                "nicht gespeichert werden kann. Bitte entfernen Sie es (z. B. den Text ohne "
                "Formatierung neu einfügen)."
            )
    return None


def _lines(text: str) -> list[str]:
    """Return the non-empty lines of a text field, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]
