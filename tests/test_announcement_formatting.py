"""Formatting in staff announcements (newcomer D38): what is read, refused, shown and sent."""

from __future__ import annotations

import pytest

from bot.announcements import views
from bot.announcements.formatting import (
    FormatError,
    FormatProblem,
    Formatted,
    LinkButton,
    read_announcement,
)
from bot.content.knowledge import KnowledgeBase
from bot.dialogue.model import Reply, Styled
from handlers.render import keyboard, render
from tests.test_announcements import an_event


def read(text: str) -> Formatted:
    formatted = read_announcement(text)
    assert isinstance(formatted, Formatted), formatted
    return formatted


def test_bold_italic_and_links_become_styled_stretches() -> None:
    formatted = read(
        'Frohe <b>Feiertage <i>und</i></b> <a href="https://vamv.de/x?a=1&b=2">hier</a>'
    )
    assert formatted.parts == (
        Styled("Frohe "),
        Styled("Feiertage ", bold=True),
        Styled("und", bold=True, italic=True),
        Styled(" "),
        Styled("hier", url="https://vamv.de/x?a=1&b=2"),
    )
    assert formatted.plain == "Frohe Feiertage und hier"
    assert formatted.button is None


def test_a_less_than_or_ampersand_that_starts_no_tag_is_plain_text() -> None:
    assert read("Kinder < 6 Jahre & Eltern <3").plain == "Kinder < 6 Jahre & Eltern <3"


def test_the_button_line_becomes_a_link_button_and_leaves_the_text() -> None:
    formatted = read("Unser Programm 2027.\nKnopf: Programm ansehen | https://www.vamv.de/p\n")
    assert formatted.plain == "Unser Programm 2027."
    assert formatted.button == LinkButton("Programm ansehen", "https://www.vamv.de/p")


@pytest.mark.parametrize(
    ("typed", "problem", "fields"),
    [
        ("Hallo <u>Welt</u>", FormatProblem.UNKNOWN_TAG, {"tag": "<u>"}),
        ('<b class="x">Hallo</b>', FormatProblem.UNKNOWN_TAG, {"tag": '<b class="x">'}),
        ("<script>alert(1)</script>", FormatProblem.UNKNOWN_TAG, {"tag": "<script>"}),
        ("Hallo <b>Welt", FormatProblem.NOT_CLOSED, {"tag": "<b>", "end": "</b>"}),
        ("Hallo</i> Welt", FormatProblem.NOT_OPENED, {"tag": "</i>"}),
        ("<b><i>Hallo</b></i>", FormatProblem.NOT_OPENED, {"tag": "</b>"}),
        (
            '<a href="http://vamv.de">x</a>',
            FormatProblem.LINK,
            {"tag": '<a href="http://vamv.de">'},
        ),
        (
            '<a href="javascript:alert(1)">x</a>',
            FormatProblem.LINK,
            {"tag": '<a href="javascript:alert(1)">'},
        ),
        ("<a>x</a>", FormatProblem.LINK, {"tag": "<a>"}),
        (
            '<a href="https://a.de"><a href="https://b.de">x</a></a>',
            FormatProblem.LINK,
            {"tag": '<a href="https://b.de">'},
        ),
        ("Hallo\nKnopf: Programm", FormatProblem.BUTTON, {}),
        ("Hallo\nKnopf: Programm | http://vamv.de", FormatProblem.BUTTON, {}),
        ("Hallo\nKnopf: | https://vamv.de", FormatProblem.BUTTON, {}),
        ("Hallo\nKnopf: " + "x" * 41 + " | https://vamv.de", FormatProblem.BUTTON, {}),
        ("Knopf: a | https://a.de\nKnopf: b | https://b.de", FormatProblem.BUTTON, {}),
    ],
)
def test_what_telegram_would_not_show_as_meant_is_refused(
    typed: str, problem: FormatProblem, fields: dict[str, str]
) -> None:
    assert read_announcement(typed) == FormatError(problem, fields)


def test_every_refusal_has_its_line_for_staff(kb: KnowledgeBase) -> None:
    for problem in FormatProblem:
        assert kb.staff_texts(problem.value, tag="<u>", end="</u>")


def test_the_preview_and_every_copy_carry_the_styles_and_the_button(kb: KnowledgeBase) -> None:
    typed = "Frohe Feiertage! <b>Ihr VAMV</b> & Team\nKnopf: Programm | https://www.vamv.de/p"
    reply = views.announcement(kb.texts, typed, None)
    assert reply.text == "Frohe Feiertage! Ihr VAMV & Team"
    (message,) = render(reply)
    assert message.text == "Frohe Feiertage! <b>Ihr VAMV</b> &amp; Team"
    markup = keyboard(reply)
    assert markup is not None
    link, unsubscribe = (row[0] for row in markup.inline_keyboard)
    assert (link.text, link.url, link.callback_data) == ("Programm", "https://www.vamv.de/p", None)
    assert unsubscribe.text == kb.texts("button_unsubscribe")


def test_a_link_address_is_escaped_in_the_html() -> None:
    reply = Reply("x", styled=(Styled("x", url="https://a.de/?q=1&r=<2>"),))
    assert render(reply)[0].text == '<a href="https://a.de/?q=1&amp;r=&lt;2&gt;">x</a>'


def test_an_event_card_is_not_read_for_formatting(kb: KnowledgeBase) -> None:
    card = "📣 Neuer Termin: <b>nicht fett</b>"
    reply = views.announcement(kb.texts, card, an_event())
    assert reply.styled == ()
    assert render(reply)[0].text == "📣 Neuer Termin: &lt;b&gt;nicht fett&lt;/b&gt;"
