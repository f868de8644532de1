"""Join the hard line breaks of text that came from a PDF into paragraphs.

`join_lines` is the one way lines of a paragraph become one line, for the PDF reader and for
hard-wrapped `.txt` reports: a line break becomes a space, a word hyphenated at a line end is
mended ("sam-" + "arbejde" → "samarbejde", while "17-årige", "Høje-Taastrup" and "IT-systemet"
keep their hyphen) and a word split without a hyphen is joined when the joined form is a known
Danish word and the halves are not both words ("kommu" + "nerne" → "kommunerne", but "for" +
"mål" stays two words). `unwrap_text` finds hard-wrapped paragraphs in a report's text (lines
of similar length, most ending short of a blank line) and unwraps them; list items, headings,
captions, labels and short lines stay on their own lines. It also joins a paragraph that a
blank line cuts mid-sentence (a page break) to the next one when that goes on in lower case.
"""

from __future__ import annotations

import re
import statistics

from kvali.ingest.transcript import TURN

HYPHENS = "-\u00ad\u2010"
# Words after a hyphen that mark a shared ending, not a split word: "børne- og ungeområdet".
CONJUNCTIONS = {"og", "eller", "samt", "til", "and", "or"}
LAST_WORD = re.compile(r"(?<![\w-])[^\W\d_]+$")
FIRST_WORD = re.compile(r"^[^\W\d_]+(?![\w-])")
# A line that starts a list item, a heading, a quote or a table row: never joined to the line
# before it. "1. Baggrund" and "2.3 Metode" are; "97 pct. af kommunerne" is not.
LIST_MARKER = r"[-–—•*▪◦●‣∙■□➢]\s|\d{1,3}[.)](?:\s|$)|[a-zA-Z][.)]\s"
LIST_ITEM = re.compile(rf"^\s*(?:{LIST_MARKER})")
OWN_LINE = re.compile(rf"^\s*(?:{LIST_MARKER}|[>|#*]|\d+(?:\.\d+)+\s|<?https?://|\[https?://)")
# "20. I forbindelse …" after "jf. figur": a number that continues a sentence, not a list item.
NUMBERED = re.compile(r"^\s*\d{1,3}[.)](?:\s|$)")
TOC_ENTRY = re.compile(r"\.{3,}[^.]{0,12}$")  # "Indledning ..... 2": a table of contents line
BOLD_LINE = re.compile(r"^\s*(?:\*\*|<b>).*(?:\*\*|</b>)$")  # a Markdown or HTML bold heading
ENDS_IN_NUMBER = re.compile(r"\d[\d,%*]*$")  # two such lines in a row are table rows
SENTENCE_END = tuple(".!?:;\"”»)")
HEADING = re.compile(r"^\s*(?:#|\*\*|<b>)")  # a Markdown heading or a bold line
RUN_ON_LINE = 50  # a paragraph whose last line is shorter is no sentence cut by a page break
PARAGRAPHS = re.compile(r"(\n[ \t]*\n\s*)")
MIN_WRAPPED_LINES = 4  # a text needs this many wrapped lines before it counts as hard-wrapped
WRAP_WIDTHS = (50, 130)  # line widths (characters) that hard-wrapped reports use
FULL_LINE = 0.7  # a line at least this share of the wrap width ended because it was full
WRAPPED_SHARE = 0.7  # share of a paragraph's inner lines that must be full


def join_lines(lines: list[str]) -> str:
    """Join a paragraph's lines into one line (see the module docstring)."""
    text = lines[0]
    for line in lines[1:]:
        text = join_two(text, line)
    return text


def join_two(left: str, right: str) -> str:
    """Join two lines: a hyphenated or split word is mended, otherwise a space goes between."""
    if not left or left[-1] not in HYPHENS or len(left) < 2 or not left[-2].isalnum():
        return f"{left}{right}" if is_split_word(left, right) else f"{left} {right}"
    if left[-1] == "\u00ad":
        return f"{left[:-1]}{right}"
    if right.split(" ", 1)[0].casefold() in CONJUNCTIONS:
        return f"{left} {right}"
    stem = left[:-1].rsplit(" ", 1)[-1]
    if stem[-1].isalpha() and right[:1].islower() and not (len(stem) > 1 and stem.isupper()):
        return f"{left[:-1]}{right}"
    return f"{left[:-1]}-{right}"


