"""The `elternlotse` command as a user runs it: subprocesses, stdout checked exactly."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def run(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.frontends.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env=env,
        check=False,
    )


def test_ask_json_batch_prints_one_json_line_per_question() -> None:
    result = run(
        "ask",
        "--json",
        "--batch",
        "-",
        stdin="wieviel kindergeld 2026\nhallo\n\nich will nicht mehr leben\n",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    objects = [json.loads(line) for line in lines]
    assert objects[0]["kind"] == "answer"
    assert objects[0]["id"] == "kindergeld"
    assert "259 €" in objects[0]["text"]
    assert objects[1]["kind"] == "smalltalk"
    assert objects[2]["kind"] in {"fallback", "info"}
    assert objects[3]["kind"] == "crisis"
    for obj in objects:
        assert set(obj) >= {"kind", "id", "score", "candidates"}
        assert 0 <= obj["score"] <= 100


def test_ask_flow_and_handoff_kinds() -> None:
    result = run(
        "ask",
        "--json",
        "--batch",
        "-",
        stdin="mein ex zahlt seit monaten nix mehr was tun\nmit einer beraterin sprechen\n",
    )
    kinds = [json.loads(line)["kind"] for line in result.stdout.splitlines()]
    assert kinds == ["flow", "handoff"]


def test_chat_from_a_pipe() -> None:
    result = run("chat", stdin="hallo\nwie viel kindergeld bekomme ich\n1\n/exit\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Willkommen bei Elternlotse" in out
    assert "[1] " in out
    assert "259 €" in out
    assert "> 1" in out


def test_check_passes_and_fails_with_file_line(tmp_path: Path) -> None:
    assert run("check").returncode == 0
    broken = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", broken)
    (broken / "faq" / "kindergeld.yaml").write_text("id: [\n", encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(f"knowledge:\n  dir: {broken}\n", encoding="utf-8")
    result = run("--config", str(config), "check")
    assert result.returncode == 1
    assert f"{broken / 'faq' / 'kindergeld.yaml'}:" in result.stderr


def test_bad_config_exits_2_with_one_clear_line(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("matcher:\n  answer_score: hoch\n", encoding="utf-8")
    result = run("--config", str(config), "check")
    assert result.returncode == 2
    assert "matcher.answer_score" in result.stderr


def test_eval_prints_the_table() -> None:
    result = run("eval", "tests/data/eval.yaml")
    assert result.returncode == 0, result.stderr
    assert "top-1" in result.stdout
    assert "crisis" in result.stdout


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "ELTERNLOTSE_CONFIG"}}
    env.update(extra)
    return env


def test_run_without_token_exits_2_with_one_clear_line() -> None:
    result = run("run", env=_env())
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "BOT_TOKEN" in lines[0]
    assert "@BotFather" in lines[0]


def test_run_with_malformed_token_exits_2_without_echoing_it() -> None:
    result = run("run", env=_env(BOT_TOKEN="not-a-token-secret"))
    assert result.returncode == 2
    assert "not-a-token-secret" not in result.stderr
    assert "BOT_TOKEN" in result.stderr


def test_make_run_without_token_starts_the_console(tmp_path: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("make not installed")
    result = subprocess.run(
        ["make", "-s", "run"],
        input="kindergeld\n/exit\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(),
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Kein BOT_TOKEN gesetzt")
    assert "259 €" in result.stdout


def test_chat_answers_a_follow_up_in_context() -> None:
    result = run(
        "chat", stdin="was bekomme ich an unterhaltsvorschuss\nwelche unterlagen brauche ich\n"
    )
    assert result.returncode == 0, result.stderr
    assert "Unterhaltsvorschuss: Unterlagen" in result.stdout


def test_chat_with_a_counsellors_group_shows_consent_and_the_request(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "counselling:\n  group_id: -1001\n  counsellors:\n    - {id: 1, name: 'Beraterin Anna'}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "ELTERNLOTSE_CONFIG": str(config)}
    result = run("chat", stdin="/beratung\n1\n/exit\n", env=env)
    assert result.returncode == 0, result.stderr
    assert "Telegram-Namen sieht niemand" in result.stdout
    assert "Ihre Anfrage #1 ist eingegangen" in result.stdout
    assert "läuft über Telegram" in result.stdout
