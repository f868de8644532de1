"""The HTML theme report: self-contained and printable, Danish, every project text escaped, the
region charts embedded as PNG data, and the same sections, tables and quotes as the DOCX."""

from __future__ import annotations

import base64
import io
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from PIL import Image
from sqlite_utils import Database
from test_export_project import open_export_project

from kvali.domain import HUMAN_STATUSES
from kvali.export.coverage import share
from kvali.export.report_text import SIZE_LABELS, SUGGESTION_MARK
from kvali.export.summary import Summary, build_summary
from kvali.export.summary_docx import write_docx
from kvali.export.summary_html import summary_html
from kvali.export.summary_md import summary_markdown
from kvali.selection import Selection

ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3",
                "h4", "p", "dl", "dt", "dd", "nav", "ol", "ul", "li", "a", "section", "strong",
                "table", "caption", "thead", "tbody", "tr", "th", "td", "figure", "figcaption",
                "img", "blockquote", "code", "span"}


class Page(HTMLParser):
    """Tags, attributes, headings, table cells and quotes of a page, as a browser sees them."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[str] = []
        self.quotes: list[str] = []
        self.rows: list[list[str]] = []
        self._open: list[str] = []
        self._text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("h1", "h2", "h3", "h4", "blockquote", "td", "th"):
            self._open.append(tag)
            self._text = []
        if tag == "tr":
            self.rows.append([])

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()
            content = "".join(self._text)
            if tag == "blockquote":
                self.quotes.append(content)
            elif tag in ("td", "th"):
                self.rows[-1].append(content)
            else:
                self.headings.append(content)

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> Summary:
    project: Database = open_export_project(tmp_path_factory.mktemp("html"))
    return build_summary(project, Selection(status=HUMAN_STATUSES), max_quote_chars=200)


def test_page_is_danish_printable_a4_and_self_contained(summary: Summary) -> None:
    page = summary_html(summary)
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"da\">")
    assert "@page { size: A4" in page and "break-before: page" in page
    assert "counter(page)" in page and "counter(pages)" in page
    parsed = Page(page)
    assert {tag for tag, _ in parsed.tags} <= ALLOWED_TAGS
    assert not re.search(r"(<ol>|</li>)\s*<ol>", page)  # a sub-list sits inside its item
    assert page.count("<li>") == page.count("</li>")
    for tag, attributes in parsed.tags:
        for name, value in attributes.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("src", "href"):
                assert value and (value.startswith("data:image/png;base64,")
                                  or value.startswith("#")), value


def test_user_text_is_escaped_never_markup(summary: Summary) -> None:
    sections = list(summary.sections)
    index = next(i for i, s in enumerate(sections) if s.quotes)
    quote = sections[index].quotes[0]
    script = replace(quote, parts=(replace(quote.parts[0], text="Vi har <script>alert(1)"
                                           "</script> i skabelonen & *ingen* ved hvorfor."),))
    sections[index] = replace(sections[index], quotes=[script, *sections[index].quotes[1:]],
                              name="<b>tema</b>", description="<i>beskrivelse</i>",
                              memos=[("<u>x</u>", "<a href='x'>memo</a>")])
    hostile = replace(summary, sections=sections, title="<img src=x onerror=alert(1)>",
                      project="<b>p</b>", coders=["<i>x</i>"],
                      agreement=["<script>a()</script>"], filters=["Kommuner: <em>x</em>"])
    page = summary_html(hostile)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; i skabelonen &amp; *ingen*" in page
    for markup in ("<img src=x", "<b>", "<i>", "<u>", "<a href='x'", "<em>"):
        assert markup not in page
    parsed = Page(page)
    assert {tag for tag, _ in parsed.tags} <= ALLOWED_TAGS
    quote_texts = {q.text for s in hostile.sections for q in s.quotes} | {
        q.text for question in hostile.survey for g in question.groups for q in g.quotes}
    assert {q[1:-1] for q in parsed.quotes} == quote_texts  # »…« around the exact text


def test_charts_are_embedded_png(summary: Summary) -> None:
    page = summary_html(summary)
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)"',
                        page)
    themes = [s for s in summary.sections if s.depth == 0 and s.municipalities]
    assert len(images) == len(themes) > 0
    for (data, alt), section in zip(images, themes, strict=True):
        with Image.open(io.BytesIO(base64.b64decode(data))) as image:
            assert image.format == "PNG"
        assert section.by_region[0].group in alt


def test_coverage_tables_hold_the_breakdown(summary: Summary) -> None:
    theme = next(s for s in summary.sections if s.depth == 0 and s.municipalities)
    rows = Page(summary_html(replace(summary, sections=[theme], sources=[], survey=[]))).rows
    table = {row[0]: row[1:] for row in rows if row}
    assert table["Hele landet"] == [str(theme.municipalities), str(summary.all_municipalities),
                                    share(theme.municipalities, summary.all_municipalities)]
    for b in theme.by_region + theme.by_size:
        assert table[SIZE_LABELS.get(b.group, b.group)] == [
            str(b.municipalities), str(b.total), share(b.municipalities, b.total)]


def test_suggestion_marked_only_when_quoted(summary: Summary) -> None:
    assert SUGGESTION_MARK not in summary_html(summary)
    section = next(s for s in summary.sections if s.quotes)
    quote = section.quotes[0]
    marked = replace(section, quotes=[replace(quote, record=replace(quote.record,
                                                                    status="suggested"))])
    page = summary_html(replace(summary, sections=[marked]))
    assert f'<span class="suggestion">({SUGGESTION_MARK})</span>' in page


def test_same_headings_in_docx_html_and_markdown(summary: Summary, tmp_path: Path) -> None:
    write_docx(summary, tmp_path / "r.docx")
    document = docx.Document(str(tmp_path / "r.docx"))
    in_docx = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    in_html = Page(summary_html(summary)).headings
    assert in_html[0] == summary.title and in_html[1] == "Indhold"
    assert in_html[2:] == in_docx
    markdown = summary_markdown(summary)
    in_md = [re.sub(r"\\(.)", r"\1", line.lstrip("#").strip())
             for line in markdown.splitlines() if re.match(r"#{2,4} ", line)]
    assert in_md[0] == "Indhold" and in_md[1:] == in_docx
