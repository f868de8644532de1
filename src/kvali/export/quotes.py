"""Quotes for a theme summary: which passages to quote, why, and how a long quote is shortened.

Selection, per code, among `Candidate`s: one per coded passage of the code and its sub-codes (the
same codings its counts come from), each with the parts a reader would see and the theme's words
in them (`kvali.export.quote_words`). `select_quotes` takes a list of them; `choose_quotes` takes
them in the order of their best possible rank, made on demand, so a summary of a large project
reads only the passages near the top of each code.

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

import heapq
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from kvali.export.citations import Citation
from kvali.export.quote_rules import talk_kind
from kvali.export.records import CodingLike, CodingRecord

CUT = " […] "
READABLE = (60, 400)
MIN_CHARS = 30
STATUS_RANK = {"manual": 0, "accepted": 0, "suggested": 1, "rejected": 2}
SHOWN_WORDS = 3
"""At most this many of the theme's words are named in a reason."""
WIDER = 64
"""Candidates made before `choose_quotes` asks where all of them come from."""


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


@dataclass(eq=False)
class Candidate:
    """A passage that may be quoted: its coding, the parts a reader would see (document
    offsets, not yet pseudonymised) and the theme's words in them, given or found on first use
    (`found` may be a function, so the words are looked for only in passages that could win)."""

    record: CodingLike
    parts: tuple[QuotePart, ...]
    found: tuple[str, ...] | Callable[[], tuple[str, ...]] = ()
    own: bool = True  # coded with the section's own code, not only with a sub-code
    most_words: int = 2  # how many words `found` may give at most (for the ranking)

    @property
    def text(self) -> str:
        """The shown parts joined with the cut mark."""
        return CUT.join(part.text for part in self.parts)

    @cached_property
    def words(self) -> tuple[str, ...]:
        """The theme's words in the shown parts."""
        return self.found() if callable(self.found) else self.found

    @cached_property
    def talk(self) -> str | None:
        """"præsentation", "metasnak" or None (a statement), by `quote_rules`."""
        return talk_kind(self.text)

    def settle(self) -> None:
        """Look at the words and the kind of talk now."""
        for name in ("words", "talk"):
            getattr(self, name)


@dataclass(frozen=True)
class Choice:
    """A chosen candidate and why it was chosen."""

    candidate: Candidate
    reasons: tuple[str, ...]

    @property
    def record(self) -> CodingLike:
        """The chosen coding."""
        return self.candidate.record


class Origins:
    """Where the candidates of one choice come from: every place (municipality, else case),
    role and document among them."""

    def __init__(self) -> None:
        self.places: set[str | None] = set()
        self.roles: set[str | None] = set()
        self.documents: set[int] = set()

    def add(self, record: CodingLike) -> None:
        """Count the coding's place, role and document in."""
        self.places.add(_place(record))
        self.roles.add(record.role)
        self.documents.add(record.document_id)

    @classmethod
    def of(cls, records: Iterable[CodingLike]) -> Origins:
        """The origins of these codings."""
        origins = cls()
        for record in records:
            origins.add(record)
        return origins


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


Ranked = Iterable[tuple[tuple, Callable[[], Candidate]]]
"""Candidates in the order of their `hoped_rank` (never decreasing), each made on demand."""


def select_quotes(candidates: Sequence[Candidate], limit: int = 3, *,
                  anonymise: bool = False) -> list[Choice]:
    """Key quotes first, then the best candidates one at a time (see above), with reasons;
    `anonymise` names a new municipality's region instead of the municipality."""
    own_keys = [c for c in candidates if c.record.key_quote and c.own]
    ranked = sorted(((hoped_rank(c.record, c.most_words), c) for c in candidates
                     if not (c.record.key_quote and c.own)), key=lambda item: item[0])
    return choose_quotes(own_keys, ((hoped, lambda c=c: c) for hoped, c in ranked), limit,
                         anonymise=anonymise, origins=Origins.of(c.record for c in candidates))


def choose_quotes(key_quotes: Iterable[Candidate], ranked: Ranked, limit: int = 3, *,
                  anonymise: bool = False,
                  origins: Origins | Callable[[], Origins] | None = None) -> list[Choice]:
    """The key quotes, all of them, then up to `limit` quotes in all from `ranked`.

    Every rank only grows: as the spread counts up, and as a candidate's words and talk become
    known (until then it ranks as a statement with as many of the theme's words as it may hold,
    the best it can be). So a hoped-for rank is a lower bound, and a candidate wins when its
    rank is still the one hoped for: its words and then its talk are looked at only then, and
    only the candidates near the top are ever made. The choice is the same as if everything
    had been looked at first. `origins`, when given, holds every place, role and document the
    candidates come from: none can rank better than the least quoted of them, which raises the
    hope of the candidates not yet made (one question's answers all come from one document,
    and often from a few roles). Given as a function, it is asked only once WIDER candidates
    have been made (most choices are made before)."""
    spread = _Spread(anonymise)
    chosen: list[Choice] = []
    taken: set[tuple[int, int, int]] = set()
    for candidate in key_quotes:
        if _span(candidate.record) not in taken:
            chosen.append(spread.choose(candidate))
            taken.add(_span(candidate.record))
    made: dict[tuple[int, int, int], Candidate] = {}
    queued: list[tuple[tuple, int, tuple[int, int, int]]] = []  # ranks that grew
    pushed = itertools.count()
    stream = iter(ranked)
    upcoming = next(stream, None)
    known = origins if isinstance(origins, Origins) else None
    floor = spread.least(known)
    while len(chosen) < limit and (queued or upcoming is not None):
        hope = upcoming and _raised(upcoming[0], floor)
        if queued and (upcoming is None or queued[0][0] <= hope):
            hoped, _, span = heapq.heappop(queued)
        else:
            hoped, make = hope, upcoming[1]
            upcoming = next(stream, None)
            span = hoped[-1]
            if span in taken:
                continue
            if span not in made:
                made[span] = make()
                if known is None and callable(origins) and len(made) == WIDER:
                    known = origins()
                    floor = spread.least(known)
        if span in taken:
            continue
        candidate = made[span]
        current = _rank(candidate, spread)
        if current < hoped:
            continue  # a passage met again (coded twice): its rank is queued already
        for name in ("words", "talk"):  # the words first: most candidates lose on them
            if current == hoped and name not in candidate.__dict__:
                getattr(candidate, name)
                current = _rank(candidate, spread)
        if current == hoped:
            chosen.append(spread.choose(candidate))
            taken.add(span)
            floor = spread.least(known)
        else:
            heapq.heappush(queued, (current, next(pushed), span))
    return chosen


