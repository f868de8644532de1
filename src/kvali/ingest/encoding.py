"""Decode bytes from files of unknown encoding, and normalise text before it is stored.

Order of evidence: a byte-order mark; UTF-16 without BOM (NUL bytes on every other position);
strict UTF-8 (then "Ã¦"-style mojibake is repaired when the repair is exact, else reported);
Windows-1252, with Latin-1 for the five bytes cp1252 leaves undefined. Binary junk is refused.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from kvali.errors import InputError

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# UTF-8 bytes of Danish letters and typographic marks read as cp1252: "Ã¦" for "æ" and so on.
MOJIBAKE = re.compile("Ã[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
                      "\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
                      "\u20ac\u2122]|â€")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
LINE_ENDS = ("\r", "\u2028", "\u2029", "\x85")  # besides "\r\n"; each becomes "\n"
# Every character `normalise_text` replaces or removes besides NFC, as one class: a single scan
# (a pattern that is one class skips ahead fast) tells most texts need none of those steps.
_NOT_NORMAL = re.compile("[\ufeff\r\u2028\u2029\x85\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def decode_bytes(data: bytes, source: str) -> str:
    """Decode a text file's bytes; raise InputError for empty, binary or unrepairable input."""
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        reason = "contains only NUL bytes, no text" if b"\x00" in data else "file is empty"
        raise InputError(reason, source=source)
    text = _decode(data, source)
    if MOJIBAKE.search(text):
        text = _repair_mojibake(text, source)
    controls = len(CONTROL.findall(text))
    if controls > max(8, len(text) // 100):
        raise InputError("looks like a binary file, not text", source=source)
    return text


def _decode(data: bytes, source: str) -> str:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return _strict(data[len(bom):], encoding, source)
    sample = data[:4096]
    if len(sample) >= 4 and sample.count(0) >= len(sample) // 4:
        even_nuls = sample[0::2].count(0)
        odd_nuls = sample[1::2].count(0)
        if odd_nuls > 3 * even_nuls:
            return _strict(data, "utf-16-le", source)
        if even_nuls > 3 * odd_nuls:
            return _strict(data, "utf-16-be", source)
        if sample[2::4].count(0) == len(sample[2::4]):  # Danish text in UTF-32: 2 NULs a letter
            raise InputError("looks like UTF-32 text, which kvali does not read; save it as "
                             "UTF-8", source=source)
        raise InputError("looks like a binary file, not text", source=source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if 0 in sample:
        raise InputError("looks like a binary file, not text", source=source)
    return data.decode("cp1252", errors="strict") if _is_cp1252(data) else data.decode("latin-1")


def _strict(data: bytes, encoding: str, source: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"is not valid {encoding.upper()} (byte {exc.start})",
                         source=source) from None


def _is_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _repair_mojibake(text: str, source: str) -> str:
    """Undo UTF-8 read as Windows-1252 (once or twice); refuse when the repair is not exact."""
    for _ in range(2):
        try:
            repaired = text.encode("cp1252").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            raise InputError(
                "contains mojibake (UTF-8 read as Windows-1252, e.g. 'Ã¦' for 'æ') that cannot "
                "be repaired exactly; re-save the file as UTF-8", source=source) from None
        text = repaired
        if not MOJIBAKE.search(text):
            return text
    raise InputError("contains mojibake that cannot be repaired exactly", source=source)


def normalise_text(text: str) -> str:
    """NFC, "\\n" line ends, no BOM and no XML-invalid control characters."""
    if _NOT_NORMAL.search(text):
        text = text.replace("\ufeff", "").replace("\r\n", "\n")  # then a lone \r is a line end
        for line_end in LINE_ENDS:
            text = text.replace(line_end, "\n")
        text = CONTROL.sub("", text.replace("\f", "\n").replace("\v", "\n"))
    return unicodedata.normalize("NFC", text)
