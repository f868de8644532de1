"""Split a document's blocks into sentence segments with exact character offsets and lemmas."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import compress
from operator import not_, or_

from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LEMMA, LENGTH, ORTH, SENT_START, SPACY
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


@dataclass(slots=True)
class TokenSpan:
    """One token: offsets into the document text, its text and its lemma."""

    start: int
    end: int
    text: str
    lemma: str


@dataclass(slots=True)
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
    pieces = [[(start, end, index) for index, b in enumerate(blocks)
               for start, end in split_long(text, b.start, b.end)] for text, blocks in documents]
    piece_texts = (text[start:end]
                   for (text, _), document_pieces in zip(documents, pieces, strict=True)
                   for start, end, _ in document_pieces)
    rules = None if with_tokens else _Rules.of(nlp)
    if rules:
        docs = nlp.tokenizer.pipe(piece_texts, batch_size=512)
        sentences = rules.sentences
    else:
        docs = nlp.pipe(piece_texts, batch_size=512)
        sentences = partial(_sentences, with_tokens=with_tokens)
    for document_pieces in pieces:
        segments: list[SegmentSpan] = []
        for start, _, index in document_pieces:
            segments.extend(sentences(next(docs), start, index))
        yield segments


class _Rules:
    """kvali's own pipeline (blank Danish + `kvali/sentences` + `kvali/lemmatizer`) applied to
    the tokenizer's Docs in one pass: the components compute sentence starts and lemmas from the
    same columns they would read from a Doc, without writing them into it and reading back."""

    ATTRS = [ORTH, SPACY, IS_PUNCT, IS_SPACE, IDX, LENGTH]

    def __init__(self, nlp: Language) -> None:
        self.strings = nlp.vocab.strings
        self.rules = nlp.get_pipe("kvali/sentences")
        self.lemmatizer = nlp.get_pipe("kvali/lemmatizer")

    @classmethod
    def of(cls, nlp: Language) -> _Rules | None:
        """The one-pass form of `nlp` when it is kvali's own pipeline, else None."""
        if nlp.pipe_names != ["kvali/sentences", "kvali/lemmatizer"]:
            return None
        return cls(nlp)

    def sentences(self, doc: Doc, offset: int, block_index: int) -> list[SegmentSpan]:
        """What `_sentences` gives for this Doc after the two components."""
        if not len(doc):
            return []
        # copied into one row per attribute first: listing that is a quarter cheaper
        orths, spaces, punct, space, idx, length = doc.to_array(self.ATTRS).T.copy().tolist()
        starts = self.rules.starts(self.strings, orths, spaces)
        lemmas = _lemma_texts(self.strings, self.lemmatizer.lemma_keys(self.strings, orths))
        return _spans(list(compress(range(len(orths)), starts)), punct, space, lemmas, idx,
                      length, offset, block_index)


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


def _sentences(doc: Doc, offset: int, block_index: int,
               with_tokens: bool = False) -> list[SegmentSpan]:
    """The non-empty sentences of one block's Doc, shifted to document offsets.

    Reads token attributes as columns instead of creating a Python Token per word (except for
    `with_tokens`): segmenting is then close to the cost of the spaCy pipeline itself.
    """
    if not len(doc):
        return []
    sent_start, punct, space, lemma, idx, length = doc.to_array(TOKEN_ATTRS).T.copy().tolist()
    firsts = list(compress(range(len(idx)), map((1).__eq__, sent_start)))
    if not firsts or firsts[0]:
        firsts.insert(0, 0)
    spans = _spans(firsts, punct, space, _lemma_texts(doc.vocab.strings, lemma), idx, length,
                   offset, block_index)
    if with_tokens:
        for span in spans:
            span.tokens = [TokenSpan(t.idx + offset, t.idx + len(t) + offset, t.text, t.lemma_)
                           for t in doc.char_span(span.start - offset, span.end - offset)
                           if not t.is_space]
    return spans


def _spans(firsts: list[int], punct: list[int], space: list[int], lemmas: list[str],
           idx: list[int], length: list[int], offset: int, block_index: int) -> list[SegmentSpan]:
    """One SegmentSpan per sentence (the token indexes in `firsts` start one) that has a token
    other than white space: from its first to its last such token, with the lemmas of its words
    (tokens neither punctuation nor space)."""
    words = list(map(not_, map(or_, punct, space)))
    spans: list[SegmentSpan] = []
    n = len(idx)
    for first, stop in zip(firsts, [*firsts[1:], n], strict=True):
        while first < stop and space[first]:
            first += 1
        if first == stop:
            continue
        last = stop - 1
        while space[last]:
            last -= 1
        spans.append(SegmentSpan(
            start=offset + idx[first],
            end=offset + idx[last] + length[last],
            block_index=block_index,
            lemmas=" ".join(compress(lemmas[first:last + 1], words[first:last + 1])),
        ))
    return spans


def _lemma_texts(strings: StringStore, keys: list[int]) -> list[str]:
    """Lower-cased text of each lemma hash (cached; spaCy's string hashes are the same in every
    vocabulary, so one cache serves all pipelines)."""
    texts = list(map(_LOWER_LEMMAS.get, keys))
    if None in texts:
        for i, text in enumerate(texts):
            if text is None:
                texts[i] = _lemma_text(strings, keys[i])
    return texts


def _lemma_text(strings: StringStore, key: int) -> str:
    """Lower-cased text of a lemma hash (spaCy's string hashes are the same in every
    vocabulary, so one cache serves all pipelines)."""
    text = _LOWER_LEMMAS.get(key)
    if text is None:
        text = _LOWER_LEMMAS[key] = strings[key].lower()
    return text
