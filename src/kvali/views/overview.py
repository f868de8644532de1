"""What the project holds, for the overview page: material, coverage and coding progress."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlite_utils import Database

from kvali.tagging.run import AUTO_CODER


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
    unmatched_cases: list[str] = field(default_factory=list)


def _scalar(db: Database, sql: str) -> int:
    return db.execute(sql).fetchone()[0] or 0


def project_overview(db: Database) -> Overview:
    """Material by kind, municipalities covered per region and coding progress per coder."""
    overview = Overview(
        documents=_scalar(db, "SELECT count(*) FROM documents"),
        segments=_scalar(db, "SELECT count(*) FROM segments"),
        responses=_scalar(db, "SELECT count(*) FROM responses"),
        respondents=_scalar(db, "SELECT count(*) FROM respondents"),
        municipalities_total=_scalar(db, "SELECT count(*) FROM municipalities"),
    )
    overview.documents_by_kind = dict(db.execute(
        "SELECT kind, count(*) FROM documents GROUP BY kind ORDER BY kind").fetchall())
    covered = dict(db.execute(
        "SELECT m.region, count(DISTINCT m.code) FROM municipalities m "
        "JOIN cases c ON c.municipality_code = m.code "
        "WHERE c.id IN (SELECT DISTINCT case_id FROM segments WHERE case_id IS NOT NULL) "
        "GROUP BY m.region").fetchall())
    overview.regions = [RegionCoverage(region, covered.get(region, 0), total)
                        for region, total in db.execute(
                            "SELECT region, count(*) FROM municipalities GROUP BY region "
                            "ORDER BY region")]
    overview.municipalities = sum(r.covered for r in overview.regions)
    overview.codings_by_status = dict(db.execute(
        "SELECT status, count(*) FROM codings GROUP BY status ORDER BY status").fetchall())
    overview.progress = [
        {"coder": "forslag (automatisk)" if coder == AUTO_CODER and status == "suggested"
         else coder, "status": status, "count": count}
        for coder, status, count in db.execute(
            "SELECT coder, status, count(*) FROM codings GROUP BY coder, status "
            "ORDER BY coder, status")]
    overview.unmatched_cases = [row[0] for row in db.execute(
        "SELECT name FROM cases WHERE municipality_code IS NULL ORDER BY name")]
    return overview


def project_version(db: Database) -> tuple[int, int, int]:
    """Changes whenever documents, codings or the codebook change (imports add segments; every
    coding action and codebook load adds an event): a cheap key for cached computations."""
    row = db.execute(
        "SELECT (SELECT coalesce(max(id), 0) FROM segments), "
        "(SELECT coalesce(max(id), 0) FROM events), (SELECT count(*) FROM codings)").fetchone()
    return tuple(row)
