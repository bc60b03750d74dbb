"""The association's own name and links in answers come from config.yaml (review D39)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import AssociationConfig, Config, ConfigError, load_config
from bot.content.knowledge import KnowledgeBase
from bot.dialogue.core import Dialogue
from bot.dialogue.model import State
from bot.events import Event, EventKind
from bot.frontends.plain import render_plain

BERLIN = AssociationConfig(
    name="VAMV Landesverband Berlin",
    website="https://www.vamv-berlin.de",
    counselling_url="https://www.vamv-berlin.de/beratung",
)


def _shown(dialogue: Dialogue, question: str) -> str:
    outcome = dialogue.handle(State(), Event(EventKind.TEXT, question))
    return "\n".join(render_plain(r) for r in outcome.replies)


def test_without_association_the_contact_answer_names_the_federal_vamv(
    dialogue: Dialogue,
) -> None:
    shown = _shown(dialogue, "Kann ich mit einer echten Beraterin sprechen?")
    assert "Über vamv.de finden Sie den Landesverband in Ihrem Bundesland" in shown
    for stale in ("vamv-nrw", "vamv-rlp", "{verband"):
        assert stale not in shown


def test_a_configured_association_is_named_with_its_own_links(kb: KnowledgeBase) -> None:
    dialogue = Dialogue(kb, Config(association=BERLIN))
    shown = _shown(dialogue, "Kann ich mit einer echten Beraterin sprechen?")
    assert (
        "Persönlich weiter hilft Ihnen VAMV Landesverband Berlin: Beratung und Beratungsstellen "
        "finden Sie unter https://www.vamv-berlin.de/beratung." in shown
    )
    events = _shown(dialogue, "Wann findet der nächste Expertenchat statt?")
    assert (
        "Achten Sie auf die Ankündigungen hier im Bot und auf der Website von "
        "VAMV Landesverband Berlin (https://www.vamv-berlin.de)." in events
    )
    assert "vamv-nrw" not in shown + events


def _config(tmp_path: Path, section: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(section, encoding="utf-8")
    return path


def test_the_section_is_read_and_the_counselling_page_defaults_to_the_website(
    tmp_path: Path,
) -> None:
    text = "association:\n  name: VAMV Berlin\n  website: https://www.vamv-berlin.de\n"
    loaded = load_config(_config(tmp_path, text), environ={}).association
    assert loaded == AssociationConfig("VAMV Berlin", "https://www.vamv-berlin.de", None)


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("association:\n  name: X\n  website: http://x.de\n", "must be an https:// address"),
        ("association:\n  website: https://x.de\n", "'association.name' is needed"),
        ("association:\n  name: X\n", "'association.website' is needed"),
        ("association:\n  name: ''\n", "'association.name' must be text"),
        ("verband:\n  name: X\n", "did you mean 'association'?"),
        ("association:\n  webseite: https://x.de\n", "did you mean 'association.website'?"),
    ],
)
def test_a_wrong_association_section_is_refused_with_one_line(
    tmp_path: Path, section: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(_config(tmp_path, section), environ={})
