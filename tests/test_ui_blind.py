"""Double coding in the app: blind mode on Dokumenter (reader, panel, list counts) and Forslag
(each coder's own decision), the done button, assignments with "Mine dokumenter", and the
Overblik table per coder, each checked against the database."""

from __future__ import annotations

import json
from pathlib import Path

from test_ui_support import no_failures, page_test, reader_payload, toasts

from kvali.coders.blind import is_blind, set_blind
from kvali.coders.work import coder_progress, document_coders, is_done, set_assigned
from kvali.coding.store import add_manual_coding, decide
from kvali.store import open_db

K = "kvali.docs."
NETWORK = "Gruppeinterview om netværk"


def _db(path: Path):
    return open_db(path, create=False)


def _document(path: Path, name: str = NETWORK) -> int:
    return _db(path).execute("SELECT id FROM documents WHERE name = ?", [name]).fetchone()[0]


def _two_coders(path: Path) -> tuple[int, str]:
    """anna codes segment 1 and accepts the network document's first suggestion, bo codes
    segment 2; returns (the accepted suggestion, its code's name)."""
    db = _db(path)
    document_id = _document(path)
    first, second = [row[0] for row in db.execute(
        "SELECT id FROM segments WHERE document_id = ? ORDER BY seq LIMIT 2", [document_id])]
    add_manual_coding(db, first, "civil", "anna")
    add_manual_coding(db, second, "paragraf18", "bo")
    suggestion, name = db.execute(
        "SELECT c.id, k.name FROM codings c JOIN codes k ON k.key = c.code_key "
        "WHERE c.document_id = ? AND c.status = 'suggested' ORDER BY c.id",
        [document_id]).fetchone()
    decide(db, [suggestion], "accepted", "anna")
    return suggestion, name


def _open(path: Path, coder: str):
    at = page_test("documents", coder=coder)
    at.selectbox(key=K + "document").set_value(_document(path)).run()
    no_failures(at)
    return at


def _titles(at) -> set[str]:
    """Every "code (coder)" the reader's highlights name."""
    return {title for s in reader_payload(at)["segments"] for p in s["pieces"]
            for title in p["title"].split("; ") if title}


def _listed(at) -> dict[str, int]:
    """Dokument -> Kodet, from the document list."""
    frame = at.dataframe[0].value
    return dict(zip(frame["Dokument"], frame["Kodet"], strict=True))


def _panel(at) -> list[str]:
    return list(at.selectbox(key=K + "coding").options)


def test_blind_coder_sees_only_their_own_codings_in_reader_panel_and_list(project: Path
                                                                           ) -> None:
    _, accepted = _two_coders(project)
    at = _open(project, "bo")
    assert {"Civilsamfund (anna)", "Paragraf 18 (bo)", f"{accepted} (anna)"} <= _titles(at)
    assert _listed(at)[NETWORK] == 3
    at.toggle(key=K + "blind").set_value(True).run()
    no_failures(at)
    assert is_blind(_db(project), "bo")
    assert toasts(at) == ["Blind kodning er slået til. Du ser kun dine egne kodninger."]
    assert _titles(at) == {"Paragraf 18 (bo)"}
    assert len(_panel(at)) == 1 and " · bo · " in _panel(at)[0]
    assert _listed(at)[NETWORK] == 1
    at.toggle(key=K + "suggestions").set_value(True).run()
    assert {title for title in _titles(at) if "(forslag)" in title}  # pending stay visible
    assert not {title for title in _titles(at) if "(anna)" in title}
    at.toggle(key=K + "blind").set_value(False).run()
    assert not is_blind(_db(project), "bo")
    assert {"Civilsamfund (anna)", f"{accepted} (anna)"} <= _titles(at)


def test_blind_coder_is_switched_on_from_the_project_and_codes_as_usual(project: Path) -> None:
    _two_coders(project)
    set_blind(_db(project), "anna", True)
    at = _open(project, "anna")
    assert at.toggle(key=K + "blind").value is True
    assert not any("(bo)" in title for title in _titles(at))
    assert _listed(at)[NETWORK] == 2


def _forslag(coder: str):
    at = page_test("suggestions", coder=coder)
    no_failures(at)
    return at


