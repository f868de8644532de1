r"""Codebook `patterns` on RE2, a linear-time engine: no pattern can make `kvali tag` hang.

RE2 has no back-references or look-arounds, and its `\w`, `\d`, `\s` and `\b` know only ASCII,
so a pattern is translated first: `\w`, `\d`, `\s` (and `\W`, `\D`, `\S`) get Python's Unicode
meaning (æ, ø and å are letters), `\Z` becomes RE2's `\z`, and `\b` — supported at the start
and the end of a pattern — means "not preceded (followed) by a letter, digit or _" there. A
pattern RE2 cannot run is refused with the reason when the codebook is checked. Matching is
case-insensitive, with spans in Python characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import re2

from kvali.errors import CodebookError

WORD = r"\p{L}\p{N}_"
SPACE = (r"\t-\r\x1c-\x20\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}"
         r"\x{205f}\x{3000}")
OUTSIDE = {"w": f"[{WORD}]", "W": f"[^{WORD}]", "d": r"\p{Nd}", "D": r"\P{Nd}",
           "s": f"[{SPACE}]", "S": f"[^{SPACE}]", "Z": r"\z"}
INSIDE = {"w": WORD, "d": r"\p{Nd}", "D": r"\P{Nd}", "s": SPACE}
FLAGS = re.compile(r"\A\(\?[a-zA-Z]+\)")
ENGINE = "kvali's linear-time pattern engine"
REASONS = [  # RE2's error text → what the analyst wrote
    (re.compile(r"invalid escape sequence: \\[1-9]|operator: \(\?P"), "uses a back-reference"),
    (re.compile(r"\(\?<?[=!]"), "uses a look-ahead or look-behind"),
    (re.compile(r"\(\?>"), "uses an atomic group"),
    (re.compile(r"bad repetition operator: [*+?}]\+"), "uses a possessive quantifier (++, *+)"),
    (re.compile(r"invalid repetition size"), "repeats a part more than 1,000 times"),
    (re.compile(r"pattern too large"), "is too large"),
]


class PatternError(CodebookError):
    """A pattern that kvali's engine cannot run; `reason` completes "pattern '…' "."""

    def __init__(self, pattern: str, reason: str) -> None:
        self.reason = reason
        super().__init__(f"pattern {pattern!r} {reason}")


@dataclass(frozen=True)
class CodebookPattern:
    """One compiled pattern; `spans` are its non-overlapping matches in Python characters."""

    source: str
    regex: re2._Regexp
    later: re2._Regexp | None  # for a leading \b: the search that goes on after a match

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of each non-overlapping match, left to right."""
        data = text.encode("utf-8", "surrogatepass")  # searched as bytes: no re-encoding
        chars = _CharOffsets(data, ascii=len(data) == len(text))
        pos = 0
        while pos <= len(data):
            # A leading \b looks at the character before the match: let RE2 see it.
            hit = (self.later.search(data, _back(data, pos)) if pos and self.later
                   else self.regex.search(data, pos))
            if hit is None:
                return
            start, end = hit.span(1)
            yield chars.at(start), chars.at(end)
            pos = end if end > start else _forward(data, end)


class _CharOffsets:
    """Python character offsets of UTF-8 byte offsets that never decrease, in one pass."""

    def __init__(self, data: bytes, ascii: bool) -> None:
        self.data, self.ascii = data, ascii
        self.byte = self.char = 0

    def at(self, offset: int) -> int:
        if self.ascii:
            return offset
        self.char += len(self.data[self.byte:offset].decode("utf-8", "surrogatepass"))
        self.byte = offset
        return self.char


def _back(data: bytes, pos: int) -> int:
    """The start of the character before byte POS (0 at the start)."""
    pos = max(pos - 1, 0)
    while pos and data[pos] & 0xC0 == 0x80:
        pos -= 1
    return pos


def _forward(data: bytes, pos: int) -> int:
    """The start of the character after the one at byte POS."""
    pos += 1
    while pos < len(data) and data[pos] & 0xC0 == 0x80:
        pos += 1
    return pos


def compile_pattern(pattern: str) -> CodebookPattern:
    """The pattern translated for RE2 and compiled; PatternError says why it cannot be."""
    flags = FLAGS.match(pattern)
    prefix = flags.group() if flags else ""
    body = pattern[len(prefix):]
    alone = not _top_level_alternation(body)  # `\ba|b` is (\ba)|b: its \b stays inside
    lead = alone and body.startswith(r"\b")
    trail = alone and _ends_with_boundary(body[2:] if lead else body)
    body = body[2 if lead else 0:len(body) - 2 if trail else len(body)]
    core = f"({_translate(pattern, body)})" + (rf"(?:\z|[^{WORD}])" if trail else "")
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    try:
        if not lead:
            return CodebookPattern(pattern, re2.compile(prefix + core, options), None)
        return CodebookPattern(pattern, re2.compile(rf"{prefix}(?:\A|[^{WORD}]){core}", options),
                               re2.compile(rf"{prefix}[^{WORD}]{core}", options))
    except re2.error as exc:
        message = exc.args[0].decode() if isinstance(exc.args[0], bytes) else str(exc)
        reason = next((why for found, why in REASONS if found.search(message)), None)
        raise PatternError(pattern, f"{reason}, which {ENGINE} does not support" if reason
                           else f"is not supported by {ENGINE} ({message})") from None


def _ends_with_boundary(body: str) -> bool:
    r"""True when BODY ends in `\b` whose backslash is not itself escaped."""
    if not body.endswith(r"\b"):
        return False
    backslashes = len(body[:-1]) - len(body[:-1].rstrip("\\"))
    return backslashes % 2 == 1


def _top_level_alternation(body: str) -> bool:
    """True when BODY has a `|` outside every group and character class."""
    depth, in_class, i = 0, False, 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            i += 1
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += body[i + 1:i + 2] == "^"
            i += body[i + 1:i + 2] == "]"
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            return True
        i += 1
    return False


def _translate(pattern: str, body: str) -> str:
    r"""BODY with Python's Unicode classes spelled out for RE2; `\b`/`\B` inside refused."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            escape = body[i + 1]
            if escape in "bB" and not in_class:
                raise PatternError(pattern, rf"uses \{escape} inside the pattern; {ENGINE} "
                                   r"supports \b only at the start or the end (alternatives "
                                   r"in a group: \b(a|b)\b)")
            if in_class and escape in "WS":
                raise PatternError(pattern, rf"uses \{escape} inside [...], which {ENGINE} "
                                   "does not support; write [^...] instead")
            table = INSIDE if in_class else OUTSIDE
            out.append(table.get(escape, char + escape))
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            start = i + 1 + (body[i + 1:i + 2] == "^")
            if body[start:start + 1] == "]":  # a leading ] is a literal
                out.append(body[i:start + 1])
                i = start + 1
                continue
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    return "".join(out)
