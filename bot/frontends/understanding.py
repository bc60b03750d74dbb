"""The sentence encoder and its semantic index for a front end: loaded, or off with a reason.

Every front end starts from here: the bot (`handlers.main`), `elternlotse ask` and `check`. The
bot loads the encoder at start (~0.1 s: the file hashes and the engine) but never builds the
index; without a current index it runs without one and its start-up line says so.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.config import Config
from bot.content.knowledge import KnowledgeBase
from bot.content.semantic import cached_index, ensure_index, phrasings
from bot.encoders.e5 import LABEL, MODEL_ID, E5Encoder, EncoderLoad, load_e5
from bot.language.crisis_meaning import MeaningModel, load_meaning_model
from bot.language.encoding import SemanticIndex

Loader = Callable[[], EncoderLoad]
# The crisis guard's meaning signal (`elternlotse train-meaning` writes it).
MEANING_FILE = "crisis_meaning.json"


@dataclass(frozen=True)
class Understanding:
    """What the front end got: encoder, index and crisis meaning model (or None each), a line."""

    encoder: E5Encoder | None
    index: SemanticIndex | None
    line: str
    meaning: MeaningModel | None = None

    def nearest(self, text: str, k: int = 3) -> list[tuple[str, float]] | None:
        """Return the `k` entries nearest to `text` (blocking), or None without encoder or index."""
        if self.encoder is None or self.index is None:
            return None
        return self.index.nearest(self.encoder.encode([text])[0], k)


OFF_IN_CONFIG = "Encoder: aus — in der Konfiguration ausgeschaltet (encoder.enabled: false)"


def load_understanding(
    config: Config,
    kb: KnowledgeBase,
    *,
    load: Loader = load_e5,
    only_with_index: bool = False,
    directory: Path | None = None,
) -> Understanding:
    """Load the encoder and read the index from the cache; never build it.

    Args:
        config: `encoder.enabled` and the knowledge directory (the index's cache file).
        kb: The knowledge base whose phrasings the index must hold.
        load: Loads the encoder (tests inject a refusal or a fake).
        only_with_index: Skip loading the encoder when there is neither a current index nor
            a crisis meaning model (`ask`).
        directory: The cache directory (default: `$XDG_CACHE_HOME/elternlotse`).

    Returns:
        The encoder and index, each None when unavailable, and one line for the log.

    """
    if not config.encoder.enabled:
        return Understanding(None, None, OFF_IN_CONFIG)
    index = cached_index(kb, config.knowledge_dir, MODEL_ID, directory)
    without_index = f"Encoder: an — {LABEL}, ohne Index (`elternlotse check` baut ihn)"
    meaning, problem = read_meaning(config.knowledge_dir, MODEL_ID)
    if index is None and meaning is None and only_with_index:
        return Understanding(None, None, without_index)
    loaded = load()
    if loaded.encoder is None:
        return Understanding(None, None, f"Encoder: aus — {loaded.reason}")
    if meaning is not None and meaning.model_id != loaded.encoder.model_id:
        meaning, problem = None, f"{MEANING_FILE} passt nicht zum Encoder"
    if index is None:
        line = without_index
    else:
        line = f"Encoder: an — {LABEL}, Index: {len(index.ids)} Formulierungen"
    line += ", Krisensignal: an" if meaning is not None else f", Krisensignal: aus ({problem})"
    return Understanding(loaded.encoder, index, line, meaning)


def read_meaning(knowledge_dir: Path, model_id: str) -> tuple[MeaningModel | None, str]:
    """Return the crisis meaning model for the encoder `model_id`, or None and why (German)."""
    path = knowledge_dir / MEANING_FILE
    try:
        model = load_meaning_model(path)
    except FileNotFoundError as exc:
        return None, f"{Path(exc.filename or MEANING_FILE).name} fehlt"
    except (OSError, ValueError, KeyError) as exc:
        return None, f"{MEANING_FILE} unbrauchbar: {exc}"
    if model.model_id != model_id:
        return None, f"{MEANING_FILE} passt nicht zum Encoder (`elternlotse train-meaning`)"
    return model, ""


def prepare_index(
    config: Config, kb: KnowledgeBase, *, load: Loader | None = None, directory: Path | None = None
) -> str:
    """Build the semantic index unless the cached one is current; return one line for `check`."""
    if not config.encoder.enabled:
        return "semantic index: not built (encoder.enabled: false)"
    count = len(phrasings(kb))
    if cached_index(kb, config.knowledge_dir, MODEL_ID, directory) is not None:
        return f"semantic index OK: {count} phrasings, current ({LABEL})"
    loaded = (load or all_cores)()
    if loaded.encoder is None:
        return f"semantic index: not built, encoder off — {loaded.reason}"
    start = time.perf_counter()
    try:
        ensure_index(kb, config.knowledge_dir, loaded.encoder, directory)
    except OSError as exc:
        return f"semantic index: not stored ({exc}); the bot runs without it"
    seconds = time.perf_counter() - start
    return f"semantic index built: {count} phrasings in {seconds:.1f} s ({LABEL})"


def all_cores() -> EncoderLoad:
    """Load the encoder on every core (for building, where no event loop waits)."""
    # Building encodes ~700 phrasings: every core helps, and no event loop is waiting.
    return load_e5(threads=os.cpu_count() or 1)
