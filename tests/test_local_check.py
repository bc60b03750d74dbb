"""`elternlotse local check`: coverage gaps by district and entries with old facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.content.local import Coverage
from bot.frontends.cli import main
from bot.frontends.localcheck import local_report, report_lines
from bot.geodata.geonames import load_gazetteer
from bot.places.gazetteer import Gazetteer
from bot.places.model import Point
from tests.test_nearby import service

TODAY = date(2026, 12, 7)
SIEGEN = replace(
    service("beratung-siegen", Coverage(radius_km=15), Point(50.8734, 8.0104)),
    checked=date(2025, 6, 1),
    file=Path("knowledge/local/siegen.yaml"),
    line=2,
)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def test_the_shipped_directory_covers_nrw_and_rlp(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["local", "check"]) == 0
    out = capsys.readouterr().out
    assert "Verzeichnis: 3 Stellen, davon 1 bundesweit (1 Beispiel(e) nicht gezählt)" in out
    assert "ohne eigene Stelle: 400 von 400 (davon 89 nur mit einem landesweiten Angebot)" in out
    assert "    08425 Alb-Donau-Kreis" in out
    assert "    05774 Kreis Paderborn" in out
    assert "Unbekannte Kreisschlüssel oder Postleitzahlen: 0" in out


def test_a_radius_closes_a_gap_and_old_facts_are_listed(gazetteer: Gazetteer) -> None:
    hessen = replace(SIEGEN, id="hessen", coverage=Coverage(lands=("Hessen",)), point=None)
    kassel = replace(SIEGEN, id="kassel", coverage=Coverage(districts=("06611", "99999")))
    report = local_report([SIEGEN, hessen, kassel], 0, gazetteer, TODAY)
    gaps = {d.key for d in report.gaps}
    assert "05970" not in gaps  # Kreis Siegen-Wittgenstein: its towns within 15 km
    assert "06611" not in gaps  # Kassel, by its key
    assert "05774" in gaps  # Kreis Paderborn: far away
    assert {d.land for d in report.land_only} == {"Hessen"}  # the Land-wide place closes none
    assert report.unknown == ("siegen.yaml:2 kassel: 99999",)
    lines = report_lines(report)
    assert "  siegen.yaml:2 beratung-siegen (geprüft 01.06.2025)" in lines


def test_a_nationwide_place_closes_no_gap(gazetteer: Gazetteer) -> None:
    everyone = replace(SIEGEN, coverage=Coverage(nationwide=True), point=None)
    report = local_report([everyone], 0, gazetteer, TODAY)
    assert len(report.gaps) == report.districts == 400
    assert report.nationwide == 1
