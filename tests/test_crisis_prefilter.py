"""The crisis guard's shortcuts skip only patterns that could not have matched."""

from __future__ import annotations

import re

import pytest

from bot.dialogue.core import Dialogue
from bot.language.crisis import _heads, _is_local, _Window


@pytest.mark.parametrize(
    ("source", "local"),
    [
        (r"\bfoo\b.{0,20}\bbar", True),
        (r"[^a$]b\$\^", True),
        (r"a+?\++", True),
        (r"keinen sinn mehr\s*$", False),
        (r"^ich", False),
        (r"\Aich|ich\Z", False),
        (r"(?<!nicht )aus versehen", False),
        (r"nicht( mehr)?(?! auf)", False),
        (r"(?>a.{0,5})b", False),
        (r"a*+b", False),
    ],
)
def test_local_patterns_are_recognised(source: str, local: bool) -> None:
    assert _is_local(re.compile(source)) is local


def test_cue_index_keeps_the_patterns_the_heads_allow(dialogue: Dialogue) -> None:
    guard = dialogue.crisis
    text = "Mein Kind hat die ganze Packung Tabletten geschluckt, er bringt mich um"
    window = _Window(guard.variants(text), guard)
    starts = window._any_start
    for cue_id in dialogue.kb.crisis.cues:
        expected = [
            (pattern, heads)
            for pattern, heads in guard.cue_patterns(cue_id)
            if heads is None or not heads.isdisjoint(starts)
        ]
        assert window.candidates(cue_id) == expected
    assert all(_heads(p) == h for c in dialogue.kb.crisis.cues for p, h in guard.cue_patterns(c))


def test_the_shortcuts_change_no_verdict(
    dialogue: Dialogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Against a guard that tries every pattern everywhere, on every text of the test sets."""
    from bot.frontends.evaluation import load_labelled
    from bot.language import crisis
    from tests.conftest import ROOT

    texts = [
        q.text
        for path in sorted((ROOT / "tests" / "data").glob("*.yaml"))
        if path.name.startswith(("crisis_", "eval", "matcher_"))
        for q in load_labelled(path)
    ]
    fast = [dialogue.crisis.assess(t) for t in texts]
    known = dialogue.crisis._known  # the same everyday words the shipped guard never corrects
    monkeypatch.setattr(crisis, "_heads", lambda pattern: None)
    monkeypatch.setattr(crisis, "_is_local", lambda pattern: False)
    reference = crisis.CrisisGuard(dialogue.kb.crisis, known_words=known)
    slow = [reference.assess(t) for t in texts]
    assert [(a.level, a.rule, a.cues) for a in fast] == [(a.level, a.rule, a.cues) for a in slow]
