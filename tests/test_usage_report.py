"""Newcomer D19: the staff's usage report, and the store queries behind it (both stores)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.content.knowledge import KnowledgeBase
from bot.conversation.ports import VoteCount
from bot.storage.memory import MemoryStore
from bot.storage.sqlite import SqliteStore
from bot.usage.report import UsageReport

AnyStore = MemoryStore | SqliteStore
BERLIN = ZoneInfo("Europe/Berlin")
# Monday 07.12.2026, 10:00 in Berlin; the report covers 08.11. to 07.12.
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


async def test_counters_since_groups_the_days_from_the_first_on(store: AnyStore) -> None:
    await store.count(date(2026, 11, 7), "answer", 5)  # before the period
    await store.count(date(2026, 11, 8), "answer", 2)
    await store.count(date(2026, 12, 7), "fallback")
    await store.count(date(2026, 12, 7), "answer", 3)
    assert await store.counters_since(date(2026, 11, 8)) == {
        date(2026, 11, 8): {"answer": 2},
        date(2026, 12, 7): {"answer": 3, "fallback": 1},
    }
    assert await store.counters_since(date(2026, 12, 8)) == {}


async def test_votes_and_unanswered_since_count_only_the_period(store: AnyStore) -> None:
    old = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    assert await store.votes_since(date(2026, 11, 8)) == VoteCount(0, 0)
    for moment, helpful in ((old, True), (NOW, True), (NOW, True), (NOW, False)):
        await store.add_feedback("kindergeld", helpful, None, moment)
    await store.add_feedback("kindergeld", None, "outdated", NOW)  # a reason, not a vote
    await store.add_unanswered("alt", old)
    await store.add_unanswered("neu", NOW)
    assert await store.votes_since(date(2026, 11, 8)) == VoteCount(2, 1)
    assert await store.unanswered_count_since(date(2026, 11, 8)) == 1
    assert await store.unanswered_count_since(date(2026, 11, 1)) == 2


async def test_the_report_in_words(kb: KnowledgeBase) -> None:
    store = MemoryStore()
    await store.count(date(2026, 12, 1), "answer", 12)
    await store.count(date(2026, 12, 1), "fallback", 2)
    await store.count(date(2026, 12, 2), "clarify")  # a day with neither answer nor fallback
    await store.count(date(2026, 12, 7), "answer", 3)
    await store.add_feedback("kindergeld", False, None, NOW)
    long_question = "Wie ist das mit " + "dem Unterhalt und " * 20 + "dem Kindergeld?"
    for text in ("erste", "Kita in [Ort]?", "Umgang\nam Wochenende", long_question):
        await store.add_unanswered(text, NOW)
    report = UsageReport(store, kb.texts, BERLIN, with_cases=False)
    lines = (await report.text(NOW)).splitlines()
    assert lines[:5] == [
        "📊 Nutzung der letzten 30 Tage (08.11. bis 07.12.2026)",
        "Antworten: 15 · keine passende Antwort: 2 · Rückfrage „Meinten Sie …?“: 1",
        "Pro Tag (Antworten / keine passende Antwort): 01.12. 12/2, 07.12. 3/0",
        "Bewertungen der Antworten: 👍 0 · 👎 1",
        "Gespeicherte Fragen ohne Antwort (ohne Namen und Adressen): 4",
    ]
    # The three newest, on one line each, a long one cut at a word.
    assert lines[5] == "Die neuesten:"
    assert lines[6].startswith("• „Wie ist das mit dem Unterhalt")
    assert lines[6].endswith(" …“")
    assert len(lines[6]) < 160
    assert lines[7:] == ["• „Umgang am Wochenende“", "• „Kita in [Ort]?“"]
    assert "Beratungsfälle" not in report.render(await report.usage(NOW), NOW, 30)


async def test_a_quiet_month_says_so_and_shows_the_cases(kb: KnowledgeBase) -> None:
    store = MemoryStore()
    await store.open_case(4711, "Unterhalt", False, NOW)
    report = UsageReport(store, kb.texts, BERLIN, with_cases=True)
    text = await report.text(NOW)
    assert "In diesen Tagen hat niemand dem Bot geschrieben." in text
    assert "Bewertungen der Antworten: 👍 0 · 👎 0" in text
    assert "Die neuesten" not in text
    assert text.endswith("Bewertung: – (0 Bewertungen)")
    assert "\n\nBeratungsfälle:\nFälle der letzten 30 Tage: 1 (pro Tag: 07.12. 1)" in text
