"""What the Importér page says about a REFI-QDA import, in Danish: what came in, how each
source's positions were read, the sources that could not be placed (with the codings lost) and
the other warnings. The import's own lines are English (the CLI prints them); a source's reason
comes in Danish from its key (`kvali.refiqda.model.UNPLACED_REASONS`), the readings are put in
Danish here, and an unknown one is shown as the import wrote it."""

from __future__ import annotations

from kvali.refiqda.load import QdpxImport
from kvali.refiqda.model import MissingSource

READINGS = {
    "code points": "tegn, som standarden tæller",
    "UTF-16 units": "UTF-16-enheder, som NVivo tæller (en emoji tæller to)",
    "CRLF as one": "linjeskift (CRLF) som ét tegn",
    "BOM counted": "byte-order-mærket talt med",
}


def count(number: int, one: str, many: str) -> str:
    """"1 kodning", "3 kodninger"."""
    return f"{number} {one if number == 1 else many}"


def reading_label(description: str) -> str:
    """A position reading ("UTF-16 units, CRLF as one") in Danish."""
    return ", ".join(READINGS.get(part, part) for part in description.split(", "))


def imported_sentence(report: QdpxImport) -> str:
    """What came in, as one sentence."""
    return (f"{count(report.documents, 'nyt dokument', 'nye dokumenter')} "
            f"({report.documents_matched} fandtes allerede i projektet), "
            f"{count(report.codes, 'ny kode', 'nye koder')} ({report.codes_reused} kendte i "
            f"forvejen), {count(report.codings, 'kodning', 'kodninger')} "
            f"({report.codings_existing} fandtes allerede), "
            f"{count(report.memos, 'memo', 'memoer')} og {count(report.cases, 'case', 'cases')}.")


def reading_rows(report: QdpxImport) -> list[dict[str, str]]:
    """One row per source: its name and how its selection positions were read."""
    return [{"Kilde": name, "Positioner læst som": reading_label(description)}
            for name, description in report.conventions.items()]


def missing_lines(report: QdpxImport) -> list[str]:
    """One line per source that could not be placed: name, path, why, codings lost."""
    lines = []
    for missing in report.missing:
        path = f" ({missing['path']})" if missing["path"] else ""
        lines.append(f"{missing['name']}{path}: {MissingSource(**missing).danish_reason()} – "
                     f"{count(missing['codings'], 'kodning', 'kodninger')} tabt")
    return lines


def other_warnings(report: QdpxImport) -> list[str]:
    """The skipped items and warnings besides the sources listed by `missing_lines`."""
    listed = {MissingSource(**missing).describe() for missing in report.missing}
    return [line for line in report.skipped if line not in listed] + report.warnings
