"""The theme summary as one self-contained, printable HTML page (the DOCX report's content).

Every text from the project is escaped (`text`), the page holds no script (its Content Security
Policy allows inline styles and data: images only), the region charts are PNGs in data: URIs,
and the print style gives A4 pages with each theme on a new page and "Side X af Y" where the
browser supports page margin boxes.
"""

from __future__ import annotations

import base64
from html import escape

from kvali.export.quotes import Quote
from kvali.export.report_chart import region_chart_png
from kvali.export.report_text import (
    AGREEMENT,
    CONTENTS,
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
    chart_description,
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

STYLE = """
@page { size: A4; margin: 25mm 22mm;
        @bottom-center { content: "Side " counter(page) " af " counter(pages);
                         font: 8.5pt Arial, sans-serif; color: #595959; } }
body { font-family: Arial, "Liberation Sans", sans-serif; font-size: 10.5pt; color: #1f1f1f;
       max-width: 46em; margin: 2em auto; line-height: 1.45; }
.cover { min-height: 60vh; padding-top: 12vh; }
.cover h1 { font-size: 28pt; color: #1f3864; margin-bottom: 0.3em; }
.cover .subtitle { font-size: 14pt; color: #595959; font-style: italic; margin-bottom: 2em; }
.cover dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3em 1em; }
.cover dt { font-weight: bold; } .cover dd { margin: 0; }
nav h2, h2 { font-size: 18pt; color: #1f3864; }
nav ol { list-style: none; padding-left: 0; } nav ol ol { padding-left: 1.5em; }
h3 { font-size: 14pt; color: #2e74b5; } h4 { font-size: 11.5pt; }
section.chapter { break-before: page; }
p.description { font-size: 9pt; color: #595959; background: #eef2f7; padding: 0.3em 0.5em; }
figure.quote { margin: 1em 1cm 0.8em 1cm; break-inside: avoid; }
blockquote { margin: 0; padding-left: 0.8em; border-left: 3px solid #2e74b5;
             white-space: pre-wrap; }
figure.quote figcaption { font-size: 8.5pt; color: #595959; margin-top: 0.2em; }
.suggestion { color: #c55a11; font-weight: bold; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; break-inside: avoid;
        border-top: 1px solid #1f3864; border-bottom: 1px solid #1f3864; }
caption { caption-side: top; text-align: left; font-weight: bold; font-size: 9.5pt;
          margin-bottom: 0.3em; }
th { background: #1f3864; color: #fff; text-align: left; padding: 0.2em 0.4em; }
td { border-top: 1px solid #a6a6a6; padding: 0.15em 0.4em; }
td.number, th.number { text-align: right; }
tr.group td { background: #e7ecf3; font-weight: bold; }
tr.total td { font-weight: bold; border-top: 1px solid #1f3864; }
p.note { font-size: 8pt; color: #595959; margin: 0.2em 0; }
figure.chart { margin: 1em 0; break-inside: avoid; }
figure.chart figcaption { font-weight: bold; font-size: 9.5pt; margin-bottom: 0.3em; }
figure.chart img { width: 100%; height: auto; }
code { font-size: 0.95em; }
@media print { body { max-width: none; margin: 0; } nav, .cover { break-after: page; } }
"""
NUMBER = ' class="number"'


def text(value: str) -> str:
    """Escaped text with characters HTML cannot hold removed."""
    return escape(xml_safe(value), quote=True)


def summary_html(summary: Summary) -> str:
    """The whole summary as an HTML document."""
    numbers = heading_numbers(summary.sections)
    body = [*_cover(summary), *_contents(summary, numbers)]
    counters = {"table": 0, "figure": 0}
    chapter: list[str] = []
    for section, number in zip(summary.sections, numbers, strict=True):
        if section.depth == 0 and chapter:
            body.append(_chapter(chapter))
            chapter = []
        chapter += _section(summary, section, number, counters)
    if chapter:
        body.append(_chapter(chapter))
    if summary.survey:
        body.append(_chapter(_survey(summary, _survey_number(summary), counters)))
    body.append(_chapter(_method(summary)))
    body.append(_chapter(_sources(summary)))
    return ("<!DOCTYPE html>\n<html lang=\"da\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; img-src data:\">\n"
            f"<title>{text(summary.title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def _chapter(parts: list[str]) -> str:
    return "<section class=\"chapter\">\n" + "\n".join(parts) + "\n</section>"


def _survey_number(summary: Summary) -> str:
    return str(len([s for s in summary.sections if s.depth == 0]) + 1)


def _cover(summary: Summary) -> list[str]:
    facts = "".join(f"<dt>{text(label)}</dt><dd>{text(value)}</dd>"
                    for label, value in cover_facts(summary))
    warning = suggestion_notice(summary)
    lines = notices(summary) + ([warning] if warning else [])
    return ["<header class=\"cover\">", f"<h1>{text(summary.title)}</h1>",
            f"<p class=\"subtitle\">{SUBTITLE}</p>",
            f"<dl>{facts}</dl>", *(f"<p class=\"note\">{text(line)}</p>" for line in lines),
            "</header>"]


def _anchor(section: CodeSection) -> str:
    return text(f"kode-{section.key}")


def _contents(summary: Summary, numbers: list[str]) -> list[str]:
    """Nested lists of links to the themes and sub-codes, then the survey and the appendix."""
    parts, depth = ["<nav>", f"<h2>{CONTENTS}</h2>", "<ol>"], 0
    for index, (section, number) in enumerate(zip(summary.sections, numbers, strict=True)):
        target = min(section.depth, 2)
        if target > depth:  # a sub-list inside the open item
            parts += ["<ol>"] * (target - depth)
        elif index:
            parts += ["</li>"] + ["</ol></li>"] * (depth - target)
        depth = target
        parts.append(f"<li><a href=\"#{_anchor(section)}\">{text(number)} "
                     f"{text(section.name)}</a>")
    if summary.sections:
        parts += ["</li>"] + ["</ol></li>"] * depth
    extra = ([f"{_survey_number(summary)} {SURVEY_HEADING}"] if summary.survey else []) + \
        [METHOD_HEADING, SOURCES_HEADING]
    parts += [f"<li>{text(line)}</li>" for line in extra]
    return [*parts, "</ol>", "</nav>"]


def _section(summary: Summary, section: CodeSection, number: str,
             counters: dict[str, int]) -> list[str]:
    level = min(section.depth + 2, 4)
    parts = [f"<h{level} id=\"{_anchor(section)}\">{text(number)} {text(section.name)}"
             f"</h{level}>"]
    if section.description:
        parts.append(f"<p class=\"description\"><strong>Beskrivelse:</strong> "
                     f"{text(section.description)}</p>")
    for coder, paragraph in finding_paragraphs(section):
        who = f"<strong>{text(coder)}:</strong> " if coder else ""
        parts.append(f"<p class=\"finding\">{who}{text(paragraph)}</p>")
    parts.append(f"<p><strong>Omfang:</strong> "
                 f"{text(scope_sentence(section, summary.all_municipalities))}</p>")
    if has_coverage_table(section):
        counters["table"] += 1
        parts += _table(coverage_caption(counters["table"], section.name),
                        section_coverage(section, summary.all_municipalities),
                        coverage_note(summary.all_municipalities), summary)
        counters["figure"] += 1
        parts += _chart(summary, section, counters["figure"])
    parts += _quotes(section.quotes)
    if not section.quotes:
        parts.append(f"<p>{NO_QUOTES}</p>")
    return parts


def _table(caption: str, rows: list[CoverageRow], note: str, summary: Summary,
           counted: str = "Kommuner med kodninger") -> list[str]:
    header = "".join(f"<th{NUMBER if index else ''}>{text(column)}</th>"
                     for index, column in enumerate(coverage_columns(counted)))
    body = []
    for row in rows:
        cells = "".join(f"<td{NUMBER if index else ''}>{text(cell)}</td>"
                        for index, cell in enumerate(row.cells))
        body.append(f"<tr class=\"{row.kind}\">{cells}</tr>")
    return [f"<table class=\"coverage\"><caption>{text(caption)}</caption>",
            f"<thead><tr>{header}</tr></thead><tbody>", *body, "</tbody></table>",
            f"<p class=\"note\">{text(note)}</p>",
            f"<p class=\"note\">{text(source_note(summary))}</p>"]


def _chart(summary: Summary, section: CodeSection, number: int) -> list[str]:
    png = base64.b64encode(region_chart_png(section.by_region, section.color)).decode("ascii")
    return ["<figure class=\"chart\">",
            f"<figcaption>{text(chart_caption(number, section.name))}</figcaption>",
            f"<img src=\"data:image/png;base64,{png}\" alt=\"{text(chart_description(section))}\">",
            f"<p class=\"note\">{text(source_note(summary))}</p>", "</figure>"]


def _quotes(quotes: list[Quote]) -> list[str]:
    parts = []
    for quote in quotes:
        citation = quote.citation
        where = ", ".join(p for p in (citation.document, citation.position) if p)
        who = f"{text(citation.who)}. " if citation.who else ""
        mark = f" <span class=\"suggestion\">({SUGGESTION_MARK})</span>" \
            if is_suggestion(quote) else ""
        parts += ["<figure class=\"quote\">",
                  f"<blockquote>{text(quoted(quote.text))}</blockquote>",
                  f"<figcaption class=\"citation\">— {who}{text(where)} "
                  f"<code>{text(citation.marker)}</code>{mark}</figcaption>", "</figure>"]
    return parts


def _survey(summary: Summary, chapter: str, counters: dict[str, int]) -> list[str]:
    parts = [f"<h2 id=\"survey\">{text(chapter)} {SURVEY_HEADING}</h2>"]
    for index, question in enumerate(summary.survey, start=1):
        parts += _question(summary, question, f"{chapter}.{index}", counters)
    return parts


def _question(summary: Summary, question: SurveyQuestion, number: str,
              counters: dict[str, int]) -> list[str]:
    parts = [f"<h3>{text(number)} {text(question_title(question))}</h3>",
             f"<p><strong>Besvarelser:</strong> {text(survey_scope(question))}</p>"]
    if question.municipalities:
        counters["table"] += 1
        parts += _table(survey_caption(counters["table"], question), survey_coverage(question),
                        survey_note(question.total), summary, counted="Kommuner med svar")
    for group in question.groups:
        parts += [f"<h4>{text(group.code_name)}</h4>", f"<p>{text(group_line(group))}</p>",
                  *_quotes(group.quotes)]
    return parts


def _method(summary: Summary) -> list[str]:
    parts = [f"<h2 id=\"metode\">{METHOD_HEADING}</h2>"]
    parts += [f"<p><strong>{text(label)}:</strong> {text(value)}</p>"
              for label, value in method_facts(summary)]
    parts += [f"<p>{text(line)}</p>" for line in notices(summary)]
    if summary.agreement:
        parts.append(f"<p><strong>{AGREEMENT}:</strong></p><ul>"
                     + "".join(f"<li>{text(line)}</li>" for line in summary.agreement)
                     + "</ul>")
    return parts


def _sources(summary: Summary) -> list[str]:
    parts = [f"<h2 id=\"kilder\">{SOURCES_HEADING}</h2>"]
    rows = source_rows(summary)
    if not rows:
        return [*parts, f"<p>{NO_SOURCES}</p>"]
    header = "".join(f"<th>{text(column)}</th>" for column in SOURCE_COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{text(cell)}</td>" for cell in row) + "</tr>"
                   for row in rows)
    return [*parts, f"<table class=\"sources\"><thead><tr>{header}</tr></thead>"
                    f"<tbody>{body}</tbody></table>"]
