"""Safety checks shared by every reader of untrusted files: size, zip archives and XML.

Zip-based formats (.docx, .xlsx, .qdpx) are opened with `open_zip_safely`, which refuses zip
bombs, path traversal, encrypted members and files that are not zip archives at all. Python's
`zipfile` never inflates a member beyond its declared size (a longer stream fails its CRC check),
so checking the declared sizes bounds the real work. XML parts are scanned for DTDs and entity
declarations (`check_xml_parts`) before any library parses them, and XML that kvali parses itself
goes through defusedxml (`parse_xml_safely`).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

from kvali.errors import InputError, UnsafeInputError

MB = 1024 * 1024
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
# Members smaller than this are never called bombs, whatever their ratio (tiny XML compresses well).
RATIO_FLOOR_BYTES = 1 * MB
XML_SUFFIXES = (".xml", ".rels")
SCAN_CHUNK = 1 * MB
# "<!DOCTYPE" or "<!ENTITY", also when the part is stored as UTF-16 (NUL bytes between letters).
DTD_PATTERN = re.compile(
    b"<\x00?!\x00?(?:d\x00?o\x00?c\x00?t\x00?y\x00?p\x00?e|e\x00?n\x00?t\x00?i\x00?t\x00?y)",
    re.IGNORECASE,
)
SCAN_OVERLAP = 32


def check_file_size(path: Path, max_bytes: int) -> None:
    """Refuse a file larger than `max_bytes` (the --max-mb limit)."""
    size = path.stat().st_size
    if size > max_bytes:
        raise UnsafeInputError(
            f"is {_megabytes(size)} MB, more than the limit of {_megabytes(max_bytes)} MB "
            "(raise it with --max-mb)", source=str(path))


def open_zip_safely(
    path: Path,
    *,
    max_members: int = 10_000,
    max_total_bytes: int = 500 * MB,
    max_ratio: int = 100,
) -> zipfile.ZipFile:
    """Open a zip-based file after checking it is no bomb, no zip slip and not encrypted.

    The caller closes the returned archive. Errors name the file; the file type in messages is
    taken from the suffix (".docx", ".xlsx", ".qdpx").
    """
    source = str(path)
    label = path.suffix.lower() or "zip"
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(OLE2_MAGIC):
        raise InputError(f"is password-protected or encrypted (an OLE2 container, not a {label} "
                         "zip archive); save an unprotected copy", source=source)
    if not head.startswith(ZIP_MAGICS):
        raise InputError(f"is not a valid {label} (not a zip archive)", source=source)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise InputError(f"is not a valid {label} ({exc})", source=source) from None
    try:
        _check_members(archive.infolist(), source, max_members=max_members,
                       max_total_bytes=max_total_bytes, max_ratio=max_ratio)
    except InputError:
        archive.close()
        raise
    return archive


def _check_members(
    members: list[zipfile.ZipInfo],
    source: str,
    *,
    max_members: int,
    max_total_bytes: int,
    max_ratio: int,
) -> None:
    """Raise UnsafeInputError for the first member list property that makes the archive unsafe."""
    if len(members) > max_members:
        raise UnsafeInputError(f"zip archive has {len(members)} members, more than {max_members} "
                               "(possible zip bomb)", source=source)
    total = sum(member.file_size for member in members)
    if total > max_total_bytes:
        raise UnsafeInputError(f"zip archive would unpack to {_megabytes(total)} MB, more than "
                               f"{_megabytes(max_total_bytes)} MB (possible zip bomb)",
                               source=source)
    for member in members:
        if not is_safe_member_name(member.filename):
            raise UnsafeInputError(f"zip member {member.filename!r} points outside the archive "
                                   "(absolute path or '..')", source=source)
        if member.flag_bits & 0x1:
            raise InputError(f"is password-protected or encrypted (member {member.filename!r})",
                             source=source)
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR_BYTES and ratio > max_ratio:
            raise UnsafeInputError(f"zip member {member.filename!r} expands {ratio:.0f} times, "
                                   f"more than {max_ratio} (possible zip bomb)", source=source)


def is_safe_member_name(name: str) -> bool:
    """False for absolute names, drive letters and names with a '..' component."""
    unified = name.replace("\\", "/")
    if unified.startswith("/") or re.match(r"^[A-Za-z]:", unified) or "\0" in unified:
        return False
    return ".." not in PurePosixPath(unified).parts


def check_xml_parts(zf: zipfile.ZipFile, source: str) -> None:
    """Refuse an archive whose .xml/.rels parts declare a DTD or entities (billion laughs, XXE)."""
    for member in zf.infolist():
        if not member.filename.lower().endswith(XML_SUFFIXES) or member.is_dir():
            continue
        if _declares_dtd(zf, member, source):
            raise UnsafeInputError(f"{member.filename} declares a DTD or XML entities; "
                                   "documents with entity tricks are refused", source=source)


def _declares_dtd(zf: zipfile.ZipFile, member: zipfile.ZipInfo, source: str) -> bool:
    """Scan one member in chunks, keeping an overlap so a split pattern is still found."""
    tail = b""
    try:
        with zf.open(member) as stream:
            while chunk := stream.read(SCAN_CHUNK):
                window = tail + chunk
                if DTD_PATTERN.search(window):
                    return True
                tail = window[-SCAN_OVERLAP:]
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise InputError(f"cannot read {member.filename} ({exc})", source=source) from None
    return False


def parse_xml_safely(data: bytes, source: str) -> Element:
    """Parse XML with defusedxml; DTDs, entities and external references are refused."""
    try:
        return defusedxml.ElementTree.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise UnsafeInputError(f"XML with a DTD, entities or external references is refused "
                               f"({type(exc).__name__})", source=source) from None
    except ParseError as exc:
        raise InputError(f"is not well-formed XML ({exc})", source=source) from None


def _megabytes(size: int) -> str:
    """A size in MB for messages: one decimal below 10 MB, whole numbers above."""
    value = size / MB
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"
