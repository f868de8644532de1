"""Forslag: the card (context, marks, escaping, the reader link), and accept, reject, skip and
bulk decisions, each checked in the database."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from urllib.parse import parse_qs

from streamlit.testing.v1 import AppTest
from test_ui_support import no_failures, page_test, toasts

from kvali.selection import Selection
from kvali.store import open_db
from kvali.ui.render import md
from kvali.views.suggestions import count_suggestions, suggestion_queue

K = "kvali.review."
# Forslag as the app runs it: in a navigation that has the Dokumenter reader to link to.
WITH_READER = """
import streamlit as st
from kvali.ui.navigation import remember
from kvali.ui.pages.suggestions import suggestions_page
from kvali.ui.state import init_session, sidebar
init_session()
pages = [st.Page(suggestions_page, title="Forslag", url_path="forslag", default=True),
         st.Page(lambda: None, title="Dokumenter", url_path="dokumenter")]
page = st.navigation(pages)
remember(pages)
sidebar()
page.run()
"""


def _first_pending(path: Path) -> int:
    db = open_db(path, create=False)
    return db.execute("SELECT min(id) FROM codings WHERE status = 'suggested'").fetchone()[0]


def _status(path: Path, coding_id: int) -> tuple[str, str]:
    db = open_db(path, create=False)
    return db.execute("SELECT status, coder FROM codings WHERE id = ?", [coding_id]).fetchone()


def test_the_current_suggestion_shows_rule_and_matched_words(project: Path) -> None:
    at = page_test("suggestions")
    no_failures(at)
    first = suggestion_queue(open_db(project, create=False), Selection(), limit=1)[0]
    body = "".join(h.proto.body for h in at.get("html"))
    assert f"<b>{first.code_name}</b>" in body
    for word in first.matched_words():
        assert f">{word}</span>" in body
    assert any(f"Regel: {md(first.rule)}" in c.value for c in at.caption)


def _html(at: AppTest) -> str:
    return "".join(h.proto.body for h in at.get("html"))


def _context(body: str) -> list[str]:
    """The muted neighbours shown around the suggestion, as HTML."""
    return re.findall(r'<div class="kv-context"[^>]*>(.*?)</div>', body)


def test_the_card_shows_the_span_marked_between_its_neighbouring_segments(
        project: Path) -> None:
    at = page_test("suggestions")
    no_failures(at)
    first = suggestion_queue(open_db(project, create=False), Selection(), limit=1)[0]
    assert first.text == "Vi holder netværksmøder med de pårørende hver måned."
    body = _html(at)
    before, after = "Hvordan inddrager I netværket?", "De frivillige foreninger hjælper os meget."
    assert _context(body) == [before, after]
    assert body.index(before) < body.index('class="kv-span"') < body.index(after)
    span = re.search(r'<div class="kv-span"[^>]*>(.*?)</div>', body).group(1)
    pieces = re.findall(r'<span class="kv-hl"[^>]*style="([^"]*)">([^<]*)</span>', span)
    assert "".join(text for _, text in pieces) == first.text
    dashed = f"background:repeating-linear-gradient(90deg,{first.color}"
    assert all(style.startswith(dashed) for style, _ in pieces)
    marked = [text for style, text in pieces if f"linear-gradient({first.color}" in style]
    assert marked == first.matched_words()


def test_hostile_text_around_the_suggestion_stays_escaped(project: Path) -> None:
    db = open_db(project, create=False)
    document_id = db.execute("SELECT id FROM documents WHERE name LIKE 'Interview med%'"
                             ).fetchone()[0]
    at = page_test("suggestions")
    at.selectbox(key=K + "document").set_value(document_id).run()
    no_failures(at)
    image = escape('Og et billede <img src=x onerror="window.__xss=2"> ved siden af.')
    script = _html(at)
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in script
    assert _context(script) == [escape("Hvad står der i jeres notater?"), image]
    at.button(key=K + "skip").click().run()
    link = _html(at)
    assert _context(link) == [image]
    assert "[vores side](javascript:alert(1)) og **fed tekst**" in link
    for body in (script, link):
        assert "<script" not in body and "<img" not in body


def test_the_card_links_to_the_span_in_the_reader(project: Path) -> None:
    at = AppTest.from_string(WITH_READER, default_timeout=60)
    at.session_state["kvali.coder"] = "mette"
    at.run()
    no_failures(at)
    first = suggestion_queue(open_db(project, create=False), Selection(), limit=1)[0]
    [link] = at.page_link
    assert (link.value, link.proto.page) == ("Åbn i læseren", "dokumenter")
    assert parse_qs(link.proto.query_string) == {
        "dokument": [str(first.document_id)], "fra": [str(first.start)],
        "til": [str(first.end)], "koder": ["mette"]}
    at.button(key=K + "skip").click().run()
    second = suggestion_queue(open_db(project, create=False), Selection(), limit=1,
                              exclude=[first.id])[0]
    assert parse_qs(at.page_link[0].proto.query_string)["fra"] == [str(second.start)]


def test_accept_then_reject_move_through_the_queue(project: Path) -> None:
    at = page_test("suggestions")
    first = _first_pending(project)
    at.button(key=K + "accept").click().run()
    no_failures(at)
    assert _status(project, first) == ("accepted", "mette")
    assert toasts(at) == ["Forslaget er accepteret."]
    second = _first_pending(project)
    assert second != first
    at.button(key=K + "reject").click().run()
    assert _status(project, second) == ("rejected", "mette")
    assert toasts(at) == ["Forslaget er afvist."]


def test_skip_leaves_the_suggestion_pending(project: Path) -> None:
    at = page_test("suggestions")
    first = _first_pending(project)
    at.button(key=K + "skip").click().run()
    no_failures(at)
    assert _status(project, first) == ("suggested", "kvali")
    assert at.session_state[K + "skipped"] == [first]
    at.button(key=K + "accept").click().run()
    assert _status(project, first) == ("suggested", "kvali")
    assert _first_pending(project) == first


def test_bulk_accept_per_rule_and_reject_per_code(project: Path) -> None:
    db = open_db(project, create=False)
    at = page_test("suggestions")
    assert K + "group" not in [w.key for w in at.selectbox]
    at.session_state[K + "bulk_open"] = True
    at.run()
    rule = "keyword:frivillig; keyword:forening"
    before = db.execute("SELECT count(*) FROM codings WHERE rule = ?", [rule]).fetchone()[0]
    assert before >= 2
    at.selectbox(key=K + "group").set_value(("civil", rule))
    at.button(key=K + "accept_rule").click().run()
    no_failures(at)
    assert db.execute("SELECT status, coder, count(*) FROM codings WHERE rule = ? "
                      "GROUP BY status", [rule]).fetchall() == [("accepted", "mette", before)]
    assert toasts(at) == [f"{before} forslag er accepteret."]
    assert db.execute("SELECT count(*) FROM codings WHERE code_key = 'civil' AND status = "
                      "'suggested'").fetchone()[0] > 0
    at.selectbox(key=K + "bulk_code").set_value("netvaerk")
    at.button(key=K + "reject_code").click().run()
    no_failures(at)
    assert db.execute("SELECT DISTINCT status FROM codings WHERE code_key = 'netvaerk'"
                      ).fetchall() == [("rejected",)]
    assert count_suggestions(db, Selection(code=("civil",))) == db.execute(
        "SELECT count(*) FROM codings WHERE code_key = 'civil' AND status = 'suggested'"
    ).fetchone()[0]


def test_filters_by_code_municipality_and_document(project: Path) -> None:
    db = open_db(project, create=False)
    at = page_test("suggestions")
    at.selectbox(key=K + "code").set_value("paragraf18").run()
    no_failures(at)
    assert at.caption[0].value.startswith("2 forslag venter")
    at.selectbox(key=K + "code").set_value("Alle")
    at.selectbox(key=K + "municipality").set_value("Odense").run()
    expected = count_suggestions(db, Selection(kommune=("Odense",)))
    assert expected > 0 and at.caption[0].value.startswith(f"{expected} forslag venter")
    at.button(key=K + "accept").click().run()
    municipality = db.execute(
        "SELECT c.name FROM codings k JOIN segments s ON s.id = k.segment_id "
        "JOIN cases c ON c.id = s.case_id WHERE k.status = 'accepted'").fetchall()
    assert municipality == [("Odense",)]
    document_id = db.execute("SELECT id FROM documents WHERE name LIKE 'survey%'").fetchone()[0]
    assert count_suggestions(db, Selection(document=(str(document_id),))) == db.execute(
        "SELECT count(*) FROM codings WHERE document_id = ? AND status = 'suggested'",
        [document_id]).fetchone()[0]


def test_an_empty_queue_says_so(project: Path) -> None:
    db = open_db(project, create=False)
    db.execute("UPDATE codings SET status = 'accepted'")
    at = page_test("suggestions")
    no_failures(at)
    assert at.success[0].value == "Ingen forslag venter under disse filtre."
