"""The agreement measures against published examples, hand-computed continua and independent
implementations (krippendorff, scikit-learn); the checks live in benchmarks/agreement_oracles.py,
which prints the same figures."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from kvali.agreement.measures import (
    Continuum,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    pairable_units,
    percent_agreement,
    tally,
    unitizing,
)

ORACLES = Path(__file__).resolve().parents[1] / "benchmarks" / "agreement_oracles.py"
spec = importlib.util.spec_from_file_location("agreement_oracles", ORACLES)
oracles = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = oracles  # its dataclasses look their module up
spec.loader.exec_module(oracles)


@pytest.mark.parametrize("check", oracles.checks(), ids=lambda check: check.name)
def test_published_and_hand_computed_figures(check) -> None:
    assert abs(check.difference) <= check.tolerance, check


def test_random_tables_match_the_packages() -> None:
    worst = oracles.random_tables(100)
    assert all(value < 1e-9 for value in worst.values()), worst


def test_missing_values_and_undefined_measures() -> None:
    table = tally([(True, True, None), (False, None, None), (True, False, False)])
    assert pairable_units(table) == 2
    assert percent_agreement(table) == 50.0
    assert fleiss_kappa(table) == fleiss_kappa(tally([(True, False, False)]))
    constant = tally([(True, True), (True, True)])
    assert cohen_kappa(constant) is None and krippendorff_alpha(constant) is None
    assert percent_agreement(constant) == 100.0
    assert percent_agreement(tally([(True, None)])) is None
    with pytest.raises(ValueError):
        cohen_kappa(tally([(True, True, False)]))


def test_weights_count_like_repeated_units() -> None:
    rows = [(True, True)] * 3 + [(True, False)] * 2 + [(False, False)] * 5
    weighted = {(True, True): 3, (True, False): 2, (False, False): 5}
    for measure in (percent_agreement, cohen_kappa, fleiss_kappa, krippendorff_alpha):
        assert measure(weighted) == pytest.approx(measure(tally(rows)), abs=1e-12)


def test_alpha_u_gaps_are_never_agreement() -> None:
    """Two coders who coded nothing give no αu (nothing to expect); the length of uncoded text
    around identical units changes nothing observed."""
    assert unitizing([Continuum(50, ((), ()))]).alpha is None
    short = unitizing([Continuum(10, (((0, 4),), ((2, 6),)))])
    long = unitizing([Continuum(10, (((0, 4),), ((2, 6),))), Continuum(90, ((), ()))])
    assert short.observed * 10 ** 2 == pytest.approx(long.observed * 100 ** 2)