def test_blind_review_is_each_coders_own_decision(project: Path) -> None:
    suggestion, _ = _two_coders(project)
    pending = _db(project).execute(
        "SELECT count(*) FROM codings WHERE status = 'suggested'").fetchone()[0]
    at = _forslag("bo")
    assert at.caption[0].value.startswith(f"{pending} forslag venter")
    at.toggle(key="kvali.review.blind").set_value(True).run()
    assert at.caption[0].value.startswith(f"{pending + 1} forslag venter")
    at.button(key="kvali.review.accept").click().run()  # the oldest: anna's accepted one
    no_failures(at)
    assert toasts(at) == ["Forslaget er accepteret som din egen beslutning (blind kodning)."]
    db = _db(project)
    assert db.execute("SELECT status, coder FROM codings WHERE id = ?",
                      [suggestion]).fetchone() == ("accepted", "anna")
    [provenance] = db.execute("SELECT provenance FROM codings WHERE coder = 'bo' "
                              "AND provenance IS NOT NULL").fetchone()
    assert json.loads(provenance) == {"accepted_suggestion": suggestion}
    assert at.caption[0].value.startswith(f"{pending} forslag venter")
    at.button(key="kvali.review.reject").click().run()  # a pending one: decided as usual
    next_id = db.execute("SELECT max(id) FROM codings WHERE origin = 'auto' AND "
                         "status = 'rejected'").fetchone()[0]
    assert db.execute("SELECT coder FROM codings WHERE id = ?", [next_id]).fetchone() == ("bo",)
    seeing = _forslag("carl")  # not blind: only what is still pending for everyone
    assert seeing.caption[0].value.startswith(f"{pending - 1} forslag venter")


def test_done_button_marks_and_unmarks_the_document(project: Path) -> None:
    at = _open(project, "mette")
    document_id = _document(project)
    assert at.button(key=K + "done").label == "Markér som færdigkodet"
    at.button(key=K + "done").click().run()
    no_failures(at)
    assert is_done(_db(project), "mette", document_id)
    assert toasts(at) == ["Dokumentet er markeret som færdigkodet."]
    assert at.button(key=K + "done").label == "Færdigkodet ✓ (fortryd)"
    at.button(key=K + "done").click().run()
    assert not is_done(_db(project), "mette", document_id)
    assert at.button(key=K + "done").label == "Markér som færdigkodet"


def test_assign_in_the_app_and_filter_my_documents(project: Path) -> None:
    document_id = _document(project)
    at = _open(project, "mette")
    at.multiselect(key=f"{K}assigned.{document_id}").set_value(["mette", "anna"]).run()
    no_failures(at)
    assert document_coders(_db(project), document_id) == ["anna", "mette"]
    assert toasts(at) == ["Tildelingen er gemt."]
    at.toggle(key=K + "mine").set_value(True).run()
    assert list(at.dataframe[0].value["Dokument"]) == [NETWORK]
    at.multiselect(key=f"{K}assigned.{document_id}").set_value(["anna"]).run()
    assert document_coders(_db(project), document_id) == ["anna"]
    assert at.info[0].value == "Ingen dokumenter passer til filtrene."


def test_overview_table_per_coder_matches_the_database(project: Path) -> None:
    _two_coders(project)
    db = _db(project)
    set_assigned(db, "anna", [_document(project), _document(project, "Interview med mærkelige "
                                                                      "tegn")], True)
    set_blind(db, "bo", True)
    at = page_test("overview")
    no_failures(at)
    [table] = [d.value for d in at.dataframe if "Færdigkodet" in d.value.columns]
    shown = table.to_dict("records")
    assert shown == [{"Koder": p.coder, "Tildelt": p.assigned, "Færdigkodet": p.done,
                      "Dokumenter med kodninger": p.documents, "Kodninger": p.codings,
                      "Blind kodning": "til" if p.blind else "fra"} for p in coder_progress(db)]
    anna = next(row for row in shown if row["Koder"] == "anna")
    assert (anna["Tildelt"], anna["Færdigkodet"], anna["Kodninger"]) == (2, 0, 2)
    assert db.execute("SELECT count(*) FROM codings WHERE coder = 'anna' AND status IN "
                      "('manual', 'accepted')").fetchone()[0] == 2
