"""Split a document's blocks into sentence segments with exact character offsets and lemmas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spacy.language import Language

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
    """Segment every block of a document; sentences never cross a block boundary."""
    nlp = nlp or load_pipeline()
    segments: list[SegmentSpan] = []
    block_texts = [text[b.start : b.end] for b in blocks]
    for index, doc in enumerate(nlp.pipe(block_texts, batch_size=256)):
        offset = blocks[index].start
        for sent in doc.sents:
            words = [t for t in sent if not (t.is_punct or t.is_space)]
            if not sent.text.strip():
                continue
            tokens = None
            if with_tokens:
                tokens = [
                    TokenSpan(offset + t.idx, offset + t.idx + len(t), t.text, t.lemma_)
                    for t in sent
                    if not t.is_space
                ]
            segments.append(
                SegmentSpan(
                    start=offset + sent.start_char,
                    end=offset + sent.end_char,
                    block_index=index,
                    lemmas=" ".join(t.lemma_.lower() for t in words),
                    tokens=tokens,
                )
            )
    return segments
