"""The peer groups' use cases through their ports: what a parent, a member and a moderator get.

The channel is a recording fake (Telegram is tested end to end in test_e2e_groups); the store is
the in-memory reference store; the crisis guard is the real one, built from the shipped base.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.callbacks import ModeratorPress, Press, decode
from bot.config import GroupChatConfig, GroupsConfig
from bot.content.knowledge import KnowledgeBase
from bot.dialogue.core import Dialogue
from bot.dialogue.model import Placement, Reply
from bot.groups.guard import GroupGuard
from bot.groups.model import (
    GroupAccess,
    GroupMessage,
    Moderator,
    ModeratorCommand,
    Sanction,
    Sent,
    Stage,
    Standing,
    Tally,
    Verdict,
    message_link,
    parse_duration,
)
from bot.groups.registry import GroupSetupError
from bot.groups.service import PeerGroups, peer_groups
from bot.language.crisis_data import CrisisLevel
from bot.storage.memory import MemoryStore
from bot.usage.report import UsageReport

MODS = -1001000
OPEN = -1002001  # austausch-online
WOMEN = -1002002  # nach-gewalt-frauen
MODERATOR, PARENT, OTHER, WOMAN_MOD = 7, 100, 200, 8
WOMEN_MODS = -1001001
START = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@dataclass
class Channel:
    """Records what the groups asked of Telegram; answers as configured."""

    private: dict[int, list[Reply]] = field(default_factory=dict)
    moderators: list[Reply] = field(default_factory=list)
    moderator_chats: list[tuple[int, int | None]] = field(default_factory=list)
    posted: dict[int, list[Reply]] = field(default_factory=dict)
    calls: list[tuple[object, ...]] = field(default_factory=list)
    unreachable: set[int] = field(default_factory=set)
    refuse: set[str] = field(default_factory=set)
    copies: int = 500

    standings: dict[int, Standing] = field(default_factory=dict)

    async def access(self, chat_id: int) -> GroupAccess:
        return GroupAccess()

    async def reaches(self, chat_id: int) -> bool:
        return True

    async def standing(self, chat_id: int, user_id: int) -> Standing:
        return self.standings.get(user_id, Standing.MEMBER)

    async def join_link(self, chat_id: int, name: str) -> str | None:
        return f"https://t.me/+{abs(chat_id)}"

    def _answer(self, what: str, *args: object) -> Sent:
        self.calls.append((what, *args))
        return Sent.REFUSED if what in self.refuse else Sent.OK

    async def approve(self, chat_id: int, user_id: int) -> Sent:
        return self._answer("approve", chat_id, user_id)

    async def decline(self, chat_id: int, user_id: int) -> Sent:
        return self._answer("decline", chat_id, user_id)

    async def tell(self, user_id: int, reply: Reply) -> Sent:
        if user_id in self.unreachable:
            return Sent.UNREACHABLE
        self.private.setdefault(user_id, []).append(reply)
        return Sent.OK

    async def to_moderators(self, chat_id: int, reply: Reply, reply_to: int | None = None) -> Sent:
        self.moderators.append(reply)
        self.moderator_chats.append((chat_id, reply_to))
        return Sent.REFUSED if "to_moderators" in self.refuse else Sent.OK

    async def hold(self, chat_id: int, message_id: int, moderators_chat: int) -> int | None:
        self.calls.append(("hold", chat_id, message_id, moderators_chat))
        self.copies += 1
        return self.copies

    async def release(self, chat_id: int, moderators_chat: int, copy_id: int, intro: str) -> Sent:
        return self._answer("release", chat_id, copy_id, intro)

    async def post(self, chat_id: int, reply: Reply) -> Sent:
        self.posted.setdefault(chat_id, []).append(reply)
        return Sent.OK

    async def delete(self, chat_id: int, message_id: int) -> Sent:
        return self._answer("delete", chat_id, message_id)

    async def mute(self, chat_id: int, user_id: int, until: datetime) -> Sent:
        return self._answer("mute", chat_id, user_id, until)

    async def remove(self, chat_id: int, user_id: int) -> Sent:
        return self._answer("remove", chat_id, user_id)

    async def first_name(self, chat_id: int, user_id: int) -> str | None:
        return "Mia"


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    groups: PeerGroups
    channel: Channel
    store: MemoryStore
    clock: Clock
    audit: list[tuple[object, ...]]


@pytest.fixture
async def world(kb: KnowledgeBase, dialogue: Dialogue) -> World:
    config = GroupsConfig(
        MODS,
        frozenset({MODERATOR}),
        {
            "austausch-online": GroupChatConfig(OPEN),
            "nach-gewalt-frauen": GroupChatConfig(WOMEN, WOMEN_MODS, frozenset({WOMAN_MOD})),
        },
        flood_messages=5,
    )
    channel, store, clock, audit = Channel(), MemoryStore(), Clock(), []

    async def log(*row: object) -> None:
        audit.append(row)

    groups = peer_groups(
        config,
        kb.groups,
        (store, channel, GroupGuard(dialogue)),
        kb.texts,
        ZoneInfo("Europe/Berlin"),
        clock,
        log,
    )
    await groups.start()
    return World(groups, channel, store, clock, audit)


def text_of(replies: list[Reply]) -> str:
    return "\n".join(f"{r.title or ''} {r.text}" for r in replies)


def presses(reply: Reply) -> list[tuple[str, ...]]:
    found = [decode(b.data) for row in reply.buttons for b in row]
    return [p.args for p in found if p is not None]


async def counted(world: World, tally: Tally, group: str = "austausch-online") -> int:
    return (await world.store.counters(START.date())).get(tally.counter(group), 0)


async def test_a_request_gets_the_rules_and_what_others_see(world: World) -> None:
    assert await world.groups.joining.request(OPEN, PARENT)
    (rules,) = world.channel.private[PARENT]
    assert rules.title == "Regeln von „Alleinerziehend – Austausch online“"
    assert "• Keine Namen, Fotos oder Adressen" in rules.text
    assert "Ihren Namen aus Telegram, Ihr Profilbild" in rules.text
    assert [b.label for row in rules.buttons for b in row] == [
        "✅ Ich halte mich an die Regeln",
        "Nein, danke",
    ]
    found = await world.store.membership(OPEN, PARENT)
    assert found is not None
    assert found.stage is Stage.ASKED


async def test_a_request_to_another_chat_is_not_ours(world: World) -> None:
    assert not await world.groups.joining.request(-1009999, PARENT)
    assert world.channel.private == {}


async def test_agreeing_lets_her_into_an_open_group(world: World) -> None:
    await world.groups.joining.request(OPEN, PARENT)
    reply = await world.groups.joining.consent(PARENT, "Mia", "austausch-online", True)
    assert ("approve", OPEN, PARENT) in world.channel.calls
    assert reply.placement is Placement.REPLACE_PRESSED
    assert "Willkommen in „Alleinerziehend – Austausch online“" in reply.text
    assert await world.groups.joining.is_newcomer(OPEN, PARENT)


async def test_saying_no_declines_and_counts(world: World) -> None:
    await world.groups.joining.request(OPEN, PARENT)
    reply = await world.groups.joining.consent(PARENT, "Mia", "austausch-online", False)
    assert ("decline", OPEN, PARENT) in world.channel.calls
    assert "zurückgezogen" in reply.text
    assert await world.store.membership(OPEN, PARENT) is None
    assert await counted(world, Tally.DECLINED) == 1


async def test_a_forged_or_repeated_consent_approves_nothing(world: World) -> None:
    reply = await world.groups.joining.consent(OTHER, "X", "austausch-online", True)
    assert "nicht mehr offen" in reply.text
    reply = await world.groups.joining.consent(OTHER, "X", "gibt-es-nicht", True)
    assert "nicht mehr offen" in reply.text
    assert not [c for c in world.channel.calls if c[0] == "approve"]


async def test_a_moderated_group_waits_for_a_moderator_never_the_bot(world: World) -> None:
    await world.groups.joining.request(WOMEN, PARENT)
    reply = await world.groups.joining.consent(PARENT, "Mia", "nach-gewalt-frauen", True)
    assert "liegt jetzt bei der Moderation" in reply.text
    assert not [c for c in world.channel.calls if c[0] == "approve"]
    (ask,) = world.channel.moderators
    assert "Beitrittsanfrage für „Frauen nach Gewalt – geschützter Raum“ von Mia" in ask.text
    assert presses(ask) == [
        ("a", "nach-gewalt-frauen", str(PARENT), "0"),
        ("d", "nach-gewalt-frauen", str(PARENT), "0"),
    ]
    refused = await world.groups.joining.decide(
        Moderator(MODERATOR, "Eve"), "nach-gewalt-frauen", PARENT, True
    )
    assert refused.text == "Das kann nur die Moderation."
    done = await world.groups.joining.decide(
        Moderator(WOMAN_MOD, "Ute"), "nach-gewalt-frauen", PARENT, True
    )
    assert (
        done.text
        == "✅ Aufgenommen in „Frauen nach Gewalt – geschützter Raum“ – entschieden von Ute."
    )
    assert ("approve", WOMEN, PARENT) in world.channel.calls
    assert "hat Sie in „Frauen nach Gewalt" in world.channel.private[PARENT][-1].text
    assert world.audit[-1][:4] == (
        WOMAN_MOD,
        "moderator",
        "group_approve",
        "group:nach-gewalt-frauen",
    )
    assert world.channel.moderator_chats[0] == (WOMEN_MODS, None)  # her name only to them
    again = await world.groups.joining.decide(
        Moderator(WOMAN_MOD, "Ute"), "nach-gewalt-frauen", PARENT, False
    )
    assert "schon erledigt" in again.text


async def test_a_moderator_declines_kindly(world: World) -> None:
    await world.groups.joining.request(WOMEN, PARENT)
    await world.groups.joining.consent(PARENT, "Mia", "nach-gewalt-frauen", True)
    await world.groups.joining.decide(
        Moderator(WOMAN_MOD, "Ute"), "nach-gewalt-frauen", PARENT, False
    )
    assert ("decline", WOMEN, PARENT) in world.channel.calls
    assert "nicht angenommen" in world.channel.private[PARENT][-1].text
    assert await counted(world, Tally.DECLINED, "nach-gewalt-frauen") == 1


async def test_a_paused_group_declines_with_a_friendly_note(world: World) -> None:
    assert await world.groups.joining.pause("austausch-online", True, MODERATOR)
    assert "austausch-online" not in world.groups.registry.open_links()
    await world.groups.joining.request(OPEN, PARENT)
    assert ("decline", OPEN, PARENT) in world.channel.calls
    assert "nimmt gerade keine neuen Mitglieder auf" in text_of(world.channel.private[PARENT])
    await world.groups.joining.pause("austausch-online", False, MODERATOR)
    assert "austausch-online" in world.groups.registry.open_links()
    assert not await world.groups.joining.pause("gibt-es-nicht", True, MODERATOR)


async def test_someone_the_bot_cannot_reach_is_declined(world: World) -> None:
    world.channel.unreachable.add(PARENT)
    await world.groups.joining.request(OPEN, PARENT)
    assert ("decline", OPEN, PARENT) in world.channel.calls
    assert await world.store.membership(OPEN, PARENT) is None


async def test_unanswered_requests_expire_and_newcomers_stop_being_new(world: World) -> None:
    await world.groups.joining.request(OPEN, PARENT)
    await world.groups.joining.joined(OPEN, OTHER)
    world.clock.now = START + timedelta(hours=49)
    await world.groups.joining.tidy()
    assert ("decline", OPEN, PARENT) in world.channel.calls
    assert "abgelaufen" in world.channel.private[PARENT][-1].text
    assert await world.store.membership(OPEN, OTHER) is None


async def test_a_new_member_is_welcomed_and_counted(world: World) -> None:
    await world.groups.joining.joined(OPEN, OTHER)
    assert "Willkommen in der Gruppe!" in world.channel.posted[OPEN][0].text
    assert await counted(world, Tally.JOINED) == 1


def message(
    text: str = "Hallo", *, user: int = OTHER, link: bool = False, number: int = 9
) -> GroupMessage:
    return GroupMessage(OPEN, number, user, "Mia", text, link, False)


async def test_a_newcomers_link_is_held_for_the_moderators(world: World) -> None:
    await world.groups.joining.joined(OPEN, OTHER)
    assert await world.groups.moderation.message(message("schaut mal https://x.example", link=True))
    assert ("hold", OPEN, 9, MODS) in world.channel.calls
    assert world.channel.moderator_chats[-1] == (MODS, 501)  # the notice answers the copy
    held = world.channel.moderators[-1]
    assert "Gehalten in „Alleinerziehend – Austausch online“" in held.text
    assert presses(held)[0] == ("r", "austausch-online", str(OTHER), "501")
    assert "wartet kurz auf die Moderation" in world.channel.private[OTHER][-1].text
    released = await world.groups.moderation.held(
        Moderator(MODERATOR, "Ute"), ModeratorPress.RELEASE, "austausch-online", OTHER, 501
    )
    assert "Freigegeben" in released.text
    assert ("release", OPEN, 501, "☝️ Von der Moderation freigegeben – eine Nachricht von Mia.") in (
        world.channel.calls
    )
    twice = await world.groups.moderation.held(
        Moderator(MODERATOR, "Ute"), ModeratorPress.DISCARD, "austausch-online", OTHER, 501
    )
    assert "schon erledigt" in twice.text


async def test_links_of_old_members_and_moderators_are_not_held(world: World) -> None:
    assert not await world.groups.moderation.message(message(link=True))
    await world.groups.joining.joined(OPEN, MODERATOR)
    assert not await world.groups.moderation.message(message(user=MODERATOR, link=True))
    await world.groups.joining.joined(OPEN, OTHER)
    world.clock.now = START + timedelta(hours=25)
    assert not await world.groups.moderation.message(message(link=True))


async def test_a_flood_mutes_once_and_tells_both_sides(world: World) -> None:
    for number in range(7):
        await world.groups.moderation.message(message(f"x{number}", number=number))
    mutes = [c for c in world.channel.calls if c[0] == "mute"]
    assert len(mutes) == 1
    assert mutes[0][3] == START + timedelta(minutes=30)
    assert "30 Minuten lang nichts schreiben" in world.channel.private[OTHER][-1].text
    assert "sehr viele Nachrichten" in world.channel.moderators[-1].text
    assert await counted(world, Tally.FLOOD) == 1


async def test_a_crisis_in_the_group_reaches_her_privately_and_the_moderators(world: World) -> None:
    await world.groups.moderation.message(message("ich will nicht mehr leben", number=42))
    private = text_of(world.channel.private[OTHER])
    assert "mache mir Sorgen um Sie" in private
    assert "0800 111 0 111" in private
    alert = world.channel.moderators[-1].text
    assert f"Nachricht von Mia: {message_link(OPEN, 42)}" in alert
    assert "privat die Notrufnummern" in alert
    assert world.channel.posted == {}  # nothing in the group
    assert await counted(world, Tally.ALERTS) == 1


async def test_a_crisis_of_someone_the_bot_cannot_reach_asks_the_moderators(world: World) -> None:
    world.channel.unreachable.add(OTHER)
    await world.groups.moderation.message(message("ich will nicht mehr leben"))
    assert "Bitte schreiben Sie ihr selbst" in world.channel.moderators[-1].text
    assert world.channel.posted == {}


async def test_a_heavy_message_is_only_counted(world: World) -> None:
    await world.groups.moderation.message(message("ich bin so erschöpft und weiß nicht weiter"))
    assert world.channel.moderators == []
    assert world.channel.posted == {}
    assert OTHER not in world.channel.private
    assert await counted(world, Tally.CONCERNS) == 1


async def test_a_report_reaches_only_the_moderators(world: World) -> None:
    await world.groups.moderation.report(OPEN, PARENT, 77, (42, "Carla"))
    assert ("delete", OPEN, 77) in world.channel.calls
    assert message_link(OPEN, 42) in world.channel.moderators[-1].text
    assert "Nachricht von Carla" in world.channel.moderators[-1].text
    assert "nicht löschen" not in world.channel.moderators[-1].text
    assert "Danke für Ihre Meldung" in world.channel.private[PARENT][-1].text
    assert world.channel.posted == {}
    await world.groups.moderation.report(OPEN, PARENT, 78, None)
    assert "Antworten Sie in der Gruppe mit /melden auf die Nachricht, die Sie stört" in (
        world.channel.private[PARENT][-1].text
    )
    assert await counted(world, Tally.REPORTS) == 1


def command(args: str = "", *, by: int = MODERATOR, target: int | None = OTHER) -> ModeratorCommand:
    return ModeratorCommand(OPEN, 88, by, "Ute", target, "Mia", False, args)


async def test_a_moderator_mutes_with_a_note_and_an_audit_row(world: World) -> None:
    await world.groups.moderation.sanction(Sanction.MUTE, command("24h"))
    assert ("delete", OPEN, 88) in world.channel.calls
    assert ("mute", OPEN, OTHER, START + timedelta(hours=24)) in world.channel.calls
    assert "bis 08.12.2026, 11:00 Uhr stummgeschaltet" in world.channel.private[OTHER][-1].text
    assert world.audit[-1][:4] == (MODERATOR, "moderator", "group_stumm", "group:austausch-online")
    assert (
        "Stummgeschaltet in „Alleinerziehend – Austausch online“"
        in world.channel.moderators[-1].text
    )
    assert "Der private Hinweis ist angekommen." in world.channel.moderators[-1].text
    assert await counted(world, Tally.MUTED) == 1


async def test_warn_and_remove(world: World) -> None:
    await world.groups.moderation.sanction(Sanction.WARN, command("Werbung"))
    assert (
        "erinnert Sie an die Regeln der Gruppe (Werbung)" in world.channel.private[OTHER][-1].text
    )
    world.channel.unreachable.add(OTHER)
    await world.groups.moderation.sanction(Sanction.REMOVE, command())
    assert ("remove", OPEN, OTHER) in world.channel.calls
    assert "konnte ich nicht zustellen" in world.channel.moderators[-1].text


async def test_commands_that_cannot_be_carried_out(world: World) -> None:
    await world.groups.moderation.sanction(Sanction.MUTE, command(by=OTHER))
    assert world.channel.moderators == []
    assert world.audit == []
    assert ("delete", OPEN, 88) in world.channel.calls  # gone from the group all the same
    await world.groups.moderation.sanction(Sanction.MUTE, command(target=None))
    assert "Bitte antworten Sie mit /stumm" in world.channel.moderators[-1].text
    await world.groups.moderation.sanction(Sanction.MUTE, command("3 Jahre"))
    assert "die Dauer habe ich nicht verstanden" in world.channel.moderators[-1].text
    await world.groups.moderation.sanction(Sanction.REMOVE, command(target=MODERATOR))
    assert "Moderatorinnen, Administratoren und Bots" in world.channel.moderators[-1].text
    world.channel.refuse.add("mute")
    await world.groups.moderation.sanction(Sanction.MUTE, command())
    assert "hat nicht geklappt" in world.channel.moderators[-1].text
    assert world.audit == []


async def test_figures_count_per_group(world: World) -> None:
    await world.groups.joining.joined(OPEN, OTHER)
    await world.groups.moderation.report(OPEN, PARENT, 77, (42, "Carla"))
    figures = {f.title: f.counts for f in await world.groups.figures(START.date())}
    online = figures["Alleinerziehend – Austausch online"]
    assert online[Tally.JOINED] == 1
    assert online[Tally.REPORTS] == 1
    assert figures["Frauen nach Gewalt – geschützter Raum"][Tally.JOINED] == 0


def test_durations_and_links() -> None:
    assert parse_duration("24h") == timedelta(hours=24)
    assert parse_duration("30m") == timedelta(minutes=30)
    assert parse_duration("7d") == timedelta(days=7)
    assert parse_duration("2 Tage") == timedelta(days=2)
    assert parse_duration("3") == timedelta(hours=3)
    assert parse_duration("400d") is None
    assert parse_duration("bald") is None
    assert message_link(-1001234567890, 5) == "https://t.me/c/1234567890/5"


def test_a_group_the_file_does_not_have_is_named(kb: KnowledgeBase, dialogue: Dialogue) -> None:
    config = GroupsConfig(MODS, frozenset({MODERATOR}), {"gibts-nicht": GroupChatConfig(-1003)})
    with pytest.raises(GroupSetupError, match="gibts-nicht"):
        peer_groups(
            config,
            kb.groups,
            (MemoryStore(), Channel(), GroupGuard(dialogue)),
            kb.texts,
            ZoneInfo("Europe/Berlin"),
            Clock(),
        )


def test_button_data_is_checked() -> None:
    assert decode(f"1:{Press.MODERATION.value}:z:g:1:0") is None
    assert decode(f"1:{Press.MODERATION.value}:a:g:abc:0") is None
    assert decode(f"1:{Press.GROUP_CONSENT.value}:maybe:g") is None


class LearnedGuard:
    """A guard whose learned signal fired (no rule): gentler words on both sides."""

    async def check(self, text: str) -> Verdict:
        return Verdict(CrisisLevel.CRISIS, (Reply("Hotlines"),), learned=True)


async def test_a_learned_alarm_is_worded_gently(world: World) -> None:
    world.groups.moderation.guard = LearnedGuard()
    await world.groups.moderation.message(message("irgendwas"))
    private = text_of(world.channel.private[OTHER])
    assert "Vielleicht habe ich Sie falsch verstanden" in private
    assert "Hotlines" in private
    assert "Es irrt sich öfter" in world.channel.moderators[-1].text


class Slow(Channel):
    """A channel whose approvals and releases take a moment, so that taps can cross."""

    async def approve(self, chat_id: int, user_id: int) -> Sent:
        await asyncio.sleep(0.01)
        return await super().approve(chat_id, user_id)

    async def release(self, chat_id: int, moderators_chat: int, copy_id: int, intro: str) -> Sent:
        await asyncio.sleep(0.01)
        return await super().release(chat_id, moderators_chat, copy_id, intro)


async def test_double_taps_approve_and_release_once(world: World) -> None:
    slow = Slow()
    world.groups.joining.channel = slow
    world.groups.moderation.channel = slow
    await world.groups.joining.request(OPEN, PARENT)
    first, second = await asyncio.gather(
        world.groups.joining.consent(PARENT, "Mia", "austausch-online", True),
        world.groups.joining.consent(PARENT, "Mia", "austausch-online", True),
    )
    assert [c for c in slow.calls if c[0] == "approve"] == [("approve", OPEN, PARENT)]
    assert sorted(r.text[:12] for r in (first, second)) == ["Diese Anfrag", "Willkommen i"]
    moderator = Moderator(MODERATOR, "Ute")
    taps = [
        world.groups.moderation.held(moderator, action, "austausch-online", OTHER, 77)
        for action in (ModeratorPress.RELEASE, ModeratorPress.RELEASE)
    ]
    await asyncio.gather(*taps)
    assert len([c for c in slow.calls if c[0] == "release"]) == 1


async def test_a_lost_alert_is_logged_loudly(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.channel.refuse.add("to_moderators")
    await world.groups.moderation.message(message("ich will nicht mehr leben"))
    assert "crisis alert did not reach the moderators" in caplog.text
    assert "0800 111 0 111" in text_of(world.channel.private[OTHER])


async def test_hotlines_once_in_half_an_hour_but_every_alert(world: World) -> None:
    await world.groups.moderation.message(message("ich will nicht mehr leben", number=1))
    await world.groups.moderation.message(message("ich will nicht mehr leben", number=2))
    assert sum("Sorgen um Sie" in r.text for r in world.channel.private[OTHER]) == 1
    assert sum("Mögliche Notlage" in r.text for r in world.channel.moderators) == 2


async def test_a_forwarded_text_is_not_her_crisis(world: World) -> None:
    forwarded = GroupMessage(OPEN, 5, OTHER, "Mia", "ich will nicht mehr leben", False, True)
    await world.groups.moderation.message(forwarded)
    assert world.channel.moderators == []


async def test_a_private_report_by_link(world: World) -> None:
    answer = await world.groups.moderation.report_privately(PARENT, OPEN, 42)
    assert "Danke für Ihre Meldung" in answer
    assert message_link(OPEN, 42) in world.channel.moderators[-1].text
    assert "kenne ich nicht" in await world.groups.moderation.report_privately(PARENT, -1009, 1)
    world.channel.standings[OTHER] = Standing.OUTSIDE
    assert "nur, wer selbst" in await world.groups.moderation.report_privately(OTHER, OPEN, 42)


async def test_rules_are_posted_once_in_five_minutes(world: World) -> None:
    await world.groups.moderation.rules(OPEN, 90)
    await world.groups.moderation.rules(OPEN, 91)
    assert len(world.channel.posted[OPEN]) == 1
    assert ("delete", OPEN, 91) in world.channel.calls
    world.clock.now = START + timedelta(minutes=6)
    await world.groups.moderation.rules(OPEN, 92)
    assert len(world.channel.posted[OPEN]) == 2


async def test_admins_are_not_sanctioned_and_others_are_told_privately(world: World) -> None:
    world.channel.standings[OTHER] = Standing.ADMIN
    await world.groups.moderation.sanction(Sanction.MUTE, command())
    assert "Moderatorinnen, Administratoren und Bots" in world.channel.moderators[-1].text
    assert not [c for c in world.channel.calls if c[0] == "mute"]
    await world.groups.moderation.sanction(Sanction.MUTE, command(by=PARENT))
    assert world.channel.private[PARENT][-1].text == "Das kann nur die Moderation."


async def test_a_request_decided_in_telegram_itself_gets_no_expiry_note(world: World) -> None:
    await world.groups.joining.request(OPEN, PARENT)
    world.channel.refuse.add("decline")  # HIDE_REQUESTER_MISSING: an admin decided already
    world.clock.now = START + timedelta(hours=49)
    await world.groups.joining.tidy()
    assert "abgelaufen" not in text_of(world.channel.private[PARENT])
    assert await world.store.membership(OPEN, PARENT) is None


async def test_an_album_counts_once_for_the_flood(world: World) -> None:
    for number in range(8):
        album = GroupMessage(OPEN, number, OTHER, "Mia", "", False, False, album="a1")
        await world.groups.moderation.message(album)
    assert not [c for c in world.channel.calls if c[0] == "mute"]


async def test_a_report_whose_command_stays_visible_says_so(world: World) -> None:
    world.channel.refuse.add("delete")
    await world.groups.moderation.report(OPEN, PARENT, 77, (42, "Carla"))
    assert "Die Gruppe sieht, wer gemeldet hat" in world.channel.moderators[-1].text


async def test_a_mute_reads_length_and_reason_and_notes_carry_the_rules(world: World) -> None:
    await world.groups.moderation.sanction(Sanction.MUTE, command("2 Tage wegen Beleidigung"))
    assert ("mute", OPEN, OTHER, START + timedelta(days=2)) in world.channel.calls
    note = world.channel.private[OTHER][-1].text
    assert "• Keine Namen, Fotos oder Adressen" in note
    await world.groups.moderation.sanction(Sanction.MUTE, command("Spam"))
    assert ("mute", OPEN, OTHER, START + timedelta(hours=24)) in world.channel.calls


async def test_the_author_hears_what_became_of_a_held_message(world: World) -> None:
    await world.groups.joining.joined(OPEN, OTHER)
    await world.groups.moderation.message(message("https://x.example", link=True))
    moderator = Moderator(MODERATOR, "Ute")
    await world.groups.moderation.held(
        moderator, ModeratorPress.DISCARD, "austausch-online", OTHER, 501
    )
    assert "nicht veröffentlicht" in world.channel.private[OTHER][-1].text


async def test_a_group_whose_moderators_chat_is_out_of_reach_is_not_shown(
    kb: KnowledgeBase, dialogue: Dialogue
) -> None:
    class Away(Channel):
        async def reaches(self, chat_id: int) -> bool:
            return chat_id != MODS

    config = GroupsConfig(MODS, frozenset({MODERATOR}), {"austausch-online": GroupChatConfig(OPEN)})
    groups = peer_groups(
        config,
        kb.groups,
        (MemoryStore(), Away(), GroupGuard(dialogue)),
        kb.texts,
        ZoneInfo("Europe/Berlin"),
        Clock(),
    )
    await groups.start()
    assert groups.registry.open_links() == {}


async def test_the_staff_report_has_a_line_per_group(world: World, kb: KnowledgeBase) -> None:
    await world.groups.joining.joined(OPEN, OTHER)
    await world.groups.moderation.report(OPEN, PARENT, 77, (42, "Carla"))
    titles = {"austausch-online": "Alleinerziehend – Austausch online"}
    report = UsageReport(
        world.store, kb.texts, ZoneInfo("Europe/Berlin"), with_cases=False, groups=titles
    )
    text = await report.text(START + timedelta(hours=1))
    assert (
        "• Alleinerziehend – Austausch online: 1 beigetreten · 0 Anfragen abgelehnt · 1 Meldungen"
        in text
    )
