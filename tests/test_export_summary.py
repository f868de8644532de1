"""Theme summaries: golden files per format, exact quotes and citations (the quote choice is
tested in tests/test_quotes.py, what the summary counts in tests/test_summary_content.py).

Regenerate the golden files after an intended change with
`KVALI_UPDATE_GOLDEN=1 python -m pytest tests/test_export_summary.py` and review the diff.
"""

from __future__ import annotations

import html
import json
import os
import re
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook
from sqlite_utils import Database
from test_export_project import open_export_project

from kvali.errors import UsageError
from kvali.export.citations import cite
from kvali.export.formats import write_summary
from kvali.export.quotes import CUT, cut_quote
from kvali.export.records import coding_records
from kvali.export.summary import Summary, build_summary
from kvali.export.summary_docx import CITATION_STYLE, QUOTE_STYLE
from kvali.selection import Selection
from kvali.tabular import xml_safe

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Database:
    return open_export_project(tmp_path_factory.mktemp("summary"))


@pytest.fixture(scope="module")
def summary(project: Database) -> Summary:
    summary = build_summary(project, max_quote_chars=200, quotes_per_code=10)
    return replace(summary, created="2026-11-30")  # the golden files hold a fixed date


def check_golden(name: str, actual: str) -> None:
    """`actual` equals the golden file, apart from the embedded chart images."""
    actual = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "data:image/png;base64,…", actual)
    path = GOLDEN / name
    if os.environ.get("KVALI_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"golden file {path} is missing (set KVALI_UPDATE_GOLDEN=1)"
    assert actual == path.read_text(encoding="utf-8")


def docx_outline(path: Path) -> str:
    document = docx.Document(str(path))
    return "\n".join(f"{p.style.name} | {p.text}" for p in document.paragraphs) + "\n"


def xlsx_dump(path: Path) -> str:
    workbook = load_workbook(path)
    sheets = {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
              for sheet in workbook.worksheets}
    return json.dumps(sheets, ensure_ascii=False, indent=1) + "\n"


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_text_formats_match_golden(summary: Summary, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"summary.{fmt}"
    assert write_summary(summary, target) == fmt
    check_golden(f"summary.{fmt}", target.read_text(encoding="utf-8"))


def test_docx_matches_golden(summary: Summary, tmp_path: Path) -> None:
    target = tmp_path / "summary.docx"
    write_summary(summary, target)
    outline = docx_outline(target)
    check_golden("summary.docx.txt", outline)
    assert "Heading 1 | 1 Borgerens nære netværk" in outline
    assert "Heading 2 | 1.1 Netværksmøder og rådslagning" in outline
    assert outline.count(f"{QUOTE_STYLE} | »") == outline.count(f"{CITATION_STYLE} | — ") > 0


def test_xlsx_matches_golden(summary: Summary, tmp_path: Path) -> None:
    target = tmp_path / "summary.xlsx"
    write_summary(summary, target)
    check_golden("summary.xlsx.json", xlsx_dump(target))
    workbook = load_workbook(target)
    assert workbook.sheetnames == ["Citater", "Antal"]
    quotes = list(workbook["Citater"].iter_rows(values_only=True))
    assert len(quotes) - 1 == sum(len(s.quotes) for s in summary.sections)


def test_every_quote_is_the_source_text_at_its_offsets(project: Database,
                                                       summary: Summary) -> None:
    quotes = [q for s in summary.sections for q in s.quotes]
    assert quotes
    for quote in quotes:
        text = project.execute("SELECT text FROM documents WHERE id = ?",
                               [quote.record.document_id]).fetchone()[0]
        for part in quote.parts:
            assert part.text == text[part.start:part.end]
        assert quote.parts[0].start == quote.record.start
        assert quote.parts[-1].end == quote.record.end
        record = quote.record
        assert quote.citation.reference == f"doc:{record.document_id}:{record.start}-{record.end}"


def test_every_format_carries_the_exact_quotes(summary: Summary, tmp_path: Path) -> None:
    quotes = [q for s in summary.sections for q in s.quotes]
    for fmt in ("html", "docx", "xlsx"):
        write_summary(summary, tmp_path / f"s.{fmt}")
    page = html.unescape((tmp_path / "s.html").read_text(encoding="utf-8"))
    outline = docx_outline(tmp_path / "s.docx")
    cells = {row[5] for row in load_workbook(tmp_path / "s.xlsx")["Citater"].iter_rows(
        min_row=2, values_only=True)}
    for quote in quotes:
        assert quote.text in page
        assert f"{QUOTE_STYLE} | »{xml_safe(quote.text)}«" in outline
        assert xml_safe(quote.text) in cells
        assert quote.citation.reference in page and quote.citation.reference in outline


def test_long_quote_is_cut_visibly_and_exactly(summary: Summary) -> None:
    [quote] = {q.record.reference: q for s in summary.sections for q in s.quotes
               if q.cut}.values()  # quoted under its code and under the theme above it
    assert CUT.strip() in quote.text
    assert quote.text == CUT.join(part.text for part in quote.parts)
    assert quote.parts[0].text.startswith("Netværket bliver tabt")
    assert quote.parts[-1].text.endswith("hele vejen.")


def test_cut_quote_keeps_short_quotes_whole_and_cuts_at_words() -> None:
    text = "Et kort citat."
    assert [p.text for p in cut_quote(text, 0, len(text), 100)] == [text]
    long = " ".join(f"ord{i}" for i in range(100))
    head, tail = cut_quote(long, 0, len(long), 120)
    assert head.text == long[head.start:head.end] and tail.text == long[tail.start:tail.end]
    assert long[head.end] == " " and long[tail.start - 1] == " "
    assert len(head.text) + len(tail.text) <= 120


def test_html_escapes_markup_and_has_no_script(summary: Summary) -> None:
    from kvali.export.summary_html import summary_html

    page = summary_html(summary)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()


def test_markdown_escapes_markup(summary: Summary) -> None:
    from kvali.export.summary_md import summary_markdown

    text = summary_markdown(summary)
    assert r"\<script\>" in text and r"\*ingen\*" in text


HOSTILE_LINES = [
    "19. juni holdt vi møde.", "3) tre", "1. maj\n2. juni", "- ikke en liste", "+ plus",
    "* stjerne", "# ikke en overskrift", "> ikke et citat", "Linje\n===", "Linje\n---", "---",
    "***", "___", "~~~\nkode\n~~~", "```\nkode\n```", "    indrykket", "to  \nlinjer",
    "<script>alert(1)</script>", "<b>fed</b>", "&lt;b&gt; og &amp;", "[link](javascript:x)",
    "![billede](x.png)", "<http://example.invalid>", "a | b\n--- | ---\nc | d",
    "*fed* _kursiv_ `kode` ~~streg~~", "skråstreg \\ her", "-Intet at tilføje", "=SUM(A1)",
]


def test_markdown_shows_user_text_as_written_never_as_structure(summary: Summary) -> None:
    """CommonMark renders each escaped line as one paragraph of the same text; a quote starting
    "19. juni" stays "19. juni" (escaped "19\\.", not "\\19.")."""
    from kvali.export.summary_md import md_escape, summary_markdown

    markdown_it = pytest.importorskip("markdown_it")
    render = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render
    for text in HOSTILE_LINES:
        shown = "\n".join(line.strip() for line in text.split("\n"))
        assert render(md_escape(text)) == f"<p>{markdown_it.common.utils.escapeHtml(shown)}</p>\n"
    section = next(s for s in summary.sections if s.quotes)
    quote = section.quotes[0]
    dated = replace(quote, parts=(replace(quote.parts[0],
                                          text="Vi mødtes igen.\n19. juni holdt vi møde."),))
    page = render(summary_markdown(replace(summary, sections=[replace(section, quotes=[dated])])))
    assert "<blockquote>\n<p>»Vi mødtes igen.\n19. juni holdt vi møde.«</p>" in page
    assert "<ol" not in page


def test_key_quotes_come_first(summary: Summary) -> None:
    sections = {s.key: s for s in summary.sections}
    first = sections["netvaerk.moeder"].quotes[0]
    assert first.record.key_quote
    assert first.text == "Hos os er det familierådslagning, der bærer arbejdet med netværket."
    transitions = sections["netvaerk.overgange"].quotes
    assert transitions[0].record.key_quote and transitions[0].cut


def test_counts_include_sub_codes(summary: Summary) -> None:
    sections = {s.key: s for s in summary.sections}
    theme = sections["netvaerk"]
    assert theme.municipalities == 4  # Aarhus, Viborg, Gentofte (via netvaerk.moeder), Aalborg
    assert {b.group: b.municipalities for b in theme.by_region}["Region Midtjylland"] == 2
    assert {b.group: b.total for b in theme.by_region}["Region Midtjylland"] == 19
    assert sections["civil"].municipalities == 3
    assert sections["civil"].documents == 2


def test_citations_name_role_place_and_position(project: Database) -> None:
    records = {r.coding_id: r for r in coding_records(project)}
    citations = cite(project, records)
    by_text, ids = {}, {}
    for coding_id, citation in citations.items():
        record = records[coding_id]
        text = project.execute("SELECT substr(text, ?, ?) FROM documents WHERE id = ?",
                               [record.start + 1, record.end - record.start,
                                record.document_id]).fetchone()[0]
        by_text[text], ids[text] = citation, coding_id
    meeting = by_text["Vi holder netværksmøder med de pårørende"]
    assert (meeting.role, meeting.place) == ("Socialchef", "Aarhus")
    assert meeting.position == "tur 2, 00:00:40"
    assert meeting.text().startswith("Socialchef, Aarhus. Gruppeinterview om netværk, tur 2")
    survey = by_text["Vi mangler frivillige til at støtte borgernes netværk."]
    assert (survey.role, survey.place, survey.position) == ("Afdelingsleder", "Odense", "række 3")
    report = by_text["overgangen til voksenlivet er kritisk for netværket"]
    assert report.role is None and report.position == "afsnit 3"
    meeting_id = ids["Vi holder netværksmøder med de pårørende"]
    anonymous = cite(project, [meeting_id], anonymise=True)[meeting_id]
    assert anonymous.place == "kommune i Region Midtjylland"
    assert "Aarhus" not in anonymous.text()


def test_citations_of_segments(project: Database) -> None:
    segment_id = project.execute(
        "SELECT s.id FROM segments s JOIN speakers sp ON sp.id = s.speaker_id "
        "WHERE sp.role = 'Tilbudsleder' LIMIT 1").fetchone()[0]
    citation = cite(project, [segment_id], target="segment", anonymise=True)[segment_id]
    assert citation.role == "Tilbudsleder"
    assert citation.place == "kommune i Region Hovedstaden"
    assert citation.reference.startswith("doc:")


def test_filters_narrow_the_summary(project: Database) -> None:
    result = build_summary(project, Selection(code=("netvaerk.moeder",), region=("Midtjylland",),
                                            status=("manual",)))
    assert [s.key for s in result.sections] == ["netvaerk", "netvaerk.moeder"]
    quoted = {q.record.kommune for s in result.sections for q in s.quotes}
    assert quoted <= {"Aarhus", "Viborg"}
    assert "Regioner: Midtjylland" in result.filters


def test_summary_refuses_unknown_format(summary: Summary, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="md, docx, html, xlsx"):
        write_summary(summary, tmp_path / "summary.pdf")
    with pytest.raises(UsageError, match="--region .Fyn.: use one of Region"):
        build_summary(open_export_project(tmp_path / "p"), Selection(region=("Fyn",)))
