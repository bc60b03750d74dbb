"""The semantic index of the FAQ's phrasings (German and other languages), cached on disk.

Encoding the ~700 phrasings takes 6–11 s on this machine, far beyond the start-up budget, so
`elternlotse check` builds the index and stores it beside the knowledge cache
(`$XDG_CACHE_HOME/elternlotse/`); the bot and `ask` only read it. The file is keyed by a hash of
the phrasings (entry ids and texts, in order) and of the model id: an edited question or another
model makes it stale, and a stale or damaged file is never used. It holds plain numbers (a key
line, a JSON line with the ids, then float32 rows), so reading it executes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bot.content.cache import cache_dir
from bot.content.knowledge import KnowledgeBase
from bot.language.encoding import SemanticIndex, SentenceEncoder

logger = logging.getLogger(__name__)

# Raise when the file layout changes.
INDEX_FORMAT = 1
# Phrasings per encoder call while building: bounds the memory of one batch.
BATCH = 128


def phrasings(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """Return every phrasing of every FAQ entry as (entry id, question), in a fixed order.

    The German questions first, then those in other languages (`knowledge/phrasings/`): the
    encoder relates a question to one in its own language far better than to a German one.
    """
    german = [(entry.id, text) for entry in kb.entries.values() for text in entry.questions]
    other = [
        (entry_id, text)
        for language in sorted(kb.other_phrasings)
        for entry_id, texts in kb.other_phrasings[language].items()
        for text in texts
    ]
    return german + other


def index_key(pairs: Sequence[tuple[str, str]], model_id: str) -> str:
    """Return the hash the index of `pairs` encoded by `model_id` is stored under."""
    digest = hashlib.sha256(f"{INDEX_FORMAT}\0{model_id}\0".encode())
    for entry_id, text in pairs:
        digest.update(f"{entry_id}\0{text}\0".encode())
    return digest.hexdigest()


def index_file(root: Path, directory: Path | None = None) -> Path:
    """Return the index file of the knowledge directory `root` (one per directory)."""
    name = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return (directory or cache_dir()) / f"semantic-{name}.index"


def read_index(path: Path, key: str, model_id: str) -> SemanticIndex | None:
    """Return the index stored in `path` under `key`, or None when it is missing or stale."""
    try:
        with path.open("rb") as stream:
            if stream.readline().rstrip(b"\n") != key.encode():
                return None
            header = json.loads(stream.readline())
            ids, dimension = tuple(header["ids"]), int(header["dimension"])
            data = stream.read()
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        logger.info("semantic index %s unusable; `elternlotse check` rebuilds it", path)
        return None
    if len(data) != len(ids) * dimension * 4:
        logger.info("semantic index %s truncated; `elternlotse check` rebuilds it", path)
        return None
    import numpy as np  # only now: a front end without an index never loads numpy

    vectors = np.frombuffer(data, dtype="<f4").reshape(len(ids), dimension)
    return SemanticIndex(model_id, ids, vectors)


def write_index(path: Path, key: str, index: SemanticIndex) -> None:
    """Store `index` under `key` atomically (a reader sees the old file or the new one)."""
    import numpy as np

    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".semantic-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(key.encode() + b"\n")
            header = {"ids": list(index.ids), "dimension": int(index.vectors.shape[1])}
            stream.write(json.dumps(header).encode() + b"\n")
            stream.write(np.ascontiguousarray(index.vectors, dtype="<f4").tobytes())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def build_index(pairs: Sequence[tuple[str, str]], encoder: SentenceEncoder) -> SemanticIndex:
    """Encode every phrasing (slow: seconds; `elternlotse check` calls it, never the bot)."""
    import numpy as np

    texts = [text for _, text in pairs]
    parts = [encoder.encode(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
    vectors = np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)
    return SemanticIndex(encoder.model_id, tuple(i for i, _ in pairs), vectors.astype(np.float32))


def ensure_index(
    kb: KnowledgeBase, root: Path, encoder: SentenceEncoder, directory: Path | None = None
) -> tuple[SemanticIndex, bool]:
    """Return the current index of `kb`, building and storing it when the cache is stale.

    Returns:
        The index and whether it was built now (False: the cached one was current).

    Raises:
        OSError: The cache directory cannot be written.

    """
    pairs = phrasings(kb)
    key = index_key(pairs, encoder.model_id)
    path = index_file(root, directory)
    index = read_index(path, key, encoder.model_id)
    if index is not None:
        return index, False
    index = build_index(pairs, encoder)
    write_index(path, key, index)
    return index, True


def cached_index(
    kb: KnowledgeBase, root: Path, model_id: str, directory: Path | None = None
) -> SemanticIndex | None:
    """Return the stored index of `kb` for `model_id` if it is current, else None (never builds)."""
    pairs = phrasings(kb)
    return read_index(index_file(root, directory), index_key(pairs, model_id), model_id)
