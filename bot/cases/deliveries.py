"""What the hand-over sends to the counsellors' group through the outbox, as typed values.

The outbox stores payloads as JSON; a delivery names its case (not its topic), so a topic that
was recreated meanwhile is found at sending time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from bot.events import MessageRef

GROUP_QUEUE = "counsellors"


class DeliveryKind(Enum):
    """What to do in the case's topic."""

    CONTEXT = "context"  # create the topic (if it has none) and post the case's context
    POST = "post"  # post a text from the bot
    COPY = "copy"  # copy the parent's message
    CLOSE = "close"  # close the topic, after the lines written before it (its closing line)


@dataclass(frozen=True)
class GroupDelivery:
    """One thing to send into a case's topic.

    Attributes:
        case: The case number.
        kind: What to send.
        text: The text of a POST.
        message: The parent's message of a COPY.
        first_name: The first name for the CONTEXT, only with the parent's consent.
        language: The parent's language for the CONTEXT.
        receipt: Tell the parent once the POST arrived, or honestly that it could not (their
            rating comment: „angekommen" only after it did).
        reopen: Written after the case ended (rating, comment): its topic is closed, so it is
            reopened first and closed again after, without a refused try (each request counts
            against Telegram's 20 per minute into the group).

    """

    case: int
    kind: DeliveryKind
    text: str | None = None
    message: MessageRef | None = None
    first_name: str | None = None
    language: str | None = None
    receipt: bool = False
    reopen: bool = False

    def to_payload(self) -> dict[str, Any]:
        """Return the JSON-compatible payload."""
        payload: dict[str, Any] = {"case": self.case, "kind": self.kind.value}
        if self.text is not None:
            payload["text"] = self.text
        if self.message is not None:
            payload["chat"] = self.message.chat_id
            payload["message"] = self.message.message_id
        if self.first_name is not None:
            payload["first_name"] = self.first_name
        if self.language is not None:
            payload["language"] = self.language
        if self.receipt:
            payload["receipt"] = True
        if self.reopen:
            payload["reopen"] = True
        return payload

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> GroupDelivery:
        """Read a payload written by `to_payload`."""
        message = None
        if "message" in payload:
            message = MessageRef(int(payload["chat"]), int(payload["message"]))
        return cls(
            case=int(payload["case"]),
            kind=DeliveryKind(payload["kind"]),
            text=payload.get("text"),
            message=message,
            first_name=payload.get("first_name"),
            language=payload.get("language"),
            receipt=bool(payload.get("receipt", False)),
            reopen=bool(payload.get("reopen", False)),
        )
