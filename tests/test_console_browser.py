"""The staff console in a real browser: Debian's Chromium driven by Playwright.

The console runs with `ConsoleServer` on 127.0.0.1 (a free port) over the real SQLite store, a
temporary copy of the shipped knowledge base and the live dialogue that answers parents. Each
test logs in the way staff do (a link from /konsole), clicks and types, and asserts what the page
shows. Every page visited is checked for accessibility basics (one h1, labelled fields, the skip
link first, everything reachable with Tab). The screenshots in docs/screenshots/ are taken here;
the console's clock is fixed to a day so they stay the same from run to run.

Chromium comes from the system (`apt install chromium`, as `.ci/run` does); the tests never
download a browser and are skipped, saying why, where there is none.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Page, Response, async_playwright

from bot.config import AnnouncementsConfig, Config, ConsoleConfig
from bot.console.access import Roles
from bot.dialogue.core import Dialogue
from bot.frontends.checks import validate
from bot.frontends.web.app import COOKIE, ConsoleServices
from bot.frontends.web.server import ConsoleServer, console_services
from bot.storage.sqlite import SqliteStore
from tests.conftest import KNOWLEDGE, ROOT


def _chromium() -> str | None:
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium at /usr/bin/chromium or on PATH: install Debian's package "
    "(sudo apt-get install chromium) to run the console's browser tests",
)

SCREENSHOTS = ROOT / "docs" / "screenshots"
STAFF, EDITOR, STRANGER = 100, 200, 300
DAY = date(2025, 3, 14)  # the console's "today": stable dates on the page and in the screenshots
QUESTION = "Wann genau überweist die Familienkasse das Geld für mein Kind?"
TAKEN = "Wie viel Kindergeld bekomme ich für mein Kind?"  # a phrasing of the entry kindergeld
FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea"


@dataclass
class Console:
    """The running console, its parts and a browser page."""

    page: Page
    base: str
    services: ConsoleServices
    dialogue: Dialogue
    store: SqliteStore
    root: Path

    async def link(self, person: int) -> str:
        """Return a login link the bot would send this person in /konsole."""
        token = await self.services.access.issue_link(person)
        assert token is not None
        return f"{self.base}/anmelden/{token}"

    async def open(self, url: str) -> Response:
        """Open an address in the page; return the response of the page shown."""
        response = await self.page.goto(url)
        assert response is not None
        return response

    async def press_login(self, url: str) -> Response:
        """Open a login link and press its „Anmelden" button; return the page it leads to."""
        assert (await self.open(url)).status == 200
        assert await self.page.get_by_role("heading", level=1).inner_text() == "Anmelden"
        async with self.page.expect_navigation() as navigation:
            await self.page.get_by_role("button", name="Anmelden").click()
        response = await navigation.value
        assert response is not None
        return response

    async def seed(self, question: str) -> None:
        """Store a question the bot could not answer, asked on the console's day."""
        await self.store.add_unanswered(question, datetime.combine(DAY, time(10), UTC))

    async def login(self, person: int) -> None:
        """Log in through a link and follow the welcome page to Offene Fragen."""
        assert (await self.press_login(await self.link(person))).status == 200
        await self.page.get_by_role("link", name="Weiter zur Konsole").click()
        await self.page.wait_for_url(f"{self.base}/fragen")


def free_port() -> int:
    """Return a port on 127.0.0.1 that is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    """Serve the console on a free port and open a Chromium page (1000×700) for it."""
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    console_config = ConsoleConfig(
        listen="127.0.0.1", port=free_port(), editors=frozenset({EDITOR}), secure_cookies=False
    )
    config = Config(
        knowledge_dir=root,
        announcements=AnnouncementsConfig(staff_ids=frozenset({STAFF, EDITOR})),
        console=console_config,
    )
    store = SqliteStore(tmp_path / "db.sqlite")
    await store.open()
    dialogue = Dialogue(validate(root), config)
    services = replace(console_services(config, console_config, store, dialogue), today=lambda: DAY)
    server = ConsoleServer(services, console_config)
    await server.start()
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox"]
            )
            context = await browser.new_context(
                viewport={"width": 1000, "height": 700}, locale="de-DE"
            )
            page = await context.new_page()
            base = f"http://127.0.0.1:{console_config.port}"
            yield Console(page, base, services, dialogue, store, root)
            await context.close()
            await browser.close()
    finally:
        await server.stop()
        await store.close()


async def screenshot(page: Page, name: str) -> None:
    """Save what the page shows as docs/screenshots/<name>.png (the README shows them).

    Only with ELTERNLOTSE_SCREENSHOTS=1: other fonts give other bytes, and `make test` must
    leave the checkout clean.
    """
    if os.environ.get("ELTERNLOTSE_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SCREENSHOTS / f"{name}.png")


async def check_accessibility(page: Page) -> None:
    """Assert the basics on a freshly loaded page: headings, labels and the keyboard.

    One h1; every field (hidden ones aside) with a label (`for`/`id`, a wrapping label or ARIA); the
    skip link is the first thing Tab reaches; Tab reaches every link, button and field.
    """
    assert await page.locator("h1").count() == 1
    unlabelled = await page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter(e => e.matches('input, select, textarea'))
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                         && !e.getAttribute('aria-labelledby'))
            .map(e => e.outerHTML)""",
        FOCUSABLE,
    )
    assert unlabelled == []
    nameless = await page.evaluate(
        "() => [...document.querySelectorAll('button')]"
        ".filter(b => !b.textContent.trim() && !b.getAttribute('aria-label'))"
        ".map(b => b.outerHTML)"
    )
    assert nameless == []
    count = await page.evaluate(
        """(selector) => {
            const all = [...document.querySelectorAll(selector)].filter(e => !e.disabled);
            all.forEach((e, i) => { e.dataset.kbd = String(i); });
            return all.length;
        }""",
        FOCUSABLE,
    )
    await page.keyboard.press("Tab")
    first = await page.evaluate(
        "() => [document.activeElement.className, document.activeElement.textContent.trim()]"
    )
    assert first == ["skip", "Zum Inhalt springen"]
    reached = set()
    for _ in range(4 * count + 10):  # a date field takes several presses (day, month, year)
        index = await page.evaluate("() => document.activeElement.dataset.kbd ?? null")
        if index is not None:
            reached.add(int(index))
        if len(reached) == count:
            break
        await page.keyboard.press("Tab")
    missing = await page.evaluate(
        """(reached) => [...document.querySelectorAll('[data-kbd]')]
            .filter(e => !reached.includes(Number(e.dataset.kbd))).map(e => e.outerHTML)""",
        sorted(reached),
    )
    assert missing == []


