"""Coverage: how many of the 98 municipalities a theme or a question reaches, in all, by region
and by size class, as the national reports tabulate it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from kvali.municipalities import REGIONS, SIZE_CLASSES


@dataclass(frozen=True)
class Breakdown:
    """Municipalities reached in one group (a region or a size class) out of the group's total."""

    group: str
    municipalities: int
    total: int


@dataclass(frozen=True)
class Coverage:
    """Municipalities reached, in all and per region and size class."""

    municipalities: int
    by_region: list[Breakdown]
    by_size: list[Breakdown]


def group_totals(db: Database) -> dict[tuple[str, str], int]:
    """How many of the project's municipalities lie in each region and size class (and in all,
    under ("all", "all"))."""
    totals = {("all", "all"): db.execute("SELECT count(*) FROM municipalities").fetchone()[0]}
    for column, label in (("region", "region"), ("size_class", "size")):
        for group, count in db.execute(
                f"SELECT {column}, count(*) FROM municipalities GROUP BY {column}"):
            totals[(label, group)] = count
    return totals


def coverage(places: Iterable[tuple[str, str | None, str | None]],
             totals: dict[tuple[str, str], int]) -> Coverage:
    """The coverage of distinct (municipality, region, size class) places."""
    distinct = set(places)
    return Coverage(
        municipalities=len(distinct),
        by_region=[Breakdown(region, sum(p[1] == region for p in distinct),
                             totals.get(("region", region), 0)) for region in REGIONS],
        by_size=[Breakdown(size, sum(p[2] == size for p in distinct),
                           totals.get(("size", size), 0)) for size in SIZE_CLASSES])


def share(part: int, whole: int) -> str:
    """A percentage for the text, "12 %" (Danish style), or "–" without a whole."""
    return f"{round(100 * part / whole)} %" if whole else "–"
