"""The console's „Gruppen" page: each peer group's state and counts, and pausing a group.

Staff look and pause; counsellors are refused. A paused group is not listed to parents, and new
join requests are declined with a friendly note. Counts only: no member, no message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.console.access import ConsoleAccess
from bot.console.model import Session
from bot.frontends.web.staff import Render, SessionOf, staff_session
from bot.groups.model import Tally
from bot.groups.service import PeerGroups

Period = Callable[[Request, date], tuple[date, date]]
# The columns of the counts, in the order the page shows them.
COLUMNS = (
    (Tally.JOINED, "beigetreten"),
    (Tally.DECLINED, "Anfragen abgelehnt"),
    (Tally.REPORTS, "Meldungen"),
    (Tally.ALERTS, "Notlagen"),
    (Tally.CONCERNS, "Sorgen (nur gezählt)"),
    (Tally.HELD, "gehalten"),
    (Tally.WARNED, "verwarnt"),
    (Tally.MUTED, "stumm"),
    (Tally.REMOVED, "entfernt"),
    (Tally.FLOOD, "Flut"),
)


def group_routes(
    groups: PeerGroups,
    access: ConsoleAccess,
    render: Render,
    session_of: SessionOf,
    period: tuple[Period, Callable[[], date]],
) -> list[Route]:
    """Return the routes of the „Gruppen" page."""
    pages = GroupPages(groups, access, render, session_of, period)
    return [
        Route("/gruppen", pages.overview),
        Route("/gruppen/pause", pages.pause, methods=["POST"]),
    ]


class GroupPages:
    """The request handlers of „Gruppen"; each translates and renders, nothing more."""

    def __init__(
        self,
        groups: PeerGroups,
        access: ConsoleAccess,
        render: Render,
        session_of: SessionOf,
        period: tuple[Period, Callable[[], date]],
    ) -> None:
        """Keep the use case, the access checks, the renderer and the period reader."""
        self.groups = groups
        self.access = access
        self.render = render
        self.session_of = session_of
        self.period, self.today = period

    async def _staff(self, request: Request) -> Session | Response:
        """Return the session of staff; refuse everyone else with the page that says why."""
        return await staff_session(request, self.session_of, self.render)

    async def overview(self, request: Request) -> Response:
        """Show every group: open, paused or not usable, and its counts for the period."""
        session = await self._staff(request)
        if isinstance(session, Response):
            return session
        first, last = self.period(request, self.today())
        return self.render(
            "gruppen.html",
            session=session,
            first=first,
            last=last,
            figures=await self.groups.figures(first, last),
            columns=COLUMNS,
            message=request.query_params.get("ok"),
        )

    async def pause(self, request: Request) -> Response:
        """Pause a group or open it again (a form with the session's CSRF token)."""
        session = await self._staff(request)
        if isinstance(session, Response):
            return session
        form = await request.form()
        csrf, group_id, wanted = (form.get(k) for k in ("csrf", "group", "paused"))
        if not isinstance(csrf, str) or not self.access.csrf_ok(session, csrf):
            return self.render("refused.html", 403, reason="Die Anfrage war nicht gültig (CSRF).")
        if not isinstance(group_id, str) or wanted not in {"ja", "nein"}:
            return self.render("refused.html", 400, session=session, reason="Unbekannte Gruppe.")
        paused = wanted == "ja"
        if not await self.groups.joining.pause(group_id, paused, session.staff_id):
            return self.render("refused.html", 404, session=session, reason="Unbekannte Gruppe.")
        done = "pausiert" if paused else "wieder offen"
        return RedirectResponse(f"/gruppen?ok=Gruppe+{done}", status_code=303)
