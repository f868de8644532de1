"""Sentence boundaries on UD Danish DDT (dev): kvali's rules vs spaCy's plain sentencizer.

The gold sentences are joined with single spaces into one running text; each pipeline's sentence
ends are compared with the gold ends as character offsets, after stripping trailing spaces and
quote characters. Also prints throughput in words/s next to the tokenizer alone.

    python benchmarks/sentences.py [--conllu PATH] [--errors 20] [--runs 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language

import kvali.nlp.sentences  # noqa: F401  (registers the component)

DEFAULT_CONLLU = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "ddt" / "da_ddt-ud-dev.conllu"
)
QUOTES = "\"'«»„“”‘’›‹"


@dataclass
class GoldToken:
    """One token of a gold sentence."""

    form: str
    lemma: str
    upos: str
    space_after: bool


@dataclass
class GoldSentence:
    """One gold sentence: its text and tokens."""

    text: str
    tokens: list[GoldToken]


def read_conllu(path: Path) -> list[GoldSentence]:
    """The sentences of a CoNLL-U file (multi-word token ranges and empty nodes skipped)."""
    sentences: list[GoldSentence] = []
    text = ""
    tokens: list[GoldToken] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# text = "):
            text = line[len("# text = ") :]
        elif not line.strip():
            if tokens:
                sentences.append(GoldSentence(text, tokens))
            text, tokens = "", []
        elif not line.startswith("#"):
            cols = line.split("\t")
            if "-" in cols[0] or "." in cols[0]:
                continue
            tokens.append(GoldToken(cols[1], cols[2], cols[3], "SpaceAfter=No" not in cols[9]))
    if tokens:
        sentences.append(GoldSentence(text, tokens))
    return sentences


def _end(text: str, end: int) -> int:
    """A sentence end moved left past trailing spaces and quote characters."""
    while end > 0 and (text[end - 1].isspace() or text[end - 1] in QUOTES):
        end -= 1
    return end


def gold_ends(sentences: list[GoldSentence]) -> tuple[str, set[int]]:
    """The running text and the gold sentence ends in it."""
    ends: set[int] = set()
    offset = 0
    for sentence in sentences:
        offset += len(sentence.text)
        ends.add(offset)
        offset += 1
    text = " ".join(s.text for s in sentences)
    return text, {_end(text, e) for e in ends}


def predicted_ends(nlp: Language, text: str) -> set[int]:
    """The sentence ends a pipeline finds in the running text."""
    return {_end(text, sent.end_char) for sent in nlp(text).sents}


def prf(gold: set[int], found: set[int]) -> tuple[float, float, float]:
    """Precision, recall and F1 of found ends against gold ends."""
    hits = len(gold & found)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(gold) if gold else 0.0
    f = 2 * precision * recall / (precision + recall) if hits else 0.0
    return precision, recall, f


def kvali_sentences() -> Language:
    """spacy.blank("da") with kvali's sentence component."""
    nlp = spacy.blank("da")
    nlp.add_pipe("kvali/sentences")
    return nlp


def plain_sentencizer() -> Language:
    """spacy.blank("da") with spaCy's plain sentencizer."""
    nlp = spacy.blank("da")
    nlp.add_pipe("sentencizer")
    return nlp


def measure(path: Path, make: Callable[[], Language]) -> tuple[float, float, float]:
    """Precision, recall and F1 of a pipeline's sentence ends on a CoNLL-U file."""
    text, gold = gold_ends(read_conllu(path))
    max_length = max(len(text) + 1, 1_000_000)
    nlp = make()
    nlp.max_length = max_length
    return prf(gold, predicted_ends(nlp, text))


def show_errors(path: Path, limit: int) -> None:
    """Print up to `limit` missed and spurious ends of kvali's rules, with context."""
    text, gold = gold_ends(read_conllu(path))
    nlp = kvali_sentences()
    nlp.max_length = len(text) + 1
    found = predicted_ends(nlp, text)
    for label, ends in (("missed", gold - found), ("spurious", found - gold)):
        for end in sorted(ends)[:limit]:
            print(f"{label:9} …{text[max(0, end - 50) : end]}‖{text[end : end + 30]}…")


def blocks(path: Path, words: int) -> list[str]:
    """Paragraph-sized blocks of DDT text (five sentences each) totalling about `words` words."""
    sentences = [s.text for s in read_conllu(path)]
    paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]
    per_copy = sum(len(p.split()) for p in paragraphs)
    return paragraphs * max(1, words // per_copy)


def words_per_second(run: Callable[[Iterable[str]], object], texts: list[str], runs: int) -> float:
    """Best-of-`runs` throughput of `run` over the texts."""
    words = sum(len(t.split()) for t in texts)
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        run(texts)
        best = min(best, time.perf_counter() - started)
    return words / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conllu", type=Path, default=DEFAULT_CONLLU)
    parser.add_argument("--errors", type=int, default=0, help="show this many errors of each kind")
    parser.add_argument("--words", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    print(f"Sentence ends on {args.conllu.name}")
    print(f"{'pipeline':24} {'precision':>9} {'recall':>7} {'F':>6}")
    for label, make in (
        ("spaCy sentencizer", plain_sentencizer),
        ("kvali/sentences", kvali_sentences),
    ):
        p, r, f = measure(args.conllu, make)
        print(f"{label:24} {p:9.3f} {r:7.3f} {f:6.3f}")
    if args.errors:
        show_errors(args.conllu, args.errors)

    texts = blocks(args.conllu, args.words)
    kvali = kvali_sentences()
    plain = plain_sentencizer()
    kvali("Opvarmning.")
    print(f"\nThroughput over {sum(len(t.split()) for t in texts):,} words (best of {args.runs})")
    rates = (
        ("tokenizer alone", lambda ts: list(kvali.tokenizer.pipe(ts))),
        ("+ spaCy sentencizer", lambda ts: list(plain.pipe(ts))),
        ("+ kvali/sentences", lambda ts: list(kvali.pipe(ts))),
    )
    for label, run in rates:
        print(f"{label:24} {words_per_second(run, texts, args.runs):12,.0f} words/s")


if __name__ == "__main__":
    main()
