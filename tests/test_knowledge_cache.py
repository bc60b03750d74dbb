"""The knowledge cache: reused while nothing changed, rebuilt silently when stale or damaged."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.content import cache
from bot.content.cache import cache_dir, cached_knowledge, fingerprint
from bot.content.knowledge import KnowledgeBase
from bot.frontends.checks import validate
from tests.conftest import KNOWLEDGE
from tests.test_cli import run


class Loads:
    """`validate`, counting how often the knowledge base was loaded from source."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, root: Path) -> KnowledgeBase:
        self.count += 1
        return validate(root)


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    """Return a copy of the shipped knowledge base that a test may edit."""
    return Path(shutil.copytree(KNOWLEDGE, tmp_path / "knowledge"))


def test_a_hit_gives_the_same_knowledge_base_without_loading(
    knowledge: Path, tmp_path: Path
) -> None:
    loads = Loads()
    first = cached_knowledge(knowledge, loads, tmp_path / "cache")
    second = cached_knowledge(knowledge, loads, tmp_path / "cache")
    assert loads.count == 1
    assert second == first == validate(knowledge)
    assert second.crisis.cues == first.crisis.cues  # compiled patterns survive the round trip


def test_editing_a_file_invalidates_the_cache(knowledge: Path, tmp_path: Path) -> None:
    loads = Loads()
    cached_knowledge(knowledge, loads, tmp_path / "cache")
    faq = knowledge / "faq" / "kindergeld.yaml"
    faq.write_text(faq.read_text("utf-8").replace("title: ", "title: Neu – ", 1), encoding="utf-8")
    again = cached_knowledge(knowledge, loads, tmp_path / "cache")
    assert loads.count == 2
    assert again.entries["kindergeld"].title.startswith("Neu – ")


def test_a_new_file_invalidates_the_cache(knowledge: Path) -> None:
    before = fingerprint(knowledge)
    (knowledge / "faq" / "notes.txt").write_text("x", encoding="utf-8")
    assert fingerprint(knowledge) != before


@pytest.mark.parametrize("damage", [b"", b"garbage", b"\x80\x04not a pickle"])
def test_a_corrupt_cache_is_rebuilt_without_a_word(
    knowledge: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: bytes
) -> None:
    loads = Loads()
    cached_knowledge(knowledge, loads, tmp_path / "cache")
    (stored,) = (tmp_path / "cache").iterdir()
    key = stored.read_bytes().split(b"\n", 1)[0]
    stored.write_bytes(key + b"\n" + damage if damage else b"")
    kb = cached_knowledge(knowledge, loads, tmp_path / "cache")
    assert loads.count == 2
    assert kb.entries
    assert capsys.readouterr() == ("", "")
    cached_knowledge(knowledge, loads, tmp_path / "cache")
    assert loads.count == 2  # the rebuilt file is good again


class _Tripwire:
    """Unpickling this touches a file: proof that the bytes after the key were unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[Path]]:
        return (Path.touch, (self.marker,))


def test_a_cache_from_another_version_is_not_unpickled(knowledge: Path, tmp_path: Path) -> None:
    loads = Loads()
    cached_knowledge(knowledge, loads, tmp_path / "cache")
    (stored,) = (tmp_path / "cache").iterdir()
    marker = tmp_path / "unpickled"
    payload = pickle.dumps(_Tripwire(marker))
    key = stored.read_bytes().split(b"\n", 1)[0]
    stored.write_bytes(key + b"\n" + payload)
    pickle.loads(payload)  # the tripwire works …
    assert marker.exists()
    marker.unlink()
    stored.write_bytes(b"another-version\n" + payload)
    assert cached_knowledge(knowledge, loads, tmp_path / "cache").entries
    assert not marker.exists()  # … and a foreign key means it is never unpickled
    assert loads.count == 2


def test_a_file_saved_during_the_load_is_not_cached_under_the_old_key(
    knowledge: Path, tmp_path: Path
) -> None:
    entry = knowledge / "faq" / "kindergeld.yaml"
    original = entry.read_text(encoding="utf-8")
    calls = Loads()

    def load_while_saving(root: Path) -> KnowledgeBase:
        kb = calls(root)
        if calls.count == 1:  # the editor saves while the first load runs
            entry.write_text(original.replace("Kindergeld", "Kindergeld ", 1), encoding="utf-8")
        return kb

    cached_knowledge(knowledge, load_while_saving, tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*.pickle"))
    entry.write_text(original, encoding="utf-8")  # back to the content the first load saw
    cached_knowledge(knowledge, load_while_saving, tmp_path / "cache")
    assert calls.count == 2  # loaded again from source, not served from a mislabelled cache


def test_a_library_upgrade_invalidates_the_cache(
    knowledge: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = Loads()
    cached_knowledge(knowledge, loads, tmp_path / "cache")
    monkeypatch.setattr(cache, "_libraries_digest", lambda: b"jsonschema upgraded")
    cached_knowledge(knowledge, loads, tmp_path / "cache")
    assert loads.count == 2


def test_a_cache_directory_that_cannot_be_written_still_works(
    knowledge: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")  # also stops root, whom chmod would not
    loads = Loads()
    kb = cached_knowledge(knowledge, loads, blocker / "cache")
    assert kb.entries
    assert cached_knowledge(knowledge, loads, blocker / "cache") == kb
    assert loads.count == 2
    assert capsys.readouterr() == ("", "")


def test_the_cache_lives_outside_the_knowledge_directory(knowledge: Path, tmp_path: Path) -> None:
    cached_knowledge(knowledge, Loads(), tmp_path / "cache")
    assert cache_dir({"XDG_CACHE_HOME": "/x"}) == Path("/x/elternlotse")
    assert cache_dir({}) == Path.home() / ".cache" / "elternlotse"
    assert not [p for p in knowledge.rglob("*") if "pickle" in p.name]


def _cli(*args: str, cache: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run(*args, stdin=stdin, env={**os.environ, "XDG_CACHE_HOME": str(cache)})


def test_ask_answers_the_same_from_the_cache(tmp_path: Path) -> None:
    questions = "wieviel kindergeld 2026\nich will nicht mehr leben\nhallo\n"
    first = _cli("ask", "--json", "--batch", "-", cache=tmp_path, stdin=questions)
    assert list((tmp_path / "elternlotse").iterdir())
    second = _cli("ask", "--json", "--batch", "-", cache=tmp_path, stdin=questions)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert second.stdout == first.stdout
    assert [json.loads(line)["kind"] for line in second.stdout.splitlines()] == [
        "answer",
        "crisis",
        "smalltalk",
    ]


def test_check_validates_from_source_even_with_a_matching_cache(
    knowledge: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "xdg"
    config = tmp_path / "config.yaml"
    config.write_text(f"knowledge:\n  dir: {knowledge}\n", encoding="utf-8")
    assert _cli("--config", str(config), "ask", "hallo", cache=cache).returncode == 0
    # Forge a cache that claims the broken files are fine: `ask` trusts it, `check` must not.
    faq = knowledge / "faq" / "kindergeld.yaml"
    faq.write_text("id: [\n", encoding="utf-8")
    (stored,) = (cache / "elternlotse").iterdir()
    payload = stored.read_bytes().split(b"\n", 1)[1]
    stored.write_bytes(fingerprint(knowledge).encode() + b"\n" + payload)
    assert _cli("--config", str(config), "ask", "hallo", cache=cache).returncode == 0
    result = _cli("--config", str(config), "check", cache=cache)
    assert result.returncode == 1
    assert f"{faq}:" in result.stderr
    assert "invalid YAML" in result.stderr
