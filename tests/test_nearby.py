"""The association's places for her place: narrowest fit first, then nearest, at most five."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.content.local import Coverage, LocalService, ServiceKind
from bot.dialogue.nearby import Directory, Fit, Nearby
from bot.places.model import District, DistrictKind, Found, Place, Point

NRW = "Nordrhein-Westfalen"
PADERBORN = District("05774", "Kreis Paderborn", DistrictKind.COUNTY, NRW)
# She gave 33098 Paderborn.
HER = Place("Paderborn", "33098", NRW, (PADERBORN,), Point(51.7136, 8.7554), Found.POSTCODE)
# Points near and farther from her.
CENTRE = Point(51.7190, 8.7570)  # about 0.6 km
SCHLOSS_NEUHAUS = Point(51.7500, 8.7000)  # about 5.5 km
BIELEFELD = Point(52.0302, 8.5325)  # about 38 km


def service(
    ident: str,
    coverage: Coverage,
    point: Point | None = None,
    topics: tuple[str, ...] = (),
) -> LocalService:
    """Return a directory entry with the given coverage, point and topics; the rest is filler."""
    return LocalService(
        id=ident,
        name=f"Stelle {ident}",
        kind=ServiceKind.ADVICE,
        topics=topics,
        coverage=coverage,
        url=None,
        phone=None,
        address=None,
        point=point,
        hours=None,
        languages=("de",),
        accessibility=None,
        source="https://example.org",
        checked=date(2025, 1, 1),
        file=Path("knowledge/local/test.yaml"),
        line=1,
    )


def ids(found: list[Nearby]) -> list[str]:
    """Return the ids of the places found, in order."""
    return [n.service.id for n in found]


NEAR = service("near", Coverage(radius_km=10.0), SCHLOSS_NEUHAUS)
POSTCODE = service("postcode", Coverage(postcodes=("33098", "33100")))
DISTRICT = service("district", Coverage(districts=("05774",)))
LAND = service("land", Coverage(lands=(NRW,)))
EVERYONE = service("everyone", Coverage(nationwide=True))


def test_each_fit_in_its_order() -> None:
    directory = Directory([EVERYONE, LAND, DISTRICT, POSTCODE, NEAR])
    found = directory.near(HER)
    assert ids(found) == ["near", "postcode", "district", "land", "everyone"]
    assert [n.fit for n in found] == [
        Fit.NEAR,
        Fit.POSTCODE,
        Fit.DISTRICT,
        Fit.LAND,
        Fit.NATIONWIDE,
    ]


def test_the_radius_place_has_its_distance() -> None:
    found = Directory([EVERYONE, NEAR]).near(HER)
    assert found[0].service.id == "near"
    assert found[0].km is not None
    assert 4.0 <= found[0].km <= 7.0
    assert found[1].km is None  # no coordinates, no distance


def test_the_nearer_of_two_radius_places_comes_first() -> None:
    centre = service("centre", Coverage(radius_km=10.0), CENTRE)
    found = Directory([NEAR, centre]).near(HER)
    assert ids(found) == ["centre", "near"]
    km = [n.km for n in found]
    assert km[0] is not None
    assert km[1] is not None
    assert km[0] < 1.0 < km[1]


def test_a_place_outside_its_radius_is_not_listed() -> None:
    far = service("bielefeld", Coverage(radius_km=20.0), BIELEFELD)
    assert Directory([far]).near(HER) == []
    assert ids(Directory([far, EVERYONE]).near(HER)) == ["everyone"]


def test_a_place_outside_its_radius_still_fits_by_its_coverage() -> None:
    far = service("bielefeld", Coverage(radius_km=20.0, lands=(NRW,)), BIELEFELD)
    found = Directory([far]).near(HER)
    assert [(n.service.id, n.fit) for n in found] == [("bielefeld", Fit.LAND)]
    assert found[0].km is not None
    assert 30.0 <= found[0].km <= 45.0


def test_places_for_other_regions_are_not_listed() -> None:
    others = [
        service("other-postcode", Coverage(postcodes=("57072",))),
        service("other-district", Coverage(districts=("05970",))),
        service("other-land", Coverage(lands=("Bayern",))),
    ]
    assert Directory(others).near(HER) == []


def test_at_most_five() -> None:
    many = [service(f"everyone-{i}", Coverage(nationwide=True)) for i in range(8)]
    assert len(Directory([*many, NEAR]).near(HER)) == 5
    assert ids(Directory([*many, NEAR]).near(HER))[0] == "near"
    assert len(Directory(many).near(HER, most=3)) == 3


def test_a_place_that_names_her_topic_comes_first() -> None:
    other = service("other", Coverage(districts=("05774",)), topics=("umgang",))
    hers = service("hers", Coverage(districts=("05774",)), topics=("unterhalt",))
    found = Directory([other, hers]).near(HER, topic="unterhalt")
    assert ids(found) == ["hers", "other"]
    assert [n.topic for n in found] == [True, False]


def test_a_place_for_every_topic_counts_as_naming_hers() -> None:
    other = service("other", Coverage(nationwide=True), topics=("umgang",))
    every = service("every", Coverage(nationwide=True))
    found = Directory([other, every]).near(HER, topic="unterhalt")
    assert ids(found) == ["every", "other"]


def test_the_topic_does_not_beat_a_narrower_fit() -> None:
    hers = service("hers", Coverage(nationwide=True), topics=("unterhalt",))
    other = service("other", Coverage(districts=("05774",)), topics=("umgang",))
    assert ids(Directory([hers, other]).near(HER, topic="unterhalt")) == ["other", "hers"]


def test_a_district_of_two_counts() -> None:
    cottbus = District("12052", "Cottbus", DistrictKind.CITY, "Brandenburg")
    spree = District("12071", "Landkreis Spree-Neiße", DistrictKind.COUNTY, "Brandenburg")
    place = Place(
        "Haasow", "03058", "Brandenburg", (spree, cottbus), Point(51.7, 14.4), Found.POSTCODE
    )
    entry = service("cottbus", Coverage(districts=("12052",)))
    assert [n.fit for n in Directory([entry]).near(place)] == [Fit.DISTRICT]


@pytest.mark.parametrize("topic", [None, "unterhalt"])
def test_an_empty_directory(topic: str | None) -> None:
    assert Directory([]).near(HER, topic) == []


def test_a_directory_without_coordinates() -> None:
    assert Directory([DISTRICT]).distances(HER) == {}
    assert ids(Directory([DISTRICT]).near(HER)) == ["district"]
