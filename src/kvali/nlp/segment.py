"""Split a document's blocks into sentence segments with exact character offsets and lemmas."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from kvali.ingest.model import Block
from kvali.nlp.pipeline import load_pipeline


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
    """Pipe all blocks of a batch of documents through spaCy and regroup them per document."""
    block_texts = (text[b.start : b.end] for text, blocks in documents for b in blocks)
    docs = nlp.pipe(block_texts, batch_size=512)
    for _text, blocks in documents:
        segments: list[SegmentSpan] = []
        for index, block in enumerate(blocks):
            segments.extend(_sentences(next(docs), block.start, index, with_tokens))
        yield segments


def _sentences(doc: Doc, offset: int, block_index: int, with_tokens: bool) -> Iterator[SegmentSpan]:
    """The non-empty sentences of one block's Doc, shifted to document offsets."""
    for sent in doc.sents:
        if not sent.text.strip():
            continue
        tokens = None
        if with_tokens:
            tokens = [TokenSpan(offset + t.idx, offset + t.idx + len(t), t.text, t.lemma_)
                      for t in sent if not t.is_space]
        start, end = sent.start_char, sent.end_char
        while end > start and doc.text[end - 1].isspace():
            end -= 1
        yield SegmentSpan(
            start=offset + start,
            end=offset + end,
            block_index=block_index,
            lemmas=" ".join(t.lemma_.lower() for t in sent if not (t.is_punct or t.is_space)),
            tokens=tokens,
        )
