"""The 98 municipalities, their classes, and name, region and size-class normalisation."""

from __future__ import annotations

from collections import Counter

import pytest

from kvali.municipalities import (
    MUNICIPALITIES,
    REGIONS,
    SIZE_CLASSES,
    match_municipality,
    municipality_by_name,
    normalise_region,
    normalise_size_class,
    size_class_for,
)


def test_there_are_98_municipalities_with_unique_names_and_codes() -> None:
    assert len(MUNICIPALITIES) == 98
    assert len({m.name for m in MUNICIPALITIES}) == 98
    assert len({m.code for m in MUNICIPALITIES}) == 98


@pytest.mark.parametrize(
    ("code", "name"),
    [
        (101, "København"),
        (147, "Frederiksberg"),
        (751, "Aarhus"),
        (851, "Aalborg"),
        (461, "Odense"),
        (400, "Bornholm"),
        (169, "Høje-Taastrup"),
        (480, "Nordfyns"),
        (820, "Vesthimmerlands"),
    ],
)
def test_codes_are_danmarks_statistik_kommunekoder(code: int, name: str) -> None:
    assert municipality_by_name(name).code == code


def test_region_counts_match_the_five_regions() -> None:
    counts = Counter(m.region for m in MUNICIPALITIES)
    assert set(counts) == set(REGIONS)
    assert [counts[region] for region in REGIONS] == [29, 17, 22, 19, 11]


def test_size_classes_split_58_33_7_with_the_seven_large_cities() -> None:
    counts = Counter(m.size_class for m in MUNICIPALITIES)
    assert [counts[size] for size in SIZE_CLASSES] == [58, 33, 7]
    large = {m.name for m in MUNICIPALITIES if m.size_class == "stor"}
    assert large == {
        "København",
        "Aarhus",
        "Aalborg",
        "Odense",
        "Vejle",
        "Esbjerg",
        "Frederiksberg",
    }


def test_size_class_is_derived_from_population_at_the_report_thresholds() -> None:
    assert [size_class_for(n) for n in (49_999, 50_000, 99_999, 100_000)] == [
        "lille",
        "mellemstor",
        "mellemstor",
        "stor",
    ]
    assert all(m.size_class == size_class_for(m.population) for m in MUNICIPALITIES)
    assert all(m.population % 1000 == 0 and m.population > 0 for m in MUNICIPALITIES)


@pytest.mark.parametrize(
    ("name", "size_class"),
    [
        ("Høje-Taastrup", "mellemstor"),
        ("Greve", "mellemstor"),
        ("Fredericia", "mellemstor"),
        ("Faaborg-Midtfyn", "mellemstor"),
        ("Varde", "mellemstor"),
        ("Randers", "mellemstor"),
        ("Viborg", "mellemstor"),
        ("Kolding", "mellemstor"),
        ("Horsens", "mellemstor"),
        ("Silkeborg", "mellemstor"),
        ("Ballerup", "lille"),
        ("Kalundborg", "lille"),
        ("Favrskov", "lille"),
    ],
)
def test_borderline_municipalities_fall_in_the_report_class(name: str, size_class: str) -> None:
    assert municipality_by_name(name).size_class == size_class


def test_municipality_by_name_is_exact_and_raises_key_error_otherwise() -> None:
    assert municipality_by_name("Lyngby-Taarbæk").code == 173
    with pytest.raises(KeyError):
        municipality_by_name("københavn")
    with pytest.raises(KeyError):
        municipality_by_name("Region Midtjylland")


