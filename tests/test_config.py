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
