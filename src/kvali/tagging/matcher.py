"""Match codebook rules against Danish tokens: keywords (lemma, surface, compounds), phrases,
patterns, fuzzy spellings and vetoes, with the words that matched and a score for each code.

Lemmas are the corpus's own, stored at import (`segments.lemmas`), so "ved" in "Jeg ved ikke"
is "vide" as it is in search; words without one are lemmatised out of context. A stored
segment's tokens come from its text through `ChunkTokenizer` (each distinct chunk between white
space tokenised once), so `kvali tag` never runs the tokenizer over the corpus again. Work per
distinct (form, lemma) pair is cached, so tagging a corpus costs little more than reading it:
"netværksmødet" is analysed once, however often it occurs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import compress, count, repeat
from operator import attrgetter

import re2
from rapidfuzz import fuzz, process
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH
from spacy.tokens import Doc

from kvali.codebook.model import Code, Codebook, Scope
from kvali.codebook.patterns import CodebookPattern, compile_pattern
from kvali.nlp import load_pipeline
from kvali.tagging.hits import SCORES, CodeMatch, Hit, collect, explanation
from kvali.tagging.tokens import ChunkTokenizer

LINKING_LETTERS = ("s", "e", "")
MIN_COMPOUND_PART = 3
MIN_FUZZY_LENGTH = 5
WORD = re.compile(r"\w", re.UNICODE)
TOKEN_ATTRS = [IDX, LENGTH, IS_PUNCT, IS_SPACE]
_IS_WORD, _NOTABLE, _STEM, _LOWER, _LEMMA = map(
    attrgetter, ("is_word", "notable", "stem", "lower", "lemma"))
FORM_CACHE_LIMIT = 300_000  # (form, lemma) pairs remembered; past it the cache starts again
# RE2's budget for the one search over all patterns; with the default (8 MB) its DFA runs out
# of memory on a codebook's worth of Unicode classes and falls back to a search 3x as slow
ANY_PATTERN_MEMORY = 32 << 20
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


@dataclass(frozen=True)
class _Phrase:
    code_key: str
    text: str
    stems: tuple[str, ...]


@dataclass(frozen=True, eq=False, slots=True)
class _Form:
    """What the matcher knows about one distinct (surface form, lemma) pair."""

    lower: str
    lemma: str
    is_word: bool
    hits: tuple[tuple[str, str, float], ...]
    stem: str
    phrases: tuple[_Phrase, ...]  # the phrases whose first word this form can be
    notable: bool  # not a word, or a word with hits or phrases: what `_hits` looks at


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
        self.phrase_next = _phrases_by_next(self.phrases)
        self.any_pattern = _any_pattern(pattern for pattern, _ in self.patterns.values())
        self.forms: dict[tuple[str, str | None], _Form] = {}
        self.unaligned = 0  # segments whose stored lemmas did not line up with their tokens

    @cached_property
    def chunks(self) -> ChunkTokenizer:
        """The tokens of stored segments' chunks (the pipeline's tokenizer, loaded on use)."""
        return ChunkTokenizer(load_pipeline().tokenizer)

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
        source = doc.text
        spans = [(idx, idx + length)
                 for idx, length, punct, space in doc.to_array(TOKEN_ATTRS).tolist()
                 if not (punct or space)]
        texts = [source[start:end] for start, end in spans]
        forms = self._forms(texts, lemmas) if lemmas is not None else None
        if forms is None:
            self.unaligned += lemmas is not None
            forms = self._forms(texts, None)
        hits = self._hits(forms, spans.__getitem__, source if text is None else text, context)
        return {key: CodeMatch.of(key, found) for key, found in hits.items()}

    def match_stored(self, text: str, lemmas: str, context: SegmentContext
                     ) -> dict[str, CodeMatch]:
        """Matches per code in one stored segment, from its text and its `segments.lemmas`:
        the same as `match` on the tokenized text, without running the tokenizer over it."""
        hits = self._stored_hits(text, lemmas, context)
        return {key: CodeMatch.of(key, found) for key, found in hits.items()}

    def suggestions(self, text: str, lemmas: str, context: SegmentContext, offset: int
                    ) -> list[tuple[str, str, float, str]]:
        """What `kvali tag` stores for one stored segment starting at `offset` in its
        document: (code, rules, score, matched spans as JSON in document offsets) per code."""
        return [(key, *explanation(found, offset))
                for key, found in self._stored_hits(text, lemmas, context).items()]

    def _stored_hits(self, text: str, lemmas: str, context: SegmentContext
                     ) -> dict[str, list[Hit]]:
        tokens = self.chunks.segment(text)
        forms = self._forms(tokens.texts, lemmas.split(" ") if lemmas else [])
        if forms is None:
            self.unaligned += 1
            forms = self._forms(tokens.texts, None)
        return self._hits(forms, tokens.span, text, context)

    def _forms(self, texts: list[str], lemmas: Sequence[str] | None) -> list[_Form] | None:
        """The form of each token (its text with its lemma); None when `lemmas` do not line up
        with the tokens."""
        if lemmas is not None and len(lemmas) != len(texts):
            return None
        forms = list(map(self.forms.get, zip(texts, lemmas or repeat(None), strict=False)))
        if None in forms:
            forms = [form or self._form(text, lemma) for form, text, lemma
                     in zip(forms, texts, lemmas or repeat(None), strict=False)]
        return forms

    def _hits(self, forms: list[_Form], span: Callable[[int], tuple[int, int]], text: str,
              context: SegmentContext) -> dict[str, list[Hit]]:
        """The hits per code: keywords, compounds and fuzzy forms, phrases, patterns; then
        scope and vetoes.

        `span(i)` gives the offsets of token i; only the words (tokens with a letter or a
        digit) take part, and only matched words' offsets are asked for."""
        words, places = forms, None
        notable = list(compress(count(), map(_NOTABLE, forms)))  # usually a few, or none
        if notable and not all(forms[index].is_word for index in notable):
            places = list(compress(count(), map(_IS_WORD, forms)))
            words = [forms[place] for place in places]
            notable = list(compress(count(), map(_NOTABLE, words)))
        found: dict[str, list[Hit]] = {}
        for index in notable:
            if words[index].hits:
                start, end = span(index if places is None else places[index])
                for code_key, rule, score in words[index].hits:
                    collect(found, code_key, (rule, start, end, score))
        starts = [index for index in notable if words[index].phrases]  # a phrase may start
        if starts:
            stems = list(map(_STEM, words))
            by_next = self.phrase_next
            for index in starts:
                following = stems[index + 1] if index + 1 < len(stems) else None
                candidates = by_next.get((stems[index], following))
                if candidates is None:
                    candidates = by_next.get((stems[index], None), ())
                for phrase in candidates:  # their first two stems are known to match
                    last = index + len(phrase.stems) - 1
                    if last <= index + 1 or tuple(stems[index:last + 1]) == phrase.stems:
                        start = span(index if places is None else places[index])[0]
                        end = span(last if places is None else places[last])[1]
                        collect(found, phrase.code_key, (f"phrase:{phrase.text}", start, end,
                                                          SCORES["phrase"]))
        if self.patterns and (self.any_pattern is None or self.any_pattern.search(
                text.encode("utf-8", "surrogatepass"))):
            for source, (pattern, keys) in self.patterns.items():
                for start, end in pattern.spans(text):
                    if end > start:
                        for code_key in keys:
                            collect(found, code_key, (f"pattern:{source}", start, end,
                                                       SCORES["pattern"]))
        if not found:
            return {}
        if self.scopes:
            found = {key: hits for key, hits in found.items() if self._in_scope(key, context)}
        if self.vetoes:
            veto = _Veto(words)
            found = {key: hits for key, hits in found.items()
                     if not veto.applies(self.vetoes.get(key))}
        return found

    def _form(self, text: str, lemma: str | None) -> _Form:
        """Analyse one distinct word form with its lemma (found when None) and remember it."""
        if len(self.forms) > FORM_CACHE_LIMIT:
            self.forms.clear()
        lower = text.lower()
        is_word = bool(WORD.search(lower))
        known = lemma if lemma is not None else self.lemmatise(text) if is_word else lower
        stem = phrase_stem(known)
        hits = self._form_hits(lower, known) if is_word else ()
        phrases = tuple(self.phrases.get(stem, ())) if is_word else ()
        form = _Form(lower, known, is_word, hits, stem, phrases,
                     not is_word or bool(hits) or bool(phrases))
        self.forms[(text, lemma)] = form
        return form

    def _in_scope(self, code_key: str, context: SegmentContext) -> bool:
        scope = self.scopes.get(code_key)
        if scope is None:
            return True
        return ((not scope.kinds or context.kind in scope.kinds)
                and (not scope.questions or context.question in scope.questions)
                and (not scope.roles or (context.role or "").casefold() in scope.roles))


