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

import heapq
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
    choose_quotes,
    cut_quote,
    hoped_rank,
)
from kvali.export.records import CodingRecord, coding_records
from kvali.export.survey_answers import SurveyQuestion, survey_questions
from kvali.privacy.pseudonymise import Pseudonyms, pseudonyms
from kvali.selection import Selection, shown_codes

Span = tuple[int, int, int]  # document id, start, end

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
    by_code: dict[str, list[CodingRecord]] = defaultdict(list)
    for record in records:
        by_code[record.code].append(record)
    totals = group_totals(db)
    paragraphs = ParagraphIndex(db)
    memos = _code_memos(db, replacing)
    code_subtrees = subtrees((code.key, code.parent_key) for code in codebook.codes)
    texts = _Texts(db, max_quote_chars)
    words = ThemeWords(codebook)
    passages = _Passages(records, texts, words)

    def quotes(source: _Passages, key: str, subtree: Collection[str]) -> list[Quote]:
        return [_quote(choice, replacing, anonymise, paragraphs)
                for choice in source.choose(key, subtree, quotes_per_code, anonymise)]

    def survey_quotes(coded: Sequence[CodingRecord], key: str,
                      subtree: Collection[str]) -> list[Quote]:
        """A survey group's quotes, chosen among its codings as a section's are."""
        return quotes(_Passages(coded, texts, words), key, subtree)

    sections = []
    depth: dict[str, int] = {}
    for code in shown:
        depth[code.key] = depth.get(code.parent_key, -1) + 1 if code.parent_key else 0
        section = CodeSection(key=code.key, name=code.name, depth=depth[code.key],
                              color=code.color, description=replacing.scrub(code.description),
                              memos=memos.get(code.key, []))
        subtree = set(code_subtrees[code.key])
        coded = [record for key in subtree for record in by_code[key]]
        _count(section, coded, totals)
        section.quotes = quotes(passages, code.key, subtree)
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
                   survey=survey_questions(db, selection, quotes=survey_quotes,
                                           replacing=replacing))


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
    """Document texts, each read once, and the parts a passage is shown in, each cut once."""

    def __init__(self, db: Database, max_chars: int) -> None:
        self.db = db
        self.max_chars = max_chars
        self.texts: dict[int, str] = {}
        self.cuts: dict[Span, tuple[QuotePart, ...]] = {}

    def parts(self, span: Span) -> tuple[QuotePart, ...]:
        """`cut_quote` of the passage."""
        if span not in self.cuts:
            document_id, start, end = span
            if document_id not in self.texts:
                self.texts[document_id] = self.db.execute(
                    "SELECT text FROM documents WHERE id = ?", [document_id]).fetchone()[0]
            self.cuts[span] = cut_quote(self.texts[document_id], start, end, self.max_chars)
        return self.cuts[span]


class _Passages:
    """The coded passages of some codings, ranked once per code, from which each code's quotes
    are chosen with its sub-codes' (`kvali.export.quotes.choose_quotes`)."""

    def __init__(self, records: Sequence[CodingRecord], texts: _Texts,
                 words: ThemeWords) -> None:
        self.texts = texts
        self.words = words
        self.records: dict[Span, list[CodingRecord]] = defaultdict(list)
        for record in records:
            self.records[(record.document_id, record.start, record.end)].append(record)
        self.most: dict[Span, int] = {}
        self.key_quotes: dict[str, list[Span]] = defaultdict(list)  # in document order
        self.ranked: dict[str, list[tuple[tuple, Span]]] = defaultdict(list)
        for span, coded in self.records.items():
            most = self.most[span] = words.most(coded)
            for code in dict.fromkeys(r.code for r in coded):
                record = _standing([r for r in coded if r.code == code], code) \
                    if len(coded) > 1 else coded[0]
                if record.key_quote:
                    self.key_quotes[code].append(span)
                self.ranked[code].append((hoped_rank(record, most), span))
        for ranked in self.ranked.values():
            ranked.sort()

    def candidate(self, span: Span, key: str, subtree: Collection[str]) -> Candidate:
        """The passage as a quote of code `key`: the coding that stands for it among the
        subtree's, its parts as shown, and the subtree's words any of them finds (looked for
        only when the passage could be chosen)."""
        coded = [r for r in self.records[span] if r.code in subtree]
        record = _standing(coded, key)
        parts = self.texts.parts(span)

        def found() -> tuple[str, ...]:
            return tuple(dict.fromkeys(word for r in coded
                                       for word in self.words.words(r, parts, subtree)))

        return Candidate(record, parts, found, own=record.code == key,
                         most_words=self.most[span])

    def choose(self, key: str, subtree: Collection[str], limit: int,
               anonymise: bool) -> list[Choice]:
        """The chosen quotes of code `key` whose sub-codes (and itself) are `subtree`."""
        key_quotes = [self.candidate(span, key, subtree) for span in self.key_quotes.get(key, [])]
        streams = [self.ranked[code] for code in subtree if code in self.ranked]
        ranked = ((hoped, lambda span=span: self.candidate(span, key, subtree))
                  for hoped, span in heapq.merge(*streams))
        return choose_quotes(key_quotes, ranked, limit, anonymise=anonymise)


def _standing(coded: Sequence[CodingRecord], key: str) -> CodingRecord:
    """The coding that stands for a passage in code `key`'s section: a key quote of the code
    itself, else any key quote, else a human coding, else the first."""
    if len(coded) == 1:
        return coded[0]
    return min(coded, key=lambda r: (not (r.key_quote and r.code == key), not r.key_quote,
                                     STATUS_RANK.get(r.status, 2), r.coding_id))


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
