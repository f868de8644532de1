"""The theme summary: themes and codes in codebook order with counts, memos and cited quotes.

`build_summary` collects everything into a `Summary`; the writers (md, docx, html, xlsx) only
lay it out, so every format says the same. By default it counts and quotes what the analyst
decided, accepted and manual codings (`summary_selection`); suggestions only when the selection
asks for them, and then each quote from one says so (`Quote.suggested`). A code's counts and its
quotes come from the same codings, its own and its sub-codes' (a theme counts everything coded
under it; "segments" are distinct coded passages, so a passage coded with two sub-codes counts
once and is quoted once), the quotes chosen as described in `kvali.export.quotes`. The cover and
appendix fields (date, project, coders, codebook version, sources, agreement) describe the
counted codings; the survey section (`kvali.export.survey_answers`) quotes its answer groups by
the same choice. With `pseudonymise=True` the quotes, their citations, the memos, the
descriptions and the document names go through `kvali.privacy.pseudonymise`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlite_utils import Database

from kvali.codebook.model import subtrees
from kvali.codebook.sync import stored_codebook
from kvali.domain import HUMAN_STATUSES
from kvali.export.appendix import SourceEntry, agreement_lines, source_entries
from kvali.export.citations import ParagraphIndex, citation_for
from kvali.export.coverage import Breakdown, coverage, group_totals, share
from kvali.export.output import project_file
from kvali.export.quote_words import ThemeWords
from kvali.export.quotes import (
    STATUS_RANK,
    Candidate,
    Choice,
    Quote,
    QuotePart,
    cut_quote,
    select_quotes,
)
from kvali.export.records import CodingRecord, coding_records
from kvali.export.survey_answers import SurveyQuestion, survey_questions
from kvali.privacy.pseudonymise import Pseudonyms, pseudonyms
from kvali.selection import Selection, shown_codes

__all__ = ["CodeSection", "SourceEntry", "Summary", "build_summary", "explanation",
           "summary_selection"]

SELECTION_NOTE = (
    "Citaterne er analytikerens nøglecitater; derudover er de valgt blandt informanters og "
    "respondenters udsagn (før interviewerens ord, præsentationer og snak om selve "
    "interviewet), helst med temaets egne ord i citatet og i en læsevenlig længde, og spredt "
    "mest muligt over kommuner, roller og dokumenter.")
SUGGESTION_NOTE = (
    "Udvalget tager automatiske forslag med, som ingen har gennemgået; citater fra dem er "
    "markeret som forslag.")

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


def summary_selection(selection: Selection | None = None) -> Selection:
    """The selection a summary works on: the analyst's, counting accepted and manual codings
    when it names no status (suggestions only when asked for)."""
    selection = selection or Selection()
    return selection if selection.status else replace(selection, status=HUMAN_STATUSES)


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
    selection = summary_selection(selection)
    replacing = pseudonyms(db, pseudonymise)
    codebook = stored_codebook(db)
    shown = shown_codes(db, selection, codebook.codes)
    shown_keys = {code.key for code in shown}
    records = [r for r in coding_records(db, selection) if r.code in shown_keys]
    by_code: dict[str, list[int]] = defaultdict(list)  # positions in document order
    for position, record in enumerate(records):
        by_code[record.code].append(position)
    totals = group_totals(db)
    paragraphs = ParagraphIndex(db)
    memos = _code_memos(db, replacing)
    code_subtrees = subtrees((code.key, code.parent_key) for code in codebook.codes)
    texts = _Texts(db)
    words = ThemeWords(codebook)

    def choose(coded: Sequence[CodingRecord], key: str, subtree: Collection[str]) -> list[Quote]:
        """The quotes of a code (or a survey group) from its and its sub-codes' codings."""
        candidates = _candidates(coded, key, subtree, texts, words, max_quote_chars)
        return [_quote(choice, replacing, anonymise, paragraphs)
                for choice in select_quotes(candidates, quotes_per_code, anonymise=anonymise)]

    sections = []
    depth: dict[str, int] = {}
    for code in shown:
        depth[code.key] = depth.get(code.parent_key, -1) + 1 if code.parent_key else 0
        section = CodeSection(key=code.key, name=code.name, depth=depth[code.key],
                              color=code.color, description=replacing.scrub(code.description),
                              memos=memos.get(code.key, []))
        subtree = set(code_subtrees[code.key])
        coded = [records[i] for i in sorted(i for key in subtree for i in by_code[key])]
        _count(section, coded, totals)
        section.quotes = choose(coded, code.key, subtree)
        sections.append(section)
    statuses = selection.statuses
    note = SELECTION_NOTE + (f" {SUGGESTION_NOTE}" if "suggested" in statuses else "")
    return Summary(title=replacing.scrub(title),
                   filters=[replacing.scrub(line) for line in selection.describe()],
                   anonymise=anonymise, pseudonymised=pseudonymise, selection=note,
                   all_municipalities=totals[("all", "all")], sections=sections,
                   statuses=statuses, created=date.today().isoformat(),
                   project=_project_name(db), coders=sorted({r.coder for r in records}),
                   codebook_version=codebook.version,
                   sources=source_entries(db, records, replacing),
                   agreement=agreement_lines(db, selection, records),
                   survey=survey_questions(db, selection, quotes=choose, replacing=replacing))


