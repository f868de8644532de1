"""Read the text layer of a PDF into paragraphs that remember their page.

pypdf runs in a child process that is killed after `ReadOptions.pdf_timeout_s`, so a hostile or
pathological PDF cannot hang an import. The child only returns text lines with their baseline and
font size; `pdf_layout` turns them into paragraphs. Every paragraph is a block carrying its page.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from bisect import bisect_right
from collections import Counter
from pathlib import Path

from pypdf import PageObject, PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from kvali.errors import InputError, UnsafeInputError
from kvali.ingest.frontmatter import Metadata, apply_metadata, read_sidecar
from kvali.ingest.model import Block, ParsedDocument, ParsedSource, ReadOptions
from kvali.ingest.pdf_layout import Line, page_paragraphs
from kvali.ingest.transcript import parse_transcript

# (text, baseline y or None, font size) per line, per page: what the child process sends back.
RawLine = tuple[str, float | None, float]
CHILD_COMMAND = ("import sys; from kvali.ingest.pdf import extract_in_child; "
                 "extract_in_child(sys.argv[1])")


def read_pdf(path: Path, options: ReadOptions) -> ParsedSource:
    """Read a PDF's text layer; encrypted, scanned, corrupt or too slow PDFs raise InputError.

    A report (the default) has one block per paragraph. With --kind interview (or `kind:
    interview` in a sidecar file) speaker turns are found as in text transcripts; every block
    carries the page it starts on.
    """
    source = str(path)
    metadata = read_sidecar(path) or Metadata()
    kind = options.kind if options.kind in ("interview", "report") else metadata.kind or "report"
    pages, title = extract_lines(path, options.pdf_timeout_s)
    paragraphs = page_paragraphs([[Line(*raw) for raw in page] for page in pages],
                                 split_at_turns=kind == "interview")
    if not paragraphs:
        raise InputError("has no text layer (scanned?); run OCR first", source=source)
    starts: list[int] = []
    position = 0
    for _, paragraph in paragraphs:
        starts.append(position)
        position += len(paragraph) + 2
    text = "\n\n".join(paragraph for _, paragraph in paragraphs)
    pages_of = [page for page, _ in paragraphs]
    if kind == "interview":
        blocks, speakers = parse_transcript(text, metadata.speakers, known_interview=True)
        for block in blocks:
            block.page = pages_of[bisect_right(starts, block.start) - 1]
    else:
        blocks = [Block(start, start + len(paragraph), page=page)
                  for start, (page, paragraph) in zip(starts, paragraphs, strict=True)]
        speakers = {}
    document = ParsedDocument(name=metadata.attributes.get("title", path.stem), kind=kind,
                              text=text, blocks=blocks, speakers=speakers)
    if title:
        document.attributes["title"] = title
    apply_metadata(document, metadata)
    return ParsedSource(documents=[document])


def extract_lines(path: Path, timeout_s: float) -> tuple[list[list[RawLine]], str | None]:
    """Run pypdf in a child process and return its lines per page and the PDF title.

    The child is a fresh interpreter (not a multiprocessing fork or spawn, which would re-run
    the caller's main script, e.g. a Streamlit page) and is killed after `timeout_s` seconds.
    """
    source = str(path)
    try:
        result = subprocess.run([sys.executable, "-c", CHILD_COMMAND, source],
                                capture_output=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise UnsafeInputError(f"reading the PDF took longer than {timeout_s:g} s; refused "
                               "(a damaged or hostile PDF?)", source=source) from None
    try:
        status, payload = json.loads(result.stdout)
    except ValueError:
        raise InputError("is not a valid PDF (the PDF reader stopped unexpectedly)",
                         source=source) from None
    if status == "ok":
        return payload
    raise InputError(payload, source=source)


def extract_in_child(path: str) -> None:
    """Child process: print ["ok", [pages, title]] or ["error", message] as JSON."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        result = ("ok", _read_with_pypdf(path))
    except Exception as exc:  # pypdf fails in many ways; all are reported
        result = ("error", _failure_message(exc))
    sys.stdout.write(json.dumps(result))


def _read_with_pypdf(path: str) -> tuple[list[list[RawLine]], str | None]:
    """Lines with baseline and font size for every page, and the document title if it has one."""
    reader = PdfReader(path)
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise FileNotDecryptedError("a password is needed")
    pages = [_page_lines(page) for page in reader.pages]
    title = reader.metadata.title if reader.metadata else None
    return pages, title.strip() if isinstance(title, str) and title.strip() else None


def _page_lines(page: PageObject) -> list[RawLine]:
    """A page's lines as pypdf reads them, with baseline and main font size."""
    collector = _LineCollector()
    page.extract_text(visitor_text=collector.visit)
    collector.finish_line()
    return collector.lines


class _LineCollector:
    """Gathers pypdf's text fragments into lines: baseline of the first visible fragment and the
    font size that covers most characters (so a small bullet does not decide a line's size)."""

    def __init__(self) -> None:
        self.lines: list[RawLine] = []
        self._start_line()

    def _start_line(self) -> None:
        self.parts: list[str] = []
        self.sizes: Counter[float] = Counter()
        self.baseline: float | None = None

    def visit(self, text: str, cm: list[float], tm: list[float], font: object,
              size: float) -> None:
        """pypdf's visitor_text callback."""
        for index, piece in enumerate(text.split("\n")):
            if index:
                self.finish_line()
            self.parts.append(piece)
            if piece.strip():
                baseline, rendered = _baseline_and_size(cm, tm, size)
                if self.baseline is None and index == 0:
                    self.baseline = baseline
                self.sizes[round(rendered, 1)] += len(piece.strip())

    def finish_line(self) -> None:
        """Close the current line (kept only when it has visible text)."""
        text = "".join(self.parts)
        if text.strip():
            size = self.sizes.most_common(1)[0][0] if self.sizes else 0.0
            self.lines.append((text, self.baseline, size))
        self._start_line()


def _baseline_and_size(cm: list[float], tm: list[float], size: float) -> tuple[float, float]:
    """Baseline y on the page and the rendered font size, from the text and transform matrices."""
    a, b, c, d, e, f = (float(v) for v in tm)
    ca, cb, cc, cd, _, cf = (float(v) for v in cm)
    scale = abs((a * d - b * c) * (ca * cd - cb * cc)) ** 0.5
    return e * cb + f * cd + cf, float(size) * (scale or 1.0)


def _failure_message(exc: Exception) -> str:
    """One line for the user about why pypdf could not read the file."""
    if isinstance(exc, FileNotDecryptedError):
        return "is password-protected; save an unprotected copy"
    if isinstance(exc, DependencyError):
        return ("is encrypted with AES, which needs the 'cryptography' package; "
                "save an unprotected copy")
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"is not a valid PDF ({detail})"
