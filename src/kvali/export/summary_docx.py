"""The theme summary as a Word report in the manner of the national reports.

A cover (title, project, date, selection, coders, statuses), a table of contents, then one
chapter per theme: Heading 1 for the theme and Heading 2/3 for its sub-codes, the code
description in "Beskrivelse", the analyst's memo as the finding text, the extent, a coverage
table by region and size class with a region chart for each theme, and the quotes in "Citat"
(»…«, kept on the page of their citation in "Kildehenvisning"); a quote from an unreviewed
suggestion says so in its citation line. Then the open survey questions, when there are any,
and the appendix: "Metode" and "Kilder". Page numbers "Side X af Y" in the footer. The styles
and the page are set in `kvali.export.docx_style`, the words in `kvali.export.report_text`.
"""

from __future__ import annotations

import io
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm
from docx.text.paragraph import Paragraph

from kvali.export.docx_fields import add_contents, add_page_numbers
from kvali.export.docx_style import (
    CAPTION_STYLE,
    CITATION_STYLE,
    CONTENTS_STYLE,
    COVER_FACT_STYLE,
    DESCRIPTION_STYLE,
    FIGURE_STYLE,
    NOTE_STYLE,
    QUOTE_STYLE,
    SUGGESTION_STYLE,
    new_report_document,
)
from kvali.export.docx_table import add_table
from kvali.export.quotes import Quote
from kvali.export.report_chart import region_chart_png
from kvali.export.report_text import (
    AGREEMENT,
    CONTENTS,
    CONTENTS_PLACEHOLDER,
    METHOD_HEADING,
    NO_QUOTES,
    NO_SOURCES,
    SOURCE_COLUMNS,
    SOURCES_HEADING,
    SUBTITLE,
    SUGGESTION_MARK,
    SURVEY_HEADING,
    CoverageRow,
    chart_caption,
    citation_line,
    cover_facts,
    coverage_caption,
    coverage_columns,
    coverage_note,
    finding_paragraphs,
    group_line,
    has_coverage_table,
    heading_numbers,
    is_suggestion,
    method_facts,
    question_title,
    quoted,
    section_coverage,
    source_note,
    source_rows,
    suggestion_notice,
    survey_caption,
    survey_coverage,
    survey_note,
    survey_scope,
)
from kvali.export.summary import CodeSection, Summary, notices, scope_sentence
from kvali.export.survey_answers import SurveyQuestion
from kvali.tabular import xml_safe

__all__ = ["CITATION_STYLE", "QUOTE_STYLE", "build_docx", "write_docx"]

Document = docx.document.Document
COVERAGE_WIDTHS = (8.0, 3.2, 2.8, 2.0)
SOURCE_WIDTHS = (6.0, 2.6, 4.4, 3.0)
CHART_WIDTH = Cm(15)


class _Numbers:
    """The running numbers of tables and figures."""

    def __init__(self) -> None:
        self.table = 0
        self.figure = 0

    def next_table(self) -> int:
        self.table += 1
        return self.table

    def next_figure(self) -> int:
        self.figure += 1
        return self.figure


def build_docx(summary: Summary) -> Document:
    """The summary as a python-docx Document (not yet saved)."""
    document = new_report_document()
    document.core_properties.title = xml_safe(summary.title)
    document.core_properties.author = "kvali"
    _header_and_footer(document, summary)
    _cover(document, summary)
    _contents(document)
    numbers = _Numbers()
    for section, number in zip(summary.sections, heading_numbers(summary.sections),
                               strict=True):
        _section(document, summary, section, number, numbers)
    if summary.survey:
        _survey(document, summary, len([s for s in summary.sections if s.depth == 0]) + 1,
                numbers)
    _method(document, summary)
    _sources(document, summary)
    return document


def write_docx(summary: Summary, path: Path) -> None:
    """Write the summary to a .docx file."""
    build_docx(summary).save(str(path))


def _header_and_footer(document: Document, summary: Summary) -> None:
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.text = xml_safe(summary.title)
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_page_numbers(footer)


def _cover(document: Document, summary: Summary) -> None:
    document.add_paragraph(xml_safe(summary.title), style="Title")
    document.add_paragraph(SUBTITLE, style="Subtitle")
    for label, value in cover_facts(summary):
        _labelled(document, label, value, COVER_FACT_STYLE)
    warning = suggestion_notice(summary)
    lines = notices(summary) + ([warning] if warning else [])
    for line in lines:
        document.add_paragraph(xml_safe(line), style=NOTE_STYLE)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _contents(document: Document) -> None:
    document.add_paragraph(CONTENTS, style=CONTENTS_STYLE)
    add_contents(document.add_paragraph(), CONTENTS_PLACEHOLDER)


def _labelled(document: Document, label: str, value: str, style: str) -> Paragraph:
    paragraph = document.add_paragraph(style=style)
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(xml_safe(value))
    return paragraph


