"""The review queue: pending auto-suggestions with their rule, matched words and context.

Every function takes `coder`, a blind coder's name: their queue also holds the suggestions that
other coders decided and they have not (`kvali.coders.blind`), and never says how others
decided them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlite_utils import Database

from kvali.analysis.kept import kept_counts, needs_facts
from kvali.coders.blind import QUEUE_STATUSES, undecided_by
from kvali.selection import Selection, Where, compile_selection, marks

MAX_EXCLUDED = 2000


@dataclass(frozen=True)
class Suggestion:
    """One pending suggestion and where it was found."""

    id: int
    code_key: str
    code_name: str
    color: str
    rule: str
    score: float | None
    matched: tuple[tuple[int, int], ...]  # document offsets of the words that matched
    start: int
    end: int
    segment_id: int
    text: str  # the segment's text; `start` is its offset in the document
    document_id: int
    document: str
    speaker: str | None
    role: str | None
    municipality: str | None
    region: str | None
    time: str | None

    def matched_words(self) -> list[str]:
        """The matched words as they are written in the segment."""
        return [self.text[s - self.start:e - self.start] for s, e in self.matched]


def _where(db: Database, selection: Selection, code_key: str | None, rule: str | None,
           exclude: Iterable[int] = (), coder: str | None = None) -> Where:
    """Pending auto suggestions in the selection (of exactly `code_key` and `rule`, if given;
    those blind `coder` has yet to decide, if given), as conditions over `coding_facts f`."""
    statuses = QUEUE_STATUSES if coder is not None else ("suggested",)
    where = compile_selection(db, replace(selection, status=statuses), "codings")
    if coder is not None:
        where.add(*undecided_by("f", coder))
    where.add("f.origin = 'auto'")
    where.add("f.segment_id IS NOT NULL")
    if code_key:
        where.add("f.code_key = ?", [code_key])
    if rule:
        where.add("f.rule = ?", [rule])
    skipped = list(exclude)[:MAX_EXCLUDED]
    if skipped:
        where.add(f"f.coding_id NOT IN ({marks(skipped)})", skipped)
    return where


def suggestion_queue(db: Database, selection: Selection, *, limit: int = 20,
                     exclude: Iterable[int] = (), coder: str | None = None) -> list[Suggestion]:
    """The next pending suggestions in document order (oldest coding id first)."""
    where = _where(db, selection, None, None, exclude, coder)
    rows = db.execute(
        "SELECT f.coding_id AS id, f.code_key, k.name AS code_name, k.color, f.rule, f.score, "
        'f.matched, f.start, f."end", f.segment_id, s.text, f.document_id, f.document, '
        "f.speaker, f.role, f.case_name AS municipality, f.region, f.time "
        "FROM coding_facts f JOIN codes k ON k.key = f.code_key "
        f"JOIN segments s ON s.id = f.segment_id{where.clause('WHERE')} "
        "ORDER BY f.coding_id LIMIT ?", [*where.params, limit])
    names = [column[0] for column in rows.description]
    return [_suggestion(dict(zip(names, row, strict=True))) for row in rows.fetchall()]


def _suggestion(values: dict) -> Suggestion:
    values["rule"] = values["rule"] or ""
    values["matched"] = tuple(tuple(pair) for pair in json.loads(values["matched"])) \
        if values["matched"] else ()
    return Suggestion(**values)


def count_suggestions(db: Database, selection: Selection, *, coder: str | None = None) -> int:
    """How many suggestions are pending in the selection."""
    if coder is None:  # the groups' sum: the page shows both, one count serves them
        return sum(_kept(db, selection, ("code_key", "rule")).values())
    where = _where(db, selection, None, None, coder=coder)
    return db.execute(f"SELECT count(*) FROM coding_facts f{where.clause('WHERE')}",
                      where.params).fetchone()[0]


def _kept(db: Database, selection: Selection, columns: tuple[str, ...]) -> dict[tuple, int]:
    """Pending suggestions in the selection per value of COLUMNS, kept up to date (a blind
    coder's queue also depends on their own codings elsewhere, so it is always counted)."""
    return kept_counts(db, ("suggestions", selection, columns), columns,
                       lambda db: _where(db, selection, None, None),
                       facts=needs_facts(selection))


def suggestion_groups(db: Database, selection: Selection, *,
                      coder: str | None = None) -> list[dict]:
    """Pending suggestions per code and rule, largest group first (for bulk decisions)."""
    if coder is None:
        names = dict(db.execute("SELECT key, name FROM codes").fetchall())
        groups = sorted(_kept(db, selection, ("code_key", "rule")).items(),
                        key=lambda item: (-item[1], item[0][0], item[0][1] is not None,
                                          item[0][1] or ""))
        return [{"code": key, "name": names[key], "rule": rule or "", "count": count}
                for (key, rule), count in groups if key in names]
    where = _where(db, selection, None, None, coder=coder)
    return [{"code": key, "name": name, "rule": rule or "", "count": count}
            for key, name, rule, count in db.execute(
                "SELECT f.code_key, k.name, f.rule, count(*) FROM coding_facts f "
                f"JOIN codes k ON k.key = f.code_key{where.clause('WHERE')} "
                "GROUP BY f.code_key, f.rule ORDER BY count(*) DESC, f.code_key, f.rule",
                where.params)]


def suggestion_ids(db: Database, selection: Selection, *, code_key: str | None = None,
                   rule: str | None = None, coder: str | None = None) -> list[int]:
    """The ids of every pending suggestion in the selection, of exactly `code_key` and `rule`
    when given (for bulk accept/reject)."""
    where = _where(db, selection, code_key, rule, coder=coder)
    return [row[0] for row in db.execute(
        f"SELECT f.coding_id FROM coding_facts f{where.clause('WHERE')} ORDER BY f.coding_id",
        where.params)]


def suggestion_documents(db: Database, *, coder: str | None = None) -> list[tuple[int, str, int]]:
    """(document id, name, pending suggestions) for documents that have any."""
    if coder is None:
        names = dict(db.execute("SELECT id, name FROM documents").fetchall())
        return sorted(((document, names[document], count) for (document,), count
                       in _kept(db, Selection(), ("document_id",)).items()),
                      key=lambda row: (row[1], row[0]))
    where = _where(db, Selection(), None, None, coder=coder)
    return db.execute(
        f"SELECT f.document_id, f.document, count(*) FROM coding_facts f{where.clause('WHERE')}"
        " GROUP BY f.document_id ORDER BY f.document", where.params).fetchall()
