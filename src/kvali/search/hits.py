"""Load the hits of one page: their facts for the citation, and the KWIC from FTS5's highlight().

A hit's facts come from `segment_facts`. The document's own columns (name, kind, question and
its text) are read once per document rather than once per hit, and kept with the scope's
project when there is one (kvali.search.facts): they follow the document's text in its row, and
a survey question's document holds every answer (megabytes), which SQLite steps over page by
page whenever it reads a column behind it (~2 ms a survey document on 5M words).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from kvali.export.citations import ParagraphIndex
from kvali.search.fts import run_match
from kvali.search.kwic import CLOSE, OPEN, make_kwic
from kvali.search.results import Hit

if TYPE_CHECKING:
    from sqlite_utils import Database

    from kvali.search.answers import Answers
    from kvali.search.facts import Scope

DOCUMENT_FIELDS = ("document", "kind", "question", "question_text")
"""The `segment_facts` columns a hit carries that are its document's."""
SEGMENT_FIELDS = ("document_id", "start", "end", "text", "kommune", "case_name", "region",
                  "size_class", "role", "speaker", "respondent", "turn", "time", "page")
"""The other `segment_facts` columns a hit carries."""
_IN_IDS = " FROM segment_facts f WHERE f.segment_id IN (SELECT value FROM json_each(?))"
_SEGMENTS = "SELECT f.segment_id, " + ", ".join(f'f."{name}"' for name in SEGMENT_FIELDS) + _IN_IDS
_DOCUMENTS = "SELECT f.document_id, " + ", ".join(f'f."{n}"' for n in DOCUMENT_FIELDS) + _IN_IDS
# `+rowid` keeps the id list away from FTS5, which would otherwise redo a prefix query per id;
# the range of the ids lets FTS5 skip the matches before and after them.
_HIGHLIGHT = f"""
    SELECT rowid, highlight(segments_fts, 0, '{OPEN}', '{CLOSE}'),
           highlight(segments_fts, 1, '{OPEN}', '{CLOSE}')
    FROM segments_fts
    WHERE segments_fts MATCH ? AND rowid BETWEEN ? AND ?
      AND +rowid IN (SELECT value FROM json_each(?))
"""


def load_hits(db: Database, fts: str, ranked: list[tuple[int, float]],
              scope: Scope | None = None) -> list[Hit]:
    """Citation details and KWIC for ranked segment ids of the FTS5 expression `fts`, in the
    given order; a scope keeps the documents' own facts and the highlighted hits."""
    if not ranked:
        return []
    numbers = [segment_id for segment_id, _ in ranked]
    ids = json.dumps(numbers)
    details = {row[0]: dict(zip(SEGMENT_FIELDS, row[1:], strict=True))
               for row in db.execute(_SEGMENTS, [ids]).fetchall()}
    documents = {} if scope is None or scope.documents is None else scope.documents
    missing = {facts["document_id"]: segment_id for segment_id, facts in details.items()
               if facts["document_id"] not in documents}
    if missing:
        documents.update({row[0]: dict(zip(DOCUMENT_FIELDS, row[1:], strict=True)) for row in
                          db.execute(_DOCUMENTS, [json.dumps(list(missing.values()))])})
    marks = _highlighted(db, fts, numbers, scope.answers if scope is not None else None)
    hits = []
    paragraphs = ParagraphIndex(db)
    for segment_id, score in ranked:
        facts = {**details[segment_id], **documents[details[segment_id]["document_id"]]}
        marked_text, marked_lemmas = marks.get(segment_id, (None, None))
        facts["case"] = facts.pop("case_name")
        hit = Hit(segment_id=segment_id, score=score,
                  kwic=make_kwic(facts["text"], marked_text, marked_lemmas), **facts)
        hit.cite(paragraphs)
        hits.append(hit)
    return hits


def _highlighted(db: Database, fts: str, numbers: list[int],
                 answers: Answers | None) -> dict[int, tuple[str | None, str | None]]:
    """highlight() of the text and lemmas of the hits, from the kept answers where they have
    it; a hit without a match in either (it matched through NOT only) is left out."""
    marks = answers.marks(fts, numbers) if answers is not None else {}
    wanted = [number for number in numbers if number not in marks]
    if wanted:
        found = {row[0]: (row[1], row[2]) for row in run_match(
            db, _HIGHLIGHT, [fts, min(wanted), max(wanted), json.dumps(wanted)])}
        if answers is not None:
            answers.keep_marks(fts, {n: found.get(n, (None, None)) for n in wanted})
        marks.update(found)
    return marks
