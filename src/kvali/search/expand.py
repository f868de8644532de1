"""Expand the words of a query: lemma, aa/å spelling, compounds and (on request) misspellings.

Every expansion is a term of the index's own vocabulary, so each one is reported back to the
analyst, who can drop any of them (`drop=`) and search again. A name ("Randers") is matched as
typed, never by a common-noun lemma ("rand"); a compound holds the word at a plausible boundary
("netværks|møder", "familie|netværket", not "fo|rand|ring"), and a misspelt word's neighbours
get the compounds the word itself would.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from kvali.municipalities import match_municipality
from kvali.nlp.lemma_rules import (
    INFLECTION_ENDINGS,
    is_known_word,
    known_lemmas,
    lemmatize,
    query_lemmas,
)
from kvali.search.query import BinaryOp, Near, Node, Phrase, Word, index_tokens
from kvali.search.vocabulary import Vocabulary, vocabulary

if TYPE_CHECKING:
    from sqlite_utils import Database

COMPOUND_MIN_LENGTH = 4  # shorter words ("far", "år") only match whole words
COMPOUND_LIMIT = 200  # most frequent compound terms kept per word
COMPOUND_MIN_PART = 3  # shortest other part of a compound ("familie|netværk", "randers|vej")
_LINKS = ("s", "e")  # linking letters between the parts of a compound ("netværk|s|møde")
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


def _words(node: Node) -> list[Word]:
    if isinstance(node, Word):
        return [node]
    if isinstance(node, BinaryOp):
        return _words(node.left) + _words(node.right)
    return []


def spelling_variants(token: str, vocab: Vocabulary) -> list[str]:
    """The aa ↔ å spelling of a word ("aabenraa" ↔ "åbenrå") when the project uses it."""
    variants = {token.replace("aa", "å"), token.replace("å", "aa")} - {token}
    return sorted(v for v in variants if v in vocab)


def municipality_code(word: str) -> int | None:
    """The municipality a word names by its name or a known variant (never by a fuzzy guess)."""
    match = match_municipality(word)
    return match.municipality.code if match is not None and match.method != "fuzzy" else None


def is_name(typed: str) -> bool:
    """Whether a query word is a proper noun, matched as typed: a capitalised municipality name
    or variant ("Randers", "Brande") or word the lemmatizer keeps as a name, or a lower-case
    municipality name that is no common word ("randers", not "skive")."""
    if typed[:1].isupper():
        return municipality_code(typed) is not None or lemmatize(typed)[:1].isupper()
    return municipality_code(typed) is not None and not is_known_word(typed)


@lru_cache(maxsize=100_000)
def _is_word(text: str) -> bool:
    """Whether `text` is a known word, an inflected form of one or a compound of known words
    (of at least COMPOUND_MIN_LENGTH letters each, so "steppeb" is no "step|peb")."""
    if len(text) < COMPOUND_MIN_PART:
        return False
    lemmas = known_lemmas()
    if is_known_word(text) or text in lemmas or lemmatize(text) in lemmas:
        return True
    return any((is_known_word(text[:i]) or text[:i] in lemmas) and _is_part(text[i:], last=True)
               for i in range(COMPOUND_MIN_LENGTH, len(text) - COMPOUND_MIN_LENGTH + 1))


def _is_part(text: str, *, last: bool) -> bool:
    """Whether `text` can stand before (or, `last`, after) a word in a compound: a word, or a
    word with its linking letter ("sundhed|s", "s|møder")."""
    linked = text[1:] if last else text[:-1]
    return _is_word(text) or (text[0 if last else -1] in _LINKS and _is_word(linked))


def is_compound_of(term: str, part: str) -> bool:
    """Whether `term` holds `part` at a plausible compound boundary: at the start, followed by an
    inflection ending or a known word ("netværkene", "netværksmøder"), or after a known first
    part, then inflected or linked to a known word ("familienetværket", "fagforeningsarbejde");
    never inside a word ("rand" is not in "forandring" or "leverandører")."""
    if term.startswith(part):
        tail = term[len(part):]
        if tail in INFLECTION_ENDINGS or _is_part(tail, last=True):
            return True
    start = term.find(part, 1)
    while start >= 0:
        head, tail = term[:start], term[start + len(part):]
        linked = tail[:1] in _LINKS and _is_word(tail[1:])
        if (not tail or tail in INFLECTION_ENDINGS or linked) and _is_part(head, last=False):
            return True
        start = term.find(part, start + 1)
    return False


def _compound_terms(parts: Iterable[str], vocab: Vocabulary, place: int | None) -> set[str]:
    """Index terms that are compounds or inflected forms of any of `parts`; a term that names a
    municipality only for that municipality's own name ("rand" does not find "randers")."""
    found: set[str] = set()
    for part in parts:
        if len(part) >= COMPOUND_MIN_LENGTH and not part.isdigit():
            found.update(term for term in vocab.containing(part)
                         if is_compound_of(term, part) and municipality_code(term) in (None, place))
    return found


def _compounds(expansion: WordExpansion, vocab: Vocabulary, own: set[str]) -> None:
    """The word's own compound terms and those of its fuzzy neighbours, most frequent first."""
    found = own | _compound_terms(expansion.fuzzy, vocab, municipality_code(expansion.word))
    found -= {expansion.word, *expansion.lemma, *expansion.spelling, *expansion.fuzzy}
    ranked = sorted(found, key=lambda term: (-vocab.segments[term], term))
    expansion.compounds = sorted(ranked[:COMPOUND_LIMIT])
    expansion.compounds_left_out = max(0, len(ranked) - COMPOUND_LIMIT)


def _fuzzy(expansion: WordExpansion, vocab: Vocabulary, own: set[str]) -> None:
    word = expansion.word
    if len(word) < FUZZY_MIN_LENGTH or word.isdigit():
        return
    known = {word, *expansion.lemma, *expansion.spelling, *own}
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
    for node in words:
        word = node.token
        if word in expansions.words:
            continue
        if is_name(node.as_typed):
            lemmas[word] = (word,)
        lemma = lemmas.get(word, (word,))
        expansion = WordExpansion(word, () if lemma == (word,) else lemma)
        expansion.spelling = spelling_variants(word, vocab)
        parts = {word, *(expansion.lemma if len(expansion.lemma) == 1 else ())}
        own = _compound_terms(parts, vocab, municipality_code(word)) if compounds else set()
        if fuzzy:
            _fuzzy(expansion, vocab, own)
        if compounds:
            _compounds(expansion, vocab, own)
        _drop(expansion, drop_set, expansions.dropped)
        expansions.words[word] = expansion
    return expansions
