"""End to end: from /konsole in Telegram to a taught phrasing the bot answers (issue 21).

The real bot process against the fake Bot API, with the console on a local port: a parent's
question falls back; a staff member sends /konsole, opens the link, adds the question to
„Kindergeld" in „Offene Fragen"; the parent asks again and gets the Kindergeld answer.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import httpx

from tests.botprocess import BotProcess
from tests.conftest import KNOWLEDGE
from tests.fakebotapi import FakeBotAPI
from tests.test_webhook import free_port

PARENT, STAFF = 4711, 815
QUESTION = "wann buchen die das kigeld ab"


async def test_staff_teach_a_phrasing_without_a_terminal(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    port = free_port()
    config = tmp_path / "config.yaml"
    config.write_text(
        f"knowledge:\n  dir: {knowledge}\nstaff:\n  ids: [{STAFF}]\n"
        f"console:\n  port: {port}\n  public_url: http://127.0.0.1:{port}\n"
        f"  editors: [{STAFF}]\n  secure_cookies: false\n",
        encoding="utf-8",
    )
    async with FakeBotAPI() as api:
        api.user(PARENT, first_name="Mara")
        api.user(STAFF, first_name="Sabine")
        bot = BotProcess(api, tmp_path / "data", tmp_path / "bot.log", config)
        await bot.start()
        try:
            api.send_text(PARENT, QUESTION)
            await api.wait_for_message(
                PARENT, lambda m: "keine passende Antwort" in m["text"], timeout=10
            )

            api.send_command(STAFF, "/konsole")
            sent = await api.wait_for_message(
                STAFF, lambda m: "/anmelden/" in m["text"], timeout=10
            )
            link = re.search(r"http://\S+/anmelden/\S+", sent["text"])
            assert link is not None
            # No link preview: Telegram's preview fetcher must not open the login link.
            (call,) = [c for c in api.calls("sendMessage") if "/anmelden/" in c.params["text"]]
            assert call.params["link_preview_options"] == {"is_disabled": True}
            async with httpx.AsyncClient() as browser:
                shown = await browser.get(link.group(0))  # the page with the button
                assert shown.status_code == 200
                assert "angemeldet" not in shown.text
                welcome = await browser.post(link.group(0))  # „Anmelden"
                assert welcome.status_code == 200
                assert "Sie sind angemeldet" in welcome.text
                page = await browser.get(f"http://127.0.0.1:{port}/fragen")
                assert QUESTION in page.text
                csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
                assert csrf is not None
                taught = await browser.post(
                    f"http://127.0.0.1:{port}/fragen/formulierung",
                    data={"csrf": csrf.group(1), "question": QUESTION, "entry": "kindergeld"},
                )
                assert taught.status_code == 303
                assert (
                    "hinzugef"
                    in (
                        await browser.get(f"http://127.0.0.1:{port}{taught.headers['location']}")
                    ).text
                )

            api.send_text(PARENT, QUESTION)
            answer = await api.wait_for_message(
                PARENT, lambda m: m["text"].startswith("Kindergeld"), timeout=10
            )
            assert "259 €" in answer["text"]
        finally:
            assert await bot.stop() == 0
        log = (tmp_path / "bot.log").read_text(encoding="utf-8")
        assert "Traceback" not in log, log
        assert "/anmelden/" not in log  # the login token is never logged
