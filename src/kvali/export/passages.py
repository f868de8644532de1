"""The coded passages of a theme summary, from which each code's quotes are chosen.

`Passages` takes the summary's codings once (`CodingFacts`, or whole `CodingRecord`s) and ranks
their passages once per code by the best rank each can have (`kvali.export.quotes.hoped_rank`).
A section's quotes are chosen among the passages of its code and sub-codes
(`Passages.choose`); a survey group's among the codings of one question's answers (`among`),
from its document's part of the same ranking, so the survey section reads and ranks nothing
again.
A passage's text is cut once (`Texts`), and the theme's words and kind of talk are looked at
only for passages that could win (`kvali.export.quotes.choose_quotes`).
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from functools import partial
from itertools import groupby
from operator import attrgetter

from sqlite_utils import Database

from kvali.export.quote_words import ThemeWords
from kvali.export.quotes import (
    STATUS_RANK,
    Candidate,
    Choice,
    Origins,
    QuotePart,
    choose_quotes,
    cut_quote,
    hope_class,
)
from kvali.export.records import CodingLike

Span = tuple[int, int, int]  # document id, start, end


class Texts:
    """Document texts, each read once, and the parts a passage is shown in, each cut once."""

    def __init__(self, db: Database, max_chars: int) -> None:
        self.db = db
        self.max_chars = max_chars
        self.texts: dict[int, str] = {}
        self.cuts: dict[Span, tuple[QuotePart, ...]] = {}

    def parts(self, span: Span) -> tuple[QuotePart, ...]:
        """`cut_quote` of the passage."""
        if span not in self.cuts:
            document_id, start, end = span
            if document_id not in self.texts:
                self.texts[document_id] = self.db.execute(
                    "SELECT text FROM documents WHERE id = ?", [document_id]).fetchone()[0]
            self.cuts[span] = cut_quote(self.texts[document_id], start, end, self.max_chars)
        return self.cuts[span]


class Passages:
    """The coded passages of some codings, ranked once per code (see the module docstring).

    A code's passages are kept by class (`hope_class`: the hoped-for rank but for the place),
    each class's in document order as the codings come (`coding_facts` order): the order of
    hoped-for ranks without sorting them, and a document's passages of a class found by
    bisection."""

    def __init__(self, records: Sequence[CodingLike], texts: Texts, words: ThemeWords,
                 themes: Mapping[str, str] | None = None) -> None:
        """Rank the passages of `records` (in document order). A passage ranks by the theme's
        words it may hold at most (`ThemeWords.most`), counted over its codings under the same
        top-level theme as the code ranked (`themes`: code -> its theme; every section and
        survey group lies under one theme), else over all its codings."""
        self.texts = texts
        self.words = words
        self.records: dict[Span, list[CodingLike]] = defaultdict(list)
        self.by_code: dict[str, list[CodingLike]] = defaultdict(list)
        for record in records:
            self.records[(record.document_id, record.start, record.end)].append(record)
            self.by_code[record.code].append(record)
        self.key_quotes: dict[str, list[Span]] = defaultdict(list)  # in document order
        self.classes: dict[str, dict[tuple, list[Span]]] = defaultdict(dict)
        theme_of = themes.get if themes is not None else lambda code: None
        for span, coded in self.records.items():
            if len(coded) == 1:
                record = coded[0]
                if record.key_quote:
                    self.key_quotes[record.code].append(span)
                self.classes[record.code].setdefault(
                    hope_class(record, words.most(coded)), []).append(span)
                continue
            most: dict[str | None, int] = {}
            for code, same in groupby(coded, key=attrgetter("code")):  # coded is by code
                record = _standing(list(same), code)
                if record.key_quote:
                    self.key_quotes[code].append(span)
                theme = theme_of(code)
                if theme not in most:
                    most[theme] = words.most([r for r in coded if theme_of(r.code) == theme])
                self.classes[code].setdefault(hope_class(record, most[theme]), []).append(span)

    def choose(self, key: str, subtree: Collection[str], limit: int, anonymise: bool, *,
               among: Sequence[CodingLike] | None = None) -> list[Choice]:
        """The chosen quotes of code `key` whose sub-codes (and itself) are `subtree`: among
        all its passages, or only among the codings `among` (some of the ones ranked)."""
        if among is None:
            key_quotes = self.key_quotes.get(key, [])
            streams = [self._ranked(code) for code in subtree if code in self.classes]
            only = None
            origins: Origins | Callable[[], Origins] = partial(self._origins, subtree)
        else:
            only, spans, keys, origins = set(), set(), {}, Origins()
            for r in among:  # once through: they may be many
                if r.code in subtree:
                    span = (r.document_id, r.start, r.end)
                    only.add(r.coding_id)
                    spans.add(span)
                    origins.add(r)
                    if r.key_quote and r.code == key:
                        keys[span] = None
            key_quotes = list(keys)
            streams = [self._ranked(code, document_id, spans) for code in subtree
                       if code in self.classes for document_id in origins.documents]
        candidates = [self._candidate(span, key, subtree, only) for span in key_quotes]
        ranked = ((hoped, lambda span=span: self._candidate(span, key, subtree, only))
                  for hoped, span in heapq.merge(*streams))
        return choose_quotes(candidates, ranked, limit, anonymise=anonymise, origins=origins)

    def _ranked(self, code: str, document_id: int | None = None,
                spans: Collection[Span] | None = None) -> Iterator[tuple[tuple, Span]]:
        """The code's passages (of one document, among `spans`) by hoped-for rank, each with
        its rank made as it is reached."""
        classes = self.classes[code]
        for hope in sorted(classes):
            passages = classes[hope]
            first, end = (0, len(passages)) if document_id is None else (
                bisect_left(passages, (document_id,)), bisect_left(passages, (document_id + 1,)))
            for index in range(first, end):
                span = passages[index]
                if spans is None or span in spans:
                    yield (*hope, span), span

    def _candidate(self, span: Span, key: str, subtree: Collection[str],
                   only: set[int] | None) -> Candidate:
        """The passage as a quote of code `key`: the coding that stands for it among the
        subtree's (and `only`'s), its parts as shown, and the subtree's words any of them finds
        (looked for only when the passage could be chosen)."""
        coded = [r for r in self.records[span] if r.code in subtree
                 and (only is None or r.coding_id in only)]
        record = _standing(coded, key)
        parts = self.texts.parts(span)

        def found() -> tuple[str, ...]:
            return tuple(dict.fromkeys(word for r in coded
                                       for word in self.words.words(r, parts, subtree)))

        return Candidate(record, parts, found, own=record.code == key,
                         most_words=self.words.most(coded))

    def _origins(self, subtree: Collection[str]) -> Origins:
        """Where the subtree's codings come from."""
        return Origins.of([r for code in subtree for r in self.by_code.get(code, [])])


def _standing(coded: Sequence[CodingLike], key: str) -> CodingLike:
    """The coding that stands for a passage in code `key`'s section: a key quote of the code
    itself, else any key quote, else a human coding, else the first."""
    if len(coded) == 1:
        return coded[0]
    return min(coded, key=lambda r: (not (r.key_quote and r.code == key), not r.key_quote,
                                     STATUS_RANK.get(r.status, 2), r.coding_id))
