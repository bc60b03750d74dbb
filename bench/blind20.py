"""Place mentions on a blind set: is the parent's place found, and is nothing found where none is.

Run by hand: `python bench/blind20.py FILE` with a YAML file of `items: [{text, expect_place,
note}]` (`expect_place`: a postcode, a town, „Kreis X", or null). A found place counts as right
when it lies in the same Kreis or kreisfreie Stadt as the expected one (what the answer names).
Prints the figures for free text (a message as she writes it) and for the answer to „Für welchen
Ort …?" (the same text after the bot asked).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from bot.config import Config
from bot.dialogue.core import Dialogue
from bot.dialogue.model import State
from bot.frontends.places import load_places
from bot.frontends.startup import load_setup
from bot.places.gazetteer import Gazetteer
from bot.places.model import Place


def expected(gazetteer: Gazetteer, name: str) -> Place | None:
    """Resolve the expected place the way a person would mean it."""
    return gazetteer.postcode(name) or gazetteer.named(name)


def same(found: Place | None, wanted: Place | None) -> bool:
    """Tell whether two places lie in a common district."""
    if found is None or wanted is None:
        return False
    return bool({d.key for d in found.districts} & {d.key for d in wanted.districts})


def main(path: str) -> None:
    """Score the file and print the figures."""
    gazetteer = load_places()
    assert gazetteer is not None
    dialogue = Dialogue(load_setup().kb, Config(), places=gazetteer)
    items = yaml.safe_load(Path(path).read_text(encoding="utf-8"))["items"]
    free = {"hit": 0, "wrong": 0, "miss": 0, "false": 0, "quiet": 0}
    asked = dict.fromkeys(free, 0)
    for item in items:
        text, want = item["text"], item["expect_place"]
        target = expected(gazetteer, str(want)) if want else None
        mentioned = dialogue.local.mentioned(text)
        reply = dialogue.local.text(State(awaiting_place="-"), text)
        answered = reply.place if reply is not None else None
        for tally, found in ((free, mentioned), (asked, answered)):
            if want is None:
                tally["quiet" if found is None else "false"] += 1
            elif found is None:
                tally["miss"] += 1
            else:
                tally["hit" if same(found, target) else "wrong"] += 1
        if want and not same(mentioned, target):
            got = mentioned.label() if mentioned else "—"
            print(f"  free: want {want!s:18} got {got:24} {text[:70]}")
        if not want and mentioned is not None:
            print(f"  free: want none               got {mentioned.label():24} {text[:70]}")
    for name, tally in (("free text", free), ("after „Für welchen Ort …?“", asked)):
        places = tally["hit"] + tally["wrong"] + tally["miss"]
        none = tally["false"] + tally["quiet"]
        print(
            f"{name}: right place {tally['hit']}/{places}, wrong place {tally['wrong']}, "
            f"not found {tally['miss']}; place found where none is {tally['false']}/{none}"
        )


if __name__ == "__main__":
    main(sys.argv[1])
