"""Find speaker turns and time marks in a transcript's text; otherwise split it into paragraphs.

A turn starts on a line such as "IP1: …", "Interviewer: …", "Informant 2: …", "Mette Holm: …",
optionally with a time mark before or after the label ("[00:12:34] IP1: …", "IP2 (00:12): …").
Its block runs to the next turn and excludes the label and the time mark, so offsets point at what
was said. Full-name labels count only when declared or used for at least two turns, so that a
line such as "Konklusion: …" in a report is not taken for a speaker.
"""

from __future__ import annotations

import re
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


def parse_transcript(
    text: str,
    speakers: dict[str, Speaker] | None = None,
    *,
    detect_turns: bool = True,
) -> tuple[list[Block], dict[str, Speaker]]:
    """Blocks of `text` (turns when found, else paragraphs) and the speakers they refer to."""
    speakers = dict(speakers or {})
    turns = _find_turns(text, speakers) if detect_turns else []
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


def _find_turns(text: str, speakers: dict[str, Speaker]) -> list[tuple[int, int, str, str | None]]:
    """(line start, body start, label, time) of every turn line, after the name-label rules."""
    candidates = []
    for match in TURN.finditer(text):
        label = re.sub(r"\s+", " ", match["label"])
        time = match["before"] or match["after"] or match["inside"]
        candidates.append((match.start(), match.end(), label, time))
    counts = Counter(label for _, _, label, _ in candidates)
    known = {label.casefold() for label in speakers}
    turns = [c for c in candidates
             if GENERIC.match(c[2]) or c[2].casefold() in known or counts[c[2]] >= MIN_NAME_TURNS]
    if len(turns) < 2 and not (turns and known):
        return []
    canonical = {label.casefold(): label for label in speakers}
    return [(s, b, canonical.get(label.casefold(), label), t) for s, b, label, t in turns]


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
