from __future__ import annotations

from bot.language.normalize import Normalizer, clean_input, fold, loose, words


def test_fold_unifies_umlauts_case_and_punctuation() -> None:
    assert fold("Ärger über Unterhalt – Straße!") == "arger uber unterhalt strasse"
    assert fold("Ex-Mann") == "exmann"


def test_loose_folds_digraphs_and_repeats() -> None:
    assert loose("tschuess dankeee") == "tschuss danke"
    assert loose("steuer") == "steuer"  # 'ue' after a vowel is no umlaut


def test_stems_unify_spellings() -> None:
    n = Normalizer({}, ["ich", "die"])
    assert n.stems("Mütter") == n.stems("muetter") == n.stems("mutter")
    assert n.stems("ich die") == []


def test_synonyms_replace_longest_phrase_first() -> None:
    n = Normalizer(
        {"steuerklasse 2": ["stkl 2", "stkl"], "elternteil": ["kv", "vater meines kindes"]}, []
    )
    assert n.content_words("stkl 2 beantragen") == ["steuerklasse", "beantragen"]
    assert n.content_words("der vater meines kindes zahlt") == ["der", "elternteil", "zahlt"]


def test_abbreviations_only_in_capitals() -> None:
    n = Normalizer({}, ["ja"], {"jugendamt": ["JA"]})
    assert n.content_words("Was sagt das JA?") == ["was", "sagt", "das", "jugendamt"]
    assert n.content_words("ja klar") == ["klar"]


def test_clean_input_removes_control_characters_and_truncates() -> None:
    assert clean_input("a\x00b\u200bc \n\t d", 100) == "a b c d"
    long = "wort " * 5000
    cleaned = clean_input(long, 2000)
    assert 1950 <= len(cleaned) <= 2000
    assert not cleaned.endswith(" ")


def test_words_of_other_scripts_are_empty() -> None:
    assert words("Привет как дела") == []
    assert words("🙂🙂") == []
