"""The Danish form → lemma table of spacy-lookups-data, read without spaCy.

spaCy's own loader hashes all 553,000 forms into a `Table` (2-3 s), and even a plain dict from
the JSON takes half a second, which a search or `kvali tag` would pay for a few dozen lookups. So
the table is written once, on first use, to an indexed SQLite copy in the user's cache folder
($XDG_CACHE_HOME/kvali, else ~/.cache/kvali), named after the data file's size and time so a new
spacy-lookups-data makes a new copy; opening it costs a millisecond and a lookup microseconds.
Where no cache can be written, the table is read into memory instead: the same answers, slower.
"""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import tempfile
import threading
from contextlib import suppress
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Protocol

DATA_FILE = "da_lemma_lookup.json.gz"
CACHE_PREFIX = "da_lemma_lookup-"


class Lemmas(Protocol):
    """Membership in the set of every lemma of the table, lower-cased."""

    def __contains__(self, lemma: object) -> bool: ...


class LemmaTable(Protocol):
    """Form → lemma lookups (the form exactly as written) and `lemmas`, the set of lemmas."""

    lemmas: Lemmas

    def get(self, form: str, default: str | None = None) -> str | None: ...

    def __contains__(self, form: object) -> bool: ...


def data_path() -> Path:
    """The gzipped JSON table inside the installed spacy-lookups-data (found, not imported)."""
    spec = find_spec("spacy_lookups_data")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("spacy-lookups-data is not installed (kvali needs its table)")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / DATA_FILE


def read_table() -> dict[str, str]:
    """The whole table as a dict, straight from the package's JSON."""
    with gzip.open(data_path(), "rb") as file:
        return json.loads(file.read())


def cache_dir() -> Path:
    """Where kvali keeps derived data it can always rebuild."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kvali"


class CachedForms:
    """The table's SQLite copy: `forms(form, lemma)` and `lemmas(lemma)`, both keyed, read-only
    and shared by threads (one lock around each lookup)."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro&immutable=1", uri=True,
                                     check_same_thread=False)
        self._lock = threading.Lock()
        self.lemmas: Lemmas = _CachedLemmas(self)
        try:  # a damaged copy fails here, not in the middle of a search
            self._conn.execute("SELECT 1 FROM forms, lemmas LIMIT 1").fetchall()
        except sqlite3.Error:
            self._conn.close()
            raise

    def _one(self, sql: str, key: object) -> tuple | None:
        with self._lock:
            return self._conn.execute(sql, (key,)).fetchone()

    def get(self, form: str, default: str | None = None) -> str | None:
        """The lemma of `form` as written, else `default`."""
        row = self._one("SELECT lemma FROM forms WHERE form = ?", form)
        return default if row is None else row[0]

    def __contains__(self, form: object) -> bool:
        return self._one("SELECT 1 FROM forms WHERE form = ?", form) is not None


class _CachedLemmas:
    def __init__(self, forms: CachedForms) -> None:
        self._forms = forms

    def __contains__(self, lemma: object) -> bool:
        return self._forms._one("SELECT 1 FROM lemmas WHERE lemma = ?", lemma) is not None


class MemoryForms(dict[str, str]):
    """The table in memory, for when no cache can be written."""

    def __init__(self, table: dict[str, str]) -> None:
        super().__init__(table)
        self.lemmas: Lemmas = frozenset(map(str.lower, table.values()))


def _write_cache(path: Path, table: dict[str, str]) -> None:
    """Write the SQLite copy next to `path` and move it into place in one step (another process
    may be writing the same copy; either result is complete), then drop stale copies."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".building-", suffix=".sqlite")
    os.close(handle)
    try:
        conn = sqlite3.connect(temporary)
        with conn:
            conn.execute("CREATE TABLE forms (form TEXT PRIMARY KEY, lemma TEXT NOT NULL) "
                         "WITHOUT ROWID")
            conn.execute("CREATE TABLE lemmas (lemma TEXT PRIMARY KEY) WITHOUT ROWID")
            conn.executemany("INSERT INTO forms VALUES (?, ?)", sorted(table.items()))
            conn.executemany("INSERT INTO lemmas VALUES (?)",
                             ((lemma,) for lemma in sorted(set(map(str.lower, table.values())))))
        conn.close()
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    for stale in path.parent.glob(CACHE_PREFIX + "*.sqlite"):
        if stale != path:
            with suppress(OSError):  # still open in another process, say: left for next time
                stale.unlink()


def cache_path() -> Path:
    """The SQLite copy for the installed data file."""
    source = data_path().stat()
    return cache_dir() / f"{CACHE_PREFIX}{source.st_size}-{source.st_mtime_ns}.sqlite"


@lru_cache(maxsize=1)
def lemma_table() -> LemmaTable:
    """The table (once per process): its SQLite copy, made on first use (again if damaged), or
    the table in memory when the cache folder cannot be written."""
    path = cache_path()
    table: dict[str, str] | None = None
    try:
        if path.is_file():
            with suppress(sqlite3.Error):
                return CachedForms(path)
        table = read_table()
        _write_cache(path, table)
        return CachedForms(path)
    except (OSError, sqlite3.Error):
        return MemoryForms(table if table is not None else read_table())
