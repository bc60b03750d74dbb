"""The console's „Gruppen" page and the group table in „Zahlen", through HTTP.

The real SQLite store and shipped knowledge; the groups' use case with a recording channel
(Telegram is tested end to end in test_e2e_groups).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from bot.config import (
    AnnouncementsConfig,
    Config,
    ConsoleConfig,
    CounsellingConfig,
    Counsellor,
    GroupChatConfig,
    GroupsConfig,
)
from bot.dialogue.core import Dialogue
from bot.frontends.checks import validate
from bot.frontends.web.app import build_console
from bot.frontends.web.server import console_services
from bot.groups.guard import GroupGuard
from bot.groups.model import Tally
from bot.groups.service import PeerGroups, peer_groups
from bot.storage.sqlite import SqliteStore
from tests.conftest import KNOWLEDGE
from tests.test_groups import Channel

STAFF, COUNSELLOR, PARENT = 100, 400, 4711
OPEN = -1002001


@dataclass
class Console:
    client: httpx.AsyncClient
    services: object
    groups: PeerGroups
    store: SqliteStore

    async def login(self, person: int) -> None:
        token = await self.services.access.issue_link(person)  # type: ignore[attr-defined]
        assert (await self.client.post(f"/anmelden/{token}")).status_code == 200


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    counselling = CounsellingConfig(
        -100999, (Counsellor(COUNSELLOR, "Anna"),), "Team", {}, "NW", always_open=True
    )
    config = Config(
        announcements=AnnouncementsConfig(staff_ids=frozenset({STAFF})),
        counselling=counselling,
        console=ConsoleConfig(secure_cookies=False),
    )
    store = SqliteStore(tmp_path / "db.sqlite")
    await store.open()
    kb = validate(KNOWLEDGE)
    dialogue = Dialogue(kb, config)
    groups_config = GroupsConfig(
        -1001000, frozenset({7}), {"austausch-online": GroupChatConfig(OPEN)}
    )
    groups = peer_groups(
        groups_config,
        kb.groups,
        (store, Channel(), GroupGuard(dialogue)),
        kb.texts,
        ZoneInfo("Europe/Berlin"),
        lambda: datetime.now(UTC),
        store.audit,
    )
    await groups.start()
    assert config.console is not None
    services = console_services(replace(config), config.console, store, dialogue, groups)
    transport = httpx.ASGITransport(app=build_console(services))
    async with httpx.AsyncClient(transport=transport, base_url="http://konsole.test") as client:
        yield Console(client, services, groups, store)
    await store.close()


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


async def test_staff_see_each_group_with_its_counts(console: Console) -> None:
    await console.groups.joining.joined(OPEN, PARENT)
    today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    await console.store.count(today, Tally.REPORTS.counter("austausch-online"), 2)
    await console.login(STAFF)
    page = await console.client.get("/gruppen")
    assert page.status_code == 200
    row = re.search(
        r"<tr>\s*<th scope=\"row\">Alleinerziehend – Austausch online</th>(.*?)</tr>",
        page.text,
        re.S,
    )
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(1), re.S)
    assert cells[:4] == ["offen", "1", "0", "2"]
    assert '<a href="/gruppen">Gruppen</a>' in page.text
    figures = await console.client.get("/zahlen")
    assert "Die Gruppen des Verbands im Zeitraum" in figures.text


async def test_pausing_hides_the_group_and_writes_an_audit_row(console: Console) -> None:
    await console.login(STAFF)
    page = await console.client.get("/gruppen")
    token = csrf(page.text)
    form = {"csrf": token, "group": "austausch-online", "paused": "ja"}
    done = await console.client.post("/gruppen/pause", data=form)
    assert done.status_code == 303
    assert "austausch-online" not in console.groups.registry.open_links()
    assert "austausch-online" in await console.store.paused_groups()
    assert "pausiert" in (await console.client.get("/gruppen")).text
    audit = await console.client.get("/protokoll")
    assert "<td>Gruppe pausiert</td>" in audit.text
    assert "group:austausch-online" in audit.text
    again = await console.client.post("/gruppen/pause", data={**form, "paused": "nein"})
    assert again.status_code == 303
    assert "austausch-online" in console.groups.registry.open_links()


async def test_forged_and_foreign_requests_are_refused(console: Console) -> None:
    await console.login(STAFF)
    token = csrf((await console.client.get("/gruppen")).text)
    forged = await console.client.post(
        "/gruppen/pause", data={"csrf": "x", "group": "austausch-online", "paused": "ja"}
    )
    assert forged.status_code == 403
    unknown = await console.client.post(
        "/gruppen/pause", data={"csrf": token, "group": "gibt-es-nicht", "paused": "ja"}
    )
    assert unknown.status_code == 404
    odd = await console.client.post(
        "/gruppen/pause", data={"csrf": token, "group": "austausch-online", "paused": "vielleicht"}
    )
    assert odd.status_code == 400
    assert "austausch-online" in console.groups.registry.open_links()


async def test_counsellors_are_refused_and_see_no_link(console: Console) -> None:
    await console.login(COUNSELLOR)
    assert (await console.client.get("/gruppen")).status_code == 403
    cases = await console.client.get("/faelle")
    assert '<a href="/gruppen">' not in cases.text
