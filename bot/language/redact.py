"""Remove personal data from text before it may be stored."""

from __future__ import annotations

import re

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[E-Mail]"),
    # IBAN: two letters, two check digits, 11–30 alphanumerics, possibly grouped by spaces.
    (
        re.compile(r"\b[A-Za-z]{2}\d{2}(?:\s?[A-Za-z0-9]{4}){2,7}(?:\s?[A-Za-z0-9]{1,4})?\b"),
        "[IBAN]",
    ),
    (re.compile(r"https?://\S+|www\.\S+"), "[Link]"),
    # Phone numbers: +49 / 0 prefixes with digits, spaces, slashes, dashes, brackets.
    (re.compile(r"(?:\+|\b00|\b0)\d[\d\s/().-]{5,}\d"), "[Telefon]"),
    # Any remaining run of 5+ digits (tax ids, case numbers, customer numbers …).
    (re.compile(r"\d(?:[\s.-]?\d){4,}"), "[Zahl]"),
)


def redact(text: str) -> str:
    """Replace e-mail addresses, IBANs, links, phone numbers and long digit runs with labels.

    Args:
        text: Free text written by a parent.

    Returns:
        The text with personal identifiers replaced by placeholders like "[Telefon]".

    """
    for pattern, label in _RULES:
        text = pattern.sub(label, text)
    return text
