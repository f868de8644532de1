"""What the project holds, for the overview page: material, coverage and coding progress."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlite_utils import Database

from kvali.analysis.kept import kept_counts, kept_material
from kvali.coders.work import CoderProgress, coder_progress
from kvali.domain import AUTO_CODER
from kvali.selection import Where
from kvali.store.stats import project_counts


@dataclass(frozen=True)
class RegionCoverage:
    """How many of a region's municipalities the material covers."""

    region: str
    covered: int
    total: int


@dataclass
class Overview:
    """Counts shown on the overview page."""

    documents: int = 0
    segments: int = 0
    responses: int = 0
    respondents: int = 0
    municipalities: int = 0
    municipalities_total: int = 0
    documents_by_kind: dict[str, int] = field(default_factory=dict)
    regions: list[RegionCoverage] = field(default_factory=list)
    codings_by_status: dict[str, int] = field(default_factory=dict)
    progress: list[dict] = field(default_factory=list)  # {"coder", "status", "count"}
    coders: list[CoderProgress] = field(default_factory=list)  # assigned, done, coded per coder
    unmatched_cases: list[str] = field(default_factory=list)


def project_overview(db: Database) -> Overview:
    """Material by kind, municipalities covered per region and coding progress per coder."""
    status = kept_material(db, "project_counts", project_counts)  # its codings are not read
    totals = dict(db.execute(
        "SELECT region, count(*) FROM municipalities GROUP BY region ORDER BY region").fetchall())
    covered = status["municipalities_by_region"]
    by_status: dict[str, int] = {}
    for (_, coding_status), count in sorted(codings_by_coder(db).items(),
                                            key=lambda item: item[0][1]):
        by_status[coding_status] = by_status.get(coding_status, 0) + count
    overview = Overview(
        documents=status["documents"], segments=status["segments"],
        responses=status["responses"], respondents=status["respondents"],
        municipalities=status["municipalities"], municipalities_total=sum(totals.values()),
        documents_by_kind=status["documents_by_kind"],
        regions=[RegionCoverage(region, covered.get(region, 0), total)
                 for region, total in totals.items()],
        codings_by_status=by_status,
        unmatched_cases=status["unmatched_cases"],
    )
    overview.progress = [
        {"coder": "forslag (automatisk)" if coder == AUTO_CODER and status == "suggested"
         else coder, "status": status, "count": count}
        for (coder, status), count in sorted(codings_by_coder(db).items())]
    overview.coders = coder_progress(db)
    return overview


def codings_by_coder(db: Database) -> dict[tuple[str, str], int]:
    """(coder, status) -> codings, kept up to date (kvali.analysis.kept)."""
    return kept_counts(db, "coder_status", ("coder", "status"), lambda db: Where(), facts=False)

