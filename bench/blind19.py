"""Score the issue-19 blind sets (run by hand; prints figures, asserts nothing).

Usage: python bench/blind19.py [ROOT] [--matcher FILE] [--crisis FILE]

Runs `elternlotse ask --json --batch` of the checkout ROOT (default: this one) over
tests/data/blind19_matcher.yaml and blind19_crisis.yaml (or the given files; a tuning file such
as matcher_c_tuning.yaml scores the same way) and prints, per bucket, the share answered
correctly, reached in one tap (answered correctly, or a „Meinten Sie …?" whose options hold the
right entry), confidently wrong and fallen back; for the crisis set, the level the guard gave.
The sets are held out: measure, never tune on them.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "tr", "uk", "ar", "ru")
STYLES = ("long", "typo", "simple", "colloquial")
ANSWERED = ("answer", "flow", "handoff")
Stats = dict[str, collections.Counter[str]]


def ask(root: Path, texts: list[str]) -> list[dict[str, Any]]:
    """Return `ask --json` of every text, from the checkout `root`."""
    env = dict(os.environ, PYTHONPATH=str(root), PYTHONHASHSEED="0")
    command = [sys.executable, "-m", "bot.frontends.cli", "ask", "--json", "--batch", "-"]
    lines = "\n".join(t.replace("\n", " ") for t in texts)
    run = subprocess.run(
        command, cwd=root, input=lines, capture_output=True, text=True, env=env, check=True
    )
    return [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]


def language(item: dict[str, Any]) -> str:
    return next((t for t in LANGUAGES if t in (item.get("tags") or [])), "de")


def matcher_buckets(item: dict[str, Any]) -> list[str]:
    expect, lang = item["expect"], language(item)
    if expect in ("fallback", "smalltalk"):
        return [expect]
    tags = set(item.get("tags") or [])
    keys = ["in scope, German" if lang == "de" else "in scope, other languages", f"language {lang}"]
    return keys + [f"German, {t}" for t in STYLES if t in tags and lang == "de"]


def score_matcher(root: Path, path: Path) -> Stats:
    items = yaml.safe_load(path.read_text())["questions"]
    stats: Stats = collections.defaultdict(collections.Counter)
    for item, result in zip(items, ask(root, [i["text"] for i in items]), strict=True):
        expect, kind = item["expect"], result["kind"]
        answered = kind in ANSWERED
        for key in matcher_buckets(item):
            counts = stats[key]
            counts["n"] += 1
            if expect == "fallback":
                counts["answered"] += answered
            elif expect == "smalltalk":
                counts["recognised"] += kind == "smalltalk"
            else:
                right = answered and result["id"] == expect
                offered = kind == "clarify" and expect in result["candidates"][:3]
                counts["right"] += right
                counts["one tap"] += right or offered
                counts["confident wrong"] += answered and result["id"] != expect
                counts["fallback"] += kind == "fallback"
    return stats


def score_crisis(root: Path, path: Path) -> Stats:
    items = yaml.safe_load(path.read_text())["questions"]
    stats: Stats = collections.defaultdict(collections.Counter)
    for item, result in zip(items, ask(root, [i["text"] for i in items]), strict=True):
        expect, level = item["expect"], result["crisis"]["level"]
        where = "German" if language(item) == "de" else "other languages"
        keys = [f"{expect}", f"{expect}, {where}"]
        if expect == "crisis":
            skip = (*LANGUAGES, "long", "typo", "colloquial")
            keys += [f"concept {t}" for t in item.get("tags") or [] if t not in skip]
        for key in keys:
            stats[key]["n"] += 1
            stats[key][level] += 1
    return stats


def show(title: str, stats: Stats, fields: tuple[str, ...]) -> None:
    print(f"\n{title}")
    for key in sorted(stats):
        counts = stats[key]
        cells = "  ".join(f"{f} {counts[f] / counts['n']:.2f}" for f in fields if f in counts)
        print(f"  {key:34} n={counts['n']:4}  {cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=HERE)
    parser.add_argument("--matcher", type=Path, default=HERE / "tests/data/blind19_matcher.yaml")
    parser.add_argument("--crisis", type=Path, default=HERE / "tests/data/blind19_crisis.yaml")
    parser.add_argument("--only", choices=("matcher", "crisis"))
    args = parser.parse_args()
    root = args.root.resolve()
    fields = ("right", "one tap", "confident wrong", "fallback", "answered", "recognised")
    if args.only != "crisis":
        show("questions (share of n)", score_matcher(root, args.matcher.resolve()), fields)
    if args.only != "matcher":
        levels = ("crisis", "concern", "none")
        stats = score_crisis(root, args.crisis.resolve())
        show("crisis set (share of n per level the guard gave)", stats, levels)


if __name__ == "__main__":
    main()