class _Veto:
    """A segment's words as `exclude` rules see them; their lemmas joined only when an excluded
    phrase is looked for."""

    def __init__(self, words: list[_Form]) -> None:
        self.words = words
        self.joined: str | None = None

    def applies(self, veto: tuple[set[str], list[tuple[str, ...]]] | None) -> bool:
        """Whether an excluded word (as written or as lemma) or phrase (of lemmas) occurs."""
        if veto is None:
            return False
        excluded, phrases = veto
        if not (excluded.isdisjoint(map(_LOWER, self.words))
                and excluded.isdisjoint(map(_LEMMA, self.words))):
            return True
        if not phrases:
            return False
        if self.joined is None:
            self.joined = " " + " ".join(map(_LEMMA, self.words)) + " "
        return any(" " + " ".join(p) + " " in self.joined for p in phrases)


def _phrases_by_next(phrases: dict[str, list[_Phrase]]
                     ) -> dict[tuple[str, str | None], tuple[_Phrase, ...]]:
    """The phrases by their first two stems (the second None for one-word phrases), each list
    with the one-word phrases of the first stem, in codebook order: a word looks up only the
    phrases the next word can continue."""
    by_next: dict[tuple[str, str | None], tuple[_Phrase, ...]] = {}
    for first, found in phrases.items():
        for second in [None, *{p.stems[1] for p in found if len(p.stems) > 1}]:
            by_next[(first, second)] = tuple(
                p for p in found if len(p.stems) == 1 or p.stems[1] == second)
    return by_next


def _any_pattern(patterns: Iterable[CodebookPattern]) -> re2._Regexp | None:
    """One RE2 search that finds something exactly when one of the patterns does (each
    pattern's first search looks at the whole text), so a segment without any is skipped
    after one search; None when RE2 cannot compile them together."""
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    options.max_mem = ANY_PATTERN_MEMORY
    try:
        return re2.compile("|".join(f"(?:{p.regex.pattern})" for p in patterns), options)
    except re2.error:
        return None


def matcher_for(codebook: Codebook, lemmatise: Callable[[str], str],
                keys: Iterable[str] | None = None) -> CodebookMatcher:
    """A matcher over all codes, or only the given keys."""
    wanted = set(keys) if keys is not None else None
    return CodebookMatcher([c for c in codebook.codes if wanted is None or c.key in wanted],
                           lemmatise)
