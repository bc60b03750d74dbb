"""Matcher benchmark: per-query latency, index build time and peak RSS (run by hand).

Usage: python bench/matcher.py [--entries 10000] [--queries 2000]
Prints figures; asserts nothing. Targets (README): p99 ≤ 2 ms on the shipped knowledge base,
≤ 20 ms at 10,000 entries, index build ≤ 3 s.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time
from pathlib import Path

from bot.config import MatcherConfig
from bot.frontends.checks import validate
from bot.frontends.evaluation import load_labelled
from bot.language.matcher import Document, Matcher, documents_from

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(matcher: Matcher, queries: list[str], rounds: int) -> tuple[float, float]:
    timings = []
    for _ in range(rounds):
        for query in queries:
            start = time.perf_counter()
            matcher.decide(query)
            timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), percentile(timings, 0.99)


def synthetic(base: list[Document], size: int, rng: random.Random) -> list[Document]:
    """Scale the shipped entries to `size` by recombining their words into new entries."""
    vocabulary = sorted({w for d in base for p in d.phrasings for w in p.split()})
    docs = list(base)
    while len(docs) < size:
        template = rng.choice(base)
        phrasings = []
        for phrasing in template.phrasings:
            words = phrasing.split()
            for _ in range(max(1, len(words) // 3)):
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
            phrasings.append(" ".join(words))
        docs.append(Document(f"syn-{len(docs)}", template.title, phrasings, template.keywords))
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(7)
    kb = validate(ROOT / "knowledge")
    normalizer = kb.normalizer()
    queries = [q.text for q in load_labelled(ROOT / "tests" / "data" / "eval.yaml")]
    base = documents_from(kb.entries.values())

    start = time.perf_counter()
    shipped = Matcher(base, normalizer, MatcherConfig())
    build = time.perf_counter() - start
    p50, p99 = measure(shipped, queries, args.rounds)
    print(
        f"shipped KB: {shipped.size} entries, build {build * 1000:.0f} ms, "
        f"{len(queries) * args.rounds} queries: p50 {p50:.3f} ms, p99 {p99:.3f} ms"
    )

    docs = synthetic(base, args.entries, rng)
    start = time.perf_counter()
    scaled = Matcher(docs, normalizer, MatcherConfig())
    build = time.perf_counter() - start
    p50, p99 = measure(scaled, queries, 1)
    print(
        f"synthetic KB: {scaled.size} entries, build {build:.2f} s, "
        f"{len(queries)} queries: p50 {p50:.3f} ms, p99 {p99:.3f} ms"
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
