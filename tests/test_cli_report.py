"""Newcomer D19: `elternlotse report` prints the staff's usage figures from the bot's database."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.storage.sqlite import open_store
from tests.test_cli import run


async def test_report_prints_the_figures_of_the_last_30_days(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = open_store(data)
    await store.open()
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo("Europe/Berlin")).date()
    await store.count(today, "answer", 4)
    await store.count(today, "fallback")
    await store.add_feedback("kindergeld", True, None, now)
    await store.add_unanswered("Wie komme ich an einen Kitaplatz in [Ort]?", now)
    await store.open_case(4711, "Unterhalt", False, now)
    await store.close()
    config = tmp_path / "config.yaml"
    config.write_text(
        "counselling:\n  group_id: -1001\n  counsellors:\n    - {id: 1, name: 'Beraterin Anna'}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "ELTERNLOTSE_CONFIG": str(config), "ELTERNLOTSE_DATA": str(data)}
    result = run("report", env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("📊 Nutzung der letzten 30 Tage (")
    assert lines[1] == "Antworten: 4 · keine passende Antwort: 1 · Rückfrage „Meinten Sie …?“: 0"
    assert f"Pro Tag (Antworten / keine passende Antwort): {today:%d.%m.} 4/1" in lines
    assert "Bewertungen der Antworten: 👍 1 · 👎 0" in lines
    assert "• „Wie komme ich an einen Kitaplatz in [Ort]?“" in lines
    assert "Beratungsfälle:" in lines
    assert result.stderr == ""


def test_report_without_a_database_says_where_it_looked(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("timezone: Europe/Berlin\n", encoding="utf-8")
    data = tmp_path / "nothing"
    env = {**os.environ, "ELTERNLOTSE_CONFIG": str(config), "ELTERNLOTSE_DATA": str(data)}
    result = run("report", env=env)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"elternlotse: no data yet in {data}/ (the bot keeps its figures there)\n"
    )
    assert not data.exists()  # nothing was created
