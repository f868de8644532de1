"""The 98 Danish municipalities, their regions and size classes, and name normalisation.

Codes and names are Danmarks Statistik's kommunekoder and short names. ``population`` is the
number of inhabitants on 1 January 2020 (Danmarks Statistik, table FOLK1A), rounded to the
nearest 1,000 -- kvali's best figure, good enough for classing, not for statistics.

Size classes follow the national follow-up reports (Socialstyrelsen 2021):
``lille`` under 50,000 inhabitants, ``mellemstor`` 50,000-99,999, ``stor`` 100,000 or more.
On the figures below that gives 58 small, 33 medium and 7 large municipalities.

``match_municipality`` maps the spellings analysts meet in survey exports and transcripts
("Kbh.", "Århus", "Høje Taastrup kommune", "Silkebrog") to a municipality, or returns None when
it is not confident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

REGIONS: tuple[str, ...] = (
    "Region Hovedstaden",
    "Region Sjælland",
    "Region Syddanmark",
    "Region Midtjylland",
    "Region Nordjylland",
)
SIZE_CLASSES: tuple[str, ...] = ("lille", "mellemstor", "stor")

MEDIUM_FROM = 50_000
LARGE_FROM = 100_000


@dataclass(frozen=True)
class Municipality:
    """One municipality: DST code, official short name, region, size class, population 2020."""

    code: int
    name: str
    region: str
    size_class: str
    population: int


@dataclass(frozen=True)
class MunicipalityMatch:
    """Result of matching a raw name: the municipality, a 0-100 score and how it was found."""

    municipality: Municipality
    score: float
    method: Literal["exact", "alias", "fuzzy"]


def size_class_for(population: int) -> str:
    """Return the size class ("lille", "mellemstor", "stor") for a population."""
    if population >= LARGE_FROM:
        return "stor"
    if population >= MEDIUM_FROM:
        return "mellemstor"
    return "lille"


# (code, name, population 1 Jan 2020 rounded to 1,000) per region.
_TABLE: dict[str, tuple[tuple[int, str, int], ...]] = {
    "Region Hovedstaden": (
        (101, "København", 632_000),
        (147, "Frederiksberg", 104_000),
        (151, "Ballerup", 48_000),
        (153, "Brøndby", 35_000),
        (155, "Dragør", 14_000),
        (157, "Gentofte", 75_000),
        (159, "Gladsaxe", 69_000),
        (161, "Glostrup", 23_000),
        (163, "Herlev", 29_000),
        (165, "Albertslund", 28_000),
        (167, "Hvidovre", 53_000),
        (169, "Høje-Taastrup", 51_000),
        (173, "Lyngby-Taarbæk", 56_000),
        (175, "Rødovre", 41_000),
        (183, "Ishøj", 23_000),
        (185, "Tårnby", 43_000),
        (187, "Vallensbæk", 17_000),
        (190, "Furesø", 41_000),
        (201, "Allerød", 26_000),
        (210, "Fredensborg", 41_000),
        (217, "Helsingør", 63_000),
        (219, "Hillerød", 51_000),
        (223, "Hørsholm", 25_000),
        (230, "Rudersdal", 57_000),
        (240, "Egedal", 43_000),
        (250, "Frederikssund", 45_000),
        (260, "Halsnæs", 31_000),
        (270, "Gribskov", 41_000),
        (400, "Bornholm", 40_000),
    ),
    "Region Sjælland": (
        (253, "Greve", 50_000),
        (259, "Køge", 61_000),
        (265, "Roskilde", 88_000),
        (269, "Solrød", 23_000),
        (306, "Odsherred", 33_000),
        (316, "Holbæk", 71_000),
        (320, "Faxe", 37_000),
        (326, "Kalundborg", 49_000),
        (329, "Ringsted", 35_000),
        (330, "Slagelse", 79_000),
        (336, "Stevns", 23_000),
        (340, "Sorø", 30_000),
        (350, "Lejre", 28_000),
        (360, "Lolland", 41_000),
        (370, "Næstved", 83_000),
        (376, "Guldborgsund", 61_000),
        (390, "Vordingborg", 45_000),
    ),
    "Region Syddanmark": (
        (410, "Middelfart", 39_000),
        (420, "Assens", 41_000),
        (430, "Faaborg-Midtfyn", 52_000),
        (440, "Kerteminde", 24_000),
        (450, "Nyborg", 32_000),
        (461, "Odense", 205_000),
        (479, "Svendborg", 59_000),
        (480, "Nordfyns", 29_000),
        (482, "Langeland", 12_000),
        (492, "Ærø", 6_000),
        (510, "Haderslev", 56_000),
        (530, "Billund", 27_000),
        (540, "Sønderborg", 74_000),
        (550, "Tønder", 37_000),
        (561, "Esbjerg", 116_000),
        (563, "Fanø", 3_000),
        (573, "Varde", 50_000),
        (575, "Vejen", 43_000),
        (580, "Aabenraa", 59_000),
        (607, "Fredericia", 51_000),
        (621, "Kolding", 93_000),
        (630, "Vejle", 116_000),
    ),
    "Region Midtjylland": (
        (615, "Horsens", 91_000),
        (657, "Herning", 89_000),
        (661, "Holstebro", 59_000),
        (665, "Lemvig", 20_000),
        (671, "Struer", 21_000),
        (706, "Syddjurs", 43_000),
        (707, "Norddjurs", 37_000),
        (710, "Favrskov", 49_000),
        (727, "Odder", 23_000),
        (730, "Randers", 98_000),
        (740, "Silkeborg", 95_000),
        (741, "Samsø", 4_000),
        (746, "Skanderborg", 63_000),
        (751, "Aarhus", 350_000),
        (756, "Ikast-Brande", 41_000),
        (760, "Ringkøbing-Skjern", 57_000),
        (766, "Hedensted", 47_000),
        (779, "Skive", 46_000),
        (791, "Viborg", 97_000),
    ),
    "Region Nordjylland": (
        (773, "Morsø", 20_000),
        (787, "Thisted", 43_000),
        (810, "Brønderslev", 36_000),
        (813, "Frederikshavn", 60_000),
        (820, "Vesthimmerlands", 37_000),
        (825, "Læsø", 2_000),
        (840, "Rebild", 30_000),
        (846, "Mariagerfjord", 42_000),
        (849, "Jammerbugt", 38_000),
        (851, "Aalborg", 217_000),
        (860, "Hjørring", 64_000),
    ),
}

MUNICIPALITIES: tuple[Municipality, ...] = tuple(
    sorted(
        (
            Municipality(code, name, region, size_class_for(population), population)
            for region, rows in _TABLE.items()
            for code, name, population in rows
        ),
        key=lambda m: m.code,
    )
)

_BY_NAME: dict[str, Municipality] = {m.name: m for m in MUNICIPALITIES}

# Spellings that folding alone does not reach: abbreviations, English and former names, and the
# towns that give a two-part municipality its name.
_ALIASES: dict[str, tuple[str, ...]] = {
    "København": ("Kbh", "Kbhvn", "Kbhv", "Cph", "Copenhagen", "Kjøbenhavn"),
    "Frederiksberg": ("Frb", "Frbg", "Fr.berg"),
    "Bornholm": ("Rønne",),
    "Brønderslev": ("Brønderslev-Dronninglund", "Dronninglund"),
    "Nordfyns": ("Nordfyn",),
    "Vesthimmerlands": ("Vesthimmerland",),
    "Lyngby-Taarbæk": ("Lyngby", "Kgs. Lyngby", "Kongens Lyngby"),
    "Høje-Taastrup": ("Taastrup",),
    "Faaborg-Midtfyn": ("Faaborg", "Midtfyn"),
    "Ringkøbing-Skjern": ("Ringkøbing", "Skjern"),
    "Ikast-Brande": ("Ikast", "Brande"),
    "Helsingør": ("Elsinore",),
    "Mariagerfjord": ("Mariager Fjord",),
    "Jammerbugt": ("Jammerbugten",),
    "Guldborgsund": ("Guldborg Sund",),
}

# Words around a name that say "municipality" rather than which one, and postal districts
# ("København K", "Aarhus C", "Aalborg Ø"); all folded.
_SUFFIX_WORDS = frozenset(
    {"kommune", "kommunes", "kommunen", "regionskommune", "kom", "municipality"}
    | {"c", "k", "n", "s", "v", "o", "oe", "nv", "sv", "noe", "soe"}
)
# Words that mark a region or a pre-2007 county: such strings name no municipality.
_NOT_A_MUNICIPALITY_WORDS = frozenset({"region", "regionen", "amt", "amtskommune", "county"})

_FUZZY_MIN_LENGTH = 5
_FUZZY_MIN_SCORE = 85.0
_FUZZY_MIN_MARGIN = 8.0

_WORD_SPLIT = re.compile(r"[^0-9a-z]+")
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_AA_AS_LETTER = re.compile("aa", re.IGNORECASE)


def _fold_letters(text: str) -> str:
    """Lower-case and spell the Danish letters out as æ→ae, ø→oe, å→aa (also ö, ä, é)."""
    text = text.casefold()
    for letter, spelled in (("æ", "ae"), ("ä", "ae"), ("ø", "oe"), ("ö", "oe"), ("å", "aa")):
        text = text.replace(letter, spelled)
    return text.replace("é", "e")


def _words(raw: str) -> list[str]:
    """Fold ``raw`` and split it into alphanumeric words."""
    return [word for word in _WORD_SPLIT.split(_fold_letters(raw)) if word]


def _key(raw: str) -> str:
    """Fold a name to its lookup key: folded letters, no spaces, hyphens or punctuation."""
    return "".join(_words(raw))


def _ascii_key(raw: str) -> str:
    """Key for names typed without Danish letters: ø→o, å→a, æ→ae ("Kobenhavn", "Arhus")."""
    text = raw.casefold().replace("ø", "o").replace("å", "a")
    return _key(text)


def _build_keys() -> tuple[dict[str, Municipality], dict[str, Municipality]]:
    """Return (exact keys, alias keys); raise if two municipalities would share a key."""
    exact: dict[str, Municipality] = {}
    alias: dict[str, Municipality] = {}

    def add(table: dict[str, Municipality], key: str, municipality: Municipality) -> None:
        other = exact.get(key) or alias.get(key)
        if other is not None and other != municipality:
            raise ValueError(
                f"municipality key {key!r} is ambiguous: {other.name}, {municipality.name}"
            )
        if other is None:
            table[key] = municipality

    for m in MUNICIPALITIES:
        add(exact, _key(m.name), m)
    for m in MUNICIPALITIES:
        genitive = () if m.name.endswith("s") else (m.name + "s",)
        for spelling in (m.name, *genitive, *_ALIASES.get(m.name, ())):
            add(alias, _key(spelling), m)
            add(alias, _ascii_key(spelling), m)
            add(alias, _ascii_key(_AA_AS_LETTER.sub("å", spelling)), m)
    return exact, alias


_EXACT_KEYS, _ALIAS_KEYS = _build_keys()
_FUZZY_CHOICES: dict[str, Municipality] = {**_EXACT_KEYS, **_ALIAS_KEYS}
_FUZZY_KEYS: tuple[str, ...] = tuple(_FUZZY_CHOICES)


def municipality_by_name(name: str) -> Municipality:
    """Return the municipality with exactly this official name; raise KeyError otherwise."""
    return _BY_NAME[name]


def _strip_suffix_words(words: list[str]) -> list[str]:
    """Drop words like "kommune", "Kom.", "Regionskommune" before or after the name."""
    while len(words) > 1 and words[-1] in _SUFFIX_WORDS:
        words = words[:-1]
    while len(words) > 1 and words[0] in _SUFFIX_WORDS:
        words = words[1:]
    return words


def _fuzzy_match(key: str) -> MunicipalityMatch | None:
    """Match a folded key against all known keys when the best one is clearly ahead."""
    if len(key) < _FUZZY_MIN_LENGTH:
        return None
    from rapidfuzz import fuzz, process  # only a name not known as written needs it

    candidates = process.extract(key, _FUZZY_KEYS, scorer=fuzz.ratio, limit=8)
    best_by_code: dict[int, tuple[float, Municipality]] = {}
    for choice, score, _index in candidates:
        municipality = _FUZZY_CHOICES[choice]
        if municipality.code not in best_by_code:
            best_by_code[municipality.code] = (score, municipality)
    ranked = sorted(best_by_code.values(), key=lambda pair: pair[0], reverse=True)
    if not ranked or ranked[0][0] < _FUZZY_MIN_SCORE:
        return None
    runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
    if ranked[0][0] - runner_up < _FUZZY_MIN_MARGIN:
        return None
    return MunicipalityMatch(ranked[0][1], float(ranked[0][0]), "fuzzy")


@lru_cache(maxsize=8192)
def match_municipality(raw: str) -> MunicipalityMatch | None:
    """Map a raw municipality name to a municipality, or None when not confident.

    Folds case, whitespace, punctuation and æ/ø/å spellings, strips words such as "Kommune",
    knows common aliases ("Kbh.", "Århus"), and falls back to fuzzy matching only when the best
    candidate scores high and clearly beats the runner-up. Regions ("Region Midtjylland") and
    former counties ("Vejle Amt") are not municipalities and give None.
    """
    name = _PARENTHESES.sub(" ", raw)
    words = _words(name)
    if not words or any(word in _NOT_A_MUNICIPALITY_WORDS for word in words):
        return None
    key = "".join(_strip_suffix_words(words))
    if key in _EXACT_KEYS:
        return MunicipalityMatch(_EXACT_KEYS[key], 100.0, "exact")
    if key in _ALIAS_KEYS:
        return MunicipalityMatch(_ALIAS_KEYS[key], 100.0, "alias")
    return _fuzzy_match(key)


# Folded spellings (without the word "region") that name each region.
_REGION_SPELLINGS: dict[str, tuple[str, ...]] = {
    "Region Hovedstaden": ("hovedstaden", "hovedstad", "hovedstadsregionen", "h", "capital"),
    "Region Sjælland": ("sjaelland", "sj", "zealand"),
    "Region Syddanmark": ("syddanmark", "syd", "southerndenmark"),
    "Region Midtjylland": ("midtjylland", "midt", "centraldenmark", "centraljutland"),
    "Region Nordjylland": ("nordjylland", "nord", "northdenmark", "northjutland"),
}
_REGION_BY_SPELLING: dict[str, str] = {
    spelling: region for region, spellings in _REGION_SPELLINGS.items() for spelling in spellings
}
_SIZE_SPELLINGS: dict[str, tuple[str, ...]] = {
    "lille": ("lille", "smaa", "small"),
    "mellemstor": ("mellemstor", "mellemstore", "mellem", "medium"),
    "stor": ("stor", "store", "large"),
}
_SIZE_BY_SPELLING: dict[str, str] = {
    spelling: size for size, spellings in _SIZE_SPELLINGS.items() for spelling in spellings
}


def normalise_region(raw: str) -> str | None:
    """Map "Nordjylland", "region nordjylland", "Nord", "Region H" ... to a name in REGIONS."""
    words = [word for word in _words(raw) if word not in {"region", "regionen"}]
    return _REGION_BY_SPELLING.get("".join(words))


def normalise_size_class(raw: str) -> str | None:
    """Map "små", "Mellemstore kommuner", "large" ... to a name in SIZE_CLASSES."""
    words = [word for word in _words(raw) if word not in {"kommune", "kommuner", "municipalities"}]
    return _SIZE_BY_SPELLING.get("".join(words))
