"""The DOCX theme report: A4, Danish on every style, cover, contents and page-number fields,
quotes kept with their citations, a coverage table and a chart per theme, suggestions marked,
the appendix, and every quote exactly the document's text (read back with python-docx/lxml)."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from PIL import Image
from sqlite_utils import Database
from test_export_project import open_export_project

from kvali.domain import HUMAN_STATUSES
from kvali.export.coverage import Breakdown, share
from kvali.export.quotes import CUT
from kvali.export.report_text import (
    CONTENTS_PLACEHOLDER,
    METHOD_HEADING,
    SIZE_LABELS,
    SOURCES_HEADING,
    SUGGESTION_MARK,
    SURVEY_HEADING,
)
from kvali.export.summary import SourceEntry, Summary, build_summary
from kvali.export.summary_docx import write_docx
from kvali.export.survey_answers import AnswerGroup, SurveyQuestion
from kvali.municipalities import REGIONS, SIZE_CLASSES
from kvali.selection import Selection
from kvali.tabular import xml_safe

W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
STATUSES_WITH_SUGGESTIONS = ("suggested", "accepted", "manual")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Database:
    return open_export_project(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def summary(project: Database) -> Summary:
    return build_summary(project, Selection(status=HUMAN_STATUSES), max_quote_chars=200)


def saved(summary: Summary, folder: Path, name: str = "report.docx") -> docx.document.Document:
    path = folder / name
    write_docx(summary, path)
    return docx.Document(str(path))


def body_items(document: docx.document.Document) -> list[Paragraph | Table]:
    """Paragraphs and tables of the body, in order."""
    items: list[Paragraph | Table] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            items.append(Paragraph(child, document))
        elif child.tag == qn("w:tbl"):
            items.append(Table(child, document))
    return items


def quote_pairs(document: docx.document.Document) -> list[tuple[Paragraph, Paragraph]]:
    items = body_items(document)
    return [(item, items[index + 1]) for index, item in enumerate(items)
            if isinstance(item, Paragraph) and item.style.name == "Citat"]


def all_quotes(summary: Summary) -> list:
    """The quotes in the order the report prints them: the themes', then the survey's."""
    return [quote for section in summary.sections for quote in section.quotes] + [
        quote for question in summary.survey for group in question.groups
        for quote in group.quotes]


def with_suggestion(summary: Summary) -> Summary:
    """The summary as if suggestions counted and its first quote were one."""
    sections = list(summary.sections)
    index = next(i for i, s in enumerate(sections) if s.quotes)
    quote = sections[index].quotes[0]
    marked = replace(quote, record=replace(quote.record, status="suggested"))
    sections[index] = replace(sections[index], quotes=[marked, *sections[index].quotes[1:]])
    return replace(summary, sections=sections, statuses=STATUSES_WITH_SUGGESTIONS)


def test_page_is_a4_portrait_with_margins(summary: Summary, tmp_path: Path) -> None:
    document = saved(summary, tmp_path)
    size = document.sections[0]._sectPr.find(qn("w:pgSz"))
    assert (size.get(qn("w:w")), size.get(qn("w:h"))) == ("11906", "16838")
    assert size.get(qn("w:orient")) in (None, "portrait")
    section = document.sections[0]
    assert all(margin.cm >= 2 for margin in (section.left_margin, section.right_margin,
                                            section.top_margin, section.bottom_margin))


def test_danish_on_the_defaults_and_every_style_used(summary: Summary, tmp_path: Path) -> None:
    document = saved(with_suggestion(summary), tmp_path)
    styles = document.styles.element
    default = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", W)
    assert default.get(qn("w:val")) == "da-DK"
    parts = [document.element, *(p._element for s in document.sections
                                 for p in (s.header, s.footer, s.first_page_header))]
    used = {e.get(qn("w:val")) for part in parts
            for e in part.iter(qn("w:pStyle"), qn("w:rStyle"))}
    assert {"Citat", "Kildehenvisning", "Beskrivelse", "Forslagsmærke", "Heading1"} <= used
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall("w:style", W)}
    for style_id in used | {"Normal"}:
        lang = by_id[style_id].find("w:rPr/w:lang", W)
        assert lang is not None and lang.get(qn("w:val")) == "da-DK", style_id
    for style in by_id.values():
        if style.get(qn("w:type")) in ("paragraph", "character"):
            assert style.find("w:rPr/w:lang", W).get(qn("w:val")) == "da-DK"
    settings = document.settings.element
    assert settings.find("w:themeFontLang", W).get(qn("w:val")) == "da-DK"
    assert settings.find("w:proofState", W) is None
    assert document.core_properties.language == "da-DK"


def test_contents_field_and_page_numbers(summary: Summary, tmp_path: Path) -> None:
    document = saved(summary, tmp_path)
    codes = [e.text.strip() for e in document.element.iter(qn("w:instrText"))]
    assert 'TOC \\o "1-3" \\h \\z \\u' in codes
    assert CONTENTS_PLACEHOLDER in "\n".join(p.text for p in document.paragraphs)
    update = document.settings.element.find("w:updateFields", W)
    assert update is not None and update.get(qn("w:val")) == "true"
    footer = document.sections[0].footer
    assert [e.text.strip() for e in footer._element.iter(qn("w:instrText"))] == \
        ["PAGE", "NUMPAGES"]
    assert footer.paragraphs[0].text.startswith("Side ") and " af " in footer.paragraphs[0].text
    assert document.sections[0].different_first_page_header_footer  # no number on the cover


def test_cover_says_project_date_selection_coders_and_statuses(summary: Summary,
                                                               tmp_path: Path) -> None:
    filled = replace(summary, created="2026-11-30", project="Opfølgning 2026",
                     coders=["jonas", "mette"], statuses=("accepted", "manual"),
                     codebook_version="3")
    texts = [p.text for p in saved(filled, tmp_path).paragraphs]
    cover = texts[:texts.index("Indhold")]
    assert filled.title in cover
    for line in ("Projekt: Opfølgning 2026", "Dato: 30. november 2026", "Kodet af: jonas og mette",
                 "Kodninger: Manuelle og accepterede kodninger", "Kodebog: version 3"):
        assert line in cover
    assert any(line.startswith("Udvalg: ") for line in cover)
    assert not any(line.startswith("Udvalg: Status") for line in cover)
    suggested = saved(replace(filled, statuses=STATUSES_WITH_SUGGESTIONS), tmp_path, "s.docx")
    assert "Kodninger: Manuelle og accepterede kodninger inkl. ikke-gennemgåede forslag" in \
        [p.text for p in suggested.paragraphs]


def test_headings_theme_then_sub_theme_look_different(summary: Summary, tmp_path: Path) -> None:
    document = saved(summary, tmp_path)
    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style.name.startswith("Heading")]
    assert ("Heading 1", "1 Borgerens nære netværk") in headings
    assert ("Heading 2", "1.1 Netværksmøder og rådslagning") in headings
    assert ("Heading 1", METHOD_HEADING) in headings and ("Heading 1", SOURCES_HEADING) in headings
    one, two = document.styles["Heading 1"], document.styles["Heading 2"]
    assert one.font.size > two.font.size and one.font.color.rgb != two.font.color.rgb
    assert one.paragraph_format.page_break_before


def test_memo_is_plain_text_and_description_has_its_own_style(summary: Summary,
                                                               tmp_path: Path) -> None:
    document = saved(summary, tmp_path)
    [memo] = [p for p in document.paragraphs if "Netværket inddrages mest i børnesager." in p.text]
    assert memo.style.name == "Normal" and memo.text == "Netværket inddrages mest i børnesager."
    assert not any(run.italic for run in memo.runs) and not memo.style.font.italic
    [description] = [p for p in document.paragraphs if "familie, venner" in p.text]
    assert description.style.name == "Beskrivelse"
    citat, beskrivelse = document.styles["Citat"], document.styles["Beskrivelse"]
    assert not citat.font.italic and beskrivelse.font.size < citat.font.size


def test_every_quote_is_exact_in_quotation_marks_and_kept_with_its_citation(
        project: Database, summary: Summary, tmp_path: Path) -> None:
    document = saved(summary, tmp_path)
    pairs = quote_pairs(document)
    quotes = all_quotes(summary)
    assert len(pairs) == len(quotes) > 0
    for (paragraph, citation), quote in zip(pairs, quotes, strict=True):
        text = project.execute("SELECT text FROM documents WHERE id = ?",
                               [quote.record.document_id]).fetchone()[0]
        exact = CUT.join(text[part.start:part.end] for part in quote.parts)
        assert paragraph.text == f"»{xml_safe(exact)}«"
        assert paragraph.paragraph_format.keep_with_next is True
        assert paragraph.paragraph_format.keep_together is True
        assert citation.style.name == "Kildehenvisning"
        assert citation.text == f"— {xml_safe(quote.citation.text())}"
        assert citation.paragraph_format.keep_together is True
    assert any(CUT.strip() in p.text for p, _ in pairs)  # the long quote is cut visibly


def test_suggestions_absent_by_default_and_marked_when_included(project: Database,
                                                                summary: Summary,
                                                                tmp_path: Path) -> None:
    default = saved(summary, tmp_path)
    assert all(q.record.status != "suggested" for q in all_quotes(summary))
    assert SUGGESTION_MARK not in "\n".join(p.text for p in default.paragraphs)
    marked = with_suggestion(summary)
    document = saved(marked, tmp_path, "marked.docx")
    statuses = [q.record.status for q in all_quotes(marked)]
    citations = [citation for _, citation in quote_pairs(document)]
    for status, citation in zip(statuses, citations, strict=True):
        assert (SUGGESTION_MARK in citation.text) == (status == "suggested")
    [mark] = [r for c in citations for r in c.runs if SUGGESTION_MARK in r.text]
    assert mark.style.name == "Forslagsmærke" and mark.style.font.bold
    text = "\n".join(p.text for p in document.paragraphs)
    assert "inkl. ikke-gennemgåede forslag" in text
    real = build_summary(project, Selection(status=STATUSES_WITH_SUGGESTIONS), quotes_per_code=50)
    suggested = [q for q in all_quotes(real) if q.record.status == "suggested"]
    assert suggested, "the export project holds one suggestion"
    citations = [c.text for _, c in quote_pairs(saved(real, tmp_path, "real.docx"))]
    assert sum(SUGGESTION_MARK in line for line in citations) == len(suggested)


def test_coverage_table_per_theme_equals_the_breakdown(summary: Summary, tmp_path: Path) -> None:
    document = saved(summary, tmp_path)
    items = body_items(document)
    themes = [s for s in summary.sections if s.depth == 0 and s.municipalities]
    assert themes
    for section in themes:
        [index] = [i for i, item in enumerate(items) if isinstance(item, Paragraph)
                   and item.text.startswith("Tabel ") and f"– {section.name}:" in item.text]
        table = items[index + 1]
        assert isinstance(table, Table)
        rows = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows}
        assert list(rows)[0] == "" and rows[""] == ["Kommuner med kodninger", "Kommuner i alt",
                                                    "Andel"]
        breakdowns: list[Breakdown] = section.by_region + section.by_size
        assert [b.group for b in section.by_region] == list(REGIONS)
        assert [b.group for b in section.by_size] == list(SIZE_CLASSES)
        for b in breakdowns:
            label = SIZE_LABELS.get(b.group, b.group)
            assert rows[label] == [str(b.municipalities), str(b.total),
                                   share(b.municipalities, b.total)]
        assert rows["Hele landet"] == [str(section.municipalities),
                                       str(summary.all_municipalities),
                                       share(section.municipalities, summary.all_municipalities)]
        for row in table.rows[:-1]:
            assert all(p.paragraph_format.keep_with_next for c in row.cells
                       for p in c.paragraphs)
        assert items[index + 2].text.startswith("Anm.: ")


def test_a_region_chart_per_theme_as_a_png_picture(summary: Summary, tmp_path: Path) -> None:
    document = saved(summary, tmp_path)
    themes = [s for s in summary.sections if s.depth == 0 and s.municipalities]
    shapes = document.inline_shapes
    assert len(shapes) == len(themes) > 0
    images = [part for part in document.part.package.iter_parts()
              if part.content_type == "image/png"]
    assert images
    for part in images:
        with Image.open(io.BytesIO(part.blob)) as image:
            assert image.format == "PNG" and image.width > image.height
    captions = [p.text for p in document.paragraphs if p.text.startswith("Figur ")]
    assert len(captions) == len(themes)


def test_appendix_lists_method_agreement_and_sources(summary: Summary, tmp_path: Path) -> None:
    sources = [SourceEntry(1, "Gruppeinterview om <netværk>", "interview", "netvaerk.md",
                           "Aarhus"),
               SourceEntry(2, "Notat", "report", "notat.md", None)]
    filled = replace(summary, codebook_version="7", statuses=("accepted", "manual"),
                     sources=sources,
                     agreement=["Krippendorffs alfa 0,81 for to kodere på 40 segmenter."])
    document = saved(filled, tmp_path)
    texts = [p.text for p in document.paragraphs]
    method = texts[texts.index(METHOD_HEADING):texts.index(SOURCES_HEADING)]
    assert "Kodebog: version 7" in method
    assert f"Valg af citater: {filled.selection}" in method
    assert "Krippendorffs alfa 0,81 for to kodere på 40 segmenter." in method
    [table] = [t for t in document.tables if t.rows[0].cells[0].text == "Dokument"]
    assert [[c.text for c in row.cells] for row in table.rows[1:]] == [
        ["Gruppeinterview om <netværk>", "Interview", "netvaerk.md", "Aarhus"],
        ["Notat", "Rapport", "notat.md", ""]]
    assert "Rapporten bygger på 2 dokumenter:" in texts


def test_survey_questions_get_a_section_with_a_table_and_grouped_quotes(
        summary: Summary, tmp_path: Path) -> None:
    quote = all_quotes(summary)[0]
    regions = [Breakdown(region, index, 10 + index) for index, region in enumerate(REGIONS)]
    sizes = [Breakdown(size, 1, 20) for size in SIZE_CLASSES]
    question = SurveyQuestion(question="s_3", question_text="Hvad mangler I?", answers=12,
                              municipalities=10, total=98, by_region=regions, by_size=sizes,
                              groups=[AnswerGroup("civil", "Samarbejde med civilsamfundet", 4,
                                                  3, [quote])])
    document = saved(replace(summary, survey=[question]), tmp_path)
    texts = [p.text for p in document.paragraphs]
    chapter = 1 + sum(1 for s in summary.sections if s.depth == 0)
    assert f"{chapter} {SURVEY_HEADING}" in texts
    assert f"{chapter}.1 Hvad mangler I?" in texts
    assert "Besvarelser: 12 svar fra 10 kommuner (10 % af de 98)." in texts
    assert "4 svar fra 3 kommuner." in texts
    [table] = [t for t in document.tables if t.rows[0].cells[1].text == "Kommuner med svar"]
    rows = {row.cells[0].text: row.cells[1].text for row in table.rows}
    assert rows["Region Syddanmark"] == "2" and rows["Hele landet"] == "10"
    in_themes = sum(q.text == quote.text for s in summary.sections for q in s.quotes)
    assert texts.count(f"»{xml_safe(quote.text)}«") == in_themes + 1  # and under the question


@pytest.mark.parametrize("keep_together", [True, False])
def test_table_rows_after_the_first_of_a_kind_are_made_as_the_first(keep_together: bool) -> None:
    """A table's later rows are copies of its first row of that kind with their texts set:
    each must be the row python-docx makes for it as a first row."""
    from lxml import etree

    from kvali.export.docx_style import new_report_document
    from kvali.export.docx_table import add_table

    rows = [(["Aarhus", "12"], "row"), (["Region\tMidt", ""], "group"),
            ([" Viborg ", "3"], "row"), (["", "7\n8"], "row"), (["Odense", "1"], "group"),
            (["I alt", "23"], "total"), (["Næstved ", "»4«"], "row")]

    def table_xml(table_rows: list) -> list[bytes]:
        table = add_table(new_report_document(), ["Kommune", "Antal"], table_rows, (8.0, 3.0),
                          keep_together=keep_together)
        return [etree.tostring(tr) for tr in table._tbl.iterchildren(qn("w:tr"))]

    together = table_xml(rows)
    for index, row in enumerate(rows):
        alone = table_xml([row] if not keep_together or index == len(rows) - 1
                          else [row, (["x", "y"], "row")])
        assert together[index + 1] == alone[1]
