"""Find the other project's documents in this one by their text, and add those it lacks.

A document is the same document when its normalised text is the same (`documents.sha256`),
whatever its name or id. Documents this project lacks are stored through
`kvali.importer.store_parsed_source`, the one path that stores an import, grouped by the other
project's import (so a survey's question documents share their respondents); they are
segmented by kvali's pipeline from their text and blocks before the write transaction begins.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlite_utils import Database

from kvali.importer import segment_source, store_parsed_source
from kvali.ingest.model import ParsedSource
from kvali.merge.model import Incoming, IncomingDocument, IncomingImport
from kvali.nlp.segment import SegmentSpan


@dataclass
class Addition:
    """Documents of one of the other project's imports that this project lacks."""

    origin: IncomingImport
    documents: list[IncomingDocument]
    segmented: list[list[SegmentSpan]] | None = None

    def source(self) -> ParsedSource:
        """The documents as one parsed source, with the respondents their answers name."""
        used = {block.respondent for document in self.documents
                for block in document.parsed.blocks if block.respondent}
        return ParsedSource(documents=[document.parsed for document in self.documents],
                            respondents={key: respondent for key, respondent
                                         in self.origin.respondents.items() if key in used})


def stored_texts(db: Database) -> dict[str, int]:
    """Text SHA-256 -> the first document holding that text."""
    found: dict[str, int] = {}
    for document_id, sha in db.execute("SELECT id, sha256 FROM documents ORDER BY id"):
        found.setdefault(sha, document_id)
    return found


def missing_documents(incoming: Incoming, texts: dict[str, int]) -> list[Addition]:
    """The other project's documents whose text this project lacks (each text once)."""
    groups: dict[int, Addition] = {}
    seen: set[str] = set()
    for document in incoming.documents:
        if document.sha256 in texts or document.sha256 in seen:
            continue
        seen.add(document.sha256)
        groups.setdefault(id(document.origin), Addition(document.origin, [])).documents.append(
            document)
    return list(groups.values())


def segment(additions: list[Addition]) -> None:
    """Segment the documents to add (spaCy; outside any transaction)."""
    for addition in additions:
        addition.segmented = segment_source(addition.source())


def store(db: Database, additions: list[Addition], texts: dict[str, int]) -> list[int]:
    """Store the segmented additions (the caller owns the transaction); TEXTS learns their
    ids. Returns the new document ids."""
    added = []
    for addition in additions:
        sha = _import_sha(db, addition)
        store_parsed_source(db, addition.source(), path=addition.origin.path, sha256=sha,
                            kind=addition.origin.kind, options=addition.origin.options,
                            segmented=addition.segmented)
        ids = [row[0] for row in db.execute(
            "SELECT d.id FROM documents d JOIN imports i ON i.id = d.import_id "
            "WHERE i.sha256 = ? ORDER BY d.id", [sha])]
        for document, document_id in zip(addition.documents, ids, strict=True):
            texts[document.sha256] = document_id
        added += ids
    return added


def _import_sha(db: Database, addition: Addition) -> str:
    """The other import's SHA-256 (so importing that file again is a no-op), or, when this
    project already has an import of those bytes, one derived from it and the texts."""
    sha = addition.origin.sha256
    if not db.execute("SELECT 1 FROM imports WHERE sha256 = ?", [sha]).fetchone():
        return sha
    texts = ",".join(document.sha256 for document in addition.documents)
    return hashlib.sha256(f"merge:{sha}:{texts}".encode()).hexdigest()
