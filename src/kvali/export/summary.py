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
from kvali.domain import HUMAN_STATUSES, STATUSES
from kvali.export.appendix import SourceEntry, agreement_lines, source_entries
from kvali.export.bulk import collector_paused
from kvali.export.citations import ParagraphIndex, citation_for
from kvali.export.coverage import Breakdown, coverage, group_totals, share
from kvali.export.passages import Passages, Span, Texts
from kvali.export.quote_words import ThemeWords
from kvali.export.quotes import Choice, Quote, QuotePart
from kvali.export.records import CodingLike, CodingRecord, coding_facts, coding_records
from kvali.export.survey_answers import SurveyQuestion, survey_questions
from kvali.privacy.pseudonymise import Pseudonyms, pseudonyms
from kvali.selection import Selection, shown_codes
from kvali.store.connection import project_name

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
    """Collect the summary of the codes (and codings) in the selection.

    The codings are read once, as `CodingFacts`; the sections, the survey section, the cover
    and the appendix all count from them, and whole records are read only for the quotes."""
    with collector_paused():
        return _build_summary(db, summary_selection(selection), quotes_per_code,
                              max_quote_chars, anonymise, pseudonymise, title)


def _build_summary(db: Database, selection: Selection, quotes_per_code: int,
                   max_quote_chars: int, anonymise: bool, pseudonymise: bool,
                   title: str) -> Summary:
    """`build_summary` on a selection with its statuses."""
    replacing = pseudonyms(db, pseudonymise)
    codebook = stored_codebook(db)
    shown = shown_codes(db, selection, codebook.codes)
    shown_keys = {code.key for code in shown}
    facts = [f for f in coding_facts(db, selection) if f.code in shown_keys]
    totals = group_totals(db)
    paragraphs = ParagraphIndex(db)
    memos = _code_memos(db, replacing)
    code_subtrees = subtrees((code.key, code.parent_key) for code in codebook.codes)
    themes = {key: code.key for code in codebook.codes if not code.parent_key
              for key in code_subtrees[code.key]}
    passages = Passages(facts, Texts(db, max_quote_chars), ThemeWords(codebook), themes)
    extents = _Extents(facts)

    def quotes(choices: list[Choice]) -> list[Quote]:
        """The chosen passages as quotes, on their codings' whole records."""
        records = {r.coding_id: r for r in coding_records(
            db, Selection(status=STATUSES), coding_ids=[c.record.coding_id for c in choices])}
        return [_quote(choice, records[choice.record.coding_id], replacing, anonymise,
                       paragraphs) for choice in choices]

    def survey_quotes(coded: Sequence[CodingLike], key: str,
                      subtree: Collection[str]) -> list[Quote]:
        """A survey group's quotes, chosen among its codings as a section's are."""
        return quotes(passages.choose(key, subtree, quotes_per_code, anonymise, among=coded))

    sections = []
    depth: dict[str, int] = {}
    for code in shown:
        depth[code.key] = depth.get(code.parent_key, -1) + 1 if code.parent_key else 0
        section = CodeSection(key=code.key, name=code.name, depth=depth[code.key],
                              color=code.color, description=replacing.scrub(code.description),
                              memos=memos.get(code.key, []))
        subtree = set(code_subtrees[code.key])
        extents.count(section, subtree, totals)
        section.quotes = quotes(passages.choose(code.key, subtree, quotes_per_code, anonymise))
        sections.append(section)
    statuses = selection.statuses
    note = SELECTION_NOTE + (f" {SUGGESTION_NOTE}" if "suggested" in statuses else "")
    return Summary(title=replacing.scrub(title),
                   filters=[replacing.scrub(line) for line in selection.describe()],
                   anonymise=anonymise, pseudonymised=pseudonymise, selection=note,
                   all_municipalities=totals[("all", "all")], sections=sections,
                   statuses=statuses, created=date.today().isoformat(),
                   project=project_name(db), coders=sorted({f.coder for f in facts}),
                   codebook_version=codebook.version,
                   sources=source_entries(db, facts, replacing),
                   agreement=agreement_lines(db, selection, facts),
                   survey=survey_questions(db, selection, quotes=survey_quotes,
                                           replacing=replacing, records=facts))


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


class _Extents:
    """Per code, the passages, documents and places its codings reach, to count a section as
    the union over its code and sub-codes."""

    def __init__(self, records: Sequence[CodingLike]) -> None:
        self.spans: dict[str, set[Span]] = defaultdict(set)
        self.documents: dict[str, set[int]] = defaultdict(set)
        self.places: dict[str, set[tuple[str, str | None, str | None]]] = defaultdict(set)
        for r in records:
            self.spans[r.code].add((r.document_id, r.start, r.end))
            self.documents[r.code].add(r.document_id)
            if r.kommune:
                self.places[r.code].add((r.kommune, r.region, r.size_class))

    def count(self, section: CodeSection, subtree: Collection[str],
              totals: dict[tuple[str, str], int]) -> None:
        """Fill in the section's segments, documents, municipalities and coverage."""
        section.segments = len(self._union(self.spans, subtree))
        section.documents = len(self._union(self.documents, subtree))
        reached = coverage(self._union(self.places, subtree), totals)
        section.municipalities = reached.municipalities
        section.by_region, section.by_size = reached.by_region, reached.by_size

    @staticmethod
    def _union(sets: dict[str, set], subtree: Collection[str]) -> set:
        return set().union(*(sets[key] for key in subtree if key in sets))


def _code_memos(db: Database, replacing: Pseudonyms) -> dict[str, list[tuple[str, str]]]:
    memos: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for target, coder, text in db.execute(
            "SELECT target, coder, text FROM memos WHERE target_type = 'code' AND text != '' "
            "ORDER BY target, coder, id"):
        memos[target].append((coder, replacing.scrub(text)))
    return memos


def _quote(choice: Choice, record: CodingRecord, replacing: Pseudonyms, anonymise: bool,
           paragraphs: ParagraphIndex) -> Quote:
    """The chosen passage as a quote on its coding's whole `record`: pseudonymised parts,
    citation and reasons."""
    record = replacing.scrubbed(record)
    parts, labels = [], {}
    for part in choice.candidate.parts:
        replaced = replacing.span(record.document_id, part.start, part.text)
        parts.append(QuotePart(part.start, part.end, replaced.text))
        labels.update(dict.fromkeys(replaced.labels))
    citation = citation_for(record, anonymise=anonymise, paragraphs=paragraphs,
                            pseudonymised=list(labels))
    return Quote(record, tuple(parts), citation,
                 tuple(replacing.scrub(reason) for reason in choice.reasons))

