"""Dokumenter: filters, the reader, and coding flows checked against what the database holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_ui_support import (
    build_project,
    no_failures,
    page_test,
    reader_event,
    reader_payload,
    toasts,
)

from kvali.selection import Selection
from kvali.store import open_db
from kvali.views.documents import list_documents, segment_page

K = "kvali.docs."


def _document_id(path: Path, name: str) -> int:
    db = open_db(path, create=False)
    return db.execute("SELECT id FROM documents WHERE name = ?", [name]).fetchone()[0]


def _segments(path: Path, document_id: int) -> list[tuple[int, int, int, str]]:
    db = open_db(path, create=False)
    return db.execute('SELECT id, start, "end", text FROM segments WHERE document_id = ? '
                      "ORDER BY seq", [document_id]).fetchall()


def _open(path: Path, name: str = "Gruppeinterview om netværk", coder: str | None = "mette"):
    at = page_test("documents", coder=coder)
    at.selectbox(key=K + "document").set_value(_document_id(path, name)).run()
    no_failures(at)
    return at


def _select(at, segment_ids: list[int]) -> None:
    [widget] = [m for m in at.multiselect if m.key.startswith(K + "segments.")]
    widget.set_value(segment_ids)


def _manual(path: Path) -> list[tuple]:
    db = open_db(path, create=False)
    return db.execute('SELECT segment_id, start, "end", code_key, coder, status, memo, key_quote '
                      "FROM codings WHERE origin = 'manual' ORDER BY id").fetchall()


def _texts(at) -> str:
    """The reader's text as the component receives it (plain text, pieces joined)."""
    return "".join(p["text"] for s in reader_payload(at)["segments"] for p in s["pieces"])


def _titles(at) -> set[str]:
    return {p["title"] for s in reader_payload(at)["segments"] for p in s["pieces"] if p["title"]}


def test_reader_gets_the_hostile_transcript_as_plain_text_with_exact_offsets(project: Path
                                                                             ) -> None:
    at = _open(project, "Interview med mærkelige tegn")
    data = reader_payload(at)
    document = open_db(project, create=False).execute(
        "SELECT text FROM documents WHERE name = 'Interview med mærkelige tegn'").fetchone()[0]
    for segment in data["segments"]:
        for piece in segment["pieces"]:
            assert document[piece["start"]:piece["end"]] == piece["text"]
    assert "<script>window.__xss=1</script>" in _texts(at)
    assert "[vores side](javascript:alert(1))" in _texts(at)
    assert "#2 · IP1 (Tilbudsleder, Odense)" in [s["meta"] for s in data["segments"]]
    assert not at.get("html") or all("<script" not in h.proto.body for h in at.get("html"))
    assert at.subheader[0].value == "Interview med mærkelige tegn"


def test_apply_a_code_to_one_segment_and_see_it_highlighted(project: Path) -> None:
    at = _open(project)
    segment_id, start, end, _ = _segments(project, _document_id(project, at.subheader[0].value))[1]
    _select(at, [segment_id])
    at.selectbox(key=K + "code").set_value("netvaerk.moeder")
    at.button(key=K + "apply").click().run()
    no_failures(at)
    assert toasts(at) == ["Segmentet er kodet med »Netværksmøder«."]
    assert _manual(project) == [(segment_id, start, end, "netvaerk.moeder", "mette", "manual",
                                 None, 0)]
    assert "Netværksmøder (mette)" in _titles(at)


def test_consecutive_segments_become_one_quote_and_gaps_are_refused(project: Path) -> None:
    at = _open(project)
    rows = _segments(project, _document_id(project, "Gruppeinterview om netværk"))
    _select(at, [rows[2][0], rows[3][0]])
    at.selectbox(key=K + "code").set_value("civil")
    at.button(key=K + "apply").click().run()
    no_failures(at)
    assert _manual(project) == [(rows[2][0], rows[2][1], rows[3][2], "civil", "mette", "manual",
                                 None, 0)]
    _select(at, [rows[1][0], rows[3][0]])
    at.button(key=K + "apply").click().run()
    assert "hænger ikke sammen" in at.error[0].value
    assert len(_manual(project)) == 1


