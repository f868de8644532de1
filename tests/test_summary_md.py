"""The Markdown theme report: cover facts, contents, a coverage table per theme, block quotes
»…« with the citation under them, suggestions marked, the appendix; user text escaped."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlite_utils import Database
from test_export_project import open_export_project

from kvali.domain import HUMAN_STATUSES
from kvali.export.coverage import share
from kvali.export.quotes import CUT
from kvali.export.report_text import (
    METHOD_HEADING,
    SIZE_LABELS,
    SOURCES_HEADING,
    SUGGESTION_MARK,
    SURVEY_HEADING,
)
from kvali.export.summary import Summary, build_summary
from kvali.export.summary_md import md_escape, summary_markdown
from kvali.export.survey_answers import AnswerGroup, SurveyQuestion
from kvali.selection import Selection


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> Summary:
    project: Database = open_export_project(tmp_path_factory.mktemp("md"))
    return build_summary(project, Selection(status=HUMAN_STATUSES), max_quote_chars=200)


def test_cover_contents_and_appendix(summary: Summary) -> None:
    filled = replace(summary, created="2026-11-30", coders=["jonas", "mette"],
                     statuses=("accepted", "manual"))
    text = summary_markdown(filled)
    assert text.startswith(f"# {md_escape(summary.title)}\n")
    assert "- **Dato:** 30\\. november 2026" in text  # escaped as if it began a line
    assert "- **Kodet af:** jonas og mette" in text
    assert "- **Kodninger:** Manuelle og accepterede kodninger" in text
    lines = text.splitlines()
    assert "## Indhold" in lines and f"## {METHOD_HEADING}" in lines
    assert f"## {SOURCES_HEADING}" in lines
    assert "- 1 Borgerens nære netværk" in lines and "  - 1.1 Netværksmøder og rådslagning" in lines


def test_quotes_are_block_quotes_with_the_citation_under(summary: Summary) -> None:
    lines = summary_markdown(summary).splitlines()
    for quote in (q for s in summary.sections for q in s.quotes):
        body = ("»" + CUT.join(md_escape(p.text) for p in quote.parts) + "«").split("\n")
        first = lines.index(f"> {body[0]}".rstrip())
        after = lines[first + len(body):first + len(body) + 2]
        assert after[0] == ">" and after[1].startswith("> — ")
        assert quote.citation.reference in after[1]
        assert SUGGESTION_MARK not in after[1]


def test_coverage_table_renders_with_the_breakdown(summary: Summary) -> None:
    markdown_it = pytest.importorskip("markdown_it")
    theme = next(s for s in summary.sections if s.depth == 0 and s.municipalities)
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(
        summary_markdown(replace(summary, sections=[theme], sources=[], survey=[])))
    assert html.count("<table>") == 1
    for b in theme.by_region + theme.by_size:
        label = SIZE_LABELS.get(b.group, b.group)
        assert (f"<td>{label}</td>\n<td style=\"text-align:right\">{b.municipalities}</td>\n"
                f"<td style=\"text-align:right\">{b.total}</td>\n"
                f"<td style=\"text-align:right\">{share(b.municipalities, b.total)}</td>"
                ) in html


def test_suggestions_survey_and_escaping(summary: Summary) -> None:
    section = next(s for s in summary.sections if s.quotes)
    quote = section.quotes[0]
    marked = replace(quote, record=replace(quote.record, status="suggested"),
                     parts=(replace(quote.parts[0], text="Vi har *ingen* <b>idé</b> | her"),))
    question = SurveyQuestion("s_1", "Andet, skriv her", 5, 4, 98,
                              groups=[AnswerGroup("c", "Kode", 2, 2, [quote])])
    text = summary_markdown(replace(summary, sections=[replace(section, quotes=[marked])],
                                    survey=[question], statuses=("suggested", "accepted")))
    assert r"> »Vi har \*ingen\* \<b\>idé\</b\> \| her«" in text
    assert f"**({SUGGESTION_MARK})**" in text
    assert "inkl. ikke-gennemgåede forslag" in text
    assert f"## 2 {SURVEY_HEADING}" in text and "### 2.1 Andet, skriv her" in text
    assert "**Besvarelser:** 5 svar fra 4 kommuner (4 % af de 98)." in text
