"""Console benchmark: grouping 10,000 unanswered questions, and the „Offene Fragen" page then.

Usage: python bench/grouping.py [--questions 10000]
Prints figures against the budgets (grouping ≤ 10 s in the background, a page ≤ 200 ms, issue
21); asserts nothing. The questions are the tuning sets' texts, varied (a letter dropped, a
number added) the way real unanswered questions repeat with small differences.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.console.curation import group_questions  # noqa: E402

SETS = ("eval.yaml", "eval_holdout.yaml", "matcher_a.yaml", "matcher_c_tuning.yaml")


def questions(count: int) -> Counter[str]:
    """Return `count` asked questions (with repeats) made from the tuning sets."""
    texts = []
    for name in SETS:
        document = yaml.safe_load((ROOT / "tests" / "data" / name).read_text(encoding="utf-8"))
        items = document.get("questions", document) if isinstance(document, dict) else document
        texts += [item["text"] for item in items if isinstance(item, dict) and "text" in item]
    chance = random.Random(1)
    asked: Counter[str] = Counter()
    while sum(asked.values()) < count:
        text = chance.choice(texts)
        if chance.random() < 0.5:
            text = text.replace("e", "", 1)
        if chance.random() < 0.3:
            text += f" {chance.randint(1, 50)}"
        asked[text] += 1
    return asked


def main() -> None:
    """Group the questions and print the time against the budget."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=10_000)
    args = parser.parse_args()
    asked = questions(args.questions)
    start = time.perf_counter()
    groups = group_questions(asked)
    seconds = time.perf_counter() - start
    print(
        f"grouping {sum(asked.values())} questions ({len(asked)} different): {len(groups)} groups "
        f"in {seconds:.2f} s (budget 10 s, in a worker thread) {'ok' if seconds <= 10 else 'OVER'}"
    )


if __name__ == "__main__":
    main()
