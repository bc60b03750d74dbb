"""The readable side of `/meine_daten`: a German overview and the JSON file beside it.

Art. 12 and 15 GDPR ask for the copy of a parent's data "in an understandable form". The JSON
file holds every row (for a machine or a lawyer); the overview says for each kind of data, in
plain German, what it is, why it is kept, since when and how long, with no internal codes. The
wording comes from `knowledge/texts.yaml` (`export_<table>_…`), the periods from the config.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import datetime, tzinfo
from typing import Any

from bot.config import PrivacyConfig
from bot.privacy.ports import GROUP_MEMBER_DAYS
from bot.privacy.registry import PERSONAL_DATA, PersonalTable

Texts = Callable[..., str]
Rows = list[dict[str, Any]]

_BY_NAME = {table.table: table for table in PERSONAL_DATA}
# Columns that say when a row came to be; the earliest is "gespeichert seit".
_SINCE_COLUMNS = ("first_seen", "opened_at", "consented_at", "asked_at", "created_at", "since")
_CHANGED_COLUMNS = ("updated_at",)


def machine_readable(rows: Mapping[str, Rows], now: datetime, texts: Texts) -> bytes:
    """Return the JSON file: every row, JSON columns parsed, each table with its German purpose."""
    tables: dict[str, Any] = {}
    for name, found in rows.items():
        table = _BY_NAME.get(name)
        json_columns = table.json_columns if table is not None else ()
        tables[name] = {
            "purpose": _why(texts, name, table),
            "rows": [_parsed(row, json_columns) for row in found],
        }
    document = {"exported_at": now.isoformat(timespec="seconds"), "tables": tables}
    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def _parsed(row: Mapping[str, Any], json_columns: tuple[str, ...]) -> dict[str, Any]:
    """Return a row with its JSON text columns as JSON values (not an escaped string)."""
    parsed = dict(row)
    for column in json_columns:
        value = parsed.get(column)
        if isinstance(value, str):
            # Not JSON after all: then the text itself is the truthful copy.
            with suppress(ValueError):
                parsed[column] = json.loads(value)
    return parsed


def overview(
    texts: Texts, rows: Mapping[str, Rows], now: datetime, privacy: PrivacyConfig
) -> tuple[str, str]:
    """Return the overview's title and text: one section per kind of data the parent has."""
    title = texts("export_title", date=_date(now, now.tzinfo))
    sections = [
        _section(texts, name, found, now.tzinfo, privacy) for name, found in rows.items() if found
    ]
    if not sections:
        return title, texts("export_nothing")
    unlinked = texts("export_unlinked", unanswered_days=privacy.unanswered_days)
    return title, "\n\n".join((texts("export_ready"), *sections, unlinked))


def _section(
    texts: Texts, name: str, found: Rows, zone: tzinfo | None, privacy: PrivacyConfig
) -> str:
    """Return one kind of data: what, why, since when, how long."""
    table = _BY_NAME.get(name)
    if table is None:  # not in the registry (a test's extra table): say only how much
        title, what = name, texts("export_other_what", count=len(found))
    else:
        title = texts(f"export_{name}_title")
        what = texts(f"export_{name}_what", **_what_fields(texts, name, found, zone))
    return texts(
        "export_section",
        title=title,
        what=what,
        why=_why(texts, name, table),
        since=_since(texts, found, zone),
        kept=_kept(texts, table, privacy),
    )


def _why(texts: Texts, name: str, table: PersonalTable | None) -> str:
    """Return why the rows are kept, in German where the table is registered."""
    return texts(f"export_{name}_why") if table is not None else ""


def _kept(texts: Texts, table: PersonalTable | None, privacy: PrivacyConfig) -> str:
    """Return how long the rows are kept, with the configured number of days."""
    keep = table.keep.value if table is not None else "until_deleted"
    return texts(
        f"export_kept_{keep}",
        inactive_days=privacy.inactive_days,
        closed_case_days=privacy.closed_case_days,
        outbox_days=privacy.outbox_days,
        unanswered_days=privacy.unanswered_days,
        group_days=GROUP_MEMBER_DAYS,
    )


def _what_fields(texts: Texts, name: str, found: Rows, zone: tzinfo | None) -> dict[str, object]:
    """Return the placeholders of a table's "what" text, read from its rows."""
    match name:
        case "users":
            return {"last_seen": _date(_moment(found[0].get("last_seen")), zone)}
        case "cases":
            return {"cases": "; ".join(_case_line(texts, row, zone) for row in found)}
        case "outbox":
            pending = sum(1 for row in found if row.get("status") == "pending")
            return {"count": len(found), "pending": pending}
        case "subscriptions":
            topics = (_topic(texts, row, zone) for row in found)
            return {"topics": "; ".join(topics)}
        case "registrations":
            reminders = sum(1 for row in found if row.get("remind"))
            return {"count": len(found), "reminders": reminders}
        case "questions":
            return {"questions": " ".join(f"„{row.get('text', '')}“" for row in found)}
    return {}


def _case_line(texts: Texts, row: Mapping[str, Any], zone: tzinfo | None) -> str:
    """Return one case in words: number, when asked, open or ended, the parent's rating."""
    closed = _moment(row.get("closed_at"))
    status = (
        texts("export_case_closed", closed=_date(closed, zone))
        if closed is not None
        else texts("export_case_open")
    )
    line = texts(
        "export_case_line",
        number=row.get("number"),
        opened=_date(_moment(row.get("opened_at")), zone),
        status=status,
    )
    rating = row.get("rating")
    return f"{line}, {texts('export_case_rating', rating=rating)}" if rating else line


def _topic(texts: Texts, row: Mapping[str, Any], zone: tzinfo | None) -> str:
    """Return a subscribed topic by its German name, with the day of consent."""
    category = str(row.get("category", ""))
    try:
        name = texts(f"category_{category}")
    except KeyError:  # a category removed since: its code is all there is
        name = category
    return f"{name} ({_date(_moment(row.get('consented_at')), zone)})"


def _since(texts: Texts, found: Rows, zone: tzinfo | None) -> str:
    """Return the day the oldest row came to be (or was last changed, if that is all we know)."""
    moments = [
        moment
        for row in found
        for column in (*_SINCE_COLUMNS, *_CHANGED_COLUMNS)
        if (moment := _moment(row.get(column))) is not None
    ]
    return _date(min(moments), zone) if moments else texts("export_since_unknown")


def _moment(value: object) -> datetime | None:
    """Return a stored timestamp as a datetime; None when there is none."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _date(moment: datetime | None, zone: tzinfo | None) -> str:
    """Return a day as Germans write it (24.11.2026), in the service's time zone."""
    if moment is None:
        return "–"
    local = moment.astimezone(zone) if zone is not None and moment.tzinfo is not None else moment
    return local.strftime("%d.%m.%Y")
