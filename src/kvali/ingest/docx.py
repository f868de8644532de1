"""Read a Word document (.docx): paragraphs and table cells in document order, bold speakers.

Paragraphs are separated by a blank line, so that without speaker turns every paragraph becomes
a block. A paragraph that opens with a bold label ending in ":" ("**Mette Holm:** Vi …") or a bold
label followed by ":" is written as "Mette Holm: Vi …", the same form as a plain "Navn:" turn, and
the label is declared as a speaker; the transcript parser then finds the turns.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.document import Document
from docx.opc.exceptions import OpcError
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml.etree import LxmlError

from kvali.errors import InputError
from kvali.ingest.encoding import normalise_text
from kvali.ingest.frontmatter import Metadata, apply_metadata, read_sidecar
from kvali.ingest.model import ParsedDocument, ParsedSource, ReadOptions
from kvali.ingest.safety import check_xml_parts, open_zip_safely
from kvali.ingest.transcript import new_speaker, parse_transcript

MAX_LABEL_CHARS = 60
MAX_LABEL_WORDS = 6
SPACES = re.compile(r"[ \t\u00a0]+")


def read_docx(path: Path, options: ReadOptions) -> ParsedSource:
    """Read one .docx into a document; corrupt, encrypted or unsafe files raise InputError."""
    source = str(path)
    with open_zip_safely(path) as archive:
        check_xml_parts(archive, source)
    word = _open_document(path)
    metadata = read_sidecar(path) or Metadata()
    lines: list[str] = []
    bold_labels: list[str] = []
    for paragraph in _paragraphs(word):
        line, label = paragraph_line(paragraph)
        if line:
            lines.append(line)
        if label:
            bold_labels.append(label)
    text = "\n\n".join(lines)
    if not text:
        raise InputError("contains no text", source=source)
    kind = options.kind if options.kind in ("interview", "report") else metadata.kind
    speakers = {label: new_speaker(label) for label in bold_labels}
    speakers.update(metadata.speakers)
    blocks, speakers = parse_transcript(text, speakers, detect_turns=kind != "report")
    used = {block.speaker for block in blocks if block.speaker}
    document = ParsedDocument(
        name=metadata.attributes.get("title", path.stem),
        kind=kind or ("interview" if used else "report"),
        text=text,
        blocks=blocks,
        speakers={label: s for label, s in speakers.items() if label in used},
    )
    title = (word.core_properties.title or "").strip()
    if title:
        document.attributes["title"] = title
    apply_metadata(document, metadata)
    return ParsedSource(documents=[document])


def _open_document(path: Path) -> Document:
    """python-docx's Document, with its many failure types turned into one InputError."""
    try:
        return docx.Document(str(path))
    except (OpcError, KeyError, ValueError, LxmlError, zipfile.BadZipFile) as exc:
        detail = str(exc).strip() or type(exc).__name__
        raise InputError(f"is not a valid .docx ({detail})", source=str(path)) from None


def _paragraphs(word: Document) -> Iterator[Paragraph]:
    """Body paragraphs and table-cell paragraphs in document order."""
    for item in word.iter_inner_content():
        if isinstance(item, Paragraph):
            yield item
        else:
            yield from _table_paragraphs(item)


def _table_paragraphs(table: Table) -> Iterator[Paragraph]:
    """A table's paragraphs row by row, merged cells once, nested tables in place."""
    seen: set[int] = set()
    for row in table.rows:
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            for item in cell.iter_inner_content():
                if isinstance(item, Paragraph):
                    yield item
                else:
                    yield from _table_paragraphs(item)


def paragraph_line(paragraph: Paragraph) -> tuple[str, str | None]:
    """The paragraph's text (soft line breaks kept) and its bold speaker label, if it has one."""
    label, rest = _bold_label(paragraph)
    raw = f"{label}: {rest}" if label else paragraph.text
    text = normalise_text(raw)
    lines = (SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line), label


def _bold_label(paragraph: Paragraph) -> tuple[str | None, str]:
    """("Mette Holm", "the rest") when the paragraph opens with a bold label and a colon."""
    bold = []
    runs = paragraph.runs
    index = 0
    while index < len(runs) and (_is_bold(runs[index]) or not runs[index].text.strip()):
        bold.append(runs[index].text)
        index += 1
    label = "".join(bold).strip()
    rest = "".join(run.text for run in runs[index:])
    if not label:
        return None, ""
    if label.endswith(":"):
        label = label[:-1].strip()
    elif rest.lstrip().startswith(":"):
        rest = rest.lstrip()[1:]
    else:
        return None, ""
    if not _looks_like_label(label) or not rest.strip():
        return None, ""
    return SPACES.sub(" ", label), rest.strip()


def _is_bold(run: Run) -> bool:
    """Bold set on the run itself or on its character style (e.g. "Strong")."""
    if run.bold:
        return True
    style = run.style
    return bool(style is not None and style.font.bold)


def _looks_like_label(label: str) -> bool:
    """Short, one line, no sentence punctuation: a name or a code, not a bold sentence."""
    return (0 < len(label) <= MAX_LABEL_CHARS and len(label.split()) <= MAX_LABEL_WORDS
            and "\n" not in label and not re.search(r"[.!?;:]$|[!?;]", label))
