"""The peer groups' vocabulary: a joining parent's stage, moderators' sanctions, the counts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from bot.content.groups import PeerGroup
from bot.dialogue.model import Reply
from bot.language.crisis_data import CrisisLevel

# Telegram's own limits for a restriction: under 30 seconds or over 366 days means forever.
# https://core.telegram.org/bots/api#restrictchatmember
LONGEST_MUTE = timedelta(days=366)
SHORTEST_MUTE = timedelta(minutes=1)
DEFAULT_MUTE = timedelta(hours=24)
_DURATION = re.compile(
    r"^\s*(\d{1,4})\s*(m|min|minuten?|h|std|stunden?|d|t|tage?n?|w|wochen?)?\s*$", re.IGNORECASE
)
_TOO_LONG_UNITS = ("monat", "jahr", "month", "year")  # units a mute cannot take
# By the unit's first letter: m(in), h / s(td), d / t(age), w(oche).
_UNITS = {"m": "minutes", "h": "hours", "s": "hours", "d": "days", "t": "days", "w": "weeks"}


class Stage(Enum):
    """Where someone stands with a group between asking to join and her first day in it."""

    ASKED = "asked"  # the bot sent the rules and waits for her consent
    WAITING = "waiting"  # she agreed; a moderator decides (moderated groups)
    NEWCOMER = "newcomer"  # joined less than `newcomer_hours` ago: links and forwards held


@dataclass(frozen=True)
class Membership:
    """One person's stage with one group (kept only while it matters, then deleted)."""

    chat_id: int
    user_id: int
    stage: Stage
    since: datetime


class Tally(Enum):
    """What is counted per group and day (numbers only, about no one)."""

    JOINED = "joined"
    DECLINED = "declined"
    REPORTS = "reports"
    ALERTS = "alerts"  # crisis messages: hotlines privately, the moderators alerted
    CONCERNS = "concerns"  # heavy messages below crisis: nothing is sent
    HELD = "held"
    WARNED = "warned"
    MUTED = "muted"
    REMOVED = "removed"
    FLOOD = "flood"

    def counter(self, group_id: str) -> str:
        """Return the daily counter's name for a group."""
        return f"group:{group_id}:{self.value}"


def tallies(days: Iterable[Mapping[str, int]], group_id: str) -> dict[Tally, int]:
    """Sum a group's daily counters over some days, for every kind of count."""
    found = dict.fromkeys(Tally, 0)
    for day in days:
        for tally in Tally:
            found[tally] += day.get(tally.counter(group_id), 0)
    return found


class Sanction(Enum):
    """A moderator's command against a member's message."""

    WARN = "verwarnen"
    MUTE = "stumm"
    REMOVE = "entfernen"


class Sent(Enum):
    """What Telegram did with a request of the groups' channel."""

    OK = "ok"
    UNREACHABLE = "unreachable"  # 403: she never started the bot or blocked it
    REFUSED = "refused"  # 400: missing rights, gone message, user not in the group …
    FAILED = "failed"  # network or server trouble after retries


@dataclass(frozen=True)
class Verdict:
    """The crisis guard's reading of a group message."""

    level: CrisisLevel
    replies: tuple[Reply, ...] = ()  # for a crisis: the hotlines and a person to talk to
    # Found by a learned signal, not a rule: wrong more often (a blind set of group messages:
    # 9 of 14 false alarms), so she and the moderators are told more gently.
    learned: bool = False


@dataclass(frozen=True)
class GroupMessage:
    """A member's message in a group, as much as moderation needs (its text is never kept)."""

    chat_id: int
    message_id: int
    user_id: int
    name: str  # the first name Telegram shows (for the moderators; never stored)
    text: str  # text or caption
    has_link: bool
    forwarded: bool
    edited: bool = False  # an edit: only the newcomers' link rule applies (read once already)
    album: str | None = None  # Telegram's media_group_id: an album counts once for the flood


@dataclass(frozen=True)
class ModeratorCommand:
    """A moderator's command in a group, given as a reply to a member's message."""

    chat_id: int
    message_id: int  # the command's own message (deleted: the group sees nothing)
    moderator_id: int
    moderator_name: str
    target_id: int | None  # the author of the message replied to (None: not a reply)
    target_name: str
    target_protected: bool  # an administrator, the owner or a bot: not sanctioned
    args: str


@dataclass(frozen=True)
class GroupChat:
    """A group of the directory, the Telegram chat it lives in, and who moderates it."""

    group: PeerGroup
    chat_id: int
    moderators_chat: int
    moderators: frozenset[int]

    def moderated_by(self, user_id: int) -> bool:
        """Tell whether someone moderates this group (only they act on it)."""
        return user_id in self.moderators


@dataclass(frozen=True)
class Moderator:
    """Who pressed a moderators' button or wrote a command (the name is never stored)."""

    user_id: int
    name: str


class Standing(Enum):
    """Someone's place in a group, as far as moderation cares."""

    ADMIN = "admin"  # the owner or an administrator: never sanctioned by the bot
    MEMBER = "member"
    OUTSIDE = "outside"  # left, removed, never joined — or Telegram could not be asked


class AccessProblem(Enum):
    """Why the bot cannot work in a group."""

    NOT_FOUND = "not_found"  # not a member, or a wrong chat id in the config
    NOT_SUPERGROUP = "not_supergroup"  # members can be muted in supergroups only
    NOT_ADMIN = "not_admin"
    MISSING_RIGHTS = "missing_rights"
    UNCHECKED = "unchecked"  # Telegram could not be asked
    NO_MODERATORS_CHAT = "no_moderators_chat"  # the bot is not in the group's moderators' chat


class Right(Enum):
    """An administrator right the bot needs in a peer group (Telegram's field names)."""

    INVITE = "can_invite_users"  # join links, approving requests
    RESTRICT = "can_restrict_members"  # muting, removing
    DELETE = "can_delete_messages"  # commands, held messages


@dataclass(frozen=True)
class GroupAccess:
    """What the bot may do in a group, asked of Telegram at start."""

    problem: AccessProblem | None = None  # None: an administrator with every right it needs
    missing: tuple[Right, ...] = ()


def parse_duration(text: str) -> timedelta | None:
    """Read a mute's length: „24h", „30m", „7d", „2 Tage"; a bare number is hours.

    Returns:
        The length, within Telegram's bounds; None when the text is not a duration.

    """
    found = _DURATION.match(text)
    if found is None:
        return None
    amount, unit = int(found.group(1)), (found.group(2) or "h").lower()
    length = timedelta(**{_UNITS[unit[0]]: amount})
    if not SHORTEST_MUTE <= length <= LONGEST_MUTE:
        return None
    return length


def split_duration(args: str) -> tuple[timedelta | None, str]:
    """Split „/stumm 2 Tage wegen Beleidigung" into the length and the reason.

    Returns:
        The length (None: the words begin with none) and the rest of the words.

    """
    words = args.split()
    if len(words) >= 2 and words[1].lower().startswith(_TOO_LONG_UNITS):
        return None, args.strip()  # „3 Jahre" is not three hours for „Jahre"
    for count in (2, 1):
        if len(words) >= count and (length := parse_duration(" ".join(words[:count]))):
            return length, " ".join(words[count:])
    return None, args.strip()


def message_link(chat_id: int, message_id: int) -> str:
    """Return the link to a message of a supergroup, as Telegram builds it for members.

    A supergroup's id is -100 followed by its internal id; the private link uses the latter
    (public groups also have t.me/<username>/<id>, but this one works for every member).
    """
    internal = str(chat_id).removeprefix("-100")
    return f"https://t.me/c/{internal}/{message_id}"
