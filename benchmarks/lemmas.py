"""Lemma accuracy on UD Danish DDT (dev): kvali's lemmatizer vs the plain lookup table.

Uses the gold tokenisation (one Doc per gold sentence), compares lower-cased lemmas and leaves
out punctuation (UPOS PUNCT). Also prints throughput in words/s next to the tokenizer alone.

    python benchmarks/lemmas.py [--conllu PATH] [--errors 30] [--runs 3]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import spacy
from sentences import DEFAULT_CONLLU, GoldSentence, blocks, read_conllu, words_per_second
from spacy.language import Language
from spacy.tokens import Doc

import kvali.nlp.sentences  # noqa: F401  (registers the components)
from kvali.nlp.lemmas import lookup_table


def kvali_pipeline() -> Language:
    """spacy.blank("da") with kvali's two components, as `load_pipeline()` builds it."""
    nlp = spacy.blank("da")
    nlp.add_pipe("kvali/sentences")
    nlp.add_pipe("kvali/lemmatizer")
    return nlp


def gold_docs(nlp: Language, sentences: list[GoldSentence]) -> list[Doc]:
    """One Doc per gold sentence with the gold words and spaces."""
    return [
        Doc(nlp.vocab, words=[t.form for t in s.tokens], spaces=[t.space_after for t in s.tokens])
        for s in sentences
    ]


def kvali_lemmas(nlp: Language, docs: list[Doc]) -> list[list[str]]:
    """kvali's lemmas for the tokens of each Doc."""
    lemmatizer = nlp.get_pipe("kvali/lemmatizer")
    return [[t.lemma_ for t in lemmatizer(doc)] for doc in docs]


def table_lemmas(nlp: Language, docs: list[Doc]) -> list[list[str]]:
    """The plain lookup table's lemmas: the form, else its lower case, else the form itself."""
    table = lookup_table()
    return [[table.get(t.text) or table.get(t.lower_, t.text) for t in doc] for doc in docs]


def accuracy(
    sentences: list[GoldSentence], predicted: list[list[str]], errors: Counter[tuple[str, str, str]]
) -> float:
    """Share of non-punctuation tokens whose lower-cased lemma matches; misses go to `errors`."""
    right = total = 0
    for sentence, lemmas in zip(sentences, predicted, strict=True):
        for token, lemma in zip(sentence.tokens, lemmas, strict=True):
            if token.upos == "PUNCT":
                continue
            total += 1
            if lemma.lower() == token.lemma.lower():
                right += 1
            else:
                errors[(token.form, lemma.lower(), token.lemma.lower())] += 1
    return right / total


def measure(path: Path) -> dict[str, float]:
    """Lemma accuracy of kvali and of the plain table on a CoNLL-U file."""
    sentences = read_conllu(path)
    nlp = kvali_pipeline()
    docs = gold_docs(nlp, sentences)
    return {
        "lookup table": accuracy(sentences, table_lemmas(nlp, docs), Counter()),
        "kvali/lemmatizer": accuracy(sentences, kvali_lemmas(nlp, docs), Counter()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conllu", type=Path, default=DEFAULT_CONLLU)
    parser.add_argument("--errors", type=int, default=0, help="show the most frequent errors")
    parser.add_argument("--words", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    nlp = kvali_pipeline()
    plain = spacy.blank("da")
    plain.add_pipe("sentencizer")
    plain.add_pipe("lemmatizer", config={"mode": "lookup"})
    plain.initialize()
    texts = blocks(args.conllu, args.words)
    words = sum(len(t.split()) for t in texts)
    once = blocks(args.conllu, 0)
    started = time.perf_counter()
    nlp("Opvarmning.")  # loads the lemma tables
    startup = time.perf_counter() - started
    first = words_per_second(lambda ts: list(nlp.pipe(ts)), once, 1)
    fresh = spacy.blank("da")
    first_tokenizer = words_per_second(lambda ts: list(fresh.tokenizer.pipe(ts)), once, 1)
    print(f"Throughput over {words:,} words of DDT paragraphs (best of {args.runs})")
    rates = (
        ("tokenizer alone", lambda ts: list(nlp.tokenizer.pipe(ts))),
        ("spaCy sentencizer+lookup", lambda ts: list(plain.pipe(ts))),
        ("kvali pipeline", lambda ts: list(nlp.pipe(ts))),
    )
    for label, run in rates:
        print(f"{label:24} {words_per_second(run, texts, args.runs):12,.0f} words/s")
    print(f"First pass over {sum(len(t.split()) for t in once):,} words, every form new")
    print(f"{'tokenizer alone':24} {first_tokenizer:12,.0f} words/s")
    print(f"{'kvali pipeline':24} {first:12,.0f} words/s")
    print(f"{'kvali, start-up':24} {startup:12.2f} s (tables loaded once per process)")

    sentences = read_conllu(args.conllu)
    docs = gold_docs(nlp, sentences)
    print(f"\nLemma accuracy on {args.conllu.name} (lower-cased, punctuation excluded)")
    runs: tuple[tuple[str, Callable[[Language, list[Doc]], list[list[str]]]], ...] = (
        ("lookup table", table_lemmas),
        ("kvali/lemmatizer", kvali_lemmas),
    )
    errors: Counter[tuple[str, str, str]] = Counter()
    for label, run in runs:
        errors.clear()
        print(f"{label:24} {accuracy(sentences, run(nlp, docs), errors):.3f}")
    for (form, got, gold), count in errors.most_common(args.errors):
        print(f"  {count:3} {form:20} got {got:20} gold {gold}")


if __name__ == "__main__":
    main()
