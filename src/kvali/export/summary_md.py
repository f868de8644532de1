"""The theme summary as Markdown: the DOCX report's content as headings, tables and block quotes.

The cover becomes the title with a list of facts, the contents a list of the headings, each
theme's coverage a table (Markdown has no pictures of its own, so the region chart is left to
the table that holds its numbers), each quote a block quote »…« with its citation under it.
Every text from the project goes through `md_escape`.
"""

from __future__ import annotations

import re

from kvali.export.citations import Citation
from kvali.export.quotes import CUT, Quote
from kvali.export.report_text import (
    AGREEMENT,
    CLOSE_QUOTE,
    CONTENTS,
    METHOD_HEADING,
    NO_QUOTES,
    NO_SOURCES,
    OPEN_QUOTE,
    SOURCE_COLUMNS,
    SOURCES_HEADING,
    SUBTITLE,
    SUGGESTION_MARK,
    SURVEY_HEADING,
    CoverageRow,
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

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#&~])")
_EDGE_SPACE = re.compile(r"^[ \t]+|[ \t]+$", re.MULTILINE)
_ORDERED = re.compile(r"^(\d+)([.)])(?=\s|$)", re.MULTILINE)
_BULLET_OR_RULE = re.compile(r"^([-+=])(?=\s|$|\1)", re.MULTILINE)


def md_escape(text: str) -> str:
    """Text that CommonMark shows as written: no emphasis, code, links, entities or HTML, and
    no line that starts a list ("19. juni" becomes "19\\. juni", not "\\19."), a heading, a
    rule or an indented code block (space at line edges is dropped, as rendering would)."""
    text = _SPECIAL.sub(r"\\\1", _EDGE_SPACE.sub("", text))
    return _BULLET_OR_RULE.sub(r"\\\1", _ORDERED.sub(r"\1\\\2", text))


def _line(text: str) -> str:
    """Escaped text kept on one line (for table cells and list items)."""
    return md_escape(" ".join(text.split()))


def summary_markdown(summary: Summary) -> str:
    """The whole summary as one Markdown text."""
    numbers = heading_numbers(summary.sections)
    lines = [f"# {md_escape(summary.title)}", "", f"*{SUBTITLE}*", ""]
    lines += [f"- **{label}:** {_line(value)}" for label, value in cover_facts(summary)]
    lines.append("")
    warning = suggestion_notice(summary)
    for line in notices(summary) + ([warning] if warning else []):
        lines += [md_escape(line), ""]
    lines += [f"## {CONTENTS}", ""]
    lines += [f"{'  ' * min(s.depth, 2)}- {md_escape(n)} {_line(s.name)}"
              for s, n in zip(summary.sections, numbers, strict=True)]
    chapter = str(len([s for s in summary.sections if s.depth == 0]) + 1)
    lines += [f"- {chapter} {SURVEY_HEADING}"] if summary.survey else []
    lines += [f"- {METHOD_HEADING}", f"- {SOURCES_HEADING}", ""]
    tables = [0]
    for section, number in zip(summary.sections, numbers, strict=True):
        lines += _section(summary, section, number, tables)
    if summary.survey:
        lines += [f"## {chapter} {SURVEY_HEADING}", ""]
        for index, question in enumerate(summary.survey, start=1):
            lines += _question(summary, question, f"{chapter}.{index}", tables)
    lines += _method(summary) + _sources(summary)
    return "\n".join(lines).rstrip("\n") + "\n"


def _citation(citation: Citation) -> str:
    where = ", ".join(part for part in (citation.document, citation.position) if part)
    who = f"{citation.who}. " if citation.who else ""
    return f"{md_escape(who + where)} [{citation.reference}{md_escape(citation.pseudonym_note)}]"


def _section(summary: Summary, section: CodeSection, number: str,
             tables: list[int]) -> list[str]:
    level = "#" * min(section.depth + 2, 4)
    lines = [f"{level} {md_escape(number)} {md_escape(section.name)}", ""]
    if section.description:
        lines += [f"*Beskrivelse: {md_escape(section.description)}*", ""]
    for coder, text in finding_paragraphs(section):
        who = f"**{md_escape(coder)}:** " if coder else ""
        lines += [who + md_escape(text), ""]
    lines += [f"**Omfang:** {scope_sentence(section, summary.all_municipalities)}", ""]
    if has_coverage_table(section):
        tables[0] += 1
        lines += _table(coverage_caption(tables[0], section.name),
                        section_coverage(section, summary.all_municipalities),
                        coverage_note(summary.all_municipalities), summary)
    lines += _quotes(section.quotes)
    if not section.quotes:
        lines += [f"*{NO_QUOTES}*", ""]
    return lines


def _table(caption: str, rows: list[CoverageRow], note: str, summary: Summary,
           counted: str = "Kommuner med kodninger") -> list[str]:
    columns = coverage_columns(counted)
    lines = [f"**{_line(caption)}**", "", "| " + " | ".join(columns) + " |",
             "|---|" + "---:|" * (len(columns) - 1)]
    for row in rows:
        label, *numbers = (_line(cell) for cell in row.cells)
        if row.kind != "row":
            label = f"**{label}**"
        lines.append("| " + " | ".join([label, *numbers]) + " |")
    return [*lines, "", md_escape(note), "", md_escape(source_note(summary)), ""]


def _quotes(quotes: list[Quote]) -> list[str]:
    lines = []
    for quote in quotes:
        body = (OPEN_QUOTE + CUT.join(md_escape(part.text) for part in quote.parts)
                + CLOSE_QUOTE).split("\n")
        mark = f" **({SUGGESTION_MARK})**" if is_suggestion(quote) else ""
        lines += [f"> {line}".rstrip() for line in body]
        lines += [">", f"> — {_citation(quote.citation)}{mark}", ""]
    return lines


def _question(summary: Summary, question: SurveyQuestion, number: str,
              tables: list[int]) -> list[str]:
    lines = [f"### {md_escape(number)} {_line(question_title(question))}", "",
             f"**Besvarelser:** {survey_scope(question)}", ""]
    if question.municipalities:
        tables[0] += 1
        lines += _table(survey_caption(tables[0], question), survey_coverage(question),
                        survey_note(question.total), summary, counted="Kommuner med svar")
    for group in question.groups:
        lines += [f"#### {_line(group.code_name)}", "", group_line(group), "",
                  *_quotes(group.quotes)]
    return lines


def _method(summary: Summary) -> list[str]:
    lines = [f"## {METHOD_HEADING}", ""]
    for label, text in method_facts(summary):
        lines += [f"**{label}:** {md_escape(text)}", ""]
    for line in notices(summary):
        lines += [md_escape(line), ""]
    if summary.agreement:
        lines += [f"**{AGREEMENT}:**", ""] + [f"- {_line(line)}" for line in summary.agreement]
        lines.append("")
    return lines


def _sources(summary: Summary) -> list[str]:
    rows = source_rows(summary)
    if not rows:
        return [f"## {SOURCES_HEADING}", "", NO_SOURCES, ""]
    return [f"## {SOURCES_HEADING}", "", "| " + " | ".join(SOURCE_COLUMNS) + " |",
            "|" + "---|" * len(SOURCE_COLUMNS),
            *("| " + " | ".join(_line(cell) for cell in row) + " |" for row in rows), ""]
