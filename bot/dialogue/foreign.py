"""The line in her own language above a German reply to a message in another language. Pure."""

from __future__ import annotations

from dataclasses import replace

from bot.datafiles.texts import Texts
from bot.dialogue.model import Outcome, OutcomeKind, Reply
from bot.dialogue.views import Views
from bot.language.languages import Detected


class ForeignLines:
    """Puts one line in the parent's language before the German reply (issue 19).

    The bot answers in German only so far; the line says so, says what helps (a translation app, a
    counsellor where there are some here, the counselling places where not) and, above the fallback
    and the hotlines, that the Hilfetelefon „Gewalt gegen Frauen“ advises in 18 languages.
    """

    def __init__(self, texts: Texts, views: Views) -> None:
        """Keep the wordings and the views (which know whether counsellors answer here)."""
        self._texts = texts
        self._views = views

    def wrap(self, outcome: Outcome, detected: Detected | None) -> Outcome:
        """Return the outcome with the line in her language; unchanged for German.

        A crisis keeps its hotlines first, the line follows them. A fallback starts with the line
        in the same message. Anything else gets the line as a message of its own before it,
        with the button to a person the line speaks of.
        """
        if detected is None:
            return outcome
        code = detected.line.value
        replies = outcome.replies
        if outcome.kind is OutcomeKind.CRISIS:
            line = f"{self._t('other_language', code)} {self._t('other_language_violence', code)}"
            replies = (*replies[:1], Reply(line), *replies[1:])
        elif outcome.kind is OutcomeKind.FALLBACK and replies:
            parts = ("other_language_none", "other_language_violence")
            line = " ".join(self._t(key, code) for key in parts)
            first = replies[0]
            person = self._views.service_rows()[:1]
            buttons = first.buttons if person[0] in first.buttons else (*person, *first.buttons)
            text = f"{line} {self._counsel(code)}\n\n{first.text}"
            replies = (replace(first, text=text, buttons=buttons), *replies[1:])
        else:
            line = f"{self._t('other_language', code)} {self._counsel(code)}"
            replies = (Reply(line, buttons=self._views.service_rows()[:1]), *replies)
        return replace(outcome, replies=replies, language=detected.code)

    def _counsel(self, code: str) -> str:
        """Return the sentence about a person to talk to that is true here, naming the button."""
        counselling = self._views.counselling
        key = "other_language_counsel" if counselling else "other_language_elsewhere"
        label = self._texts("button_handoff" if counselling else "button_find_counselling")
        return self._t(key, code, button=label)

    def _t(self, key: str, code: str, **fields: object) -> str:
        return self._texts(f"{key}_{code}", **fields)
