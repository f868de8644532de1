"""Work on many small objects at once without the cyclic garbage collector.

A theme summary of a large project holds hundreds of thousands of small tuples (a record per
coding, a rank per passage) until it is done. None of them is garbage while it runs, yet each
allocation counts towards the next collection, and the oldest generation's collections walk
all of them again and again: about a third of the summary's time on a 5M-word project.
`collector_paused` switches the collector off for such a block and back on after it (if it was
on), so nothing is lost: whatever cycles the block left are collected then.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
