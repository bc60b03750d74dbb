"""The staff console's pages through HTTP (no browser): login links, sessions, CSRF, teaching.

The real SQLite store, the shipped knowledge base copied to a temporary directory (the console
writes into it) and the live dialogue that answers parents.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.config import AnnouncementsConfig, Config, ConsoleConfig
from bot.console.access import FAILURE_WINDOW, IDLE_MINUTES, MAX_CLIENTS, _Failures
from bot.dialogue.core import Dialogue
from bot.frontends.checks import validate
from bot.frontends.web.app import COOKIE, build_console
from bot.frontends.web.server import console_services
from bot.storage.sqlite import SqliteStore
from tests.conftest import KNOWLEDGE

STAFF, EDITOR, STRANGER = 100, 200, 300
QUESTION = "Wann genau überweist die Familienkasse das Geld für mein Kind?"


@dataclass
class Console:
    client: httpx.AsyncClient
    services: object
    dialogue: Dialogue
    store: SqliteStore
    root: Path

    async def link(self, person: int) -> str:
        token = await self.services.access.issue_link(person)  # type: ignore[attr-defined]
        assert token is not None
        return f"/anmelden/{token}"

    async def login(self, person: int) -> None:
        response = await self.client.post(await self.link(person))
        assert response.status_code == 200, response.text
        assert COOKIE in response.cookies or COOKIE in self.client.cookies


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    config = Config(
        knowledge_dir=root,
        announcements=AnnouncementsConfig(staff_ids=frozenset({STAFF, EDITOR})),
    )
    console_config = ConsoleConfig(editors=frozenset({EDITOR}), secure_cookies=False)
    config = replace(config, console=console_config)
    store = SqliteStore(tmp_path / "db.sqlite")
    await store.open()
    dialogue = Dialogue(validate(root), config)
    services = console_services(config, console_config, store, dialogue)
    transport = httpx.ASGITransport(app=build_console(services))
    async with httpx.AsyncClient(transport=transport, base_url="http://konsole.test") as client:
        yield Console(client, services, dialogue, store, root)
    await store.close()


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


async def test_without_a_session_every_page_says_how_to_log_in(console: Console) -> None:
    response = await console.client.get("/fragen")
    assert response.status_code == 401
    assert "/konsole" in response.text
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_a_link_works_once_and_sets_a_strict_cookie(console: Console) -> None:
    link = await console.link(STAFF)
    first = await console.client.post(link)
    assert first.status_code == 200
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    reload = await console.client.post(link)  # she reloads the page: already logged in
    assert reload.status_code == 303
    console.client.cookies.clear()  # someone else, who got hold of the link
    again = await console.client.post(link)
    assert again.status_code == 403
    assert "schon benutzt" in again.text


async def test_opening_a_link_only_shows_the_button_and_spends_nothing(console: Console) -> None:
    """Telegram's link preview, scanners and prefetchers GET the link: no session for them."""
    link = await console.link(STAFF)
    for _ in range(2):
        shown = await console.client.get(link)
        assert shown.status_code == 200
        assert "set-cookie" not in shown.headers
        assert f'<form method="post" action="{link}">' in shown.text
        assert "Anmelden</button>" in shown.text
    assert (await console.client.get("/fragen")).status_code == 401
    pressed = await console.client.post(link)  # the button
    assert pressed.status_code == 200
    assert "Sie sind angemeldet" in pressed.text
    assert COOKIE in pressed.cookies
    assert (await console.client.get(link)).status_code == 303  # logged in: on to the console


async def test_forged_expired_and_stranger_links_are_refused(console: Console) -> None:
    forged = await console.client.post("/anmelden/abc")
    assert forged.status_code == 403
    assert "ungültig" in forged.text
    assert await console.services.access.issue_link(STRANGER) is None  # type: ignore[attr-defined]
    link = await console.link(STAFF)
    later = datetime.now(UTC) + timedelta(minutes=11)
    console.services.access._now = lambda: later  # type: ignore[attr-defined]
    expired = await console.client.post(link)
    assert expired.status_code == 403
    assert "abgelaufen" in expired.text


async def test_repeated_failures_are_rate_limited(console: Console) -> None:
    for _ in range(5):
        assert (await console.client.post("/anmelden/falsch")).status_code == 403
    assert (await console.client.post("/anmelden/falsch")).status_code == 429


