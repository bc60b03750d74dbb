"""Logging in to the staff console without a password: a single-use link from the bot.

A staff member sends /konsole to the bot in her private chat and gets a link valid for ten
minutes. Opening it once starts a server-side session (the cookie holds only its random id);
the link is then spent. A link used twice, expired, unknown or opened after the person left the
staff is refused with its own page; a client that keeps sending unknown tokens is refused for a
while (a valid link still opens).
Links and sessions are stored only as SHA-256 of their secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.console.model import ConsoleRole, Refusal, Session
from bot.console.ports import LoginStore

LINK_MINUTES = 10
SESSION_HOURS = 8
IDLE_MINUTES = 120  # a session without a request for this long ends (a forgotten browser)
FAILURES_ALLOWED = 5  # failed link openings per client within the window before a pause
FAILURE_WINDOW = timedelta(minutes=10)
MAX_CLIENTS = 10_000  # clients with recent failures kept in memory at most


def digest(secret: str) -> str:
    """Return the SHA-256 under which a link or a session is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Roles:
    """Who is who: staff and editors from the config, counsellors from the hand-over."""

    staff: frozenset[int]
    editors: frozenset[int]
    counsellors: frozenset[int] = frozenset()

    def of(self, person: int) -> ConsoleRole | None:
        """Return a person's role in the console; None when she may not use it."""
        if person in self.editors and person in self.staff:
            return ConsoleRole.EDITOR
        if person in self.staff:
            return ConsoleRole.STAFF
        if person in self.counsellors:
            return ConsoleRole.COUNSELLOR
        return None


@dataclass
class _Failures:
    """Unknown links opened per client, for the rate limit (in memory; a restart forgets).

    Only unknown (mistyped, forged) tokens count: a valid link is never held back, so failures
    from a shared address (every visitor behind one proxy) cannot lock staff out. Clients whose
    failures are older than the window are forgotten, and at most MAX_CLIENTS are kept.
    """

    times: dict[str, deque[datetime]] = field(default_factory=dict)

    def limited(self, client: str, now: datetime) -> bool:
        """Tell whether a client had too many failures within the window."""
        self._prune(client, now)
        return len(self.times.get(client, ())) >= FAILURES_ALLOWED

    def add(self, client: str, now: datetime) -> None:
        """Count a failure of a client."""
        self.times.setdefault(client, deque()).append(now)
        if len(self.times) > MAX_CLIENTS:
            for known in list(self.times):
                self._prune(known, now)
        if len(self.times) > MAX_CLIENTS:  # a flood from many addresses: forget the oldest
            by_age = sorted(self.times, key=lambda known: self.times[known][-1])
            for known in by_age[: len(self.times) - MAX_CLIENTS]:
                del self.times[known]

    def _prune(self, client: str, now: datetime) -> None:
        recent = self.times.get(client)
        if recent is None:
            return
        while recent and now - recent[0] > FAILURE_WINDOW:
            recent.popleft()
        if not recent:
            del self.times[client]


class ConsoleAccess:
    """Issues login links, opens sessions from them, checks sessions and their CSRF tokens."""

    def __init__(self, store: LoginStore, roles: Roles, now: Callable[[], datetime]) -> None:
        """Keep the store, the roles and the clock."""
        self._store = store
        self.roles = roles
        self._now = now
        self._failures = _Failures()
        # When each session was last used (in memory: after a restart the idle time counts
        # anew from the first request; the 8-hour limit stays in the store).
        self._seen: dict[str, datetime] = {}
        self._audited: set[tuple[str, str, date]] = set()

    async def issue_link(self, person: int) -> str | None:
        """Return a fresh login token for a person who may use the console, else None."""
        role = self.roles.of(person)
        if role is None:
            return None
        token = secrets.token_urlsafe(32)
        now = self._now()
        await self._store.save_link(digest(token), person, now + timedelta(minutes=LINK_MINUTES))
        await self._store.audit(person, role.value, "console_link", None, now)
        return token

    async def open(self, token: str, client: str) -> tuple[str, Session] | Refusal:
        """Spend a login link: a new session id and the session, or why not.

        Args:
            token: The token from the link.
            client: The client's address, for the rate limit on unknown tokens.

        """
        now = self._now()
        link = await self._store.use_link(digest(token), now) if len(token) < 100 else None
        if link is None:
            # The token first, the limit after: a valid link opens even from an address with
            # failures; only unknown tokens count (spent or expired ones were real links).
            if self._failures.limited(client, now):
                return Refusal.LIMITED
            self._failures.add(client, now)
            return Refusal.UNKNOWN
        refusal = _refusal(link.used_at, link.expires_at, now)
        role = self.roles.of(link.staff_id)
        if refusal is None and role is None:
            refusal = Refusal.NOT_ALLOWED
        if refusal is not None or role is None:
            return refusal or Refusal.NOT_ALLOWED
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        session = Session(link.staff_id, role, csrf, now + timedelta(hours=SESSION_HOURS))
        await self._store.save_session(digest(session_id), link.staff_id, csrf, session.expires_at)
        await self._store.audit(link.staff_id, role.value, "console_login", None, now)
        return session_id, session

    async def session(self, session_id: str | None) -> Session | None:
        """Return the live session of a cookie; None if absent, ended, expired or not staff."""
        if not session_id or len(session_id) > 100:
            return None
        key = digest(session_id)
        found = await self._store.load_session(key)
        if found is None:
            return None
        person, csrf, expires = found
        role = self.roles.of(person)
        now = self._now()
        if role is None or expires <= now:
            return None
        last = self._seen.get(key)
        if last is not None and now - last > timedelta(minutes=IDLE_MINUTES):
            del self._seen[key]
            await self._store.delete_session(key)
            return None
        self._seen[key] = now
        if len(self._seen) > MAX_CLIENTS:  # sessions older than their 8 hours are over anyway
            limit = now - timedelta(hours=SESSION_HOURS)
            self._seen = {k: t for k, t in self._seen.items() if t > limit}
        return Session(person, role, csrf, expires)

    @staticmethod
    def csrf_ok(session: Session, token: str | None) -> bool:
        """Tell whether a form carried the session's CSRF token (compared in constant time)."""
        return token is not None and hmac.compare_digest(session.csrf.encode(), token.encode())

    async def close(self, session_id: str, session: Session) -> None:
        """Log out: the session row is deleted."""
        await self._store.delete_session(digest(session_id))
        await self._store.audit(
            session.staff_id, session.role.value, "console_logout", None, self._now()
        )

    async def audit_once(self, session: Session, action: str) -> None:
        """Write an action to the audit table at most once per session and day (a page view)."""
        today = self._now().date()
        key = (session.csrf, action, today)  # the CSRF token is the session's own
        if key in self._audited:
            return
        self._audited = {k for k in self._audited if k[2] == today} | {key}
        await self.audit(session, action, None)

    async def audit(self, session: Session, action: str, subject: str | None) -> None:
        """Write a change made in the console to the audit table."""
        await self._store.audit(session.staff_id, session.role.value, action, subject, self._now())


def _refusal(used: datetime | None, expires: datetime, now: datetime) -> Refusal | None:
    """Return why a known link cannot open a session, or None."""
    if used is not None:
        return Refusal.USED
    if expires <= now:
        return Refusal.EXPIRED
    return None
