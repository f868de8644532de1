"""Quotes for a theme summary: which passages to quote, why, and how a long quote is shortened.

Selection, per code (`select_quotes`), among `Candidate`s: one per coded passage of the code and
its sub-codes (the same codings its counts come from), each with the parts a reader would see and
the theme's words in them (`kvali.export.quote_words`).

1. The analyst's key quotes of the code itself come first, all of them, in document order.
2. The remaining places (up to `limit` quotes in all) are filled one at a time with the best
   candidate left, comparing in this order:
   a. key quotes of sub-codes before anything else;
   b. informants before interviewers;
   c. codings a human stands behind (manual, accepted) before suggestions;
   d. statements before presentations and meta-talk (`kvali.export.quote_rules`);
   e. whole statements before fragments (under MIN_CHARS characters);
   f. quotes that carry the theme: two or more of its words in them, then one, then none;
   g. the municipality, then the role, then the document quoted least so far, so the quotes
      spread over municipalities before any is quoted twice, and likewise over roles and
      documents (a passage without a municipality, a report's, counts as from one quoted once);
   h. a readable length (READABLE characters) before a longer or shorter one;
   i. document order, so the choice is the same on every run.
3. A passage is quoted once, even when several codings (codes, coders) mark it.

Each chosen quote keeps its reasons, in Danish ("nøglecitat", "informant", "indeholder
'frivillige'", "ny kommune: Aarhus" …), for `kvali export summary --explain`.

Shortening (`cut_quote`): a quote longer than `max_chars` keeps its beginning and its end, cut at
word boundaries, and shows the cut as " […] ". Each part is exactly `text[start:end]` of the
document, and the parts are kept with their offsets, so nothing is altered silently.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from kvali.export.citations import Citation
from kvali.export.quote_rules import talk_kind
from kvali.export.records import CodingRecord

CUT = " […] "
READABLE = (60, 400)
MIN_CHARS = 30
STATUS_RANK = {"manual": 0, "accepted": 0, "suggested": 1, "rejected": 2}
SHOWN_WORDS = 3
"""At most this many of the theme's words are named in a reason."""


@dataclass(frozen=True)
class QuotePart:
    """An exact piece of the document text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Quote:
    """A quote ready to print: its parts, its citation and whether it is a key quote."""

    record: CodingRecord
    parts: tuple[QuotePart, ...]
    citation: Citation
    reasons: tuple[str, ...] = ()  # why the quote was chosen (Danish, for --explain)

    @property
    def text(self) -> str:
        """The parts joined with the visible cut mark "[…]"."""
        return CUT.join(part.text for part in self.parts)

    @property
    def cut(self) -> bool:
        """True when something was left out of the coded span."""
        return len(self.parts) > 1

    @property
    def suggested(self) -> bool:
        """True when the quote's coding is an auto suggestion no human has reviewed."""
        return self.record.status == "suggested"


@dataclass(frozen=True)
class Candidate:
    """A passage that may be quoted: its coding, the parts a reader would see (document
    offsets, not yet pseudonymised) and the theme's words in them."""

    record: CodingRecord
    parts: tuple[QuotePart, ...]
    words: tuple[str, ...] = ()
    own: bool = True  # coded with the section's own code, not only with a sub-code

    @property
    def text(self) -> str:
        """The shown parts joined with the cut mark."""
        return CUT.join(part.text for part in self.parts)


@dataclass(frozen=True)
class Choice:
    """A chosen candidate and why it was chosen."""

    candidate: Candidate
    reasons: tuple[str, ...]

    @property
    def record(self) -> CodingRecord:
        """The chosen coding."""
        return self.candidate.record


def cut_quote(text: str, start: int, end: int, max_chars: int = 500) -> tuple[QuotePart, ...]:
    """The span `text[start:end]` as one part, or as beginning and end when it is too long."""
    if end - start <= max_chars:
        return (QuotePart(start, end, text[start:end]),)
    head_end = _word_end(text, start, start + int(max_chars * 0.6))
    tail_start = _word_start(text, end - int(max_chars * 0.35), end)
    if head_end <= start or tail_start >= end or tail_start <= head_end:
        return (QuotePart(start, end, text[start:end]),)
    return (QuotePart(start, head_end, text[start:head_end]),
            QuotePart(tail_start, end, text[tail_start:end]))


