"""The console's read-only views (Termine, Fälle, Protokoll) through HTTP, over a real SQLite store.

The store is filled as the bot would fill it: an event with registrations and reminder wishes, a
finished broadcast with one recipient who blocked the bot, open cases, audit rows. The pages show
counts and metadata; no parent's id appears anywhere, no Telegram id of staff either.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from bot.announcements.model import BroadcastStatus, Category, Event, Registration
from bot.cases.model import CaseStatus
from bot.config import (
    AnnouncementsConfig,
    Config,
    ConsoleConfig,
    CounsellingConfig,
    Counsellor,
)
from bot.console.access import ConsoleAccess
from bot.console.model import ConsoleRole, Session
from bot.console.overview import Overview
from bot.dialogue.core import Dialogue
from bot.frontends.checks import validate
from bot.frontends.web.app import COOKIE, build_console
from bot.frontends.web.server import console_services
from bot.storage.sqlite import SqliteStore
from tests.conftest import KNOWLEDGE

STAFF, EDITOR, COUNSELLOR = 111_222_333, 444_555_666, 777_888_999
PARENTS = (900_000_001, 900_000_002, 900_000_003)
PSEUDONYM = "Frau Sonnenschein"
CASE_TOPIC = "Unterhalt bleibt aus"
NOW = datetime.now(UTC)


@dataclass
class Console:
    client: httpx.AsyncClient
    access: ConsoleAccess
    overview: Overview
    store: SqliteStore

    async def login(self, person: int) -> None:
        token = await self.access.issue_link(person)
        assert token is not None
        response = await self.client.post(f"/anmelden/{token}")
        assert response.status_code == 200, response.text
        assert COOKIE in self.client.cookies


async def _fill(store: SqliteStore) -> None:
    """Store what the bot would have stored: an event, a broadcast, cases, audit rows."""
    event = Event(
        0,
        "Unterhalt – Fragen an eine Fachanwältin",
        NOW + timedelta(days=3),
        timedelta(hours=1),
        Category.MONEY,
        "Offene Sprechstunde.",
        None,
        None,
    )
    event = await store.add_event(event, NOW)
    past = Event(
        0,
        "Längst vorbei",
        NOW - timedelta(days=3),
        timedelta(hours=1),
        Category.LAW,
        "Vorbei.",
        None,
        None,
    )
    await store.add_event(past, NOW)
    await store.save_registration(Registration(event.id, PARENTS[0], True, True), NOW)
    await store.save_registration(Registration(event.id, PARENTS[1], True, False), NOW)
    await store.save_registration(Registration(event.id, PARENTS[2], False, True), NOW)
    for parent in PARENTS:
        await store.subscribe(parent, frozenset({Category.MONEY}), NOW)
    broadcast = await store.create_broadcast(
        STAFF, "Neuer Termin: Unterhalt", frozenset({Category.MONEY}), event.id, NOW
    )
    rows = await store.pending_recipients(broadcast.id, 0, 10)
    await store.mark_sent(rows[0].id, NOW)
    await store.mark_sent(rows[1].id, NOW)
    await store.mark_blocked(rows[2].id, "Forbidden: bot was blocked by the user")
    await store.finish_broadcast(broadcast.id, BroadcastStatus.DONE, NOW)
    await store.open_case(PARENTS[0], CASE_TOPIC, False, NOW - timedelta(hours=2))
    claimed = await store.open_case(PARENTS[1], None, True, NOW - timedelta(hours=1))
    await store.save_case(
        replace(claimed, status=CaseStatus.CLAIMED, counsellor_id=COUNSELLOR, claimed_at=NOW)
    )
    await store.audit(STAFF, "staff", "event_created", f"event:{event.id}", NOW)
    await store.audit(COUNSELLOR, "counsellor", "case_claimed", f"case:{claimed.number}", NOW)


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    counselling = CounsellingConfig(
        group_id=-100123,
        counsellors=(Counsellor(COUNSELLOR, PSEUDONYM),),
        default_name="Beratungsteam",
        office_hours={},
        state="NW",
        always_open=True,
    )
    console_config = ConsoleConfig(editors=frozenset({EDITOR}), secure_cookies=False)
    config = Config(
        knowledge_dir=root,
        announcements=AnnouncementsConfig(staff_ids=frozenset({STAFF, EDITOR})),
        counselling=counselling,
        console=console_config,
    )
    store = SqliteStore(tmp_path / "db.sqlite")
    await store.open()
    await _fill(store)
    services = console_services(config, console_config, store, Dialogue(validate(root), config))
    transport = httpx.ASGITransport(app=build_console(services))
    async with httpx.AsyncClient(transport=transport, base_url="http://konsole.test") as client:
        yield Console(client, services.access, services.overview, store)
    await store.close()


def cells(html: str) -> list[list[str]]:
    """Return the table rows of a page as lists of their cells' text (tags dropped)."""
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.DOTALL)
    return [
        [
            re.sub(r"<[^>]+>|\s+", " ", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.DOTALL)
        ]
        for r in rows
    ]


