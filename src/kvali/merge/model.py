"""What another project brings to a merge, whatever file it came in: documents, codes, human
codings and memos, each pointing at its document by the other project's own reference."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from kvali.codebook.model import Code
from kvali.ingest.model import ParsedDocument, ReadOptions, Respondent


@dataclass
class IncomingImport:
    """The other project's import a document came from; added documents keep it together."""

    path: str
    sha256: str
    kind: str
    options: ReadOptions | None = None
    respondents: dict[str, Respondent] = field(default_factory=dict)


@dataclass
class IncomingDocument:
    """A document of the other project, ready to be stored if this project lacks it."""

    ref: str
    parsed: ParsedDocument
    origin: IncomingImport

    @property
    def sha256(self) -> str:
        """The SHA-256 of the text, as `documents.sha256` holds it."""
        return hashlib.sha256(self.parsed.text.encode()).hexdigest()


@dataclass
class IncomingCoding:
    """A human coding (manual, accepted or rejected) of the other project."""

    document: str  # IncomingDocument.ref
    start: int
    end: int
    code_key: str
    coder: str
    status: str
    origin: str = "manual"
    memo: str | None = None
    key_quote: bool = False
    provenance: str | None = None
    rule: str | None = None
    score: float | None = None
    matched: str | None = None
    rules_hash: str | None = None
    codebook_version: str | None = None
    created_at: str | None = None


@dataclass
class IncomingMemo:
    """A memo on the project, a document (target = IncomingDocument.ref) or a code (its key)."""

    target_type: str
    target: str
    coder: str
    text: str


@dataclass
class Incoming:
    """Everything a merge takes from the other project."""

    source: str  # the file, for messages
    sha256: str  # of the file, for the events row
    documents: list[IncomingDocument]
    codes: list[Code]  # parents before children
    codings: list[IncomingCoding]
    memos: list[IncomingMemo]
    skipped: list[str] = field(default_factory=list)
