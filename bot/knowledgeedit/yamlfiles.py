"""Add a phrasing to an FAQ entry's YAML file, validated, atomically, comments and order kept.

The edit is made with ruamel.yaml's round-trip mode on a copy of the knowledge base in a
temporary directory, which is validated as `elternlotse check` does; only a valid copy replaces
the file (write to a temporary file beside it, then `os.replace`). On any problem the files and
the running bot stay as they were and the problems come back as `file:line: message`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from bot.content.knowledge import KnowledgeBase
from bot.datafiles.yamlsource import ProblemsError

Validate = Callable[[Path], KnowledgeBase]
MAX_PHRASING = 300


class KnowledgeFiles:
    """The knowledge directory as files that the console may change."""

    def __init__(self, root: Path, validate: Validate) -> None:
        """Keep the directory and the validation `elternlotse check` runs."""
        self.root = root
        self._validate = validate

    def add_question(self, entry_id: str, question: str) -> KnowledgeBase | list[str]:
        """Add a question to an entry; return the new knowledge base, or the problems.

        Blocking (file I/O and a full validation): call it in a worker thread.
        """
        question = " ".join(question.split())
        path = self.root / "faq" / f"{entry_id}.yaml"
        if not question or len(question) > MAX_PHRASING:
            return [f"Die Formulierung muss 1–{MAX_PHRASING} Zeichen lang sein."]
        if not path.is_file() or path.parent != self.root / "faq":
            return [f"Es gibt keinen Eintrag „{entry_id}“."]
        yaml = _round_trip()
        with path.open(encoding="utf-8") as handle:
            document = yaml.load(handle)
        if not isinstance(document, CommentedMap) or not isinstance(
            document.get("questions"), list
        ):
            return [f"{path.name}: hat keine Liste „questions“."]
        if question in document["questions"]:
            return [f"{path.name}: „{question}“ steht schon in den Formulierungen."]
        document["questions"].append(question)
        return self._replace(path, yaml, document)

    def _replace(self, path: Path, yaml: YAML, document: CommentedMap) -> KnowledgeBase | list[str]:
        """Validate the changed file in a copy of the knowledge base; then replace the file."""
        with tempfile.TemporaryDirectory(prefix="elternlotse-edit-") as scratch:
            copy = Path(scratch) / "knowledge"
            shutil.copytree(self.root, copy)
            target = copy / path.relative_to(self.root)
            with target.open("w", encoding="utf-8") as handle:
                yaml.dump(document, handle)
            try:
                kb = self._validate(copy)
            except ProblemsError as error:
                # Paths as staff know them: relative to the knowledge directory.
                return [str(p).replace(f"{copy}/", "") for p in error.problems]
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
            os.close(fd)
            shutil.copyfile(target, temporary)
            os.replace(temporary, path)
        del kb  # validated in the copy; the bot reads the files where they are
        return self._validate(self.root)


def _round_trip() -> YAML:
    """Return a ruamel.yaml that writes back what it read: comments, order, quotes, width."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml
