"""What a search returns: hits with their citation, and where the hits fall across Denmark."""

from __future__ import annotations

from dataclasses import dataclass, field

from kvali.export.citations import ParagraphIndex, citation_for
from kvali.municipalities import MUNICIPALITIES, REGIONS, SIZE_CLASSES
from kvali.search.kwic import Kwic

OUTSIDE = "(uden kommune)"
"""Key for hits whose segment has no municipality (another kind of case, or none)."""


@dataclass
class Hit:
    """One matching segment with everything needed to cite it."""

    segment_id: int
    document: str
    document_id: int
    start: int
    end: int
    text: str
    kwic: Kwic
    score: float
    kommune: str | None = None
    case: str | None = None
    region: str | None = None
    size_class: str | None = None
    kind: str | None = None
    question: str | None = None
    question_text: str | None = None
    role: str | None = None
    speaker: str | None = None
    respondent: str | None = None
    turn: int | None = None
    time: str | None = None
    page: int | None = None

    stored_match: tuple[int, int] | None = None
    """The match's document offsets when `text` is not the stored text (a pseudonymised hit,
    whose `kwic` counts in its own text); None: they follow from `start` and `kwic`."""

    @property
    def match_start(self) -> int:
        """Document offset (in the stored text, as `start`) where the highlighted match begins."""
        return self.stored_match[0] if self.stored_match else self.start + self.kwic.start

    @property
    def match_end(self) -> int:
        """Document offset (in the stored text, as `end`) where the highlighted match ends."""
        return self.stored_match[1] if self.stored_match else self.start + self.kwic.end

    cited: str = ""  # the citation line, set when the hit is loaded

    def cite(self, paragraphs: ParagraphIndex) -> None:
        """Make the hit's citation line, as in a summary: role, municipality, document,
        position and the reference [doc:ID:START-END]."""
        self.cited = citation_for(self, paragraphs=paragraphs).text()

    def citation(self) -> str:
        """The hit's citation line (see `cite`)."""
        return self.cited or citation_for(self).text()

    def to_dict(self) -> dict:
        """JSON-friendly form with the keys of the `kvali search --json` contract."""
        return {
            "document": self.document, "document_id": self.document_id,
            "segment_id": self.segment_id, "start": self.start, "end": self.end,
            "text": self.text, "kommune": self.kommune, "case": self.case,
            "region": self.region, "size_class": self.size_class, "kind": self.kind,
            "question": self.question, "question_text": self.question_text, "role": self.role,
            "speaker": self.speaker, "respondent": self.respondent, "turn": self.turn,
            "time": self.time, "page": self.page, "score": round(self.score, 4),
            "match_start": self.match_start, "match_end": self.match_end,
            "kwic": self.kwic.to_dict(), "citation": self.citation(),
        }


@dataclass
class Distribution:
    """Hits per municipality, region and size class, and how many municipalities mention it."""

    total: int
    by_kommune: dict[str, int]
    by_region: dict[str, int]
    by_size: dict[str, int]
    municipalities_mentioning: int
    municipalities_by_region: dict[str, tuple[int, int]]
    municipalities_by_size: dict[str, tuple[int, int]]

    def to_dict(self) -> dict:
        """JSON-friendly form; (mentioning, of) pairs become small objects."""
        def pairs(table: dict[str, tuple[int, int]]) -> dict[str, dict[str, int]]:
            return {k: {"mentioning": v[0], "of": v[1]} for k, v in table.items()}

        return {"by_kommune": self.by_kommune, "by_region": self.by_region,
                "by_size": self.by_size,
                "municipalities_mentioning": self.municipalities_mentioning,
                "municipalities_total": len(MUNICIPALITIES),
                "municipalities_by_region": pairs(self.municipalities_by_region),
                "municipalities_by_size": pairs(self.municipalities_by_size)}


def build_distribution(counts: dict[int | None, int]) -> Distribution:
    """Aggregate hit counts per municipality code (None: outside any municipality)."""
    by_code = {m.code: m for m in MUNICIPALITIES}
    by_kommune: dict[str, int] = {}
    by_region = dict.fromkeys(REGIONS, 0)
    by_size = dict.fromkeys(SIZE_CLASSES, 0)
    mentioning: set[int] = set()
    outside = 0
    for code, count in counts.items():
        municipality = by_code.get(code) if code is not None else None
        if municipality is None:
            outside += count
            continue
        mentioning.add(municipality.code)
        by_kommune[municipality.name] = count
        by_region[municipality.region] += count
        by_size[municipality.size_class] += count
    ranked = dict(sorted(by_kommune.items(), key=lambda item: (-item[1], item[0])))
    if outside:
        ranked[OUTSIDE] = outside
    return Distribution(
        total=sum(counts.values()),
        by_kommune=ranked,
        by_region=by_region,
        by_size=by_size,
        municipalities_mentioning=len(mentioning),
        municipalities_by_region={
            region: (sum(by_code[c].region == region for c in mentioning),
                     sum(m.region == region for m in MUNICIPALITIES)) for region in REGIONS},
        municipalities_by_size={
            size: (sum(by_code[c].size_class == size for c in mentioning),
                   sum(m.size_class == size for m in MUNICIPALITIES)) for size in SIZE_CLASSES},
    )


@dataclass
class SearchResult:
    """One page of hits, the total, the distribution of all hits and the query's expansions."""

    query: str
    fts: str
    total: int
    hits: list[Hit]
    distribution: Distribution
    expansions: list[dict] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    limit: int | None = None
    offset: int = 0

    def to_dict(self) -> dict:
        """The `kvali search --json` document (the contract's keys first)."""
        return {"query": self.query, "total": self.total,
                "hits": [hit.to_dict() for hit in self.hits],
                **self.distribution.to_dict(),
                "expansions": self.expansions, "dropped": self.dropped,
                "filters": self.filters, "limit": self.limit, "offset": self.offset,
                "fts": self.fts}
