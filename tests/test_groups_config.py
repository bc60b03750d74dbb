"""The `groups:` config section: what it accepts, and the one line it answers a mistake with."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config

GOOD = """
groups:
  moderators_chat_id: -1001111
  moderators: [5, 6]
  chats:
    austausch-online: -1002222
    nach-gewalt-frauen: -1003333
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
    assert groups.chats == {"austausch-online": -1002222, "nach-gewalt-frauen": -1003333}
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
        (GOOD.replace("-1003333", "'abc'"), "'groups.chats.nach-gewalt-frauen' must be"),
        (GOOD.replace("newcomer_hours: 12", "newcomer_hours: 0"), "must be at least 1"),
        (GOOD.replace("moderators: [5, 6]", "moderator: [5, 6]"), "did you mean 'groups.mod"),
        (GOOD.replace("groups:", "gruppen:"), "did you mean 'groups'"),
    ],
)
def test_a_mistake_is_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config_from(tmp_path, text)