async def test_failures_from_an_address_never_hold_back_a_valid_link(console: Console) -> None:
    """Behind a proxy everyone shares one address: strangers' failures must not lock staff out."""
    for _ in range(6):
        await console.client.post("/anmelden/falsch")
    good = await console.client.post(await console.link(STAFF))
    assert good.status_code == 200
    assert "Sie sind angemeldet" in good.text


async def test_spent_links_do_not_count_as_failures(console: Console) -> None:
    link = await console.link(STAFF)
    await console.client.post(link)
    console.client.cookies.clear()
    for _ in range(6):  # a second browser, a crawler: „schon benutzt", never a pause
        again = await console.client.post(link)
        assert again.status_code == 403
        assert "schon benutzt" in again.text
    assert (await console.client.post("/anmelden/falsch")).status_code == 403


def test_old_failures_are_forgotten_and_the_clients_kept_are_bounded() -> None:
    failures = _Failures()
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for client in range(100):
        failures.add(f"10.0.0.{client}", start)
    later = start + FAILURE_WINDOW + timedelta(seconds=1)
    assert not failures.limited("10.0.0.1", later)
    assert "10.0.0.1" not in failures.times  # an empty entry is dropped
    for client in range(MAX_CLIENTS + 50):  # a flood from rotating (IPv6) addresses
        failures.add(f"2001:db8::{client:x}", later + timedelta(microseconds=client))
    assert len(failures.times) <= MAX_CLIENTS
    assert f"2001:db8::{MAX_CLIENTS + 49:x}" in failures.times  # the newest are kept


async def test_an_editor_teaches_a_phrasing_and_the_bot_answers_it(console: Console) -> None:
    await console.store.add_unanswered(QUESTION, datetime.now(UTC))
    assert console.dialogue.ask(QUESTION).kind.value == "clarify"  # before: „Meinten Sie …?"
    await console.login(EDITOR)
    page = await console.client.get("/fragen")
    assert QUESTION in page.text
    response = await console.client.post(
        "/fragen/formulierung",
        data={"csrf": csrf(page.text), "question": QUESTION, "entry": "kindergeld"},
    )
    assert response.status_code == 303
    done = await console.client.get(response.headers["location"])
    assert "Formulierung hinzugefügt" in done.text
    assert QUESTION not in done.text.split("Gruppen")[1]
    assert QUESTION in (console.root / "faq" / "kindergeld.yaml").read_text(encoding="utf-8")
    answer = console.dialogue.ask(QUESTION)
    assert answer.entry_id == "kindergeld"
    assert answer.kind.value == "answer"


async def test_a_form_without_its_csrf_token_is_refused(console: Console) -> None:
    await console.login(EDITOR)
    response = await console.client.post(
        "/fragen/formulierung", data={"csrf": "falsch", "question": QUESTION, "entry": "kindergeld"}
    )
    assert response.status_code == 403
    assert QUESTION not in (console.root / "faq" / "kindergeld.yaml").read_text(encoding="utf-8")


async def test_staff_who_are_no_editors_cannot_teach(console: Console) -> None:
    await console.store.add_unanswered(QUESTION, datetime.now(UTC))
    await console.login(STAFF)
    page = await console.client.get("/fragen")
    assert "Hinzufügen" not in page.text
    response = await console.client.post(
        "/fragen/formulierung",
        data={"csrf": csrf(page.text), "question": QUESTION, "entry": "kindergeld"},
    )
    problem = await console.client.get(response.headers["location"])
    assert "Nur Redakteurinnen" in problem.text


async def test_a_phrasing_another_entry_has_shows_the_problem(console: Console) -> None:
    await console.login(EDITOR)
    page = await console.client.get("/fragen")
    taken = "Wie viel Kindergeld bekomme ich für mein Kind?"
    response = await console.client.post(
        "/fragen/formulierung",
        data={"csrf": csrf(page.text), "question": taken, "entry": "kinderzuschlag"},
    )
    shown = await console.client.get(response.headers["location"])
    assert "kinderzuschlag.yaml:" in shown.text
    assert taken not in (console.root / "faq" / "kinderzuschlag.yaml").read_text(encoding="utf-8")


async def test_ignore_and_new_entry_leave_the_list(console: Console) -> None:
    await console.store.add_unanswered("Hundesteuer für einen Dackel", datetime.now(UTC))
    await console.login(STAFF)
    page = await console.client.get("/fragen")
    await console.client.post(
        "/fragen/entscheidung",
        data={
            "csrf": csrf(page.text),
            "question": "Hundesteuer für einen Dackel",
            "decision": "new_entry",
        },
    )
    after = await console.client.get("/fragen")
    assert "Neuer Eintrag nötig (1)" in after.text


