"""The theme summary as a Word document an analyst can paste into a report.

Themes and codes are Word headings (Heading 1, 2, …), quotes use the built-in "Quote" style and
each citation follows its quote in-line in a paragraph style of its own ("Kildehenvisning"), so
a report template can restyle all of them at once.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt

from kvali.export.summary import (
    CodeSection,
    Summary,
    breakdown_lines,
    notices,
    scope_sentence,
)
from kvali.tabular import xml_safe

CITATION_STYLE = "Kildehenvisning"


def build_docx(summary: Summary) -> docx.document.Document:
    """The summary as a python-docx Document (not yet saved)."""
    document = docx.Document()
    document.core_properties.title = xml_safe(summary.title)
    document.core_properties.author = "kvali"
    _citation_style(document)
    document.add_heading(xml_safe(summary.title), level=0)
    for line in summary.filters:
        document.add_paragraph(xml_safe(line), style="List Bullet")
    for line in notices(summary):
        document.add_paragraph(line)
    document.add_paragraph(summary.selection)
    for section in summary.sections:
        _section(document, section, summary.all_municipalities)
    return document


def write_docx(summary: Summary, path: Path) -> None:
    """Write the summary to a .docx file."""
    build_docx(summary).save(str(path))


def _citation_style(document: docx.document.Document) -> None:
    style = document.styles.add_style(CITATION_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.font.size = Pt(9)
    style.font.italic = True
    style.paragraph_format.left_indent = Pt(36)
    style.paragraph_format.space_after = Pt(12)


def _section(document: docx.document.Document, section: CodeSection,
             all_municipalities: int) -> None:
    document.add_heading(xml_safe(section.name), level=min(section.depth + 1, 9))
    if section.description:
        document.add_paragraph().add_run(xml_safe(section.description)).italic = True
    for coder, memo in section.memos:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"Opsummering ({xml_safe(coder)}): ").bold = True
        paragraph.add_run(xml_safe(memo))
    paragraph = document.add_paragraph()
    paragraph.add_run("Omfang: ").bold = True
    paragraph.add_run(scope_sentence(section, all_municipalities))
    for line in breakdown_lines(section):
        document.add_paragraph(xml_safe(line), style="List Bullet")
    for quote in section.quotes:
        document.add_paragraph(xml_safe(quote.text), style="Quote")
        document.add_paragraph("— " + xml_safe(quote.citation.text()), style=CITATION_STYLE)
    if not section.quotes:
        document.add_paragraph().add_run("Ingen citater.").italic = True