async def tab_to(page: Page, name: str) -> None:
    """Press Tab until the element with this text has the focus (as a keyboard user does)."""
    for _ in range(100):
        await page.keyboard.press("Tab")
        if await page.evaluate("() => document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"Tab never reaches {name!r}")


async def refusal(console: Console, url: str) -> tuple[int, str]:
    """Open a login link, press „Anmelden"; return the status and the refusal's reason."""
    response = await console.press_login(url)
    page = console.page
    assert await page.get_by_role("heading", level=1).inner_text() == "Kein Zugang"
    return response.status, await page.get_by_role("alert").inner_text()


async def test_login_through_a_link_shows_the_welcome_page_and_hides_the_cookie(
    console: Console,
) -> None:
    page = console.page
    link = await console.link(EDITOR)
    assert (await console.open(link)).status == 200
    assert await page.get_by_role("heading", level=1).inner_text() == "Anmelden"
    await check_accessibility(page)
    assert await page.context.cookies() == []  # opening the link spends nothing
    await tab_to(page, "Anmelden")  # the button works from the keyboard
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert await page.get_by_role("heading", level=1).inner_text() == "Sie sind angemeldet"
    await screenshot(page, "konsole-anmeldung")
    await check_accessibility(page)
    assert COOKIE not in await page.evaluate("() => document.cookie")
    cookies = {c.get("name"): c for c in await page.context.cookies()}
    assert cookies[COOKIE].get("httpOnly") is True
    assert cookies[COOKIE].get("sameSite") == "Strict"
    await tab_to(page, "Weiter zur Konsole")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{console.base}/fragen")
    assert await page.get_by_role("heading", level=1).inner_text() == "Offene Fragen"
    assert await page.get_by_role("button", name="Abmelden").is_visible()


async def test_an_editor_adds_a_phrasing_and_the_bot_answers_it(console: Console) -> None:
    await console.seed(QUESTION)
    assert console.dialogue.ask(QUESTION).kind.value != "answer"
    await console.login(EDITOR)
    page = console.page
    group = page.locator("section.group", has_text=QUESTION)
    assert await group.get_by_role("heading", level=3).inner_text() == f"{QUESTION} (1×)"
    await screenshot(page, "konsole-offene-fragen")
    await check_accessibility(page)
    choice = group.get_by_label("als Formulierung hinzufügen zu")
    await choice.select_option(label="Kindergeld")
    assert await choice.input_value() == "kindergeld"
    await group.get_by_role("button", name="Hinzufügen").click()
    await page.wait_for_url(re.compile(r"/fragen\?ok="))
    assert await page.get_by_role("status").inner_text() == "Formulierung hinzugefügt: kindergeld"
    assert await page.locator("section.group", has_text=QUESTION).count() == 0
    await screenshot(page, "konsole-formulierung-hinzugefuegt")
    await check_accessibility(page)
    answer = console.dialogue.ask(QUESTION)
    assert answer.kind.value == "answer"
    assert answer.entry_id == "kindergeld"
    assert QUESTION in (console.root / "faq" / "kindergeld.yaml").read_text(encoding="utf-8")


async def test_a_phrasing_another_entry_has_is_refused_with_file_and_line(
    console: Console,
) -> None:
    await console.seed(TAKEN)
    await console.login(EDITOR)
    page = console.page
    group = page.locator("section.group", has_text=TAKEN)
    await group.get_by_label("als Formulierung hinzufügen zu").select_option("kinderzuschlag")
    await tab_to(page, "Hinzufügen")  # the button works from the keyboard too
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/fragen\?problem="))
    problems = await page.get_by_role("alert").all_inner_texts()
    # Both ends of the clash, each as file:line: message, the edited file first.
    assert len(problems) == 2, problems
    assert re.match(r"faq/kinderzuschlag\.yaml:\d+: ", problems[0]), problems
    assert re.match(r"faq/kindergeld\.yaml:6: ", problems[1]), problems
    assert await page.locator("section.group", has_text=TAKEN).count() == 1  # still open
    await check_accessibility(page)
    kinderzuschlag = console.root / "faq" / "kinderzuschlag.yaml"
    assert TAKEN not in kinderzuschlag.read_text(encoding="utf-8")
    assert console.dialogue.ask(TAKEN).entry_id == "kindergeld"


async def test_a_form_with_a_changed_csrf_token_is_refused(console: Console) -> None:
    await console.seed(QUESTION)
    await console.login(EDITOR)
    page = console.page
    group = page.locator("section.group", has_text=QUESTION)
    await group.get_by_label("als Formulierung hinzufügen zu").select_option("kindergeld")
    await page.evaluate(
        """() => document.querySelectorAll('input[name=csrf]')
            .forEach(input => { input.value = 'gefälscht'; })"""
    )
    async with page.expect_navigation() as navigation:
        await group.get_by_role("button", name="Hinzufügen").click()
    response = await navigation.value
    assert response is not None
    assert response.status == 403
    assert await page.get_by_role("heading", level=1).inner_text() == "Kein Zugang"
    assert await page.get_by_role("alert").inner_text() == "Die Anfrage war nicht gültig (CSRF)."
    await screenshot(page, "konsole-kein-zugang")
    await check_accessibility(page)
    assert QUESTION not in (console.root / "faq" / "kindergeld.yaml").read_text(encoding="utf-8")
    assert console.dialogue.ask(QUESTION).kind.value != "answer"


async def test_used_expired_forged_and_foreign_links_are_refused(console: Console) -> None:
    expired = await console.link(STAFF)
    real_clock = console.services.access._now
    later = datetime.now(UTC) + timedelta(minutes=11)
    console.services.access._now = lambda: later
    assert await refusal(console, expired) == (
        403,
        "Dieser Anmeldelink ist abgelaufen (er gilt 10 Minuten).",
    )
    console.services.access._now = real_clock  # (first: a later clock forgets older failures)

    used = await console.link(STAFF)
    assert (await console.press_login(used)).status == 200
    await console.page.context.clear_cookies()  # someone else, who got hold of the link
    status, reason = await refusal(console, used)
    assert (status, reason) == (
        403,
        "Dieser Anmeldelink wurde schon benutzt. Jeder Link gilt nur einmal.",
    )
    await check_accessibility(console.page)

    forged = f"{console.base}/anmelden/{'A' * 43}"
    assert await refusal(console, forged) == (403, "Dieser Anmeldelink ist ungültig.")

    assert await console.services.access.issue_link(STRANGER) is None
    made_up = f"{console.base}/anmelden/fuer-{STRANGER}-ausgedacht"
    assert await refusal(console, made_up) == (403, "Dieser Anmeldelink ist ungültig.")

    left = await console.link(STAFF)  # then she leaves the staff before opening it
    console.services.access.roles = Roles(frozenset({EDITOR}), frozenset({EDITOR}))
    assert await refusal(console, left) == (
        403,
        "Mit diesem Telegram-Konto ist die Konsole nicht freigegeben.",
    )

    # Only unknown tokens count: three more make five, the sixth waits …
    for _ in range(3):
        assert (await refusal(console, forged))[0] == 403
    assert await refusal(console, forged) == (
        429,
        "Zu viele ungültige Anmeldeversuche. Bitte warten Sie zehn Minuten.",
    )
    await check_accessibility(console.page)
    # … but a good link from the same address still opens the console.
    good = await console.link(EDITOR)
    assert (await console.press_login(good)).status == 200
    assert await console.page.get_by_role("heading", level=1).inner_text() == "Sie sind angemeldet"


@pytest.mark.parametrize(
    ("path", "name", "heading"),
    [
        ("/wissen", "konsole-wissen", "Wissen"),
        ("/wissen/kindergeld", "konsole-wissen-eintrag", "Kindergeld"),
        ("/zahlen", "konsole-zahlen", "Zahlen"),
        ("/termine", "konsole-termine", "Termine"),
        ("/faelle", "konsole-faelle", "Fälle"),
        ("/protokoll", "konsole-protokoll", "Protokoll"),
    ],
)
async def test_every_page_has_the_basics(
    console: Console, path: str, name: str, heading: str
) -> None:
    await console.login(EDITOR)
    response = await console.page.goto(f"{console.base}{path}")
    assert response is not None
    assert response.status == 200
    h1 = await console.page.get_by_role("heading", level=1).inner_text()
    assert heading in h1
    await screenshot(console.page, name)
    await check_accessibility(console.page)
