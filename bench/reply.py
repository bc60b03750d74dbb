"""The time from a parent's text to the bot's decision, with and without the encoder (by hand).

Usage: python bench/reply.py [FILE]

One parent at a time, in process, no Telegram: for each question of FILE (default
tests/data/eval.yaml) the path the bot takes — encode the text once (the crisis meaning signal
and the matching by meaning share the vector), the signal's verdict, the nearest entries, then
the dialogue's decision — and, for comparison, the decision by words alone. Prints p50, p95,
p99 and max in ms; asserts nothing. Budgets (issue 19): p50 ≤ 60 ms, p99 ≤ 300 ms with the
encoder. Run `elternlotse check` first (the index).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from bot.detector.langid import LangidDetector  # noqa: E402
from bot.dialogue.core import Dialogue  # noqa: E402
from bot.dialogue.model import State  # noqa: E402
from bot.frontends.startup import load_setup  # noqa: E402
from bot.frontends.understanding import load_understanding  # noqa: E402


def percentiles(times: list[float]) -> str:
    ordered = sorted(times)
    cut = statistics.quantiles(ordered, n=100)
    return f"p50 {cut[49]:6.1f}  p95 {cut[94]:6.1f}  p99 {cut[98]:6.1f}  max {ordered[-1]:6.1f} ms"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "tests/data/eval.yaml"
    texts = [q["text"] for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]]
    setup = load_setup(None)
    understanding = load_understanding(setup.config, setup.kb)
    encoder, index, model = understanding.encoder, understanding.index, understanding.meaning
    if encoder is None or index is None or model is None:
        raise SystemExit(f"encoder, index or signal missing: {understanding.line}")
    dialogue = Dialogue(setup.kb, setup.config, detector=LangidDetector())
    dialogue.text(State(), "Hallo")  # warm the caches once
    words, meaning = [], []
    for text in texts:
        start = time.perf_counter()
        dialogue.text(State(), text)
        words.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        vector = encoder.encode([text])[0]
        verdict, nearest = model.verdict(vector), index.nearest(vector)
        dialogue.text(State(), text, None, nearest, verdict)
        meaning.append((time.perf_counter() - start) * 1000)
    print(f"{len(texts)} questions from {path.name}, one at a time")
    print(f"  words alone        {percentiles(words)}")
    print(f"  with the encoder   {percentiles(meaning)}")


if __name__ == "__main__":
    main()
