"""The crisis guard on peer-group messages: a blind set, measured as the bot runs (by hand).

Usage: python bench/blind22.py [FILE]

FILE (default tests/data/blind22_group.yaml) was written by a helper who saw neither the code
nor the knowledge base: 100 messages as they appear in the association's groups, labelled
crisis or not (with many hard negatives: hyperbole, dark humour, past violence). Each goes
through `GroupGuard.check` — the rules, the word model and, when the encoder loads, the meaning
signal — exactly as a group message does. Prints recall and false alarms per kind and language
and lists every miss and false alarm, and the time the guard takes per message (p50,
p99); asserts nothing.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from bot.detector.langid import LangidDetector  # noqa: E402
from bot.dialogue.core import Dialogue  # noqa: E402
from bot.frontends.startup import load_setup  # noqa: E402
from bot.frontends.understanding import load_understanding  # noqa: E402
from bot.groups.guard import GroupGuard  # noqa: E402
from bot.language.crisis_data import CrisisLevel  # noqa: E402
from bot.language.crisis_meaning import CrisisMeaning  # noqa: E402
from bot.language.encoding import AsyncEncoder  # noqa: E402


async def levels(guard: GroupGuard, texts: list[str]) -> tuple[list[CrisisLevel], list[float]]:
    """Read every text as a group message; return the levels and the ms each took."""
    found, times = [], []
    for text in texts:
        start = time.perf_counter()
        found.append((await guard.check(text)).level)
        times.append((time.perf_counter() - start) * 1000)
    return found, times


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "tests/data/blind22_group.yaml"
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
    setup = load_setup(None)
    understanding = load_understanding(setup.config, setup.kb)
    dialogue = Dialogue(setup.kb, setup.config, detector=LangidDetector())
    meaning = None
    if understanding.encoder is not None and understanding.meaning is not None:
        meaning = CrisisMeaning(AsyncEncoder(understanding.encoder), understanding.meaning)
    print(understanding.line)
    found, times = asyncio.run(levels(GroupGuard(dialogue, meaning), [i["text"] for i in items]))
    hits, totals, alarms, quiet = Counter(), Counter(), Counter(), Counter()
    for item, level in zip(items, found, strict=True):
        key = (item["kind"], item["language"])
        alarm = level is CrisisLevel.CRISIS
        if item["crisis"]:
            totals[key] += 1
            hits[key] += alarm
            if not alarm:
                print(f"  MISSED  [{item['kind']}/{item['language']}] {item['text'][:110]}")
        else:
            quiet[item["language"]] += 1
            alarms[item["language"]] += alarm
            if alarm:
                print(f"  FALSE   [{item['language']}] {item['text'][:110]}")
    crisis = sum(totals.values())
    print(f"\ncrisis recall: {sum(hits.values())}/{crisis}")
    for kind in sorted({k for k, _ in totals}):
        got = sum(v for (k, _), v in hits.items() if k == kind)
        of = sum(v for (k, _), v in totals.items() if k == kind)
        print(f"  {kind:18} {got}/{of}")
    print(f"false alarms: {sum(alarms.values())}/{sum(quiet.values())}")
    for language in sorted(quiet):
        print(f"  {language}: {alarms[language]}/{quiet[language]}")
    cut = statistics.quantiles(sorted(times), n=100)
    print(f"time per message: p50 {cut[49]:.1f} ms, p99 {cut[98]:.1f} ms, max {max(times):.1f} ms")


if __name__ == "__main__":
    main()
