"""What a message asks: the asking sentences of a long message, and messages that ask nothing."""

from __future__ import annotations

import re

_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
# A sentence that starts like a German question asks, even without a question mark.
_QUESTION_START = re.compile(
    r"^\W*(wie|was|wo|wann|wer|welche\w*|warum|wieso|weshalb|woher|wohin|kann|kann ich|"
    r"könnte|koennte|kann man|darf|dürfen|duerfen|muss|müssen|muessen|soll|sollte|gibt|gibts|"
    r"bekomme|kriege|krieg|steht|habe ich|hab ich|ist das|stimmt|lohnt|brauche|brauch|an wen|"
    r"bis wann|ab wann|wieviel|wie viel)\b",
    re.IGNORECASE,
)


def asking_part(text: str) -> str | None:
    """Return the sentences of a long message that ask (else its last sentence).

    Returns None for a message of one sentence: there the whole message is the question.
    """
    sentences = [s.strip() for s in _SENTENCES.split(text) if s.strip()]
    if len(sentences) < 2:
        return None
    asking = [s for s in sentences if s.endswith("?") or _QUESTION_START.match(s)]
    return " ".join(asking) if asking else sentences[-1]
