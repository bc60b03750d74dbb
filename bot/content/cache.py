"""Keep the validated knowledge base between runs, so `ask`, `chat` and the bot start fast.

Loading validates 69 YAML files against their schemas and runs the cross-file checks; that is
most of a CLI call's start-up. The result is stored as one file under
`$XDG_CACHE_HOME/elternlotse/` (default `~/.cache/elternlotse/`), never in the knowledge directory,
and reused only while its fingerprint still matches: the cache format, the Python version, the
source of every module of the `bot` package (which defines the loaded types and the checks), the
installed files of the libraries that load and check it (a pip upgrade rewrites them) and every
file of the knowledge directory (path and content hash). The fingerprint is taken again after
loading, and the cache is written only if nothing changed meanwhile (a file saved during the load
must not be stored under the key of its older content). A file that is missing, unreadable,
corrupt or from another version is ignored and rebuilt; a cache directory that cannot be written
only costs the speed. `elternlotse check` never reads the cache: it always validates the source.

Why pickle is safe here: the file is unpickled only when it belongs to the user running the
program and nobody else may write it (checked on the open file), and only after its fingerprint
line matched. The directory is created 0700, but an existing one is not checked: the file check
is what protects. Whoever can write such a file
can already change the user's code or virtualenv, so an HMAC would add no protection.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import os
import pickle
import re
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bot.content.knowledge import KnowledgeBase

logger = logging.getLogger(__name__)

# Raise when the file layout changes; the code hash covers changes of the stored types.
CACHE_FORMAT = 1
_PACKAGE = Path(__file__).resolve().parent.parent


def cache_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """Return the cache directory: `$XDG_CACHE_HOME/elternlotse` or `~/.cache/elternlotse`."""
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "elternlotse"


def _files_digest(paths: list[Path], base: Path) -> bytes:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.relative_to(base).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.digest()


# The libraries whose behaviour decides what loads and what is refused; their installed files'
# times stand for their versions without importing importlib.metadata (~20 ms at every start).
_LIBRARIES = ("yaml", "jsonschema", "rapidfuzz", "Stemmer")


def _libraries_digest() -> bytes:
    digest = hashlib.sha256()
    for name in _LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        stamp = os.stat(origin).st_mtime_ns if origin else 0
        digest.update(f"{name} {origin} {stamp}\0".encode())
    return digest.digest()


def fingerprint(root: Path) -> str:
    """Return what the cached knowledge base of `root` depends on, as one hex digest.

    Raises:
        OSError: A file of the knowledge directory or the package cannot be read.

    """
    digest = hashlib.sha256(f"{CACHE_FORMAT} {sys.version}".encode())
    digest.update(_files_digest(sorted(_PACKAGE.rglob("*.py")), _PACKAGE))
    digest.update(_libraries_digest())
    digest.update(_files_digest(sorted(p for p in root.rglob("*") if p.is_file()), root))
    return digest.hexdigest()


def _cache_file(root: Path, directory: Path) -> Path:
    # One file per knowledge directory: a test copy does not evict the shipped one.
    name = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return directory / f"knowledge-{name}.pickle"


# A pickled pattern is compiled again when it is loaded: for the 600 patterns of the knowledge
# base that is most of a start from the cache. So the cache stores what the `re` module's Python
# part computes from a pattern (its parse and code) and hands that to the C part on loading.
# These are CPython internals; the fingerprint holds the exact Python version, and any failure
# falls back to pickling the pattern as source (writing) or to a rebuild (reading).
_sre: Any = importlib.import_module("_sre")
_re_parser: Any = importlib.import_module("re._parser")
_re_compiler: Any = importlib.import_module("re._compiler")


def _restore_pattern(*parts: Any) -> re.Pattern[str]:
    """Return the compiled pattern from the parts `_Pickler` stored."""
    pattern: re.Pattern[str] = _sre.compile(*parts)
    return pattern


class _Pickler(pickle.Pickler):
    """Pickles compiled patterns with their code, so loading needs no new compilation."""

    def reducer_override(self, obj: Any) -> Any:
        """Store a compiled pattern as the arguments of `_sre.compile` (as `re` builds them)."""
        if not isinstance(obj, re.Pattern):
            return NotImplemented
        try:
            parsed = _re_parser.parse(obj.pattern, obj.flags)
            code = [int(op) for op in _re_compiler._code(parsed, obj.flags)]  # named ints
            groups: dict[str, int] = parsed.state.groupdict
            names: list[str | None] = [None] * parsed.state.groups
            for name, index in groups.items():
                names[index] = name
            parts = (obj.pattern, obj.flags | parsed.state.flags, code, parsed.state.groups - 1)
            if _restore_pattern(*parts, groups, tuple(names)) != obj:
                return NotImplemented
        except Exception:  # the internals changed: pickle it the ordinary way
            return NotImplemented
        return _restore_pattern, (*parts, groups, tuple(names))


def _read(path: Path, key: str) -> KnowledgeBase | None:
    """Return the knowledge base stored under `key`, or None if there is no usable one."""
    try:
        with path.open("rb") as stream:
            status = os.fstat(stream.fileno())
            if status.st_uid != os.getuid() or status.st_mode & 0o022:
                logger.info("knowledge cache %s ignored: not ours or writable by others", path)
                return None
            if stream.readline().rstrip(b"\n") != key.encode():
                return None  # stale: never unpickle what another version wrote
            kb = pickle.load(stream)  # noqa: S301 - our own file, see the module docstring
    except FileNotFoundError:
        return None
    except Exception:  # any damage means: rebuild
        logger.info("knowledge cache %s unusable; rebuilding it", path, exc_info=True)
        return None
    return kb if isinstance(kb, KnowledgeBase) else None


def _write(path: Path, key: str, kb: KnowledgeBase) -> None:
    """Store `kb` under `key` atomically (a reader sees the old file or the new, never half)."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".knowledge-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(key.encode() + b"\n")
                _Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL).dump(kb)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        logger.info("knowledge cache %s not written; starting without it", path, exc_info=True)


def cached_knowledge(
    root: Path, load: Callable[[Path], KnowledgeBase], directory: Path | None = None
) -> KnowledgeBase:
    """Return the validated knowledge base of `root`, from the cache when it is current.

    Args:
        root: The knowledge directory.
        load: Loads and validates from source (`bot.frontends.checks.validate`); called on a miss.
        directory: The cache directory (default: `cache_dir()`).

    Returns:
        The knowledge base, equal to what `load(root)` returns.

    Raises:
        ProblemsError: From `load`, when the knowledge base is invalid (nothing is cached then).

    """
    try:
        key = fingerprint(root)
        path = _cache_file(root, directory or cache_dir())
    except (OSError, RuntimeError):  # an unreadable file (the loader names it), or no home
        return load(root)
    kb = _read(path, key)
    if kb is None:
        kb = load(root)
        if _unchanged(root, key):
            _write(path, key, kb)
    return kb


def _unchanged(root: Path, key: str) -> bool:
    """Tell whether the fingerprint taken before loading still holds after it."""
    try:
        return fingerprint(root) == key
    except (OSError, RuntimeError):
        return False
