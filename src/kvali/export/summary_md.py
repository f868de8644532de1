"""The theme summary as Markdown: headings per theme, quotes as block quotes with citations."""

from __future__ import annotations

import re

from kvali.export.citations import Citation
from kvali.export.quotes import CUT
from kvali.export.summary import (
    CodeSection,
    Summary,
    breakdown_lines,
    notices,
    scope_sentence,
)

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


def summary_markdown(summary: Summary) -> str:
    """The whole summary as one Markdown text."""
    lines = [f"# {md_escape(summary.title)}", ""]
    for line in summary.filters:
        lines += [f"- {md_escape(line)}"]
    if summary.filters:
        lines.append("")
    for line in notices(summary):
        lines += [md_escape(line), ""]
    lines += [summary.selection, ""]
    for section in summary.sections:
        lines += _section(section, summary.all_municipalities)
    return "\n".join(lines).rstrip("\n") + "\n"


def _citation(citation: Citation) -> str:
    where = ", ".join(part for part in (citation.document, citation.position) if part)
    who = f"{citation.who}. " if citation.who else ""
    return f"{md_escape(who + where)} [{citation.reference}{md_escape(citation.pseudonym_note)}]"


def _section(section: CodeSection, all_municipalities: int) -> list[str]:
    level = "#" * min(section.depth + 2, 6)
    lines = [f"{level} {md_escape(section.name)}", ""]
    if section.description:
        lines += [f"*{md_escape(section.description)}*", ""]
    for coder, text in section.memos:
        lines += [f"**Opsummering ({md_escape(coder)}):** {md_escape(text)}", ""]
    lines += [f"**Omfang:** {scope_sentence(section, all_municipalities)}", ""]
    breakdown = breakdown_lines(section)
    if breakdown:
        lines += [f"- {md_escape(line)}" for line in breakdown] + [""]
    for quote in section.quotes:
        body = CUT.join(md_escape(part.text) for part in quote.parts).split("\n")
        lines += [f"> {line}".rstrip() for line in body]
        lines += [">", f"> — {_citation(quote.citation)}", ""]
    if not section.quotes:
        lines += ["*Ingen citater.*", ""]
    return lines
