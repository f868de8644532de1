"""What every reader returns: parsed documents whose blocks point into the normalised text.

A reader never stores anything. It returns a `ParsedSource`; the importer segments its documents
and writes them in one transaction. Offsets are Python character offsets into `ParsedDocument.text`,
which is already normalised (NFC, `\\n` line ends) and is stored unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kvali.domain import DocumentKind


@dataclass
class Speaker:
    """A participant of an interview, as labelled in the transcript ("IP1", "Mette Hansen", "I")."""

    label: str
    name: str | None = None
    role: str | None = None
    municipality: str | None = None  # as written; the importer normalises it
    is_interviewer: bool = False


@dataclass(slots=True)
class Block:
    """A unit of text that sentences never cross: a speaker turn, a paragraph, a cue, an answer.

    `start`/`end` delimit the block's text in the document (without the "IP1:" label or time mark).
    """

    start: int
    end: int
    speaker: str | None = None  # a Speaker.label of the same document
    time: str | None = None  # "00:12:34" or "00:12:34.500" as in the source
    page: int | None = None  # 1-based page of a PDF
    respondent: str | None = None  # a Respondent.key of the same source (survey answers)


@dataclass
class ParsedDocument:
    """One document: normalised text, the blocks inside it, and what is known about it."""

    name: str
    kind: DocumentKind
    text: str
    blocks: list[Block]
    attributes: dict[str, str] = field(default_factory=dict)
    case: str | None = None  # municipality or respondent the whole document belongs to, as written
    speakers: dict[str, Speaker] = field(default_factory=dict)
    question: str | None = None  # survey variable name ("s_3") for answer documents
    question_text: str | None = None


@dataclass(slots=True)
class Respondent:
    """One row of a survey: its key, its case (municipality, as written) and its closed answers."""

    key: str
    case: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    role: str | None = None  # the answer in the column that holds the respondent's role


@dataclass
class ParsedSource:
    """Everything read from one path (a file, or a folder for a SurveyXact CSV export)."""

    documents: list[ParsedDocument]
    respondents: dict[str, Respondent] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ReadOptions:
    """Options from the command line that readers honour."""

    kind: str = "auto"  # auto | interview | survey | surveyxact | report
    case: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    case_column: str | None = None
    role_column: str | None = None  # None: detect; "": no role column
    text_columns: list[str] = field(default_factory=list)
    max_bytes: int = 200 * 1024 * 1024
    pdf_timeout_s: float = 60.0
