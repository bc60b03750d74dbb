"""The console's „Zahlen": the figures use case with hand-written counters; the page via HTTP."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from bot.announcements.model import Category
from bot.cases.model import Case, CaseStatus
from bot.config import AnnouncementsConfig, Config, ConsoleConfig, CounsellingConfig, Counsellor
from bot.console.figures import Figures
from bot.console.ports import BroadcastCount
from bot.conversation.ports import FeedbackSummary
from bot.dialogue.core import Dialogue
from bot.frontends.checks import validate
from bot.frontends.web.app import build_console
from bot.frontends.web.server import console_services
from bot.storage.sqlite import SqliteStore
from tests.conftest import KNOWLEDGE

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
FIRST, LAST = date(2025, 6, 2), date(2025, 6, 15)  # Monday of KW 23 … Sunday of KW 24


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), BERLIN)


def case(
    number: int, opened: datetime, claim_minutes: int | None, rating: int | None = None
) -> Case:
    claimed = opened + timedelta(minutes=claim_minutes) if claim_minutes is not None else None
    status = CaseStatus.CLAIMED if claimed else CaseStatus.WAITING
    return Case(number, 1000 + number, status, opened, opened, claimed_at=claimed, rating=rating)


@dataclass
class FakeFigures:
    counters: dict[date, dict[str, int]] = field(default_factory=dict)
    votes: list[FeedbackSummary] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    broadcasts: list[BroadcastCount] = field(default_factory=list)

    async def counters_since(self, first: date) -> dict[date, dict[str, int]]:
        return {d: dict(v) for d, v in self.counters.items() if d >= first}

    async def votes_per_entry_between(self, first: date, last: date) -> list[FeedbackSummary]:
        return list(self.votes)

    async def cases_opened_since(self, moment: datetime) -> list[Case]:
        return [c for c in self.cases if c.opened_at >= moment]

    async def open_cases(self) -> list[Case]:
        return [c for c in self.cases if c.status.is_open]

    async def broadcasts_between(self, first: date, last: date) -> list[BroadcastCount]:
        return [b for b in self.broadcasts if first <= b.day <= last]


def figures(store: FakeFigures) -> Figures:
    return Figures(store, BERLIN, lambda: NOW)


async def test_the_share_answered_without_a_person_counts_answers_and_flows() -> None:
    store = FakeFigures(
        {
            date(2025, 6, 1): {"answer": 99},  # before the period
            date(2025, 6, 2): {"messages": 20, "answer": 6, "flow": 2, "clarify": 1},
            date(2025, 6, 9): {"fallback": 3, "crisis": 1, "handoff": 1, "smalltalk": 7},
            date(2025, 6, 16): {"answer": 50},  # after the period
        }
    )
    usage = await figures(store).usage(FIRST, LAST)
    assert (usage.answered, usage.asked) == (8, 14)  # smalltalk and messages are no questions
    assert usage.share_answered == pytest.approx(8 / 14)
    assert len(usage.days) == 14
    assert usage.per_kind["answer"] == (6,) + (0,) * 13
    assert usage.per_kind["fallback"][7] == 3
    assert set(usage.per_kind) == {"answer", "clarify", "fallback", "crisis"}
    assert usage.per_week == (("KW 23/2025", 0), ("KW 24/2025", 3))


async def test_a_period_without_questions_has_no_share() -> None:
    usage = await figures(FakeFigures()).usage(FIRST, LAST)
    assert usage.share_answered is None
    assert usage.votes == ()
    assert usage.broadcasts == ()


async def test_top_topics_are_the_entries_with_the_most_votes() -> None:
    votes = [
        FeedbackSummary("kindergeld", 1, 0),
        FeedbackSummary("wohngeld", 4, 3),
        FeedbackSummary("elterngeld", 2, 0),
        FeedbackSummary("beistandschaft", 0, 2),
    ]
    usage = await figures(FakeFigures(votes=votes)).usage(FIRST, LAST)
    ranked = [v.entry_id for v in usage.top_topics]
    assert ranked == ["wohngeld", "beistandschaft", "elterngeld", "kindergeld"]


async def test_case_figures_of_a_period_and_who_waits_now() -> None:
    cases = [
        case(1, at(date(2025, 6, 1), 23, 30), 5),  # before the period (local day)
        case(2, at(date(2025, 6, 2), 9), 10, rating=5),
        case(3, at(date(2025, 6, 2), 10), 30, rating=4),
        case(4, at(date(2025, 6, 10), 11), 50, rating=5),
        case(5, at(date(2025, 6, 15), 23, 59), None),  # still waiting
        case(6, NOW - timedelta(minutes=90), None),  # waiting, opened after the period
    ]
    result = await figures(FakeFigures(cases=cases)).cases(FIRST, LAST)
    assert result.figures.cases == 4
    assert result.figures.median_claim_minutes == 30
    assert result.opened[0] == 2
    assert sum(result.opened) == 4
    assert result.ratings == (0, 0, 0, 1, 2)
    assert result.waiting_now == 2  # of any period
    assert result.longest_waiting_minutes == pytest.approx(
        (NOW - at(date(2025, 6, 15), 23, 59)).total_seconds() / 60
    )


async def test_the_csv_table_has_a_row_for_every_day_and_every_counter() -> None:
    store = FakeFigures(
        {date(2025, 6, 3): {"messages": 5, "answer": 4, "language_en": 2}, LAST: {"crisis": 1}}
    )
    header, rows = await figures(store).table(FIRST, LAST)
    assert header[:3] == ["day", "messages", "answer"]
    assert header[-1] == "language_en"
    assert [r[0] for r in rows] == [(FIRST + timedelta(days=n)).isoformat() for n in range(14)]
    row = dict(zip(header, rows[1], strict=True))
    assert (row["messages"], row["answer"], row["language_en"], row["crisis"]) == (5, 4, 2, 0)
    assert dict(zip(header, rows[-1], strict=True))["crisis"] == 1


# ------------------------------------------------------------------ the page through HTTP

STAFF, COUNSELLOR = 100, 400
TODAY = datetime.now(ZoneInfo("Europe/Berlin")).date()  # the console's day is the association's


@dataclass
class Console:
    client: httpx.AsyncClient
    services: object
    store: SqliteStore

    async def login(self, person: int) -> None:
        token = await self.services.access.issue_link(person)  # type: ignore[attr-defined]
        assert token is not None
        response = await self.client.post(f"/anmelden/{token}")
        assert response.status_code == 200, response.text


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    counselling = CounsellingConfig(
        group_id=-100,
        counsellors=(Counsellor(COUNSELLOR, "Anna"),),
        default_name="Beratungsteam",
        office_hours={},
        state="NW",
        always_open=True,
    )
    console_config = ConsoleConfig(secure_cookies=False)
    config = Config(
        knowledge_dir=root,
        announcements=AnnouncementsConfig(staff_ids=frozenset({STAFF})),
        counselling=counselling,
        console=console_config,
    )
    store = SqliteStore(tmp_path / "db.sqlite")
    await store.open()
    services = console_services(config, console_config, store, Dialogue(validate(root), config))
    transport = httpx.ASGITransport(app=build_console(services))
    async with httpx.AsyncClient(transport=transport, base_url="http://konsole.test") as client:
        yield Console(client, services, store)
    await store.close()


async def fill(store: SqliteStore) -> None:
    """Two days with counts, votes on two entries, a claimed case, a broadcast to three."""
    now = datetime.now(UTC)
    for day, counts in (
        (TODAY - timedelta(days=1), {"messages": 12, "answer": 7, "fallback": 2, "crisis": 1}),
        (TODAY, {"messages": 3, "answer": 1, "clarify": 2, "language_en": 1}),
    ):
        for name, amount in counts.items():
            await store.count(day, name, amount)
    for entry, helpful in (("kindergeld", True), ("kindergeld", False), ("wohngeld", True)):
        await store.add_feedback(entry, helpful, None, now)
    opened = await store.open_case(7, None, False, now - timedelta(minutes=30))
    claimed = opened.moved(CaseStatus.CLAIMED, now - timedelta(minutes=20))
    await store.save_case(replace(claimed, claimed_at=now - timedelta(minutes=20)))
    for user in (1, 2, 3):
        await store.touch_user(user, "de", now)
        await store.subscribe(user, frozenset({Category.MONEY}), now)
    sent = await store.create_broadcast(STAFF, "Hinweis", frozenset({Category.MONEY}), None, now)
    rows = await store.pending_recipients(sent.id, 0, 10)
    await store.mark_sent(rows[0].id, now)
    await store.mark_blocked(rows[1].id, "Forbidden: bot was blocked by the user")


def dots(svg: str) -> int:
    return len(re.findall(r'<circle[^>]*class="dot', svg))


def bars(svg: str) -> int:
    return len(re.findall(r'<rect[^>]*class="rect reactive', svg))


def figure(html: str, ident: str) -> str:
    found = re.search(rf'<figure class="chart" id="{ident}">(.*?)</figure>', html, re.DOTALL)
    assert found is not None, ident
    return found.group(1)


def rows(html: str) -> int:
    return len(re.findall(r"<tr><th scope=\"row\">", html))


async def test_without_a_session_the_figures_and_the_export_are_refused(console: Console) -> None:
    assert (await console.client.get("/zahlen")).status_code == 401
    assert (await console.client.get("/zahlen.csv")).status_code == 401


async def test_staff_see_every_chart_with_one_point_per_day(console: Console) -> None:
    await fill(console.store)
    await console.login(STAFF)
    von, bis = TODAY - timedelta(days=6), TODAY
    page = await console.client.get(f"/zahlen?von={von.isoformat()}&bis={bis.isoformat()}")
    assert page.status_code == 200
    html = page.text
    assert '<a href="/zahlen">Zahlen</a>' in html
    assert "<script" not in html
    kinds = figure(html, "arten")
    assert dots(kinds) == 7 * 4  # seven days, four kinds
    assert rows(kinds) == 7
    assert 'role="img" aria-label="Nachrichten pro Tag nach Art der Antwort"' in kinds
    assert "62 %" in html  # 7 + 1 answered of 7 + 2 + 1 and 1 + 2 questions
    assert "8 von 13 Fragen" in html
    votes = figure(html, "bewertungen")
    assert bars(votes) == 2 * 2  # two entries, 👍 and 👎
    assert rows(votes) == 2
    assert rows(figure(html, "faelle")) == 7
    assert bars(figure(html, "faelle")) == 7
    broadcast = figure(html, "rundschreiben")
    assert "<td>3</td><td>1</td><td>1</td><td>0</td>" in broadcast  # total, sent, blocked, failed


async def test_the_csv_has_a_header_and_a_row_per_day(console: Console) -> None:
    await fill(console.store)
    await console.login(STAFF)
    von = TODAY - timedelta(days=2)
    response = await console.client.get(f"/zahlen.csv?von={von.isoformat()}&bis={TODAY}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    table = list(csv.reader(io.StringIO(response.text)))
    header, body = table[0], table[1:]
    assert header[:3] == ["day", "messages", "answer"]
    assert "language_en" in header
    assert [r[0] for r in body] == [(von + timedelta(days=n)).isoformat() for n in range(3)]
    assert dict(zip(header, body[1], strict=True))["answer"] == "7"
    assert dict(zip(header, body[0], strict=True))["messages"] == "0"


async def test_counsellors_see_only_the_case_figures(console: Console) -> None:
    await fill(console.store)
    await console.login(COUNSELLOR)
    page = await console.client.get("/zahlen")
    assert page.status_code == 200
    assert 'id="faelle"' in page.text
    assert "<td>1</td>" in page.text  # one case opened, one claimed
    for staff_only in ('id="arten"', 'id="bewertungen"', "Rundschreiben", "zahlen.csv"):
        assert staff_only not in page.text
    assert (await console.client.get("/zahlen.csv")).status_code == 403


async def test_the_default_period_is_the_last_thirty_days(console: Console) -> None:
    await console.login(STAFF)
    html = (await console.client.get("/zahlen")).text
    assert dots(figure(html, "arten")) == 30 * 4
    assert f'value="{(TODAY - timedelta(days=29)).isoformat()}"' in html


async def test_the_store_reads_votes_and_broadcasts_of_a_period_only(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite")
    await store.open()
    try:
        inside, outside = at(date(2025, 6, 3), 12), at(date(2025, 6, 20), 12)
        for entry, helpful, moment in (
            ("kindergeld", True, inside),
            ("kindergeld", False, inside),
            ("kindergeld", True, outside),
            ("wohngeld", False, outside),
        ):
            await store.add_feedback(entry, helpful, None, moment)
        await store.add_feedback("kindergeld", None, "unclear", inside)  # a reason, no vote
        votes = await store.votes_per_entry_between(FIRST, LAST)
        assert votes == [FeedbackSummary("kindergeld", 1, 1)]
        for moment in (inside, outside):
            await store.create_broadcast(STAFF, "Hinweis", frozenset({Category.LAW}), None, moment)
        reach = await store.broadcasts_between(FIRST, LAST)
        assert reach == [BroadcastCount(1, date(2025, 6, 3), 0, 0, 0, 0)]
    finally:
        await store.close()


@pytest.mark.parametrize(
    "query",
    [
        "bis=9999-12-31",
        "von=9999-12-30&bis=9999-12-31",
        "von=0001-01-01&bis=0001-01-02",
        "von=0001-01-01",
    ],
)
async def test_dates_at_the_ends_of_the_calendar_are_clamped_not_a_500(
    console: Console, query: str
) -> None:
    await console.login(STAFF)
    page = await console.client.get(f"/zahlen?{query}")
    assert page.status_code == 200
    assert 'value="9999' not in page.text
    assert 'value="0001' not in page.text
    assert (await console.client.get(f"/zahlen.csv?{query}")).status_code == 200
    assert (await console.client.get(f"/fragen?{query}")).status_code == 200