def no_ids_in(html: str) -> None:
    for person in (*PARENTS, STAFF, EDITOR, COUNSELLOR):
        assert str(person) not in html


async def test_staff_see_upcoming_events_with_counts_and_the_broadcast_reach(
    console: Console,
) -> None:
    await console.login(STAFF)
    page = await console.client.get("/termine")
    assert page.status_code == 200
    rows = cells(page.text)
    event = next(r for r in rows if r[0].startswith("Unterhalt – Fragen"))
    assert event[3:] == ["Unterhalt &amp; Geld", "2", "2"]  # registered, reminder wishes
    assert not any("Längst vorbei" in r[0] for r in rows)
    broadcast = next(r for r in rows if r[0] == "1")
    assert broadcast[2].startswith("gesendet")
    assert broadcast[4:] == ["3", "2", "1", "0"]  # total, sent, blocked, failed
    assert NOW.astimezone(ZoneInfo("Europe/Berlin")).strftime("%d.%m.%Y") in broadcast[1]
    assert "Neuer Termin: Unterhalt" not in page.text  # the broadcast's text is not listed
    no_ids_in(page.text)


async def test_the_pages_are_accessible_tables(console: Console) -> None:
    await console.login(EDITOR)
    for path in ("/termine", "/faelle", "/protokoll"):
        html = (await console.client.get(path)).text
        assert html.count("<h1>") == 1, path
        assert "<caption>" in html, path
        assert "<th>" not in html, path  # every header cell says its scope
        assert 'scope="col"' in html, path
        for href in ("/termine", "/faelle", "/protokoll"):
            assert f'<li><a href="{href}">' in html


async def test_open_cases_show_metadata_and_the_pseudonym_only(console: Console) -> None:
    await console.login(STAFF)
    page = await console.client.get("/faelle")
    assert page.status_code == 200
    rows = cells(page.text)
    assert rows[1][:3] == ["#1", "wartet", CASE_TOPIC]
    assert rows[2][:3] == ["#2", "übernommen", "Allgemein"]
    assert rows[2][4].startswith(PSEUDONYM)
    assert len(rows) == 3  # the header and the two open cases
    no_ids_in(page.text)


async def test_the_audit_log_numbers_people_and_marks_the_viewer(console: Console) -> None:
    await console.login(STAFF)
    await console.client.get("/faelle")  # looking at cases is logged, as in the bot
    page = await console.client.get("/protokoll")
    assert page.status_code == 200
    rows = cells(page.text)[1:]
    assert rows[0][1:] == ["Team-Mitglied 1 (Sie)", "Team", "Fälle angesehen", "–"]
    claimed = next(r for r in rows if r[3] == "Fall übernommen")
    assert claimed[1:3] == ["Team-Mitglied 2", "Beratung"]
    assert claimed[4] == "case:2"
    created = next(r for r in rows if r[3] == "Termin angelegt")
    assert created[1] == "Team-Mitglied 1 (Sie)"
    no_ids_in(page.text)


async def test_the_audit_log_shows_at_most_200_rows(console: Console) -> None:
    for n in range(250):
        await console.store.audit(EDITOR, "editor", "add_phrasing", f"entry-{n}", NOW)
    viewer = Session(STAFF, ConsoleRole.STAFF, "csrf", NOW + timedelta(hours=1))
    rows = await console.overview.audit_log(viewer)
    assert len(rows) == 200
    assert rows[0].subject == "entry-249"
    assert {r.actor for r in rows} == {3}  # staff 1, counsellor 2, the editor third


async def test_counsellors_see_cases_only(console: Console) -> None:
    await console.login(COUNSELLOR)
    refused = await console.client.get("/termine")
    assert refused.status_code == 403
    assert "nicht freigegeben" in refused.text
    assert (await console.client.get("/protokoll")).status_code == 403
    cases = await console.client.get("/faelle")
    assert cases.status_code == 200
    assert PSEUDONYM in cases.text
    assert 'href="/termine"' not in cases.text
    assert 'href="/protokoll"' not in cases.text


async def test_without_a_session_the_views_are_refused(console: Console) -> None:
    for path in ("/termine", "/faelle", "/protokoll"):
        response = await console.client.get(path)
        assert response.status_code == 401, path
        assert "/konsole" in response.text


async def test_counsellors_see_no_menu_links_to_pages_they_may_not_open(console: Console) -> None:
    await console.login(COUNSELLOR)
    html = (await console.client.get("/faelle")).text
    for href in ("/fragen", "/wissen", "/termine", "/protokoll"):
        assert f'href="{href}"' not in html, href
        assert (await console.client.get(href)).status_code == 403, href
    for href in ("/faelle", "/zahlen"):
        assert f'<li><a href="{href}">' in html, href


async def test_looking_at_the_cases_is_logged_once_per_session_and_day(console: Console) -> None:
    await console.login(STAFF)
    for _ in range(3):  # reloads, a prefetch
        assert (await console.client.get("/faelle")).status_code == 200
    rows = await console.store._read("SELECT actor_id, action FROM audit")
    assert [tuple(r) for r in rows].count((STAFF, "cases_listed")) == 1
