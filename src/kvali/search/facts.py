"""What a search needs to know of every hit, kept as one byte per segment for the whole process.

A search counts its hits per municipality and, with filters, keeps only the segments the
selection allows. Done by joining each hit to `segment_facts` (segments, documents, cases,
municipalities, speakers, respondents) that is a few B-tree look-ups per hit: 50-100 ms for the
35,000 hits of a common word on 5M words. Instead a project's municipalities are read once from
`segment_facts` into one byte per segment id (1 + the municipality's place in `codes`; 0 where
there is no segment), and a selection becomes the same bytes with 0 for each segment it leaves
out, made once from its own compiled conditions, so a filter means exactly what it means
everywhere else. A selection by place only (municipality, region, size) is applied to the
cases as `segment_facts` places them, and reaches the segments through a byte per segment for
its case, without reading them again. SQL reads a hit's byte with `substr()` while it scans
the FTS5 matches, and the distribution is a text of those bytes, one character per hit,
counted in C.

The bytes are kept per process and project file until the index changes (`index_stamp`) or the
material does (`material_version` and the newest segment, `kvali.store.changes`): documents,
cases, speakers, respondents or a segment's place. A selection by code or coder depends on
codings and is never kept (`remembers` says so; the search then joins per hit). An in-memory
project is read afresh each time. A kept scope also keeps its recent answers
(kvali.search.answers), and the project the hit facts of its documents that searches have
read (kvali.search.hits), which go with them.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

from kvali.search.answers import Answers
from kvali.search.index import index_stamp
from kvali.selection import Selection, Where, compile_selection
from kvali.store.changes import current_mark
from kvali.store.connection import database_file

if TYPE_CHECKING:
    from sqlite_utils import Database

SELECTIONS_KEPT = 16
"""Selections remembered per project (each costs a byte per segment: 400 KB on 5M words)."""
_MAX_PLACES = 126  # bytes 1-126: one character each in the text SQL hands back
_MAX_CASES = 254  # case bytes 1-254


@dataclass(frozen=True)
class Scope:
    """A selection of segments: its SQL conditions over `segment_facts sf`, and per segment id
    the byte of its municipality when the selection keeps it, else 0."""

    where: Where
    marks: bytes
    codes: tuple[int | None, ...]
    answers: Answers | None = field(default=None, compare=False)
    """Where the process keeps this scope's recent answers (None: an in-memory project's)."""
    documents: dict[int, dict] | None = field(default=None, compare=False)
    """The project's documents' own hit facts, by id, as far as searches have read them."""

    def counts(self, marks: str | None) -> dict[int | None, int]:
        """Hits per municipality code (None: outside any) from the marks of the hits (a 0, a
        segment the selection leaves out, is not counted)."""
        return {self.codes[ord(mark) - 1]: n for mark, n in Counter(marks or "").items()
                if mark != "\0"}


@dataclass(frozen=True)
class _Facts:
    """Every segment's municipality byte (`everything`), its case byte (1 + the case's place in
    `places`, 0 where there is no segment; None when there are more than 254 cases) and each
    case's place columns as `segment_facts` gives them."""

    everything: Scope
    cases: bytes | None
    places: tuple[tuple[int | None, int | None, str | None, str | None], ...]


@dataclass
class _Project:
    stamp: tuple
    facts: _Facts
    selections: OrderedDict[Selection, Scope] = field(default_factory=OrderedDict)
    documents: dict[int, dict] = field(default_factory=dict)


_CACHE: OrderedDict[str, _Project] = OrderedDict()
PROJECTS_KEPT = 4
"""Project files whose facts a process keeps (the most recently searched)."""
_LOCK = threading.Lock()
_READING = threading.Lock()
"""Held while a scope is read and published, so two threads (a page and the app's warm-up,
kvali.ui.warmup) never read the same facts twice: the second finds the first one's."""
PLACE_FIELDS = ("kommune", "region", "size")
"""Selection fields whose conditions read only a segment's case and its municipality."""
_PLACES = ("SELECT sf.case_id FROM (SELECT json_extract(value, '$[0]') AS case_id, "
           "json_extract(value, '$[1]') AS kommune_code, json_extract(value, '$[2]') AS region, "
           "json_extract(value, '$[3]') AS size_class FROM json_each(?)) sf WHERE 1")
"""The cases (as `segment_facts` gives their place) that a selection's conditions keep."""


def remembers(selection: Selection) -> bool:
    """Whether a selection's scope can be kept: not when it depends on codings (or holds
    lists instead of tuples, and cannot be a key)."""
    if selection.code or selection.not_code or selection.coder:
        return False
    try:
        hash(selection)
    except TypeError:
        return False
    return True


def _stamp(db: Database) -> tuple:
    mark = current_mark(db)
    return (index_stamp(db), mark.material, mark.segments)


def _first_none(value: int | None) -> tuple[bool, int]:
    return (value is not None, value or 0)


