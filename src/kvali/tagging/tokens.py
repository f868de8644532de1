"""The word tokens of stored segment text, without running spaCy's tokenizer over it again.

spaCy's tokenizer first splits a text at white space (`str.isspace`, as `str.split` does) and
tokenises each chunk between white space on its own: a chunk's tokens do not depend on its
neighbours. So the chunks of a corpus are tokenised once each, many in one call, and a segment's
tokens are its chunks' tokens, placed where the chunks stand. A corpus repeats its words, so a
segment costs a few look-ups done in C; a token's character offsets are worked out only when a
rule matched it. The cache is bounded, so memory stays flat however large the project is.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from itertools import accumulate, chain
from operator import itemgetter

from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH
from spacy.tokenizer import Tokenizer

CHUNK = re.compile(r"\S+")  # what str.split() returns, with its place
CACHE_LIMIT = 200_000  # chunks remembered; past it the cache starts again
SEPARATOR = "\n"  # a token of its own between chunks: no special case spans it
_TEXTS = itemgetter(0)
_NO_TOKENS = ((), ())  # a chunk of punctuation only

# per chunk: the texts and the (start, end) in the chunk of its tokens that are neither space
# nor punctuation (the tokens `segments.lemmas` has a lemma for)
ChunkTokens = tuple[tuple[str, ...], tuple[tuple[int, int], ...]]


class SegmentTokens:
    """The tokens of one segment that are neither space nor punctuation: `texts` in order, and
    `span(i)`, the character offsets of token i in the segment text."""

    __slots__ = ("text", "chunks", "entries", "texts", "_counts", "_ends", "_starts")

    def __init__(self, text: str, chunks: list[str], entries: list[ChunkTokens]) -> None:
        self.text, self.chunks, self.entries = text, chunks, entries
        self.texts: list[str] = list(chain.from_iterable(map(_TEXTS, entries)))
        # tokens up to and including each chunk; None while not needed, [] when every chunk
        # has one token (token i is in chunk i)
        self._counts: list[int] | None = None
        self._ends: list[int] = []  # characters of the chunks up to and including each
        self._starts: list[int] | None = None  # where each chunk starts, when not counted

    def span(self, index: int) -> tuple[int, int]:
        """(start, end) of token `index` in the segment text."""
        if self._counts is None:
            self._place_chunks()
        if self._counts:
            chunk = bisect_right(self._counts, index)
            start, end = self.entries[chunk][1][index - (self._counts[chunk - 1] if chunk else 0)]
        else:
            chunk = index
            start, end = self.entries[chunk][1][0]
        if self._starts is None:
            offset = self._ends[chunk] - len(self.chunks[chunk]) + chunk
        else:
            offset = self._starts[chunk]
        return offset + start, offset + end

    def _place_chunks(self) -> None:
        """Count tokens and characters per chunk, once, when the first span is asked for."""
        if len(self.texts) == len(self.chunks) and _NO_TOKENS not in self.entries:
            self._counts = []  # n chunks, none without a token, n tokens: one each
        else:
            self._counts = list(accumulate(map(len, map(_TEXTS, self.entries))))
        self._ends = list(accumulate(map(len, self.chunks)))
        if self._ends[-1] + len(self.chunks) - 1 != len(self.text):
            # not one white-space character between chunks and none at the ends
            self._starts = [found.start() for found in CHUNK.finditer(self.text)]


class ChunkTokenizer:
    """Segment tokens from remembered chunk tokens."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer
        self.chunks: dict[str, ChunkTokens] = {}

    def prepare(self, texts: Iterable[str]) -> None:
        """Tokenise the chunks of `texts` that are not known yet, in one tokenizer call."""
        if len(self.chunks) > CACHE_LIMIT:
            self.chunks.clear()
        missing = set()
        for text in texts:
            missing.update(text.split())
        missing.difference_update(self.chunks)
        if missing:
            self.chunks.update(self._tokenise(list(missing)))

    def segment(self, text: str) -> SegmentTokens:
        """The tokens of one segment's text (chunks `prepare` did not see are tokenised now)."""
        chunks = text.split()
        entries = list(map(self.chunks.get, chunks))
        if None in entries:
            entries = [entry or self._get(chunk)
                       for entry, chunk in zip(entries, chunks, strict=True)]
        return SegmentTokens(text, chunks, entries)

    def _get(self, chunk: str) -> ChunkTokens:
        tokens = self.chunks.get(chunk)
        if tokens is None:
            tokens = self.chunks[chunk] = self._tokenise([chunk])[chunk]
        return tokens

    def _tokenise(self, chunks: list[str]) -> dict[str, ChunkTokens]:
        """Each chunk's tokens, from one Doc of the chunks joined by line breaks."""
        joined = SEPARATOR.join(chunks)
        rows = self.tokenizer(joined).to_array([IDX, LENGTH, IS_PUNCT, IS_SPACE]).tolist()
        found: dict[str, ChunkTokens] = {}
        index, start = 0, 0
        texts: list[str] = []
        spans: list[tuple[int, int]] = []
        for idx, length, punct, space in rows:
            if space:  # the separator: the chunk before it is complete
                found[chunks[index]] = (tuple(texts), tuple(spans))
                index, start, texts, spans = index + 1, idx + length, [], []
            elif not punct:
                texts.append(joined[idx:idx + length])
                spans.append((idx - start, idx - start + length))
        found[chunks[index]] = (tuple(texts), tuple(spans))
        if index != len(chunks) - 1:
            raise RuntimeError("the tokenizer did not keep the chunks apart")
        return found
