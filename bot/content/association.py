"""The association's own name and links as placeholders of answers (config `association:`).

An answer names the association that runs this bot through `{verband_beratung}` (where a parent
finds a person to talk to) and `{verband_website}` (where events are announced), so another
association changes `config.yaml`, not the knowledge base (review D39).
"""

from __future__ import annotations

from bot.config import AssociationConfig
from bot.datafiles.texts import Texts

# The placeholder names and, per name, the text keys used with and without a configured association.
PLACEHOLDERS: dict[str, tuple[str, str]] = {
    "verband_beratung": ("association_counselling", "association_counselling_default"),
    "verband_website": ("association_website", "association_website_default"),
}


def association_values(association: AssociationConfig, texts: Texts) -> dict[str, str]:
    """Return the text of each association placeholder for this configuration.

    Args:
        association: The configured association; its name left out means none is configured.
        texts: The knowledge base's texts, which hold the sentences.

    Returns:
        Placeholder name → the sentence or phrase to put in its place.

    """
    if association.name is None:
        return {name: texts(default) for name, (_, default) in PLACEHOLDERS.items()}
    name = association.name
    website = association.website or association.counselling_url or ""
    links = {
        "verband_beratung": association.counselling_url or website,
        "verband_website": website,
    }
    return {
        key: texts(configured, name=name, url=links[key])
        for key, (configured, _) in PLACEHOLDERS.items()
    }
