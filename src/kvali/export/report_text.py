"""The words of the theme report that every format prints (DOCX, HTML and Markdown).

The writers only lay out; this module says what the cover, the coverage tables, the captions
and the appendix read, so the formats cannot drift apart. Danish, in the manner of the national
reports: "Tabel 1 – …" above a table, "Anm.:" and "Kilde:" under it, percentages rounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kvali.domain import KIND_LABELS
from kvali.export.coverage import Breakdown, share
from kvali.export.quotes import Quote
from kvali.export.summary import CodeSection, Summary
from kvali.export.survey_answers import AnswerGroup, SurveyQuestion
from kvali.municipalities import LARGE_FROM, MEDIUM_FROM
from kvali.selection import FIELDS

OPEN_QUOTE, CLOSE_QUOTE = "»", "«"
SUGGESTION_MARK = "Forslag – ikke gennemgået"
CONTENTS = "Indhold"
CONTENTS_PLACEHOLDER = "Højreklik og vælg Opdater felt for at vise indholdsfortegnelsen."
SURVEY_HEADING = "Åbne besvarelser i spørgeskemaet"
METHOD_HEADING = "Bilag 1 – Metode"
SOURCES_HEADING = "Bilag 2 – Kilder"
SOURCE_COLUMNS = ("Dokument", "Type", "Fil", "Kommune")
NO_QUOTES = "Ingen citater i udvalget."
NO_SOURCES = "Ingen dokumenter i udvalget."
SUBTITLE = "Temarapport med citater og kildehenvisninger"
AGREEMENT = "Enighed mellem kodere"
VERBATIM = (
    "Citaterne er gengivet ordret fra de importerede dokumenter; »[…]« markerer, at tekst er "
    "udeladt. Henvisningen [doc:ID:START-SLUT] angiver dokumentet og citatets placering i "
    "projektets tekst, så ethvert citat kan efterprøves (kvali cite doc:ID:START-SLUT).")
MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
          "oktober", "november", "december")


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


SIZE_LABELS = {
    "lille": f"Små kommuner (under {_thousands(MEDIUM_FROM)} indb.)",
    "mellemstor": f"Mellemstore kommuner ({_thousands(MEDIUM_FROM)}–"
                  f"{_thousands(LARGE_FROM - 1)} indb.)",
    "stor": f"Store kommuner ({_thousands(LARGE_FROM)} indb. og derover)",
}


def quoted(text: str) -> str:
    """The quote inside Danish quotation marks: »…«."""
    return f"{OPEN_QUOTE}{text}{CLOSE_QUOTE}"


def is_suggestion(quote: Quote) -> bool:
    """True for a quote from a machine suggestion nobody has reviewed."""
    return quote.record.status == "suggested"


def danish_date(iso: str) -> str:
    """"2026-12-01" as "1. december 2026" (an unreadable date is returned as given)."""
    try:
        year, month, day = (int(part) for part in iso[:10].split("-"))
        return f"{day}. {MONTHS[month - 1]} {year}"
    except (ValueError, IndexError):
        return iso


def join_words(words: Sequence[str]) -> str:
    """"a, b og c"."""
    return " og ".join(filter(None, [", ".join(words[:-1]), *words[-1:]]))


def status_phrase(statuses: Sequence[str]) -> str:
    """Which codings count, in words: "manuelle og accepterede kodninger", "… inkl.
    ikke-gennemgåede forslag"."""
    names = {"manual": "manuelle", "accepted": "accepterede"}
    human = [names[status] for status in names if status in statuses]
    phrase = f"{join_words(human)} kodninger" if human else ""
    if "suggested" in statuses:
        phrase = f"{phrase} inkl. ikke-gennemgåede forslag" if phrase \
            else "kun ikke-gennemgåede forslag"
    if "rejected" in statuses:
        phrase = f"{phrase} og afviste forslag" if phrase else "kun afviste forslag"
    return phrase


def selection_lines(summary: Summary) -> list[str]:
    """The filters of the selection; the statuses are left to their own line when known."""
    status = f"{FIELDS['status'].label}: "
    return [line for line in summary.filters
            if not (summary.statuses and line.startswith(status))]


