"""Who may open the team's console pages: one check and its wording for every page.

Staff (editors too) see the team's pages; counsellors only the case pages; without a session
nobody sees anything but how to log in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from bot.console.model import ConsoleRole, Session

Render = Callable[..., HTMLResponse]
SessionOf = Callable[[Request], Awaitable[Session | None]]

NO_SESSION = (
    "Bitte melden Sie sich an: Schicken Sie dem Bot in Ihrem privaten Chat /konsole – "
    "er antwortet mit einem Link, der zehn Minuten gilt."
)
STAFF_ONLY = "Diese Seite ist für das Team; Beraterinnen und Berater sehen die Zahlen der Fälle."


async def staff_session(
    request: Request, session_of: SessionOf, render: Render
) -> Session | Response:
    """Return the session of staff (editors too); refuse everyone else, saying why."""
    session = await session_of(request)
    if session is None:
        return render("refused.html", 401, reason=NO_SESSION)
    if session.role is ConsoleRole.COUNSELLOR:
        return render("refused.html", 403, session=session, reason=STAFF_ONLY)
    return session
