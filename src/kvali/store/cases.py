"""Cases: municipalities (matched to the 98) or other units, resolved from names as written."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlite_utils import Database

from kvali.municipalities import match_municipality


@dataclass
class CaseResolver:
    """Find or create case rows for raw names, remembering what could not be matched."""

    db: Database
    unmatched: dict[str, int] = field(default_factory=dict)
    _ids: dict[str, int | None] = field(default_factory=dict)

    def case_id(self, raw: str | None) -> int | None:
        """The case id for a name as written; unmatched names are kept as written, never forced."""
        if raw is None or not raw.strip():
            return None
        raw = " ".join(raw.split())
        if raw in self._ids:
            if self._ids[raw] is not None and raw in self.unmatched:
                self.unmatched[raw] += 1
            return self._ids[raw]
        match = match_municipality(raw)
        if match is not None:
            name, code, kind = match.municipality.name, match.municipality.code, "municipality"
        else:
            name, code, kind = raw, None, "other"
            self.unmatched[raw] = self.unmatched.get(raw, 0) + 1
        row = self.db.execute("SELECT id FROM cases WHERE name = ?", [name]).fetchone()
        if row:
            case_id = row[0]
        else:
            case_id = self.db.execute(
                "INSERT INTO cases (name, municipality_code, kind) VALUES (?, ?, ?)",
                [name, code, kind],
            ).lastrowid
        self._ids[raw] = case_id
        return case_id
