"""Questions in other languages, matched by words only and then by meaning (prints figures only).

Usage: python bench/foreign.py [FILE]   (default: tests/data/languages_tuning.yaml)

For every labelled question not in German (`expect:` an entry id or `fallback`), per language:
answered correctly, reached in one tap (answered correctly, or a „Meinten Sie …?" that offers the
right entry), answered wrongly, and out-of-scope questions that got an answer or a „Meinten Sie …?".
Once with the encoder off (today's words only), once on (`elternlotse check` builds its index).
The bands were chosen on the default file: its figures are tuning figures, not blind ones.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import yaml

from bot.detector.langid import LangidDetector
from bot.dialogue.core import Dialogue
from bot.dialogue.model import OutcomeKind
from bot.frontends.startup import load_setup
from bot.frontends.understanding import load_understanding

ANSWERING = {OutcomeKind.ANSWER, OutcomeKind.FLOW, OutcomeKind.HANDOFF}
COLUMNS = ("n", "right", "one tap", "wrong", "oos n", "oos offered")


def measure(dialogue: Dialogue, questions: list[dict[str, str]]) -> dict[str, dict[str, int]]:
    """Count per language what the dialogue does with the labelled questions."""
    table: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    for question in questions:
        row = table[question["lang"]]
        outcome = dialogue.ask(question["text"])
        want = question["expect"]
        answered = outcome.kind in ANSWERING
        offered = outcome.kind is OutcomeKind.CLARIFY
        if want == "fallback":
            row["oos n"] += 1
            row["oos offered"] += answered or offered
            continue
        right = answered and outcome.entry_id == want
        row["n"] += 1
        row["right"] += right
        row["one tap"] += right or (offered and want in outcome.candidates)
        row["wrong"] += answered and not right
    return table


def show(title: str, table: dict[str, dict[str, int]]) -> None:
    """Print one table, a line per language and the sum."""
    print(f"\n{title}\n{'lang':6}" + "".join(f"{c:>12}" for c in COLUMNS))
    total = dict.fromkeys(COLUMNS, 0)
    for lang in sorted(table, key=lambda code: -table[code]["n"]):
        print(f"{lang:6}" + "".join(f"{table[lang][c]:>12}" for c in COLUMNS))
        total = {c: total[c] + table[lang][c] for c in COLUMNS}
    print(f"{'all':6}" + "".join(f"{total[c]:>12}" for c in COLUMNS))


def main() -> None:
    """Measure with the encoder off, then on."""
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data/languages_tuning.yaml")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    setup = load_setup(None)
    detector = LangidDetector()
    words_only = Dialogue(setup.kb, setup.config, detector=detector)
    questions = [q for q in raw if "expect" in q and words_only.ask(q["text"]).language]
    show("encoder off (words only)", measure(words_only, questions))
    understanding = load_understanding(setup.config, setup.kb, only_with_index=True)
    if understanding.index is None:
        sys.exit(f"no encoder: {understanding.line}")

    def nearest(text: str) -> list[tuple[str, float]]:
        return understanding.nearest(text) or []

    by_meaning = Dialogue(setup.kb, setup.config, detector=detector, nearest=nearest)
    show("encoder on (matched by meaning)", measure(by_meaning, questions))


if __name__ == "__main__":
    main()
