"""What an agreement report compares, read from the project (the package's only queries).

The selection picks segments (`segment_facts`); its code field names the codes to compare (with
their sub-codes) instead of narrowing the segments. A coder has *seen* a document when they
made at least one human coding in it or marked it done (`coder_documents.done_at`); only
documents every chosen coder has seen count, unless `all_documents` is set, in which case a
coder's values in a document they have not seen are missing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from sqlite_utils import Database

from kvali.domain import HUMAN_STATUSES
from kvali.errors import UsageError, shorten
from kvali.selection import Selection, code_subtree, compile_selection, marks


@dataclass(frozen=True)
class Coding:
    """One human coding of a compared code by a compared coder."""

    id: int
    document_id: int
    segment_id: int | None
    start: int
    end: int
    code_key: str
    coder: str


@dataclass(frozen=True)
class Segment:
    """One selected segment: a unit of `--unit segment`, and the stretch of text `char` uses."""

    id: int
    document_id: int
    start: int
    end: int


@dataclass(frozen=True)
class Material:
    """The documents, segments and codings an agreement report is computed from."""

    coders: tuple[str, ...]
    codes: tuple[str, ...]
    document_ids: tuple[int, ...]
    left_out: tuple[int, ...]
    """Documents of the selection left out because not every coder has seen them."""
    seen: dict[int, frozenset[str]]
    segments: tuple[Segment, ...]
    codings: tuple[Coding, ...]


HUMAN = list(HUMAN_STATUSES)
ALL = Selection()
"""The whole project."""


def load_material(db: Database, coders: tuple[str, ...], selection: Selection = ALL,
                  *, all_documents: bool = False) -> Material:
    """Read what the coders did in the selection's documents."""
    coders = tuple(dict.fromkeys(c.strip() for c in coders if c.strip()))
    if len(coders) < 2:
        raise UsageError("--coders: name at least two coders to compare", field="coders",
                         danish="Vælg mindst to kodere at sammenligne.")
    _known_coders(db, coders)
    codes = code_subtree(db, selection.code, "code") if selection.code else None
    where = compile_selection(db, replace(selection, code=(), coder=(), status=()), "segments")
    in_selection = [row[0] for row in db.execute(
        f"SELECT DISTINCT f.document_id FROM segment_facts f WHERE 1 = 1{where.clause()} "
        "ORDER BY f.document_id", where.params)]
    seen = _seen(db, coders, in_selection)
    included = tuple(d for d in in_selection
                     if all_documents or len(seen.get(d, ())) == len(coders))
    kept = set(included)
    segments = [Segment(*row) for row in db.execute(  # only the compared documents' segments
        f'SELECT f.segment_id, f.document_id, f.start, f."end" FROM segment_facts f '
        f"WHERE f.document_id IN (SELECT value FROM json_each(?)){where.clause()} "
        "ORDER BY f.document_id, f.start", [json.dumps(included), *where.params])]
    codings = tuple(_codings(db, coders, codes, included))
    if codes is None:
        used = {c.code_key for c in codings}
        codes = [key for (key,) in db.execute("SELECT key FROM codes ORDER BY position, key")
                 if key in used]
    return Material(coders=coders, codes=tuple(codes), document_ids=included,
                    left_out=tuple(d for d in in_selection if d not in kept),
                    seen={d: seen.get(d, frozenset()) for d in included},
                    segments=tuple(segments),
                    codings=codings)


def document_names(db: Database, document_ids: tuple[int, ...] | list[int]) -> dict[int, str]:
    """The names of the documents."""
    return dict(db.execute(f"SELECT id, name FROM documents WHERE id IN ({marks(document_ids)})",
                           list(document_ids))) if document_ids else {}


def project_coders(db: Database) -> list[str]:
    """Everyone who has made a human coding or has documents assigned or done."""
    return [row[0] for row in db.execute(
        f"SELECT coder FROM codings WHERE status IN ({marks(HUMAN)}) "
        "UNION SELECT coder FROM coder_documents ORDER BY 1", HUMAN)]


def coder_codings(db: Database, document_id: int, start: int, end: int, code_key: str,
                  coder: str) -> list[Coding]:
    """A coder's human codings of a code that overlap a passage."""
    return [Coding(*row) for row in db.execute(
        'SELECT id, document_id, segment_id, start, "end", code_key, coder FROM codings '
        f'WHERE document_id = ? AND code_key = ? AND coder = ? AND start < ? AND "end" > ? '
        f"AND status IN ({marks(HUMAN)}) ORDER BY start, id",
        [document_id, code_key, coder, end, start, *HUMAN])]


def segment_at(db: Database, document_id: int, offset: int) -> int:
    """The segment holding (or, between segments, following) a document offset."""
    row = db.execute('SELECT id FROM segments WHERE document_id = ? AND "end" > ? '
                     "ORDER BY start LIMIT 1", [document_id, offset]).fetchone()
    if row is None:
        raise UsageError(f"document {document_id} has no segment at {offset}",
                         danish="Dokumentet har ingen tekst dér.")
    return row[0]


def consensus_decisions(db: Database) -> dict[tuple[int, int, int, str], str]:
    """The latest consensus decision per passage: (document, start, end, code) → kept coder."""
    decisions = {}
    for document, start, end, code, kept in db.execute(
            "SELECT json_extract(payload, '$.document'), json_extract(payload, '$.start'), "
            "json_extract(payload, '$.end'), json_extract(payload, '$.code'), "
            "json_extract(payload, '$.kept') FROM events WHERE action = 'consensus' "
            "ORDER BY id"):
        decisions[document, start, end, code] = kept
    return decisions


def _known_coders(db: Database, coders: tuple[str, ...]) -> None:
    known = set(project_coders(db))
    for coder in coders:
        if coder not in known:
            raise UsageError(f"--coders: {shorten(coder)!r} has no codings in this project",
                             field="coders", value=coder,
                             danish=f"»{shorten(coder)}« har ingen kodninger i projektet.")


def _seen(db: Database, coders: tuple[str, ...], documents: list[int]
          ) -> dict[int, frozenset[str]]:
    wanted = set(documents)
    rows = db.execute(
        f"SELECT DISTINCT document_id, coder FROM codings WHERE coder IN ({marks(coders)}) "
        f"AND status IN ({marks(HUMAN)}) UNION SELECT document_id, coder FROM coder_documents "
        f"WHERE done_at IS NOT NULL AND coder IN ({marks(coders)})",
        [*coders, *HUMAN, *coders])
    seen: dict[int, set[str]] = {}
    for document_id, coder in rows:
        if document_id in wanted:
            seen.setdefault(document_id, set()).add(coder)
    return {d: frozenset(c) for d, c in seen.items()}


def _codings(db: Database, coders: tuple[str, ...], codes: list[str] | None,
             documents: tuple[int, ...]) -> list[Coding]:
    if not documents:
        return []
    code_filter = f" AND code_key IN ({marks(codes)})" if codes is not None else ""
    return [Coding(*row) for row in db.execute(
        'SELECT id, document_id, segment_id, start, "end", code_key, coder FROM codings '
        f"WHERE coder IN ({marks(coders)}) AND status IN ({marks(HUMAN)}){code_filter} "
        "AND document_id IN (SELECT value FROM json_each(?)) "
        'ORDER BY document_id, code_key, start, "end", id',
        [*coders, *HUMAN, *(codes or []), json.dumps(documents)])]
