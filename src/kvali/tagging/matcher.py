"""Match codebook rules against Danish tokens: keywords (lemma, surface, compounds), phrases,
patterns, fuzzy spellings and vetoes, with the words that matched and a score for each code.

Lemmas are the corpus's own, stored at import (`segments.lemmas`), so "ved" in "Jeg ved ikke"
is "vide" as it is in search; words without one are lemmatised out of context. Work per
distinct (form, lemma) pair is cached, so tagging a corpus costs little more than reading it:
"netværksmødet" is analysed once, however often it occurs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, ORTH
from spacy.tokens import Doc

from kvali.codebook.model import Code, Codebook, Scope
from kvali.codebook.patterns import CodebookPattern, compile_pattern

LINKING_LETTERS = ("s", "e", "")
MIN_COMPOUND_PART = 3
MIN_FUZZY_LENGTH = 5
SCORES = {"keyword": 1.0, "phrase": 1.0, "pattern": 1.0, "compound": 0.9}
WORD = re.compile(r"\w", re.UNICODE)
TOKEN_ATTRS = [ORTH, IDX, LENGTH, IS_PUNCT, IS_SPACE]
PHRASE_ENDINGS = ("erne", "ene", "er", "et", "en", "e", "t", "s")


@lru_cache(maxsize=100_000)
def phrase_stem(lemma: str) -> str:
    """A lemma without an inflection ending, so "nære"/"nært" and "netværket" meet in a phrase."""
    for ending in PHRASE_ENDINGS:
        if lemma.endswith(ending) and len(lemma) - len(ending) >= MIN_COMPOUND_PART:
            return lemma[: -len(ending)]
    return lemma


@dataclass(frozen=True)
class SegmentContext:
    """What scope rules look at."""

    kind: str
    question: str | None = None
    role: str | None = None


Hit = tuple[str, int, int, float]  # rule, start, end, score


@dataclass
class CodeMatch:
    """Why a code was suggested for a segment: rules, matched spans (segment offsets), score."""

    code_key: str
    rules: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    score: float = 0.0

    @classmethod
    def of(cls, code_key: str, hits: list[Hit]) -> CodeMatch:
        """One code's match from its hits: rules and spans once each, the best score."""
        if len(hits) == 1:
            rule, start, end, score = hits[0]
            return cls(code_key, [rule], [(start, end)], score)
        return cls(code_key, rules=list(dict.fromkeys(hit[0] for hit in hits)),
                   spans=list(dict.fromkeys((hit[1], hit[2]) for hit in hits)),
                   score=max(hit[3] for hit in hits))


@dataclass(frozen=True)
class _Phrase:
    code_key: str
    text: str
    stems: tuple[str, ...]


@dataclass(frozen=True)
class _Form:
    """What the matcher knows about one distinct (surface form, lemma) pair."""

    lower: str
    lemma: str
    is_word: bool
    hits: tuple[tuple[str, str, float], ...]
    stem: str
    phrases: tuple[_Phrase, ...]  # the phrases whose first word this form can be


