"""„👥 Gruppen finden": the association's peer groups for a parent's place. Pure.

The groups come from `knowledge/groups.yaml`; which of them take new members right now, and
the link that asks to join each, come from the groups' use case through `GroupBoard` (it owns
the Telegram side). Her place is used for this one answer, exactly as in „Hilfe vor Ort".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Protocol

from bot.callbacks import Press
from bot.content.groups import Access, PeerGroup
from bot.content.knowledge import KnowledgeBase
from bot.dialogue.model import Button, Keyboard, Outcome, OutcomeKind, Reply, Rows, State, button
from bot.dialogue.nearby import Fit
from bot.dialogue.views import Views
from bot.places.model import Place, distance_km

GROUPS = "+gruppen"  # what the bot asked her place for (never an entry id: those have no „+")
ANY = "-"  # no entry in particular (the menu, /gruppen)
ENTRY = "selbsthilfegruppen"  # the entry a group listing counts as


class GroupBoard(Protocol):
    """Which groups a parent can ask to join now, with the link that asks."""

    def open_links(self) -> Mapping[str, str]:
        """Return group id → join-request link for the groups taking new members."""


class GroupFinder:
    """Lists the groups that fit a parent's place, the narrowest fit first, then the nearest."""

    def __init__(self, kb: KnowledgeBase, views: Views, board: Callable[[], GroupBoard | None]):
        """Keep the groups file, the views and the (late-bound) board of open groups."""
        self.kb = kb
        self.texts = kb.texts
        self.views = views
        self.board = board

    def _open(self) -> dict[str, str]:
        """Return group id → join link of the groups taking members now (none: no board)."""
        board = self.board()
        return dict(board.open_links()) if board is not None else {}

    def offered(self) -> bool:
        """Tell whether any group takes new members (only then is the button shown)."""
        return bool(self._open())

    def button_row(self, entry_id: str | None = None) -> Rows:
        """Return the „👥 Gruppen finden" row (under an entry: its groups come first)."""
        return ((button(self.texts("button_groups"), Press.GROUPS, entry_id or ANY),),)

    def start(self, state: State, can_place: bool, entry_id: str = ANY) -> Outcome:
        """Ask for her place (or, without place data, list every open group).

        Args:
            state: Her state.
            can_place: Whether places can be resolved (the place data is installed).
            entry_id: The answer she came from: groups for its topic come first.

        """
        if not self._open():
            return self.views.info(state, self.texts("groups_off"), self.views.service_rows())
        topic = entry_id if entry_id in self.kb.entries else None
        if not can_place:
            return self.listing(state, None, topic)
        label = self.texts("button_share_location")
        reply = Reply(
            self.texts("groups_ask"), keyboard=Keyboard.ASK_LOCATION, keyboard_label=label
        )
        asked = f"{GROUPS}:{topic}" if topic else GROUPS
        return Outcome(OutcomeKind.INFO, (reply,), replace(state, awaiting_place=asked))

    def listing(self, state: State, place: Place | None, topic: str | None = None) -> Outcome:
        """List the open groups for her place, those for her topic first among equals.

        Args:
            state: Her state.
            place: Where she is (None: no place data; those for everyone come first).
            topic: The entry she came from, if any.

        """
        links = self._open()
        groups = [g for g in self.kb.groups.groups if g.id in links]
        ranked = _ranked(groups, place, topic)
        where = place.label() if place is not None else None
        head = Reply(self.texts("groups_intro"), keyboard=Keyboard.REMOVE)
        if not ranked:
            text = self.texts("groups_none", place=where or "")
            reply = Reply(text, buttons=self.views.service_rows())
            return Outcome(OutcomeKind.INFO, (head, reply), state, place=place)
        lines = [self._line(g) for g, _ in ranked]
        if where is not None:
            lines.insert(0, self.texts("groups_for_place", place=where))
        rows: Rows = tuple(
            (Button(self.texts("button_group_join", title=g.title), "", url=links[g.id]),)
            for g, _ in ranked
        )
        listing = Reply("\n\n".join(lines), buttons=(*rows, *self.views.service_rows()))
        return Outcome(
            OutcomeKind.ANSWER,
            (head, listing),
            state,
            entry_id=ENTRY,
            score=100.0,
            candidates=(ENTRY,),
            place=place,
        )

    def _line(self, group: PeerGroup) -> str:
        """Return one group's lines: name, for whom, where, when, how to get in."""
        cover = group.coverage
        if cover.nationwide:
            area = self.texts("group_area_nationwide")
        elif cover.lands and not (cover.districts or cover.postcodes or cover.radius_km):
            area = self.texts("group_area_land", land=", ".join(cover.lands))
        else:
            area = self.texts("group_area_region")
        key = "group_access_moderated" if group.access is Access.MODERATED else "group_access_open"
        line = self.texts(
            "group_line",
            title=group.title,
            for_whom=group.for_whom,
            area=area,
            access=self.texts(key),
        )
        if group.rhythm:
            line += "\n" + self.texts("group_line_rhythm", rhythm=group.rhythm)
        return line


def _fit(group: PeerGroup, place: Place | None) -> Fit | None:
    """Return how narrowly a group fits her place (None: it is not for her place)."""
    cover = group.coverage
    if place is None:
        return Fit.NATIONWIDE if cover.nationwide else Fit.LAND
    near = cover.radius_km is not None and group.point is not None
    if near and distance_km(group.point, place.point) <= cover.radius_km:  # type: ignore[arg-type, operator]
        return Fit.NEAR
    if place.postcode is not None and place.postcode in cover.postcodes:
        return Fit.POSTCODE
    if any(d.key in cover.districts for d in place.districts):
        return Fit.DISTRICT
    if place.land in cover.lands:
        return Fit.LAND
    return Fit.NATIONWIDE if cover.nationwide else None


def topic_of(asked: str) -> str | None:
    """Return the entry a groups question was asked for („+gruppen:gewalt" → gewalt)."""
    return asked.partition(":")[2] or None


def _ranked(
    groups: list[PeerGroup], place: Place | None, topic: str | None = None
) -> list[tuple[PeerGroup, Fit]]:
    """Return the groups for her place: narrowest fit, then her topic, then nearest, then file."""
    found = [(g, fit) for g in groups if (fit := _fit(g, place)) is not None]

    def key(item: tuple[PeerGroup, Fit]) -> tuple[int, bool, float]:
        """Sort by fit, then her topic, then distance (file order breaks ties)."""
        group, fit = item
        other = topic is None or topic not in group.topics
        if group.point is None or place is None:
            return fit.value, other, 0.0
        return fit.value, other, distance_km(group.point, place.point)

    return sorted(found, key=key)