def is_split_word(left: str, right: str) -> bool:
    """Whether `left` ends and `right` starts with the halves of one word split without a
    hyphen: the joined form is a known word and the halves are not both known words."""
    head, tail = LAST_WORD.search(left), FIRST_WORD.match(right)
    if not head or not tail or not tail[0][0].islower():
        return False
    return _known(head[0] + tail[0]) and not (_known(head[0]) and _known(tail[0]))


def _known(word: str) -> bool:
    """A form or lemma of the Danish lookup table (imported here: the PDF child never needs it)."""
    from kvali.nlp.lemmas import is_known_word, known_lemmas

    lower = word.lower()
    return is_known_word(word) or is_known_word(lower) or lower in known_lemmas()


def unwrap_text(text: str) -> str:
    """`text` with the hard line breaks of its hard-wrapped paragraphs joined, and a paragraph
    that a blank line cuts mid-sentence (a page break) joined to the next. Other blank lines
    between paragraphs are kept as they are."""
    parts = PARAGRAPHS.split(text)
    width = wrap_width([part.split("\n") for part in parts[::2]])
    if width is not None:
        parts[::2] = [_unwrap_paragraph(part.split("\n"), width) for part in parts[::2]]
    kept = [parts[0]]
    for separator, paragraph in zip(parts[1::2], parts[2::2], strict=True):
        last = kept[-1].rstrip().rsplit("\n", 1)[-1]
        if (len(last) >= RUN_ON_LINE and not HEADING.match(last)
                and runs_on(last, paragraph.lstrip())):
            kept[-1] = join_two(kept[-1].rstrip(), paragraph.lstrip())
        else:
            kept += [separator, paragraph]
    return "".join(kept)


def runs_on(previous: str, following: str) -> bool:
    """True when `previous` ends mid-sentence and `following` goes on in lower case."""
    return not previous.endswith(SENTENCE_END) and following[:1].islower()


def wrap_width(paragraphs: list[list[str]]) -> float | None:
    """The width a text is hard-wrapped at, or None when it is not hard-wrapped: enough inner
    lines (lines followed by another line of the same paragraph), most of them nearly full."""
    inner = [len(line.rstrip()) for lines in paragraphs for line in lines[:-1]
             if line.strip() and not OWN_LINE.match(line)]
    if len(inner) < MIN_WRAPPED_LINES:
        return None
    width = statistics.quantiles(inner, n=10)[-1]
    full = sum(length >= FULL_LINE * width for length in inner)
    if not WRAP_WIDTHS[0] <= width <= WRAP_WIDTHS[1] or full < WRAPPED_SHARE * len(inner):
        return None
    return width


def _unwrap_paragraph(lines: list[str], width: float) -> str:
    """One paragraph's lines, each joined to the line before it when that one was full."""
    kept = [lines[0]]
    for previous, line in zip(lines, lines[1:], strict=False):
        if _continues(previous, line, width):
            kept[-1] = join_two(kept[-1].rstrip(), line.strip())
        else:
            kept.append(line)
    return "\n".join(kept)


def _continues(previous: str, line: str, width: float) -> bool:
    """Whether `line` continues `previous`: that one was full (and no table of contents line,
    bold heading or table row) and this one starts no list item, heading, link, caption or
    speaker label ("Kilde: …", "IP1: …"), so that a misread transcript can still be mended."""
    end = previous.rstrip()
    if (len(end) < FULL_LINE * width or not line.strip() or TOC_ENTRY.search(end)
            or BOLD_LINE.match(end)
            or (ENDS_IN_NUMBER.search(end) and ENDS_IN_NUMBER.search(line.rstrip()))):
        return False
    if OWN_LINE.match(line) and not _number_in_sentence(end, line):
        return False
    return not TURN.match(line)


def starts_list_item(previous: str, line: str) -> bool:
    """Whether `line` opens a list item ("- tid", "• viden", "2. Metode"), not a number that
    continues the sentence of `previous`."""
    return bool(LIST_ITEM.match(line)) and not _number_in_sentence(previous.rstrip(), line)


def _number_in_sentence(previous: str, line: str) -> bool:
    """"jf. figur" + "20. I forbindelse …": a number after an unfinished sentence that is no
    numbered list item itself."""
    return (bool(NUMBERED.match(line)) and not previous.endswith(SENTENCE_END)
            and not NUMBERED.match(previous))
