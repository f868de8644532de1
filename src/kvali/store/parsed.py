"""A stored document as the parsed document it came from: its blocks (survey answers, speaker
turns, or paragraphs with their PDF pages), speakers and respondents.

This is what travels when a document moves to another project (`kvali merge`, the kvali part of
a REFI-QDA export): the receiving project segments the same blocks with the same pipeline and
so stores the same segments, speakers and answers.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator

from sqlite_utils import Database

from kvali.ingest.model import Block, ParsedDocument, Respondent, Speaker
from kvali.ingest.transcript import paragraph_blocks, parse_transcript


def case_names(db: Database) -> dict[int, str]:
    """Case id -> case name."""
    return dict(db.execute("SELECT id, name FROM cases"))


def stored_speakers(db: Database, document_id: int,
                    cases: dict[int, str] | None = None) -> dict[str, Speaker]:
    """The document's speakers as the transcript parser takes them (declared labels), with
    their municipality when `cases` is given."""
    rows = db.execute("SELECT label, name, role, case_id, is_interviewer FROM speakers "
                      "WHERE document_id = ?", [document_id])
    return {label: Speaker(label, name, role, (cases or {}).get(case_id), bool(interviewer))
            for label, name, role, case_id, interviewer in rows}


def keep_pages(db: Database, document_id: int, blocks: list[Block]) -> None:
    """Give each block the PDF page of the stored segment it starts in (or after)."""
    rows = db.execute('SELECT start, page FROM segments WHERE document_id = ? AND page IS NOT '
                      "NULL ORDER BY start", [document_id]).fetchall()
    if not rows:
        return
    starts = [start for start, _ in rows]
    for block in blocks:
        block.page = rows[max(bisect_right(starts, block.start) - 1, 0)][1]


def stored_blocks(db: Database, document_id: int, kind: str, text: str,
                  cases: dict[int, str]) -> tuple[list[Block], dict[str, Speaker]]:
    """The blocks the stored text and kind give: survey answers, turns or paragraphs."""
    if kind == "survey":
        return [Block(start, end, respondent=key) for start, end, key in db.execute(
            'SELECT r.start, r."end", p.key FROM responses r JOIN respondents p '
            "ON p.id = r.respondent_id WHERE r.document_id = ? ORDER BY r.start",
            [document_id])], {}
    if kind == "interview":
        return parse_transcript(text, stored_speakers(db, document_id, cases),
                                known_interview=True)
    blocks = paragraph_blocks(text)
    keep_pages(db, document_id, blocks)
    return blocks, {}


def stored_respondents(db: Database) -> dict[int, dict[str, Respondent]]:
    """Import id -> respondent key -> the respondent with case, closed answers and role."""
    cases = case_names(db)
    attributes: dict[int, dict[str, str]] = defaultdict(dict)
    for respondent_id, key, value in db.execute(
            "SELECT respondent_id, key, value FROM respondent_attributes ORDER BY rowid"):
        attributes[respondent_id][key] = value
    found: dict[int, dict[str, Respondent]] = defaultdict(dict)
    for respondent_id, import_id, key, case_id, role in db.execute(
            "SELECT id, import_id, key, case_id, role FROM respondents ORDER BY id"):
        found[import_id][key] = Respondent(key, cases.get(case_id), attributes[respondent_id],
                                           role)
    return found


def stored_documents(db: Database) -> Iterator[tuple[int, int, ParsedDocument]]:
    """(document id, import id, the document as parsed) for every document, in id order."""
    cases = case_names(db)
    attributes: dict[int, dict[str, str]] = defaultdict(dict)
    for document_id, key, value in db.execute(
            "SELECT document_id, key, value FROM document_attributes"):
        attributes[document_id][key] = value
    for document_id, import_id, name, kind, text, case_id, question, question_text in db.execute(
            "SELECT id, import_id, name, kind, text, case_id, question, question_text "
            "FROM documents ORDER BY id").fetchall():
        blocks, speakers = stored_blocks(db, document_id, kind, text, cases)
        yield document_id, import_id, ParsedDocument(
            name=name, kind=kind, text=text, blocks=blocks, attributes=attributes[document_id],
            case=cases.get(case_id), speakers=speakers, question=question,
            question_text=question_text)