def test_every_official_name_matches_itself_exactly() -> None:
    for municipality in MUNICIPALITIES:
        match = match_municipality(municipality.name)
        assert match is not None
        assert (match.municipality, match.score, match.method) == (municipality, 100.0, "exact")


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Åbenrå", "Aabenraa"),
        ("Århus", "Aarhus"),
        ("Arhus", "Aarhus"),
        ("Ålborg", "Aalborg"),
        ("  aalborg  ", "Aalborg"),
        ("Høje Taastrup", "Høje-Taastrup"),
        ("Hoeje-Taastrup Kommune", "Høje-Taastrup"),
        ("Lyngby Taarbæk", "Lyngby-Taarbæk"),
        ("Lyngby-Tårbæk", "Lyngby-Taarbæk"),
        ("Ringkøbing Skjern", "Ringkøbing-Skjern"),
        ("FAABORG MIDTFYN", "Faaborg-Midtfyn"),
        ("Ikast Brande kommune", "Ikast-Brande"),
        ("Gentofte Kommune", "Gentofte"),
        ("Haderslev Kommune", "Haderslev"),
        ("Holstebro kom.", "Holstebro"),
        ("Kommune: Odense", "Odense"),
        ("Aarhus (Midtjylland)", "Aarhus"),
        ("København K", "København"),
        ("Kobenhavn", "København"),
        ("Ærø Kommune", "Ærø"),
        ("Aero", "Ærø"),
        ("Nordfyns Kommune", "Nordfyns"),
    ],
)
def test_folding_finds_spelling_variants(raw: str, name: str) -> None:
    match = match_municipality(raw)
    assert match is not None
    assert match.municipality.name == name
    assert match.method in {"exact", "alias"}
    assert match.score == 100.0


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Kbh.", "København"),
        ("Kbh", "København"),
        ("Københavns Kommune", "København"),
        ("Cph", "København"),
        ("Copenhagen", "København"),
        ("Frb.", "Frederiksberg"),
        ("Bornholms Regionskommune", "Bornholm"),
        ("Brønderslev-Dronninglund", "Brønderslev"),
        ("Nordfyn", "Nordfyns"),
        ("Vesthimmerland", "Vesthimmerlands"),
        ("Lyngby", "Lyngby-Taarbæk"),
        ("Kgs. Lyngby", "Lyngby-Taarbæk"),
        ("Odenses Kommune", "Odense"),
    ],
)
def test_known_aliases_match(raw: str, name: str) -> None:
    match = match_municipality(raw)
    assert match is not None
    assert (match.municipality.name, match.method) == (name, "alias")


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Frederikshvn", "Frederikshavn"),
        ("Silkebrog", "Silkeborg"),
        ("Haderslv Kommune", "Haderslev"),
        ("Holbek", "Holbæk"),
        ("Holstebr", "Holstebro"),
        ("Ringstedt", "Ringsted"),
        ("Ringkjøbing", "Ringkøbing-Skjern"),
    ],
)
def test_typos_match_fuzzily_below_full_score(raw: str, name: str) -> None:
    match = match_municipality(raw)
    assert match is not None
    assert (match.municipality.name, match.method) == (name, "fuzzy")
    assert 85.0 <= match.score < 100.0


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "Region Midtjylland",
        "region hovedstaden",
        "Andet",
        "Ved ikke",
        "Vejle Amt",
        "Københavns Amt",
        "Sverige",
        "xyz",
        "Fan",
        "Frederiks",
        "Danmark",
        "Aalborg og Aarhus",
        "Vi er en mellemstor kommune i Jylland",
    ],
)
def test_unconfident_input_gives_none(raw: str) -> None:
    assert match_municipality(raw) is None


def test_deletion_and_transposition_typos_never_match_another_municipality() -> None:
    for municipality in MUNICIPALITIES:
        name = municipality.name
        for i in range(len(name)):
            deleted = name[:i] + name[i + 1 :]
            swapped = name[:i] + name[i + 1 : i + 2] + name[i] + name[i + 2 :]
            for typo in (deleted, swapped):
                match = match_municipality(typo)
                assert match is None or match.municipality == municipality, typo


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Holbæck", "Holbæk"),
        ("Holsteboro", "Holstebro"),
        ("Ringsteed", "Ringsted"),
        ("Ringkøping", "Ringkøbing-Skjern"),
        ("Sønderbor", "Sønderborg"),
        ("Skanderbor", "Skanderborg"),
        ("Holbro", None),
        ("Ringstebing", None),
        ("Holbæk-Holstebro", None),
    ],
)
def test_confusable_names_are_never_swapped(raw: str, name: str | None) -> None:
    match = match_municipality(raw)
    assert (match.municipality.name if match else None) == name


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("Nordjylland", "Region Nordjylland"),
        ("region nordjylland", "Region Nordjylland"),
        ("Nord", "Region Nordjylland"),
        ("Region H", "Region Hovedstaden"),
        ("Hovedstaden", "Region Hovedstaden"),
        ("REGION SJÆLLAND", "Region Sjælland"),
        ("Sjaelland", "Region Sjælland"),
        ("Syddanmark", "Region Syddanmark"),
        ("Region Midt", "Region Midtjylland"),
    ],
)
def test_normalise_region(raw: str, region: str) -> None:
    assert normalise_region(raw) == region


def test_normalise_region_keeps_canonical_names_and_rejects_others() -> None:
    assert [normalise_region(region) for region in REGIONS] == list(REGIONS)
    assert normalise_region("Jylland") is None
    assert normalise_region("Region") is None
    assert normalise_region("Aarhus") is None


@pytest.mark.parametrize(
    ("raw", "size_class"),
    [
        ("lille", "lille"),
        ("Små", "lille"),
        ("small", "lille"),
        ("Mellemstor", "mellemstor"),
        ("mellemstore kommuner", "mellemstor"),
        ("medium", "mellemstor"),
        ("STOR", "stor"),
        ("Store kommuner", "stor"),
        ("large", "stor"),
    ],
)
def test_normalise_size_class(raw: str, size_class: str) -> None:
    assert normalise_size_class(raw) == size_class


def test_normalise_size_class_rejects_unknown_words() -> None:
    assert normalise_size_class("kæmpe") is None
    assert normalise_size_class("") is None
