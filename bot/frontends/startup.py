"""Start-up shared by every front end: load the config, then validate the knowledge base."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.config import Config, ConfigError, load_config
from bot.content.cache import cached_knowledge
from bot.content.knowledge import KnowledgeBase
from bot.datafiles.yamlsource import ProblemsError
from bot.frontends.checks import validate
from bot.groups.registry import setup_problem

EXIT_INVALID_KNOWLEDGE = 1
EXIT_BAD_SETUP = 2


class StartupError(Exception):
    """Start-up failed; `lines` say why (`file:line: message` for knowledge problems)."""

    def __init__(self, code: int, lines: list[str]) -> None:
        """Keep the exit code and the lines to print."""
        super().__init__(lines[-1] if lines else "start-up failed")
        self.code = code
        self.lines = lines

    def report(self, stream: TextIO = sys.stderr) -> int:
        """Print the lines and return the exit code."""
        for line in self.lines:
            print(line, file=stream)
        return self.code


@dataclass(frozen=True)
class Setup:
    """What every front end starts from."""

    config: Config
    kb: KnowledgeBase


def load_setup(config_path: str | Path | None = None, *, cached: bool = True) -> Setup:
    """Load the configuration and a validated knowledge base.

    Args:
        config_path: The config file (default: $ELTERNLOTSE_CONFIG, ./config.yaml).
        cached: Reuse the knowledge base validated by an earlier run while no file changed
            (`bot.content.cache`); False validates from source (`elternlotse check`).

    Raises:
        StartupError: The config is unusable (exit 2) or the knowledge base invalid (exit 1).

    """
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise StartupError(EXIT_BAD_SETUP, [f"elternlotse: {exc}"]) from exc
    try:
        root = config.knowledge_dir
        kb = cached_knowledge(root, validate) if cached else validate(root)
    except ProblemsError as exc:
        lines = [str(p) for p in exc.problems]
        lines.append(
            f"elternlotse: the knowledge base has {len(exc.problems)} problem(s); "
            "fix them first (`elternlotse check`)"
        )
        raise StartupError(EXIT_INVALID_KNOWLEDGE, lines) from exc
    problem = setup_problem(config.groups, kb.groups)
    if problem is not None:
        raise StartupError(EXIT_BAD_SETUP, [f"elternlotse: {problem}"])
    return Setup(config, kb)
