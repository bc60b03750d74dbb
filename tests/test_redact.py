from __future__ import annotations

import pytest

from bot.language.redact import redact


@pytest.mark.parametrize(
    ("text", "label", "secret"),
    [
        ("Ruf mich an: 0171 2345678", "[Telefon]", "2345678"),
        ("meine nummer +49 (30) 123 456 78", "[Telefon]", "456"),
        ("schreib an anna.muster@example.org bitte", "[E-Mail]", "anna"),
        ("IBAN DE89 3704 0044 0532 0130 00", "[IBAN]", "0532"),
        ("Aktenzeichen 12345678", "[Zahl]", "12345678"),
        ("siehe https://example.org/x?y=1", "[Link]", "example"),
    ],
)
def test_redact_replaces_identifiers(text: str, label: str, secret: str) -> None:
    result = redact(text)
    assert label in result
    assert secret not in result


def test_redact_keeps_ordinary_text_and_small_numbers() -> None:
    text = "Mein Kind ist 5 Jahre alt und bekommt 259 Euro Kindergeld seit 2026"
    assert redact(text) == text
