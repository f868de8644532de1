"""The word lists the scanner works from: Danish name lists and organisations (data files), the
function words that are capitalised without being names, and the places that are not persons."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from kvali.municipalities import MUNICIPALITIES, REGIONS

FUNCTION_WORDS = frozenset("""
af alle alt altså da de dem den denne der deres det dette dig din dine dit du eller en end et
for fordi fra han har hele hende her hun hvad hvem hver hvis hvor hvordan hvorfor i ikke ind
ingen jeg jer jeres jo ja kan man med men mig min mine mit mange måske nej nogle nok nu når og
også om os på sig sin sine sit skal som så til ud under vi vil vores ved efter før
""".split())
"""Pronouns and function words, casefolded: capitalised ("De", "I", "Jeg") they are no names."""

ORGANISATION_WORDS = frozenset("""
kors sagen forening foreningen fond fonden kommune kommunes kommuner region regionen hjælp
hjælpen center centret centeret styrelse styrelsen ministeriet ministerium råd rådet
organisation selskab selskabet skole skolen universitet gruppen hus huset hospital
hospitalet kirke kirkes kirken hær netværk bank banken
""".split())
"""Words that make a capitalised phrase an organisation ("Røde Kors", "Ældre Sagen")."""


def _lines(name: str) -> list[str]:
    """The entries of a data file: one per line, '#' comments and blank lines left out."""
    text = (files("kvali.privacy") / "data" / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and
            not line.startswith("#")]


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Common Danish first names (women and men), casefolded."""
    return frozenset(n.casefold() for f in ("first_names_women.txt", "first_names_men.txt")
                     for n in _lines(f))


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    """Common Danish surnames, casefolded."""
    return frozenset(n.casefold() for n in _lines("surnames.txt"))


@lru_cache(maxsize=1)
def organisations() -> tuple[str, ...]:
    """Organisation names as written, longest first (so "Dansk Røde Kors" wins over "Røde
    Kors")."""
    return tuple(sorted(_lines("organisations.txt"), key=len, reverse=True))


@lru_cache(maxsize=1)
def place_words() -> frozenset[str]:
    """Casefolded words of the 98 municipalities' and the regions' names ("lyngby", "taarbæk",
    "hovedstaden"): a capitalised place is not a person."""
    names = [m.name for m in MUNICIPALITIES] + list(REGIONS)
    return frozenset(part.casefold() for name in names
                     for part in name.replace("-", " ").split() if part != "Region")
