"""The crisis guard's verdicts on every crisis test set stay exactly what they were.

tests/data/crisis_verdicts.json holds the verdicts of the guard as shipped (last rewritten when the
rule for a child's medical emergency came); any change of a verdict (level, rule, cues, matched
words) fails here, so a speed change cannot move one unnoticed. That the speed shortcuts skip no
pattern that would match is tested against a guard without them (test_crisis_prefilter.py).
When the rules, the cues or the sets change on purpose, rewrite the file and review its diff:

    .venv/bin/python -m tests.test_crisis_verdicts --write
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bot.config import Config
from bot.dialogue.core import Dialogue
from bot.frontends.checks import validate
from bot.frontends.evaluation import load_labelled
from bot.language.crisis import CrisisGuard

DATA = Path(__file__).resolve().parent / "data"
VERDICTS = DATA / "crisis_verdicts.json"
SETS = [*sorted(DATA.glob("crisis_*.yaml")), DATA / "eval_crisis.yaml"]


def verdicts(guard: CrisisGuard) -> dict[str, list[dict[str, Any]]]:
    """Return the guard's verdict on every message of every crisis set, by file name."""
    found = {}
    for path in SETS:
        rows = []
        for question in load_labelled(path):
            assessment = guard.assess(question.text)
            rows.append(
                {"text": question.text, **assessment.explain(), "matched": list(assessment.matched)}
            )
        found[path.name] = rows
    return found


def test_every_set_has_recorded_verdicts() -> None:
    assert set(json.loads(VERDICTS.read_text("utf-8"))) == {p.name for p in SETS}


def test_guard_verdicts_are_unchanged(dialogue: Dialogue) -> None:
    expected = json.loads(VERDICTS.read_text("utf-8"))
    for name, rows in verdicts(dialogue.crisis).items():
        changed = [(old, new) for old, new in zip(expected[name], rows, strict=True) if old != new]
        assert not changed, f"{name}: {len(changed)} verdict(s) changed, first: {changed[0]}"


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    kb = validate(Path(__file__).resolve().parent.parent / "knowledge")
    found = verdicts(Dialogue(kb, Config()).crisis)
    lines = ",\n".join(
        f"{json.dumps(name)}: [\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rs) + "]"
        for name, rs in found.items()
    )
    VERDICTS.write_text("{\n" + lines + "\n}\n", "utf-8")  # one message a line: short diffs
    print(f"wrote {sum(map(len, found.values()))} verdicts to {VERDICTS}")
