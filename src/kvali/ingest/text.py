"""Read `.txt` and `.md` files: decode, normalise, take front matter, find turns or paragraphs."""

from __future__ import annotations

from pathlib import Path

from kvali.errors import InputError
from kvali.ingest.encoding import decode_bytes, normalise_text
from kvali.ingest.frontmatter import (
    apply_metadata,
    merge_metadata,
    read_sidecar,
    split_front_matter,
)
from kvali.ingest.model import ParsedDocument, ParsedSource, ReadOptions
from kvali.ingest.pdf_layout import text_pages
from kvali.ingest.transcript import paragraph_blocks, parse_transcript
from kvali.ingest.unwrap import unwrap_text


def read_text_file(path: Path, options: ReadOptions) -> ParsedSource:
    """One document from a text file; an interview when it has speaker turns (see
    kvali.ingest.transcript for how a report's "Kilde:" lines are told from turns). A
    report extracted from a PDF is stored without its running heads (pages separated by form
    feeds) and with its hard-wrapped paragraphs unwrapped."""
    decoded = decode_bytes(path.read_bytes(), str(path))
    text = normalise_text(decoded)
    metadata, body_start = split_front_matter(text, str(path))
    metadata = merge_metadata(metadata, read_sidecar(path))
    body = text[body_start:]
    if not body.strip():
        raise InputError("contains no text", source=str(path))
    kind = options.kind if options.kind in ("interview", "report") else metadata.kind
    blocks, speakers = parse_transcript(body, metadata.speakers, detect_turns=kind != "report",
                                        known_interview=kind == "interview")
    if kind is None:
        kind = "interview" if any(b.speaker for b in blocks) else "report"
    if kind == "report" and (report := _report_body(decoded, text, body_start)) != body:
        body, blocks = report, paragraph_blocks(report)
    title = metadata.attributes.get("title", path.stem)
    document = ParsedDocument(name=title, kind=kind, text=body, blocks=blocks, speakers=speakers)
    apply_metadata(document, metadata)
    return ParsedSource(documents=[document])


def _report_body(decoded: str, text: str, body_start: int) -> str:
    """A report's body: pages (form feeds) without running heads, paragraphs unwrapped."""
    body = text[body_start:]
    pages = [normalise_text(page) for page in decoded.split("\f")]
    if len(pages) > 1 and "\n".join(pages) == text and body_start <= len(pages[0]):
        body = text_pages([pages[0][body_start:], *pages[1:]])
    return unwrap_text(body)
