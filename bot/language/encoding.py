"""Understanding by meaning: the sentence-encoder port, the semantic index, encoding off the loop.

A sentence encoder turns a text into a unit vector; texts that mean the same are close, in any
language the model knows. The lexical matcher stays in charge of German answers (issue 19: an
embedding alone adds nothing there) and meaning helps only where the words are unsure; the
vectors serve what words cannot: questions in other languages and crisis messages that describe
rather than name.

The language layer owns the port; an adapter (`bot.encoders`) implements it. numpy is imported
only by what computes, so the front ends that never encode do not pay for it.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Protocol, TypeAlias

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

# Rows of float32 unit vectors (a single vector is one row's shape).
Vectors: TypeAlias = "NDArray[np.float32]"


class SentenceEncoder(Protocol):
    """Turns texts into unit vectors (one row per text, float32, L2-normalised)."""

    @property
    def model_id(self) -> str:
        """Name and version of the model, its file hash and how texts are prefixed.

        Vectors of different ids must never be compared; caches are keyed by it.
        """
        ...

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Return one unit vector per text, in order (blocking; see `AsyncEncoder`)."""
        ...


@dataclass(frozen=True)
class SemanticIndex:
    """The vectors of the phrasings of every FAQ entry (German and others), searched by meaning.

    Attributes:
        model_id: The encoder that made the vectors (`SentenceEncoder.model_id`).
        ids: The entry id of each row.
        vectors: One unit vector per phrasing (rows).

    """

    model_id: str
    ids: tuple[str, ...]
    vectors: Vectors

    def nearest(self, vector: Vectors, k: int = 3) -> list[tuple[str, float]]:
        """Return the `k` entries closest to `vector`, best first, with their scores (cosines).

        An entry scores by the mean cosine of its `CLOSEST` closest phrasings: one phrasing that
        happens to share a word pattern is noise, several that say it the parent's way are
        meaning (on the tuning sets the right entry came first for 0.84 of the questions in
        other languages instead of 0.75 with the single closest phrasing).
        """
        import numpy as np

        scores = self.vectors @ vector
        means = [closest_mean(scores[rows], CLOSEST) for rows in self._groups.values()]
        order = np.argsort(-np.asarray(means), kind="stable")[:k]
        names = list(self._groups)
        return [(names[int(i)], round(means[int(i)], 4)) for i in order]

    @cached_property
    def _groups(self) -> dict[str, NDArray[np.intp]]:
        """Return the rows of each entry, entries in the order of their first phrasing."""
        import numpy as np

        rows: dict[str, list[int]] = {}
        for row, entry in enumerate(self.ids):
            rows.setdefault(entry, []).append(row)
        return {entry: np.asarray(found) for entry, found in rows.items()}


def closest_mean(cosines: Vectors, k: int) -> float:
    """Return the mean of the `k` largest cosines (of all, when there are fewer; 0 for none)."""
    import numpy as np

    k = min(k, len(cosines))
    return float(np.partition(cosines, len(cosines) - k)[-k:].mean()) if k else 0.0


class EncoderBusy(Exception):
    """More messages wait for the encoder than it may queue; go on without it this time."""


# An entry's score is the mean cosine of this many of its closest phrasings.
CLOSEST = 3
# How many single-text vectors `AsyncEncoder` keeps: a message is read by two signals in a row.
RECENT = 16


class AsyncEncoder:
    """Runs a blocking encoder in one worker thread, with a bounded number of waiting calls.

    One thread: the model's engine computes one text at a time anyway, and the event loop
    stays free (the engine releases the GIL while it computes). The bound keeps a burst of
    messages from queueing texts, and the memory they hold, without limit: a call beyond it
    raises `EncoderBusy` at once, and the caller decides without the encoder.

    The crisis signal and the matching both read one message: the vectors of the last few single
    texts are kept (under a hash of the text, not the text), so a message is encoded once.
    """

    def __init__(self, encoder: SentenceEncoder, max_waiting: int = 32) -> None:
        """Wrap `encoder`; at most `max_waiting` calls may wait or run at a time."""
        self.encoder = encoder
        self.max_waiting = max_waiting
        self._pending = 0
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="encoder")
        self._recent: OrderedDict[bytes, Vectors] = OrderedDict()

    @property
    def model_id(self) -> str:
        """Return the wrapped encoder's model id."""
        return self.encoder.model_id

    async def encode(self, texts: Sequence[str]) -> Vectors:
        """Return one unit vector per text, computed in the worker thread.

        Raises:
            EncoderBusy: `max_waiting` calls are already waiting or running.

        """
        key = hashlib.sha256(texts[0].encode()).digest() if len(texts) == 1 else None
        with self._lock:
            if key is not None and key in self._recent:
                self._recent.move_to_end(key)
                return self._recent[key]
            if self._pending >= self.max_waiting:
                raise EncoderBusy(f"{self._pending} encodings are waiting")
            self._pending += 1
        try:
            loop = asyncio.get_running_loop()
            vectors = await loop.run_in_executor(self._executor, self.encoder.encode, list(texts))
        finally:
            with self._lock:
                self._pending -= 1
        if key is not None:
            vectors.flags.writeable = False  # shared by both readers of the message
            with self._lock:
                self._recent[key] = vectors
                while len(self._recent) > RECENT:
                    self._recent.popitem(last=False)
        return vectors

    def close(self) -> None:
        """Stop the worker thread once what it runs is done (calls after this fail)."""
        self._executor.shutdown(wait=True, cancel_futures=True)


class AsyncNearest:
    """The entries nearest in meaning to a text, encoded in the worker thread (the bot's way).

    When the encoder's queue is full, it answers None at once: that message is matched by its
    words, as without an encoder, instead of waiting behind a burst.
    """

    def __init__(self, encoder: AsyncEncoder, index: SemanticIndex, k: int = 3) -> None:
        """Search `index` for the `k` entries nearest to what `encoder` makes of a text."""
        self.encoder = encoder
        self.index = index
        self.k = k

    async def nearest(self, text: str) -> list[tuple[str, float]] | None:
        """Return the `k` nearest entries with their cosines, best first; None when busy."""
        try:
            vectors = await self.encoder.encode([text])
        except EncoderBusy:
            return None
        return self.index.nearest(vectors[0], self.k)
