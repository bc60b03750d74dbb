"""The staff console's values: roles, sessions, why a login link was refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class ConsoleRole(Enum):
    """What a person may do in the console."""

    EDITOR = "editor"  # staff who may change content (config `console.editors`)
    STAFF = "staff"  # staff: open questions, figures, events, audit; no editing
    COUNSELLOR = "counsellor"  # counsellors: case figures only


class Refusal(Enum):
    """Why a login link does not open the console (each has its own page)."""

    UNKNOWN = "unknown"  # never issued, mistyped or forged
    USED = "used"
    EXPIRED = "expired"
    NOT_ALLOWED = "not_allowed"  # the person is no longer staff
    LIMITED = "limited"  # too many failed attempts from this client


@dataclass(frozen=True)
class Link:
    """A login link as the store keeps it (the token itself only as its hash)."""

    staff_id: int
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class Session:
    """A logged-in person: who, in which role, and the CSRF token of their forms."""

    staff_id: int
    role: ConsoleRole
    csrf: str
    expires_at: datetime
