"""Load YAML while remembering the line of every mapping key, so errors can say `file:line`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Problem:
    """One validation problem, located in a file."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        """Render as `file:line: message`, the format editors and CI understand."""
        return f"{self.path}:{self.line}: {self.message}"


class ProblemsError(Exception):
    """Raised when files contain problems; carries all of them, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        """Keep the problems and summarise them in the message."""
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class LocatedDict(dict[str, Any]):
    """A mapping that knows the 1-based line of itself and of each of its keys."""

    line: int = 1
    key_lines: dict[str, int]

    def line_of(self, key: str | int | None) -> int:
        """Return the line of `key`, or of the mapping itself when the key is absent."""
        if isinstance(key, str) and key in self.key_lines:
            return self.key_lines[key]
        return self.line


class LocatedList(list[Any]):
    """A sequence that knows the 1-based line of each item."""

    line: int = 1
    item_lines: list[int]

    def line_of(self, index: str | int | None) -> int:
        """Return the line of item `index`, or of the list itself."""
        if isinstance(index, int) and 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


class _Loader(yaml.SafeLoader):
    """SafeLoader that builds LocatedDict/LocatedList instead of plain containers."""


# libyaml's parser (in the PyYAML wheel) is ten times faster and its nodes carry the same line
# marks, so it builds the same located containers. Only its error texts differ: a file it
# rejects is parsed again by the pure-Python loader, whose messages editors and tests know.
_FastLoader: type[yaml.SafeLoader | yaml.CSafeLoader] = _Loader
if yaml.__with_libyaml__:

    class _CLoader(yaml.CSafeLoader):
        """CSafeLoader that builds LocatedDict/LocatedList instead of plain containers."""

    _FastLoader = _CLoader


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LocatedDict:
    result = LocatedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    own = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE_TAG)
    loader.flatten_mapping(node)
    # flatten_mapping puts the keys of a `<<: *base` merge first; a key written after them may
    # override them, as YAML says. Only a key written twice by hand is an error.
    merged = len(node.value) - own
    written: dict[str, int] = {}
    for index, (key_node, value_node) in enumerate(node.value):
        key = str(loader.construct_object(key_node, deep=True))
        line = key_node.start_mark.line + 1
        if index >= merged:
            if key in written:
                # PyYAML keeps the last of two equal keys silently: a second `kinderzuschlag:`
                # in synonyms.yaml once threw the first one's variants away.
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key '{key}' (first on line {written[key]})",
                    key_node.start_mark,
                )
            written[key] = line
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LocatedList:
    result = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_date_as_text(loader: _Loader, node: yaml.ScalarNode) -> str:
    # Dates stay ISO strings so JSON Schema (format: date) can check them uniformly.
    return str(loader.construct_scalar(node))


for _loader in {_Loader, _FastLoader}:
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_date_as_text)


def load_yaml(path: Path) -> Any:
    """Parse one YAML file into located containers.

    Args:
        path: The file to read.

    Returns:
        The document, with mappings as LocatedDict and sequences as LocatedList.

    Raises:
        ProblemsError: The file is missing, unreadable or not valid YAML.

    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProblemsError([Problem(path, 1, f"cannot read file: {exc}")]) from exc
    try:
        return yaml.load(text, Loader=_FastLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError:
        pass  # parse again below, for the line and wording of the pure-Python loader
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ProblemsError([Problem(path, line, f"invalid YAML: {exc.problem}")]) from exc
    except yaml.YAMLError as exc:
        raise ProblemsError([Problem(path, 1, f"invalid YAML: {exc}")]) from exc


def line_at(document: Any, path: Iterable[str | int]) -> int:
    """Return the line of the deepest located container along a JSON-Schema-style path."""
    line = getattr(document, "line", 1)
    node = document
    for step in path:
        line_of = getattr(node, "line_of", None)
        if line_of is None:
            break
        line = line_of(step)
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
    return int(line)