def _document_text(path: Path, name: str = "Gruppeinterview om netværk") -> str:
    return open_db(path, create=False).execute("SELECT text FROM documents WHERE name = ?",
                                               [name]).fetchone()[0]


def test_selected_words_are_coded_snapped_to_whole_words(project: Path) -> None:
    at = _open(project)
    segment_id, start, _, text = _segments(project, _document_id(project, at.subheader[0].value))[4]
    inside = start + text.index("nære") + 2  # "re netv" — from inside one word into another
    at = reader_event(at, "code", {"start": inside, "end": inside + 7, "code": "netvaerk"})
    no_failures(at)
    [(seg, s, e, code, coder, status, _, _)] = _manual(project)
    assert (seg, code, coder, status) == (segment_id, "netvaerk", "mette", "manual")
    assert _document_text(project)[s:e] == "nære netværk"
    assert toasts(at) == ["»nære netværk« er kodet med »Netværk«."]
    assert "Netværk (mette)" in _titles(at)


def test_a_selection_over_two_segments_is_one_coding_without_the_label(project: Path) -> None:
    at = _open(project)
    rows = _segments(project, _document_id(project, "Gruppeinterview om netværk"))
    label_start = rows[1][2] + 1  # in the "IP2: " label between segment 2 and 3
    at = reader_event(at, "code", {"start": rows[1][1] + 3, "end": rows[2][1] + 6,
                                   "code": "civil"})
    no_failures(at)
    text = _document_text(project)
    [(seg, s, e, *_)] = _manual(project)
    assert seg == rows[1][0] and text[s:e].startswith("holder") and text[s:e].endswith("frivillige")
    at = reader_event(at, "code", {"start": label_start, "end": rows[2][1] + 2, "code": "netvaerk"})
    no_failures(at)
    assert [(s, e) for _, s, e, code, *_ in _manual(project) if code == "netvaerk"] == [
        (rows[2][1], rows[2][1] + 2)]  # starts at the text, not at the label: "De"


def test_a_selection_of_only_spaces_or_without_a_code_is_refused_next_to_the_reader(
        project: Path) -> None:
    at = _open(project)
    rows = _segments(project, _document_id(project, "Gruppeinterview om netværk"))
    at = reader_event(at, "code", {"start": rows[0][2], "end": rows[1][1], "code": "netvaerk"})
    assert "Markér nogle ord" in at.error[0].value
    at = reader_event(at, "code", {"start": rows[1][1], "end": rows[1][2], "code": ""})
    assert at.error[0].value == "Vælg en kode."
    assert _manual(project) == []
    [text_column] = [c for c in at.columns if c.get("bidi_component")]
    assert [e.value for e in text_column.get("error")] == ["Vælg en kode."]


def test_clicking_a_highlight_shows_its_codings_in_the_panel(project: Path) -> None:
    at = _open(project)
    rows = _segments(project, _document_id(project, "Gruppeinterview om netværk"))
    at = reader_event(at, "code", {"start": rows[3][1], "end": rows[3][2], "code": "paragraf18"})
    at = reader_event(at, "code", {"start": rows[1][1], "end": rows[1][2], "code": "netvaerk"})
    [first, _] = [row[0] for row in open_db(project, create=False).execute(
        "SELECT id FROM codings WHERE origin = 'manual' ORDER BY id")]
    at = reader_event(at, "open", {"codings": [first]})
    no_failures(at)
    assert any("Kodninger på markeringen** (1)" in m.value for m in at.markdown)
    assert at.selectbox(key=K + "coding").value == first
    assert at.selectbox(key=K + "coding").options == [
        f"Paragraf 18 · mette · manuel · tegn {rows[3][1]}–{rows[3][2]}"]
    assert any("Oprindelse" in c.value and "kodet i hånden" in c.value for c in at.caption)


