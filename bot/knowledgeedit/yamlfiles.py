"""Change an FAQ entry's YAML file, validated, atomically, with its comments and order kept.

The console adds a phrasing, or sets the fields an editor changes (`change_entry`).

The edit is made with ruamel.yaml's round-trip mode on a copy of the knowledge base in a
temporary directory, which is validated as `elternlotse check` does; only a valid copy replaces
the file (write to a temporary file beside it, then `os.replace`). On any problem the files and
the running bot stay as they were and the problems come back as `file:line: message`.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

from bot.console.knowledge import EntryChange, EntryEdit, version_of
from bot.content.knowledge import KnowledgeBase
from bot.datafiles.yamlsource import ProblemsError

Validate = Callable[[Path], KnowledgeBase]
MAX_PHRASING = 300
CONFLICT = "Jemand anderes hat diesen Eintrag gespeichert, nachdem Sie ihn geöffnet haben."
EDITABLE = frozenset(f.name for f in fields(EntryChange))  # the keys a console edit may touch


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

    def version(self, entry_id: str) -> str | None:
        """Return the version of an entry's file as it is now; None without such a file."""
        path = self.root / "faq" / f"{entry_id}.yaml"
        if not path.is_file() or path.parent != self.root / "faq":
            return None
        return version_of(path.read_text(encoding="utf-8"))

    def change_entry(
        self, entry_id: str, change: EntryChange, *, save: bool, expected: str | None = None
    ) -> EntryEdit:
        """Set an entry's questions, answer, related ids, legal basis and sources.

        The changed file is validated in a copy of the knowledge base; with `save` a valid file
        replaces the old one. Blocking (file I/O and a full validation): call it in a thread.
        With `expected`, a file whose version differs (saved by someone else since the form was
        loaded) is left alone and the edit says `conflict`; the caller holds the write lock.

        Returns:
            The file's text before and after, and the knowledge base with the change (read from
            the real files after a save) or the problems as `file:line: message`.

        """
        path = self.root / "faq" / f"{entry_id}.yaml"
        if not path.is_file() or path.parent != self.root / "faq":
            return EntryEdit("", "", [f"Es gibt keinen Eintrag „{entry_id}“."])
        before = path.read_text(encoding="utf-8")
        yaml = _round_trip()
        document = yaml.load(before)
        if not isinstance(document, CommentedMap):
            return EntryEdit(before, before, [f"{path.name}: ist kein Eintrag."])
        keys = set(document)
        _set_fields(document, change)
        after = _dumped(yaml, document)
        if expected is not None and version_of(before) != expected:
            return EntryEdit(before, after, [CONFLICT], conflict=True)
        foreign = _foreign_keys(keys, after, path.name)
        if foreign:
            return EntryEdit(before, after, foreign)
        return EntryEdit(before, after, self._checked(path, after, save=save))

    def _replace(self, path: Path, yaml: YAML, document: CommentedMap) -> KnowledgeBase | list[str]:
        """Validate the changed file in a copy of the knowledge base; then replace the file."""
        return self._checked(path, _dumped(yaml, document), save=True)

    def _checked(self, path: Path, text: str, *, save: bool) -> KnowledgeBase | list[str]:
        """Validate a file's new text in a copy of the knowledge base; with `save` write it."""
        with tempfile.TemporaryDirectory(prefix="elternlotse-edit-") as scratch:
            copy = Path(scratch) / "knowledge"
            shutil.copytree(self.root, copy)
            target = copy / path.relative_to(self.root)
            target.write_text(text, encoding="utf-8")
            try:
                kb = self._validate(copy)
            except ProblemsError as error:
                # Paths as staff know them: relative to the knowledge directory; the edited
                # file's own problems first (others follow from them, e.g. a missing id).
                problems = [str(p).replace(f"{copy}/", "") for p in error.problems]
                own = str(path.relative_to(self.root))
                return sorted(problems, key=lambda p: not p.startswith(f"{own}:"))
            if not save:
                return kb
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
            os.close(fd)
            shutil.copyfile(target, temporary)
            os.replace(temporary, path)
        return self._validate(self.root)  # the bot reads the files where they are


def _foreign_keys(keys: set[object], after: str, name: str) -> list[str]:
    """Return a problem when the written file has other keys than before, editable ones aside.

    Defence in depth: whatever the form sends, a save may only touch the fields the console
    edits; a line break smuggled into a value must not add `followups`, `kind` or `flow`.
    """
    try:
        document = YAML(typ="safe").load(after)
    except YAMLError as error:
        return [f"{name}: die Änderung ergäbe kein gültiges YAML ({error.__class__.__name__})."]
    changed = set(document) ^ keys if isinstance(document, dict) else {"(kein Eintrag)"}
    changed -= EDITABLE
    if changed:
        listed = ", ".join(sorted(str(k) for k in changed))
        return [
            f"{name}: die Änderung würde Felder ändern, die die Konsole nicht bearbeitet: {listed}."
        ]
    return []


def _dumped(yaml: YAML, document: CommentedMap) -> str:
    """Return a document as ruamel writes it."""
    stream = io.StringIO()
    yaml.dump(document, stream)
    return stream.getvalue()


def _set_fields(document: CommentedMap, change: EntryChange) -> None:
    """Set the edited fields; a field that stays the same is not touched (its bytes stay)."""
    old_answer = document.get("answer")
    if not isinstance(old_answer, str) or old_answer.strip() != change.answer:
        document["answer"] = LiteralScalarString(change.answer + "\n") if change.answer else ""
    _set_list(document, "questions", list(change.questions))
    _set_list(document, "related", list(change.related))
    if change.legal_basis or "legal_basis" in document:
        _set_list(document, "legal_basis", list(change.legal_basis), before="sources")
    old_sources = document.get("sources")
    kept: dict[tuple[object, object], CommentedMap | None] = {
        (s.get("title"), s.get("url")): s for s in old_sources or () if isinstance(s, CommentedMap)
    }
    sources = [kept.pop(pair, None) or _source(*pair) for pair in change.sources]
    _set_list(document, "sources", sources)


def _source(title: str, url: str) -> CommentedMap:
    """Return a new source as a mapping (written in block style like the others)."""
    source = CommentedMap()
    source["title"] = title
    source["url"] = url
    return source


def _set_list(
    document: CommentedMap, key: str, values: Sequence[Any], before: str | None = None
) -> None:
    """Make a list field hold `values`, in place so that comments stay where they were.

    A comment below the last item (ruamel keeps it with that item) stays below the last one.
    """
    old = document.get(key)
    if isinstance(old, list) and list(old) == list(values):
        return
    if not isinstance(old, CommentedSeq) or not old:
        fresh = CommentedSeq(values)
        if key not in document and before in document:
            document.insert(list(document).index(before), key, fresh)
        else:
            document[key] = fresh
        return
    tail = old.ca.items.pop(len(old) - 1, None)
    del old[len(values) :]
    for index, value in enumerate(values):
        if index < len(old):
            old[index] = value
        else:
            old.append(value)
    if tail is not None and values:
        old.ca.items[len(values) - 1] = tail


def _round_trip() -> YAML:
    """Return a ruamel.yaml that writes back what it read: comments, order, quotes, width."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml
