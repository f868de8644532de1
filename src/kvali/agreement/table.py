"""The agreement table as the analyst reads it: one row per code and one for all codes, with
Danish column names; and as a csv or xlsx file."""

from __future__ import annotations

import tempfile
from pathlib import Path

from kvali.agreement.report import MEASURES, AgreementReport
from kvali.tabular import write_table

COLUMNS = {"code": "Kode", "units": "Enheder", "percent": "Enighed (%)", "kappa": "Cohens κ",
           "fleiss": "Fleiss' κ", "alpha": "Krippendorffs α", "alpha_u": "Krippendorffs αu"}
OVERALL = "Alle koder"


def table_rows(report: AgreementReport, names: dict[str, str]) -> list[dict]:
    """Per code (its name from `names`, else its key) and overall, the measures rounded to
    three decimals (None where a measure does not apply)."""
    rows = [(names.get(code, code), figures) for code, figures in report.codes.items()]
    rows.append((OVERALL, report.overall))
    return [{COLUMNS["code"]: name,
             **{COLUMNS[m]: _rounded(v) for m, v in figures.to_dict().items()}}
            for name, figures in rows]


def table_bytes(report: AgreementReport, names: dict[str, str], fmt: str) -> bytes:
    """The table as a csv or xlsx file."""
    rows = table_rows(report, names)
    columns = [COLUMNS["code"], *(COLUMNS[m] for m in MEASURES)]
    with tempfile.TemporaryDirectory(prefix="kvali-export-") as folder:
        target = Path(folder) / f"enighed.{fmt}"
        write_table(target, columns, [[row[c] for c in columns] for row in rows], fmt,
                    sheet="Enighed")
        return target.read_bytes()


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
