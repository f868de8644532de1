"""Danish lemmas of word forms, without spaCy: the lookup table plus kvali's rules.

The table is the Danish form → lemma table of `spacy-lookups-data` (kvali.nlp.lemma_table); the
rules cover what it misses or gets wrong: closed-class words (data/da_closed_class.txt),
lower-cased sentence starts, genitive -s, compounds (the last known part is lemmatised, the
prefix kept as written), proper nouns (kept as written) and unknown inflected forms (an ending is
stripped only when the result is a known lemma). The `kvali/lemmatizer` component
(kvali.nlp.lemmas) applies them to documents.

`query_lemmas` is the one way to lemmatise words outside a document (codebook rules, search
queries): as the project pipeline would, and through it whenever the rules alone cannot say.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib.resources import files
from importlib.util import find_spec
from pathlib import Path

from kvali.nlp.lemma_table import Lemmas, LemmaTable, lemma_table

MODEL_NAME = "da_core_news_sm"
"""The official Danish pipeline, used instead of kvali's rules when it is installed."""

# Inflection endings, longest first, each with the endings that may replace it in the lemma.
_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ernes", ("e", "", "er")),
    ("enes", ("e", "")),
    ("erne", ("e", "", "er")),
    ("ene", ("e", "")),
    ("ende", ("e", "")),
    ("ede", ("e", "")),
    ("este", ("", "e")),
    ("ere", ("", "e")),
    ("ets", ("", "e")),
    ("ens", ("", "e")),
    ("ers", ("e", "")),
    ("est", ("", "e")),
    ("en", ("", "e")),
    ("et", ("e", "")),
    ("er", ("e", "")),
    ("es", ("e", "")),
    ("te", ("e", "")),
    ("de", ("e", "")),
    ("e", ("",)),
    ("t", ("", "e")),
    ("s", ("",)),
    ("r", ("",)),
)
INFLECTION_ENDINGS = frozenset(ending for ending, _ in _ENDINGS)
"""The endings an inflected form may add to its stem ("-erne", "-ets", "-s")."""
_MIN_PART = 4  # shortest known word accepted as the last part of a compound
_MIN_NAME_PART = 5  # ... of a capitalised compound ("Unionstraktaten")
_MIN_PREFIX = 2  # shortest prefix kept in front of it
_ACRONYM_GENITIVE = re.compile(r"[A-ZÆØÅÄÖÜ0-9]{2,}s$")
# Names that end in -s in their base form (genitive -s is not stripped from them).
_S_NAMES = frozenset(
    """
    Anders Andreas Agnes Aars Assens Bruxelles Cannes Claus Elias Hals Hans Ines Jens Jonas Klaus
    Lars Lucas Lukas Mads Mathias Matthias Mogens Nicolas Niels Randers Texas Thomas Tobias Wales
    """.split()
)
_STRESS = str.maketrans("éèêáàóòúù", "eeeaaoouu")


def lookup_table() -> LemmaTable:
    """The Danish form → lemma table of spacy-lookups-data (kvali.nlp.lemma_table)."""
    return lemma_table()


@lru_cache(maxsize=1)
def closed_class() -> dict[str, str]:
    """Lower-cased form → lemma for the closed-class words kvali lemmatises itself."""
    text = files("kvali.nlp").joinpath("data/da_closed_class.txt").read_text(encoding="utf-8")
    lemmas: dict[str, str] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            lemma, forms = line.split(":", 1)
            lemmas.update((form, lemma) for form in forms.split())
    return lemmas


def known_lemmas() -> Lemmas:
    """Every lemma the table can produce, lower-cased (a set to test membership in)."""
    return lemma_table().lemmas


def is_known_word(text: str) -> bool:
    """Whether `text` is a form in the lookup table, exactly as written."""
    return text in lookup_table()


def is_common_word(text: str) -> bool:
    """Whether a capitalised word is an ordinary word: known in lower case, not as written."""
    table = lookup_table()
    return text not in table and text.lower() in table


@lru_cache(maxsize=200_000)
def lemmatize(text: str) -> str:
    """The lemma of one word form; unknown names keep their capitals."""
    lower = text.lower()
    lemma = closed_class().get(lower)
    if lemma is not None:
        return lemma
    if lower.endswith("ere") and len(lower) > 6 and lower in known_lemmas():
        return lower  # an -ere verb's infinitive, which the table may read as a noun plural
    table = lookup_table()
    lemma = table.get(text)
    if lemma is None:
        lemma = table.get(lower)
    if lemma is not None:
        return lemma
    return _unknown(text, lower, text[0].isupper())