def _raised(hoped: tuple, floor: tuple[int, int, int]) -> tuple:
    """A hoped-for rank (whose spread counts are none) with the counts `floor` instead."""
    return (*hoped[:2], floor, *hoped[3:]) if any(floor) else hoped


def hoped_rank(record: CodingLike, most_words: int = 2) -> tuple:
    """The best rank a candidate standing on `record` can have (a lower bound of its rank at
    any time): a statement with as many of the theme's words as it may hold (`most_words`),
    from a municipality, role and document not yet quoted."""
    return (*hope_class(record, most_words), _span(record))


def hope_class(record: CodingLike, most_words: int = 2) -> tuple:
    """`hoped_rank` without the passage's place, which comes last in it: passages of one class
    rank by their place in the documents."""
    return _class(record, False, min(most_words, 2), (0, 0, 0))


def _rank(candidate: Candidate, spread: _Spread) -> tuple:
    """The candidate's rank as far as it is known now."""
    known = candidate.__dict__
    talk = known["talk"] is not None if "talk" in known else False
    words = len(known["words"]) if "words" in known else candidate.most_words
    record = candidate.record
    return (*_class(record, talk, min(words, 2), spread.counts(record)), _span(record))


def _class(record: CodingLike, talk: bool, words: int, counts: tuple[int, int, int]) -> tuple:
    """A rank without the passage's place in the document, which ends it. Lower is better:
    (sub-code key quote, quality, spread, length); see the module docstring."""
    length = record.end - record.start
    quality = (record.is_interviewer, STATUS_RANK.get(record.status, 2), talk,
               length < MIN_CHARS, -words)
    return (not record.key_quote, quality, counts, not READABLE[0] <= length <= READABLE[1])


def _reasons(candidate: Candidate) -> list[str]:
    """Why a candidate is what it is, in Danish (the spread's reasons are added when chosen)."""
    record = candidate.record
    length = record.end - record.start
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
    if candidate.talk:
        reasons.append(candidate.talk)
    if candidate.words:
        shown = ", ".join(f"'{word}'" for word in candidate.words[:SHOWN_WORDS])
        more = " …" if len(candidate.words) > SHOWN_WORDS else ""
        reasons.append(f"indeholder {shown}{more}")
    if length < MIN_CHARS:
        reasons.append(f"kort ({length} tegn)")
    elif READABLE[0] <= length <= READABLE[1]:
        reasons.append(f"læsevenlig længde ({length} tegn)")
    elif length > READABLE[1]:
        cut = ", forkortet" if len(candidate.parts) > 1 else ""
        reasons.append(f"lang ({length} tegn{cut})")
    return reasons


class _Spread:
    """How often each municipality, role and document has been quoted so far."""

    def __init__(self, anonymise: bool) -> None:
        self.anonymise = anonymise
        self.places: dict[str | None, int] = {}
        self.roles: dict[str | None, int] = {}
        self.documents: dict[int, int] = {}

    def counts(self, record: CodingLike) -> tuple[int, int, int]:
        """Times the record's municipality, role and document were quoted; a passage without a
        municipality (a report's) counts as from a municipality quoted once already."""
        place = _place(record)
        return (self.places.get(place, 0) + (not place), self.roles.get(record.role, 0),
                self.documents.get(record.document_id, 0))

    def least(self, origins: Origins | None) -> tuple[int, int, int]:
        """The counts of the least quoted place, role and document of `origins` (a lower
        bound of the counts of any candidate from them; none without them)."""
        if origins is None:
            return (0, 0, 0)
        return (min((self.places.get(p, 0) + (not p) for p in origins.places), default=0),
                min((self.roles.get(r, 0) for r in origins.roles), default=0),
                min((self.documents.get(d, 0) for d in origins.documents), default=0))

    def choose(self, candidate: Candidate) -> Choice:
        """Count the candidate as quoted and give its reasons."""
        record = candidate.record
        place = _place(record)
        reasons = _reasons(candidate)
        if place and not self.places.get(place):
            shown = f" i {record.region}" if self.anonymise and record.region else \
                "" if self.anonymise else f": {place}"
            reasons.append(f"ny kommune{shown}")
        if record.role and not self.roles.get(record.role):
            reasons.append(f"ny rolle: {record.role}")
        if not self.documents.get(record.document_id):
            reasons.append("nyt dokument")
        self.places[place] = self.places.get(place, 0) + 1
        self.roles[record.role] = self.roles.get(record.role, 0) + 1
        self.documents[record.document_id] = self.documents.get(record.document_id, 0) + 1
        return Choice(candidate, tuple(reasons))


def _place(record: CodingLike) -> str | None:
    """Where a quote is from, for the spread: its municipality, else its case."""
    return record.kommune or record.case


def _span(record: CodingLike) -> tuple[int, int, int]:
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
