"""The local files of the knowledge base: broken entries are reported as file:line: message."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import problems_of

ENTRY = """services:
  - id: {id}
    name: Beratung Musterstadt
    kind: beratung
    topics: {topics}
    coverage: {coverage}
    url: https://example.org
    source: Website der Stelle
    checked: {checked}
"""


def write(root: Path, name: str = "neu.yaml", **fields: str) -> Path:
    values = {"id": "neu", "topics": "[]", "coverage": "{lands: [Hessen]}", "checked": "2026-11-01"}
    path = root / "local" / name
    path.write_text(ENTRY.format(**(values | fields)), encoding="utf-8")
    return path


def test_a_valid_new_entry_loads(broken: Path) -> None:
    from bot.frontends.checks import validate

    write(broken)
    kb = validate(broken)
    assert "neu" in {s.id for s in kb.local.services}


def test_unknown_land_topic_and_bad_date(broken: Path) -> None:
    write(broken, coverage="{lands: [Nordrheinwestfalen]}", topics="[unterhalt-weg]")
    problems = problems_of(broken)
    assert any("neu.yaml:6: services/neu: unknown Land Nordrheinwestfalen" in p for p in problems)
    assert any("neu.yaml:5: services/neu: unknown topic unterhalt-weg" in p for p in problems)


def test_radius_needs_coordinates(broken: Path) -> None:
    write(broken, coverage="{radius_km: 10}")
    assert any("radius_km needs coordinates" in p for p in problems_of(broken))


def test_an_id_twice_and_a_misspelt_key(broken: Path) -> None:
    write(broken, id="vamv-nrw-beratung")
    text = (broken / "local" / "neu.yaml").read_text(encoding="utf-8")
    (broken / "local" / "zwei.yaml").write_text(text.replace("url:", "ulr:"), encoding="utf-8")
    problems = problems_of(broken)
    assert any(
        "vamv.yaml:8: services/vamv-nrw-beratung: id also in neu.yaml" in p for p in problems
    )
    assert any("zwei.yaml" in p and "'ulr' was unexpected" in p for p in problems)


def test_a_place_without_url_or_phone(broken: Path) -> None:
    path = write(broken)
    path.write_text(path.read_text(encoding="utf-8").replace("    url: https://example.org\n", ""))
    assert any("neu.yaml:2: services/neu: needs a url or a phone" in p for p in problems_of(broken))


def test_a_date_that_is_no_date(broken: Path) -> None:
    write(broken, checked="2026-13-01")
    assert any("checked: '2026-13-01' is not a date" in p for p in problems_of(broken))


def test_a_check_in_the_future(broken: Path) -> None:
    write(broken, checked="2999-01-01")
    assert any("checked: 2999-01-01 is in the future" in p for p in problems_of(broken))


def test_offer_under_an_unknown_entry(broken: Path) -> None:
    path = broken / "offices.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("anlaufstellen,", "anlaufstelle,"))
    assert any(
        "offices.yaml:" in p and "no such FAQ entry 'anlaufstelle'" in p
        for p in problems_of(broken)
    )


def test_broken_yaml_names_the_line(broken: Path) -> None:
    (broken / "local" / "kaputt.yaml").write_text("services:\n  - id: [\n", encoding="utf-8")
    assert any("kaputt.yaml:" in p for p in problems_of(broken))
