"""Decide, reading only, what a merge adds to this project and what it lists as conflicts.

- Codes: a key this project lacks is added; a key it has under another name or parent is a
  conflict, and this project's codebook stays as it is (codings still merge under the key).
- Codings: one is already here when document, span, code and coder agree and both stand behind
  the code (manual or accepted) or both rejected it: it is skipped, a key quote or a memo it
  has and this one lacks is carried. The same coder name deciding the other way is a conflict.
- Memos: a coder's memo on the project, a document or a code is added when that coder has none
  there; a different text is a conflict. A coding's memo is carried with its coding.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlite_utils import Database

from kvali.codebook.model import Code
from kvali.domain import decision
from kvali.merge.model import Incoming, IncomingCoding, IncomingMemo
from kvali.merge.report import Conflict, MergeReport
from kvali.store.reimport import CARRIED_STATUSES

Identity = tuple[int, int, int, str, str]  # document, start, end, code, coder


@dataclass
class Here:
    """A human coding this project already holds."""

    id: int
    status: str
    memo: str | None
    key_quote: bool


@dataclass
class Plan:
    """What to write; `documents` maps the other project's document refs to ids here."""

    documents: dict[str, int]
    codes: list[Code] = field(default_factory=list)
    codings: list[tuple[int, IncomingCoding]] = field(default_factory=list)  # (document, coding)
    coding_memos: list[tuple[int, str]] = field(default_factory=list)  # (coding id, memo)
    key_quotes: list[int] = field(default_factory=list)
    memos: list[IncomingMemo] = field(default_factory=list)  # targets resolved


def plan_merge(db: Database, incoming: Incoming, documents: dict[str, int],
               report: MergeReport) -> Plan:
    """The writes a merge needs; counts and conflicts go to REPORT."""
    plan = Plan(documents)
    _plan_codes(db, incoming, plan, report)
    _plan_codings(db, incoming, plan, report)
    _plan_memos(db, incoming, plan, report)
    return plan


def _plan_codes(db: Database, incoming: Incoming, plan: Plan, report: MergeReport) -> None:
    here = {key: (name, parent) for key, name, parent in db.execute(
        "SELECT key, name, parent_key FROM codes")}
    for code in incoming.codes:
        if code.key not in here:
            plan.codes.append(code)
            report.codes_added.append(code.key)
            here[code.key] = (code.name, code.parent_key)
        elif here[code.key] != (code.name, code.parent_key):
            name, parent = here[code.key]
            report.conflicts.append(Conflict("code", (
                f"code {code.key}: {_named(name, parent)} here, "
                f"{_named(code.name, code.parent_key)} in {incoming.source}; kept this "
                "project's codebook")))


def _named(name: str, parent: str | None) -> str:
    return f"{name!r} under {parent}" if parent else f"{name!r} at the top"


def _plan_codings(db: Database, incoming: Incoming, plan: Plan, report: MergeReport) -> None:
    here = _codings_here(db)
    for coding in incoming.codings:
        document_id = plan.documents.get(coding.document)
        if document_id is None:
            continue
        identity = (document_id, coding.start, coding.end, coding.code_key, coding.coder)
        same = [h for h in here[identity] if decision(h.status) == decision(coding.status)]
        if same:
            report.codings_skipped += 1
            _carry_notes(same[0], coding, plan, report, incoming.source)
        elif here[identity]:
            other = here[identity][0]
            report.conflicts.append(Conflict("decision", (
                f"document {document_id} {coding.start}-{coding.end} code {coding.code_key}, "
                f"coder {coding.coder}: {other.status} here, {coding.status} in "
                f"{incoming.source}")))
        else:
            plan.codings.append((document_id, coding))
            report.codings_to_add += 1
            report.memos_added += bool(coding.memo)
            here[identity].append(Here(0, coding.status, coding.memo, coding.key_quote))


def _codings_here(db: Database) -> dict[Identity, list[Here]]:
    found: dict[Identity, list[Here]] = defaultdict(list)
    marks = ", ".join("?" * len(CARRIED_STATUSES))
    for row in db.execute(
            f'SELECT id, document_id, start, "end", code_key, coder, status, memo, key_quote '
            f"FROM codings WHERE status IN ({marks})", list(CARRIED_STATUSES)):
        found[tuple(row[1:6])].append(Here(row[0], row[6], row[7], bool(row[8])))
    return found


def _carry_notes(here: Here, coding: IncomingCoding, plan: Plan, report: MergeReport,
                 source: str) -> None:
    """A key quote or memo the other project's copy of a coding has and this one lacks."""
    if coding.key_quote and not here.key_quote and here.id:
        plan.key_quotes.append(here.id)
        here.key_quote = True
        report.key_quotes_added += 1
    if not coding.memo or coding.memo == here.memo or not here.id:
        return
    if here.memo:
        report.conflicts.append(Conflict("memo", (
            f"coding {here.id} ({coding.code_key}, coder {coding.coder}): its memo differs in "
            f"{source}; kept this project's")))
        return
    plan.coding_memos.append((here.id, coding.memo))
    here.memo = coding.memo
    report.memos_added += 1


def _plan_memos(db: Database, incoming: Incoming, plan: Plan, report: MergeReport) -> None:
    here = {(t, target, coder): text for t, target, coder, text in db.execute(
        "SELECT target_type, target, coder, text FROM memos")}
    for memo in incoming.memos:
        target = memo.target
        if memo.target_type == "document":
            if memo.target not in plan.documents:
                continue
            target = str(plan.documents[memo.target])
        where = (memo.target_type, target, memo.coder)
        if where not in here:
            plan.memos.append(IncomingMemo(memo.target_type, target, memo.coder, memo.text))
            here[where] = memo.text
            report.memos_added += 1
        elif here[where] != memo.text:
            report.conflicts.append(Conflict("memo", (
                f"memo on {memo.target_type} {target} by {memo.coder} differs in "
                f"{incoming.source}; kept this project's")))
