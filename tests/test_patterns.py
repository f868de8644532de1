r"""Codebook patterns run on RE2 (linear time): a pattern that backtracks forever in Python's
`re` finishes at once, what RE2 cannot run is refused when the codebook is checked, and \w,
\d, \s and \b keep their Danish (Unicode) meaning with spans in Python characters."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from kvali.codebook.load import check_codebook, load_codebook
from kvali.codebook.model import Code, Rules
from kvali.codebook.patterns import PatternError, compile_pattern
from kvali.errors import CodebookError

MATCH_LONG_LINE = r"""
import time
import spacy
from kvali.codebook.model import Code, Rules
from kvali.tagging.matcher import CodebookMatcher, SegmentContext
text = "ærø ord " * 6250 + "!"
matcher = CodebookMatcher([Code("x", "X", rules=Rules(patterns=(r"(\w+\s?)+$",)))], str)
doc = spacy.blank("da")(text)
started = time.monotonic()
found = matcher.match(doc, SegmentContext("interview"), text)
print(len(text), time.monotonic() - started, sorted(found))
"""

CODEBOOK = """\
codes:
  - key: ok
    name: Fine
    rules:
      patterns: ['§\\s*18\\b', '\\bældre\\w*']
  - key: gentag
    name: Gentagelse
    rules:
      patterns: ['(\\w+) \\1']
"""


def test_a_catastrophic_pattern_on_a_50_kb_line_finishes_at_once():
    result = subprocess.run([sys.executable, "-c", MATCH_LONG_LINE], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    length, seconds, found = result.stdout.strip().split(maxsplit=2)
    assert int(length) >= 50_000 and found == "[]"
    # Backtracking needs on the order of 2**6250 steps here, so any finish proves RE2's linear
    # time; the bound only has to stay clear of a busy machine (it takes ~0.1 s when quiet).
    assert float(seconds) < 10


def test_a_back_reference_is_refused_at_check_time_with_its_line(tmp_path):
    path = tmp_path / "codebook.yaml"
    path.write_text(CODEBOOK, encoding="utf-8")
    _, problems = check_codebook(path)
    assert [str(p) for p in problems] == [
        f"{path}:9 (code gentag): pattern '(\\\\w+) \\\\1' uses a back-reference, which "
        "kvali's linear-time pattern engine does not support"]
    with pytest.raises(CodebookError, match=r":9 \(code gentag\): pattern .* back-reference"):
        load_codebook(path)


@pytest.mark.parametrize(("pattern", "reason"), [
    (r"(?P<ord>\w+) (?P=ord)", "uses a back-reference"),
    (r"netværk(?=smøde)", "uses a look-ahead or look-behind"),
    (r"(?<!sociale )medier", "uses a look-ahead or look-behind"),
    (r"\w++", "uses a possessive quantifier"),
    (r"(?>ab|a)c", "uses an atomic group"),
    (r"a{5000}", "repeats a part more than 1,000 times"),
    (r"nære\bnetværk", r"uses \b inside the pattern"),
    (r"\bnære|netværk", r"uses \b inside the pattern"),
])
def test_what_the_linear_engine_cannot_run_is_refused_with_the_reason(pattern, reason):
    with pytest.raises(PatternError, match=re.escape(reason)) as caught:
        compile_pattern(pattern)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("pattern", [
    r"§\s*18\b", r"(?i)\b(fylder|fyldt|fylde)\s+18\b", r"\b18-årig", r"\bregions\w{3,}",
    r"\bregion(en|ens|erne|ernes)\b", r"\bældre\w*", r"\bår\b", r"[\w-]+", r"[^\s]+", r"\d+",
    r"\bkr\.\s", r"ÆØÅ", r"\W+", r"\S+ \S+", r"[xø]*",
])
def test_patterns_mean_what_they_mean_in_python_on_danish_text(pattern):
    text = ("De ÆLDRE og ældrerådet i søregionen, regionsmødet og regionen: § 18 og §18a, "
            "når de fylder 18 år. Én 18-årig fik 100 kr. til æøå ÆØÅ Åå år; netværks-møde ٣.")
    expected = [m.span() for m in re.finditer(pattern, text, re.IGNORECASE) if m.end() > m.start()]
    spans = [span for span in compile_pattern(pattern).spans(text) if span[1] > span[0]]
    assert spans == expected and expected


def test_spans_are_python_character_offsets_and_case_is_folded_for_aeoeaa():
    text = "Ærø og ærø, ÆRØ; søer"
    assert [text[s:e] for s, e in compile_pattern(r"\bærø\b").spans(text)] == ["Ærø", "ærø", "ÆRØ"]
    assert list(compile_pattern("ø").spans(text)) == [(2, 3), (9, 10), (14, 15), (18, 19)]


def test_the_project_codebook_patterns_all_compile():
    codebook = load_codebook(Path(__file__).resolve().parents[1] / "codebook.yaml")
    patterns = [p for code in codebook.codes for p in code.rules.patterns]
    assert patterns and all(compile_pattern(p) for p in patterns)


def test_the_matcher_refuses_an_unchecked_pattern_in_one_line():
    from kvali.tagging.matcher import CodebookMatcher

    with pytest.raises(CodebookError, match="back-reference"):
        CodebookMatcher([Code("x", "X", rules=Rules(patterns=(r"(a)\1",)))], str)
