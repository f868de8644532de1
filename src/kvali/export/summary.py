"""The theme summary: themes and codes in codebook order with counts, memos and cited quotes.

`build_summary` collects everything into a `Summary`; the writers (md, docx, html, xlsx) only
lay it out, so every format says the same. A code's counts include its sub-codes (a theme
counts everything coded under it; "segments" are distinct coded passages, so a passage coded
with two sub-codes counts once); its quotes come from its own codings, chosen as described in
`kvali.export.quotes`. With `pseudonymise=True` the quotes, their citations, the memos and the
descriptions go through `kvali.privacy.pseudonymise`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlite_utils import Database

from kvali.codebook.model import subtrees
from kvali.codebook.sync import stored_codebook
from kvali.export.citations import ParagraphIndex, citation_for
from kvali.export.coverage import Breakdown, coverage, group_totals, share
from kvali.export.quotes import Quote, QuotePart, cut_quote, select_quotes
from kvali.export.records import CodingRecord, coding_records
from kvali.export.survey_answers import SurveyQuestion
from kvali.privacy.pseudonymise import Pseudonyms, pseudonyms
from kvali.selection import Selection, shown_codes

SELECTION_NOTE = (
    "Citaterne er analytikerens nøglecitater; derudover er de valgt, så de spreder sig mest "
    "muligt over kommuner og roller, med manuelt kodede og accepterede citater før forslag.")

PSEUDONYM_NOTE = (
    "Personoplysninger er erstattet med pseudonymer ([Person 1], [CPR], [Adresse], [Telefon], "
    "[E-mail]); kildehenvisningen nævner dem, der er sat ind i citatet.")


@dataclass
class CodeSection:
    """One theme or code of the summary."""

    key: str
    name: str
    depth: int
    color: str
    description: str
    memos: list[tuple[str, str]]  # (coder, text)
    segments: int = 0
    documents: int = 0
    municipalities: int = 0
    by_region: list[Breakdown] = field(default_factory=list)
    by_size: list[Breakdown] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)


@dataclass(frozen=True)
class SourceEntry:
    """A document the summary draws on, for the list of sources in the appendix."""

    document_id: int
    name: str
    kind: str
    file: str  # the imported file's name
    municipality: str | None


@dataclass
class Summary:
    """Everything a summary file shows."""

    title: str
    filters: list[str]
    anonymise: bool
    pseudonymised: bool
    selection: str
    all_municipalities: int
    sections: list[CodeSection]
    statuses: tuple[str, ...] = ()  # the coding statuses the summary counts and quotes
    created: str = ""  # the export's date, YYYY-MM-DD
    project: str = ""  # the project's name
    coders: list[str] = field(default_factory=list)  # who made the codings counted
    codebook_version: str = ""
    sources: list[SourceEntry] = field(default_factory=list)
    agreement: list[str] = field(default_factory=list)  # method lines on inter-coder agreement
    survey: list[SurveyQuestion] = field(default_factory=list)  # open questions, by code


def build_summary(
    db: Database,
    selection: Selection | None = None,
    *,
    quotes_per_code: int = 3,
    max_quote_chars: int = 500,
    anonymise: bool = False,
    pseudonymise: bool = False,
    title: str = "Temaopsummering",
) -> Summary:
    """Collect the summary of the codes (and codings) in the selection."""
    selection = selection or Selection()
    replacing = pseudonyms(db, pseudonymise)
    records = coding_records(db, selection)
    by_code: dict[str, list[CodingRecord]] = defaultdict(list)
    for record in records:
        by_code[record.code].append(record)
    codebook = stored_codebook(db)
    totals = group_totals(db)
    paragraphs = ParagraphIndex(db)
    memos = _code_memos(db, replacing)
    code_subtrees = subtrees((code.key, code.parent_key) for code in codebook.codes)
    sections = []
    depth: dict[str, int] = {}
    for code in shown_codes(db, selection, codebook.codes):
        depth[code.key] = depth.get(code.parent_key, -1) + 1 if code.parent_key else 0
        section = CodeSection(key=code.key, name=code.name, depth=depth[code.key],
                              color=code.color, description=replacing.scrub(code.description),
                              memos=memos.get(code.key, []))
        subtree = [r for key in code_subtrees[code.key] for r in by_code.get(key, [])]
        _count(section, subtree, totals)
        for chosen in select_quotes(by_code.get(code.key, []), quotes_per_code):
            record = replacing.scrubbed(chosen)
            parts, labels = _quote_parts(db, record, max_quote_chars, replacing)
            section.quotes.append(Quote(record, parts, citation_for(
                record, anonymise=anonymise, paragraphs=paragraphs, pseudonymised=labels)))
        sections.append(section)
    return Summary(title=replacing.scrub(title),
                   filters=[replacing.scrub(line) for line in selection.describe()],
                   anonymise=anonymise, pseudonymised=pseudonymise, selection=SELECTION_NOTE,
                   all_municipalities=totals[("all", "all")], sections=sections)


def notices(summary: Summary) -> list[str]:
    """The lines under the title that say how the quotes were made anonymous."""
    lines = ["Citater er anonymiseret til region."] if summary.anonymise else []
    if summary.pseudonymised:
        lines.append(PSEUDONYM_NOTE)
    return lines


def scope_sentence(section: CodeSection, all_municipalities: int) -> str:
    """The extent of a code: "12 segmenter i 3 dokumenter fra 5 kommuner (5 % af de 98)"."""
    return (f"{_count_of(section.segments, 'segment', 'segmenter')} i "
            f"{_count_of(section.documents, 'dokument', 'dokumenter')} fra "
            f"{_count_of(section.municipalities, 'kommune', 'kommuner')} "
            f"({share(section.municipalities, all_municipalities)} af de {all_municipalities}).")


def _count_of(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def breakdown_lines(section: CodeSection) -> list[str]:
    """One line per region, then one for the size classes (only when any municipality counts)."""
    if not section.municipalities:
        return []
    regions = [f"{b.group}: {b.municipalities} af {b.total} kommuner "
               f"({share(b.municipalities, b.total)})" for b in section.by_region]
    sizes = ", ".join(f"{b.group} {b.municipalities} af {b.total}" for b in section.by_size)
    return [*regions, f"Kommunestørrelse: {sizes}"]


def _count(section: CodeSection, records: list[CodingRecord],
           totals: dict[tuple[str, str], int]) -> None:
    section.segments = len({(r.document_id, r.start, r.end) for r in records})
    section.documents = len({r.document_id for r in records})
    reached = coverage(((r.kommune, r.region, r.size_class) for r in records if r.kommune),
                       totals)
    section.municipalities = reached.municipalities
    section.by_region, section.by_size = reached.by_region, reached.by_size


def _code_memos(db: Database, replacing: Pseudonyms) -> dict[str, list[tuple[str, str]]]:
    memos: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for target, coder, text in db.execute(
            "SELECT target, coder, text FROM memos WHERE target_type = 'code' AND text != '' "
            "ORDER BY target, coder, id"):
        memos[target].append((coder, replacing.scrub(text)))
    return memos


def _quote_parts(db: Database, record: CodingRecord, max_chars: int,
                 replacing: Pseudonyms) -> tuple[tuple[QuotePart, ...], list[str]]:
    """The quote's parts, read from the stored text with offsets kept document-absolute, each
    pseudonymised by `replacing`, and the labels put in (each once)."""
    span = db.execute("SELECT substr(text, ?, ?) FROM documents WHERE id = ?",
                      [record.start + 1, record.end - record.start, record.document_id]
                      ).fetchone()[0]
    parts, labels = [], {}
    for part in cut_quote(span, 0, len(span), max_chars):
        start = part.start + record.start
        replaced = replacing.span(record.document_id, start, part.text)
        parts.append(QuotePart(start, part.end + record.start, replaced.text))
        labels.update(dict.fromkeys(replaced.labels))
    return tuple(parts), list(labels)
