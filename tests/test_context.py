"""The text around a segment: its neighbours by seq in the same document (and response), cut
short at a word boundary."""

from __future__ import annotations

from pathlib import Path

import pytest

from kvali.errors import UsageError
from kvali.store import open_db
from kvali.views.context import cut_head, cut_tail, segment_context


def _segment(path: Path, document: str, seq: int) -> int:
    db = open_db(path, create=False)
    return db.execute("SELECT s.id FROM segments s JOIN documents d ON d.id = s.document_id "
                      "WHERE d.name LIKE ? AND s.seq = ?", [f"{document}%", seq]).fetchone()[0]


def test_a_segment_comes_with_the_segments_before_and_after_it(project: Path) -> None:
    db = open_db(project, create=False)
    context = segment_context(db, _segment(project, "Gruppeinterview", 1))
    assert context.before == "Hvordan inddrager I netværket?"
    assert context.text == "Vi holder netværksmøder med de pårørende hver måned."
    assert context.after == "De frivillige foreninger hjælper os meget."
    text = db.execute("SELECT text FROM documents WHERE name LIKE 'Gruppeinterview%'"
                      ).fetchone()[0]
    assert text[context.start:context.start + len(context.text)] == context.text


def test_the_first_and_last_segments_have_context_on_one_side(project: Path) -> None:
    db = open_db(project, create=False)
    first = segment_context(db, _segment(project, "Gruppeinterview", 0))
    last = segment_context(db, _segment(project, "Gruppeinterview", 4))
    assert first.before == "" and first.after.startswith("Vi holder")
    assert last.after == "" and last.before.startswith("Vi søger § 18")


def test_another_respondents_answer_is_not_context(project: Path) -> None:
    context = segment_context(open_db(project, create=False), _segment(project, "survey", 1))
    assert context.text.startswith("Samarbejdet med de pårørende")
    assert (context.before, context.after) == ("", "")


def test_long_neighbours_are_cut_at_a_word_next_to_the_segment(project: Path) -> None:
    context = segment_context(open_db(project, create=False),
                              _segment(project, "Gruppeinterview", 2), limit=20)
    assert context.before == "…hver måned."
    assert context.after == "Vi søger § 18-midler…"


def test_cutting_keeps_whole_words_and_marks_the_cut() -> None:
    text = "Vi holder netværksmøder med de pårørende hver måned."
    assert cut_head(text, 20) == "Vi holder…"
    assert cut_tail(text, 20) == "…hver måned."
    assert cut_head("De frivillige foreninger hjælper os meget.", 24) == "De frivillige foreninger…"
    assert cut_head(text, len(text)) == cut_tail(text, len(text)) == text
    assert cut_head("a" * 50, 10) == "a" * 10 + "…"
    assert cut_tail("a" * 50, 10) == "…" + "a" * 10
    assert cut_tail("linje\nto tre", 7) == "…to tre"


def test_a_missing_segment_is_a_user_error(project: Path) -> None:
    with pytest.raises(UsageError) as error:
        segment_context(open_db(project, create=False), 9999)
    assert error.value.danish == "Segment 9999 findes ikke (længere)."
