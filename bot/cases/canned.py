"""Finding the FAQ entry a counsellor means with `/antwort`: by id, by a word, or from the list.

Counsellors see titles („Unterhaltsvorschuss"), not the file names the ids come from, so a word
is looked up in ids and titles alike, with umlauts and „ß" written either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.content.knowledge import Category, Entry

# Umlauts as the ids spell them („unterhalt-hoehe"), so „höhe" and „hoehe" both find it.
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_WORD = re.compile(r"[a-z0-9]+")
MIN_WORD = 3  # shorter pieces („zu", „in") would find nearly everything


@dataclass(frozen=True)
class Lookup:
    """What a `/antwort` argument names.

    Attributes:
        entry: The one entry meant: the exact id, or the only entry containing every word.
        matches: Otherwise the entries containing the most words; empty when nothing matched.

    """

    entry: Entry | None
    matches: tuple[Entry, ...] = ()


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().translate(_FOLD))


def _haystack(entry: Entry) -> str:
    return " ".join(_words(f"{entry.id} {entry.title}"))


def look_up(entries: Iterable[Entry], query: str) -> Lookup:
    """Find the entry a counsellor means.

    Args:
        entries: The FAQ entries.
        query: What followed `/antwort` (an id or a word or two).

    Returns:
        The entry when the id is exact or one entry alone contains every word; else the
        entries containing the most words, to choose from. One that misses a word is only
        offered („unterhaltsvorschuss-antrag" lists `unterhaltsvorschuss`), never sent: the
        parent would get an answer nobody chose.

    """
    entries = list(entries)
    exact = next((e for e in entries if e.id == query.strip().lower()), None)
    if exact is not None:
        return Lookup(exact)
    words = [w for w in _words(query) if len(w) >= MIN_WORD]
    scored = [(sum(w in _haystack(e) for w in words), e) for e in entries]
    best = max((score for score, _ in scored), default=0)
    if best == 0:
        return Lookup(None)
    matches = tuple(e for score, e in scored if score == best)
    if best == len(words) and len(matches) == 1:
        return Lookup(matches[0])
    return Lookup(None, matches)


def entry_lines(entries: Sequence[Entry], categories: Sequence[Category] = ()) -> str:
    """Return one compact line per entry („kindergeld – Kindergeld"), under category labels.

    Args:
        entries: The entries to list, in their order.
        categories: The menu categories; given, entries are grouped under their labels.

    """
    if not categories:
        return "\n".join(f"{e.id} – {e.title}" for e in entries)
    blocks = []
    for category in categories:
        inside = [e for e in entries if e.category == category.id]
        if inside:
            blocks.append(f"{category.label}:\n" + entry_lines(inside))
    known = {c.id for c in categories}
    rest = [e for e in entries if e.category not in known]
    if rest:
        blocks.append(entry_lines(rest))
    return "\n\n".join(blocks)
