"""The agreement report: per code and overall, the measures of `kvali.agreement.measures` over
the units of `kvali.agreement.units`, with the documents compared and the disagreements.

*Overall* is every measure over all (unit, code) pairs at once — the per-code tables stacked, so
for α one coincidence matrix pooled over the codes — and αu pooled as 1 − ΣuD_o / ΣuD_e.
Cohen's κ is given for two coders, Fleiss' κ from three; the other is None. The percent
agreement is 0–100.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from sqlite_utils import Database

from kvali.agreement.disagreements import Disagreement, disagreements
from kvali.agreement.material import ALL, Material, load_material
from kvali.agreement.measures import (
    Pattern,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    pairable_units,
    percent_agreement,
    pooled_alpha_u,
    unitizing,
)
from kvali.agreement.units import CodeUnits, UnitKind, code_units, continua
from kvali.selection import Selection

MEASURES = ("units", "percent", "kappa", "fleiss", "alpha", "alpha_u")


@dataclass(frozen=True)
class Figures:
    """The measures for one code (or all of them)."""

    units: float
    percent: float | None
    kappa: float | None
    fleiss: float | None
    alpha: float | None
    alpha_u: float | None

    def to_dict(self) -> dict:
        """The measures by their JSON names."""
        return {name: getattr(self, name) for name in MEASURES}


@dataclass(frozen=True)
class AgreementReport:
    """Everything `kvali agreement` prints and the Enighed page shows."""

    coders: tuple[str, ...]
    unit: UnitKind
    document_ids: tuple[int, ...]
    left_out: tuple[int, ...]
    overall: Figures
    codes: dict[str, Figures]
    disagreements: tuple[Disagreement, ...]

    def to_dict(self) -> dict:
        """The JSON form."""
        return {"coders": list(self.coders), "unit": self.unit,
                "documents": len(self.document_ids), "document_ids": list(self.document_ids),
                "left_out_document_ids": list(self.left_out), "overall": self.overall.to_dict(),
                "codes": [{"code": code, **figures.to_dict()}
                          for code, figures in self.codes.items()],
                "disagreements": [d.to_dict() for d in self.disagreements]}


def agreement_report(db: Database, coders: tuple[str, ...], selection: Selection = ALL,
                     *, unit: UnitKind = "segment", all_documents: bool = False
                     ) -> AgreementReport:
    """Compare the coders' human codings in the selection."""
    material = load_material(db, coders, selection, all_documents=all_documents)
    return report_for(material, unit)


def report_for(material: Material, unit: UnitKind) -> AgreementReport:
    """The report over material already read."""
    per_code = code_units(material, unit)
    unitized = {code: unitizing(continua(material, code)) for code in material.codes}
    codes = {units.code: _figures(units.table, len(material.coders), unitized[units.code].alpha)
             for units in per_code}
    overall = _overall(per_code, len(material.coders), pooled_alpha_u(unitized.values()))
    found = [d for units in per_code for d in disagreements(units, material.coders)]
    found.sort(key=lambda d: (d.document_id, d.start, d.end, material.codes.index(d.code)))
    return AgreementReport(material.coders, unit, material.document_ids, material.left_out,
                           overall, codes, tuple(found))


def overall_agreement(db: Database, coders: tuple[str, ...], selection: Selection = ALL,
                      *, unit: UnitKind = "segment") -> tuple[tuple[int, ...], Figures]:
    """The documents compared and the overall figures of `agreement_report`, without αu (its
    `alpha_u` is None) and without the per-code figures and disagreements: what a theme
    report's method lines give, at a fraction of the cost."""
    material = load_material(db, coders, selection)
    return material.document_ids, _overall(code_units(material, unit), len(material.coders),
                                           None)


def _overall(per_code: list[CodeUnits], coders: int, alpha_u: float | None) -> Figures:
    """The measures over the per-code tables stacked, counting units (not pairs)."""
    pooled: Counter[Pattern] = Counter()
    for units in per_code:
        pooled.update(units.table)
    units_count = pairable_units(per_code[0].table) if per_code else 0
    return replace(_figures(pooled, coders, alpha_u), units=units_count)


def _figures(table: Counter[Pattern], coders: int, alpha_u: float | None) -> Figures:
    return Figures(units=pairable_units(table), percent=percent_agreement(table),
                   kappa=cohen_kappa(table) if coders == 2 else None,
                   fleiss=fleiss_kappa(table) if coders >= 3 else None,
                   alpha=krippendorff_alpha(table), alpha_u=alpha_u)
