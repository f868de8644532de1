"""Read subtitle files (.srt and WebVTT .vtt) as timed interview turns.

Every cue's text becomes one line of the document (a multi-line cue is joined with spaces); its
block carries the cue start as "HH:MM:SS.mmm". The speaker comes from a WebVTT voice tag
(`<v Mette Holm>`) or from a "Navn: tekst" label at the start of the cue and lasts until the next
one; where the speaker changes, "Navn: " is written before the text so the stored document reads
like a transcript (the block starts after the label). A cue that stops mid-sentence and is
followed by a cue of the same speaker is joined to it with a space, so that sentences are not cut
at cue boundaries; the block keeps the first cue's start time. Header, NOTE, STYLE and REGION
blocks and cue settings are ignored, formatting tags (<i>, <b>, <c.x>, {\\an8}) are removed and
entities (&amp;) decoded.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kvali.errors import InputError
from kvali.ingest.encoding import decode_bytes, normalise_text
from kvali.ingest.frontmatter import Metadata, apply_metadata, read_sidecar
from kvali.ingest.model import Block, ParsedDocument, ParsedSource, ReadOptions, Speaker
from kvali.ingest.transcript import GENERIC, TURN, new_speaker

TIMESTAMP = r"(?:\d{1,3}:)?\d{1,2}:\d{2}[.,]\d{1,3}"
TIMING = re.compile(rf"^\s*(?P<start>{TIMESTAMP})\s*-->\s*(?P<end>{TIMESTAMP})(?:\s.*)?$")
SKIPPED_BLOCKS = re.compile(r"^(?:WEBVTT|NOTE|STYLE|REGION)(?:[ \t]|$)")
VOICE = re.compile(r"<v(?:\.[\w.-]+)?[ \t]+([^>]+)>")
TAG = re.compile(r"</?(?:[A-Za-z][\w.-]*|\d[\d:.]*)(?:[ \t][^>]*)?>|\{\\[^}]*\}")
SPACES = re.compile(r"\s+")
SENTENCE_END = tuple(".!?…:;\"”»)♪")
MIN_NAME_CUES = 2  # a full-name label in plain cue text counts when it opens this many cues


@dataclass
class Cue:
    """One piece of spoken text: its start time, its speaker (if known) and the text itself."""

    time: str
    text: str
    speaker: str | None = None
    label: str | None = None  # a "Navn:" label found in the text, before it is accepted


def read_subtitles(path: Path, options: ReadOptions) -> ParsedSource:
    """Read one .srt or .vtt file into an interview document with one timed block per cue."""
    source = str(path)
    metadata = read_sidecar(path) or Metadata()
    content = normalise_text(decode_bytes(path.read_bytes(), source))
    cues, warnings = parse_cues(content)
    if not cues:
        raise InputError("has no subtitle cues (expected '00:00:01,000 --> 00:00:04,000' lines)",
                         source=source)
    _accept_labels(cues, metadata.speakers)
    text, blocks = _layout(cues)
    speakers = {label: metadata.speakers.get(label) or new_speaker(label)
                for label in dict.fromkeys(b.speaker for b in blocks if b.speaker)}
    kind = options.kind if options.kind in ("interview", "report") else "interview"
    document = ParsedDocument(name=metadata.attributes.get("title", path.stem), kind=kind,
                              text=text, blocks=blocks, speakers=speakers)
    apply_metadata(document, metadata)
    return ParsedSource(documents=[document], warnings=warnings)


def parse_cues(content: str) -> tuple[list[Cue], list[str]]:
    """Cues in file order (one per voice when a cue has several), and warnings about blocks
    that have text but no timing line."""
    cues: list[Cue] = []
    warnings: list[str] = []
    block: list[tuple[int, str]] = []
    for number, line in enumerate([*content.split("\n"), ""], 1):
        if line.strip():
            block.append((number, line))
            continue
        if block and not SKIPPED_BLOCKS.match(block[0][1]):
            timing = next((i for i, (_, text) in enumerate(block) if TIMING.match(text)), None)
            if timing is None:
                warnings.append(f"line {block[0][0]}: text without a cue timing was skipped")
            else:
                start = normalise_time(TIMING.match(block[timing][1])["start"])
                cues.extend(_voices(start, [text for _, text in block[timing + 1:]]))
        block = []
    return cues, warnings


def normalise_time(stamp: str) -> str:
    """"1:02,5" or "00:01:02,500" → "00:01:02.500"."""
    clock, fraction = re.split(r"[.,]", stamp)
    parts = [int(p) for p in clock.split(":")]
    hours, minutes, seconds = ([0] * (3 - len(parts)) + parts)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{fraction.ljust(3, '0')}"


def _voices(time: str, lines: list[str]) -> list[Cue]:
    """A cue's lines split where a voice tag starts, tags removed, lines joined with spaces."""
    groups: list[tuple[str | None, list[str]]] = []
    for line in lines:
        voice = VOICE.search(line)
        if voice:
            groups.append((SPACES.sub(" ", voice.group(1)).strip(), []))
        elif not groups:
            groups.append((None, []))
        groups[-1][1].append(line)
    cues = []
    for speaker, group in groups:
        text = SPACES.sub(" ", html.unescape(TAG.sub("", " ".join(group)))).strip()
        if text:
            cues.append(Cue(time=time, text=text, speaker=speaker))
    return cues


def _accept_labels(cues: list[Cue], declared: dict[str, Speaker]) -> None:
    """Take "Navn: tekst" labels off cue texts when they are generic ("IP1", "Interviewer"),
    declared in the sidecar, or open at least two cues; a cue without a speaker continues the
    previous cue's speaker, as a turn in a transcript runs to the next label."""
    for cue in cues:
        match = TURN.match(cue.text) if cue.speaker is None else None
        if match and match.end() < len(cue.text):
            cue.label = SPACES.sub(" ", match["label"])
    counts = Counter(cue.label for cue in cues if cue.label)
    known = {label.casefold(): label for label in declared}
    for cue in cues:
        label = cue.label
        if label and (GENERIC.match(label) or label.casefold() in known
                      or counts[label] >= MIN_NAME_CUES):
            cue.speaker = known.get(label.casefold(), label)
            cue.text = cue.text[TURN.match(cue.text).end():].strip()
    current = None
    for cue in cues:
        current = cue.speaker = cue.speaker or current


def _layout(cues: list[Cue]) -> tuple[str, list[Block]]:
    """The document text (a line per cue, "Navn: " where the speaker changes) and one block per
    cue (run-on cues joined)."""
    parts: list[str] = []
    blocks: list[Block] = []
    position = 0
    previous: Cue | None = None
    for cue in cues:
        if previous and previous.speaker == cue.speaker and not _ends_sentence(previous.text):
            parts.append(" " + cue.text)
            position += 1 + len(cue.text)
            blocks[-1].end = position
        else:
            new_turn = cue.speaker and (previous is None or previous.speaker != cue.speaker)
            prefix = ("\n" if parts else "") + (f"{cue.speaker}: " if new_turn else "")
            parts.append(prefix + cue.text)
            position += len(prefix)
            blocks.append(Block(position, position + len(cue.text), speaker=cue.speaker,
                                time=cue.time))
            position += len(cue.text)
        previous = cue
    return "".join(parts), blocks


def _ends_sentence(text: str) -> bool:
    """True when a cue ends a sentence (so the next cue starts a new block)."""
    return text.rstrip().endswith(SENTENCE_END)
