"""Agreement measures as pure functions over reliability data.

Reliability data for the coefficients is a `Table`: a mapping from a *pattern* — one value per
coder, `None` where the coder gave none (did not see the unit) — to how many units show that
pattern (a weight, so that a stretch of 500 characters is one entry). Every function returns
`None` where its measure is undefined (too few values, or no variation to correct for).

αu works on continua instead: each coder's segmentation of a stretch of text into coded
sections and gaps (`Continuum`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, combinations

Pattern = tuple[Hashable | None, ...]
Table = Mapping[Pattern, float]


def tally(rows: Iterable[Sequence[Hashable | None]]) -> Counter[Pattern]:
    """A table from plain rows (one value per coder, None = missing), each of weight 1."""
    return Counter(tuple(row) for row in rows)


def pairable_units(table: Table) -> float:
    """Units with values from at least two coders (the only ones any measure can use)."""
    return sum(w for pattern, w in table.items() if sum(v is not None for v in pattern) >= 2)


def percent_agreement(table: Table) -> float | None:
    """Share (0–100) of the pairable units on which every coder who gave a value agrees."""
    total = agreed = 0.0
    for pattern, weight in table.items():
        values = [v for v in pattern if v is not None]
        if len(values) >= 2:
            total += weight
            agreed += weight * (len(set(values)) == 1)
    return 100 * agreed / total if total else None


def cohen_kappa(table: Table) -> float | None:
    """Cohen's κ for two coders over the units both coded:

    κ = (p_o − p_e) / (1 − p_e), p_o the share of units with equal values,
    p_e = Σ_k p₁(k)·p₂(k) from each coder's own distribution of values.
    """
    if any(len(pattern) != 2 for pattern in table):
        raise ValueError("Cohen's kappa compares exactly two coders")
    pairs = {p: w for p, w in table.items() if None not in p and w}
    total = sum(pairs.values())
    if not total:
        return None
    first: Counter[Hashable] = Counter()
    second: Counter[Hashable] = Counter()
    for (a, b), weight in pairs.items():
        first[a] += weight
        second[b] += weight
    observed = sum(w for (a, b), w in pairs.items() if a == b) / total
    expected = sum(first[k] * second[k] for k in first) / total ** 2
    return None if expected == 1 else (observed - expected) / (1 - expected)


def fleiss_kappa(table: Table) -> float | None:
    """Fleiss' κ (1971) over the units every coder coded (n coders, N units, n_ij coders
    putting unit i in category j):

    P_i = (Σ_j n_ij² − n) / (n(n − 1)), P̄ = mean of P_i, p_j = Σ_i n_ij / (N·n),
    P̄_e = Σ_j p_j², κ = (P̄ − P̄_e) / (1 − P̄_e).

    Defined for any n ≥ 2 (for two coders it is Scott's π); the agreement report shows it
    from three coders on, where Cohen's κ no longer applies.
    """
    complete = {p: w for p, w in table.items() if None not in p and w}
    units = sum(complete.values())
    raters = len(next(iter(complete), ()))
    if not units or raters < 2:
        return None
    agreement = 0.0
    categories: Counter[Hashable] = Counter()
    for pattern, weight in complete.items():
        counts = Counter(pattern)
        agreement += weight * (sum(c * c for c in counts.values()) - raters)
        for value, count in counts.items():
            categories[value] += weight * count
    mean_agreement = agreement / (units * raters * (raters - 1))
    expected = sum((c / (units * raters)) ** 2 for c in categories.values())
    return None if expected == 1 else (mean_agreement - expected) / (1 - expected)


def coincidences(table: Table) -> Counter[tuple[Hashable, Hashable]]:
    """Krippendorff's coincidence matrix: each pairable unit u with m_u values adds
    1 / (m_u − 1) for every ordered pair of values from different coders, so
    o_ck = Σ_u (n_uc·n_uk − [c = k]·n_uc) / (m_u − 1)."""
    matrix: Counter[tuple[Hashable, Hashable]] = Counter()
    for pattern, weight in table.items():
        counts = Counter(v for v in pattern if v is not None)
        present = sum(counts.values())
        if present < 2 or not weight:
            continue
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * n_k - (n_c if c == k else 0)
                if pairs:
                    matrix[c, k] += weight * pairs / (present - 1)
    return matrix


def krippendorff_alpha(table: Table) -> float | None:
    """Krippendorff's α for nominal data, missing values allowed:

    α = 1 − D_o / D_e = 1 − (n − 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k,
    with o_ck the coincidences, n_c = Σ_k o_ck and n = Σ_c n_c the pairable values.
    Units with fewer than two values do not count.
    """
    matrix = coincidences(table)
    margins: Counter[Hashable] = Counter()
    for (c, _k), o in matrix.items():
        margins[c] += o
    n = sum(margins.values())
    expected = sum(margins[c] * margins[k] for c in margins for k in margins if c != k)
    if not expected:
        return None
    observed = sum(o for (c, k), o in matrix.items() if c != k)
    return 1 - (n - 1) * observed / expected


@dataclass(frozen=True)
class Continuum:
    """One stretch of text of `length` characters and, per coder, the coded sections of one
    category in it as sorted, non-overlapping `(start, end)` pairs (the rest are gaps)."""

    length: int
    sections: tuple[tuple[tuple[int, int], ...], ...]


@dataclass(frozen=True)
class Unitizing:
    """αu's observed and expected disagreement for one category (kept apart so that several
    categories can be pooled)."""

    observed: float
    expected: float

    @property
    def alpha(self) -> float | None:
        """αu = 1 − uD_o / uD_e (None when nothing was coded, so nothing can be expected)."""
        return 1 - self.observed / self.expected if self.expected else None


def pooled_alpha_u(parts: Iterable[Unitizing]) -> float | None:
    """αu over several categories: 1 − Σ_c uD_o(c) / Σ_c uD_e(c) (Krippendorff 2004)."""
    parts = list(parts)
    return Unitizing(sum(p.observed for p in parts), sum(p.expected for p in parts)).alpha


def unitizing(continua: Sequence[Continuum]) -> Unitizing:
    """Krippendorff's (1995; Content Analysis 2004, §11.6) αu for one category and m coders
    who each segment every continuum into sections (b, l) of value w = 1 (coded) or 0 (gap).

    uD_o = Σ_i Σ_{j≠i} Σ_g Σ_h δ²(ig, jh) / (m(m − 1)L²), where δ² is
    (b_ig − b_jh)² + (e_ig − e_jh)² for two coded sections that overlap, l_ig² for a coded
    section lying inside the other coder's gap (and l_jh² the other way round), and 0 otherwise
    — two gaps never count as agreement or disagreement.

    uD_e = (2/L) Σ_ig w_ig [(N − 1)(2l³ − 3l² + l)/3 + l² Σ_jh (1 − w_jh)(l_jh − l + 1)[l_jh ≥ l]]
           / (mL(mL − 1) − Σ_ig w_ig l_ig(l_ig − 1)),

    with l = l_ig, N the number of coded sections of all coders and L the total length. Several
    continua (documents) are one continuum laid end to end whose gaps end at every document's
    end; sections are compared only within their own document.
    """
    coders = len(continua[0].sections) if continua else 0
    length = sum(c.length for c in continua)
    coded = [e - s for c in continua for sections in c.sections for s, e in sections]
    gaps = sorted(g for c in continua for sections in c.sections
                  for g in _gap_lengths(c.length, sections))
    above = list(accumulate(reversed(gaps), initial=0))[::-1]  # above[i] = Σ gaps[i:]
    if coders < 2 or not coded or not length:
        return Unitizing(0.0, 0.0)
    disagreement = 0
    for continuum in continua:
        for first, second in combinations(continuum.sections, 2):
            disagreement += 2 * _pair_disagreement(continuum.length, first, second)
    observed = disagreement / (coders * (coders - 1) * length ** 2)
    total = len(coded)
    numerator = 0.0
    for size in coded:
        first = bisect_left(gaps, size)
        fitting = above[first] - (size - 1) * (len(gaps) - first)  # Σ_{g ≥ l} (g − l + 1)
        numerator += (total - 1) * (2 * size ** 3 - 3 * size ** 2 + size) / 3 + size ** 2 * fitting
    denominator = coders * length * (coders * length - 1) - sum(s * (s - 1) for s in coded)
    return Unitizing(observed, 2 / length * numerator / denominator)


def _gap_lengths(length: int, sections: Sequence[tuple[int, int]]) -> list[int]:
    """The lengths of the uncoded stretches between (and around) the sections."""
    gaps, at = [], 0
    for start, end in sections:
        if start > at:
            gaps.append(start - at)
        at = end
    if length > at:
        gaps.append(length - at)
    return gaps


def _with_gaps(length: int, sections: Sequence[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """Every section of a coder's segmentation: (start, end, coded)."""
    result, at = [], 0
    for start, end in sections:
        if start > at:
            result.append((at, start, False))
        result.append((start, end, True))
        at = end
    if length > at:
        result.append((at, length, False))
    return result


def _pair_disagreement(length: int, first: Sequence[tuple[int, int]],
                       second: Sequence[tuple[int, int]]) -> int:
    """Σ_g Σ_h δ²(g, h) between two coders' segmentations of one continuum."""
    total = 0
    others = _with_gaps(length, second)
    low = 0
    for s1, e1, w1 in _with_gaps(length, first):
        while others[low][1] <= s1:
            low += 1
        for s2, e2, w2 in others[low:]:
            if s2 >= e1:
                break
            if w1 and w2:
                total += (s1 - s2) ** 2 + (e1 - e2) ** 2
            elif w1 and s2 <= s1 and e1 <= e2:
                total += (e1 - s1) ** 2
            elif w2 and s1 <= s2 and e2 <= e1:
                total += (e2 - s2) ** 2
    return total
