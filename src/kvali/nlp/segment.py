"""Split a document's blocks into sentence segments with exact character offsets and lemmas."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LEMMA, LENGTH, SENT_START
from spacy.language import Language
from spacy.strings import StringStore
from spacy.tokens import Doc

from kvali.ingest.model import Block
from kvali.nlp.pipeline import load_pipeline

TOKEN_ATTRS = [SENT_START, IS_PUNCT, IS_SPACE, LEMMA, IDX, LENGTH]
_LOWER_LEMMAS: dict[int, str] = {}
# Longer blocks are segmented in pieces: well below spaCy's max_length, and small enough that
# one piece never needs much memory.
MAX_PIECE_CHARS = 100_000
PIECE_SEPARATORS = ("\n\n", "\n", ". ", " ")


@dataclass
class TokenSpan:
    """One token: offsets into the document text, its text and its lemma."""

    start: int
    end: int
    text: str
    lemma: str


@dataclass
class SegmentSpan:
    """One segment (a sentence inside a block) with offsets into the document text."""

    start: int
    end: int
    block_index: int
    lemmas: str  # lower-cased lemmas of the word tokens, space separated
    tokens: list[TokenSpan] | None = None


def segment_blocks(
    text: str,
    blocks: Sequence[Block],
    *,
    nlp: Language | None = None,
    with_tokens: bool = False,
) -> list[SegmentSpan]:
    """Segment every block of one document; sentences never cross a block boundary."""
    return next(segment_documents([(text, blocks)], nlp=nlp, with_tokens=with_tokens))


def segment_documents(
    documents: Iterable[tuple[str, Sequence[Block]]],
    *,
    nlp: Language | None = None,
    with_tokens: bool = False,
    batch_blocks: int = 2000,
) -> Iterator[list[SegmentSpan]]:
    """Segment documents lazily, piping the blocks of several small documents together."""
    nlp = nlp or load_pipeline()
    pending: list[tuple[str, Sequence[Block]]] = []
    pending_blocks = 0
    for text, blocks in documents:
        pending.append((text, blocks))
        pending_blocks += len(blocks)
        if pending_blocks >= batch_blocks:
            yield from _segment_batch(pending, nlp, with_tokens)
            pending, pending_blocks = [], 0
    if pending:
        yield from _segment_batch(pending, nlp, with_tokens)


def _segment_batch(
    documents: list[tuple[str, Sequence[Block]]], nlp: Language, with_tokens: bool
) -> Iterator[list[SegmentSpan]]:
    """Pipe all blocks of a batch of documents through spaCy and regroup them per document;
    a block longer than MAX_PIECE_CHARS goes through in pieces (`split_long`)."""
    pieces = [[(start, index) for index, b in enumerate(blocks)
               for start, _ in split_long(text, b.start, b.end)] for text, blocks in documents]
    piece_texts = (text[start:end] for text, blocks in documents
                   for b in blocks for start, end in split_long(text, b.start, b.end))
    docs = nlp.pipe(piece_texts, batch_size=512)
    for document_pieces in pieces:
        segments: list[SegmentSpan] = []
        for start, index in document_pieces:
            segments.extend(_sentences(next(docs), start, index, with_tokens))
        yield segments


def split_long(text: str, start: int, end: int,
               limit: int = MAX_PIECE_CHARS) -> list[tuple[int, int]]:
    """`text[start:end]` as pieces of at most `limit` characters (spaCy refuses texts over its
    max_length of 1,000,000), cut after a blank line, a line end, a full stop or a space in
    the second half of each window, and only mid-word when a window has none of these."""
    pieces: list[tuple[int, int]] = []
    while end - start > limit:
        cut = start + limit
        for separator in PIECE_SEPARATORS:
            found = text.rfind(separator, start + limit // 2, start + limit)
            if found >= 0:
                cut = found + len(separator)
                break
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def _sentences(doc: Doc, offset: int, block_index: int, with_tokens: bool) -> Iterator[SegmentSpan]:
    """The non-empty sentences of one block's Doc, shifted to document offsets.

    Reads token attributes as one array instead of creating a Python Token per word: segmenting
    is then close to the cost of the spaCy pipeline itself.
    """
    rows = doc.to_array(TOKEN_ATTRS).tolist()
    starts = [i for i, row in enumerate(rows) if i == 0 or row[0] == 1] + [len(rows)]
    strings = doc.vocab.strings
    for first, stop in zip(starts, starts[1:], strict=False):
        spoken = [row for row in rows[first:stop] if not row[2]]
        if not spoken:
            continue
        start = spoken[0][4]
        end = spoken[-1][4] + spoken[-1][5]
        yield SegmentSpan(
            start=offset + start,
            end=offset + end,
            block_index=block_index,
            lemmas=" ".join(_lemma_text(strings, row[3]) for row in spoken if not row[1]),
            tokens=[TokenSpan(offset + t.idx, offset + t.idx + len(t), t.text, t.lemma_)
                    for t in doc[first:stop] if not t.is_space] if with_tokens else None,
        )


def _lemma_text(strings: StringStore, key: int) -> str:
    """Lower-cased text of a lemma hash (spaCy's string hashes are the same in every
    vocabulary, so one cache serves all pipelines)."""
    text = _LOWER_LEMMAS.get(key)
    if text is None:
        text = _LOWER_LEMMAS[key] = strings[key].lower()
    return text