def _section(document: Document, summary: Summary, section: CodeSection, number: str,
             numbers: _Numbers) -> None:
    document.add_heading(f"{number} {xml_safe(section.name)}", level=min(section.depth + 1, 3))
    if section.description:
        paragraph = document.add_paragraph(style=DESCRIPTION_STYLE)
        paragraph.add_run("Beskrivelse: ").bold = True
        paragraph.add_run(xml_safe(section.description))
    for coder, text in finding_paragraphs(section):
        paragraph = document.add_paragraph()
        if coder:
            paragraph.add_run(f"{xml_safe(coder)}: ").bold = True
        paragraph.add_run(xml_safe(text))
    scope = _labelled(document, "Omfang", scope_sentence(section, summary.all_municipalities),
                      "Normal")
    scope.paragraph_format.keep_with_next = True  # the heading, the extent and what follows
    if has_coverage_table(section):
        _coverage_table(document, summary, coverage_caption(numbers.next_table(), section.name),
                        section_coverage(section, summary.all_municipalities),
                        coverage_note(summary.all_municipalities))
        _chart(document, summary, section, numbers.next_figure())
    _quotes(document, section.quotes)
    if not section.quotes:
        document.add_paragraph(NO_QUOTES)


def _coverage_table(document: Document, summary: Summary, caption: str,
                    rows: list[CoverageRow], note: str,
                    counted: str = "Kommuner med kodninger") -> None:
    document.add_paragraph(xml_safe(caption), style=CAPTION_STYLE)
    add_table(document, coverage_columns(counted), [(row.cells, row.kind) for row in rows],
              COVERAGE_WIDTHS)
    document.add_paragraph(note, style=NOTE_STYLE).paragraph_format.space_before = Cm(0.15)
    document.add_paragraph(xml_safe(source_note(summary)), style=NOTE_STYLE)


def _chart(document: Document, summary: Summary, section: CodeSection, number: int) -> None:
    document.add_paragraph(xml_safe(chart_caption(number, section.name)), style=CAPTION_STYLE)
    paragraph = document.add_paragraph(style=FIGURE_STYLE)
    paragraph.add_run().add_picture(io.BytesIO(region_chart_png(section.by_region,
                                                                section.color)),
                                    width=CHART_WIDTH)
    document.add_paragraph(xml_safe(source_note(summary)), style=NOTE_STYLE)


def _quotes(document: Document, quotes: list[Quote]) -> None:
    for quote in quotes:
        paragraph = document.add_paragraph(xml_safe(quoted(quote.text)), style=QUOTE_STYLE)
        paragraph.paragraph_format.keep_with_next = True  # also when pasted into a template
        paragraph.paragraph_format.keep_together = True
        citation = document.add_paragraph(xml_safe(citation_line(quote)), style=CITATION_STYLE)
        citation.paragraph_format.keep_together = True
        if is_suggestion(quote):
            citation.add_run(" ")
            citation.add_run(f"({SUGGESTION_MARK})", style=SUGGESTION_STYLE)


def _survey(document: Document, summary: Summary, chapter: int, numbers: _Numbers) -> None:
    document.add_heading(f"{chapter} {SURVEY_HEADING}", level=1)
    for index, question in enumerate(summary.survey, start=1):
        _question(document, summary, question, f"{chapter}.{index}", numbers)


def _question(document: Document, summary: Summary, question: SurveyQuestion, number: str,
              numbers: _Numbers) -> None:
    document.add_heading(f"{number} {xml_safe(question_title(question))}", level=2)
    _labelled(document, "Besvarelser", survey_scope(question), "Normal")
    if question.municipalities:
        _coverage_table(document, summary, survey_caption(numbers.next_table(), question),
                        survey_coverage(question), survey_note(question.total),
                        counted="Kommuner med svar")
    for group in question.groups:
        document.add_heading(xml_safe(group.code_name), level=3)
        document.add_paragraph(group_line(group))
        _quotes(document, group.quotes)


def _method(document: Document, summary: Summary) -> None:
    document.add_heading(METHOD_HEADING, level=1)
    for label, text in method_facts(summary):
        _labelled(document, label, text, "Normal")
    for line in notices(summary):
        document.add_paragraph(xml_safe(line))
    if summary.agreement:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{AGREEMENT}:").bold = True
        paragraph.paragraph_format.keep_with_next = True
        for line in summary.agreement:
            document.add_paragraph(xml_safe(line), style="List Bullet")


def _sources(document: Document, summary: Summary) -> None:
    document.add_heading(SOURCES_HEADING, level=1)
    rows = source_rows(summary)
    if not rows:
        document.add_paragraph(NO_SOURCES)
        return
    document.add_paragraph(f"Rapporten bygger på {len(rows)} "
                           f"{'dokument' if len(rows) == 1 else 'dokumenter'}:")
    add_table(document, SOURCE_COLUMNS, [(row, "row") for row in rows], SOURCE_WIDTHS,
              numeric_from=None, keep_together=False)
