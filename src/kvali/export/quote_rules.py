"""Danish rules that tell a statement from talk a report should not quote.

Two kinds of turn read badly as evidence for a finding: a *presentation* ("Jeg er
udviklingskonsulent i Næstved …", "mit navn er …", "jeg arbejder som …") and *meta-talk* about the
conversation itself ("godt at få lov at tale om det", "tak for ordet", "kan I høre mig?").
`talk_kind` classifies a quote by its sentences: when such sentences make up half of its letters
or more, the quote is that kind of talk; otherwise it is a statement (None).

The rules are plain data below (regular expressions over the lower-cased sentence), so a project
can read and extend them. A presentation rule must match at the start of a sentence (after fillers
such as "ja," or "og"); a meta-talk rule may match anywhere in it.
"""

from __future__ import annotations

import re

PRESENTATION = "præsentation"
META = "metasnak"

FILLERS = ["ja", "jo", "nej", "okay", "ok", "øh", "øhm", "altså", "og", "men", "så", "godt",
           "hej", "goddag", "nå"]
"""Words that may come before a presentation ("Og jeg er …", "Ja, jeg hedder …")."""

ROLE_ENDINGS = ["konsulent", "chef", "leder", "direktør", "behandler", "rådgiver", "koordinator",
                "medarbejder", "assistent", "sygeplejerske", "pædagog", "psykolog", "terapeut",
                "specialist", "fuldmægtig", "udvikler", "formand", "sekretær", "analytiker",
                "manager", "vejleder", "mentor", "fagperson", "repræsentant", "underviser",
                "læge"]
"""How a Danish job title ends: "Jeg er [en] udviklingskonsulent", "… tilbudsleder"."""

PRESENTATIONS = [
    r"mit navn er\b",
    r"jeg hedder\b",
    r"jeg er (?:ansat|uddannet|nyansat)\b",
    r"jeg arbejder (?:som|i|på|ved|hos|for)\b",
    r"jeg sidder (?:som|i|på|ved|hos)\b",
    r"jeg kommer fra\b",
    r"jeg repræsenterer\b",
    r"jeg har (?:været|arbejdet) (?:ansat|i|på|ved|her|som)\b",
    r"jeg er (?:her )?fra [\wæøå .-]*kommune\b",
    r"jeg er (?:selv )?(?:en |ny |nyansat |konstitueret |faglig |fungerende )*"
    r"[\wæøå-]*(?:" + "|".join(ROLE_ENDINGS) + r")(?:en)?\b",
]
"""How a speaker presents themselves, at the start of a sentence."""

META_TALK = [
    r"\bgodt at få (?:lov )?(?:til )?at\b",
    r"\b(?:dejligt|rart|fedt|spændende|godt) at (?:være med|være her|deltage)\b",
    r"\btak for (?:ordet|invitationen|det|at|fordi|i dag|jeres tid)\b",
    r"\btusind tak\b",
    r"\btak fordi\b",
    r"\bkan (?:i|du) høre mig\b",
    r"\bhører (?:i|du) mig\b",
    r"\bkan (?:i|du) se (?:min|mig|skærmen)\b",
    r"\bpå mute\b",
    r"\b(?:skal|kan) jeg (?:godt )?(?:starte|begynde|lægge ud)\b",
    r"\bjeg kan (?:godt )?(?:starte|begynde|lægge ud)\b",
    r"\b(?:et |det er et |det var et )?godt spørgsmål\b",
    r"\bhvad var (?:det )?spørgsmålet\b",
    r"\bjeg (?:giver|sender) (?:ordet|bolden) videre\b",
    r"\bjeg har ikke mere at (?:sige|tilføje)\b",
    r"^(?:ja,? )?det var (?:vist )?det(?: hele)?(?: fra mig)?[.!]?$",
    r"^-?\s*(?:intet|ingen|nej)(?: yderligere| flere)? (?:at tilføje|bemærkninger|kommentarer)"
    r"[.!]?$",
]
"""Talk about the conversation itself, anywhere in a sentence."""

_FILLER = r"^(?:(?:" + "|".join(FILLERS) + r")[,.!]?\s+)*"
_PRESENTATION = re.compile(_FILLER + "(?:" + "|".join(PRESENTATIONS) + ")")
_ANY_PRESENTATION = re.compile(r"(?:^|(?<=[.!?] ))" + _FILLER[1:] + "(?:"
                               + "|".join(PRESENTATIONS) + ")")
_META = re.compile("|".join(META_TALK))
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^\sa-zæøå])")
SHARE = 0.5
"""A quote is talk when its talk sentences hold at least this share of its letters."""


def sentence_kind(sentence: str) -> str | None:
    """"præsentation", "metasnak" or None (a statement) for one sentence."""
    folded = " ".join(sentence.casefold().split())
    if _PRESENTATION.search(folded):
        return PRESENTATION
    if _META.search(folded):
        return META
    return None


def talk_kind(text: str) -> str | None:
    """The kind of talk a quote is ("præsentation", "metasnak"), or None for a statement."""
    folded = " ".join(text.casefold().split())
    if not _META.search(folded) and not _ANY_PRESENTATION.search(folded):
        return None  # no rule matches anywhere: no sentence needs a look of its own
    letters: dict[str | None, int] = {}
    for sentence in _SENTENCE_END.split(text.strip()):
        kind = sentence_kind(sentence)
        letters[kind] = letters.get(kind, 0) + sum(c.isalnum() for c in sentence)
    total = sum(letters.values())
    if not total:
        return None
    kind = max((PRESENTATION, META), key=lambda k: letters.get(k, 0))
    talk = letters.get(PRESENTATION, 0) + letters.get(META, 0)
    return kind if talk and talk >= SHARE * total else None