def _read(db: Database) -> _Facts | None:
    """Every segment's case byte and municipality byte (from its case's), read in one pass;
    with more cases than a byte holds, the municipality bytes alone. None if the municipalities
    do not fit a byte."""
    rows = db.execute("SELECT segment_id, case_id FROM segment_facts").fetchall()
    size = max((row[0] for row in rows), default=0) + 1
    first_of = {case_id: segment_id for segment_id, case_id in rows}
    if len(first_of) > _MAX_CASES:
        return _read_places_only(db, size)
    places = tuple(sorted(db.execute(
        "SELECT case_id, kommune_code, region, size_class FROM segment_facts "
        "WHERE segment_id IN (SELECT value FROM json_each(?))",
        [json.dumps(list(first_of.values()))]).fetchall(), key=lambda p: _first_none(p[0])))
    codes = tuple(sorted({place[1] for place in places}, key=_first_none))
    if len(codes) > _MAX_PLACES:
        return None
    byte = {place[0]: number for number, place in enumerate(places, start=1)}
    cases = bytearray(size)
    for segment_id, case_id in rows:
        cases[segment_id] = byte[case_id]
    to_code = bytes([0, *(codes.index(place[1]) + 1 for place in places)]).ljust(256, b"\0")
    marks = bytes(cases).translate(to_code)
    return _Facts(Scope(Where(), marks, codes), bytes(cases), places)


def _read_places_only(db: Database, size: int) -> _Facts | None:
    """The municipality bytes of every segment, without case bytes (too many cases)."""
    rows = db.execute("SELECT segment_id, kommune_code FROM segment_facts").fetchall()
    codes = tuple(sorted({code for _, code in rows}, key=_first_none))
    if len(codes) > _MAX_PLACES:
        return None
    byte = {code: number for number, code in enumerate(codes, start=1)}
    marks = bytearray(size)
    for segment_id, code in rows:
        marks[segment_id] = byte[code]
    return _Facts(Scope(Where(), bytes(marks), codes), None, ())


def _narrowed(db: Database, facts: _Facts, selection: Selection,
              documents: dict[int, dict] | None) -> Scope:
    """The selection's scope: its conditions, and the marks of the segments it keeps (by their
    case when the selection is by place only, else by its conditions over `segment_facts`);
    with the project's kept `documents`, it also gets a place for answers."""
    everything = facts.everything
    where = compile_selection(db, selection, "segments", alias="sf")
    answers = Answers() if documents is not None else None
    if not where.conditions:
        return Scope(where, everything.marks, everything.codes, answers, documents)
    if facts.cases is not None and not any(
            getattr(selection, f.name) for f in fields(selection) if f.name not in PLACE_FIELDS):
        kept_cases = {row[0] for row in db.execute(_PLACES + where.clause(),
                                                   [json.dumps(facts.places), *where.params])}
        table = bytes([0, *(255 if place[0] in kept_cases else 0 for place in facts.places)]
                      ).ljust(256, b"\0")
        mask = int.from_bytes(facts.cases.translate(table), "big")
        marks = (mask & int.from_bytes(everything.marks, "big")).to_bytes(
            len(everything.marks), "big")
        return Scope(where, marks, everything.codes, answers, documents)
    source, chosen = everything.marks, bytearray(len(everything.marks))
    for (segment_id,) in db.execute("SELECT sf.segment_id FROM segment_facts sf WHERE 1"
                                    + where.clause(), where.params):
        chosen[segment_id] = source[segment_id]
    return Scope(where, bytes(chosen), everything.codes, answers, documents)


def scope(db: Database, selection: Selection) -> Scope | None:
    """The scope of a selection that `remembers` allows, kept per process and project until the
    index or the material changes; None when the places do not fit (the search then joins)."""
    key = database_file(db)
    if key is None:
        facts = _read(db)
        return None if facts is None else _narrowed(db, facts, selection, None)
    stamp = _stamp(db)  # before reading: a change made meanwhile makes the next search re-read
    with _LOCK:
        held = _CACHE.get(key)
        if held is not None and held.stamp == stamp:
            found = held.selections.get(selection)
            if found is not None:
                held.selections.move_to_end(selection)
                _CACHE.move_to_end(key)
                return found
    with _READING:  # one reader at a time: a search during the app's warm-up waits for it
        with _LOCK:
            held = _CACHE.get(key)
            found = held.selections.get(selection) if held and held.stamp == stamp else None
        if found is not None:
            return found
        if held is None or held.stamp != stamp:
            facts = _read(db)
            if facts is None:
                return None
            held = _Project(stamp, facts)
        found = _narrowed(db, held.facts, selection, held.documents)
        with _LOCK:
            held.selections[selection] = found
            while len(held.selections) > SELECTIONS_KEPT:
                held.selections.popitem(last=False)
            _CACHE[key] = held
            _CACHE.move_to_end(key)
            while len(_CACHE) > PROJECTS_KEPT:
                _CACHE.popitem(last=False)
        return found


def forget_answers() -> None:
    """Forget the answers every kept scope holds (the bytes stay): a benchmark times searches
    that rank afresh with it."""
    with _LOCK:
        scopes = [found for held in _CACHE.values() for found in held.selections.values()]
    for found in scopes:
        if found.answers is not None:
            found.answers.forget()
