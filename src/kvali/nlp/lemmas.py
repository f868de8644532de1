"""Danish lemmas: the `kvali/lemmatizer` pipeline component.

It sets every token's lemma from kvali.nlp.lemma_rules (the lookup table of spacy-lookups-data
plus kvali's rules, no spaCy there) and reads "ved" as the verb "vide" where the context says so.
The rules' public names are also importable from here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy
from spacy.attrs import LEMMA, ORTH
from spacy.language import Language
from spacy.strings import StringStore
from spacy.tokens import Doc

from kvali.nlp.lemma_rules import (
    INFLECTION_ENDINGS,
    closed_class,
    is_common_word,
    is_known_word,
    known_lemmas,
    lemmatize,
    lookup_table,
    query_lemmas,
)
from kvali.nlp.tokens import TokenTexts, cached_values

__all__ = ["INFLECTION_ENDINGS", "Lemmatizer", "closed_class", "is_common_word", "is_known_word",
           "known_lemmas", "lemmatize", "lookup_table", "make_lemmatizer", "query_lemmas"]

_PRONOUNS = frozenset("jeg du han hun vi man i de".split())
_AFTER_KNOW = frozenset("ikke ik' ikk' jeg du han hun vi man godt nok".split())


class Lemmatizer:
    """Sets `token.lemma_` on every token from the lookup table and the Danish rules."""

    def __init__(self) -> None:
        self._vide = 0
        self._ved = 0
        self._lemmas: dict[int, int] = {}  # form hash -> lemma hash

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        keys = self.lemma_keys(doc.vocab.strings, doc.to_array([ORTH]).tolist())
        doc.from_array([LEMMA], numpy.array(keys, dtype="uint64"))
        return doc

    def lemma_keys(self, strings: StringStore, orths: list[int]) -> list[int]:
        """The lemma hash of every token, from the tokens' string hashes (what `__call__` sets
        on a Doc; the segmenter also asks directly)."""
        if not self._vide:  # first call: load every table now rather than mid-document
            lookup_table(), closed_class(), known_lemmas()
            self._vide = strings.add("vide")
            self._ved = strings.add("ved")
        keys = cached_values(self._lemmas, orths, lambda orth: _lemma_key(strings, orth))
        if self._ved in orths:
            texts = TokenTexts(strings, orths)
            for i, orth in enumerate(orths):
                if orth == self._ved and _knows(texts, i):
                    keys[i] = self._vide
        return keys


def _lemma_key(strings: StringStore, orth: int) -> int:
    """The lemma hash of a form: every form with a letter has one, so "18-midler" is
    "18-middel" as in a codebook; other forms are their own lemma."""
    text = strings[orth]
    return strings.add(lemmatize(text)) if any(c.isalpha() for c in text) else orth


def _knows(texts: Sequence[str], i: int) -> bool:
    """Whether "ved" at i is the verb "vide" (know): a pronoun before it or "ikke" etc. after."""
    before = texts[i - 1].lower() if i else ""
    after = texts[i + 1].lower() if i + 1 < len(texts) else ""
    return before in _PRONOUNS or after in _AFTER_KNOW


@Language.factory("kvali/lemmatizer")
def make_lemmatizer(nlp: Language, name: str) -> Lemmatizer:
    """Create the Danish lemmatizer component (the lookup table loads on first use)."""
    return Lemmatizer()
