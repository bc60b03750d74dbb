"""The console's „Wissen" pages through HTTP: overdue reviews, votes, preview, diff, saving.

The real SQLite store, the shipped knowledge base copied to a temporary directory (the console
writes into it; one entry made overdue, one file given comments of an editor) and the live
dialogue that answers parents.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from bot.config import AnnouncementsConfig, Config, ConsoleConfig, CounsellingConfig, Counsellor
from bot.console.knowledge import EntryChange, review_due, version_of
from bot.dialogue.core import Dialogue
from bot.frontends.checks import validate
from bot.frontends.plain import render_plain
from bot.frontends.web.app import COOKIE, build_console
from bot.frontends.web.server import console_services
from bot.knowledgeedit.yamlfiles import KnowledgeFiles
from bot.storage.sqlite import SqliteStore
from tests.conftest import KNOWLEDGE

STAFF, EDITOR, COUNSELLOR = 100, 200, 400
ASKED = "Wie viel Kindergeld bekomme ich für mein Kind?"
NEW_ANSWER = (
    "Für jedes Kind zahlt die Familienkasse {kindergeld} im Monat. Den Antrag stellt der "
    "Elternteil, bei dem das Kind lebt.\n\nNächster Schritt: Antrag bei der Familienkasse."
)
COMMENT = "# Redaktion: jedes Jahr zum 1. Januar die Beträge prüfen"


@dataclass
class Console:
    client: httpx.AsyncClient
    services: object
    dialogue: Dialogue
    store: SqliteStore
    root: Path

    async def login(self, person: int) -> None:
        token = await self.services.access.issue_link(person)  # type: ignore[attr-defined]
        assert token is not None
        response = await self.client.post(f"/anmelden/{token}")
        assert response.status_code == 200, response.text
        assert COOKIE in response.cookies or COOKIE in self.client.cookies

    @property
    def kindergeld(self) -> Path:
        return self.root / "faq" / "kindergeld.yaml"


def prepare(root: Path) -> None:
    """Make Wohngeld overdue and give the Kindergeld file an editor's comments."""
    wohngeld = root / "faq" / "wohngeld.yaml"
    text = wohngeld.read_text(encoding="utf-8")
    wohngeld.write_text(re.sub(r"reviewed: \S+", "reviewed: 2024-02-01", text), encoding="utf-8")
    kindergeld = root / "faq" / "kindergeld.yaml"
    text = kindergeld.read_text(encoding="utf-8")
    text = text.replace("answer: |", f"{COMMENT}\nanswer: |", 1)
    text = text.replace("reviewed:", "# Quellen geprüft im November\nreviewed:", 1)
    kindergeld.write_text(text, encoding="utf-8")


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    prepare(root)
    counselling = CounsellingConfig(
        group_id=-100500,
        counsellors=(Counsellor(COUNSELLOR, "Beraterin Anna"),),
        default_name="Beratungsteam",
        office_hours={},
        state="NW",
    )
    config = Config(
        knowledge_dir=root,
        announcements=AnnouncementsConfig(staff_ids=frozenset({STAFF, EDITOR})),
        counselling=counselling,
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


def form(
    console: Console, token: str, action: str, entry_id: str = "kindergeld", **changes: str
) -> dict[str, str]:
    """Return an entry's form (Kindergeld's) as the page fills it, with some fields changed."""
    entry = console.dialogue.kb.entries[entry_id]
    path = console.root / "faq" / f"{entry_id}.yaml"
    fields = {
        "csrf": token,
        "action": action,
        "version": version_of(path.read_text(encoding="utf-8")),  # as the page puts it
        "questions": "\n".join(entry.questions),
        "answer": entry.answer,
        "related": "\n".join(entry.related),
        "legal_basis": "\n".join(entry.legal_basis),
        "sources": "\n".join(f"{s.title} | {s.url}" for s in entry.sources),
    }
    return fields | changes


def answer_text(console: Console) -> str:
    outcome = console.dialogue.ask(ASKED)
    assert outcome.entry_id == "kindergeld"
    return render_plain(outcome.replies[0])


def test_a_review_is_overdue_twelve_months_after_it() -> None:
    assert review_due(date(2026, 12, 10)) == date(2025, 12, 10)
    assert review_due(date(2028, 2, 29)) == date(2027, 2, 28)


async def test_the_list_puts_the_overdue_entry_first_with_votes_and_figures(
    console: Console,
) -> None:
    now = datetime.now(UTC)
    for helpful in (True, True, True, False):
        await console.store.add_feedback("kindergeld", helpful, None, now)
    await console.login(STAFF)
    page = await console.client.get("/wissen")
    assert page.status_code == 200
    linked = re.findall(r'<a href="/wissen/([a-z0-9-]+)">', page.text)
    assert linked[0] == "wohngeld"
    assert len(linked) == len(console.dialogue.kb.entries)
    first_row = page.text.split("<tbody>")[1].split("</tr>")[0]
    assert "01.02.2024" in first_row
    assert "überfällig" in first_row
    assert "1 Eintrag ist überfällig" in page.text
    row = page.text.split('href="/wissen/kindergeld"')[1].split("</tr>")[0]
    assert "75 %" in row
    assert "3 / 1" in row
    assert "zählt der Bot nicht je Eintrag" in page.text
    assert "{kindergeld}" in page.text
    assert "259 €" in page.text
    assert '<a href="/wissen">Wissen</a>' in page.text


async def test_staff_see_an_entry_as_parents_do_but_read_only(console: Console) -> None:
    await console.login(STAFF)
    page = await console.client.get("/wissen/kindergeld")
    assert page.status_code == 200
    assert "259 € pro Kind und Monat" in page.text  # the figure filled in, as in Telegram
    assert "{kindergeld}" not in page.text.split("So sieht die Antwort jetzt")[1]
    assert "Rechtsgrundlage: § 66 EStG (Höhe)" in page.text  # the footer
    assert "Kinderzuschlag" in page.text  # a related entry's button
    assert "Nur zum Ansehen" in page.text
    assert "Speichern" not in page.text
    missing = await console.client.get("/wissen/gibt-es-nicht")
    assert missing.status_code == 404


async def test_the_preview_shows_the_new_answer_and_the_diff_without_saving(
    console: Console,
) -> None:
    before = console.kindergeld.read_bytes()
    await console.login(EDITOR)
    page = await console.client.get("/wissen/kindergeld")
    response = await console.client.post(
        "/wissen/kindergeld", data=form(console, csrf(page.text), "preview", answer=NEW_ANSWER)
    )
    assert response.status_code == 200
    preview = response.text.split("Vorschau der Änderung")[1].split("Unterschiede in der Datei")[0]
    assert "Für jedes Kind zahlt die Familienkasse 259 € im Monat." in preview
    diff = response.text.split("Unterschiede in der Datei")[1].split("</pre>")[0]
    assert "+  Für jedes Kind zahlt die Familienkasse {kindergeld} im Monat." in diff
    assert "-  Das Kindergeld beträgt seit 1. Januar 2026 {kindergeld}" in diff
    assert console.kindergeld.read_bytes() == before
    assert "Für jedes Kind" not in answer_text(console)


async def test_saving_changes_the_file_keeps_comments_and_the_bot_answers_anew(
    console: Console,
) -> None:
    await console.login(EDITOR)
    page = await console.client.get("/wissen/kindergeld")
    sources = (
        "Einkommensteuergesetz § 66 | https://www.gesetze-im-internet.de/estg/__66.html\n"
        "Familienkasse – Kindergeld | https://www.arbeitsagentur.de/familie-und-kinder"
    )
    data = form(console, csrf(page.text), "save", answer=NEW_ANSWER, sources=sources)
    response = await console.client.post("/wissen/kindergeld", data=data)
    assert response.status_code == 303
    done = await console.client.get(response.headers["location"])
    assert "Gespeichert" in done.text
    text = console.kindergeld.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schemas/faq.schema.json\n")
    assert f"{COMMENT}\nanswer: |\n  Für jedes Kind zahlt die Familienkasse {{kindergeld}}" in text
    assert "# Quellen geprüft im November\nreviewed:" in text
    assert "__64.html" not in text
    assert "Für jedes Kind zahlt die Familienkasse 259 € im Monat." in answer_text(console)
    assert "Einkommensteuergesetz § 64" not in answer_text(console)
    audit = await console.store._read("SELECT actor_id, action, subject FROM audit")
    assert (EDITOR, "edit_entry", "kindergeld") in [tuple(row) for row in audit]


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        ({"related": "kinderzuschlag\ngibt-es-nicht"}, "no entry with id 'gibt-es-nicht'"),
        ({"answer": ""}, "is too short"),
    ],
)
async def test_an_invalid_save_shows_file_and_line_and_changes_nothing(
    console: Console, change: dict[str, str], shown: str
) -> None:
    before = console.kindergeld.read_bytes()
    said = answer_text(console)
    await console.login(EDITOR)
    page = await console.client.get("/wissen/kindergeld")
    response = await console.client.post(
        "/wissen/kindergeld", data=form(console, csrf(page.text), "save", **change)
    )
    assert response.status_code == 422
    assert "Nicht gespeichert" in response.text
    problem = re.search(r"<li><code>([^<]*kindergeld\.yaml:\d+: [^<]*)</code>", response.text)
    assert problem is not None
    assert shown in problem.group(1).replace("&#39;", "'")
    assert console.kindergeld.read_bytes() == before
    assert answer_text(console) == said


