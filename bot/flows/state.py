"""Where a parent is in a flow: a small, serialisable value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FlowState:
    """Where a parent is in a flow: the node, the answers so far and the way back."""

    flow: str
    node: str
    answers: Mapping[str, Any] = field(default_factory=dict)
    history: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    errors: int = 0  # invalid inputs in a row at the current step
    pending: Mapping[str, Any] | None = None  # a reading of this step awaiting confirmation

    def to_dict(self) -> dict[str, Any]:
        """Serialise (JSON-compatible)."""
        return {
            "flow": self.flow,
            "node": self.node,
            "answers": dict(self.answers),
            "history": [[n, dict(a)] for n, a in self.history],
            "errors": self.errors,
            "pending": dict(self.pending) if self.pending is not None else None,
        }

    @classmethod
    def from_dict(cls, raw: object) -> FlowState | None:
        """Restore; anything malformed gives None (the parent simply starts again)."""
        if not isinstance(raw, dict):
            return None
        flow, node, answers, history = (
            raw.get("flow"),
            raw.get("node"),
            raw.get("answers"),
            raw.get("history", []),
        )
        if not (isinstance(flow, str) and isinstance(node, str) and isinstance(answers, dict)):
            return None
        if not isinstance(history, list) or not all(
            isinstance(h, list) and len(h) == 2 and isinstance(h[0], str) and isinstance(h[1], dict)
            for h in history
        ):
            return None
        errors = raw.get("errors", 0)
        errors = errors if isinstance(errors, int) and not isinstance(errors, bool) else 0
        pending = raw.get("pending")
        return cls(
            flow,
            node,
            answers,
            tuple((h[0], h[1]) for h in history),
            max(errors, 0),
            pending if isinstance(pending, dict) else None,
        )
