"""Check a citation: the quote a reference points at, its document, who said it, where it lies
in the project and where it stands in the imported file (what `kvali cite` prints).

The quote is exactly `documents.text[START:END]`; with `pseudonymise=True` the confirmed
personal data in it, and in the names printed with it, is replaced as in every export, and the
citation says which labels were put in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from sqlite_utils import Database

from kvali.export.citations import (
    Citation,
    ParagraphIndex,
    Reference,
    ReferencedSpan,
    citation_for,
    referenced_span,
)
from kvali.export.source_location import SourceLocation, locate_in_source
from kvali.privacy.pseudonymise import pseudonyms


@dataclass(frozen=True)
class CitationCheck:
    """Everything `kvali cite` shows about one reference."""

    span: ReferencedSpan  # names already pseudonymised when asked
    quote: str
    citation: Citation
    source: SourceLocation

    @property
    def stored_position(self) -> str:
        """Where the span lies in the project: "tur 2, 00:00:40; segment 17"."""
        parts = [self.citation.position] if self.citation.position else []
        pages = self.span.pages
        if pages and pages[0] != pages[1]:
            parts.append(f"s. {pages[0]}-{pages[1]}")
        if self.span.question:
            parts.append(f"spørgsmål {self.span.question}")
        if self.span.segments:
            label = "segment" if len(self.span.segments) == 1 else "segmenter"
            parts.append(f"{label} {', '.join(map(str, self.span.segments))}")
        return "; ".join(parts) or "ingen segmenter (tekst mellem segmenterne)"

    def lines(self) -> list[str]:
        """The Danish text `kvali cite` prints: the quote as stored, then the facts."""
        location = self.span.location
        lines = ["Citat:", *self.quote.split("\n"), "",
                 f"Kildehenvisning: {self.citation.text()}",
                 f"Dokument: {location.document_id}, {location.document} ({location.kind})"]
        if location.kommune:
            size = f", {self.span.size_class} kommune" if self.span.size_class else ""
            lines.append(f"Kommune: {location.kommune}, {location.region}{size}")
        elif location.case:
            lines.append(f"Case: {location.case}")
        if self.span.speaker:
            role = f", {location.role}" if location.role else ""
            lines.append(f"Taler: {self.span.speaker}{role}"
                         + (" (interviewer)" if self.span.is_interviewer else ""))
        elif location.respondent:
            role = f", {location.role}" if location.role else ""
            lines.append(f"Respondent: {location.respondent}{role}")
        if self.span.question:
            text = self.span.question_text
            lines.append(f"Spørgsmål: {self.span.question}"
                         + (f" – {text}" if text and text != self.span.question else ""))
        lines += [f"I projektet: {self.stored_position}", f"I filen: {self.source.text()}"]
        return lines

    def to_dict(self) -> dict:
        """JSON-friendly (the keys of `kvali cite --json`)."""
        location = self.span.location
        return {
            "reference": str(self.span.reference), "quote": self.quote,
            "citation": self.citation.text(),
            "pseudonymised": list(self.citation.pseudonymised),
            "document": {"id": location.document_id, "name": location.document,
                         "kind": location.kind, "question": self.span.question,
                         "question_text": self.span.question_text},
            "case": location.case, "kommune": location.kommune, "region": location.region,
            "size_class": self.span.size_class,
            "speaker": {"label": self.span.speaker, "role": location.role,
                        "interviewer": self.span.is_interviewer} if self.span.speaker else None,
            "respondent": {"key": location.respondent, "role": location.role}
            if location.respondent else None,
            "position": {"segments": list(self.span.segments), "turn": location.turn,
                         "time": location.time,
                         "page": self.span.pages[0] if self.span.pages else None,
                         "end_page": self.span.pages[1] if self.span.pages else None,
                         "text": self.stored_position},
            "source": self.source.to_dict(),
        }


def check_citation(db: Database, reference: str, *, pseudonymise: bool = False,
                   path: str | Path | None = None) -> CitationCheck:
    """Check the reference `doc:ID:START-END` (see the module docstring); `path` is where the
    imported file is now, when it has moved. A bad reference is a UsageError naming it."""
    span = referenced_span(db, Reference.parse(reference))
    replacing = pseudonyms(db, pseudonymise)
    ref = span.reference
    quoted = replacing.span(ref.document_id, ref.start, span.text)
    location = replacing.scrubbed(span.location)
    span = replace(span, location=location, speaker=replacing.scrub(span.speaker or "") or None,
                   question_text=replacing.scrub(span.question_text or "") or None)
    citation = citation_for(location, paragraphs=ParagraphIndex(db),
                            pseudonymised=quoted.labels)
    source = locate_in_source(db, ref.document_id, ref.start, ref.end, path=path)
    source = replace(source, path=replacing.scrub(source.path), file=replacing.scrub(source.file),
                     note=replacing.scrub(source.note or "") or None)
    return CitationCheck(span, quoted.text, citation, source)