def includes_suggestions(summary: Summary) -> bool:
    """True when unreviewed suggestions count (or any quote is one)."""
    return "suggested" in summary.statuses or any(
        is_suggestion(quote) for section in summary.sections for quote in section.quotes)


def cover_facts(summary: Summary) -> list[tuple[str, str]]:
    """(label, value) lines of the cover: project, date, selection, coders, statuses."""
    facts = []
    if summary.project:
        facts.append(("Projekt", summary.project))
    if summary.created:
        facts.append(("Dato", danish_date(summary.created)))
    facts.append(("Udvalg", "; ".join(selection_lines(summary)) or "hele projektet"))
    if summary.coders:
        facts.append(("Kodet af", join_words(summary.coders)))
    if summary.statuses:
        facts.append(("Kodninger", status_phrase(summary.statuses).capitalize()))
    if summary.codebook_version:
        facts.append(("Kodebog", f"version {summary.codebook_version}"))
    return facts


def suggestion_notice(summary: Summary) -> str | None:
    """The cover's warning when suggestions are quoted."""
    if not includes_suggestions(summary):
        return None
    return (f"Rapporten medtager kodninger, som ingen har gennemgået; citater fra dem er "
            f"markeret »{SUGGESTION_MARK}«.")


def heading_numbers(sections: Sequence[CodeSection]) -> list[str]:
    """"1", "1.1", "1.2", "2" … for the sections in order, by depth."""
    counters: list[int] = []
    numbers = []
    for section in sections:
        depth = section.depth
        counters = counters[:depth + 1] + [0] * max(0, depth + 1 - len(counters))
        counters[depth] += 1
        numbers.append(".".join(str(n) for n in counters[:depth + 1]))
    return numbers


def finding_paragraphs(section: CodeSection) -> list[tuple[str | None, str]]:
    """The analyst's memos as paragraphs (split at blank lines), each with its coder when more
    than one coder wrote about the code."""
    several = len({coder for coder, _ in section.memos}) > 1
    paragraphs = []
    for coder, memo in section.memos:
        for index, paragraph in enumerate(p.strip() for p in memo.split("\n\n")):
            if paragraph:
                paragraphs.append((coder if several and index == 0 else None, paragraph))
    return paragraphs


@dataclass(frozen=True)
class CoverageRow:
    """One row of a coverage table; a "group" row is a sub-heading without numbers."""

    label: str
    reached: int | None = None
    total: int | None = None
    kind: str = "row"  # "group", "row" or "total"

    @property
    def cells(self) -> tuple[str, str, str, str]:
        """The row's four cells as text."""
        if self.reached is None or self.total is None:
            return self.label, "", "", ""
        return self.label, str(self.reached), str(self.total), share(self.reached, self.total)


def coverage_columns(counted: str = "Kommuner med kodninger") -> tuple[str, ...]:
    """The header of a coverage table."""
    return "", counted, "Kommuner i alt", "Andel"


def coverage_rows(by_region: Sequence[Breakdown], by_size: Sequence[Breakdown],
                  reached: int, total: int) -> list[CoverageRow]:
    """Regions, then size classes, then the whole country, as the national reports show them."""
    return [CoverageRow("Region", kind="group"),
            *(CoverageRow(b.group, b.municipalities, b.total) for b in by_region),
            CoverageRow("Kommunestørrelse", kind="group"),
            *(CoverageRow(SIZE_LABELS.get(b.group, b.group), b.municipalities, b.total)
              for b in by_size),
            CoverageRow("Hele landet", reached, total, kind="total")]


def section_coverage(section: CodeSection, all_municipalities: int) -> list[CoverageRow]:
    """The coverage table of a theme."""
    return coverage_rows(section.by_region, section.by_size, section.municipalities,
                         all_municipalities)


def has_coverage_table(section: CodeSection) -> bool:
    """Themes (top-level codes) that reach a municipality get a table and a chart."""
    return section.depth == 0 and section.municipalities > 0


