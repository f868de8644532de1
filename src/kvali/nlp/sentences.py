"""Rule-based Danish sentence boundaries: the `kvali/sentences` pipeline component.

Works on spaCy's Danish tokens. Every token gets a class once per spelling (cached by its
hash); one pass over the classes then decides where sentences start. Abbreviations, ordinals
and initials only end a sentence when the next word is a capitalised common word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import compress

import numpy
from spacy.attrs import ORTH, SENT_START, SPACY
from spacy.language import Language
from spacy.strings import StringStore
from spacy.tokens import Doc

from kvali.nlp.lemmas import is_common_word, is_known_word
from kvali.nlp.tokens import TokenTexts, cached_values

# Token classes.
WORD_LOWER = 0  # a word starting with a lower-case letter
WORD_COMMON = 1  # a capitalised word that is an ordinary Danish word (likely a sentence start)
WORD_NAME = 2  # a capitalised word not known as an ordinary word (likely a proper noun)
DIGIT = 3  # starts with a digit
OTHER = 4  # any other punctuation or symbol
STOP = 5  # ? ! and combinations: always ends a sentence unless a lower-case word follows
PERIOD = 6  # a bare full stop
ELLIPSIS = 7  # ... or …
ABBREV = 8  # an abbreviation that rarely ends a sentence (bl.a., jf., kl., ...)
ABBREV_END = 9  # abbreviations, ordinals and other dotted tokens that may end a sentence
INITIAL = 10  # J. or H.C.: never ends a sentence
CLOSER = 11  # closing quote or bracket
QUOTE = 12  # straight quote: closing when glued to the token before it
BULLET = 13  # a list bullet (only counts as one at the start of a line)
SPACE = 14  # white space without a line break
NEWLINE = 15  # white space with one line break
BLANK = 16  # white space with two or more line breaks
STARTER = 17  # a capitalised function word that starts a sentence even without a full stop

_COMMON = (WORD_COMMON, STARTER)
_LINE_OPENERS = (WORD_COMMON, WORD_NAME, STARTER, DIGIT)
_WORDS = (WORD_LOWER, WORD_COMMON, WORD_NAME, STARTER, DIGIT)

# Abbreviations that are always followed by what they introduce: never a sentence end.
_CONTINUING = frozenset(
    """
    afd. alm. ang. att. bd. bl. bl.a. ca. cand. d. d.d. dgl. dir. dr. dr.phil. dvs. ekskl. f.
    f.eks. f.o.m. fhv. fmd. fr. frk. fx. gl. hhv. hr. ift. iflg. ifm. iht. inkl. istf. jf. jfr.
    jvf. kap. kl. m.h.p. m.h.t. mht. mrk. ndf. nr. omkr. omtr. ovf. p.g.a. pga. pkt. pr. prof.
    s. sml. skt. st. stk. t.o.m. tlf. vedr. vha. vs. ph.d.
    """.split()
)
# Abbreviations that often close a sentence ("... osv. Det ..."): decided by the next word.
_FINAL = frozenset(
    """
    osv. o.s.v. mv. m.v. m.fl. mfl. m.m. mm. etc. o.l. o.lign. o.a. o.fl. pct. kr. dkr. mio.
    mia. mill. ff. evt. årh.
    """.split()
)
# Capitalised pronouns, conjunctions and question words that, after a word without punctuation
# in between, start a new sentence (an unpunctuated headline or a run-on transcript). Articles
# (Den, Det, De, En) are left out: they capitalise names such as "Det Konservative Folkeparti".
_STARTERS = frozenset(
    """
    Men Og Jeg Vi Han Hun Man Du Hvem Hvad Hvor Hvorfor Hvordan Hvornår Hvilken Hvilket Hvilke
    Når Hvis Derfor Dermed Desuden Sådan Her Nu Så
    """.split()
)
_ORDINAL = re.compile(r"\d+\.$")
_INITIALS = re.compile(r"(?:[A-ZÆØÅ][a-zæøå]?\.)+$")
_STOP = re.compile(r"[?!]+[?!.]*$|\.[?!]+$")
_ELLIPSIS = re.compile(r"(?:\.\.+|…+)$")
_CLOSERS = frozenset("«“”’)]}›")
_QUOTES = frozenset("\"'")
_BULLETS = frozenset("-–—•*·▪◦○●■□➢✓")
_LIST_NUMBER = re.compile(r"(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)]$")


def classify(text: str) -> int:
    """The class of one token's text (one of the module's class constants)."""
    first = text[0]
    if first.isspace():
        breaks = text.count("\n")
        return BLANK if breaks >= 2 else NEWLINE if breaks else SPACE
    if first.isalpha():
        if not text.endswith("."):
            if first.islower():
                return WORD_LOWER
            if text in _STARTERS:
                return STARTER
            return WORD_COMMON if is_common_word(text) else WORD_NAME
        return _dotted_class(text)
    if first.isdigit():
        return ABBREV_END if _ORDINAL.match(text) else DIGIT
    if text == ".":
        return PERIOD
    if _ELLIPSIS.match(text):
        return ELLIPSIS
    if _STOP.match(text):
        return STOP
    if text in _CLOSERS:
        return CLOSER
    if text in _QUOTES:
        return QUOTE
    if text in _BULLETS:
        return BULLET
    return OTHER


def _dotted_class(text: str) -> int:
    """The class of a word the tokenizer kept together with its full stop ("osv.", "man.")."""
    lower = text.lower()
    if lower in _CONTINUING:
        return ABBREV
    if lower in _FINAL:
        return ABBREV_END
    if _INITIALS.match(text):
        return INITIAL
    stem = lower[:-1]
    if len(stem) > 1 and "." not in stem and is_known_word(stem):
        return PERIOD  # an ordinary word that spaCy's exceptions keep with its full stop
    return ABBREV_END


def glued_period_class(previous: str) -> int:
    """The class of a full stop written directly after `previous` ("cand.mag" + ".")."""
    lower = previous.lower() + "."
    if lower in _CONTINUING:
        return ABBREV
    if lower in _FINAL:
        return ABBREV_END
    if len(previous) == 1 and previous.isupper():
        return INITIAL
    if "." in previous and previous[0].isalpha():
        return ABBREV_END
    return PERIOD


_BREAKS = (STOP, PERIOD, ELLIPSIS, ABBREV_END)
_SPACES = (SPACE, NEWLINE, BLANK)


_LINE_BREAKS = (NEWLINE, BLANK)
_DECIDING = frozenset((*_LINE_BREAKS, STARTER, *_BREAKS))
"""The classes where the rules can start or end a sentence (besides a line's first token)."""


def sentence_starts(
    texts: Sequence[str], kinds: Sequence[int], spaces: Sequence[bool] | Sequence[int]
) -> list[bool]:
    """Which tokens start a sentence, given each token's text, class and trailing space.

    Only tokens where a rule can apply are visited: those of a deciding class and the first
    token of each line; the words in between never start or end a sentence.
    """
    n = len(kinds)
    starts = [False] * n
    deciding = list(compress(range(n), map(_DECIDING.__contains__, kinds)))
    line_firsts = {_first_word(kinds, i + 1) for i in deciding if kinds[i] in _LINE_BREAKS}
    line_firsts.add(_first_word(kinds, 0))
    for i in sorted(line_firsts.union(deciding)):
        if i == n:
            continue
        kind = kinds[i]
        if kind in _SPACES:
            continue
        if i in line_firsts:
            if i and _opens_line(texts, kinds, i):
                starts[i] = True
            if kind == BULLET or _is_list_number(texts, kinds, i):
                continue
        if kind == STARTER and i and _previous_is_word(kinds, i):
            starts[i] = True
            continue
        if kind == PERIOD and i and not spaces[i - 1]:
            kind = glued_period_class(texts[i - 1])
        if kind not in _BREAKS:
            continue
        j = _skip_closers(kinds, spaces, i)
        k = _first_word(kinds, j)
        if k < n and kinds[k] not in _LINE_BREAKS and _ends_sentence(kind, kinds[k]):
            starts[k] = True
    if n:
        starts[0] = True
    return starts


def _opens_line(texts: Sequence[str], kinds: Sequence[int], i: int) -> bool:
    """Whether the line starting at token i begins a new sentence."""
    previous = i - 1
    while previous >= 0 and kinds[previous] in _SPACES:
        if kinds[previous] == BLANK:
            return True
        previous -= 1
    if previous < 0:
        return False
    kind = kinds[i]
    if kind == BULLET or _is_list_number(texts, kinds, i):
        return True
    return kind in _LINE_OPENERS and texts[previous] not in (",", "-", "–")


def _previous_is_word(kinds: Sequence[int], i: int) -> bool:
    """Whether the nearest token before i, white space aside, is a word or number."""
    previous = i - 1
    while previous > 0 and kinds[previous] == SPACE:
        previous -= 1
    return kinds[previous] in _WORDS


def _is_list_number(texts: Sequence[str], kinds: Sequence[int], i: int) -> bool:
    """Whether the token at the start of a line is a list number: "1.", "2)", "a)", "(b)"."""
    text = texts[i]
    if i + 1 < len(texts) and texts[i + 1] == ")":
        text += ")"
    return bool(_LIST_NUMBER.match(text)) and i + 1 < len(kinds) and kinds[i + 1] not in _SPACES


def _skip_closers(kinds: Sequence[int], spaces: Sequence[bool], i: int) -> int:
    """The index after the sentence-final token i and any closing quotes glued to it."""
    j = i + 1
    n = len(kinds)
    while j < n and (kinds[j] == CLOSER or (kinds[j] == QUOTE and not spaces[j - 1])):
        j += 1
    return j


def _first_word(kinds: Sequence[int], j: int) -> int:
    """The first token at or after j that is not white space (a sentence never starts there)."""
    n = len(kinds)
    while j < n and kinds[j] in _SPACES:
        j += 1
    return j


def _ends_sentence(kind: int, following: int) -> bool:
    """Whether a break candidate of class `kind` ends the sentence, given the next class."""
    if kind in (STOP, PERIOD):
        return following != WORD_LOWER
    return following in _COMMON or (kind == ELLIPSIS and following in (WORD_NAME, DIGIT))


class SentenceRules:
    """Sets `token.is_sent_start` on every token from the Danish sentence rules."""

    def __init__(self) -> None:
        self._kinds: dict[int, int] = {}

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        array = doc.to_array([ORTH, SPACY])
        starts = self.starts(doc.vocab.strings, array[:, 0].tolist(), array[:, 1].tolist())
        values = numpy.where(numpy.array(starts, dtype=bool), 1, -1).astype("uint64")
        doc.from_array([SENT_START], values)
        return doc

    def starts(self, strings: StringStore, orths: list[int], spaces: Sequence[int]) -> list[bool]:
        """Which tokens start a sentence, from their string hashes and trailing-space flags
        (what `__call__` sets on a Doc; the segmenter also asks directly)."""
        kinds = cached_values(self._kinds, orths, lambda orth: classify(strings[orth]))
        return sentence_starts(TokenTexts(strings, orths), kinds, spaces)


@Language.factory("kvali/sentences")
def make_sentence_rules(nlp: Language, name: str) -> SentenceRules:
    """Create the Danish sentence-boundary component."""
    return SentenceRules()