def select_quotes(candidates: Sequence[Candidate], limit: int = 3, *,
                  anonymise: bool = False) -> list[Choice]:
    """Key quotes first, then the best candidates one at a time (see above), with reasons;
    `anonymise` names a new municipality's region instead of the municipality."""
    spread = _Spread(anonymise)
    chosen: list[Choice] = []
    spans: set[tuple[int, int, int]] = set()
    for candidate in candidates:
        if candidate.record.key_quote and candidate.own and _span(candidate.record) not in spans:
            chosen.append(spread.choose(candidate, _quality(candidate)))
            spans.add(_span(candidate.record))
    pool = []
    for candidate in candidates:
        if _span(candidate.record) not in spans:
            pool.append((candidate, _quality(candidate), len(pool)))
            spans.add(_span(candidate.record))
    while len(chosen) < limit and pool:
        best = min(pool, key=lambda item: (item[1].first, spread.counts(item[0].record),
                                           item[1].then, item[2]))
        pool.remove(best)
        chosen.append(spread.choose(best[0], best[1]))
    return chosen


@dataclass(frozen=True)
class _Quality:
    """What a candidate is, apart from where it comes from: the reasons it gives and its ranks
    before (`first`) and after (`then`) the spread."""

    first: tuple[int, ...]
    then: tuple[int, ...]
    reasons: tuple[str, ...]


def _quality(candidate: Candidate) -> _Quality:
    record = candidate.record
    talk = talk_kind(candidate.text)
    length = record.end - record.start
    fragment = length < MIN_CHARS
    reasons = []
    if record.key_quote:
        reasons.append("nøglecitat" if candidate.own else f"nøglecitat under {record.code}")
    if record.status == "suggested":
        reasons.append("forslag (ikke gennemgået)")
    if record.is_interviewer:
        reasons.append("interviewer")
    elif record.speaker:
        reasons.append("informant")
    elif record.kind == "survey":
        reasons.append("survey-svar")
    if talk:
        reasons.append(talk)
    if candidate.words:
        shown = ", ".join(f"'{word}'" for word in candidate.words[:SHOWN_WORDS])
        more = " …" if len(candidate.words) > SHOWN_WORDS else ""
        reasons.append(f"indeholder {shown}{more}")
    if fragment:
        reasons.append(f"kort ({length} tegn)")
    elif READABLE[0] <= length <= READABLE[1]:
        reasons.append(f"læsevenlig længde ({length} tegn)")
    elif length > READABLE[1]:
        cut = ", forkortet" if len(candidate.parts) > 1 else ""
        reasons.append(f"lang ({length} tegn{cut})")
    return _Quality(
        first=(not record.key_quote, record.is_interviewer, STATUS_RANK.get(record.status, 2),
               talk is not None, fragment, -min(len(candidate.words), 2)),
        then=(not READABLE[0] <= length <= READABLE[1],),
        reasons=tuple(reasons))


class _Spread:
    """How often each municipality, role and document has been quoted so far."""

    def __init__(self, anonymise: bool) -> None:
        self.anonymise = anonymise
        self.places: Counter[str | None] = Counter()
        self.roles: Counter[str | None] = Counter()
        self.documents: Counter[int] = Counter()

    def counts(self, record: CodingRecord) -> tuple[int, int, int]:
        """Times the record's municipality, role and document were quoted; a passage without a
        municipality (a report's) counts as from a municipality quoted once already."""
        place = record.kommune or record.case
        return (self.places[place] if place else 1 + self.places[place],
                self.roles[record.role], self.documents[record.document_id])

    def choose(self, candidate: Candidate, quality: _Quality) -> Choice:
        """Count the candidate as quoted and give its reasons."""
        record = candidate.record
        place = record.kommune or record.case
        reasons = list(quality.reasons)
        if place and not self.places[place]:
            shown = f" i {record.region}" if self.anonymise and record.region else \
                "" if self.anonymise else f": {place}"
            reasons.append(f"ny kommune{shown}")
        if record.role and not self.roles[record.role]:
            reasons.append(f"ny rolle: {record.role}")
        if not self.documents[record.document_id]:
            reasons.append("nyt dokument")
        self.places[place] += 1
        self.roles[record.role] += 1
        self.documents[record.document_id] += 1
        return Choice(candidate, tuple(reasons))


def _span(record: CodingRecord) -> tuple[int, int, int]:
    return record.document_id, record.start, record.end


def _word_end(text: str, start: int, limit: int) -> int:
    """The end of the last whole word before `limit` (trailing spaces left out)."""
    position = limit
    while position > start and not text[position].isspace():
        position -= 1
    while position > start and text[position - 1].isspace():
        position -= 1
    return position


def _word_start(text: str, limit: int, end: int) -> int:
    """The start of the first whole word after `limit` (leading spaces left out)."""
    position = limit
    while position < end and not text[position - 1].isspace():
        position += 1
    while position < end and text[position].isspace():
        position += 1
    return position
