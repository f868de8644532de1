"""Rule lists as the codebook form shows them: one entry per line.

A keyword written `=råd` matches only the word itself, not inside compounds
(`{word: råd, compound: false}` in codebook.yaml).
"""

from __future__ import annotations

EXACT = "="


def keywords_to_text(keywords: list) -> str:
    """Stored keywords (strings or {word, compound}) as lines."""
    lines = []
    for keyword in keywords:
        if isinstance(keyword, dict):
            prefix = "" if keyword.get("compound", True) else EXACT
            lines.append(prefix + str(keyword.get("word", "")))
        else:
            lines.append(str(keyword))
    return "\n".join(lines)


def text_to_keywords(text: str) -> list[str | dict]:
    """Lines back to codebook keywords; `=word` turns compound matching off."""
    keywords: list[str | dict] = []
    for line in lines_of(text):
        if line.startswith(EXACT) and line[1:].strip():
            keywords.append({"word": line[1:].strip(), "compound": False})
        elif not line.startswith(EXACT):
            keywords.append(line)
    return keywords


def lines_of(text: str) -> list[str]:
    """Non-empty, stripped lines without duplicates, in order."""
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
