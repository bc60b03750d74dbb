"""The `groups:` config section: what it accepts, and the one line it answers a mistake with."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, GroupChatConfig, load_config
from bot.frontends.startup import StartupError, load_setup

GOOD = """
groups:
  moderators_chat_id: -1001111
  moderators: [5, 6]
  chats:
    austausch-online: -1002222
    nach-gewalt-frauen:
      chat_id: -1003333
      moderators_chat_id: -1004444
      moderators: [8]
  newcomer_hours: 12
"""


def config_from(tmp_path: Path, text: str):  # noqa: ANN201 - the Config, or the error raised
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, environ={})


def test_a_complete_section_is_read(tmp_path: Path) -> None:
    groups = config_from(tmp_path, GOOD).groups
    assert groups is not None
    assert groups.moderators == frozenset({5, 6})
    assert groups.chats == {
        "austausch-online": GroupChatConfig(-1002222),
        "nach-gewalt-frauen": GroupChatConfig(-1003333, -1004444, frozenset({8})),
    }
    assert groups.newcomer_hours == 12
    assert groups.flood_messages == 10


def test_without_the_section_groups_are_off(tmp_path: Path) -> None:
    assert config_from(tmp_path, "timezone: Europe/Berlin\n").groups is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("moderators: [5, 6]", "moderators: []"), "'groups.moderators' must be"),
        (GOOD.replace("-1001111", "1001111"), "'groups.moderators_chat_id' must be a group"),
        (GOOD.replace("-1003333", "-1002222"), "each group needs a chat of its own"),
        (GOOD.replace("-1003333", "-1001111"), "each group needs a chat of its own"),
        (GOOD.replace("-1003333", "'abc'"), "'groups.chats.nach-gewalt-frauen.chat_id' must"),
        (GOOD.replace("-1004444", "-1002222"), "each group needs a chat of its own"),
        (GOOD.replace("moderators: [8]", "moderator: [8]"), "a group has chat_id"),
        (GOOD.replace("moderators: [8]", "moderators: []"), "nach-gewalt-frauen.moderators' must"),
        (GOOD.replace("newcomer_hours: 12", "newcomer_hours: 0"), "must be at least 1"),
        (GOOD.replace("newcomer_hours: 12", "newcomer_hours: 200"), "at most 168"),
        (GOOD.replace("moderators: [5, 6]", "moderator: [5, 6]"), "did you mean 'groups.mod"),
        (GOOD.replace("groups:", "gruppen:"), "did you mean 'groups'"),
    ],
)
def test_a_mistake_is_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config_from(tmp_path, text)


def test_a_moderated_group_without_its_own_moderators_stops_the_start(tmp_path: Path) -> None:
    text = GOOD.replace(
        "    nach-gewalt-frauen:\n      chat_id: -1003333\n      moderators_chat_id: -1004444\n"
        "      moderators: [8]\n",
        "    nach-gewalt-frauen: -1003333\n",
    )
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StartupError) as caught:
        load_setup(path)
    (line,) = caught.value.lines
    assert "'groups.chats.nach-gewalt-frauen': a moderated group needs its own" in line
    path.write_text(GOOD.replace("austausch-online", "gibts-nicht"), encoding="utf-8")
    with pytest.raises(StartupError) as unknown:
        load_setup(path)
    assert "names gibts-nicht, which knowledge/groups.yaml does not have" in unknown.value.lines[0]
