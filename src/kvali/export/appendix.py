"""What a theme report's appendix lists: the sources its codings come from, and the method lines
on agreement between coders.

The agreement lines come from `kvali.agreement` (the one home of the measures) over the human
codings of the summary's selection, and only when two or more people coded the same documents:
"Krippendorffs α (nominal, segmenter): 0,812 over 12 dokumenter kodet af A og B".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PureWindowsPath

from sqlite_utils import Database

from kvali.agreement.report import overall_agreement
from kvali.domain import HUMAN_STATUSES
from kvali.export.records import CodingLike
from kvali.privacy.pseudonymise import Pseudonyms
from kvali.selection import Selection, marks


@dataclass(frozen=True)
class SourceEntry:
    """A document the summary draws on, for the list of sources in the appendix."""

    document_id: int
    name: str
    kind: str
    file: str  # the imported file's name
    municipality: str | None


def source_entries(db: Database, records: Sequence[CodingLike],
                   replacing: Pseudonyms) -> list[SourceEntry]:
    """Every document the records come from, by id: its name, kind, the name of the file it was
    imported from, and its municipality (the document's case, else the one municipality all its
    records share); names go through `replacing`."""
    places: dict[int, set[str]] = defaultdict(set)
    for record in records:
        places[record.document_id].add(record.kommune or "")
    ids = sorted(places)
    if not ids:
        return []
    rows = db.execute(
        "SELECT d.id, d.name, d.kind, i.path, m.name FROM documents d "
        "JOIN imports i ON i.id = d.import_id LEFT JOIN cases c ON c.id = d.case_id "
        "LEFT JOIN municipalities m ON m.code = c.municipality_code "
        f"WHERE d.id IN ({marks(ids)}) ORDER BY d.id", ids).fetchall()
    entries = []
    for document_id, name, kind, path, municipality in rows:
        shared = places[document_id]
        if municipality is None and len(shared) == 1:
            municipality = next(iter(shared)) or None
        entries.append(SourceEntry(document_id, replacing.scrub(name), kind,
                                   replacing.scrub(PureWindowsPath(path).name), municipality))
    return entries


def agreement_lines(db: Database, selection: Selection,
                    records: Sequence[CodingLike]) -> list[str]:
    """Danish method lines on the agreement of the people whose codings the summary counts, over
    the documents they all coded; empty with fewer than two such coders."""
    coders = tuple(sorted({r.coder for r in records if r.status in HUMAN_STATUSES}))
    if len(coders) < 2:
        return []
    document_ids, overall = overall_agreement(db, coders, selection)
    if not document_ids:
        return []
    who = f"over {len(document_ids)} {'dokument' if len(document_ids) == 1 else 'dokumenter'} " \
          f"kodet af {_names(coders)}"
    figures = [("Krippendorffs α (nominal, segmenter)", overall.alpha),
               ("Cohens κ (segmenter)", overall.kappa),
               ("Fleiss' κ (segmenter)", overall.fleiss)]
    lines = [f"{label}: {_decimal(value)} {who}" for label, value in figures if value is not None]
    if overall.percent is not None:
        lines.append(f"Enighed: {_decimal(overall.percent, 0)} % af {int(overall.units)} "
                     f"segmenter {who}")
    return lines


def _names(names: Sequence[str]) -> str:
    """"A og B", "A, B og C"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]


def _decimal(value: float, digits: int = 3) -> str:
    """A number with a Danish decimal comma."""
    return f"{value:.{digits}f}".replace(".", ",")