def _unknown(text: str, lower: str, capital: bool) -> str:
    """The lemma of a form the table lacks."""
    plain = lower.translate(_STRESS)
    if plain != lower and not capital:  # stress marks: "én", "hér" (not names like "René")
        return lemmatize(plain)
    if lower.endswith("'s") or (lower.endswith("'") and lower[-2:-1] in ("s", "x", "z")):
        return lemmatize(text[: text.rindex("'")])
    head, dash, tail = text.rpartition("-")
    if head and tail.isalpha():
        return head + dash + lemmatize(tail.lower())
    if _ACRONYM_GENITIVE.match(text):
        return text[:-1]
    if not lower.isalpha():
        return text
    if capital:
        return _compound(lower, _MIN_NAME_PART) or _name(text)
    return _compound(lower, _MIN_PART) or _inflected(lower) or lower


def _name(text: str) -> str:
    """A capitalised unknown word, taken as a name: kept as written, genitive -s removed."""
    if (
        text.endswith("s")
        and len(text) > 3
        and not text.endswith(("ss", "us", "is", "ys"))
        and text not in _S_NAMES
    ):
        return text[:-1]
    return text


def _compound(lower: str, min_part: int) -> str | None:
    """The prefix plus the lemma of the longest known last part, if there is one."""
    table = lookup_table()
    for start in range(_MIN_PREFIX, len(lower) - min_part + 1):
        lemma = table.get(lower[start:])
        if lemma is not None:
            return lower[:start] + lemma.lower()
    return None


def _inflected(lower: str) -> str | None:
    """A known lemma reached by replacing an inflection ending, if there is one."""
    lemmas = known_lemmas()
    for ending, replacements in _ENDINGS:
        if lower.endswith(ending) and len(lower) - len(ending) >= 2:
            stem = lower[: -len(ending)]
            for replacement in replacements:
                if stem + replacement in lemmas:
                    return stem + replacement
    return None


_QUERY_LEMMAS: dict[str, str] = {}
_QUERY_CACHE_LIMIT = 200_000


def query_lemmas(words: Iterable[str]) -> dict[str, str]:
    """Each word's lemmas given out of context, in the form of `segments.lemmas` (lower-cased,
    space separated, one per word token): a codebook's keywords and phrases, a search query's
    words, a corpus form without a stored lemma. They come from the project pipeline, which
    lemmatised the corpus at import, so the words and the corpus always meet. Without the
    model that pipeline's lemma of a single word is `lemmatize`, so spaCy is loaded only for a
    word it would split or when da_core_news_sm is installed."""
    unique = list(dict.fromkeys(words))
    missing = [word for word in unique if word not in _QUERY_LEMMAS]
    if len(_QUERY_LEMMAS) + len(missing) > _QUERY_CACHE_LIMIT:
        _QUERY_LEMMAS.clear()
        missing = unique
    rules_only = not model_installed()
    through_pipeline = []
    for word in missing:
        if rules_only and is_one_token(word):
            _QUERY_LEMMAS[word] = (lemmatize(word) if word.isalpha() else word).lower()
        else:
            through_pipeline.append(word)
    if through_pipeline:
        from kvali.nlp.pipeline import load_pipeline  # spaCy: only for what the rules cannot do

        for word, doc in zip(through_pipeline, load_pipeline().pipe(through_pipeline),
                             strict=True):
            _QUERY_LEMMAS[word] = " ".join(t.lemma_.lower() for t in doc
                                           if not (t.is_space or t.is_punct))
    return {word: _QUERY_LEMMAS[word] for word in unique}


def is_one_token(word: str) -> bool:
    """Whether spaCy's Danish tokenizer keeps `word` whole as a word token, so the fallback
    pipeline's lemma of it is `lemmatize(word)`: letters only, or ASCII digits only (it splits
    only at punctuation, symbols and units after digits, "10km"; tests/test_lemmas.py checks)."""
    return word.isalpha() or (word.isascii() and word.isdigit())


def model_installed() -> bool:
    """Whether `load_pipeline` would load da_core_news_sm, whose lemmas depend on context (an
    installed package, or a folder of that name, as `spacy.load` looks for it)."""
    return find_spec(MODEL_NAME) is not None or Path(MODEL_NAME).exists()
