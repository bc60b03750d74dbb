"""Crisis guard benchmark: time per message for rules plus learned model (run by hand).

Usage: python bench/crisis.py
Prints figures; asserts nothing. Target (README): p99 ≤ 10 ms per message on this machine.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bot.config import Config
from bot.dialogue.core import Dialogue
from bot.frontends.checks import validate
from bot.frontends.evaluation import load_labelled

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    kb = validate(ROOT / "knowledge")
    guard = Dialogue(kb, Config()).crisis
    texts = [
        q.text
        for name in ("crisis_a.yaml", "crisis_b.yaml", "eval.yaml", "matcher_a.yaml")
        for q in load_labelled(ROOT / "tests" / "data" / name)
    ]
    timings = []
    for text in texts:
        start = time.perf_counter()
        guard.assess(text)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p99 = timings[int(0.99 * len(timings))]
    print(
        f"crisis guard: {len(texts)} messages, p50 {statistics.median(timings):.2f} ms, "
        f"p99 {p99:.2f} ms, max {timings[-1]:.2f} ms; "
        f"{len(kb.crisis.cues)} cues, {len(kb.crisis.rules)} rules, "
        f"{len(kb.crisis.model.weights) if kb.crisis.model else 0} model weights"
    )


if __name__ == "__main__":
    main()
