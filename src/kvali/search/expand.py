"""Expand the words of a query: lemma, aa/å spelling, compounds and (on request) misspellings.

Every expansion is a term of the index's own vocabulary, so each one is reported back to the
analyst, who can drop any of them (`drop=`) and search again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlite_utils import Database

from kvali.nlp.lemmas import query_lemmas
from kvali.search.query import BinaryOp, Near, Node, Phrase, Word, index_tokens
from kvali.search.vocabulary import Vocabulary, vocabulary

COMPOUND_MIN_LENGTH = 4  # shorter words ("far", "år") only match whole words
COMPOUND_LIMIT = 200  # most frequent compound terms kept per word
FUZZY_MIN_LENGTH = 4
FUZZY_LIMIT = 10


@dataclass
class WordExpansion:
    """What one bare query word matches besides itself."""

    word: str
    lemma: tuple[str, ...]
    spelling: list[str] = field(default_factory=list)
    compounds: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    compounds_left_out: int = 0

    def alternatives(self) -> list[tuple[str, ...]]:
        """Every token sequence the word may match, the word itself first, without repeats."""
        seen: dict[tuple[str, ...], None] = {(self.word,): None}
        if self.lemma:
            seen[self.lemma] = None
        for term in (*self.spelling, *self.compounds, *self.fuzzy):
            seen[(term,)] = None
        return list(seen)

    def to_dict(self) -> dict:
        """JSON-friendly form (shown to the analyst)."""
        return {"word": self.word, "lemma": " ".join(self.lemma), "spelling": self.spelling,
                "compounds": self.compounds, "compounds_left_out": self.compounds_left_out,
                "fuzzy": self.fuzzy}


@dataclass
class Expansions:
    """Lemmas of every query token and the expansions of the bare words."""

    lemmas: dict[str, tuple[str, ...]]
    words: dict[str, WordExpansion]
    dropped: list[str] = field(default_factory=list)

    def lemma_of(self, token: str) -> tuple[str, ...]:
        """The lemma's index tokens (the token itself when it has none)."""
        return self.lemmas.get(token) or (token,)


def lemmatize_tokens(tokens: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Lower-cased lemmas of query tokens, with the project pipeline, as index tokens."""
    lemmas = query_lemmas(sorted(set(tokens)))
    return {token: tuple(index_tokens(lemma)) or (token,) for token, lemma in lemmas.items()}


def _tokens(node: Node) -> list[str]:
    if isinstance(node, Word):
        return [node.token]
    if isinstance(node, Phrase):
        return list(node.tokens)
    if isinstance(node, Near):
        return [t for operand in node.operands for t in _tokens(operand)]
    if isinstance(node, BinaryOp):
        return _tokens(node.left) + _tokens(node.right)
    return []


def _words(node: Node) -> list[str]:
    if isinstance(node, Word):
        return [node.token]
    if isinstance(node, BinaryOp):
        return _words(node.left) + _words(node.right)
    return []


def spelling_variants(token: str, vocab: Vocabulary) -> list[str]:
    """The aa ↔ å spelling of a word ("aabenraa" ↔ "åbenrå") when the project uses it."""
    variants = {token.replace("aa", "å"), token.replace("å", "aa")} - {token}
    return sorted(v for v in variants if v in vocab)


def _compounds(expansion: WordExpansion, vocab: Vocabulary) -> None:
    parts = {expansion.word}
    if len(expansion.lemma) == 1:
        parts.add(expansion.lemma[0])
    found: set[str] = set()
    for part in parts:
        if len(part) >= COMPOUND_MIN_LENGTH and not part.isdigit():
            found.update(vocab.containing(part))
    found -= {expansion.word, *expansion.lemma, *expansion.spelling}
    ranked = sorted(found, key=lambda term: (-vocab.segments[term], term))
    expansion.compounds = sorted(ranked[:COMPOUND_LIMIT])
    expansion.compounds_left_out = max(0, len(ranked) - COMPOUND_LIMIT)


def _fuzzy(expansion: WordExpansion, vocab: Vocabulary) -> None:
    word = expansion.word
    if len(word) < FUZZY_MIN_LENGTH or word.isdigit():
        return
    known = {word, *expansion.lemma, *expansion.spelling, *expansion.compounds}
    max_distance = 1 if len(word) <= 7 else 2
    expansion.fuzzy = [term for term, _ in vocab.similar(word, max_distance, FUZZY_LIMIT + 5)
                       if term not in known][:FUZZY_LIMIT]


def _drop(expansion: WordExpansion, drop: set[str], dropped: list[str]) -> None:
    for name in ("spelling", "compounds", "fuzzy"):
        terms: list[str] = getattr(expansion, name)
        dropped.extend(t for t in terms if t in drop)
        setattr(expansion, name, [t for t in terms if t not in drop])
    if " ".join(expansion.lemma) in drop and expansion.lemma != (expansion.word,):
        dropped.append(" ".join(expansion.lemma))
        expansion.lemma = ()


def expand(
    db: Database,
    tree: Node,
    *,
    fuzzy: bool = False,
    compounds: bool = True,
    drop: Iterable[str] = (),
) -> Expansions:
    """Lemmas for every token of the query and the expansions of its bare words."""
    lemmas = lemmatize_tokens(_tokens(tree))
    words = _words(tree)
    expansions = Expansions(lemmas=lemmas, words={})
    if not words:
        return expansions
    vocab = vocabulary(db)
    drop_set = {" ".join(index_tokens(term)) for term in drop}
    for word in dict.fromkeys(words):
        lemma = lemmas.get(word, (word,))
        expansion = WordExpansion(word, () if lemma == (word,) else lemma)
        expansion.spelling = spelling_variants(word, vocab)
        if compounds:
            _compounds(expansion, vocab)
        if fuzzy:
            _fuzzy(expansion, vocab)
        _drop(expansion, drop_set, expansions.dropped)
        expansions.words[word] = expansion
    return expansions
