"""End to end in a real browser: the bot's /konsole link, teaching, editing, the figures.

The real bot process against the fake Bot API with the console on a local port, and Debian's
Chromium driven by Playwright (skipped with a reason where it is not installed): a parent's
question falls back; a staff editor sends /konsole, opens the link from the bot's message in the
browser, adds the question to „Kindergeld"; the parent's next identical question gets the
Kindergeld answer. Then she edits the Kindergeld answer — an empty answer is refused with
`file:line`, a valid change is saved — and the parent gets the new text; „Zahlen" shows one data
row per day of the period.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from tests.botprocess import BotProcess
from tests.conftest import KNOWLEDGE
from tests.fakebotapi import FakeBotAPI
from tests.test_console_browser import CHROMIUM
from tests.test_webhook import free_port

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium: sudo apt-get install chromium"
)
PARENT, STAFF = 4711, 815
QUESTION = "wann buchen die das kigeld ab"
NEW_LINE = "Neu in der Konsole gespeichert: Kindergeld kommt von der Familienkasse."


def config_for(tmp_path: Path, port: int) -> Path:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    config = tmp_path / "config.yaml"
    config.write_text(
        f"knowledge:\n  dir: {knowledge}\nstaff:\n  ids: [{STAFF}]\n"
        f"console:\n  port: {port}\n  public_url: http://127.0.0.1:{port}\n"
        f"  editors: [{STAFF}]\n  secure_cookies: false\n",
        encoding="utf-8",
    )
    return config


async def test_from_konsole_to_a_taught_phrasing_and_an_edited_answer(tmp_path: Path) -> None:
    port = free_port()
    async with FakeBotAPI() as api:
        api.user(PARENT, first_name="Mara")
        api.user(STAFF, first_name="Sabine")
        bot = BotProcess(api, tmp_path / "data", tmp_path / "bot.log", config_for(tmp_path, port))
        await bot.start()
        try:
            api.send_text(PARENT, QUESTION)
            await api.wait_for_message(PARENT, lambda m: "keine passende" in m["text"], timeout=10)
            api.send_command(STAFF, "/konsole")
            sent = await api.wait_for_message(
                STAFF, lambda m: "/anmelden/" in m["text"], timeout=10
            )
            link = re.search(r"http://\S+/anmelden/\S+", sent["text"])
            assert link is not None
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox"]
                )
                page = await browser.new_page()
                await page.goto(link.group(0))
                await page.get_by_role("button", name="Anmelden").click()
                await page.get_by_role("link", name="Weiter zur Konsole").click()
                group = page.locator("section.group", has_text=QUESTION)
                await group.get_by_label("als Formulierung hinzufügen zu").select_option(
                    "kindergeld"
                )
                await group.get_by_role("button", name="Hinzufügen").click()
                await page.get_by_text("Formulierung hinzugefügt").wait_for()

                api.send_text(PARENT, QUESTION)
                await api.wait_for_message(
                    PARENT, lambda m: m["text"].startswith("Kindergeld"), timeout=10
                )

                await page.goto(f"http://127.0.0.1:{port}/wissen/kindergeld")
                answer = page.get_by_label(re.compile("^Antwort"))
                old = await answer.input_value()
                await answer.fill("")
                await page.get_by_role("button", name="Speichern").click()
                alert = await page.get_by_role("alert").first.inner_text()
                assert "Nicht gespeichert" in alert
                assert re.search(r"^faq/kindergeld\.yaml:\d+: answer", alert, re.MULTILINE), alert
                await page.get_by_label(re.compile("^Antwort")).fill(f"{NEW_LINE}\n\n{old}")
                await page.get_by_role("button", name="Speichern").click()
                await page.get_by_text("Gespeichert").first.wait_for()

                await page.goto(f"http://127.0.0.1:{port}/zahlen")
                rows = page.locator("#arten table tbody tr")
                assert await rows.count() == 30  # one row per day of the default period
                await browser.close()

            api.send_text(PARENT, "Wie viel Kindergeld bekomme ich für mein Kind?")
            new = await api.wait_for_message(PARENT, lambda m: NEW_LINE in m["text"], timeout=10)
            assert "259 €" in new["text"]
        finally:
            assert await bot.stop() == 0
        log = (tmp_path / "bot.log").read_text(encoding="utf-8")
        assert "Traceback" not in log, log
        assert "/anmelden/" not in log
