from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config, ConfigError, load_config
from tests.conftest import ROOT


def test_example_config_matches_the_defaults() -> None:
    config = load_config(ROOT / "config.example.yaml", environ={})
    assert config == Config()


def test_environment_wins_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("telegram:\n  token: from-file\n  api_url: http://file\n", encoding="utf-8")
    env = {
        "BOT_TOKEN": "123:abc",
        "TELEGRAM_API_URL": "http://127.0.0.1:8081/",
        "ELTERNLOTSE_DATA": "/x",
    }
    config = load_config(path, environ=env)
    assert config.token == "123:abc"
    assert config.api_url == "http://127.0.0.1:8081"
    assert config.data_dir == Path("/x")


def test_config_path_from_environment(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("limits:\n  max_message_chars: 500\n", encoding="utf-8")
    assert load_config(None, environ={"ELTERNLOTSE_CONFIG": str(path)}).max_message_chars == 500


def test_token_never_appears_in_repr() -> None:
    assert "geheim" not in repr(Config(token="geheim"))


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("matcher:\n  answer_score: hoch\n", "matcher.answer_score"),
        ("matcher:\n  answer_score: 30\n  clarify_score: 50\n", "matcher.clarify_score"),
        ("matcher: 5\n", "matcher"),
        ("limits:\n  max_message_chars: 5\n", "limits.max_message_chars"),
        ("logging:\n  level: LOUD\n", "logging.level"),
        ("telegram:\n  token: 12345\n", "telegram.token"),
        ("- a list\n", "mapping"),
        ("key: [unclosed\n", "not valid YAML"),
    ],
)
def test_invalid_config_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(path, environ={})


def test_missing_config_file_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config.example.yaml"):
        load_config(tmp_path / "nope.yaml", environ={})


COUNSELLING = """
counselling:
  group_id: -1001234
  counsellors:
    - {id: 11, name: 'Beraterin Anna'}
  office_hours: {mon: "09:00-12:00,14:00-18:00"}
  state: by
"""


def test_the_counselling_section(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(COUNSELLING, encoding="utf-8")
    counselling = load_config(path, environ={}).counselling
    assert counselling is not None
    assert counselling.group_id == -1001234
    assert counselling.counsellor(11) is not None
    assert counselling.counsellor(12) is None
    assert counselling.state == "BY"
    assert len(counselling.office_hours["mon"]) == 2
    assert counselling.default_name == "Beratungsteam"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (("group_id: -1001234", "group_id: abc"), "counselling.group_id"),
        (("state: by", "state: XX"), "counselling.state"),
        (('mon: "09:00-12:00,14:00-18:00"', 'mon: "12:00-09:00"'), "counselling.office_hours.mon"),
        (
            ('mon: "09:00-12:00,14:00-18:00"', 'montag: "09:00-12:00"'),
            "counselling.office_hours.montag",
        ),
        (("{id: 11, name: 'Beraterin Anna'}", "{id: 11}"), "counselling.counsellors[0].name"),
        # A lead must be one of the counsellors (else every close would be refused), by id.
        (("state: by", "state: by\n  leads: [42]"), "counselling.leads' names 42"),
        (("state: by", "state: by\n  leads: [true]"), "counselling.leads"),
        (("state: by", "state: by\n  leads: 11"), "counselling.leads"),
    ],
)
def test_a_broken_counselling_section_names_its_key(
    tmp_path: Path, change: tuple[str, str], key: str
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(COUNSELLING.replace(*change), encoding="utf-8")
    with pytest.raises(ConfigError, match=key.replace(".", r"\.").replace("[", r"\[")):
        load_config(path, environ={})


def test_office_hours_round_the_clock(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        COUNSELLING.replace('{mon: "09:00-12:00,14:00-18:00"}', "{always: true}"), encoding="utf-8"
    )
    counselling = load_config(path, environ={}).counselling
    assert counselling is not None
    assert counselling.always_open
    assert set(counselling.office_hours) == {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    path.write_text(COUNSELLING.replace("09:00-12:00,14:00-18:00", "00:00-24:00"), encoding="utf-8")
    counselling = load_config(path, environ={}).counselling
    assert counselling is not None
    assert not counselling.always_open


@pytest.mark.parametrize(
    "hours",
    ['{always: "ja"}', '{always: true, mon: "09:00-12:00"}'],
)
def test_always_open_is_checked(tmp_path: Path, hours: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        COUNSELLING.replace('{mon: "09:00-12:00,14:00-18:00"}', hours), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"counselling\.office_hours\.always"):
        load_config(path, environ={})


def test_staff_and_announcements(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "staff:\n  ids: [11, 12]\n"
        "announcements:\n  rate_per_second: 20\n  reminders: ['24h', '90m', '45s']\n"
        "  invite_before: 15m\n",
        encoding="utf-8",
    )
    section = load_config(path, environ={}).announcements
    assert section is not None
    assert section.staff_ids == frozenset({11, 12})
    assert section.rate == 20
    assert [r.total_seconds() for r in section.reminders] == [86400, 5400, 45]
    assert section.invite_before.total_seconds() == 900


def test_without_staff_events_are_off(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("staff:\n  ids: []\n", encoding="utf-8")
    assert load_config(path, environ={}).announcements is None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("staff:\n  ids: [abc]\n", "staff.ids"),
        ("staff:\n  ids: [1]\nannouncements:\n  rate_per_second: 100\n", "rate_per_second"),
        ("staff:\n  ids: [1]\nannouncements:\n  reminders: ['soon']\n", "reminders"),
        ("staff:\n  ids: [1]\nannouncements:\n  allow_paid_broadcast: 'yes'\n", "paid"),
        ("staff:\n  ids: [1]\nannouncements:\n  concurrency: 0\n", "concurrency"),
    ],
)
def test_a_broken_announcements_section_names_its_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=key):
        load_config(path, environ={})


def test_paid_broadcasts_may_go_faster(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "staff:\n  ids: [1]\nannouncements:\n  rate_per_second: 500\n"
        "  allow_paid_broadcast: true\n",
        encoding="utf-8",
    )
    section = load_config(path, environ={}).announcements
    assert section is not None
    assert section.rate == 500


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "counseling:\n  group_id: -1001\n",
            "unknown config key 'counseling' (did you mean 'counselling'?)",
        ),
        (
            "bundesland: NRW\n",
            "unknown config key 'bundesland' (did you mean 'counselling.state'?)",
        ),
        ("state: NW\n", "unknown config key 'state' (did you mean 'counselling.state'?)"),
        (
            "telegram:\n  tokn: x\n",
            "unknown config key 'telegram.tokn' (did you mean 'telegram.token'?)",
        ),
        (
            COUNSELLING + "  bundesland: NRW\n",
            "unknown config key 'counselling.bundesland' (did you mean 'counselling.state'?)",
        ),
        (
            "counselling:\n  counsellors:\n    - {id: 1, name: A, rolle: lead}\n",
            "unknown config key 'counselling.counsellors[0].rolle' (a counsellor has only 'id' "
            "and 'name')",
        ),
        (
            "farbe: blau\n",
            "unknown config key 'farbe' (known keys: announcements, association, console, "
            "counselling,",
        ),
    ],
)
def test_an_unknown_key_is_refused_with_what_was_meant(
    tmp_path: Path, text: str, line: str
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(path, environ={})
    assert str(refused.value).startswith(line)
    assert "\n" not in str(refused.value)
