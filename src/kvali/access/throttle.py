"""A limit on failed log-ins, per user name and per browser session.

After FREE_FAILURES failures under a key, every attempt under that key is refused until a wait
has passed since the last failure; the wait doubles with each further failure (2 s, 4 s, 8 s …
up to LONGEST_WAIT). A successful log-in clears its keys; a key quiet for FORGET_AFTER is
forgotten.

The state lives in the memory of the server process, shared by all its sessions (they are
threads of the one `kvali app` process): an attempt is checked without a database write, a
reader's failed log-in needs no write lock on the project, and nothing about log-in attempts
travels with the project file when it is copied or shared. A restart of the server forgets the
failures; restarting needs access to the machine, which an attacker at the log-in form lacks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

FREE_FAILURES = 3
FIRST_WAIT = 2.0
LONGEST_WAIT = 300.0
FORGET_AFTER = 900.0
MAX_KEYS = 10_000  # a flood of made-up names cannot grow the table without bound


@dataclass
class _Failures:
    count: int
    last: float


class Throttle:
    """Failure counts by key, safe to share between threads."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, _Failures] = {}

    def wait(self, keys: Iterable[str]) -> float:
        """Seconds until an attempt under KEYS is allowed (0 = now)."""
        with self._lock:
            until = max((self._until(self._failures.get(key)) for key in keys), default=0.0)
        return max(0.0, until - self._clock())

    def failed(self, keys: Iterable[str]) -> None:
        """Count a failed attempt under each of KEYS."""
        now = self._clock()
        with self._lock:
            self._forget(now)
            for key in keys:
                entry = self._failures.setdefault(key, _Failures(0, now))
                entry.count += 1
                entry.last = now

    def succeeded(self, keys: Iterable[str]) -> None:
        """Clear KEYS after a successful attempt."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    @staticmethod
    def _until(entry: _Failures | None) -> float:
        if entry is None or entry.count < FREE_FAILURES:
            return 0.0
        return entry.last + min(FIRST_WAIT * 2 ** (entry.count - FREE_FAILURES), LONGEST_WAIT)

    def _forget(self, now: float) -> None:
        for key in [k for k, e in self._failures.items() if now - e.last > FORGET_AFTER]:
            del self._failures[key]
        while len(self._failures) >= MAX_KEYS:
            del self._failures[min(self._failures, key=lambda k: self._failures[k].last)]


LOG_INS = Throttle()
"""The server's one record of failed log-ins."""