def explanation(summary: Summary) -> list[str]:
    """Plain lines for `--explain`: per code its key and name, then each quote's reference and
    the reasons it was chosen."""
    lines = []
    for section in summary.sections:
        lines.append(f"{section.key} {section.name}")
        lines.extend(f"  {quote.record.reference}: {'; '.join(quote.reasons)}"
                     for quote in section.quotes)
        if not section.quotes:
            lines.append("  (ingen citater)")
    return lines


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


class _Texts:
    """Document texts, each read once."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.texts: dict[int, str] = {}

    def __getitem__(self, document_id: int) -> str:
        if document_id not in self.texts:
            self.texts[document_id] = self.db.execute(
                "SELECT text FROM documents WHERE id = ?", [document_id]).fetchone()[0]
        return self.texts[document_id]


def _candidates(records: Sequence[CodingRecord], key: str, subtree: Collection[str],
                texts: _Texts, words: ThemeWords, max_chars: int) -> list[Candidate]:
    """One candidate per coded passage, in document order: the coding that stands for it (a
    key quote of the code itself, else any key quote, else a human coding, else the first), its
    parts as shown, and the words of the code's subtree found in them by any of its codings."""
    passages: dict[tuple[int, int, int], list[CodingRecord]] = defaultdict(list)
    for record in records:
        passages[(record.document_id, record.start, record.end)].append(record)
    candidates = []
    for (document_id, start, end), coded in passages.items():
        record = min(coded, key=lambda r: (not (r.key_quote and r.code == key), not r.key_quote,
                                           STATUS_RANK.get(r.status, 2), r.coding_id))
        parts = cut_quote(texts[document_id], start, end, max_chars)
        found = dict.fromkeys(word for r in coded for word in words.words(r, parts, subtree))
        candidates.append(Candidate(record, parts, tuple(found), own=record.code == key))
    return candidates


def _quote(choice: Choice, replacing: Pseudonyms, anonymise: bool,
           paragraphs: ParagraphIndex) -> Quote:
    """The chosen passage as a quote: pseudonymised parts, citation and reasons."""
    record = replacing.scrubbed(choice.record)
    parts, labels = [], {}
    for part in choice.candidate.parts:
        replaced = replacing.span(record.document_id, part.start, part.text)
        parts.append(QuotePart(part.start, part.end, replaced.text))
        labels.update(dict.fromkeys(replaced.labels))
    citation = citation_for(record, anonymise=anonymise, paragraphs=paragraphs,
                            pseudonymised=list(labels))
    return Quote(record, tuple(parts), citation,
                 tuple(replacing.scrub(reason) for reason in choice.reasons))


def _project_name(db: Database) -> str:
    """The project's name: its file's name without the suffix ("" in memory)."""
    path = project_file(db)
    return path.stem if path else ""
