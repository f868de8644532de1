"""The theme summary as one self-contained HTML page: every text escaped, no script."""

from __future__ import annotations

from html import escape

from kvali.export.summary import (
    CodeSection,
    Summary,
    breakdown_lines,
    notices,
    scope_sentence,
)
from kvali.tabular import xml_safe

STYLE = """
body { font-family: Georgia, serif; max-width: 46em; margin: 2em auto; line-height: 1.45; }
blockquote { margin: 1em 0 0.2em 1.5em; padding-left: 1em; border-left: 3px solid #999;
             white-space: pre-wrap; }
p.citation { margin: 0 0 1em 2.5em; font-size: 0.9em; color: #444; }
p.description { font-style: italic; }
code { font-size: 0.85em; }
"""


def text(value: str) -> str:
    """Escaped text with characters HTML cannot hold removed."""
    return escape(xml_safe(value), quote=True)


def summary_html(summary: Summary) -> str:
    """The whole summary as an HTML document."""
    body = [f"<h1>{text(summary.title)}</h1>"]
    if summary.filters:
        body.append("<ul>" + "".join(f"<li>{text(line)}</li>" for line in summary.filters)
                    + "</ul>")
    body += [f"<p>{text(line)}</p>" for line in notices(summary)]
    body.append(f"<p>{text(summary.selection)}</p>")
    for section in summary.sections:
        body += _section(section, summary.all_municipalities)
    return ("<!DOCTYPE html>\n<html lang=\"da\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'\">\n"
            f"<title>{text(summary.title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def _section(section: CodeSection, all_municipalities: int) -> list[str]:
    level = min(section.depth + 2, 6)
    parts = [f"<h{level} id=\"{text(section.key)}\">{text(section.name)}</h{level}>"]
    if section.description:
        parts.append(f"<p class=\"description\">{text(section.description)}</p>")
    for coder, memo in section.memos:
        parts.append(f"<p><strong>Opsummering ({text(coder)}):</strong> {text(memo)}</p>")
    parts.append(f"<p><strong>Omfang:</strong> "
                 f"{text(scope_sentence(section, all_municipalities))}</p>")
    breakdown = breakdown_lines(section)
    if breakdown:
        parts.append("<ul>" + "".join(f"<li>{text(line)}</li>" for line in breakdown) + "</ul>")
    for quote in section.quotes:
        parts.append(f"<blockquote>{text(quote.text)}</blockquote>")
        citation = quote.citation
        where = ", ".join(p for p in (citation.document, citation.position) if p)
        who = f"{text(citation.who)}. " if citation.who else ""
        parts.append(f"<p class=\"citation\">— {who}{text(where)} "
                     f"<code>{text(citation.marker)}</code></p>")
    if not section.quotes:
        parts.append("<p><em>Ingen citater.</em></p>")
    return parts