def coverage_caption(number: int, name: str) -> str:
    """"Tabel 3 – Borgerens nære netværk: kommuner med kodninger efter region og …"."""
    return f"Tabel {number} – {name}: kommuner med kodninger efter region og kommunestørrelse"


def chart_caption(number: int, name: str) -> str:
    """The caption of a theme's region chart."""
    return f"Figur {number} – {name}: andel af kommunerne i hver region med kodninger"


def chart_description(section: CodeSection) -> str:
    """The chart's content in words (its alternative text)."""
    return "; ".join(f"{b.group}: {b.municipalities} af {b.total} kommuner "
                     f"({share(b.municipalities, b.total)})" for b in section.by_region)


def coverage_note(total: int) -> str:
    """The "Anm.:" under a theme's coverage table."""
    return ("Anm.: Tabellen viser, hvor mange af kommunerne i hver region og størrelsesgruppe "
            "der indgår med mindst én kodning under temaet eller dets undertemaer. Procenterne "
            f"er afrundet til hele tal. N = {total}.")


def survey_note(total: int) -> str:
    """The "Anm.:" under a survey question's table."""
    return ("Anm.: Tabellen viser, hvor mange af kommunerne i hver region og størrelsesgruppe "
            f"der har besvaret spørgsmålet. Procenterne er afrundet til hele tal. N = {total}.")


def source_note(summary: Summary) -> str:
    """The "Kilde:" under tables and figures."""
    project = f" »{summary.project}«" if summary.project else ""
    when = f" pr. {danish_date(summary.created)}" if summary.created else ""
    statuses = f" ({status_phrase(summary.statuses)})" if summary.statuses else ""
    return f"Kilde: Kodningerne i kvali-projektet{project}{when}{statuses}."


def citation_line(quote: Quote) -> str:
    """The line under a quote: "— Socialchef, Aarhus. Gruppeinterview …, tur 2 [doc:…]"."""
    return f"— {quote.citation.text()}"


def survey_scope(question: SurveyQuestion) -> str:
    """"42 svar fra 30 kommuner (31 % af de 98)."."""
    return (f"{question.answers} svar fra {_municipalities(question.municipalities)} "
            f"({share(question.municipalities, question.total)} af de {question.total}).")


def survey_coverage(question: SurveyQuestion) -> list[CoverageRow]:
    """The table of municipalities that answered a question."""
    return coverage_rows(question.by_region, question.by_size, question.municipalities,
                         question.total)


def survey_caption(number: int, question: SurveyQuestion) -> str:
    """The caption of a question's table."""
    return (f"Tabel {number} – {question_title(question)}: kommuner, der har svaret, efter "
            "region og kommunestørrelse")


def question_title(question: SurveyQuestion) -> str:
    """The question's text, else its variable name."""
    return question.question_text or question.question


def group_line(group: AnswerGroup) -> str:
    """"12 svar fra 9 kommuner."."""
    return f"{group.answers} svar fra {_municipalities(group.municipalities)}."


def _municipalities(number: int) -> str:
    return f"{number} {'kommune' if number == 1 else 'kommuner'}"


def method_facts(summary: Summary) -> list[tuple[str, str]]:
    """(label, text) paragraphs of the method appendix."""
    facts = []
    if summary.codebook_version:
        facts.append(("Kodebog", f"version {summary.codebook_version}"))
    if summary.statuses:
        facts.append(("Kodninger", status_phrase(summary.statuses).capitalize() + "."))
    if summary.coders:
        facts.append(("Kodere", join_words(summary.coders) + "."))
    facts.append(("Udvalg", "; ".join(selection_lines(summary)) or "Hele projektet."))
    facts.append(("Valg af citater", summary.selection))
    facts.append(("Citater", VERBATIM))
    return facts


def source_rows(summary: Summary) -> list[tuple[str, str, str, str]]:
    """The list of sources: document, kind, file, municipality."""
    return [(source.name, KIND_LABELS.get(source.kind, source.kind), source.file,
             source.municipality or "") for source in summary.sources]
