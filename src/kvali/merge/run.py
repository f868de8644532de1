"""`merge_project`: bring another analyst's project (a kvali file or a .qdpx) into this one.

Documents are matched by text; what this project lacks is added. The whole merge is one
transaction, so a failure leaves the project as it was; a dry run reads and reports only. One
`events` row records counts and ids.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlite_utils import Database

from kvali.access import require
from kvali.coding.store import log_event
from kvali.errors import UsageError
from kvali.merge.documents import missing_documents, segment, store, stored_texts
from kvali.merge.model import Incoming
from kvali.merge.plan import plan_merge
from kvali.merge.report import MergeReport
from kvali.merge.source import read_other
from kvali.merge.write import write_plan


def merge_project(db: Database, path: str | os.PathLike[str], *, dry_run: bool = False,
                  actor: str = "kvali") -> MergeReport:
    """Merge the project at PATH into DB (see the module docstring); returns the report."""
    require("import")
    require("code")
    incoming = read_other(Path(path))
    report = MergeReport(source=str(path), sha256=incoming.sha256, dry_run=dry_run,
                         skipped=list(incoming.skipped))
    texts = stored_texts(db)
    additions = missing_documents(incoming, texts)
    if dry_run:
        _count_documents(incoming, texts, report)
        missing = (document for addition in additions for document in addition.documents)
        texts.update((document.sha256, -1 - number) for number, document in enumerate(missing))
        plan_merge(db, incoming, _document_map(incoming, texts), report)
        return report
    segment(additions)
    expected = [d.sha256 for addition in additions for d in addition.documents]
    with db.atomic():
        texts = stored_texts(db)
        if [d.sha256 for a in missing_documents(incoming, texts) for d in a.documents] \
                != expected:
            raise UsageError("the project's documents changed meanwhile; try again")
        _count_documents(incoming, texts, report)
        report.documents_added = store(db, additions, texts)
        write_plan(db, plan_merge(db, incoming, _document_map(incoming, texts), report), report)
        log_event(db, actor, "merge", report.event())
    return report


def _count_documents(incoming: Incoming, texts: dict[str, int], report: MergeReport) -> None:
    """How many of the other project's documents this project holds, and how many it lacks."""
    matched = sum(document.sha256 in texts for document in incoming.documents)
    report.documents_matched = matched
    report.documents_to_add = len({d.sha256 for d in incoming.documents if d.sha256 not in texts})


def _document_map(incoming: Incoming, texts: dict[str, int]) -> dict[str, int]:
    """The other project's document refs -> document ids here."""
    return {d.ref: texts[d.sha256] for d in incoming.documents if d.sha256 in texts}
