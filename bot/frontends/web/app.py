"""The console's Starlette application: routes, the session cookie, CSRF, security headers.

Pages only translate: a request becomes a call of a use case (`bot.console`), the result a
template. Every page needs a session (from a login link the bot sends in /konsole); every form
carries the session's CSRF token; the cookie is HttpOnly, SameSite=Strict and (by config) Secure.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.callbacks import Reason
from bot.console.access import SESSION_HOURS, ConsoleAccess
from bot.console.curation import PHRASING_BY_EDITORS, Curation, Decision
from bot.console.figures import Figures
from bot.console.knowledge import KnowledgeUpkeep
from bot.console.model import ConsoleRole, Refusal, Session
from bot.console.overview import Overview
from bot.content.knowledge import KnowledgeBase
from bot.frontends.web.figures import KIND_WORDS, case_charts, csv_text, usage_charts
from bot.frontends.web.gruppen import COLUMNS, group_routes
from bot.frontends.web.staff import NO_SESSION, staff_session
from bot.frontends.web.wissen import wissen_routes
from bot.groups.service import PeerGroups

COOKIE = "elternlotse_konsole"
TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
EARLIEST = date(2000, 1, 1)  # no period starts before this day (the bot did not exist)
LATER_DAYS = 366  # nor ends more than a year after today
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # The login link carries its token: never send it on as a referrer.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
_REFUSALS = {
    Refusal.UNKNOWN: "Dieser Anmeldelink ist ungültig.",
    Refusal.USED: "Dieser Anmeldelink wurde schon benutzt. Jeder Link gilt nur einmal.",
    Refusal.EXPIRED: "Dieser Anmeldelink ist abgelaufen (er gilt 10 Minuten).",
    Refusal.NOT_ALLOWED: "Mit diesem Telegram-Konto ist die Konsole nicht freigegeben.",
    Refusal.LIMITED: "Zu viele ungültige Anmeldeversuche. Bitte warten Sie zehn Minuten.",
}


@dataclass(frozen=True)
class ConsoleServices:
    """What the pages call: the use cases and the knowledge base they show."""

    access: ConsoleAccess
    curation: Curation
    knowledge: Callable[[], KnowledgeBase]
    today: Callable[[], date]
    overview: Overview
    secure_cookies: bool = True
    public_url: str = "http://127.0.0.1:8480"  # where the login links point
    figures: Figures | None = None
    upkeep: KnowledgeUpkeep | None = None  # „Wissen": entries, reviews, edits
    groups: PeerGroups | None = None  # „Gruppen": the peer groups' counts and pauses


class _Headers:
    """Add the security headers to every response, error pages included.

    A plain ASGI middleware (it edits the response start as it passes): whatever answers,
    a page, Starlette's 404 or the 500 page of `_server_error`, carries the same headers.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(_HEADERS)
            await send(message)

        await self.app(scope, receive, with_headers)


def build_console(services: ConsoleServices) -> Starlette:
    """Return the console application (mounted by `run`, or served by `elternlotse console`)."""
    pages = _Pages(services)
    routes = [
        Route("/", pages.home),
        Route("/anmelden/{token}", pages.login_page),
        Route("/anmelden/{token}", pages.login, methods=["POST"]),
        Route("/abmelden", pages.logout, methods=["POST"]),
        Route("/fragen", pages.questions),
        Route("/fragen/formulierung", pages.add_phrasing, methods=["POST"]),
        Route("/fragen/entscheidung", pages.decide, methods=["POST"]),
        Route("/termine", pages.events),
        Route("/faelle", pages.cases),
        Route("/protokoll", pages.audit_log),
        Route("/zahlen", pages.figures),
        Route("/zahlen.csv", pages.figures_csv),
    ]
    if services.upkeep is not None:  # „Wissen" (bot/frontends/web/wissen.py)
        upkeep, access, today = services.upkeep, services.access, services.today
        routes += wissen_routes(upkeep, access, pages.render, pages._session, today)
    if services.groups is not None:  # „Gruppen" (bot/frontends/web/gruppen.py)
        period = (_period, services.today)
        routes += group_routes(
            services.groups, services.access, pages.render, pages._session, period
        )

    def server_error(request: Request, error: Exception) -> Response:
        # Starlette's outermost layer answers a crash, past every middleware: the headers here.
        response = pages.render("refused.html", 500, reason=_SERVER_ERROR)
        response.headers.update(_HEADERS)
        return response

    return Starlette(
        routes=routes,
        middleware=[Middleware(_Headers)],
        exception_handlers={Exception: server_error},
    )


Handler = Callable[[Request, Session], Awaitable[Response]]


