"""kvali's agreement measures against independent figures: published worked examples, the
`krippendorff` package, scikit-learn's `cohen_kappa_score` and hand-computed continua.

    python benchmarks/agreement_oracles.py

Prints, per check, kvali's figure, the oracle's figure and the difference; then the largest
difference over 100 random reliability tables per measure. tests/test_agreement_measures.py
asserts the same checks.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score

from kvali.agreement.measures import (
    Continuum,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    pooled_alpha_u,
    tally,
    unitizing,
)

KRIPPENDORFF_2011 = [  # "Computing Krippendorff's Alpha-Reliability" (2011): 4 coders × 12 units
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
"""Rows are coders, columns units; nominal α = 0.743."""

FLEISS_WIKIPEDIA = [  # Wikipedia, "Fleiss' kappa", worked example: 14 raters, 10 subjects
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]
"""Raters per category for each subject; κ = 0.210."""

KRIPPENDORFF_2004 = {  # Content Analysis, 2nd ed. (2004), p. 254: continuum 150–450, 2 coders
    "c": [[(225, 70), (370, 30)], [(220, 80), (355, 20), (400, 20)]],
    "k": [[(180, 60), (300, 50)], [(180, 60), (300, 50)]],
}
"""(begin, length) of each coder's units per category; cuD_o = .0144, cuD_e = .0532,
cuα = .7286, kuα = 1, uα over both = .859."""


@dataclass(frozen=True)
class Check:
    """One comparison: kvali's figure, the oracle's, and how close they must be."""

    name: str
    kvali: float
    oracle: float
    tolerance: float

    @property
    def difference(self) -> float:
        """kvali − oracle."""
        return self.kvali - self.oracle


def _columns(rows: list[list]) -> list[tuple]:
    return list(zip(*rows, strict=True))


def _book_continuum(coders: list[list[tuple[int, int]]]) -> Continuum:
    return Continuum(300, tuple(tuple(sorted((b - 150, b - 150 + n) for b, n in units))
                                for units in coders))


def checks() -> list[Check]:
    """Every fixed comparison."""
    reliability = tally(_columns(KRIPPENDORFF_2011))
    fleiss = tally(tuple(v for v, n in enumerate(counts) for _ in range(n))
                   for counts in FLEISS_WIKIPEDIA)
    c = unitizing([_book_continuum(KRIPPENDORFF_2004["c"])])
    k = unitizing([_book_continuum(KRIPPENDORFF_2004["k"])])
    package = krippendorff.alpha(np.array(KRIPPENDORFF_2011, dtype=float),
                                 level_of_measurement="nominal")
    overlap = unitizing([Continuum(10, (((0, 4),), ((2, 6),)))])
    inside_gap = unitizing([Continuum(6, (((2, 4),), ()))])
    same = unitizing([Continuum(10, (((2, 6),), ((2, 6),)))])
    return [
        Check("α nominal, Krippendorff (2011) example, published", krippendorff_alpha(reliability),
              0.743, 5e-4),
        Check("α nominal, Krippendorff (2011) example, krippendorff package",
              krippendorff_alpha(reliability), package, 1e-12),
        Check("Fleiss' κ, Wikipedia worked example, published", fleiss_kappa(fleiss), 0.210,
              5e-4),
        Check("αu category c, Krippendorff (2004) p. 254: uD_o", c.observed, 0.0144, 5e-5),
        Check("αu category c, Krippendorff (2004) p. 254: uD_e", c.expected, 0.0532, 5e-5),
        Check("αu category c, Krippendorff (2004) p. 254", c.alpha, 0.7286, 5e-5),
        Check("αu category k, Krippendorff (2004) p. 254", k.alpha, 1.0, 1e-12),
        Check("αu both categories, Krippendorff (2004) p. 254", pooled_alpha_u([c, k]), 0.859,
              5e-4),
        Check("αu by hand: [0,4) vs [2,6) in 10 characters = 26/115", overlap.alpha, 26 / 115,
              1e-12),
        Check("αu by hand: [2,4) vs nothing in 6 characters = −23/42", inside_gap.alpha,
              -23 / 42, 1e-12),
        Check("αu by hand: identical units = 1", same.alpha, 1.0, 1e-12),
    ]


def random_tables(count: int = 100, seed: int = 13) -> dict[str, float]:
    """The largest |kvali − package| over `count` random tables, per measure."""
    rng = random.Random(seed)
    worst = {"κ vs scikit-learn": 0.0, "α vs krippendorff": 0.0, "Fleiss' κ vs counts": 0.0}
    for _ in range(count):
        units, values = rng.randint(5, 60), rng.randint(2, 5)
        pair = [[rng.randrange(values) for _ in range(units)] for _ in range(2)]
        if len(set(pair[0]) | set(pair[1])) > 1:
            _worst(worst, "κ vs scikit-learn", cohen_kappa(tally(_columns(pair))),
                   cohen_kappa_score(*pair))
        coders = rng.randint(2, 6)
        rows = [[rng.randrange(values) if rng.random() > 0.25 else None for _ in range(units)]
                for _ in range(coders)]
        if len({v for row in rows for v in row if v is not None}) > 1:
            matrix = np.array([[np.nan if v is None else v for v in row] for row in rows])
            _worst(worst, "α vs krippendorff", krippendorff_alpha(tally(_columns(rows))),
                   krippendorff.alpha(matrix, level_of_measurement="nominal"))
        complete = [[rng.randrange(values) for _ in range(units)] for _ in range(coders)]
        _worst(worst, "Fleiss' κ vs counts", fleiss_kappa(tally(_columns(complete))),
               _fleiss_from_counts(complete, values))
    return worst


def _worst(worst: dict[str, float], name: str, ours: float | None, theirs: float) -> None:
    if ours is None or np.isnan(theirs):
        assert ours is None or np.isnan(theirs), (name, ours, theirs)
        return
    worst[name] = max(worst[name], abs(ours - theirs))


def _fleiss_from_counts(rows: list[list[int]], values: int) -> float:
    """Fleiss (1971) with numpy from the subjects × categories count matrix."""
    counts = np.zeros((len(rows[0]), values))
    for row in rows:
        for unit, value in enumerate(row):
            counts[unit, value] += 1
    n = len(rows)
    p_i = (np.sum(counts ** 2, axis=1) - n) / (n * (n - 1))
    p_j = counts.sum(axis=0) / counts.sum()
    expected = np.sum(p_j ** 2)
    return float((p_i.mean() - expected) / (1 - expected)) if expected < 1 else float("nan")


def main(show: Callable[[str], None] = print) -> None:
    """Print every check and the random comparisons."""
    show(f"{'check':<66}{'kvali':>12}{'oracle':>12}{'difference':>14}")
    for check in checks():
        show(f"{check.name:<66}{check.kvali:>12.6f}{check.oracle:>12.6f}"
             f"{check.difference:>14.2e}")
    for name, worst in random_tables().items():
        show(f"100 random tables, {name}: largest |difference| {worst:.2e}")


if __name__ == "__main__":
    main()
