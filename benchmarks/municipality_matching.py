"""Municipality matching speed: 100k survey-row calls, cached and uncached.

Survey exports repeat a few hundred spellings over many rows, so the realistic case hits the
cache. The worst case makes every call a distinct, uncached string that needs the fuzzy step.

    python benchmarks/municipality_matching.py [--calls 100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from kvali.municipalities import MUNICIPALITIES, match_municipality


def survey_column(calls: int, rng: random.Random) -> list[str]:
    """`calls` answers to "Hvilken kommune?" in the spellings analysts meet."""
    spellings = [
        form
        for m in MUNICIPALITIES
        for form in (m.name, f"{m.name} Kommune", m.name.upper(), m.name.replace("-", " "))
    ]
    spellings += ["Kbh.", "Århus", "Åbenrå", "Region Midtjylland", "Andet", ""]
    return [rng.choice(spellings) for _ in range(calls)]


def distinct_typos(calls: int, rng: random.Random) -> list[str]:
    """`calls` distinct strings: one letter dropped from a name plus a unique numeric tag."""
    typos = []
    for i in range(calls):
        name = rng.choice(MUNICIPALITIES).name
        cut = rng.randrange(len(name))
        typos.append(f"{name[:cut]}{name[cut + 1 :]} {i}")
    return typos


def seconds(run: Callable[[], None], runs: int) -> float:
    """Median wall time of `run` over `runs` runs, clearing the match cache before each."""
    times = []
    for _ in range(runs):
        match_municipality.cache_clear()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Print median seconds and calls per second for both workloads."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(20200101)
    workloads = {
        "survey column (repeated spellings)": survey_column(args.calls, rng),
        "distinct typos (all uncached, fuzzy)": distinct_typos(args.calls, rng),
    }
    for label, values in workloads.items():
        median = seconds(lambda values=values: [match_municipality(v) for v in values], args.runs)
        print(f"{label}: {args.calls} calls, median {median:.3f} s, {args.calls / median:,.0f}/s")


if __name__ == "__main__":
    main()