class _Pages:
    """The request handlers; each translates and renders, nothing more."""

    def __init__(self, services: ConsoleServices) -> None:
        self.s = services
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"])
        )
        self.env.globals["groups_on"] = services.groups is not None  # the menu's „Gruppen"

    def render(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        return HTMLResponse(self.env.get_template(name).render(**values), status_code=status)

    async def _session(self, request: Request) -> Session | None:
        return await self.s.access.session(request.cookies.get(COOKIE))

    async def home(self, request: Request) -> Response:
        session = await self._session(request)
        counsellor = session is not None and session.role is ConsoleRole.COUNSELLOR
        return RedirectResponse("/faelle" if counsellor else "/fragen", status_code=303)

    async def login_page(self, request: Request) -> Response:
        """Show the „Anmelden" button; a GET never spends the link.

        Link previews, scanners and prefetchers GET what they see; only the person who presses
        the button (a POST of the token, which is itself the secret) logs in.
        """
        if await self._session(request) is not None:
            return RedirectResponse("/", status_code=303)
        return self.render("login.html", token=request.path_params["token"])

    async def login(self, request: Request) -> Response:
        """Spend the link (POST from the login page): a session cookie, or why not."""
        if await self._session(request) is not None:
            # Already logged in (a reload of the welcome page): no second use of the link,
            # no failed attempt counted.
            return RedirectResponse("/", status_code=303)
        client = request.client.host if request.client else "?"
        opened = await self.s.access.open(request.path_params["token"], client)
        if isinstance(opened, Refusal):
            status = 429 if opened is Refusal.LIMITED else 403
            return self.render("refused.html", status, reason=_REFUSALS[opened])
        session_id, session = opened
        response = self.render("welcome.html", session=session)
        response.set_cookie(
            COOKIE,
            session_id,
            max_age=SESSION_HOURS * 3600,
            httponly=True,
            secure=self.s.secure_cookies,
            samesite="strict",
        )
        return response

    async def logout(self, request: Request) -> Response:
        session = await self._session(request)
        form = await request.form()
        if session is None or not self.s.access.csrf_ok(session, _field(form, "csrf")):
            return self.render("refused.html", 403, reason="Die Anfrage war nicht gültig.")
        await self.s.access.close(request.cookies.get(COOKIE, ""), session)
        response = self.render("logged_out.html")
        response.delete_cookie(COOKIE)
        return response

    async def questions(self, request: Request) -> Response:
        session = await staff_session(request, self._session, self.render)
        if isinstance(session, Response):
            return session
        first, last = _period(request, self.s.today())
        groups = await self.s.curation.open_questions(first, last)
        if isinstance(groups, float):
            return self.render("grouping.html", session=session, share=round(groups * 100))
        kb = self.s.knowledge()
        return self.render(
            "fragen.html",
            session=session,
            editor=session.role is ConsoleRole.EDITOR,
            first=first,
            last=last,
            groups=groups,
            downvoted=await self.s.curation.downvoted(first, last),
            todo=await self.s.curation.to_do(),
            entries=sorted(kb.entries.values(), key=lambda e: e.title),
            titles={e.id: e.title for e in kb.entries.values()},
            reasons={r.value: kb.texts(f"reason_{r.name.lower()}") for r in Reason},
            message=request.query_params.get("ok"),
            problems=request.query_params.getlist("problem"),
        )

    async def _form(self, request: Request) -> tuple[Session, Any] | Response:
        session = await staff_session(request, self._session, self.render)
        if isinstance(session, Response):
            return session
        form = await request.form()
        if not self.s.access.csrf_ok(session, _field(form, "csrf")):
            return self.render("refused.html", 403, reason="Die Anfrage war nicht gültig (CSRF).")
        return session, form

    async def add_phrasing(self, request: Request) -> Response:
        checked = await self._form(request)
        if isinstance(checked, Response):
            return checked
        session, form = checked
        questions = [q for q in form.getlist("question") if isinstance(q, str)]
        entry = _field(form, "entry") or ""
        problems = (
            await self.s.curation.add_phrasing(session, entry, questions)
            if questions
            else ["Keine Frage ausgewählt."]
        )
        if problems:
            query = "&".join(f"problem={_quote(p)}" for p in problems)
            return RedirectResponse(f"/fragen?{query}", status_code=303)
        return RedirectResponse(f"/fragen?ok={_quote('Formulierung hinzugefügt: ' + entry)}", 303)

    async def decide(self, request: Request) -> Response:
        checked = await self._form(request)
        if isinstance(checked, Response):
            return checked
        session, form = checked
        questions = [q for q in form.getlist("question") if isinstance(q, str)]
        try:
            decision = Decision(_field(form, "decision") or "")
        except ValueError:
            return self.render("refused.html", 400, reason="Unbekannte Entscheidung.")
        if decision is Decision.PHRASING:  # only through „Hinzufügen", which writes it
            status = 400 if session.role is ConsoleRole.EDITOR else 403
            return self.render("refused.html", status, session=session, reason=PHRASING_BY_EDITORS)
        problems = await self.s.curation.decide(session, questions, decision)
        if problems:
            query = "&".join(f"problem={_quote(p)}" for p in problems)
            return RedirectResponse(f"/fragen?{query}", status_code=303)
        return RedirectResponse(f"/fragen?ok={_quote('Gespeichert.')}", status_code=303)

    async def _viewer(self, request: Request, roles: frozenset[ConsoleRole]) -> Session | Response:
        """Return the session if its role may see the page, else the refusal (401 or 403)."""
        session = await self._session(request)
        if session is None:
            return self.render("refused.html", 401, reason=NO_SESSION)
        if session.role not in roles:
            return self.render("refused.html", 403, session=session, reason=_NOT_YOURS)
        return session

    async def events(self, request: Request) -> Response:
        viewer = await self._viewer(request, _OFFICE)
        if isinstance(viewer, Response):
            return viewer
        events, broadcasts = await self.s.overview.events(), await self.s.overview.broadcasts()
        return self.render("termine.html", session=viewer, events=events, broadcasts=broadcasts)

    async def cases(self, request: Request) -> Response:
        viewer = await self._viewer(request, _EVERYONE)
        if isinstance(viewer, Response):
            return viewer
        cases = await self.s.overview.open_cases()
        # Logged as the bot's /faelle is, but once per session and day: a GET (a reload, a
        # prefetch) should not fill the audit log.
        await self.s.access.audit_once(viewer, "cases_listed")
        return self.render("faelle.html", session=viewer, cases=cases)

    async def audit_log(self, request: Request) -> Response:
        viewer = await self._viewer(request, _OFFICE)
        if isinstance(viewer, Response):
            return viewer
        rows = await self.s.overview.audit_log(viewer)
        return self.render("protokoll.html", session=viewer, rows=rows)

    async def figures(self, request: Request) -> Response:
        session = await self._session(request)
        if session is None:
            return self.render("refused.html", 401, reason=NO_SESSION)
        if self.s.figures is None:
            return self.render("refused.html", 404, reason=_NO_FIGURES)
        first, last = _period(request, self.s.today())
        cases = await self.s.figures.cases(first, last)
        values: dict[str, Any] = {"cases": cases, "charts": case_charts(cases), "usage": None}
        values["kind_words"] = KIND_WORDS
        if session.role is not ConsoleRole.COUNSELLOR:  # counsellors see the case figures only
            usage = await self.s.figures.usage(first, last)
            titles = {e.id: e.title for e in self.s.knowledge().entries.values()}
            values.update(usage=usage, titles=titles)
            values["charts"].update(usage_charts(usage, titles))
            if self.s.groups is not None:
                values.update(groups=await self.s.groups.figures(first, last), columns=COLUMNS)
        return self.render("zahlen.html", session=session, first=first, last=last, **values)

    async def figures_csv(self, request: Request) -> Response:
        session = await self._session(request)
        if session is None:
            return self.render("refused.html", 401, reason=NO_SESSION)
        if self.s.figures is None or session.role is ConsoleRole.COUNSELLOR:
            return self.render("refused.html", 403, reason="Der Export ist nur für das Team.")
        first, last = _period(request, self.s.today())
        header, rows = await self.s.figures.table(first, last)
        name = f"elternlotse-zahlen-{first.isoformat()}-{last.isoformat()}.csv"
        return Response(
            csv_text(header, rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


_SERVER_ERROR = (
    "Das hat nicht geklappt: ein Fehler in der Konsole. Bitte versuchen Sie es später noch einmal."
)
_NO_FIGURES = "Die Zahlen sind in dieser Installation nicht eingerichtet."
_OFFICE = frozenset({ConsoleRole.STAFF, ConsoleRole.EDITOR})  # not counsellors: cases only
_EVERYONE = frozenset(ConsoleRole)
_NOT_YOURS = "Diese Seite ist für Ihre Rolle nicht freigegeben."


def _field(form: Any, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _period(request: Request, today: date) -> tuple[date, date]:
    """Return the chosen period (`von`, `bis`), default the last 30 days; bad dates too."""
    try:
        last = date.fromisoformat(request.query_params.get("bis", ""))
    except ValueError:
        last = today
    try:
        first = date.fromisoformat(request.query_params.get("von", ""))
    except ValueError:
        first = last - timedelta(days=DEFAULT_DAYS - 1)
    first, last = (first, last) if first <= last else (last, first)
    # Dates are clamped to a window the figures can compute with: 9999-12-31 plus a day, or
    # the local midnight of 0001-01-01 in UTC, overflow `datetime` (a 500 otherwise).
    latest = today + timedelta(days=LATER_DAYS)
    first, last = min(max(first, EARLIEST), latest), min(max(last, EARLIEST), latest)
    # At most three years: a period of centuries would only cost the server time.
    return max(first, last - timedelta(days=MAX_DAYS - 1)), last