def test_a_reader_link_opens_the_document_at_the_span(project: Path) -> None:
    document_id = _document_id(project, "Interview med mærkelige tegn")
    rows = _segments(project, document_id)
    start = rows[1][1] + 4
    at = page_test("documents", coder="mette")
    at.selectbox(key=K + "kind").set_value("survey").run()
    at.query_params.update({"dokument": str(document_id), "fra": str(start),
                            "til": str(start + 5)})
    at.run()
    no_failures(at)
    assert at.selectbox(key=K + "document").value == document_id
    data = reader_payload(at)
    assert data["focus"] == [start, start + 5]
    focused = [p for s in data["segments"] for p in s["pieces"] if p["focus"]]
    assert [(p["start"], p["end"]) for p in focused] == [(start, start + 5)]
    assert "dokument" not in at.query_params


def test_remove_memo_and_key_quote_on_a_coding(project: Path) -> None:
    at = _open(project)
    segment_id = _segments(project, _document_id(project, at.subheader[0].value))[3][0]
    _select(at, [segment_id])
    at.selectbox(key=K + "code").set_value("paragraf18")
    at.button(key=K + "apply").click().run()
    [coding_id] = [row[0] for row in open_db(project, create=False).execute(
        "SELECT id FROM codings WHERE origin = 'manual'")]
    at.selectbox(key=K + "coding").set_value(coding_id)
    at.button(key=K + "key_quote").click().run()
    assert _manual(project)[0][7] == 1
    at.text_area(key=f"{K}memo.{coding_id}").input("Godt citat om § 18.")
    at.button(key=K + "save_memo").click().run()
    no_failures(at)
    assert _manual(project)[0][6] == "Godt citat om § 18."
    assert toasts(at) == ["Memoet er gemt."]
    at.button(key=K + "remove").click().run()
    no_failures(at)
    assert _manual(project) == []
    assert toasts(at) == ["Kodningen er fjernet."]


def test_removing_an_accepted_suggestion_rejects_it(project: Path) -> None:
    db = open_db(project, create=False)
    coding_id = db.execute("SELECT id FROM codings WHERE code_key = 'paragraf18' AND "
                           "document_id = ?", [_document_id(project, "Gruppeinterview om netværk")]
                           ).fetchone()[0]
    db.execute("UPDATE codings SET status = 'accepted' WHERE id = ?", [coding_id])
    at = _open(project)
    at.selectbox(key=K + "coding").set_value(coding_id)
    at.button(key=K + "remove").click().run()
    no_failures(at)
    assert db.execute("SELECT status, coder FROM codings WHERE id = ?",
                      [coding_id]).fetchone() == ("rejected", "mette")


def test_a_document_memo_is_saved_under_the_coder(project: Path) -> None:
    at = _open(project)
    document_id = _document_id(project, "Gruppeinterview om netværk")
    at.text_area(key=f"{K}docmemo.{document_id}").input("Interviewet er kort.")
    at.button(key=K + "save_docmemo").click().run()
    no_failures(at)
    db = open_db(project, create=False)
    assert db.execute("SELECT target_type, target, coder, text FROM memos").fetchall() == [
        ("document", str(document_id), "mette", "Interviewet er kort.")]


def test_without_a_coder_name_nothing_is_written(project: Path) -> None:
    at = _open(project, coder=None)
    _select(at, [_segments(project, _document_id(project, at.subheader[0].value))[1][0]])
    at.button(key=K + "apply").click().run()
    assert not at.exception
    assert "Skriv dit navn" in at.error[0].value
    assert _manual(project) == []


