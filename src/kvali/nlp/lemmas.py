"""Danish lemmas: the `kvali/lemmatizer` pipeline component.

It sets every token's lemma from kvali.nlp.lemma_rules (the lookup table of spacy-lookups-data
plus kvali's rules, no spaCy there) and reads "ved" as the verb "vide" where the context says so.
The rules' public names are also importable from here.
"""

from __future__ import annotations

import numpy
from spacy.attrs import LEMMA, ORTH
from spacy.language import Language
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

__all__ = ["INFLECTION_ENDINGS", "Lemmatizer", "closed_class", "is_common_word", "is_known_word",
           "known_lemmas", "lemmatize", "lookup_table", "make_lemmatizer", "query_lemmas"]

_PRONOUNS = frozenset("jeg du han hun vi man i de".split())
_AFTER_KNOW = frozenset("ikke ik' ikk' jeg du han hun vi man godt nok".split())


class Lemmatizer:
    """Sets `token.lemma_` on every token from the lookup table and the Danish rules."""

    def __init__(self) -> None:
        self._vide = 0
        self._lemmas: dict[int, int] = {}  # form hash -> lemma hash

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        strings = doc.vocab.strings
        if not self._vide:  # first call: load every table now rather than mid-document
            lookup_table(), closed_class(), known_lemmas()
            self._vide = strings.add("vide")
        orths = doc.to_array([ORTH]).tolist()
        texts = [strings[orth] for orth in orths]
        lemmas = self._lemmas
        values = []
        for orth, text in zip(orths, texts, strict=True):
            lemma = lemmas.get(orth)
            if lemma is None:
                # every form with a letter, so "18-midler" is "18-middel" as in a codebook
                lemma = lemmas[orth] = (strings.add(lemmatize(text))
                                        if any(c.isalpha() for c in text) else orth)
            values.append(lemma)
        if "ved" in texts:
            for i, text in enumerate(texts):
                if text == "ved" and _knows(texts, i):
                    values[i] = self._vide
        doc.from_array([LEMMA], numpy.array(values, dtype="uint64"))
        return doc


def _knows(texts: list[str], i: int) -> bool:
    """Whether "ved" at i is the verb "vide" (know): a pronoun before it or "ikke" etc. after."""
    before = texts[i - 1].lower() if i else ""
    after = texts[i + 1].lower() if i + 1 < len(texts) else ""
    return before in _PRONOUNS or after in _AFTER_KNOW


@Language.factory("kvali/lemmatizer")
def make_lemmatizer(nlp: Language, name: str) -> Lemmatizer:
    """Create the Danish lemmatizer component (the lookup table loads on first use)."""
    return Lemmatizer()
