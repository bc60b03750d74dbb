"""The hand-over use cases through their ports: memory store, fake group, fake parents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.callbacks import Press, decode
from bot.cases.model import CaseStatus
from bot.cases.ports import ParentGone, TopicClosed, TopicGone
from bot.cases.service import Counselling, GroupMessage, Notice
from bot.config import Config, CounsellingConfig, Counsellor
from bot.content.knowledge import KnowledgeBase
from bot.conversation.service import Conversation, Parent
from bot.dialogue.core import Dialogue
from bot.dialogue.model import Reply, Rows
from bot.events import Event, EventKind, MessageRef
from bot.hours import parse_spans
from bot.outbox.model import DeliveryFailed
from bot.storage.memory import MemoryStore

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_10 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Berlin, office hours
SUNDAY = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
ANNA, BEN, STRANGER = 111, 222, 999
PARENT = Parent(42, "de", "Mara")
CONFIG = CounsellingConfig(
    group_id=-100500,
    counsellors=(Counsellor(ANNA, "Beraterin Anna"), Counsellor(BEN, "Berater Ben")),
    default_name="Beratungsteam",
    office_hours={d: parse_spans("09:00-17:00") for d in ("mon", "tue", "wed", "thu", "fri")},
    state="NW",
)


class FakeGroup:
    def __init__(self) -> None:
        self.topics: dict[int, str] = {}
        self.deleted: set[int] = set()
        self.posts: list[tuple[int, str]] = []
        self.buttons: list[Rows] = []  # of each post, in the same order
        self.edits: list[tuple[int, str, Rows]] = []
        self.copies: list[tuple[int, MessageRef]] = []
        self.closed: set[int] = set()
        self.failing = 0  # how many of the next posts fail as if the network were down

    async def create_topic(self, name: str) -> int:
        topic = 1000 + len(self.topics)
        self.topics[topic] = name
        return topic

    async def rename_topic(self, topic_id: int, name: str) -> None:
        self.topics[topic_id] = name

    async def close_topic(self, topic_id: int) -> None:
        self.closed.add(topic_id)

    async def reopen_topic(self, topic_id: int) -> None:
        self.closed.discard(topic_id)

    async def post(self, topic_id: int, text: str, buttons: Rows = ()) -> None:
        if topic_id in self.deleted:
            raise TopicGone("Bad Request: message thread not found")
        if topic_id in self.closed:  # as Telegram: 400 TOPIC_CLOSED
            raise TopicClosed("Bad Request: TOPIC_CLOSED")
        if self.failing:
            self.failing -= 1
            raise DeliveryFailed("Bad Gateway")
        self.posts.append((topic_id, text))
        self.buttons.append(buttons)

    async def copy_in(self, topic_id: int, message: MessageRef) -> None:
        if topic_id in self.deleted:
            raise TopicGone
        self.copies.append((topic_id, message))

    async def edit(self, message_id: int, text: str, buttons: Rows = ()) -> None:
        self.edits.append((message_id, text, buttons))

    def texts(self) -> str:
        return "\n".join(text for _, text in self.posts)


class FakeParents:
    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []
        self.copies: list[tuple[int, MessageRef]] = []
        self.blocked: set[int] = set()

    async def send(self, parent_id: int, replies: Sequence[Reply]) -> None:
        if parent_id in self.blocked:
            raise ParentGone
        self.sent += [(parent_id, r.text) for r in replies]

    async def copy_out(self, parent_id: int, message: MessageRef) -> None:
        if parent_id in self.blocked:
            raise ParentGone
        self.copies.append((parent_id, message))


class Clock:
    def __init__(self, now: datetime) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment


class World:
    def __init__(self, kb: KnowledgeBase, now: datetime = MONDAY_10) -> None:
        self.store = MemoryStore()
        self.group, self.parents, self.clock = FakeGroup(), FakeParents(), Clock(now)
        self.dialogue = Dialogue(kb, Config(counselling=CONFIG))
        self.counselling = Counselling(
            CONFIG, kb, self.store, self.group, self.parents, BERLIN, lambda _: None, inline=True
        )
        self.conversation = Conversation(
            self.dialogue, self.store, self.clock, BERLIN, counselling=self.counselling
        )

    async def parent(self, event: Event) -> list[str]:
        outcome = await self.conversation.handle(PARENT, event)
        return [r.text for r in outcome.replies]

    async def request(self, with_name: bool = False) -> int:
        await self.parent(Event(EventKind.COUNSEL))
        await self.parent(Event(EventKind.BUTTON, "1:a:n" if with_name else "1:a:s"))
        case = await self.store.open_case_of(PARENT.id)
        assert case is not None
        return case.number


def text(value: str, message_id: int = 5) -> Event:
    return Event(EventKind.TEXT, value, MessageRef(PARENT.id, message_id))


@pytest.fixture
def world(kb: KnowledgeBase) -> World:
    return World(kb)


async def test_consent_shows_what_is_shared_then_opens_a_case(world: World) -> None:
    consent = await world.parent(Event(EventKind.COUNSEL))
    assert "Telegram-Namen sieht niemand" in consent[0]
    assert await world.store.open_case_of(PARENT.id) is None  # nothing sent before consent
    opened = await world.parent(Event(EventKind.BUTTON, "1:a:s"))
    assert "Ihre Anfrage #1 ist eingegangen" in opened[-1]
    # Nobody waits ahead: said plainly, never „besetzt" (read as busy) or „vor Ihnen warten 0".
    assert "Gerade ist jemand vom Beratungsteam da. Sie sind als Nächste dran." in opened[-1]
    assert "besetzt" not in opened[-1]
    assert "warten 0" not in opened[-1]
    assert list(world.group.topics.values()) == ["#1 · Allgemein · wartet"]
    assert "Vorname: nicht freigegeben" in world.group.texts()
    assert "Mara" not in world.group.texts()


async def test_the_first_name_is_shown_only_with_consent(world: World) -> None:
    await world.request(with_name=True)
    assert "Vorname: Mara" in world.group.texts()


async def test_out_of_hours_the_parent_hears_when_someone_is_back(kb: KnowledgeBase) -> None:
    world = World(kb, SUNDAY)
    await world.parent(Event(EventKind.COUNSEL))
    opened = await world.parent(Event(EventKind.BUTTON, "1:a:s"))
    assert "Das Beratungsteam ist morgen ab 9:00 Uhr wieder für Sie da." in opened[-1]


async def test_lifecycle_relay_claim_note_close_rate(world: World) -> None:
    number = await world.request()
    topic = next(iter(world.group.topics))
    assert await world.parent(text("Mein Ex zahlt nicht", 5)) == []  # no bot answer: relayed
    assert world.group.copies == [(topic, MessageRef(PARENT.id, 5))]
    await world.counselling.claim(ANNA, number, MONDAY_10)
    assert world.group.topics[topic] == "#1 · Allgemein · Beraterin Anna"
    assert ("Beraterin Anna ist jetzt für Sie da.") in [t for _, t in world.parents.sent]
    late = await world.counselling.claim(BEN, number, MONDAY_10)  # a second claim is refused
    assert late == Notice("Fall #1 hat schon Beraterin Anna übernommen.", alert=True)
    assert "hat schon" not in world.group.texts()  # a pop-up for Ben, not a post for everyone
    reply = MessageRef(CONFIG.group_id, 77)
    await world.counselling.on_group_message(GroupMessage(ANNA, topic, "Hallo!", reply), MONDAY_10)
    note = MessageRef(CONFIG.group_id, 78)
    await world.counselling.on_group_message(
        GroupMessage(ANNA, topic, "// intern", note), MONDAY_10
    )
    other = MessageRef(CONFIG.group_id, 79)
    await world.counselling.on_group_message(GroupMessage(BEN, topic, "Ich auch", other), MONDAY_10)
    assert world.parents.copies == [(PARENT.id, reply)]
    await world.counselling.close_by_counsellor(ANNA, number, MONDAY_10)
    assert topic in world.group.closed
    assert "Wie hilfreich" in world.parents.sent[-1][1]
    await world.parent(Event(EventKind.BUTTON, f"1:t:{number}:5"))
    case = await world.store.case(number)
    assert case is not None
    assert (case.status, case.rating) == (CaseStatus.CLOSED, 5)


async def test_strangers_can_do_nothing(world: World) -> None:
    number = await world.request()
    topic = next(iter(world.group.topics))
    await world.counselling.claim(STRANGER, number, MONDAY_10)
    message = GroupMessage(STRANGER, topic, "Hi", MessageRef(CONFIG.group_id, 1))
    await world.counselling.on_group_message(message, MONDAY_10)
    await world.counselling.close_by_counsellor(STRANGER, number, MONDAY_10)
    case = await world.store.case(number)
    assert case is not None
    assert case.status is CaseStatus.WAITING
    assert world.parents.copies == []


async def test_crisis_during_a_case_gets_hotlines_and_an_alert(world: World) -> None:
    await world.request()
    replies = await world.parent(text("er schlägt mich gerade, ich hab angst"))
    assert "110" in replies[0]
    assert "🔴 Krisenhinweis" in world.group.texts()
    assert len(world.group.copies) == 1  # the message itself reaches the counsellor too


async def test_a_crisis_during_a_case_says_who_reads_along_and_offers_no_hand_over(
    world: World,
) -> None:
    number = await world.request()
    outcome = await world.conversation.handle(PARENT, text("ich will nicht mehr leben", 6))
    waiting = outcome.replies[0]
    assert waiting.text.endswith(
        "Ihre Nachricht geht auch an das Beratungsteam; sobald eine Beraterin Ihre Anfrage "
        "übernimmt, antwortet sie Ihnen hier."
    )
    await world.counselling.claim(ANNA, number, MONDAY_10)
    outcome = await world.conversation.handle(PARENT, text("ich will nicht mehr leben", 7))
    claimed = outcome.replies[0]
    assert claimed.text.endswith(
        "Ihre Nachricht geht auch an Beraterin Anna; die Antwort bekommen Sie hier."
    )
    for reply in (waiting, claimed):
        assert "mit einer Beraterin schreiben" not in reply.text
        pressed = {d.press for row in reply.buttons for b in row if (d := decode(b.data))}
        assert Press.HANDOFF not in pressed


async def test_a_deleted_topic_is_recreated_and_nothing_is_lost(world: World) -> None:
    await world.request()
    old = next(iter(world.group.topics))
    world.group.deleted.add(old)
    await world.parent(text("Sind Sie noch da?", 9))
    new = max(world.group.topics)
    assert new != old
    assert world.group.copies == [(new, MessageRef(PARENT.id, 9))]
    case = await world.store.open_case_of(PARENT.id)
    assert case is not None
    assert case.topic_id == new


async def test_a_parent_who_blocked_the_bot_closes_the_case(world: World) -> None:
    number = await world.request()
    await world.counselling.claim(ANNA, number, MONDAY_10)
    world.parents.blocked.add(PARENT.id)
    topic = next(iter(world.group.topics))
    message = GroupMessage(ANNA, topic, "Hallo?", MessageRef(CONFIG.group_id, 3))
    await world.counselling.on_group_message(message, MONDAY_10)
    case = await world.store.case(number)
    assert case is not None
    assert case.status is CaseStatus.CLOSED
    assert "blockiert" in world.group.texts()


async def test_the_parent_ends_the_case(world: World) -> None:
    number = await world.request()
    outcome = await world.conversation.handle(PARENT, Event(EventKind.END_CASE))
    # newcomer D24: nobody had claimed it, so nothing to rate
    (withdrawn,) = outcome.replies
    assert withdrawn.text.startswith("Ihre Anfrage #1 ist zurückgezogen.")
    assert "/beratung" in withdrawn.text
    assert "Wie hilfreich" not in withdrawn.text
    assert withdrawn.buttons == ()
    case = await world.store.case(number)
    assert case is not None
    assert case.status is CaseStatus.CANCELLED  # nobody had claimed it yet
    assert "hat ihre Anfrage #1 zurückgezogen" in world.group.texts()
    # Afterwards the bot answers by itself again.
    assert any("259 €" in r for r in await world.parent(text("wie viel kindergeld", 11)))


async def test_reminders_and_closing_after_inactivity(world: World) -> None:
    number = await world.request()
    await world.counselling.tick(MONDAY_10 + timedelta(minutes=31))
    assert "wartet seit 31 Minuten" in world.group.texts()
    await world.counselling.tick(MONDAY_10 + timedelta(hours=80))
    case = await world.store.case(number)
    assert case is not None
    assert case.status is CaseStatus.AUTO_CLOSED
    assert "nach einer längeren Pause beendet" in world.parents.sent[-1][1]


async def test_one_open_case_per_parent(world: World) -> None:
    await world.request()
    again = await world.parent(Event(EventKind.BUTTON, "1:a:s"))
    assert "ist noch offen" in again[-1]
    assert len(await world.store.open_cases()) == 1


async def test_open_cases_are_listed(world: World) -> None:
    await world.request()
    listed = await world.counselling.open_cases_text(MONDAY_10 + timedelta(minutes=12))
    assert "#1 · Allgemein · Beratungsteam · seit 12 Min." in listed


async def test_without_a_group_the_console_says_it_runs_in_telegram(kb: KnowledgeBase) -> None:
    store = MemoryStore()
    dialogue = Dialogue(kb, Config(counselling=CONFIG))
    conversation = Conversation(dialogue, store, Clock(MONDAY_10), BERLIN)
    await conversation.handle(PARENT, Event(EventKind.COUNSEL))
    outcome = await conversation.handle(PARENT, Event(EventKind.BUTTON, "1:a:s"))
    assert "läuft über Telegram" in outcome.replies[-1].text


async def test_case_figures_count_days_claim_times_and_ratings(world: World) -> None:
    number = await world.request()
    await world.counselling.claim(ANNA, number, MONDAY_10 + timedelta(minutes=12))
    await world.counselling.close_by_counsellor(ANNA, number, MONDAY_10 + timedelta(hours=1))
    await world.counselling.rate(PARENT.id, number, 4)
    await world.parent(Event(EventKind.COUNSEL))
    await world.parent(Event(EventKind.BUTTON, "1:a:s"))  # a second case, still waiting
    report = await world.counselling.figures_text(MONDAY_10 + timedelta(hours=2))
    assert "Fälle der letzten 30 Tage: 2 (pro Tag: 23.11. 2)" in report
    assert "Übernommen: 1; Zeit bis zur Übernahme: Median 12 Min., längste 12 Min." in report
    assert "Wartend jetzt: 1; längste Wartezeit 120 Min." in report
    assert "Bewertung: 4,0 von 5 (1 Bewertung)" in report
    assert "Stand: wartend 1, beendet 1" in report  # German status words, not storage codes
    assert str(PARENT.id) not in report


async def test_asking_for_a_person_leads_to_the_consent_step(world: World) -> None:
    replies = await world.parent(text("Kann ich mit einer echten Beraterin sprechen?"))
    assert "Telegram-Namen sieht niemand" in replies[0]
    assert "noch nicht eingerichtet" not in "\n".join(replies)


def test_without_a_group_the_contact_entry_says_so_honestly(kb: KnowledgeBase) -> None:
    outcome = Dialogue(kb, Config()).ask("Kann ich mit einer echten Beraterin sprechen?")
    assert outcome.entry_id == "beratung-kontakt"
    assert "noch nicht eingerichtet" in outcome.replies[0].text


async def test_a_rating_may_carry_a_comment_that_is_passed_on_not_stored(world: World) -> None:
    number = await world.request()
    await world.counselling.claim(ANNA, number, MONDAY_10)
    await world.counselling.close_by_counsellor(ANNA, number, MONDAY_10)
    rated = await world.parent(Event(EventKind.BUTTON, f"1:t:{number}:4"))
    assert "noch einen Satz" in rated[0]
    asked = await world.parent(Event(EventKind.BUTTON, f"1:q:{number}"))
    assert "nächste Nachricht" in asked[0]
    thanks = await world.parent(text("Sehr hilfreich, Rückruf gern unter 0171 1234567", 9))
    assert "angekommen" not in thanks[0]  # said only once it did, below
    assert world.parents.sent[-1][1] == (
        f"Ihr Kommentar zur Beratung #{number} ist beim Beratungsteam angekommen."
    )
    assert f"Bewertung zu #{number}: ⭐⭐⭐⭐" in world.group.texts()
    assert next(iter(world.group.topics)) in world.group.closed  # closed again after posting
    posted = world.group.posts[-1][1]
    assert posted.startswith(f"Rückmeldung zu #{number} (⭐⭐⭐⭐): Sehr hilfreich")
    assert "1234567" not in posted  # redacted like every free text
    posts = len(world.group.posts)
    answer = await world.parent(text("Wie viel Kindergeld bekomme ich?", 10))
    assert "Kindergeld" in answer[0]  # the next message is a question again
    assert len(world.group.posts) == posts  # and not passed on
    state = await world.store.load_state(PARENT.id)
    assert state is not None
    assert "Sehr hilfreich" not in str(state)


async def test_the_comment_offer_lapses_when_the_parent_moves_on(world: World) -> None:
    number = await world.request()
    await world.counselling.close_by_counsellor(ANNA, number, MONDAY_10)
    await world.parent(Event(EventKind.BUTTON, f"1:q:{number}"))
    await world.parent(Event(EventKind.BUTTON, "1:m"))  # opens the menu instead
    posts = len(world.group.posts)
    answer = await world.parent(text("Wie viel Kindergeld bekomme ich?", 10))
    assert "Kindergeld" in answer[0]
    assert len(world.group.posts) == posts


async def test_a_failed_context_post_is_retried_in_a_fresh_topic_before_any_alert(
    world: World,
) -> None:
    world.group.failing = 1  # the context post of the first topic fails
    await world.parent(Event(EventKind.COUNSEL))
    await world.parent(Event(EventKind.BUTTON, "1:a:n"))  # with the first name
    case = await world.store.open_case_of(PARENT.id)
    assert case is not None
    assert case.topic_id is None  # not remembered: nobody could claim it there
    await world.parent(text("ich will nicht mehr leben", 6))  # a crisis, queued urgent
    case = await world.store.open_case_of(PARENT.id)
    assert case is not None
    assert case.topic_id is not None
    in_topic = [t for topic, t in world.group.posts if topic == case.topic_id]
    assert "Vorname: Mara" in in_topic[0]  # the context first, with the consented name
    assert in_topic[1].startswith("🔴")
    assert world.group.copies == [(case.topic_id, MessageRef(PARENT.id, 6))]


async def test_a_claimed_case_ends_with_a_rating_when_the_parent_ends_it(world: World) -> None:
    number = await world.request()
    await world.counselling.claim(ANNA, number, MONDAY_10)
    replies = await world.parent(Event(EventKind.END_CASE))
    assert replies[-1] == "Die Beratung #1 ist beendet. Wie hilfreich war sie für Sie?"
    assert "hat die Beratung #1 beendet" in world.group.texts()