async def test_a_source_line_without_a_url_is_named(console: Console) -> None:
    await console.login(EDITOR)
    page = await console.client.get("/wissen/kindergeld")
    data = form(console, csrf(page.text), "preview", sources="Nur ein Titel")
    response = await console.client.post("/wissen/kindergeld", data=data)
    assert response.status_code == 422
    assert "Quellen, Zeile 1" in response.text


async def test_staff_who_are_no_editors_cannot_save(console: Console) -> None:
    before = console.kindergeld.read_bytes()
    await console.login(STAFF)
    page = await console.client.get("/wissen/kindergeld")
    data = form(console, csrf(page.text), "save", answer=NEW_ANSWER)
    response = await console.client.post("/wissen/kindergeld", data=data)
    assert response.status_code == 403
    assert "Nur Redakteurinnen und Redakteure" in response.text
    assert console.kindergeld.read_bytes() == before


async def test_a_save_without_its_csrf_token_is_refused(console: Console) -> None:
    before = console.kindergeld.read_bytes()
    await console.login(EDITOR)
    data = form(console, "falsch", "save", answer=NEW_ANSWER)
    response = await console.client.post("/wissen/kindergeld", data=data)
    assert response.status_code == 403
    assert "CSRF" in response.text
    assert console.kindergeld.read_bytes() == before
    assert "Für jedes Kind" not in answer_text(console)


