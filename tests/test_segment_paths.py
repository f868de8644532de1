"""The fast paths of segmentation give exactly what the plain ones give.

The importer segments kvali's own pipeline in one pass over the tokenizer's Docs (`_Rules`), and
`sentence_starts` visits only the tokens where a rule can apply. Both are checked here against
the straightforward forms: the full `nlp.pipe` with the Doc read back, and a loop over every
token.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import pytest

from kvali.ingest.model import Block, ReadOptions
from kvali.ingest.registry import expand_paths, read_source
from kvali.nlp import load_pipeline
from kvali.nlp.segment import _Rules, _sentences, segment_blocks, segment_documents
from kvali.nlp.sentences import (
    _BREAKS,
    _SPACES,
    BLANK,
    BULLET,
    NEWLINE,
    PERIOD,
    SPACE,
    STARTER,
    _ends_sentence,
    _first_word,
    _is_list_number,
    _opens_line,
    _previous_is_word,
    _skip_closers,
    classify,
    glued_period_class,
    sentence_starts,
)

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
TRICKY = [
    "Vi har møder, kurser osv. Det tager tid. Ved du hvad? Jeg ved ikke!",
    "  \n\n  Hej.  \n \n ved du hvad? Jeg ved ikke.\n\n\n- punkt et\n- punkt to\n\t\n",
    "1. Første punkt\n2) andet punkt\na) tredje\n(b) fjerde\nIV. femte",
    "»Hvad nu?« spurgte hun. \"Nej.\" Han gik... Og så? H.C. Andersen kom kl. 14.",
    "Mødet var den 28. september. Derefter fulgte 2,5 pct. af de 1.200 borgere.",
    "overskrift uden punktum\nMen så kom teksten Og den fortsatte Jeg ved det",
    "Civilsamfundsaktørernes rolle i 18-midler-sager, jf. § 18, stk. 2.",
    "   ",
    "\n",
    ".",
    "Slut",
]
PIECES = ["Det", "det", "er", "godt", ".", "..", "…", "?", "!?", "osv.", "bl.a.", "kl.", "nr.",
          "H.C.", "J.", "28.", "2,5", "pct.", "»", "«", "\"", "'", ")", "(", "-", "•", "1.", "a)",
          "Men", "Og", "Jeg", "Randers", "Kommunen", "kommunen", "Ved", "ved", "du", "ikke",
          " ", "  ", "\n", "\n\n", " \n ", "\t"]


def _demo_documents() -> list[tuple[str, list[Block]]]:
    documents = []
    for folder in ("interviews", "survey", "reports"):
        if (CORPUS / folder).is_dir():
            for path in expand_paths([CORPUS / folder]):
                for document in read_source(path, ReadOptions()).documents:
                    documents.append((document.text, document.blocks))
    documents.extend((text, [Block(0, len(text))]) for text in TRICKY)
    return documents


def _plain(text: str, blocks: Sequence[Block]) -> list[tuple[int, int, int, str]]:
    """Segments through the full pipeline, each block's Doc read back."""
    nlp = load_pipeline()
    spans = []
    for index, block in enumerate(blocks):
        doc = nlp(text[block.start:block.end])
        spans.extend((s.start, s.end, s.block_index, s.lemmas)
                     for s in _sentences(doc, block.start, index))
    return spans


def test_the_one_pass_segmenter_equals_the_full_pipeline() -> None:
    nlp = load_pipeline()
    if _Rules.of(nlp) is None:
        pytest.skip("da_core_news_sm is installed: the importer uses the full pipeline")
    documents = _demo_documents()
    fast = segment_documents(documents, nlp=nlp)
    for (text, blocks), segments in zip(documents, fast, strict=True):
        assert [(s.start, s.end, s.block_index, s.lemmas) for s in segments] == \
            _plain(text, blocks)


def test_tokens_cover_each_segment_with_the_same_offsets_and_lemmas() -> None:
    for text, blocks in _demo_documents()[-len(TRICKY):]:
        plain = segment_blocks(text, blocks)
        with_tokens = segment_blocks(text, blocks, with_tokens=True)
        assert [(s.start, s.end, s.lemmas) for s in with_tokens] == \
            [(s.start, s.end, s.lemmas) for s in plain]
        for segment in with_tokens:
            assert segment.tokens
            assert segment.tokens[0].start == segment.start
            assert segment.tokens[-1].end == segment.end
            assert all(text[t.start:t.end] == t.text and t.text.strip() for t in segment.tokens)


def _every_token(texts: Sequence[str], kinds: Sequence[int], spaces: Sequence[int]) -> list[bool]:
    """The sentence rules applied by visiting every token in turn."""
    n = len(kinds)
    starts = [False] * n
    line_start = True
    for i in range(n):
        kind = kinds[i]
        if kind in _SPACES:
            if kind != SPACE:
                line_start = True
            continue
        if line_start:
            line_start = False
            if i and _opens_line(texts, kinds, i):
                starts[_first_word(kinds, i)] = True
            if kind == BULLET or _is_list_number(texts, kinds, i):
                continue
        if kind == STARTER and i and _previous_is_word(kinds, i):
            starts[i] = True
            continue
        if kind == PERIOD and i and not spaces[i - 1]:
            kind = glued_period_class(texts[i - 1])
        if kind not in _BREAKS:
            continue
        k = _first_word(kinds, _skip_closers(kinds, spaces, i))
        if k < n and kinds[k] not in (NEWLINE, BLANK) and _ends_sentence(kind, kinds[k]):
            starts[k] = True
    if n:
        starts[0] = True
    return starts


@pytest.mark.parametrize("seed", range(40))
def test_visiting_only_deciding_tokens_equals_visiting_every_token(seed: int) -> None:
    rng = random.Random(seed)
    pieces = rng.choices(PIECES, k=rng.randint(1, 200))
    text = "".join(p if p.isspace() or rng.random() < 0.3 else p + " " for p in pieces)
    doc = load_pipeline().tokenizer(text)
    texts = [t.text for t in doc]
    kinds = [classify(t) for t in texts]
    spaces = [int(bool(t.whitespace_)) for t in doc]
    assert sentence_starts(texts, kinds, spaces) == _every_token(texts, kinds, spaces)
