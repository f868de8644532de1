"""Importér, REFI-QDA: a .qdpx from another tool is imported from the app as `kvali import-qdpx`
does; a source whose text is missing is listed with the codings lost, the rest comes in; a
damaged file is one line and changes nothing (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_refiqda_dialects import codings, zip_folder
from test_ui_support import no_failures, page_test, toasts

from kvali.access import AccessDenied, Actor, set_actor
from kvali.access.users import add_user
from kvali.errors import InputError
from kvali.refiqda import load
from kvali.refiqda.load import QdpxImport, import_qdpx
from kvali.store import open_db
from kvali.ui.actions import import_refiqda
from kvali.ui.render import md
from kvali.views.refiqda_import import missing_lines, reading_label

K = "kvali.import.qdpx."
INTERVIEW_1 = "Sources/c3000000-0000-4000-8000-000000000001.txt"
TABLES = ("documents", "segments", "codes", "codings", "memos", "coders", "cases", "imports")


def atlas_with_one_source(tmp_path: Path) -> Path:
    """The ATLAS.ti 8 test project with the text of Interview 1 only: Interview 2 (one coding)
    cannot be placed."""
    return zip_folder("atlas8", tmp_path / "frivillighed.qdpx",
                      extra={INTERVIEW_1: "Frivillig indsats giver mening for mange."})


def snapshot(path: Path) -> dict[str, list[tuple]]:
    """Every row of the tables an import writes to."""
    db = open_db(path, create=False)
    return {table: db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in TABLES}


def upload_and_import(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key=K + "upload.0").set_value([(name, data, "application/octet-stream")])
    at.run()
    return at.button(key=K + "run").click().run()


def test_missing_source_is_listed_and_the_rest_comes_in(project: Path, tmp_path: Path) -> None:
    at = page_test("importer")
    no_failures(at)
    assert at.button(key=K + "run").disabled
    upload_and_import(at, "frivillighed.qdpx", atlas_with_one_source(tmp_path).read_bytes())
    no_failures(at)
    assert toasts(at) == [md("frivillighed.qdpx er importeret: 1 dokument(er), 2 kodning(er); "
                             "1 kilde(r) kunne ikke placeres.")]
    [placed] = [w.value for w in at.warning if "kunne ikke placeres" in w.value]
    assert md("Interview 2 (internal://c3000000-0000-4000-8000-000000000002.txt): tekstfilen "
              "findes ikke i .qdpx-filen – 1 kodning tabt") in placed
    assert "Interview 1" not in placed
    readings = at.dataframe[0].value
    assert list(readings["Kilde"]) == ["Interview 1"]
    assert list(readings["Positioner læst som"]) == ["tegn, som standarden tæller"]
    assert any("1 nyt dokument" in m.value and "2 kodninger" in m.value for m in at.markdown)
    db = open_db(project, create=False)
    assert [row for row in codings(db) if row[0] == "Interview 1"] == [
        ("Interview 1", "Frivillig", "motivation", "Ida"),
        ("Interview 1", "Frivillig", "motivation.faellesskab", "Jonas")]
    assert "Interview 2" not in {row[0] for row in db.execute("SELECT name FROM documents")}
    assert not at.file_uploader(key=K + "upload.1").value  # emptied after the import


def test_damaged_file_is_one_line_and_changes_nothing(project: Path) -> None:
    before = snapshot(project)
    at = page_test("importer")
    upload_and_import(at, "kaputt.qdpx", b"PK\x03\x04 dette er ikke et arkiv")
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert error.startswith(md("kaputt.qdpx er ikke importeret, og intet er ændret: "))
    assert "\n" not in error and "kvali-upload" not in error
    assert not at.toast
    assert snapshot(project) == before
    assert at.file_uploader(key=K + "upload.0").value  # kept, to try again


def test_a_late_failure_still_shows_what_was_found(project: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure after the file was read (here while writing the event log, the import's last
    write): the skipped source is still listed, and the project is unchanged."""

    def fail(*_args: object, **_kwargs: object) -> None:
        raise InputError("the disk is full")

    monkeypatch.setattr(load, "log_event", fail)
    before = snapshot(project)
    at = page_test("importer")
    upload_and_import(at, "frivillighed.qdpx", atlas_with_one_source(tmp_path).read_bytes())
    assert not at.exception
    assert [e.value for e in at.error] == [
        md("frivillighed.qdpx er ikke importeret, og intet er ændret: the disk is full")]
    assert any("Interview 2" in w.value and "1 kodning tabt" in w.value for w in at.warning)
    assert any("intet er gemt" in c.value for c in at.caption)
    assert not any("nyt dokument" in m.value for m in at.markdown)
    assert snapshot(project) == before


def test_a_reader_may_not_import(project: Path, tmp_path: Path) -> None:
    db = open_db(project)
    add_user(db, "anne", "admin", "hemmeligt-ord-1")
    add_user(db, "lis", "reader", "hemmeligt-ord-1")
    db.close()
    at = AppTest.from_string("from kvali.ui.state import init_session\n"
                             "from kvali.ui.pages.importer import importer_page\n"
                             "init_session()\nimporter_page()\n", default_timeout=60)
    at.session_state["kvali.login"] = (str(project), "lis")
    at.run()
    at.file_uploader(key=K + "upload.0").set_value(
        [("frivillighed.qdpx", atlas_with_one_source(tmp_path).read_bytes(), "")]).run()
    assert at.button(key=K + "run").disabled
    before = snapshot(project)
    set_actor(Actor("lis", "reader"))
    try:
        with pytest.raises(AccessDenied, match="lis"):
            import_refiqda(open_db(project), tmp_path / "frivillighed.qdpx", "frivillighed.qdpx",
                           QdpxImport())
    finally:
        set_actor(None)
    assert snapshot(project) == before


def test_reasons_and_readings_in_danish(tmp_path: Path) -> None:
    report = import_qdpx(open_db(tmp_path / "p.db"),
                         zip_folder("relative", tmp_path / "r.qdpx"))
    assert missing_lines(report) == ["Udenfor (relative:///../hemmelig.txt): stien peger uden "
                                     "for .qdpx-filen, så teksten læses ikke – 0 kodninger tabt"]
    assert reading_label("UTF-16 units, CRLF as one") == (
        "UTF-16-enheder, som NVivo tæller (en emoji tæller to), linjeskift (CRLF) som ét tegn")
    assert reading_label("a new reading") == "a new reading"


def test_every_reason_a_source_is_skipped_has_its_danish_line() -> None:
    """The reason travels as a key (kvali.refiqda.model.UNPLACED_REASONS), so no English line
    reaches the page however the import words it; an unknown reason is shown as written."""
    from kvali.refiqda.model import UNPLACED_REASONS, MissingSource, unplaced_reason

    for why, (english, danish) in UNPLACED_REASONS.items():
        missing = MissingSource("Kilde", "", unplaced_reason(why, "sti.txt"), 2, why, "sti.txt")
        assert missing.danish_reason() == danish.format(detail="sti.txt")
        assert missing.reason == english.format(detail="sti.txt") != missing.danish_reason()
    assert MissingSource("Kilde", "", "something new", 0).danish_reason() == "something new"