class CodebookMatcher:
    """Compiled rules of a codebook (or of some of its codes)."""

    def __init__(self, codes: Iterable[Code], lemmatise: Callable[[str], str]) -> None:
        self.codes = {c.key: c for c in codes if not c.rules.empty}
        self.lemmatise = lemmatise
        self.exact: dict[str, list[tuple[str, str]]] = {}
        self.parts: dict[str, list[tuple[str, str]]] = {}
        self.fuzzy: dict[str, list[tuple[str, str, int]]] = {}
        self.phrases: dict[str, list[_Phrase]] = {}
        self.patterns: dict[str, tuple[CodebookPattern, list[str]]] = {}  # run once each
        self.vetoes: dict[str, tuple[set[str], list[tuple[str, ...]]]] = {}
        for code in self.codes.values():
            self._compile(code)
        self.fuzzy_forms = list(self.fuzzy)
        self.fuzzy_floor = min((t for e in self.fuzzy.values() for _, _, t in e), default=100)
        self.scopes = {key: code.rules.scope for key, code in self.codes.items()
                       if code.rules.scope != Scope()}
        self.forms: dict[tuple[int, str | None], _Form] = {}
        self.unaligned = 0  # segments whose stored lemmas did not line up with their tokens

    def _compile(self, code: Code) -> None:
        rules = code.rules
        for keyword in rules.keywords:
            for form in {keyword.word, self.lemmatise(keyword.word)} - {""}:
                self.exact.setdefault(form, []).append((code.key, keyword.word))
                if keyword.compound and len(form) >= MIN_COMPOUND_PART:
                    self.parts.setdefault(form, []).append((code.key, keyword.word))
                if rules.fuzzy and len(form) >= MIN_FUZZY_LENGTH:
                    self.fuzzy.setdefault(form, []).append((code.key, keyword.word, rules.fuzzy))
        for phrase in rules.phrases:
            stems = tuple(map(phrase_stem, self._lemmas(phrase)))
            if stems:
                self.phrases.setdefault(stems[0], []).append(_Phrase(code.key, phrase, stems))
        for pattern in rules.patterns:
            if pattern not in self.patterns:
                self.patterns[pattern] = (compile_pattern(pattern), [])
            self.patterns[pattern][1].append(code.key)
        if rules.exclude:
            words = {self.lemmatise(t.lower()) for t in rules.exclude if " " not in t}
            words |= {t.lower() for t in rules.exclude if " " not in t}
            phrases = [self._lemmas(t) for t in rules.exclude if " " in t]
            self.vetoes[code.key] = (words, phrases)

    def _lemmas(self, phrase: str) -> tuple[str, ...]:
        """The lemmas of a phrase's words, one per word token as in the corpus."""
        return tuple(lemma for word in phrase.lower().split()
                     for lemma in self.lemmatise(word).split())

    def _form_hits(self, lower: str, lemma: str) -> tuple[tuple[str, str, float], ...]:
        """(code, rule, score) for one word form; the heart of keyword and compound matching."""
        hits: dict[str, tuple[str, float]] = {}
        for form in (lower, lemma):
            for code_key, word in self.exact.get(form, ()):
                hits[code_key] = (f"keyword:{word}", SCORES["keyword"])
        for code_key, word in self._compound_parts(lower, lemma):
            hits.setdefault(code_key, (f"compound:{word}", SCORES["compound"]))
        if self.fuzzy and len(lower) >= MIN_FUZZY_LENGTH:
            for code_key, rule, score in self._fuzzy(lower):
                hits.setdefault(code_key, (rule, score))
        return tuple((code, rule, score) for code, (rule, score) in hits.items())

    def _compound_parts(self, lower: str, lemma: str) -> Iterable[tuple[str, str]]:
        """Keywords found as the first or the last part of a compound."""
        for end in range(MIN_COMPOUND_PART, len(lower) - MIN_COMPOUND_PART + 1):
            found = self.parts.get(lower[:end])
            if found:
                rest = lower[end:]
                if any(rest.startswith(link) and len(rest) - len(link) >= MIN_COMPOUND_PART
                       for link in LINKING_LETTERS):
                    yield from found
        for word in {lower, lemma}:
            for start in range(MIN_COMPOUND_PART, len(word) - MIN_COMPOUND_PART + 1):
                found = self.parts.get(word[start:])
                if found:
                    yield from found

    def _fuzzy(self, lower: str) -> Iterable[tuple[str, str, float]]:
        for form, score, _ in process.extract(lower, self.fuzzy_forms, scorer=fuzz.ratio,
                                              score_cutoff=self.fuzzy_floor, limit=5):
            if form == lower:
                continue
            for code_key, word, threshold in self.fuzzy[form]:
                if score >= threshold:
                    yield code_key, f"fuzzy:{word}", round(score / 100 * 0.85, 3)

    def match(self, doc: Doc, context: SegmentContext, text: str | None = None,
              lemmas: Sequence[str] | None = None) -> dict[str, CodeMatch]:
        """Matches per code in one segment's tokenized Doc; offsets into its text.

        `lemmas` are the segment's stored lemmas, one per token that is neither space nor
        punctuation (as the importer wrote them). When they are missing or their count differs
        from the tokens', each form is lemmatised out of context instead.
        """
        rows = doc.to_array(TOKEN_ATTRS).tolist()
        words = self._words(doc, rows, lemmas) if lemmas is not None else None
        if words is None:
            self.unaligned += lemmas is not None
            words = self._words(doc, rows, None)
        found: dict[str, list[Hit]] = {}
        for start, end, form in words:
            for code_key, rule, score in form.hits:
                hits = found.get(code_key)
                if hits is None:
                    found[code_key] = [(rule, start, end, score)]
                else:
                    hits.append((rule, start, end, score))
        if self.phrases:
            stems = [form.stem for _, _, form in words]
            for index, (_, _, form) in enumerate(words):
                for phrase in form.phrases:
                    if tuple(stems[index:index + len(phrase.stems)]) == phrase.stems:
                        end = words[index + len(phrase.stems) - 1][1]
                        _collect(found, phrase.code_key, (f"phrase:{phrase.text}",
                                                          words[index][0], end, SCORES["phrase"]))
        if self.patterns:
            text = doc.text if text is None else text
            for source, (pattern, keys) in self.patterns.items():
                for start, end in pattern.spans(text):
                    if end > start:
                        for code_key in keys:
                            _collect(found, code_key, (f"pattern:{source}", start, end,
                                                       SCORES["pattern"]))
        forms = [form for _, _, form in words] if self.vetoes else []
        return {key: CodeMatch.of(key, hits) for key, hits in found.items()
                if self._in_scope(key, context) and not self._vetoed(key, forms)}

    def _words(self, doc: Doc, rows: list[list[int]], lemmas: Sequence[str] | None
               ) -> list[tuple[int, int, _Form]] | None:
        """(start, end, form) of the word tokens; None when `lemmas` do not line up with the
        tokens that are neither space nor punctuation."""
        forms = self.forms
        words = []
        index = 0
        for orth, idx, length, punct, space in rows:
            if punct or space:
                continue
            if lemmas is None:
                lemma = None
            elif index < len(lemmas):
                lemma = lemmas[index]
                index += 1
            else:
                return None
            form = forms.get((orth, lemma))
            if form is None:
                form = self._form(doc, orth, lemma)
            if form.is_word:
                words.append((idx, idx + length, form))
        return words if lemmas is None or index == len(lemmas) else None

    def _form(self, doc: Doc, orth: int, lemma: str | None) -> _Form:
        """Analyse one distinct word form with its lemma (found when None) and remember it."""
        text = doc.vocab.strings[orth]
        lower = text.lower()
        is_word = bool(WORD.search(lower))
        known = lemma if lemma is not None else self.lemmatise(text) if is_word else lower
        stem = phrase_stem(known)
        form = _Form(lower, known, is_word, self._form_hits(lower, known) if is_word else (),
                     stem, tuple(self.phrases.get(stem, ())) if is_word else ())
        self.forms[(orth, lemma)] = form
        return form

    def _in_scope(self, code_key: str, context: SegmentContext) -> bool:
        scope = self.scopes.get(code_key)
        if scope is None:
            return True
        return ((not scope.kinds or context.kind in scope.kinds)
                and (not scope.questions or context.question in scope.questions)
                and (not scope.roles or (context.role or "").casefold() in scope.roles))

    def _vetoed(self, code_key: str, forms: list[_Form]) -> bool:
        veto = self.vetoes.get(code_key)
        if veto is None:
            return False
        words, phrases = veto
        lemmas = [form.lemma for form in forms]
        if words & {form.lower for form in forms} or words & set(lemmas):
            return True
        joined = " " + " ".join(lemmas) + " "
        return any(" " + " ".join(p) + " " in joined for p in phrases)


def _collect(found: dict[str, list[Hit]], code_key: str, hit: Hit) -> None:
    """Add a hit to its code's list."""
    hits = found.get(code_key)
    if hits is None:
        found[code_key] = [hit]
    else:
        hits.append(hit)


def matcher_for(codebook: Codebook, lemmatise: Callable[[str], str],
                keys: Iterable[str] | None = None) -> CodebookMatcher:
    """A matcher over all codes, or only the given keys."""
    wanted = set(keys) if keys is not None else None
    return CodebookMatcher([c for c in codebook.codes if wanted is None or c.key in wanted],
                           lemmatise)
