"""Cross-file checks of the knowledge base that need the normaliser or the renderer."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from bot.config import Config
from bot.content.association import PLACEHOLDERS as ASSOCIATION_PLACEHOLDERS
from bot.content.knowledge import KnowledgeBase
from bot.content.loader import load_knowledge
from bot.datafiles.yamlsource import Problem, ProblemsError
from bot.dialogue.core import Dialogue
from bot.flows.figures import FIGURE, LITERAL_FIGURE, figure_names, figure_values, shadowed_figures
from bot.flows.placeholders import PLACEHOLDERS
from bot.frontends.plain import render_plain
from bot.limits import MESSAGE_LIMIT, RENDER_OVERHEAD


def check_knowledge(kb: KnowledgeBase) -> list[Problem]:
    """Return problems that span files: shared phrasings, oversized answers, empty categories.

    Args:
        kb: A knowledge base that passed file-level validation.

    Returns:
        Every problem found (empty when the knowledge base is valid).

    """
    problems: list[Problem] = []
    normalizer = kb.normalizer()
    dialogue = Dialogue(kb, Config())
    owners: dict[tuple[str, ...], list[tuple[str, Path, int]]] = defaultdict(list)
    for entry in kb.entries.values():
        lines = entry.question_lines
        for index, question in enumerate(entry.questions):
            key = tuple(sorted(normalizer.stems(question)))
            line = lines[index] if index < len(lines) else 1
            if not key:
                problems.append(
                    Problem(entry.path, line, f"questions[{index}]: only stop words: {question!r}")
                )
                continue
            owners[key].append((entry.id, entry.path, line))
        size = len(render_plain(dialogue.views.answer_reply(entry))) + RENDER_OVERHEAD
        if size > MESSAGE_LIMIT:
            problems.append(
                Problem(
                    entry.path,
                    1,
                    f"rendered answer too long for one Telegram message ({size} > {MESSAGE_LIMIT})",
                )
            )
    for key, places in owners.items():
        ids = {entry_id for entry_id, _, _ in places}
        if len(ids) > 1:
            for entry_id, path, line in places:
                others = ", ".join(sorted(ids - {entry_id}))
                message = f"phrasing shared with {others} after normalisation ({' '.join(key)})"
                problems.append(Problem(path, line, message))
    problems += _figure_problems(kb)
    problems += _namespace_problems(kb)
    for category in kb.categories:
        if not kb.in_category(category.id):
            problems.append(
                Problem(Path("categories.yaml"), 1, f"category '{category.id}' has no entries")
            )
    return problems


def _figure_problems(kb: KnowledgeBase) -> list[Problem]:
    """Every figure has one home: texts name figures by placeholder, never as digits."""
    known = figure_names(kb.calculators) | frozenset(ASSOCIATION_PLACEHOLDERS)
    problems = []
    for entry in kb.entries.values():
        texts = {"answer": entry.answer} | {
            f"followups.{f.value}": v for f, v in entry.followups.items()
        }
        for where, text in texts.items():
            for name in FIGURE.findall(text):
                if name not in known:
                    problems.append(Problem(entry.path, 1, f"{where}: unknown figure {{{name}}}"))
            for literal in LITERAL_FIGURE.findall(text):
                problems.append(
                    Problem(
                        entry.path,
                        1,
                        f"{where}: '{literal}' must come from the yearly calculator file: "
                        "write its placeholder (see knowledge/README.md, figures)",
                    )
                )
    for flow in kb.flows.values():
        for node in flow.nodes.values():
            shown = [node.text, *(o.label for o in node.options), *(s.text for s in node.sections)]
            for literal in (m for text in shown for m in LITERAL_FIGURE.findall(text)):
                problems.append(
                    Problem(
                        flow.path,
                        node.line,
                        f"node '{node.id}': '{literal}' must come from the yearly calculator "
                        "file: write its placeholder",
                    )
                )
    return problems


def _namespace_problems(kb: KnowledgeBase) -> list[Problem]:
    """One name, one meaning: a figure never shares a name with a calculation or another figure.

    A plan's {kindergeld} once showed one child's 259 € where the family's total was meant,
    because the plain figure of that name hid the calculation.
    """
    problems = []
    for params in kb.calculators:
        where = Path("calculators") / f"{params.valid_from:%Y}.yaml"
        for name in sorted(set(figure_values(params)) & set(PLACEHOLDERS)):
            problems.append(
                Problem(where, 1, f"figure '{name}' has the name of a calculation: rename it")
            )
        for name in shadowed_figures(params):
            problems.append(
                Problem(where, 1, f"figures.{name}: the calculator sections already define it")
            )
    return problems


def validate(root: Path) -> KnowledgeBase:
    """Load the knowledge base and run every check.

    Raises:
        ProblemsError: With all problems, each as `file:line: message`.

    """
    kb = load_knowledge(root)
    problems = check_knowledge(kb)
    if problems:
        raise ProblemsError(problems)
    return kb
