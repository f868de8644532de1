"""Find speaker turns and time marks in a transcript's text; otherwise split it into paragraphs.

A turn starts on a line such as "IP1: …", "Interviewer: …", "Informant 2: …", "Mette Holm: …",
optionally with a time mark before or after the label ("[00:12:34] IP1: …", "IP2 (00:12): …").
Its block runs to the next turn and excludes the label and the time mark, so offsets point at what
was said. Full-name labels count only when declared or used for at least two turns.

A report is not a transcript: its section and caption labels ("Kilde:", "Anm.:", "Figur 3:",
"Konklusion:", "NB:") are never speakers, and when nothing says the text is an interview (no
declared speakers, no kind given), its turns must look like a conversation: the labels recur
(generic labels such as I/IP1, or several labels taking turns) and the paragraphs that open a
turn hold at least MIN_TURN_SHARE of the text. A report's sparse "X:" lines among long
paragraphs fail that test, so the text stays paragraphs.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter

from kvali.ingest.model import Block, Speaker

TIME = r"(?:[\[(](?P<{name}>\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:[.,]\d{{1,3}})?)[\])])"
GENERIC_LABEL = (r"(?:I|Int|Interviewer|Intervieweren|Moderator|Facilitator|"
                 r"IP\s?\d{1,2}|Informant\s?\d{1,2}|Deltager\s?\d{1,2}|D\d{1,2}|R\d{1,2}|"
                 r"Respondent\s?\d{1,2})")
NAME_LABEL = r"(?:[A-ZÆØÅ][\w\-.]*(?:\s+(?:[A-ZÆØÅ][\w\-.]*|af|von|de)){0,3})"
TURN = re.compile(
    rf"^[ \t]*(?:{TIME.format(name='before')}[ \t]*)?"
    rf"(?P<label>{GENERIC_LABEL}|{NAME_LABEL})"
    rf"(?:[ \t]*{TIME.format(name='after')})?[ \t]*:[ \t]*"
    rf"(?:{TIME.format(name='inside')}[ \t]*)?",
    re.MULTILINE,
)
GENERIC = re.compile(rf"^{GENERIC_LABEL}$")
INTERVIEWER_LABELS = {"i", "int", "interviewer", "intervieweren", "moderator", "facilitator"}
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
MIN_NAME_TURNS = 2
MIN_TURN_SHARE = 0.25
CAPTION_WORDS = frozenset("""
    kilde kilder kildehenvisning anm anmærkning anmærkninger note noter fodnote fodnoter
    figur figurer tabel tabeller boks faktaboks bilag appendiks illustration diagram graf kort
    læsevejledning eksempel eksempler case-eksempel konklusion konklusioner delkonklusion resume
    resumé sammenfatning sammendrag opsummering baggrund formål metode metoder datagrundlag
    indledning afgrænsning definition definitioner anbefaling anbefalinger hovedresultat
    hovedresultater resultat resultater pointe pointer perspektivering fokus tema emne indhold
    nb obs bemærk bemærkning bemærkninger citat citater jf reference referencer litteratur
    source sources notes figure table box appendix example summary conclusion background
""".split())
"""Report labels that are never speakers (compared case-folded, without a final "."); a label
counts as one when its first word is one of them ("Figur A", "Tabel B2", "Anm.")."""


def parse_transcript(
    text: str,
    speakers: dict[str, Speaker] | None = None,
    *,
    detect_turns: bool = True,
    known_interview: bool = False,
) -> tuple[list[Block], dict[str, Speaker]]:
    """Blocks of `text` (turns when found, else paragraphs) and the speakers they refer to.

    `known_interview`: the caller knows the text is an interview, so its turns need no
    structural evidence (declared speakers have the same effect).
    """
    speakers = dict(speakers or {})
    turns = _find_turns(text, speakers, known_interview) if detect_turns else []
    if not turns:
        return paragraph_blocks(text), speakers
    blocks = paragraph_blocks(text, 0, turns[0][0]) if turns[0][0] > 0 else []
    for index, (_, body_start, label, time) in enumerate(turns):
        end = turns[index + 1][0] if index + 1 < len(turns) else len(text)
        span = _trim(text, body_start, end)
        if span is None:
            continue
        speaker = speakers.setdefault(label, new_speaker(label))
        blocks.append(Block(span[0], span[1], speaker=speaker.label, time=time))
    return blocks, speakers


def paragraph_blocks(text: str, start: int = 0, end: int | None = None) -> list[Block]:
    """One block per paragraph (separated by blank lines) of text[start:end]."""
    end = len(text) if end is None else end
    blocks = []
    position = start
    for match in PARAGRAPH_BREAK.finditer(text, start, end):
        span = _trim(text, position, match.start())
        if span:
            blocks.append(Block(*span))
        position = match.end()
    span = _trim(text, position, end)
    if span:
        blocks.append(Block(*span))
    return blocks


def is_caption_label(label: str) -> bool:
    """Whether a "Label:" is a report's section or caption word, not a speaker."""
    return label.split()[0].rstrip(".").casefold() in CAPTION_WORDS


def _find_turns(text: str, speakers: dict[str, Speaker],
                known_interview: bool) -> list[tuple[int, int, str, str | None]]:
    """(line start, body start, label, time) of every turn line, after the label rules."""
    candidates = []
    for match in TURN.finditer(text):
        label = re.sub(r"\s+", " ", match["label"])
        if is_caption_label(label):
            continue
        time = match["before"] or match["after"] or match["inside"]
        candidates.append((match.start(), match.end(), label, time))
    counts = Counter(label for _, _, label, _ in candidates)
    known = {label.casefold() for label in speakers}
    turns = [c for c in candidates
             if GENERIC.match(c[2]) or c[2].casefold() in known or counts[c[2]] >= MIN_NAME_TURNS]
    if len(turns) < 2 and not (turns and known):
        return []
    if not (known or known_interview) and not _looks_like_conversation(text, candidates, turns):
        return []
    canonical = {label.casefold(): label for label in speakers}
    return [(s, b, canonical.get(label.casefold(), label), t) for s, b, label, t in turns]


def _looks_like_conversation(text: str, candidates: list[tuple], turns: list[tuple]) -> bool:
    """Labels that recur (generic ones, or several taking turns) and turn-opening paragraphs
    holding at least MIN_TURN_SHARE of the text."""
    labels = [label for _, _, label, _ in candidates]
    changes = sum(a != b for a, b in zip(labels, labels[1:], strict=False))
    recurring = (any(GENERIC.match(label) for label in labels)
                 or (len(set(labels)) >= 2 and 2 * changes >= len(labels) - 1))
    if not recurring:
        return False
    paragraphs = paragraph_blocks(text)
    starts = [p.start for p in paragraphs]
    opening = {bisect_right(starts, body) - 1 for _, body, _, _ in turns}
    turn_chars = sum(paragraphs[i].end - paragraphs[i].start for i in opening if i >= 0)
    total = sum(p.end - p.start for p in paragraphs)
    return total > 0 and turn_chars >= MIN_TURN_SHARE * total


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """(start, end) without surrounding whitespace, or None when nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def new_speaker(label: str) -> Speaker:
    """A speaker known only from its label: generic labels are anonymous, others are names."""
    generic = bool(GENERIC.match(label))
    return Speaker(label=label, name=None if generic else label,
                   is_interviewer=label.casefold() in INTERVIEWER_LABELS)
