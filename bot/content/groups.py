"""The association's peer groups: Telegram groups where single parents meet, as data.

`knowledge/groups.yaml` describes each group — whom it is for, where, its rules, how one joins.
A group is shown to parents only once the config (`groups.chats`) names its Telegram chat: the
file says what a group is, the config says where it lives on Telegram in this deployment.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from bot.content.local import Coverage
from bot.places.model import Point


class Access(Enum):
    """How a parent who agreed to the rules gets in."""

    OPEN = "offen"  # the bot approves once she agreed to the rules
    MODERATED = "moderiert"  # a moderator approves („nur Frauen" and similar), never the bot


@dataclass(frozen=True)
class PeerGroup:
    """One group of the association, as parents see it before joining.

    Attributes:
        id: Stable id (config and figures use it).
        title: The group's name.
        for_whom: Whom the group is for, in one line („Mütter und Väter mit Baby").
        topics: FAQ entry ids it suits (empty: every topic).
        languages: The languages spoken in it (two-letter codes).
        coverage: Where its members live (nationwide for online groups).
        point: Where it meets, if anywhere (for „nearest first").
        access: How one gets in after agreeing to the rules.
        rules: The house rules, each one line; a joining parent agrees to them.
        rhythm: When it meets, if it does („jeden 1. Montag, 20 Uhr, Video").
        welcome: What the bot says in the group when someone joins.

    """

    id: str
    title: str
    for_whom: str
    topics: tuple[str, ...]
    languages: tuple[str, ...]
    coverage: Coverage
    point: Point | None
    access: Access
    rules: tuple[str, ...]
    rhythm: str | None
    welcome: str
    file: Path
    line: int


@dataclass(frozen=True)
class GroupKnowledge:
    """The groups file: the groups and the answers under which „👥 Gruppen finden" is offered."""

    groups: tuple[PeerGroup, ...] = ()
    offer_under: frozenset[str] = frozenset()

    def group(self, group_id: str) -> PeerGroup | None:
        """Return the group with this id, if the file has it."""
        return next((g for g in self.groups if g.id == group_id), None)
