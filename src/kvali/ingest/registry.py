"""Which reader handles a path, how folders expand, and the fingerprint used to skip re-imports."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from importlib import import_module
from pathlib import Path

from kvali.domain import IMPORT_KINDS
from kvali.errors import InputError, UsageError
from kvali.ingest.model import ParsedSource, ReadOptions
from kvali.ingest.safety import check_file_size
from kvali.ingest.surveyxact import looks_like_surveyxact, read_surveyxact

Reader = Callable[[Path, ReadOptions], ParsedSource]

READERS_BY_SUFFIX: dict[str, str] = {
    ".txt": "kvali.ingest.text:read_text_file",
    ".md": "kvali.ingest.text:read_text_file",
    ".docx": "kvali.ingest.docx:read_docx",
    ".pdf": "kvali.ingest.pdf:read_pdf",
    ".srt": "kvali.ingest.subtitles:read_subtitles",
    ".vtt": "kvali.ingest.subtitles:read_subtitles",
    ".csv": "kvali.ingest.table:read_table",
    ".tsv": "kvali.ingest.table:read_table",
    ".xlsx": "kvali.ingest.table:read_table",
}
"""The reader of each file type, as module:function; a reader's module (with its libraries:
pypdf, python-docx) is imported when a file of its type is first read."""
SIDECAR_SUFFIXES = (".yaml", ".yml")


def choose_reader(path: Path, options: ReadOptions) -> Reader:
    """The reader for a file or folder, honouring --kind."""
    if options.kind not in IMPORT_KINDS:
        raise UsageError(f"--kind {options.kind!r}: choose one of {', '.join(IMPORT_KINDS)}")
    if options.kind == "surveyxact" or (options.kind in ("auto", "survey") and
                                         looks_like_surveyxact(path)):
        return read_surveyxact
    if path.is_dir():
        raise InputError("folder is not a SurveyXact export", source=str(path))
    name = READERS_BY_SUFFIX.get(path.suffix.lower())
    if name is None:
        known = ", ".join(sorted(READERS_BY_SUFFIX))
        raise InputError(f"unknown file type {path.suffix or '(none)'!r}; kvali reads {known}",
                         source=str(path))
    module, function = name.split(":")
    return getattr(import_module(module), function)


def read_source(path: Path, options: ReadOptions) -> ParsedSource:
    """Read one file (or SurveyXact folder) into a ParsedSource, after the size check."""
    reader = choose_reader(path, options)
    if path.is_file():
        check_file_size(path, options.max_bytes)
    return reader(path, options)


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files and SurveyXact folders to import; folders are walked, sidecars and dotfiles skipped.
    A folder given by name that holds nothing to import is an InputError."""
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError("no such file or folder", source=str(path))
        files = _walk(path)
        if not files:
            known = ", ".join(sorted(READERS_BY_SUFFIX))
            raise InputError(f"no files to import in this folder (kvali reads {known})",
                             source=str(path))
        found.extend(files)
    return found


def _walk(path: Path) -> list[Path]:
    if not path.is_dir() or looks_like_surveyxact(path):
        return [path]  # pipes and devices too: the importer refuses them by name
    found: list[Path] = []
    for child in sorted(path.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_file() and child.suffix.lower() in SIDECAR_SUFFIXES:
            continue
        if child.is_dir() or child.suffix.lower() in READERS_BY_SUFFIX:
            found.extend(_walk(child))
    return found


def fingerprint(path: Path) -> str:
    """SHA-256 of a file, or of a folder's files (names and bytes, in name order)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.name.lower().encode() + b"\0")
        with file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()
