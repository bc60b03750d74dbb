"""What the rare-word rule of the redaction costs and catches (run by hand; prints figures only).

Usage: python bench/redact.py [--blind]

Prints, with the rare-word rule off ("before") and on ("after"):
  - on tests/data/redaction_corpus.yaml (the tuning set): personal strings removed, topic words
    kept, and the words of the non-name text lost (every word that is neither a secret nor in a
    name list and does not survive);
  - on every question of the other test sets and the FAQ (6,600 texts, several languages):
    the words lost that are in no name list (over-masking), with examples;
  - the load time and resident memory of the German frequency list, and the redaction time per
    message (median over the tuning corpus and the questions).
`--blind` adds tests/data/redaction_blind.yaml; it is never tuned on: measure it once.
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

import bot.language.redact as redaction
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.content.loader import load_knowledge
from bot.language.rare_words import german_zipf

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def present(needle: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", text) is not None


def questions() -> Iterator[str]:
    for path in sorted(DATA.glob("*.yaml")):
        if path.name not in ("redaction_corpus.yaml", "redaction_blind.yaml"):
            yield from (
                q["text"] for q in yaml.safe_load(path.read_text("utf-8")).get("questions", [])
            )
    for path in sorted((DEFAULT_KNOWLEDGE_DIR / "faq").glob("*.yaml")):
        yield from yaml.safe_load(path.read_text("utf-8"))["questions"]


def score(
    messages: list[dict[str, Any]], redact: Callable[[str], str], names: frozenset[str]
) -> str:
    secrets = [
        (str(s), redact(m["text"]))
        for m in messages
        for s in m.get("secrets", m.get("personal", []))
    ]
    keep = [(str(k), redact(m["text"])) for m in messages for k in m["keep"]]
    removed = sum(not present(s, out) for s, out in secrets)
    kept = sum(present(k, out) for k, out in keep)
    other = lost = 0
    for message in messages:
        out = redact(message["text"])
        secret_words = {
            w
            for s in message.get("secrets", message.get("personal", []))
            for w in WORD.findall(str(s))
        }
        for word in WORD.findall(message["text"]):
            if word in secret_words or redaction.fold(word) in names:
                continue
            other += 1
            lost += not present(word, out)
    return (
        f"secrets removed {removed}/{len(secrets)}, keep words kept {kept}/{len(keep)}, "
        f"other words lost {lost}/{other}"
    )


def over_masking(
    texts: list[str], redact: Callable[[str], str], names: frozenset[str]
) -> tuple[int, int, list[str]]:
    lost, total, examples = 0, 0, []
    for text in texts:
        survivors = set(WORD.findall(redact(text)))
        for word in WORD.findall(text):
            if {redaction.fold(word), redaction.fold(word.removesuffix("s"))} & names:
                continue
            total += 1
            if word not in survivors:
                lost += 1
                examples.append(f"{word!r} in {text[:70]!r}")
    return lost, total, examples


def timed(texts: list[str], redact: Callable[[str], str]) -> str:
    times = []
    for text in texts:
        start = time.perf_counter()
        redact(text)
        times.append(time.perf_counter() - start)
    times.sort()
    p95 = times[int(len(times) * 0.95)]
    return f"median {statistics.median(times) * 1e3:.3f} ms, p95 {p95 * 1e3:.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blind", action="store_true", help="also score the blind set (once)")
    args = parser.parse_args()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    size = len(german_zipf())
    load = time.perf_counter() - start
    rss = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
    print(f"frequency list: {size} words, loaded in {load:.2f} s, +{rss:.0f} MB peak RSS")
    lists = redaction.default_name_lists()
    kb = load_knowledge(DEFAULT_KNOWLEDGE_DIR)
    with_vocabulary = kb.names or lists
    names = lists.every_name()
    corpus = yaml.safe_load((DATA / "redaction_corpus.yaml").read_text("utf-8"))["messages"]
    texts = list(questions())
    rule = redaction._mark_rare
    for label, on in (("before", False), ("after", True)):
        redaction._mark_rare = rule if on else (lambda tokens, lists: None)  # type: ignore[assignment]
        redact = lambda text: redaction.redact(text, with_vocabulary)  # noqa: E731
        print(f"== {label}")
        print(f"tuning corpus: {score(corpus, redact, names)}")
        lost, total, examples = over_masking(texts, redact, names)
        print(f"questions ({len(texts)}): {lost} of {total} non-name words lost")
        for example in examples[:40]:
            print("   ", example)
        print(f"time per message: {timed([m['text'] for m in corpus] + texts, redact)}")
        if args.blind:
            blind = yaml.safe_load((DATA / "redaction_blind.yaml").read_text("utf-8"))["messages"]
            print(f"BLIND: {score(blind, redact, names)}")
    redaction._mark_rare = rule


if __name__ == "__main__":
    main()