async def test_counsellors_and_strangers_are_refused(console: Console) -> None:
    assert (await console.client.get("/wissen")).status_code == 401
    await console.login(COUNSELLOR)
    assert (await console.client.get("/wissen")).status_code == 403
    assert (await console.client.get("/wissen/kindergeld")).status_code == 403


INJECTED = 'followups: {amount: "Eingeschleust: Das Geld bekommen Sie sofort bar beim Amt."}'


async def test_a_lone_carriage_return_in_the_answer_adds_no_yaml_key(console: Console) -> None:
    """A lone CR used to end the YAML line: the rest became a key the form does not offer."""
    await console.login(EDITOR)
    page = await console.client.get("/wissen/expertenchat")
    old = console.dialogue.kb.entries["expertenchat"].answer.strip()
    data = form(console, csrf(page.text), "save", "expertenchat", answer=f"{old}\r{INJECTED}")
    response = await console.client.post("/wissen/expertenchat", data=data)
    assert response.status_code == 303, re.findall(r"<li><code>[^<]*", response.text)
    entry = console.dialogue.kb.entries["expertenchat"]
    assert dict(entry.followups) == {}  # no key smuggled in
    assert entry.answer.rstrip().endswith(f"\n{INJECTED}")  # the line is text of the answer
    assert "\r" not in (console.root / "faq" / "expertenchat.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("field", "char"), [("answer", "\x1b"), ("answer", "\x85"), ("questions", "\x00")]
)
async def test_control_characters_are_refused_with_a_clear_message(
    console: Console, field: str, char: str
) -> None:
    before = console.kindergeld.read_bytes()
    await console.login(EDITOR)
    page = await console.client.get("/wissen/kindergeld")
    value = form(console, "", "save")[field]
    data = form(console, csrf(page.text), "save", **{field: f"{value[:20]}{char}{value[20:]}"})
    response = await console.client.post("/wissen/kindergeld", data=data)
    assert response.status_code == 422
    assert f"Steuerzeichen (U+{ord(char):04X})" in response.text
    assert console.kindergeld.read_bytes() == before