async def test_logout_ends_the_session(console: Console) -> None:
    await console.login(STAFF)
    page = await console.client.get("/fragen")
    out = await console.client.post("/abmelden", data={"csrf": csrf(page.text)})
    assert out.status_code == 200
    assert "abgemeldet" in out.text
    assert (await console.client.get("/fragen")).status_code == 401


async def decide(console: Console, decision: str, *questions: str) -> httpx.Response:
    page = await console.client.get("/fragen")
    data = {"csrf": csrf(page.text), "decision": decision, "question": list(questions)}
    return await console.client.post("/fragen/entscheidung", data=data)


async def test_staff_cannot_mark_a_question_as_taught_without_teaching(console: Console) -> None:
    await console.store.add_unanswered(QUESTION, datetime.now(UTC))
    await console.login(STAFF)
    response = await decide(console, "phrasing", QUESTION)
    assert response.status_code == 403
    assert "Hinzufügen" in response.text
    assert await console.store.decisions() == {}
    assert QUESTION in (await console.client.get("/fragen")).text.split("Gruppen")[1]


async def test_editors_add_phrasings_only_by_adding_them(console: Console) -> None:
    await console.store.add_unanswered(QUESTION, datetime.now(UTC))
    await console.login(EDITOR)
    assert (await decide(console, "phrasing", QUESTION)).status_code == 400
    assert await console.store.decisions() == {}


async def test_decisions_only_on_open_questions(console: Console) -> None:
    await console.store.add_unanswered("Hundesteuer für einen Dackel", datetime.now(UTC))
    await console.login(STAFF)
    response = await decide(console, "new_entry", "beliebiger Text von Staff")
    shown = await console.client.get(response.headers["location"])
    assert "nicht (mehr) offen" in shown.text
    assert await console.store.decisions() == {}
    mixed = await decide(console, "ignore", "Hundesteuer für einen Dackel", "noch ein Text")
    assert "ok=" in mixed.headers["location"]
    assert await console.store.decisions() == {"Hundesteuer für einen Dackel": ("ignore", None)}
    again = await decide(console, "new_entry", "Hundesteuer für einen Dackel")  # decided
    assert "problem=" in again.headers["location"]


async def test_a_question_text_longer_than_300_characters_is_refused(console: Console) -> None:
    await console.login(STAFF)
    response = await decide(console, "new_entry", "x" * 200_000)
    shown = await console.client.get(response.headers["location"])
    assert "zu lang (höchstens 300 Zeichen)" in shown.text
    assert await console.store.decisions() == {}


async def test_a_session_ends_after_two_idle_hours(console: Console) -> None:
    access = console.services.access  # type: ignore[attr-defined]
    start = datetime.now(UTC)
    access._now = lambda: start
    await console.login(STAFF)
    for hours in (1, 2, 3):  # a request each hour keeps it alive
        access._now = lambda hours=hours: start + timedelta(hours=hours)
        assert (await console.client.get("/fragen")).status_code == 200
    access._now = lambda: start + timedelta(hours=3, minutes=IDLE_MINUTES + 1)
    assert (await console.client.get("/fragen")).status_code == 401
    access._now = lambda: start + timedelta(hours=3, minutes=1)  # ended for good
    assert (await console.client.get("/fragen")).status_code == 401


async def test_error_pages_carry_the_security_headers(console: Console) -> None:
    await console.login(STAFF)

    async def broken() -> None:
        raise RuntimeError("a bug")

    console.services.overview.open_cases = broken  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(
        app=build_console(console.services),  # type: ignore[arg-type]
        raise_app_exceptions=False,
    )
    async with httpx.AsyncClient(
        transport=transport, base_url="http://konsole.test", cookies=console.client.cookies
    ) as client:
        responses = {
            500: await client.get("/faelle"),
            404: await client.get("/gibt-es-nicht"),
        }
        client.cookies.clear()
        responses[403] = await client.post("/anmelden/falsch")
        responses[401] = await client.get("/fragen")
    for status, response in responses.items():
        assert response.status_code == status
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-frame-options"] == "DENY"
    assert "Traceback" not in responses[500].text
    assert "a bug" not in responses[500].text