def test_filters_narrow_the_document_list(project: Path) -> None:
    at = page_test("documents")
    assert len(at.selectbox(key=K + "document").options) == 3
    at.selectbox(key=K + "kind").set_value("survey").run()
    assert at.selectbox(key=K + "document").options == ["survey: Bemærkninger (Survey-svar, "
                                                        "3 segmenter)"]
    at.selectbox(key=K + "kind").set_value("Alle")
    at.selectbox(key=K + "role").set_value("Tilbudsleder").run()
    assert len(at.selectbox(key=K + "document").options) == 1
    at.selectbox(key=K + "role").set_value("Alle")
    at.selectbox(key=K + "has").set_value("Med kodninger").run()
    assert at.info[0].value == "Ingen dokumenter passer til filtrene."


def test_document_filters_by_place(project: Path) -> None:
    db = open_db(project, create=False)
    def names(selection: Selection | None = None, **options: object) -> list[str]:
        return [r.name for r in list_documents(db, selection, **options)]

    assert names(Selection(kommune=("Viborg",))) == ["Gruppeinterview om netværk",
                                                     "survey: Bemærkninger"]
    assert names(Selection(region=("Region Syddanmark",))) == ["Interview med mærkelige tegn",
                                                               "survey: Bemærkninger"]
    assert names(name="mærkelige") == ["Interview med mærkelige tegn"]
    assert names(has_codes=False) == sorted(names())


def test_long_documents_are_read_a_page_at_a_time(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = build_project(tmp_path)
    folder = tmp_path / "long"
    folder.mkdir()
    turns = "\n".join(f"IP1: Dette er udsagn nummer {i} om netværket." for i in range(450))
    (folder / "lang.md").write_text("---\ntitle: Langt interview\nspeakers:\n  IP1: {role: "
                                    "Socialchef, kommune: Aarhus}\n---\n" + turns + "\n",
                                    encoding="utf-8")
    from kvali.importer import import_paths
    from kvali.ingest.model import ReadOptions
    db = open_db(path)
    import_paths(db, [folder / "lang.md"], ReadOptions(kind="interview"))
    document_id = _document_id(path, "Langt interview")
    assert [s.seq for s in segment_page(db, document_id, 2, 200)] == list(range(400, 450))
    monkeypatch.setenv("KVALI_DB", str(path))
    at = _open(path, "Langt interview")
    assert len(reader_payload(at)["segments"]) == 200
    at.number_input(key=f"{K}page.{document_id}").set_value(3).run()
    no_failures(at)
    assert len(reader_payload(at)["segments"]) == 50 and "nummer 449 " in _texts(at)


def test_suggestions_can_be_shown_dashed_beside_human_codings(project: Path) -> None:
    at = _open(project)
    assert not _titles(at)
    at.toggle(key=K + "suggestions").set_value(True).run()
    no_failures(at)
    styles = [p["style"] for s in reader_payload(at)["segments"] for p in s["pieces"]]
    assert any("repeating-linear-gradient(90deg,#2E7D32" in style for style in styles)
    assert "Netværk (forslag)" in _titles(at)


def test_selected_words_can_be_marked_as_personal_data(project: Path) -> None:
    at = _open(project)
    assert {t["type"] for t in reader_payload(at)["pii_types"]} == {
        "cpr", "phone", "email", "address", "name"}
    rows = _segments(project, _document_id(project, "Gruppeinterview om netværk"))
    at = reader_event(at, "pii", {"start": rows[2][1] + 1, "end": rows[2][1] + 5,
                                  "type": "name"})
    no_failures(at)
    db = open_db(project, create=False)
    [(s, e, kind, status, origin)] = db.execute(
        'SELECT start, "end", type, status, origin FROM pii_findings').fetchall()
    assert _document_text(project)[s:e] == "De frivillige"  # "e fr", widened to whole words
    assert (kind, status, origin) == ("name", "confirmed", "manual")
    assert toasts(at) == ["Markeret som personoplysning (Navn)."]
    assert _manual(project) == []