def test_a_change_that_would_add_a_key_is_refused_by_the_file_editor(console: Console) -> None:
    """Defence in depth: whatever reaches the editor, only the five fields may change."""
    path = console.root / "faq" / "expertenchat.yaml"
    before = path.read_bytes()
    entry = console.dialogue.kb.entries["expertenchat"]
    change = EntryChange(
        questions=tuple(entry.questions),
        answer=f"{entry.answer.strip()}\r{INJECTED}",
        related=tuple(entry.related),
        legal_basis=tuple(entry.legal_basis),
        sources=tuple((s.title, s.url) for s in entry.sources),
    )
    edit = KnowledgeFiles(console.root, validate).change_entry("expertenchat", change, save=True)
    assert isinstance(edit.result, list)
    assert "followups" in edit.result[0]
    assert path.read_bytes() == before


def loaded_version(html: str) -> str:
    found = re.search(r'name="version" value="([0-9a-f]{64})"', html)
    assert found is not None
    return found.group(1)


async def test_the_form_carries_the_version_of_the_file_it_was_made_from(
    console: Console,
) -> None:
    await console.login(EDITOR)
    page = await console.client.get("/wissen/kindergeld")
    assert loaded_version(page.text) == version_of(console.kindergeld.read_text(encoding="utf-8"))
    preview = await console.client.post(
        "/wissen/kindergeld",
        data=form(console, csrf(page.text), "preview", answer=NEW_ANSWER) | {"version": "0" * 64},
    )
    assert loaded_version(preview.text) == "0" * 64  # a preview keeps the version as loaded


async def test_a_save_after_someone_else_saved_is_refused_with_409(console: Console) -> None:
    await console.login(EDITOR)
    page = await console.client.get("/wissen/kindergeld")
    stale = form(console, csrf(page.text), "save", answer=NEW_ANSWER)  # editor A's form
    # Meanwhile editor B (here: the same person in another tab) teaches a phrasing in /fragen.
    fragen = await console.client.get("/fragen")
    taught = await console.client.post(
        "/fragen/formulierung",
        data={"csrf": csrf(fragen.text), "question": "Kigeld wann drauf", "entry": "kindergeld"},
    )
    assert "problem" not in taught.headers["location"]
    after_b = console.kindergeld.read_bytes()
    response = await console.client.post("/wissen/kindergeld", data=stale)
    assert response.status_code == 409
    assert "jemand anderes hat diesen Eintrag zuerst gespeichert" in response.text
    assert '<a href="/wissen/kindergeld#aendern">laden Sie den Eintrag neu</a>' in response.text
    assert console.kindergeld.read_bytes() == after_b  # B's phrasing is not lost
    assert "Für jedes Kind" not in answer_text(console)
    assert (await console.client.post("/wissen/kindergeld", data=stale)).status_code == 409


async def test_two_simultaneous_saves_one_wins_the_other_is_told(console: Console) -> None:
    await console.login(EDITOR)
    page = await console.client.get("/wissen/kindergeld")
    first = form(console, csrf(page.text), "save", answer=NEW_ANSWER)
    second = form(console, csrf(page.text), "save", answer=NEW_ANSWER.replace("jedes", "ein"))
    responses = await asyncio.gather(
        console.client.post("/wissen/kindergeld", data=first),
        console.client.post("/wissen/kindergeld", data=second),
    )
    assert sorted(r.status_code for r in responses) == [303, 409]
    winner = first if responses[0].status_code == 303 else second
    text = console.kindergeld.read_text(encoding="utf-8")
    assert winner["answer"].split("\n")[0] in text
    assert winner["answer"].split("\n")[0].replace("{kindergeld}", "259 €") in answer_text(console)
