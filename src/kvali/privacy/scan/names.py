"""Person names: speakers' names, first names and surnames from the Danish name lists, names
after a title ("fru Hansen", "borgeren Peter"), hyphenated and multi-part names ("Anne-Marie Kjær
Nielsen"), and a lone first name that recurs after a full name (the same entity).

Not names: organisations ("Røde Kors", a capitalised phrase with Kors, Sagen, Forening …),
municipalities and regions, capitalised pronouns and function words ("De", "I", "Jeg"), and a
capitalised word at a sentence start, unless it is a first name followed by a surname or a name
the document uses mid-sentence as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kvali.privacy.scan.lexicon import (
    FUNCTION_WORDS,
    ORGANISATION_WORDS,
    first_names,
    organisations,
    place_words,
    surnames,
)
from kvali.privacy.scan.model import Finding, entity_key

TITLES = frozenset({"fru", "frk", "hr", "herr", "borgeren", "borger", "brugeren", "beboeren",
                    "klienten", "eleven", "datteren", "sønnen", "moren", "faren", "manden",
                    "konen", "kæresten", "drengen", "pigen", "naboen", "kollegaen"})
"""Words after which a capitalised word is a person ("fru Hansen", "borgeren Peter")."""
MAX_PARTS = 4
TOKEN = re.compile(r"[A-ZÆØÅ][a-zæøåéüöä]+(?:-[A-ZÆØÅ][a-zæøåéüöä]+)*")
TITLE_BEFORE = re.compile(r"(?<!\w)(?P<title>\w+)\.? $")
SENTENCE_END = ".!?:\n"
OPENERS = " \t»«\"'(\u2013\u2014-"

SPEAKER = "name: speaker named in the document's speakers"
FULL = "name: first name followed by a surname"
SURNAME_LAST = "name: capitalised words ending in a surname from the name list"
FIRST = "name: first name from the name list"
SURNAME = "name: surname from the name list"
TITLED = "name: after a title (fru, hr., borgeren …)"
RECURS = "name: first name of a full name earlier in the document"
KNOWN = "name: at a sentence start, a name the document uses elsewhere"


@dataclass(frozen=True)
class _Run:
    """Capitalised words next to each other: (start, end, word) each."""

    words: tuple[tuple[int, int, str], ...]
    sentence_start: bool
    titled: bool


def _is_first_name(word: str) -> bool:
    names = first_names()
    return word.casefold() in names or all(p in names for p in word.casefold().split("-"))


def _is_surname(word: str) -> bool:
    return word.casefold() in surnames()


def _organisation_spans(text: str) -> list[tuple[int, int]]:
    """Where the known organisations are named."""
    return [(m.start(), m.end()) for name in organisations()
            for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)]


def _at_sentence_start(text: str, start: int) -> bool:
    """Whether only openers (spaces, quotes, dashes) lie between START and a sentence end."""
    index = start - 1
    while index >= 0 and text[index] in OPENERS:
        index -= 1
    return index < 0 or text[index] in SENTENCE_END


def _titled(text: str, start: int) -> bool:
    match = TITLE_BEFORE.search(text, max(0, start - 20), start)
    return bool(match) and match["title"].casefold() in TITLES


def _runs(text: str, blocked: list[tuple[int, int]]) -> Iterator[_Run]:
    """Runs of capitalised words split at function words, titles and places; runs touching an
    organisation or holding an organisation word are left out."""
    words = [(m.start(), m.end(), m[0]) for m in TOKEN.finditer(text)]
    groups: list[list[tuple[int, int, str]]] = []
    for word in words:
        if groups and word[0] == groups[-1][-1][1] + 1 and text[word[0] - 1] == " ":
            groups[-1].append(word)
        else:
            groups.append([word])
    for group in groups:
        if any(w[2].casefold() in ORGANISATION_WORDS for w in group) or any(
                s < group[-1][1] and group[0][0] < e for s, e in blocked):
            continue
        yield from _split(text, group)


def _split(text: str, group: list[tuple[int, int, str]]) -> Iterator[_Run]:
    """One group of capitalised words as runs without function words, titles or places."""
    current: list[tuple[int, int, str]] = []
    titled = _titled(text, group[0][0])
    starts = _at_sentence_start(text, group[0][0]) and not titled
    for word in group:
        key = word[2].casefold()
        if key in FUNCTION_WORDS or key in TITLES or key in place_words():
            if current:
                yield _Run(tuple(current), starts, titled)
            current, starts, titled = [], False, key in TITLES
            continue
        current.append(word)
    if current:
        yield _Run(tuple(current), starts, titled)


def _classify(run: _Run) -> tuple[_Run, str] | None:
    """The run as a name and the rule that makes it one, or None."""
    words = run.words[:MAX_PARTS]
    first, last = words[0][2], words[-1][2]
    if run.titled:
        return _Run(words, False, True), TITLED
    if _is_first_name(first) and len(words) > 1:
        return _Run(words, run.sentence_start, False), FULL
    if len(words) > 1 and _is_surname(last) and not run.sentence_start:
        return _Run(words, False, False), SURNAME_LAST
    if run.sentence_start:
        if len(words) == 1:
            return None
        return _classify(_Run(run.words[1:], False, False))
    if _is_first_name(first):
        return _Run(words, False, False), FIRST
    if _is_surname(first) and len(words) == 1:
        return _Run(words, False, False), SURNAME
    return None


def _span(run: _Run) -> tuple[int, int, str]:
    return run.words[0][0], run.words[-1][1], " ".join(w[2] for w in run.words)


def _speaker_findings(text: str, speaker_names: Iterable[str]) -> Iterator[Finding]:
    for name in {n.strip() for n in speaker_names if n and len(n.strip()) > 1}:
        for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
            yield Finding(match.start(), match.end(), "name", SPEAKER, entity_key("name", name))


def name_findings(text: str, speaker_names: Iterable[str] = ()) -> list[Finding]:
    """The person names in TEXT, in text order; SPEAKER_NAMES are the document's speakers."""
    found = list(_speaker_findings(text, speaker_names))
    named: list[tuple[int, int, str, str]] = []  # start, end, name, reason
    waiting: list[tuple[int, int, str]] = []  # sentence-initial single words, decided last
    for run in _runs(text, _organisation_spans(text)):
        decided = _classify(run)
        if decided is not None:
            named.append((*_span(decided[0]), decided[1]))
        elif run.sentence_start and len(run.words) == 1:
            waiting.append(run.words[0])
    known = {part.casefold() for _, _, name, _ in named for part in name.split()}
    known |= {part.casefold() for f in found for part in f.entity.split()}
    named += [(s, e, w, KNOWN) for s, e, w in waiting if w.casefold() in known]
    named.sort()
    full_names = [(s, name) for s, _, name, _ in named if " " in name]
    full_names += [(f.start, f.entity) for f in found if " " in f.entity]
    for start, end, name, reason in named:
        entity = entity_key("name", name)
        if " " not in name:
            earlier = [full for at, full in sorted(full_names) if at < start and
                       full.casefold().split()[0] == entity]
            if earlier:
                entity, reason = earlier[-1].casefold(), RECURS
        found.append(Finding(start, end, "name", reason, entity))
    return found
