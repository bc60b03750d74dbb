"""The console's „Wissen" pages: every entry with its review date and votes, and editing one.

Staff look; editors change an entry's questions, answer, related entries, legal basis and
sources, see the diff of its file and the answer as a parent gets it, and save. Counsellors are
refused. Every POST carries the session's CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.console.access import ConsoleAccess
from bot.console.knowledge import EntryChange, KnowledgeUpkeep, Proposal, parse_change
from bot.console.model import ConsoleRole, Session
from bot.content.knowledge import Entry
from bot.dialogue.model import Reply
from bot.frontends.plain import flat_buttons, render_plain
from bot.frontends.web.staff import Render, SessionOf, staff_session

FIELDS = ("questions", "answer", "related", "legal_basis", "sources")


def wissen_routes(
    upkeep: KnowledgeUpkeep,
    access: ConsoleAccess,
    render: Render,
    session_of: SessionOf,
    today: Callable[[], date],
) -> list[Route]:
    """Return the routes of the „Wissen" pages."""
    pages = WissenPages(upkeep, access, render, session_of, today)
    return [
        Route("/wissen", pages.overview),
        Route("/wissen/{entry_id}", pages.entry),
        Route("/wissen/{entry_id}", pages.change, methods=["POST"]),
    ]


class WissenPages:
    """The request handlers of „Wissen"; each translates and renders, nothing more."""

    def __init__(
        self,
        upkeep: KnowledgeUpkeep,
        access: ConsoleAccess,
        render: Render,
        session_of: SessionOf,
        today: Callable[[], date],
    ) -> None:
        """Keep the use case, the access checks and the console's renderer."""
        self.upkeep = upkeep
        self.access = access
        self.render = render
        self.session_of = session_of
        self.today = today

    async def _staff(self, request: Request) -> Session | Response:
        """Return the session of staff (editors too); refuse the others."""
        return await staff_session(request, self.session_of, self.render)

    async def overview(self, request: Request) -> Response:
        """Show every entry (overdue reviews first) and the yearly figures."""
        session = await self._staff(request)
        if isinstance(session, Response):
            return session
        rows = await self.upkeep.overview(self.today())
        return self.render(
            "wissen.html",
            session=session,
            rows=rows,
            overdue=sum(r.overdue for r in rows),
            years=self.upkeep.figures(),
        )

    async def entry(self, request: Request) -> Response:
        """Show an entry, how a parent sees it, and (for editors) the form to change it."""
        session = await self._staff(request)
        if isinstance(session, Response):
            return session
        entry = self.upkeep.entry(request.path_params["entry_id"])
        if entry is None:
            return self.render(
                "refused.html", 404, session=session, reason="Diesen Eintrag gibt es nicht."
            )
        values = _fields(entry) | {"version": self.upkeep.version(entry.id)}
        return self._page(session, entry, values, message=request.query_params.get("ok"))

    async def change(self, request: Request) -> Response:
        """Preview („Vorschau und Unterschiede") or save („Speichern") an editor's change."""
        session = await self._staff(request)
        if isinstance(session, Response):
            return session
        form = await request.form()
        if not self.access.csrf_ok(session, _field(form, "csrf")):
            return self.render("refused.html", 403, reason="Die Anfrage war nicht gültig (CSRF).")
        if session.role is not ConsoleRole.EDITOR:
            reason = "Nur Redakteurinnen und Redakteure dürfen Einträge ändern."
            return self.render("refused.html", 403, session=session, reason=reason)
        entry = self.upkeep.entry(request.path_params["entry_id"])
        if entry is None:
            return self.render(
                "refused.html", 404, session=session, reason="Diesen Eintrag gibt es nicht."
            )
        values = {name: _field(form, name) or "" for name in FIELDS}
        change = parse_change(**values)
        values["version"] = _field(form, "version") or ""  # kept as loaded, through previews
        if isinstance(change, list):
            proposal = Proposal("", None, tuple(change))
            return self._page(session, entry, values, proposal=proposal, status=422)
        if _field(form, "action") == "save":
            return await self._save(session, entry, values, change)
        proposal = await self.upkeep.propose(session, entry.id, change)
        return self._page(session, entry, values, proposal=proposal)

    async def _save(
        self, session: Session, entry: Entry, values: dict[str, str], change: EntryChange
    ) -> Response:
        proposal = await self.upkeep.save(session, entry.id, change, values["version"])
        if proposal.saved:
            done = quote("Gespeichert. Der Bot antwortet ab jetzt mit der neuen Fassung.", safe="")
            return RedirectResponse(f"/wissen/{quote(entry.id)}?ok={done}", status_code=303)
        status = 409 if proposal.conflict else 422
        return self._page(session, entry, values, proposal=proposal, status=status)

    def _page(
        self,
        session: Session,
        entry: Entry,
        values: dict[str, str],
        *,
        proposal: Proposal | None = None,
        message: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        """Render an entry's page; a proposal adds its diff, its preview or its problems."""
        titles = {e.id: e.title for e in self.upkeep.entries()}
        return self.render(
            "wissen_eintrag.html",
            status,
            session=session,
            editor=session.role is ConsoleRole.EDITOR,
            entry=entry,
            category=self.upkeep.category_label(entry.category),
            titles=titles,
            values=values,
            current=_shown(self.upkeep.reply(entry)),
            proposal=proposal,
            preview=_shown(proposal.preview) if proposal and proposal.preview else None,
            message=message,
        )


def _shown(reply: Reply) -> dict[str, Any]:
    """Return a reply as a parent sees it: its plain text and its button labels."""
    return {"text": render_plain(reply), "buttons": [b.label for b in flat_buttons(reply)]}


def _fields(entry: Entry) -> dict[str, str]:
    """Return an entry's editable fields as the form shows them, one item per line."""
    return {
        "questions": "\n".join(entry.questions),
        "answer": entry.answer,
        "related": "\n".join(entry.related),
        "legal_basis": "\n".join(entry.legal_basis),
        "sources": "\n".join(f"{s.title} | {s.url}" for s in entry.sources),
    }


def _field(form: Any, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None
