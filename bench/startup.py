"""Start-up and per-question cost of `elternlotse ask` (run by hand; prints figures only).

Usage: python bench/startup.py [--runs 7] [--rounds 3] [--importtime] [--profile]

Prints:
  (a) wall time of `elternlotse ask --json "…"` as a subprocess (median of --runs), once with an
      empty knowledge cache (first start after an edit) and once with a warm one;
  (b) in a fresh interpreter: import time, knowledge load time (`load_setup`, what `ask` runs) and
      the build of the dialogue core (matcher index, crisis guard);
  (c) per-question time of the `ask --batch` loop over tests/data/eval.yaml (median and p95),
      split into crisis guard and matcher, plus the wall time of a whole `ask --json --batch` run.
Targets (README): start-up ≤ 300 ms, ≤ 1 ms per question.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ELTERNLOTSE = ROOT / ".venv" / "bin" / "elternlotse"
QUESTION = "Wie viel Unterhalt bekommt mein Kind?"
EVAL = ROOT / "tests" / "data" / "eval.yaml"

# Runs in a fresh interpreter so imports and loading are measured cold, as a CLI call pays them.
_IN_PROCESS = """
import json, time
t0 = time.perf_counter()
from bot.frontends.startup import load_setup
from bot.dialogue.core import Dialogue
t1 = time.perf_counter()
setup = load_setup()
t2 = time.perf_counter()
Dialogue(setup.kb, setup.config)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "dialogue": t3 - t2}))
"""


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def wall(command: Sequence[str], env: dict[str, str], runs: int) -> float:
    """Return the median wall time in ms of running `command` `runs` times."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def cold_wall(command: Sequence[str], env: dict[str, str], runs: int) -> float:
    """Return the median wall time in ms with a new, empty cache directory for every run."""
    timings = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            timings.append(wall(command, {**env, "XDG_CACHE_HOME": cache}, 1))
    return statistics.median(timings)


def startup(env: dict[str, str], runs: int) -> None:
    command = [str(ELTERNLOTSE), "ask", "--json", QUESTION]
    print(f"(a) `elternlotse ask --json` wall time, median of {runs} runs")
    print(f"    empty cache (first start): {cold_wall(command, env, runs):7.0f} ms")
    wall(command, env, 1)  # fill the cache
    print(f"    warm cache:                {wall(command, env, runs):7.0f} ms")
    parts: dict[str, list[float]] = {"import": [], "load": [], "dialogue": []}
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", _IN_PROCESS],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        for key, value in json.loads(done.stdout.splitlines()[-1]).items():
            parts[key].append(value * 1000)
    print(f"(b) in a fresh interpreter (warm cache), median of {runs} runs")
    print(f"    imports:                   {statistics.median(parts['import']):7.0f} ms")
    print(f"    knowledge load_setup:      {statistics.median(parts['load']):7.0f} ms")
    print(f"    dialogue core build:       {statistics.median(parts['dialogue']):7.1f} ms")


def importtime(env: dict[str, str], top: int = 12) -> None:
    """Print the modules with the largest cumulative import time of `elternlotse ask`."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot.frontends.cli", "ask", "--json", QUESTION],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cumulative, name = line.removeprefix("import time:").split("|")
            rows.append((int(cumulative), name.rstrip()))
    print("    top imports (cumulative µs, -X importtime):")
    for cumulative, name in sorted(rows, reverse=True)[:top]:
        print(f"      {cumulative:8d}  {name}")


def timed(function: Callable[[str], object], texts: Sequence[str], rounds: int) -> list[float]:
    """Return the time in ms of each call, over `rounds` passes through `texts`."""
    timings = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter()
            function(text)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def per_question(env: dict[str, str], rounds: int, profile: bool) -> None:
    from bot.dialogue.core import Dialogue
    from bot.frontends.evaluation import load_labelled
    from bot.frontends.startup import load_setup

    setup = load_setup()
    dialogue = Dialogue(setup.kb, setup.config)
    texts = [q.text.replace("\n", " ") for q in load_labelled(EVAL)]

    def ask(text: str) -> None:
        json.dumps(dialogue.ask(text).summary(), ensure_ascii=False)

    print(f"(c) per question, {len(texts)} questions of {EVAL.name} × {rounds} rounds")
    for label, function in (
        ("ask (whole)", ask),
        ("crisis guard", dialogue.crisis.assess),
        ("matcher", dialogue.matcher.decide),
    ):
        timings = timed(function, texts, rounds)
        print(
            f"    {label:14} median {statistics.median(timings):6.3f} ms, "
            f"p95 {percentile(timings, 0.95):6.3f} ms, mean {statistics.fmean(timings):6.3f} ms"
        )
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as batch:
        batch.write("\n".join(texts) + "\n")
    try:
        command = [str(ELTERNLOTSE), "ask", "--json", "--batch", batch.name]
        total = wall(command, env, 3)
    finally:
        os.unlink(batch.name)
    print(f"    `ask --json --batch` wall time for all {len(texts)}: {total:.0f} ms")
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(lambda: [ask(t) for t in texts])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="subprocess runs per figure")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the questions")
    parser.add_argument("--importtime", action="store_true", help="list the slowest imports")
    parser.add_argument("--profile", action="store_true", help="cProfile the question loop")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        # A private cache directory: the figures do not depend on what earlier runs left behind.
        os.environ["XDG_CACHE_HOME"] = cache
        env = dict(os.environ)
        startup(env, args.runs)
        if args.importtime:
            importtime(env)
        per_question(env, args.rounds, args.profile)


if __name__ == "__main__":
    main()
