"""Settling a disagreement: one coder's version of a passage becomes the consensus coding.

The consensus is kept under the coder name "konsensus" (so that it can be compared, exported
and filtered like any coder), each coding with the provenance {"consensus_of": [the compared
coders], "kept": coder, "from_coding": id}. Settling a passage again replaces the consensus
codings of that code overlapping it. Every decision is one `consensus` event carrying ids and
offsets only.
"""

from __future__ import annotations

from sqlite_utils import Database

from kvali.access import require
from kvali.agreement.material import coder_codings, segment_at
from kvali.coding.store import add_manual_coding, log_event, remove_coding, require_code
from kvali.errors import UsageError

CONSENSUS_CODER = "konsensus"


def settle(db: Database, document_id: int, start: int, end: int, code_key: str,
           keep_coder: str, actor: str, compared: tuple[str, ...] = ()) -> list[int]:
    """Keep `keep_coder`'s version of the passage for the code: their codings of it that
    overlap the passage are copied to the consensus coder (none when they did not code it);
    returns the consensus coding ids."""
    require("code")
    require_code(db, code_key)
    if start >= end:
        raise UsageError(f"passage {start}-{end} is empty", danish="Udsnittet er tomt.")
    with db.atomic():
        removed = [c.id for c in coder_codings(db, document_id, start, end, code_key,
                                               CONSENSUS_CODER)]
        for coding_id in removed:
            remove_coding(db, coding_id, actor)
        kept = coder_codings(db, document_id, start, end, code_key, keep_coder)
        provenance = {"consensus_of": sorted(set(compared) | {keep_coder}), "kept": keep_coder}
        written = [add_manual_coding(db, coding.segment_id or segment_at(db, document_id,
                                                                           coding.start),
                                     code_key, CONSENSUS_CODER,
                                     provenance={**provenance, "from_coding": coding.id},
                                     span=(coding.start, coding.end))
                   for coding in kept]
        log_event(db, actor, "consensus", {
            "document": document_id, "start": start, "end": end, "code": code_key,
            "kept": keep_coder, "from": [c.id for c in kept], "codings": written,
            "removed": removed})
    return written
